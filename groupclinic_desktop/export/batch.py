"""Export a session (or every session not yet exported) to a folder the admin chose.

File names sort by date, then session, then surname:
    2026-08-24_0001_Jones_0107.pdf          one person's notes
    2026-08-24_0001_Jones_0107.fhir.json    the same as a FHIR R4 document bundle
    2026-08-24_0001_session.csv             the session's coded items, one row each
A correction adds "-v2", "-v3" ... before the extension.

A hub or PCN store (several member practices) writes one folder per registered practice, named by
its ODS code (out/Y12345/...), each with its own session CSV holding only its own people, so each
practice receives exactly its own patients' notes. A single practice's store writes straight into
the chosen folder, which is that practice's folder. Nothing is ever overwritten: if a file
of that name is already there the whole export is refused before anything is written. Files are
built in memory and written straight to their final names, so no temporary copy is left behind.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from groupclinic_desktop.core.clinic import EXPORT_FORMATS, Clinic
from groupclinic_desktop.core.errors import InvalidInput, NotAllowed
from groupclinic_desktop.core.private_files import new_private_file, private_dir
from groupclinic_desktop.core.roles import Permission, allows
from groupclinic_desktop.core.schema import OrganisationKind, SessionStatus
from groupclinic_desktop.core.views.session_record import PersonRecord, build_session_record
from groupclinic_desktop.export.csv_export import session_csv
from groupclinic_desktop.export.fhir import person_bundle, to_json


@dataclass
class ExportResult:
    session_id: int
    files: list[Path] = field(default_factory=list)
    people: int = 0
    corrections: int = 0
    # "Name: review by Dr X awaiting their sign-off", for each person held back.
    held_back: list[str] = field(default_factory=list)


class HeldBack(InvalidInput):
    """Nobody could be exported: every remaining person waits for a clinician's sign-off."""

    def __init__(self, message: str, reasons: list[str]) -> None:
        super().__init__(message)
        self.reasons = reasons


def held_back_reasons(people: Iterable[PersonRecord]) -> dict[int, str]:
    """People whose notes wait for a clinician's sign-off of a review written on their behalf.
    Their notes are not exported until it is signed: the record must say who decided what."""
    found: dict[int, str] = {}
    for person in people:
        waiting = person.awaiting_sign_off
        if waiting:
            who = ", ".join(person.staff_name(r.author_id) for r in waiting)
            found[person.patient_id] = (
                f"{person.patient.full_name}: review written on behalf of {who} awaits their "
                "sign-off"
            )
    return found


def parse_formats(text: str | Iterable[str]) -> tuple[str, ...]:
    """ "pdf,fhir" -> ("pdf", "fhir"), in the standard order; unknown names are refused."""
    parts = text.split(",") if isinstance(text, str) else list(text)
    wanted = {p.strip().lower() for p in parts if p.strip()}
    unknown = sorted(wanted - set(EXPORT_FORMATS))
    if unknown or not wanted:
        raise InvalidInput(
            f"Formats: '{', '.join(unknown) or 'none'}' is not one of {', '.join(EXPORT_FORMATS)}.",
            field="Formats",
        )
    return tuple(f for f in EXPORT_FORMATS if f in wanted)


# A surname in a file name is cut to this many characters: with the date, session, NHS digits,
# version and ".fhir.json" a name stays far below the 255 bytes every file system allows and
# the 260-character Windows path limit leaves room for the folder.
SURNAME_CHARS = 40
# Names Windows keeps for devices, with or without an extension.
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {
    f"{d}{n}" for d in ("COM", "LPT") for n in range(1, 10)
}


def safe_surname(surname: str) -> str:
    """A surname as letters, digits and hyphens only, cut to a safe length:
    "O'Neill" -> "ONeill"."""
    plain = unicodedata.normalize("NFKD", surname).encode("ascii", "ignore").decode()
    plain = re.sub(r"[\s_]+", "-", plain.strip())
    plain = re.sub(r"[^A-Za-z0-9-]", "", plain).strip("-")
    return safe_file_stem(plain[:SURNAME_CHARS].strip("-")) or "patient"


