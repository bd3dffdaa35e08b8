"""Plain invitation letters, one page each, for invitees with no mobile number on record.

The wording is data (resources/invitation_letter.toml). The store holds no postal address, so
the letter leaves the window-envelope space for the address label the practice prints from its
GP system. Pure function of the store; no Qt.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from groupclinic_desktop import __version__
from groupclinic_desktop.core import invitations, programmes
from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.core.schema import Patient
from groupclinic_desktop.export.pdf_parts import pack_document
from groupclinic_desktop.export.print_kit import escape, fonts, styles
from groupclinic_desktop.resources import resource

if TYPE_CHECKING:
    from groupclinic_desktop.core.clinic import Clinic


def letter_wording() -> dict[str, Any]:
    with resource("invitation_letter.toml").open("rb") as handle:
        return tomllib.load(handle)


def invitation_letters(
    clinic: Clinic,
    session_id: int,
    out: Path | str,
    *,
    people: list[Patient] | None = None,
    telephone: str = "",
    today: date | None = None,
) -> tuple[Path, int]:
    """Write one letter per person (default: invitees without a mobile) into one PDF.

    Returns the file and how many letters it holds; refuses when there is nobody to write to.
    """
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, Spacer

    people = invitations.without_mobile(clinic, session_id) if people is None else people
    if not people:
        raise InvalidInput("Letters: everyone invited has a mobile number; no letters needed.")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    session = clinic.session(session_id)
    practice = clinic.practice()
    practice_name = practice.name if practice else "the practice"
    programme = clinic.programme(session.programme_id)
    snapshot = session.programme_snapshot or {}
    minutes = sum(int(v) for v in (snapshot.get("phase_minutes") or {}).values()) or sum(
        programmes.DEFAULT_PHASE_MINUTES.values()
    )
    wording = letter_wording()
    today = today or date.today()

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(fonts()[0], 10)
        canvas.drawString(16 * mm, 10 * mm, practice_name)
        canvas.drawRightString(
            canvas._pagesize[0] - 16 * mm, 10 * mm, f"GroupClinic {__version__}"
        )
        canvas.restoreState()

    doc = pack_document(str(out), "Group clinic invitation", footer)
    # How to join takes a few lines: the paragraphs sit a little closer so it stays one page.
    gap = 5 if _joining(letter_wording(), session) else 9
    body = styles()["body"].clone("letter", fontSize=14, leading=20, spaceAfter=gap)
    story: list[Any] = []
    for index, person in enumerate(people):
        fill = {
            "first_name": person.board_name,
            "full_name": person.full_name,
            "practice": practice_name,
            "programme": programme.name,
            "day": session.day.strftime("%A %d %B %Y"),
            "time": session.start_time.strftime("%H:%M").lstrip("0"),
            "place": session.place,
            "minutes": str(minutes),
            "telephone": f" on {telephone}" if telephone else "",
        }
        story += [
            Paragraph(f"<b>{escape(practice_name)}</b>", styles()["body"]),
            Spacer(0, 6 * mm),
            Paragraph(escape(person.full_name), styles()["body"]),
            Spacer(0, 30 * mm),  # the address label from the GP system goes here
            Paragraph(today.strftime("%d %B %Y"), styles()["body"]),
            Paragraph(f"NHS number: {_spaced(person.nhs_number)}", styles()["small"]),
            Spacer(0, 4 * mm),
            Paragraph(f"<b>{escape(wording['subject'])}</b>", styles()["heading"]),
        ]
        lines = _joining(wording, session)
        joining = [Paragraph("<br/>".join(escape(line) for line in lines), body)] if lines else []
        for paragraph in wording["paragraphs"]:
            story.append(Paragraph(escape(paragraph.format(**fill)), body))
            if "{place}" in paragraph:  # how to join goes with where
                story += joining
                joining = []
        story += joining
        story += [Paragraph(escape(p.format(**fill)), body) for p in wording["sign_off"]]
        if index < len(people) - 1:
            story.append(PageBreak())
    doc.build(story)
    return out, len(people)


def _joining(wording: dict[str, Any], session: Any) -> list[str]:
    """How to join by video or phone, for a video or hybrid session with a joining link or
    instructions: the lines of one paragraph (a link on a line of its own, so no full stop is
    ever taken for part of it)."""
    from groupclinic_desktop.core.schema import Mode

    link, words = session.joining_link, session.joining_instructions
    if session.mode == Mode.FACE_TO_FACE or not (link or words):
        return []
    opening, closing = wording["joining_video" if session.mode == Mode.VIDEO else "joining_hybrid"]
    lines = [opening, wording["how_to_join"].format(joining_link=link) if link else "", words or "",
             closing]
    return [line for line in lines if line]


def _spaced(nhs_number: str) -> str:
    return f"{nhs_number[:3]} {nhs_number[3:6]} {nhs_number[6:]}"
