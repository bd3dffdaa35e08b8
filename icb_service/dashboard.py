"""The ICB dashboard: one plain HTML page, inline SVG bar charts, each with a table alternative.

No scripts and no external assets, so it works on locked-down NHS browsers and prints well.
"""

from __future__ import annotations

from html import escape

from icb_service.aggregates import AggregateReport, Figure, ProgrammeReport
from icb_service.practice_aggregates import NOT_STATED, OrganisationReport, OrganisationRow

_STYLE = """
body { font-family: system-ui, Arial, sans-serif; margin: 2rem; color: #212b32; max-width: 60rem; }
h1 { font-size: 1.8rem; } h2 { font-size: 1.4rem; margin-top: 2.5rem; border-top: 2px solid #005eb8;
padding-top: 1rem; } h3 { font-size: 1.1rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #aeb7bd; padding: 0.3rem 0.6rem; text-align: left; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: bold; padding-bottom: 0.3rem; }
.note { color: #4c6272; }
svg text { font-size: 14px; fill: #212b32; }
"""
_BAR_COLOUR = "#005eb8"  # NHS blue: passes contrast against white
_LABEL_WIDTH = 190
_BAR_WIDTH = 360
_ROW_HEIGHT = 28


def render_dashboard(
    report: AggregateReport,
    names: dict[str, str] | None = None,
    organisations: OrganisationReport | None = None,
) -> str:
    names = names or {}
    threshold = report.suppression_threshold
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Group clinics monitoring</title>",
        f"<style>{_STYLE}</style></head><body><main>",
        "<h1>Group clinics monitoring</h1>",
        f'<p class="note">Generated {escape(report.generated_at.strftime("%d %b %Y %H:%M"))} UTC. '
        f"Counts below {threshold} are suppressed to protect privacy, and so is any figure "
        "worked out from them. Where figures add up, another is suppressed too, so that no "
        "suppressed count can be worked out by subtraction.</p>",
    ]
    if not report.groups:
        parts.append("<p>No monitoring data has been received yet.</p>")
    for group in report.groups:
        parts.append(_group_section(group, names.get(group.practice, "")))
    if organisations is not None and organisations.rows:
        parts.append(_organisation_section(organisations, names))
    parts.append("</main></body></html>")
    return "\n".join(parts)


def _group_section(group: ProgrammeReport, practice_name: str) -> str:
    title = f"{group.practice} {practice_name}".strip()
    anchor = f"{group.practice}-{group.programme}"
    attendance = [
        ("Invited", group.invited),
        ("Attended", group.attended),
        ("Did not attend", group.did_not_attend),
    ]
    at_target = [(m.measure, m.proportion_at_target) for m in group.measures]
    html = [
        f'<section aria-labelledby="{escape(anchor)}">',
        f'<h2 id="{escape(anchor)}">{escape(title)}: {escape(group.programme)}</h2>',
        f"<p>Sessions held: {group.sessions_held}. Sessions cancelled: "
        f"{group.sessions_cancelled}. Did-not-attend rate: {_show(group.dna_rate, True)}.</p>",
        "<h3>Attendance (people)</h3>",
        _bar_chart(f"{anchor}-attendance", "People invited, attended and not attending",
                   attendance, percent=False),
        _table("Attendance (people)", ("Group", "People"), attendance, percent=False),
    ]
    if at_target:
        html += [
            "<h3>Proportion at target (latest measurement per person)</h3>",
            _bar_chart(f"{anchor}-target", "Proportion at target by measure", at_target,
                       percent=True),
            _table("Proportion at target", ("Measure", "At target"), at_target, percent=True),
        ]
    html += _delivery_tables(group)
    goals = [("Goals set", group.goals_set), ("Goals achieved", group.goals_achieved)]
    html.append(_table("Goals", ("", "Number"), goals, percent=False))
    experience = [(answer.replace("_", " "), fig) for answer, fig in group.experience.items()]
    html.append(_table("Experience (responses)", ("Answer", "Responses"), experience,
                       percent=False))
    html.append("</section>")
    return "\n".join(html)


_MODE_WORDS = {"face_to_face": "Face to face", "video": "Video", "hybrid": "Hybrid",
               "unknown": "Not known"}
_CHANNEL_WORDS = {"in_room": "In the room", "video": "Video", "phone": "Phone",
                  "not_stated": "Not stated", "not_attended": "Did not attend any session"}


def _delivery_tables(group: ProgrammeReport) -> list[str]:
    """Protocol 2: sessions by mode, attendances by channel, and people (with the median change
    of each measure) by the channel and mode of their latest attendance."""
    if not group.sessions_held_by_mode:
        return []
    held = "".join(
        f'<tr><th scope="row">{escape(_MODE_WORDS.get(mode, mode))}</th>'
        f'<td class="number">{count}</td></tr>'
        for mode, count in group.sessions_held_by_mode.items()
    )
    channels = [(_CHANNEL_WORDS.get(c, c), fig) for c, fig in group.attendances_by_channel.items()]
    measures = sorted({m for row in group.delivery for m in row.median_change})
    head = "".join(
        f'<th scope="col">{escape(h)}</th>'
        for h in ("Group", "Invited", "Attended", "Did not attend",
                  *(f"Median change: {m.replace('_', ' ')}" for m in measures))
    )
    body = "".join(
        f'<tr><th scope="row">{escape(row.dimension.capitalize())}: '
        f"{escape((_MODE_WORDS | _CHANNEL_WORDS).get(row.group, row.group))}</th>"
        + "".join(
            f'<td class="number">{escape(_show(fig, False))}</td>'
            for fig in (row.invited, row.attended, row.did_not_attend,
                        *(row.median_change.get(m, Figure(value=None)) for m in measures))
        )
        + "</tr>"
        for row in group.delivery
    )
    return [
        "<h3>How sessions were held and how people joined</h3>",
        f"<table><caption>Sessions held by mode</caption><tr><th scope=\"col\">Mode</th>"
        f"<th scope=\"col\">Sessions</th></tr>{held}</table>",
        _table("Attendances by channel (a person at a session)", ("Channel", "Attendances"),
               channels, percent=False),
        "<table><caption>People by the mode and channel of their latest attendance</caption>"
        f"<tr>{head}</tr>{body}</table>",
    ]


