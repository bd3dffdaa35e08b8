"""Words for a person's community connections and carer's part, shared by every export.

Pure functions of a PersonRecord. A carer's own goal and wellbeing appear only in the carer's
own record (PersonRecord.carer_visits holds visits the person made AS a carer), never in the
record of the person they care for.
"""

from groupclinic_desktop.core.community import coding, kind_label
from groupclinic_desktop.core.questionnaires import get as questionnaire
from groupclinic_desktop.core.schema import CarerVisit, CommunityResource, Signposting
from groupclinic_desktop.core.views.session_record import PersonRecord


def signpost_text(signpost: Signposting, entry: CommunityResource) -> str:
    """e.g. "Referred to: Carers Hub (Carers UK), carers support. Note: ..." (staff-facing)."""
    verb = "Referred to" if signpost.kind == "referred" else "Signposted to"
    where = entry.name + (f" ({entry.organisation})" if entry.organisation else "")
    text = f"{verb}: {where}, {kind_label(entry.kind).lower()}."
    return text + (f" Note: {signpost.note}" if signpost.note else "")


def signpost_lines(person: PersonRecord) -> list[str]:
    return [signpost_text(sp, entry) for sp, entry in person.signposts]


def handout_lines(person_signposts: list[tuple[Signposting, CommunityResource]]) -> list[str]:
    """Plain words for the person's own hand-out: what, when and where, and who to contact."""
    lines = []
    for _, entry in person_signposts:
        parts = [entry.name]
        if entry.offers:
            parts.append(entry.offers)
        if entry.when_where:
            parts.append(entry.when_where)
        if entry.contact:
            parts.append(f"Contact: {entry.contact}")
        lines.append(". ".join(p.rstrip(".") for p in parts) + ".")
    return lines


def coded_term(signpost: Signposting, entry: CommunityResource) -> tuple[str, str]:
    """(code, term) for the coded summary: the code only when confirmed in community.toml."""
    code = coding(signpost.kind)
    return code.export_code, f"{code.term}: {entry.name}"


def swemwbs_metric(raw: int) -> float | None:
    return questionnaire("swemwbs").conversion.get(raw)


def carer_lines(visit: CarerVisit) -> list[str]:
    """The carer's own part of a session, for the carer's own record only."""
    lines = ["Attended as a carer; agreed to the group's confidentiality."]
    if visit.goal:
        confidence = f" (confidence {visit.goal_confidence}/10)" if visit.goal_confidence else ""
        lines.append(f"Carer's own goal: {visit.goal}{confidence}")
    if visit.swemwbs_score is not None:
        metric = swemwbs_metric(visit.swemwbs_score)
        shown = f"{metric:.2f} (raw {visit.swemwbs_score})" if metric else str(visit.swemwbs_score)
        lines.append(f"Carer's wellbeing (SWEMWBS): {shown}")
    return lines
