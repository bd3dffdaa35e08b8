"""The dashboard's page: layout, the filter form, the privacy legend, sections of charts and tables.

Knows nothing of how figures are worked out: dashboard.py turns the report into sections of
tables and charts, and this module lays them out. Plain HTML and CSS, no scripts, so it works
on locked-down NHS browsers, with a keyboard, with a screen reader, and on paper.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from urllib.parse import urlencode

from icb_service.dashboard_tables import HIDDEN, Table, table_html

_STYLE = """
:root { --ink: #212b32; --muted: #4c6272; --blue: #005eb8; --line: #d8dde0; --pale: #f0f4f5; }
* { box-sizing: border-box; }
body { font-family: system-ui, Arial, sans-serif; margin: 0; color: var(--ink);
  line-height: 1.45; background: #fff; }
a { color: var(--blue); } a:focus, button:focus, select:focus, summary:focus, input:focus {
  outline: 3px solid #ffeb3b; outline-offset: 0; box-shadow: 0 0 0 5px var(--ink); }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: #fff;
  padding: 0.5rem; z-index: 2; }
header.masthead { background: var(--blue); color: #fff; padding: 1rem 2rem; }
header.masthead h1 { margin: 0; font-size: 1.9rem; }
header.masthead p { margin: 0.2rem 0 0; }
.page { max-width: 78rem; margin: 0 auto; padding: 0 2rem 3rem; }
form.filters { background: var(--pale); border-bottom: 1px solid var(--line); padding: 1rem 2rem; }
form.filters fieldset { border: 0; margin: 0 auto; padding: 0; max-width: 78rem; display: flex;
  flex-wrap: wrap; gap: 0.8rem 1.4rem; align-items: flex-end; }
form.filters legend { font-weight: 600; font-size: 1.1rem; margin-bottom: 0.4rem; float: left;
  width: 100%; }
form.filters label { display: block; font-weight: 600; font-size: 0.95rem; }
form.filters select { font-size: 1rem; padding: 0.3rem; min-width: 9rem; max-width: 22rem;
  border: 2px solid var(--ink); background: #fff; color: var(--ink); }
button, .button { font-size: 1rem; padding: 0.45rem 1rem; border: 0; background: #007f3b;
  color: #fff; font-weight: 600; cursor: pointer; text-decoration: none; display: inline-block;
  box-shadow: 0 3px 0 #00401e; }
.button.secondary { background: #fff; color: var(--blue); box-shadow: none;
  border: 2px solid var(--blue); }
.showing { font-size: 1.1rem; margin: 1.2rem 0 0.4rem; }
.legend { border-left: 6px solid var(--blue); background: var(--pale); padding: 0.6rem 1rem;
  margin: 0.8rem 0 1rem; }
.legend p { margin: 0.2rem 0; }
nav.contents ul { display: flex; flex-wrap: wrap; gap: 0.3rem 1.2rem; list-style: none;
  padding: 0; margin: 0.4rem 0 0; }
section.area { border-top: 3px solid var(--blue); margin-top: 2.2rem; padding-top: 0.4rem; }
h2 { font-size: 1.55rem; margin: 0.6rem 0 0.4rem; }
h3 { font-size: 1.2rem; margin: 1.4rem 0 0.3rem; }
.blocks { display: grid; grid-template-columns: repeat(auto-fit, minmax(34rem, 1fr));
  gap: 0.5rem 2.5rem; }
.block { min-width: 0; }
.block p.words { margin: 0.2rem 0 0.6rem; max-width: 42rem; }
.headline { display: grid; grid-template-columns: repeat(auto-fit, minmax(13rem, 1fr));
  gap: 0.8rem; list-style: none; padding: 0; margin: 1rem 0; }
.headline li { border: 1px solid var(--line); border-top: 4px solid var(--blue);
  padding: 0.6rem 0.8rem; }
.headline .figure { display: block; font-size: 1.8rem; font-weight: 700; }
.headline .what { display: block; color: var(--muted); }
.headline .figure.hidden-figure { color: var(--muted); font-style: italic; }
svg.chart { max-width: 100%; height: auto; display: block; margin: 0.3rem 0; }
details { margin: 0.3rem 0 1rem; }
summary { color: var(--blue); cursor: pointer; font-weight: 600; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.95rem; }
caption { text-align: left; font-weight: 600; padding-bottom: 0.3rem; }
th, td { border-bottom: 1px solid var(--line); padding: 0.3rem 0.7rem; text-align: left;
  vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
table.by-month th[scope="row"] { white-space: nowrap; }
td.hidden-figure { color: var(--muted); font-style: italic; }
.note { color: var(--muted); max-width: 50rem; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; }
footer { border-top: 1px solid var(--line); margin-top: 3rem; padding-top: 1rem; }
@media print { form.filters, nav.contents, .skip { display: none; }
  details > *:not(summary) { display: block; } }
"""


@dataclass
class Choice:
    value: str
    label: str
    group: str = ""  # an <optgroup> label, for long lists


@dataclass
class Filter:
    name: str  # the query parameter
    label: str
    choices: list[Choice]
    chosen: str


@dataclass
class Block:
    """One figure: a few words, a chart (optional) and its table.

    With a chart, the table sits in a closed <details> (the same figures, for screen readers and
    for copying); without one the table is the figure itself and is shown.
    """

    table: Table
    words: str = ""
    chart: str = ""
    heading: str = ""
    folded: bool = False  # a long table without a chart: in a <details> too


@dataclass
class Section:
    ident: str
    heading: str
    words: list[str] = field(default_factory=list)
    # Key figures shown large, one card a row of the table (its single column is the figure).
    headlines: Table | None = None
    blocks: list[Block] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Page:
    title: str
    subtitle: str
    filters: list[Filter]
    showing: str  # the selection in words
    threshold: int
    sections: list[Section]
    sources: list[str] = field(default_factory=list)

    @property
    def tables(self) -> list[Table]:
        found = []
        for section in self.sections:
            if section.headlines is not None:
                found.append(section.headlines)
            found += [block.table for block in section.blocks]
        return found

    def query(self) -> str:
        return urlencode([(f.name, f.chosen) for f in self.filters if f.chosen])


def render(page: Page) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',  # no favicon request, so no 404 in the console
        f"<title>{escape(page.title)}: {escape(page.showing)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        '<a class="skip" href="#main">Skip to the figures</a>',
        f'<header class="masthead"><h1>{escape(page.title)}</h1>'
        f"<p>{escape(page.subtitle)}</p></header>",
        _filter_form(page),
        '<main id="main" class="page">',
        f'<p class="showing" id="showing"><strong>Showing:</strong> {escape(page.showing)}</p>',
        _legend(page.threshold),
        _contents(page),
        *(_section(section) for section in page.sections),
        "</main>",
        _footer(page),
        "</body></html>",
    ]
    return "\n".join(parts)


def _filter_form(page: Page) -> str:
    fields = []
    for item in page.filters:
        options = []
        group = ""
        for choice in item.choices:
            if choice.group != group:
                options.append(("</optgroup>" if group else "")
                               + f'<optgroup label="{escape(choice.group)}">')
                group = choice.group
            options.append(f'<option value="{escape(choice.value)}"'
                           f'{" selected" if choice.value == item.chosen else ""}>'
                           f"{escape(choice.label)}</option>")
        if group:
            options.append("</optgroup>")
        fields.append(f'<div><label for="filter-{item.name}">{escape(item.label)}</label>'
                      f'<select id="filter-{item.name}" name="{item.name}">'
                      f'{"".join(options)}</select></div>')
    query = page.query()
    csv_href = "/dashboard.csv" + (f"?{query}" if query else "")
    return (
        '<form class="filters" method="get" action="/dashboard" aria-label="Choose the figures">'
        "<fieldset><legend>Choose the figures</legend>"
        + "".join(fields)
        + '<div><button type="submit">Show figures</button></div>'
        f'<div><a class="button secondary" href="{escape(csv_href)}" download>'
        "Download these figures (CSV)</a></div></fieldset></form>"
    )


def _legend(threshold: int) -> str:
    return (
        '<aside class="legend" aria-label="About hidden figures">'
        f'<p><strong>&ldquo;{HIDDEN}&rdquo;</strong> means a figure is hidden to protect privacy: '
        f"it is a count below {threshold}, or showing it would let a hidden count be "
        "worked out by adding or subtracting other figures on this page. Rates and medians are "
        "hidden when any count behind them is. <strong>&ldquo;no data&rdquo;</strong> means "
        "nothing was recorded.</p></aside>"
    )


def _contents(page: Page) -> str:
    links = "".join(
        f'<li><a href="#{escape(s.ident)}">{escape(s.heading)}</a></li>' for s in page.sections
    )
    return f'<nav class="contents" aria-label="On this page"><ul>{links}</ul></nav>'


def _section(section: Section) -> str:
    html = [
        f'<section class="area" id="{escape(section.ident)}" '
        f'aria-labelledby="{escape(section.ident)}-heading">',
        f'<h2 id="{escape(section.ident)}-heading">{escape(section.heading)}</h2>',
    ]
    html += [f'<p class="words">{escape(words)}</p>' for words in section.words]
    if section.headlines is not None:
        # A list of cards for the eye; the same words in order for a screen reader.
        table = section.headlines
        html.append(
            f'<ul class="headline" data-table="{escape(table.ident)}" '
            f'aria-label="{escape(table.caption)}">'
            + "".join(
                f'<li data-row="{escape(row.label)}"><span class="figure'
                f'{" hidden-figure" if row.cells[0].hidden else ""}">'
                f"{escape(row.cells[0].text)}</span> "
                f'<span class="what">{escape(row.label)}</span></li>'
                for row in table.rows
            )
            + "</ul>"
        )
    if section.blocks:
        html.append('<div class="blocks">')
        html += [_block(block) for block in section.blocks]
        html.append("</div>")
    html += [f'<p class="note">{escape(note)}</p>' for note in section.notes]
    html.append("</section>")
    return "\n".join(html)


def _block(block: Block) -> str:
    heading = block.heading or block.table.caption
    html = [f'<div class="block" data-block="{escape(block.table.ident)}">',
            f"<h3>{escape(heading)}</h3>"]
    if block.words:
        html.append(f'<p class="words">{escape(block.words)}</p>')
    if block.chart or block.folded:
        html.append(block.chart)
        html.append(f"<details><summary>Table of these figures"
                    f'<span class="visually-hidden">: {escape(heading)}</span></summary>'
                    f"{table_html(block.table)}</details>")
    else:
        html.append(table_html(block.table, caption_visible=False))
    html.append("</div>")
    return "\n".join(html)


def _footer(page: Page) -> str:
    items = "".join(f"<li>{escape(source)}</li>" for source in page.sources)
    return (f'<footer class="page"><h2>About these figures</h2><ul>{items}</ul></footer>')