def _show(figure: Figure, percent: bool) -> str:
    if figure.suppressed:
        return "suppressed"
    if figure.value is None:
        return "no data"
    return f"{figure.value * 100:.0f}%" if percent else f"{figure.value:g}"


def _table(
    caption: str, headings: tuple[str, str], rows: list[tuple[str, Figure]], percent: bool
) -> str:
    body = "".join(
        f'<tr><th scope="row">{escape(label)}</th>'
        f'<td class="number">{escape(_show(fig, percent))}</td></tr>'
        for label, fig in rows
    )
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headings)
    return f"<table><caption>{escape(caption)}</caption><tr>{head}</tr>{body}</table>"


def _bar_chart(ident: str, title: str, bars: list[tuple[str, Figure]], percent: bool) -> str:
    """Horizontal bars; a suppressed figure gets no bar and says so in words."""
    largest = 1.0 if percent else max((f.value or 0 for _, f in bars), default=0) or 1.0
    height = _ROW_HEIGHT * len(bars) + 10
    width = _LABEL_WIDTH + _BAR_WIDTH + 110
    ids = f"{escape(ident)}-title {escape(ident)}-desc"
    summary = "; ".join(f"{label}: {_show(fig, percent)}" for label, fig in bars)
    out = [
        f'<svg role="img" aria-labelledby="{ids}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(ident)}-title">{escape(title)}</title>',
        f'<desc id="{escape(ident)}-desc">{escape(summary)}</desc>',
    ]
    for row, (label, fig) in enumerate(bars):
        y = 5 + row * _ROW_HEIGHT
        out.append(f'<text x="0" y="{y + 18}">{escape(label.replace("_", " "))}</text>')
        length = 0.0 if fig.value is None else _BAR_WIDTH * min(fig.value / largest, 1.0)
        if length:
            out.append(
                f'<rect x="{_LABEL_WIDTH}" y="{y + 4}" width="{length:.1f}" height="18" '
                f'fill="{_BAR_COLOUR}"/>'
            )
        out.append(
            f'<text x="{_LABEL_WIDTH + length + 6:.1f}" y="{y + 18}">'
            f"{escape(_show(fig, percent))}</text>"
        )
    out.append("</svg>")
    return "\n".join(out)


_LEVELS = (
    ("registered_practice", "Registered practice",
     "By the practice where each person is registered"),
    ("hub", "Hub", "By the hub or practice that ran the clinics"),
    ("pcn", "PCN", "By primary care network"),
)
_ORGANISATION_COLUMNS = (
    ("Sessions", "sessions"), ("People", "people"), ("Invited", "invited"),
    ("Attended", "attended"), ("Did not attend", "did_not_attend"),
)


def _organisation_section(report: OrganisationReport, names: dict[str, str]) -> str:
    """Per registered practice, hub and PCN: one table a level, plain words, no chart."""
    t = report.suppression_threshold
    html = [
        '<section aria-labelledby="organisations">',
        '<h2 id="organisations">By registered practice, hub and primary care network</h2>',
        '<p class="note">Across all programmes. People are counted once for each organisation; '
        "invitations, attendances "
        "and did-not-attend are counted once for each person at each session. "
        f"&ldquo;Fewer than {t} or withheld&rdquo; means the count is below {t}, or is withheld "
        "so that a count below "
        f"{t} cannot be worked out by subtracting it from a total.</p>",
    ]
    for level, heading, caption in _LEVELS:
        rows = [row for row in report.rows if row.level == level]
        if not rows:
            continue
        head = "".join(
            f'<th scope="col">{escape(h)}</th>'
            for h in (heading, *(label for label, _ in _ORGANISATION_COLUMNS),
                      "Did-not-attend rate")
        )
        body = "".join(_organisation_row(row, names, t) for row in rows)
        html.append(f"<table><caption>{escape(caption)}</caption><tr>{head}</tr>{body}</table>")
    html.append("</section>")
    return "\n".join(html)


def _organisation_row(row: OrganisationRow, names: dict[str, str], t: int) -> str:
    if row.code == NOT_STATED:
        label = "Not stated by the sending system"
    else:
        label = f"{row.code} {names.get(row.code, '')}".strip()
    cells = [f'<td class="number">{row.sessions}</td>']
    for _, field in _ORGANISATION_COLUMNS[1:]:
        cells.append(f'<td class="number">{escape(_in_words(getattr(row, field), t))}</td>')
    cells.append(f'<td class="number">{escape(_in_words(row.dna_rate, t, percent=True))}</td>')
    return f'<tr><th scope="row">{escape(label)}</th>{"".join(cells)}</tr>'


def _in_words(figure: Figure, t: int, percent: bool = False) -> str:
    """A hidden figure is never shown as a number, only as the words a reader can act on."""
    if figure.suppressed:
        return "not shown (small numbers)" if percent else f"fewer than {t} or withheld"
    return _show(figure, percent)