def safe_file_stem(stem: str) -> str:
    """A file name stem Windows accepts: no trailing dots or spaces, no reserved device name."""
    stem = stem.rstrip(". ")
    if stem.split(".")[0].upper() in WINDOWS_RESERVED:
        stem = f"{stem}_"
    return stem


def person_stem(person: PersonRecord, version: int = 1) -> str:
    info = person.info
    stem = (
        f"{info.day:%Y-%m-%d}_{info.session_id:04d}_"
        f"{safe_surname(person.patient.family_name)}_{person.patient.nhs_number[-4:]}"
    )
    return stem + (f"-v{version}" if version > 1 else "")


def export_session(
    clinic: Clinic,
    session_id: int,
    out_dir: Path | str,
    formats: Sequence[str] = EXPORT_FORMATS,
    *,
    correction: bool = False,
) -> ExportResult:
    """Export everyone not yet exported; with correction=True, everyone corrected since.

    Raises InvalidInput when there is nothing to export or a file would be overwritten.
    """
    from groupclinic_desktop.export.notes_pdf import person_pdf

    actor = clinic.actor
    if actor is None:
        raise NotAllowed("Sign in first.")
    if not allows(actor.role, Permission.EXPORT):
        raise NotAllowed(f"A {actor.role.value} may not export notes to the GP record.")
    formats = parse_formats(formats)

    session = clinic.session(session_id)
    if session.status not in (SessionStatus.FINISHED, SessionStatus.EXPORTED):
        raise InvalidInput(
            f"Session {session_id} is {session.status.value}; only finished sessions are exported."
        )
    folder = _folder(out_dir)
    record = build_session_record(clinic, session_id)
    last_version: dict[int, int] = {}
    last_export: dict[int, datetime] = {}
    for row in clinic.export_log(session_id):
        last_version[row.patient_id] = max(row.version, last_version.get(row.patient_id, 0))
        when = row.exported_at if row.exported_at.tzinfo else row.exported_at.replace(tzinfo=UTC)
        last_export[row.patient_id] = max(when, last_export.get(row.patient_id, when))
    corrected = clinic.corrections_since_export(session_id) if correction else {}
    # Everyone booked: those who came, then those who did not attend (a short DNA record).
    everyone = [*record.people, *record.absent]
    if correction:
        chosen = [p for p in everyone if p.patient_id in corrected]
        if not chosen:
            raise InvalidInput(
                f"Session {session_id}: nothing was corrected since its notes were exported, "
                "so there is no correction to send."
            )
    else:
        chosen = [p for p in everyone if p.patient_id not in last_version]
        if not chosen:
            raise InvalidInput(
                f"Session {session_id}: everyone's notes were already exported. To send "
                "corrected notes, export a correction."
                if everyone
                else f"Session {session_id}: nobody attended, so there are no notes to export."
            )
    held = held_back_reasons(chosen)
    if held:
        chosen = [p for p in chosen if p.patient_id not in held]
        if not chosen:
            raise HeldBack(
                f"Session {session_id}: nothing exported; held back until signed: "
                + "; ".join(held.values())
                + ".",
                list(held.values()),
            )
    versions = {p.patient_id: last_version.get(p.patient_id, 0) + 1 for p in chosen}
    now = datetime.now(UTC)
    planned: list[tuple[Path, bytes]] = []
    per_person: dict[int, list[Path]] = {}
    by_practice = practice_folders(clinic, folder, chosen)
    for person in chosen:
        version = versions[person.patient_id]
        stem = person_stem(person, version)
        files: list[tuple[Path, bytes]] = []
        folder = by_practice[person.patient_id]
        if "pdf" in formats:
            files.append(
                (
                    folder / f"{stem}.pdf",
                    person_pdf(
                        person,
                        generated_at=now,
                        generated_by=actor.name,
                        version=version,
                        correction_reasons=corrected.get(person.patient_id, ()),
                    ),
                )
            )
        if "fhir" in formats:
            bundle = person_bundle(
                person,
                generated_at=now,
                generated_by=actor.name,
                version=version,
                previous_export_at=last_export.get(person.patient_id),
            )
            files.append((folder / f"{stem}.fhir.json", to_json(bundle)))
        planned += files
        per_person[person.patient_id] = [path for path, _ in files]
    if "csv" in formats:
        for practice_folder in dict.fromkeys(by_practice.values()):
            theirs = [p for p in chosen if by_practice[p.patient_id] == practice_folder]
            csv_path = _free_name(
                practice_folder, f"{record.info.day:%Y-%m-%d}_{session_id:04d}_session"
            )
            planned.append((csv_path, session_csv(theirs, versions)))
            for person in theirs:
                per_person[person.patient_id].append(csv_path)
    for practice_folder in set(by_practice.values()):
        practice_folder.mkdir(parents=True, exist_ok=True)
    _write_all(planned)
    result = ExportResult(
        session_id=session_id, files=[path for path, _ in planned], held_back=list(held.values())
    )
    for person in chosen:
        clinic.record_export(
            session_id,
            person.patient_id,
            formats,
            [str(p) for p in per_person[person.patient_id]],
            destination=f"{person.registered_ods}: {by_practice[person.patient_id]}",
        )
        result.people += 1
        result.corrections += versions[person.patient_id] > 1
    return result


