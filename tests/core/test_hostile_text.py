"""Hostile text and hostile addresses: NUL characters, invisible and over-long names, and sync
addresses that are not https or carry a password (issue 21, points 9 and 17)."""

import pytest

from groupclinic_desktop.core import cohort
from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.errors import InvalidInput
from groupclinic_desktop.core.schema import Role

ZERO_WIDTH = "\u200b\u200c\u200d\ufeff"


@pytest.fixture
def admin(demo: Clinic) -> Clinic:
    with demo.acting_as(SYSTEM):
        yield demo


def state(clinic: Clinic) -> tuple[int, int, int]:
    return len(clinic.patients()), len(clinic.staff()), len(clinic.audit_entries())


@pytest.mark.parametrize(
    ("given", "family", "field", "reason"),
    [
        ("An\x00n", "Lee", "First name", "NUL"),
        ("Ann", ZERO_WIDTH, "Surname", "invisible"),
        ("A" * 101, "Lee", "First name", "at most 100"),
    ],
)
def test_hostile_names_are_refused_at_input(
    admin: Clinic, given: str, family: str, field: str, reason: str
) -> None:
    before = state(admin)
    with pytest.raises(InvalidInput, match=reason) as caught:
        admin.add_patient("9990200009", given, family, "1960-01-01")
    assert caught.value.field == field and str(caught.value).startswith(field)
    with pytest.raises(InvalidInput, match=reason):
        admin.add_staff(given if field == "First name" else family, Role.FACILITATOR, "5827")
    assert state(admin) == before
    admin.add_patient("9990200009", "A" * 100, "Lee", "1960-01-01")  # 100 is allowed


def test_nul_is_refused_in_every_text_field_whatever_the_path(admin: Clinic) -> None:
    from datetime import date

    session = admin.sessions(day=date.today())[0]
    person = admin.roster(session.id)[0].patient
    before = state(admin)
    attempts = [
        lambda: admin.add_agenda_item(session.id, "Sleep\x00"),
        lambda: admin.set_goal(session.id, person.id, "Walk\x00 daily", confidence=7),
        lambda: admin.save_review(session.id, person.id, notes="Well\x00"),
        lambda: admin.set_setting("display.note", {"text": "a\x00b"}),
        lambda: admin.remember_cohort_mapping({"Col\x00": "nhs_number"}),
        lambda: admin.set_sync_settings("https://icb.example.org/\x00"),
    ]
    for attempt in attempts:
        with pytest.raises(InvalidInput, match="NUL|control characters"):
            attempt()
    assert state(admin) == before


def test_an_import_refuses_hostile_rows_and_names_them(admin: Clinic) -> None:
    text = (
        "NHS number,First name,Surname,DOB\n"
        "9990200009,Ann,Lee,01/01/1960\n"
        f"9990200017,{ZERO_WIDTH},Ray,01/01/1960\n"
        f"9990200025,Bo,{'K' * 101},01/01/1960\n"
        "9990200033,Cy\x00,Day,01/01/1960\n"
    )
    result = cohort.check(cohort.read_text(text))
    found = {(p.line, p.column): p.reason for p in result.problems}
    assert "invisible" in found[(3, "First name")]
    assert "at most 100" in found[(4, "Surname")]
    assert "NUL" in found[(5, "First name")]
    assert result.rejected_lines == [3, 4, 5] and len(result.rows) == 1


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://icb.example.org", "only https"),
        ("http://user:secret@10.1.2.3", "user name or password"),
        ("https://user:secret@icb.example.org", "user name or password"),
        ("https://token@icb.example.org", "user name or password"),
        ("ftp://icb.example.org", "not an https"),
        ("https://icb.example.org:port", "not a web address"),
        ("https://icb.example.org/\x00", "control characters"),
    ],
)
def test_sync_addresses_must_be_https_without_credentials(
    admin: Clinic, url: str, reason: str
) -> None:
    before = admin.sync_settings()
    with pytest.raises(InvalidInput, match=reason) as caught:
        admin.set_sync_settings(url)
    assert caught.value.field == "Service address"
    assert "secret" not in str(caught.value)
    assert admin.sync_settings() == before


@pytest.mark.parametrize(
    "url",
    ["https://icb.example.org", "http://127.0.0.1:8765", "http://localhost:9000", "http://[::1]:80"],
)
def test_https_and_loopback_addresses_are_accepted(admin: Clinic, url: str) -> None:
    assert admin.set_sync_settings(url)["url"] == url


def test_the_cli_refuses_a_plain_http_address(demo_dir, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    import io

    from groupclinic_desktop.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO("9753\n"))
    assert main(["--data-dir", str(demo_dir), "--user", "Alex Turner", "--pin-stdin",
                 "sync", "--url", "http://icb.example.org"]) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "Service address: refused, only https://" in line
