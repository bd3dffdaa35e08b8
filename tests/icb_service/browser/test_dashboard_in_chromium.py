"""The ICB dashboard in a real browser: Debian's chromium, headless, against the service running
on loopback with six months of clinics from four practices sent over HTTP.

What an analyst relies on: the filters change the page, every chart says what its table says,
the CSV is what is on screen, hidden figures stay hidden, no console errors, and axe-core finds
no serious accessibility problem.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import create_engine, text

from tests.icb_service.browser.chromium import (
    axe_violations,
    browser,
    console_problems,
    missing,
)
from tests.icb_service.browser.clinic_data import PRACTICES
from tests.icb_service.browser.service import Running, running_service
from tests.icb_service.conftest import POSTGRES_URL

pytestmark = pytest.mark.skipif(missing() is not None, reason=missing() or "")

SCREEN_TABLES = """
const out = {};
for (const t of document.querySelectorAll('table[data-table]')) {
  out[t.dataset.table] = {
    caption: t.querySelector('caption').textContent.trim(),
    columns: [...t.querySelectorAll('thead th')].map(th => th.textContent.trim()),
    rows: [...t.querySelectorAll('tbody tr')].map(
      tr => [...tr.children].map(c => c.textContent.trim())),
  };
}
for (const ul of document.querySelectorAll('ul.headline[data-table]')) {
  out[ul.dataset.table] = {
    caption: ul.getAttribute('aria-label'), columns: ['Figure', 'Value'],
    rows: [...ul.querySelectorAll('li')].map(
      li => [li.dataset.row, li.querySelector('.figure').textContent.trim()]),
  };
}
return out;
"""
CHART_MARKS = """
return [...document.querySelectorAll('svg[data-chart] .mark')].map(g => ({
  chart: g.closest('svg').dataset.chart, kind: g.closest('svg').dataset.kind,
  row: g.dataset.row, column: g.dataset.column,
  shown: g.dataset.shown,
  texts: [...g.querySelectorAll('text')].map(t => t.textContent.trim()),
  drawn: g.querySelectorAll('rect, circle, path').length,
  top: g.querySelector('rect, circle, path') ? g.querySelector('rect, circle, path').getBBox().y
       : null,
  width: g.querySelector('rect') ? g.querySelector('rect').getBBox().width : null,
}));
"""

@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def service(request: pytest.FixtureRequest,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """The service on a SQLite file, and on PostgreSQL (its production engine) when the test
    command has started one: a schema of its own, dropped afterwards."""
    if request.param == "sqlite":
        with running_service(tmp_path_factory.mktemp("icb")) as found:
            yield found
        return
    if not POSTGRES_URL:
        pytest.skip("GROUPCLINIC_TEST_POSTGRES_URL is not set (eval \"$(bash .ci/postgres.sh)\")")
    schema = f"browser_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
        with running_service(tmp_path_factory.mktemp("icb"), url) as found:
            yield found
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

@pytest.fixture(scope="module")
def driver(service: Running) -> Iterator[Any]:
    with browser() as found:
        # The token as a browser sends it after the password prompt, on every request.
        found.execute_cdp_cmd("Network.enable", {})
        found.execute_cdp_cmd("Network.setExtraHTTPHeaders",
                              {"headers": {"Authorization": service.basic}})
        yield found

def open_page(driver: Any, service: Running, query: str = "") -> None:
    driver.get(f"{service.url}/dashboard{'?' + query if query else ''}")
    assert driver.find_element("css selector", "h1").text == "Group clinics monitoring"
    assert console_problems(driver) == []

def tables(driver: Any) -> dict[str, dict[str, Any]]:
    return driver.execute_script(SCREEN_TABLES)

def cell(table: dict[str, Any], row: str, column: str) -> str:
    index = table["columns"].index(column)
    found = [r for r in table["rows"] if r[0] == row]
    assert found, f"{row!r} not in {[r[0] for r in table['rows']]}"
    return found[0][index]

def showing(driver: Any) -> str:
    return driver.find_element("id", "showing").text

def follow(driver: Any, element: Any) -> None:
    """Click what leads to a new page, and wait until the new page has replaced the old."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    # A mark on the old window, not a reference to an old element: asking chromium about an
    # element of a page being replaced can fail with an inspector error instead of "stale".
    driver.execute_script("window.oldPage = true")
    element.click()

    def new_page_loaded(d: Any) -> bool:
        try:
            return bool(d.execute_script(
                "return window.oldPage === undefined && document.readyState === 'complete'"))
        except WebDriverException:  # the page is between documents
            return False

    WebDriverWait(driver, 60).until(new_page_loaded)


