"""Admin home > GP record delivery: the hub and its member practices, the MESH mailbox, and each
person's delivery state (queued, sent, acknowledged, filed, failed) with the needs-attention list.

Sending runs on the delivery worker's thread (delivery/worker.py); this page only asks it to go
and shows what it reports, so no screen ever waits for MESH.
"""

import threading

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.errors import ClinicError
from groupclinic_desktop.delivery import config
from groupclinic_desktop.delivery.routing import route_for
from groupclinic_desktop.delivery.sender import PassReport, queue_unsent
from groupclinic_desktop.delivery.worker import delivery_worker
from groupclinic_desktop.ui import tasks
from groupclinic_desktop.ui.service_status import StatusBox, message_line
from groupclinic_desktop.ui.widgets import fill, read_only_table

STATE_WORDS = {
    "queued": "Queued",
    "sending": "Sending",
    "sent": "Sent (waiting for the practice)",
    "acknowledged": "Received by the practice",
    "filed": "Filed at the practice",
    "failed": "FAILED",
}


class DeliveryRunner(QObject):
    """The one delivery worker of an open store, and a signal when a pass ends (on the UI
    thread, through Qt's queued connection)."""

    pass_finished = Signal(object)  # sender.PassReport
    queued = Signal(object)  # list[str]: what queueing did, in words

    def __init__(self, clinic: Clinic, parent: QObject | None = None, **worker_options) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        self.clinic = clinic
        self.worker = delivery_worker(clinic, on_pass=self.pass_finished.emit, **worker_options)

    def queue_unsent_and_send(self) -> None:
        """Queue every finished session's unsent people, then send, all off the UI thread
        (building each session's record takes a moment per session)."""

        def queued(lines: list[str]) -> None:
            self.queued.emit(lines)
            self.send_now()

        tasks.run(
            lambda: [r.line() for r in queue_unsent(self.clinic)] or ["Nothing new to queue."],
            done=queued,
            failed=lambda error: queued([str(error)]),
            owner=self,
            name="groupclinic-delivery-queue",
        )

    def start(self) -> None:
        self.worker.start()

    def stop(self) -> None:
        self.worker.stop()

    def send_now(self) -> None:
        if not self.worker.running:
            self.worker.start()
        self.worker.now()


_runners: dict[int, DeliveryRunner] = {}
_runners_lock = threading.Lock()


def shared_runner(clinic: Clinic, parent: QObject | None = None) -> DeliveryRunner:
    """The store's single delivery runner: two workers on one store could send twice."""
    with _runners_lock:
        runner = _runners.get(id(clinic))
        if runner is None:
            runner = DeliveryRunner(clinic, parent)
            _runners[id(clinic)] = runner
            runner.destroyed.connect(lambda *_: _runners.pop(id(clinic), None))
        return runner


