"""What is done from the list of what is due reaches the real ICB service as counts only: the
events are stored, and no name, NHS number or note is in anything the service keeps."""

from __future__ import annotations

from groupclinic_desktop.core.clinic import Clinic
from groupclinic_desktop.core.schema import Role
from groupclinic_desktop.sync.engine import Syncer
from tests.four_ms_scenario import staff
from tests.sync.conftest import FAST, IcbServer, outbox_ids, point_at


def test_follow_up_counts_reach_the_icb_without_a_person_or_a_word(
    demo: Clinic, icb_sqlite: IcbServer
) -> None:
    with demo.acting_as(staff(demo, Role.FACILITATOR)):
        items = demo.due_list()
        first, second = items[0], items[1]
        demo.record_contact(first.patient_id, first.key, "text", "no_answer",
                            "Texted Mrs Ellis about her HbA1c")
        demo.mark_done(second.patient_id, second.key, "Seen at the pharmacy")
    produced = outbox_ids(demo)
    point_at(demo, icb_sqlite.url, icb_sqlite.token)

    report = Syncer(demo, FAST).run_pass()

    assert report.result == "done", report.reason
    assert report.needs_attention == 0, [e.last_error for e in demo.needs_attention_events()]
    assert sorted(icb_sqlite.event_ids()) == sorted(produced)
    stored = icb_sqlite.all_text()
    assert '"follow_up"' in stored or "follow_up" in stored
    for private in ("Ellis", "HbA1c", "pharmacy", demo.patient(first.patient_id).nhs_number,
                    demo.patient(first.patient_id).family_name):
        assert private not in stored, f"{private!r} left the laptop"