def export_unexported(
    clinic: Clinic, out_dir: Path | str, formats: Sequence[str] = EXPORT_FORMATS
) -> list[ExportResult]:
    """Export every finished session whose attendees are not all exported yet, oldest first."""
    results = []
    for session in clinic.sessions(status=SessionStatus.FINISHED):
        assert session.id is not None
        exported = {row.patient_id for row in clinic.export_log(session.id)}
        present = {e.patient.id for e in clinic.roster(session.id) if e.attendance.status.present}
        if present and not present <= exported:
            try:
                results.append(export_session(clinic, session.id, out_dir, formats))
            except HeldBack as held:
                results.append(ExportResult(session_id=session.id, held_back=held.reasons))
    return results


def practice_folders(
    clinic: Clinic, out_dir: Path, people: Sequence[PersonRecord]
) -> dict[int, Path]:
    """Per person, the folder their notes go to: their registered practice's (by ODS code)."""

    organisation = clinic.organisation()
    single = (
        organisation is not None
        and organisation.kind == OrganisationKind.PRACTICE
        and len(clinic.member_practices(active_only=False)) <= 1
    )
    if single:
        return {p.patient_id: out_dir for p in people}
    return {p.patient_id: out_dir / safe_surname(p.registered_ods or "unknown") for p in people}


def _folder(out_dir: Path | str) -> Path:
    folder = Path(out_dir).expanduser()
    if folder.exists() and not folder.is_dir():
        raise InvalidInput(f"Export folder: {folder} is a file, not a folder.", field="Folder")
    if not folder.exists():
        private_dir(folder)  # a folder made for the export is the user's alone
    return folder


def _free_name(folder: Path, stem: str) -> Path:
    # The session CSV of a later run (the rest of a session, or corrections) gets the next -vN.
    path = folder / f"{stem}.csv"
    number = 1
    while path.exists():
        number += 1
        path = folder / f"{stem}-v{number}.csv"
    return path


def _write_all(planned: list[tuple[Path, bytes]]) -> None:
    clashes = [path for path, _ in planned if path.exists()]
    if clashes:
        raise InvalidInput(
            f"Export folder: {clashes[0].name} is already there; nothing was written. "
            "Choose an empty folder or move the old files away.",
            field="Folder",
        )
    written: list[Path] = []
    try:
        for path, data in planned:
            # Made exclusively (a file that appeared since the check above is refused) and
            # readable by its owner alone: exports hold names, NHS numbers and dates of birth.
            new_private_file(path)
            written.append(path)
            with path.open("wb") as handle:
                handle.write(data)
    except OSError as exc:
        for path in written:
            path.unlink(missing_ok=True)
        raise InvalidInput(
            f"Export folder: could not write {path.name} ({exc.strerror or exc}); "
            "nothing was kept.",
            field="Folder",
        ) from exc