class GpDeliveryPage(QWidget):
    def __init__(
        self, clinic: Clinic, runner: DeliveryRunner | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.clinic = clinic
        self.runner = runner or shared_runner(clinic)
        outer = QVBoxLayout(self)

        people = StatusBox(
            "Each person's notes, sent to their registered practice",
            ["Session", "Person", "Practice", "State", "Reason"],
            "Deliveries",
        )
        self.summary, self.table = people.summary, people.table
        self.send_button = people.button("Send unsent sessions now", self.send_unsent)
        self.resend_button = people.button(
            "Resend selected", self.resend_selected, "Resend the selected failed delivery"
        )
        outer.addWidget(people, 1)

        members = QGroupBox("Hub and member practices")
        member_box = QVBoxLayout(members)
        self.organisation = QLabel("")
        member_box.addWidget(self.organisation)
        kind_row = QHBoxLayout()
        self.kind = QComboBox()
        self.kind.setAccessibleName("This organisation is")
        for text, value in (("a single practice", "practice"), ("a PCN", "pcn"),
                            ("a neighbourhood hub", "hub")):
            self.kind.addItem(text, value)
        self.pcn = QLineEdit()
        self.pcn.setPlaceholderText("PCN ODS code (for monitoring)")
        self.pcn.setAccessibleName("PCN ODS code")
        self.kind_button = QPushButton("Save organisation")
        self.kind_button.clicked.connect(self.save_organisation)
        kind_row.addWidget(QLabel("This organisation is"))
        kind_row.addWidget(self.kind)
        kind_row.addWidget(self.pcn)
        kind_row.addWidget(self.kind_button)
        kind_row.addStretch(1)
        member_box.addLayout(kind_row)
        self.members = read_only_table(["ODS code", "Practice", "MESH address"], "Member practices")
        self.members.setMaximumHeight(140)
        member_box.addWidget(self.members)
        member_form = QHBoxLayout()
        self.member_ods = QLineEdit()
        self.member_ods.setPlaceholderText("ODS code")
        self.member_ods.setAccessibleName("Member practice ODS code")
        self.member_name = QLineEdit()
        self.member_name.setPlaceholderText("Practice name")
        self.member_name.setAccessibleName("Member practice name")
        self.member_mailbox = QLineEdit()
        self.member_mailbox.setPlaceholderText("Mailbox (empty: automated routing)")
        self.member_mailbox.setAccessibleName("Member practice mailbox")
        self.add_member_button = QPushButton("Add practice")
        self.add_member_button.clicked.connect(self.add_member)
        self.mailbox_button = QPushButton("Set mailbox")
        self.mailbox_button.setAccessibleName("Set the mailbox of the practice with this ODS code")
        self.mailbox_button.clicked.connect(self.set_mailbox)
        for widget in (self.member_ods, self.member_name, self.member_mailbox,
                       self.add_member_button, self.mailbox_button):
            member_form.addWidget(widget)
        member_box.addLayout(member_form)
        outer.addWidget(members)

        mesh = QGroupBox("MESH mailbox of this organisation")
        form = QFormLayout(mesh)
        settings = clinic.delivery_settings()
        self.url = QLineEdit(settings.get("url") or "")
        self.url.setPlaceholderText("https://msg.intspineservices.nhs.uk")
        self.url.setAccessibleName("MESH address")
        self.mailbox = QLineEdit(settings.get("mailbox") or "")
        self.mailbox.setAccessibleName("MESH mailbox")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("leave empty to keep the current password")
        self.password.setAccessibleName("MESH password")
        self.shared_key = QLineEdit()
        self.shared_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.shared_key.setPlaceholderText("leave empty to keep the current shared key")
        self.shared_key.setAccessibleName("MESH shared key")
        self.cert = QLineEdit(settings.get("cert") or "")
        self.cert.setAccessibleName("Client certificate file")
        self.key = QLineEdit(settings.get("key") or "")
        self.key.setAccessibleName("Client key file")
        self.ca = QLineEdit(settings.get("ca") or "")
        self.ca.setAccessibleName("CA bundle file")
        self.ca.setPlaceholderText("empty: the NHS CA bundle that comes with the MESH client")
        form.addRow("Address:", self.url)
        form.addRow("Mailbox:", self.mailbox)
        form.addRow("Password:", self.password)
        form.addRow("Shared key:", self.shared_key)
        form.addRow("Client certificate:", self.cert)
        form.addRow("Client key:", self.key)
        form.addRow("CA bundle:", self.ca)
        self.ready = QLabel("")
        self.ready.setWordWrap(True)
        form.addRow("State:", self.ready)
        self.save_button = QPushButton("Save MESH settings")
        self.save_button.clicked.connect(self.save)
        form.addRow(self.save_button)
        outer.addWidget(mesh)

        self.message = message_line()
        outer.addWidget(self.message)
        self.runner.pass_finished.connect(self.show_pass)
        self.runner.queued.connect(self.show_queued)
        self.refresh()

    # ---- showing

    def refresh(self) -> None:
        self.rows = self.clinic.deliveries()
        patients = {p.id: p for p in self.clinic.patients()}
        shown = []
        for row in self.rows:
            person = patients.get(row.patient_id)
            who = f"{person.full_name} ({person.nhs_number[-4:]})" if person else "?"
            state = STATE_WORDS[row.status.value]
            if row.needs_attention and row.status.value != "failed":
                state += " - needs attention"
            name = self.clinic.registered_practice_name(row.registered_ods)
            shown.append([str(row.session_id), who, f"{name} ({row.registered_ods})", state,
                          row.reason or ""])
        fill(self.table, shown)
        counts = self.clinic.delivery_counts()
        self.summary.setText(
            f"{counts['queued'] + counts['sending']} queued, {counts['sent']} sent, "
            f"{counts['acknowledged']} received, {counts['filed']} filed, "
            f"{counts['failed']} failed; {counts['needs_attention']} need attention."
        )
        self.resend_button.setEnabled(counts["needs_attention"] > 0)
        organisation = self.clinic.organisation()
        if organisation is not None:
            self.kind.setCurrentIndex(self.kind.findData(organisation.kind.value))
            if organisation.pcn_ods_code and not self.pcn.text():
                self.pcn.setText(organisation.pcn_ods_code)
            self.organisation.setText(
                f"Clinics run by {organisation.name} ({organisation.ods_code}), "
                f"a {organisation.kind.value}."
            )
        members = self.clinic.member_practices()
        fill(
            self.members,
            [[m.ods_code, m.name, m.mesh_mailbox or "automated routing"] for m in members],
        )
        cfg = config.load(self.clinic)
        missing, advice = cfg.missing(), cfg.advice()
        text = "Ready to send." if missing is None else f"Not ready: {missing}"
        self.ready.setText(text + (f" Note: {advice}." if advice else ""))

    def show_pass(self, report: PassReport) -> None:
        self.message.setText(f"Last run: {report.line()}")
        self.refresh()

    # ---- actions

    def send_unsent(self) -> None:
        self.message.setText("Sending in the background…")
        self.runner.queue_unsent_and_send()

    def show_queued(self, lines: list[str]) -> None:
        self.message.setText(" ".join(lines) + " Sending in the background…")
        self.refresh()

    def resend_selected(self) -> None:
        index = self.table.currentRow()
        if index < 0:
            self.message.setText("Choose a person in the list first.")
            return
        row = self.rows[index]
        assert row.id is not None
        patient = self.clinic.patient(row.patient_id)
        ods = patient.registered_ods or row.registered_ods
        route = route_for(patient, self.clinic.member_practice(ods))
        try:
            self.clinic.resend_delivery(row.id, registered_ods=ods, mex_to=route.mex_to)
        except ClinicError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText(f"Queued again for {ods}. Sending in the background…")
        self.refresh()
        self.runner.send_now()

    def save_organisation(self) -> None:
        try:
            organisation = self.clinic.set_organisation(
                self.kind.currentData(), pcn_ods_code=self.pcn.text() or None
            )
        except ClinicError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText(f"{organisation.name} is now a {organisation.kind.value}.")
        self.refresh()

    def add_member(self) -> None:
        try:
            member = self.clinic.add_member_practice(
                self.member_ods.text(), self.member_name.text(),
                mesh_mailbox=self.member_mailbox.text(),
            )
        except ClinicError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText(f"Added {member.name} ({member.ods_code}).")
        for field in (self.member_ods, self.member_name, self.member_mailbox):
            field.clear()
        self.refresh()

    def set_mailbox(self) -> None:
        try:
            member = self.clinic.set_practice_mailbox(
                self.member_ods.text(), self.member_mailbox.text()
            )
        except ClinicError as exc:
            self.message.setText(str(exc))
            return
        where = member.mesh_mailbox or "automated routing"
        self.message.setText(f"{member.name} ({member.ods_code}): notes go to {where}.")
        self.refresh()

    def save(self) -> None:
        try:
            self.clinic.set_delivery_settings(
                url=config.check_url(self.url.text()),
                mailbox=self.mailbox.text().strip().upper(),
                cert=config.check_file(self.cert.text().strip(), "Client certificate"),
                key=config.check_file(self.key.text().strip(), "Client key"),
                ca=config.check_file(self.ca.text().strip(), "CA bundle"),
            )
            if self.password.text():
                config.set_secret(self.clinic, "password", self.password.text())
            if self.shared_key.text():
                config.set_secret(self.clinic, "shared-key", self.shared_key.text())
        except ClinicError as exc:
            self.message.setText(str(exc))
            return
        self.password.clear()
        self.shared_key.clear()
        self.message.setText("Saved.")
        self.refresh()
