"""The dashboard's parts without a browser: the funnel's limits against the published formula,
plain words for every key the dataset can send, and charts that never draw a hidden figure."""

from __future__ import annotations

import math
import re
import tomllib

import pytest

from icb_service import funnel
from icb_service.dashboard_charts import bar_chart, funnel_plot, trend_chart
from icb_service.dashboard_tables import Cell, Row, Table, tables_csv
from icb_service.labels import labels
from icb_service.resources import resource


def test_the_funnel_limits_are_spiegelhalters_normal_approximation() -> None:
    # p0 = 0.7, n = 50: 0.7 +/- z * sqrt(0.21 / 50) = 0.7 +/- z * 0.0648...
    spread = math.sqrt(0.7 * 0.3 / 50)
    z = {limit.name: limit.z for limit in funnel.limits()}
    assert z == {"95%": pytest.approx(1.96, abs=0.001), "99.8%": pytest.approx(3.09, abs=0.001)}
    low, high = funnel.band(0.7, 50, z["95%"])
    assert (low, high) == (pytest.approx(0.7 - 1.959964 * spread),
                           pytest.approx(0.7 + 1.959964 * spread))
    assert funnel.band(0.98, 10, z["99.8%"])[1] == 1.0  # clipped to 100%
    assert funnel.position(0.7, 0.7, 50) == "within the 95% limits"
    assert funnel.position(0.85, 0.7, 50) == "above the 95% limits"  # +2.3 SD
    assert funnel.position(0.45, 0.7, 50) == "below the 99.8% limits"  # -3.9 SD


def _dataset() -> dict:
    with resource("monitoring", "dataset.toml").open("rb") as handle:
        return tomllib.load(handle)


def _allowed(event: str, field: str) -> list[str]:
    fields = _dataset()["events"][event]["fields"]
    return next(f["allowed"] for f in fields if f["name"] == field)


def test_every_key_the_dataset_can_send_has_words() -> None:
    words = labels()
    data = _dataset()
    for key in data["programmes"]["keys"]:
        assert key in words.programmes and "_" not in words.programme(key)
    for key in data["measure_units"]:
        assert key in words.measures
        assert words.measure(key).endswith(")") and "_" not in words.measure(key)
    assert words.measure("hba1c") == "HbA1c (mmol/mol)"
    for key in _allowed("experience", "response"):
        assert key in words.experience
    assert words.answer("dont_know") == "Don't know"
    for key in _allowed("questionnaire", "instrument"):
        assert key in words.instruments
    for key in _allowed("staff_experience", "profession"):
        assert key in words.professions
    for key in ("doctor", "nurse", "pharmacist", "allied_health", "personalised_care",
                "support", "not_recorded"):  # the groups staff answers are published by
        assert key in words.values["profession_group"]
    assert {q.key for q in words.staff_questions} == set(
        _allowed("staff_experience", "answers"))
    for dimension, field in (("age_band", "age_band"), ("sex", "sex"),
                             ("ethnic_group", "ethnic_group"),
                             ("imd_quintile", "imd_quintile"), ("channel", "channel")):
        for key in _allowed("attendance", field):
            assert key in words.values[dimension], (dimension, key)
    for key in _allowed("session", "mode"):
        assert key in words.values["mode"]
    for key in _allowed("signposting", "resource_kind"):
        assert key in words.values["signposting"]
    for key in _allowed("follow_up", "item"):
        assert key in words.values["follow_up_item"]
    for key in _allowed("follow_up", "step"):
        assert key in words.values["follow_up_step"]
    # A key nobody has worded yet still reads as words, never breaks the page.
    assert words.programme("new_programme") == "New programme"


def _table() -> Table:
    return Table("demo", "People by practice", "Practice", ["People", "Share"], [
        Row("Brookside Surgery (Y99901)", [Cell(40), Cell(0.8, kind="percent")], "Y99901"),
        Row("Orchard Lane Surgery (Y99904)", [Cell(None, hidden=True),
                                              Cell(None, hidden=True, kind="percent")], "Y99904"),
        Row("Hillside Practice (Y99902)", [Cell(60), Cell(0.5, kind="percent")], "Y99902"),
    ], section="Demo")


def test_a_hidden_figure_draws_nothing_and_says_hidden() -> None:
    svg = bar_chart(_table(), "People", "People")
    orchard = re.search(r'<g class="mark" data-row="Orchard Lane[^>]*>(.*?)</g>', svg, re.S)
    assert orchard and "<rect" not in orchard.group(1) and ">hidden<" in orchard.group(1)
    assert svg.count("<rect") == 2
    funnel_svg = funnel_plot(_table(), "People", "Share", Cell(0.62, kind="percent"), "F", "S")
    assert 'data-row="Orchard Lane' not in funnel_svg and funnel_svg.count("<circle") == 2
    months = Table("m", "By month", "Month", ["People"], [
        Row("Jan 2025", [Cell(12)], "2025-01"),
        Row("Feb 2025", [Cell(None, hidden=True)], "2025-02"),
        Row("Mar 2025", [Cell(9)], "2025-03"),
    ])
    lines = trend_chart(months, ["People"], "People by month")
    assert "<polyline" not in lines  # two points either side of a hidden month: no line across
    columns = trend_chart(months, ["People"], "People by month", bars=True)
    assert columns.count('fill="white"') == 2  # the hidden month's square, and its legend


def test_the_csv_writes_each_figure_as_shown_and_never_a_hidden_value() -> None:
    text = tables_csv([_table()], ["2025-01", "2025-03", "practice", "", ""])
    lines = text.splitlines()
    assert lines[0].startswith("from,to,level,programme,area,section,table,row")
    assert ("2025-01,2025-03,practice,,,Demo,People by practice,Orchard Lane Surgery (Y99904),"
            "Y99904,People,hidden,,true") in lines
    assert ("2025-01,2025-03,practice,,,Demo,People by practice,Brookside Surgery (Y99901),"
            "Y99901,Share,80.0%,0.8,false") in lines
