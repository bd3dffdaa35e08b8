"""The organisation register as an ICB's operator fills it, and analyst tokens of one ICB."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlmodel import Session

from icb_service import accounts
from icb_service.app import Settings, create_app
from icb_service.cli import main
from icb_service.db import open_database
from icb_service.models import Icb, Pcn, Practice

HEADER = "practice_code,practice_name,pcn_code,pcn_name,icb_code,icb_name\n"
GOOD = (
    HEADER
    + "Y11111,Riverside Surgery,U11111,Riverside PCN,QAA,North ICB\n"
    + "y22222, Hillside Practice ,U11111,Riverside PCN,QAA,North ICB\n"
    + "Y33333,Moorland Health Centre,,,QAA,North ICB\n"
    + "Y44444,Harbour Medical,U22222,Harbour PCN,QBB,South ICB\n"
)


def _register(engine: Engine) -> dict[str, tuple[str, str | None, str | None]]:
    with Session(engine) as session:
        return {
            p.code: (p.name, p.pcn_code, p.icb_code)
            for p in session.exec(select(Practice)).scalars()  # type: ignore[call-overload]
        }


def _load(database_url: str, tmp_path: Path, text: str, capsys) -> tuple[int, str, str]:
    path = tmp_path / "organisations.csv"
    path.write_text(text, encoding="utf-8")
    code = main(["--db", database_url, "load-organisations", str(path)])
    out, err = capsys.readouterr()
    return code, out, err


def test_add_practice_with_its_pcn_and_icb(database_url: str, capsys) -> None:
    assert main(["--db", database_url, "add-practice", "y99999", "--name", "Riverside Surgery",
                 "--pcn", "u11111", "--pcn-name", "Riverside PCN", "--icb", "qaa",
                 "--icb-name", "North ICB"]) == 0
    token = capsys.readouterr().out.strip()
    engine = open_database(database_url)
    caller = accounts.caller_for(engine, token)
    assert caller is not None and caller.practice == "Y99999"
    assert _register(engine)["Y99999"] == ("Riverside Surgery", "U11111", "QAA")
    with Session(engine) as session:
        assert session.get(Pcn, "U11111").name == "Riverside PCN"  # type: ignore[union-attr]
        assert session.get(Icb, "QAA").name == "North ICB"  # type: ignore[union-attr]
    # A second practice of the same PCN takes the PCN's ICB without repeating it.
    accounts.add_practice(engine, "Y88888", "Hillside", pcn="U11111")
    assert _register(engine)["Y88888"] == ("Hillside", "U11111", "QAA")
    engine.dispose()


def test_load_organisations_from_csv(database_url: str, tmp_path: Path, capsys) -> None:
    code, out, err = _load(database_url, tmp_path, GOOD, capsys)
    assert code == 0, err
    assert "4 practice(s) in 2 PCN(s) and 2 ICB(s)" in out
    engine = open_database(database_url)
    assert _register(engine) == {
        "Y11111": ("Riverside Surgery", "U11111", "QAA"),
        "Y22222": ("Hillside Practice", "U11111", "QAA"),
        "Y33333": ("Moorland Health Centre", None, "QAA"),
        "Y44444": ("Harbour Medical", "U22222", "QBB"),
    }
    assert accounts.icb_practices(engine, "QAA") == {"Y11111", "Y22222", "Y33333"}
    # Loading again with a practice moved changes only that (nothing is removed).
    moved = GOOD.replace("Y44444,Harbour Medical,U22222,Harbour PCN,QBB,South ICB",
                         "Y44444,Harbour Medical,U11111,Riverside PCN,QAA,North ICB")
    assert _load(database_url, tmp_path, moved, capsys)[0] == 0
    assert _register(engine)["Y44444"] == ("Harbour Medical", "U11111", "QAA")
    engine.dispose()


@pytest.mark.parametrize(("bad_line", "expected"), [
    ("Y55555,,U11111,Riverside PCN,QAA,North ICB", "row 6, practice_name: must not be empty"),
    ("Y5 5555,Somewhere,U11111,Riverside PCN,QAA,North ICB",
     "row 6, practice_code: 'Y5 5555' is not 3 to 10 letters and digits"),
    ("Y55555,Somewhere,U11111,,QAA,North ICB",
     "row 6, pcn_name: give both pcn_code and pcn_name, or neither"),
    ("Y55555,Somewhere,U11111,Riverside PCN,QBB,South ICB",
     "row 6, icb_code: PCN U11111 is in ICB QAA on row 2, not QBB"),
    ("Y11111,Somewhere,U11111,Riverside PCN,QAA,North ICB",
     "row 6, practice_code: Y11111 is already on row 2"),
    ("Y55555,Somewhere,U11111,Riverside PCN,QAA,North ICB,extra",
     "row 6: more cells than the header's 6"),
])
def test_a_bad_row_refuses_the_whole_file(
    database_url: str, tmp_path: Path, capsys, bad_line: str, expected: str
) -> None:
    engine = open_database(database_url)
    accounts.add_practice(engine, "Y11111", "Before", pcn="U99999", pcn_name="Old PCN",
                          icb="QZZ", icb_name="Old ICB")
    before = _register(engine)
    code, out, err = _load(database_url, tmp_path, GOOD + bad_line + "\n", capsys)
    assert code == 1
    assert err.strip() == f"groupclinic-icb: {expected}"
    assert _register(engine) == before  # nothing loaded, not even the good rows
    with Session(engine) as session:
        assert session.get(Icb, "QAA") is None
    engine.dispose()


def test_a_bad_header_names_the_columns(database_url: str, tmp_path: Path, capsys) -> None:
    code, _, err = _load(database_url, tmp_path,
                         "practice,practice_name,pcn_code,pcn_name,icb_code,icb_name\n", capsys)
    assert code == 1
    assert "row 1 (header): missing column(s) practice_code; unknown column(s) practice" in err


def _client(engine: Engine) -> TestClient:
    return TestClient(create_app(Settings(), engine), raise_server_exceptions=False)


def test_an_analyst_token_of_one_icb_reads_only_that_icb(engine: Engine, capsys) -> None:
    accounts.add_practice(engine, "Y11111", "Riverside", pcn="U11111", pcn_name="Riverside PCN",
                          icb="QAA", icb_name="North ICB")
    accounts.add_practice(engine, "Y44444", "Harbour", icb="QBB", icb_name="South ICB")
    practice_token = accounts.add_practice(engine, "Y11111")
    north = accounts.add_analyst(engine, "North analyst", icb="qaa")
    national = accounts.add_analyst(engine, "National analyst")
    client = _client(engine)

    def status(token: str, **params: str) -> int:
        return client.get("/v1/aggregates", params=params,
                          headers={"Authorization": f"Bearer {token}"}).status_code

    assert accounts.caller_for(engine, north).icb == "QAA"  # type: ignore[union-attr]
    assert status(north, practice="Y11111") == 200
    assert status(north, practice="Y44444") == 403
    assert status(national, practice="Y44444") == 200
    assert status(national) == 200
    assert status(practice_token, practice="Y44444") == 403  # a practice still sees itself only
    assert status(practice_token) == 200
    with pytest.raises(ValueError, match="ICB code: QCC is not in the register"):
        accounts.add_analyst(engine, "Nobody", icb="QCC")
    assert main(["--db", str(engine.url.render_as_string(hide_password=False)), "add-analyst",
                 "Nowhere", "--icb", "QCC"]) == 1
    assert "not in the register" in capsys.readouterr().err


def test_rebuild_summaries_from_the_command_line(database_url: str, capsys) -> None:
    from sqlalchemy import text

    from tests.icb_service.test_summaries import _register as place
    from tests.icb_service.test_summaries import _send, _snapshot, _story

    engine = open_database(database_url)
    place(engine)
    _send(engine, "Y99999", _story(9)["Y99999"])
    kept = _snapshot(engine)
    with engine.begin() as connection:  # a roll-up damaged by hand
        connection.execute(text("DELETE FROM people_month"))
    assert main(["--db", database_url, "rebuild-summaries"]) == 0
    assert capsys.readouterr().out.startswith("Summaries rebuilt in ")
    assert _snapshot(engine) == kept
    engine.dispose()