def submit(driver: Any) -> None:
    follow(driver, driver.find_element("css selector", "form.filters button[type=submit]"))


def choose(driver: Any, name: str, visible_text: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element("id", f"filter-{name}")).select_by_visible_text(visible_text)

def test_the_whole_icb_in_plain_words(driver: Any, service: Running) -> None:
    open_page(driver, service)
    assert "all programmes" in showing(driver)
    assert "Jul 2025 to Dec 2025" in showing(driver)
    text = driver.find_element("tag name", "body").text
    # No machine keys anywhere a reader looks: programme, measure and answer wording instead.
    assert not re.findall(r"\b[a-z0-9]+_[a-z0-9_]+\b", text)
    assert "suppressed" not in text.lower()
    found = tables(driver)
    practices = [row[0] for row in found["compare-attendance"]["rows"]]
    assert practices == [f"{p.name} ({p.code})" for p in sorted(PRACTICES, key=lambda p: p.code)]
    months = [row[0] for row in found["trend"]["rows"]]
    assert months == ["Jul 2025", "Aug 2025", "Sep 2025", "Oct 2025", "Nov 2025", "Dec 2025"]
    # Orchard Lane's three people: never a number, only the word the legend explains.
    small = found["compare-attendance"]
    for column in ("People invited", "People who came", "Attendance rate"):
        assert cell(small, "Orchard Lane Surgery (Y99904)", column) == "hidden"
    assert "hidden to protect privacy" in driver.find_element("css selector", ".legend").text
    # The figures an ICB asked for, in words and charts.
    assert "Experience: " not in text
    assert "How satisfying was this clinic to deliver?" in text
    assert "Overall, how was your experience of this group clinic?" in text
    assert "HbA1c (mmol/mol)" in text
    assert driver.find_elements("css selector", 'svg[data-chart="compare-attendance-chart"]')
    assert driver.find_elements("css selector", 'svg[data-chart="time-compare-chart"]')

def test_every_chart_says_what_its_table_says(driver: Any, service: Running) -> None:
    open_page(driver, service)
    found = tables(driver)
    marks = driver.execute_script(CHART_MARKS)
    charts = {mark["chart"] for mark in marks}
    assert len(charts) >= 10, charts
    for mark in marks:
        table = found[mark["chart"].removesuffix("-chart")]
        assert cell(table, mark["row"], mark["column"]) == mark["shown"], mark
        if mark["kind"] != "bar":
            continue  # funnel points and trend markers: a shape, its value in the table
        # A bar's label and the figure printed beside it are the table's.
        assert mark["texts"][-1] == mark["shown"], mark
        assert mark["drawn"] == (0 if mark["shown"] in ("hidden", "no data", "0") else 1), mark
    # Where a mark is drawn follows its figure: a higher figure sits higher (funnel dots,
    # monthly markers and columns) or reaches further (bars), within each chart's series.
    series: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for mark in marks:
        if mark["drawn"] and mark["shown"] not in ("hidden", "no data"):
            number = float(mark["shown"].replace(",", "").rstrip("%"))
            if mark["kind"] == "bar":
                place = mark["width"] if number >= 0 else -mark["width"]
            else:
                place = -mark["top"]
            series.setdefault((mark["chart"], mark["column"]), []).append((number, place))
    for key, placed in series.items():
        ordered = [place for _, place in sorted(placed)]
        assert all(a <= b + 0.6 for a, b in zip(ordered, ordered[1:], strict=False)), key
    # Each funnel plots exactly the rows whose figures can be shown.
    funnel = found["compare-attendance"]
    plotted = {m["row"] for m in marks if m["chart"] == "compare-attendance-chart"}
    showable = {r[0] for r in funnel["rows"]
                if cell(funnel, r[0], "Attendance rate") not in ("hidden", "no data")}
    assert plotted == showable and "Orchard Lane Surgery (Y99904)" not in plotted

def test_the_filters_change_the_page(driver: Any, service: Running) -> None:
    open_page(driver, service)
    before = tables(driver)
    choose(driver, "programme", "Type 2 diabetes group clinic")
    choose(driver, "from", "Oct 2025")
    choose(driver, "to", "Dec 2025")
    submit(driver)
    assert console_problems(driver) == []
    query = parse_qs(urlparse(driver.current_url).query)
    assert query == {"from": ["2025-10"], "to": ["2025-12"], "level": ["practice"],
                     "programme": ["type2_diabetes"]}
    assert showing(driver).startswith("Showing: Type 2 diabetes group clinic")
    assert "Oct 2025 to Dec 2025" in showing(driver)
    after = tables(driver)
    assert [row[0] for row in after["trend"]["rows"]] == ["Oct 2025", "Nov 2025", "Dec 2025"]
    invited_before = int(cell(before["overview-figures"], "people invited", "Value"))
    invited_after = int(cell(after["overview-figures"], "people invited", "Value"))
    assert 0 < invited_after < invited_before
    # The chosen values stay chosen, so the next change starts from here.
    from selenium.webdriver.support.ui import Select

    chosen = Select(driver.find_element("id", "filter-programme")).first_selected_option
    assert chosen.text == "Type 2 diabetes group clinic"
    # One level up: the PCN is the one row, under its name.
    choose(driver, "level", "Primary care networks")
    submit(driver)
    rows = [row[0] for row in tables(driver)["compare-attendance"]["rows"]]
    assert rows == ["Riverside Primary Care Network (U99990)"]
    assert "primary care networks side by side" in showing(driver)

def test_the_csv_is_what_is_on_screen(driver: Any, service: Running) -> None:
    open_page(driver, service, "programme=hypertension&from=2025-07&to=2025-09")
    link = driver.find_element("css selector", "a[href^='/dashboard.csv']")
    href = link.get_attribute("href")
    assert parse_qs(urlparse(href).query) == {"programme": ["hypertension"],
                                              "from": ["2025-07"], "to": ["2025-09"],
                                              "level": ["practice"]}
    answer = service.get(urlparse(href).path + "?" + urlparse(href).query)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    from_csv = {(r["table"], r["row"], r["column"], r["shown"]) for r in rows}
    on_screen = {
        (table["caption"], row[0], column, value)
        for table in tables(driver).values()
        for row in table["rows"]
        for column, value in zip(table["columns"][1:], row[1:], strict=True)
    }
    assert from_csv == on_screen
    assert {r["programme"] for r in rows} == {"hypertension"}
    assert all(r["value"] == "" for r in rows if r["hidden"] == "true")

def test_axe_finds_no_serious_problem(driver: Any, service: Running) -> None:
    for query in ("", "programme=type2_diabetes&level=pcn"):
        open_page(driver, service, query)
        assert axe_violations(driver) == []
        assert console_problems(driver) == []

def test_the_page_works_with_the_keyboard_alone(driver: Any, service: Running) -> None:
    from selenium.webdriver.common.keys import Keys

    open_page(driver, service)
    body = driver.find_element("tag name", "body")
    body.send_keys(Keys.TAB)
    skip = driver.switch_to.active_element
    assert skip.text == "Skip to the figures"
    # Each table of a chart opens from its summary with the keyboard.
    summary = driver.find_element("css selector", "details summary")
    summary.send_keys(Keys.ENTER)
    details = summary.find_element("xpath", "..")
    assert details.get_attribute("open") is not None


def test_a_choice_that_cannot_work_is_explained_with_a_way_back(
    driver: Any, service: Running,
) -> None:
    open_page(driver, service)
    choose(driver, "from", "Dec 2025")
    choose(driver, "to", "Jul 2025")
    submit(driver)
    assert driver.find_element("tag name", "h1").text == "These figures cannot be shown"
    assert "The first month is after the last month" in driver.find_element(
        "tag name", "main").text
    assert axe_violations(driver) == []
    # The 422 itself is logged by the browser as a failed load; nothing else may be.
    assert [m for m in console_problems(driver) if "422" not in m] == []
    follow(driver, driver.find_element("link text", "Start again with every figure you may see"))
    assert "Jul 2025 to Dec 2025" in showing(driver)
