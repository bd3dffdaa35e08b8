"""The audit trail is append-only and hash-chained: raw edits to the file are found, and where."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlcipher3

from groupclinic_desktop.core import store
from groupclinic_desktop.core.clinic import Clinic


def raw(demo_dir: Path, *statements: str) -> None:
    """Change the file behind the app's back, as someone with a SQLite tool and the key might."""
    conn = sqlcipher3.connect(str(demo_dir / store.STORE_FILE))
    conn.execute(f"PRAGMA key=\"x'{os.environ[store.KEY_ENV]}'\"")
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()


def verify(demo_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "groupclinic_desktop", "--data-dir", str(demo_dir), "audit",
         "verify"], capture_output=True, text=True, env=dict(os.environ), timeout=120,
    )


def test_untouched_trail_verifies(demo_dir: Path) -> None:
    result = verify(demo_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "chain intact" in result.stdout


@pytest.mark.parametrize(
    ("statements", "where", "why"),
    [
        (["UPDATE audit_entry SET after = '{\"value\": 99}' WHERE id = 40"], "entry 40",
         "changed"),
        (["UPDATE audit_entry SET user_name = 'Someone else' WHERE id = 7"], "entry 7",
         "changed"),
        (["DELETE FROM audit_entry WHERE id = 25"], "entry 26", "missing"),
        (["UPDATE audit_entry SET id = -1 WHERE id = 30",
          "UPDATE audit_entry SET id = 30 WHERE id = 31",
          "UPDATE audit_entry SET id = 31 WHERE id = -1"], "entry 30", "follow"),
        (["DELETE FROM audit_entry WHERE id = (SELECT max(id) FROM audit_entry)"], "ends at",
         "removed from the end"),
    ],
    ids=["edited-value", "edited-user", "deleted", "reordered", "cut-from-end"],
)
def test_tampering_is_found_and_located(demo_dir: Path, statements: list[str], where: str,
                                        why: str) -> None:
    raw(demo_dir, *statements)
    result = verify(demo_dir)
    assert result.returncode == 1
    assert where in result.stdout and why in result.stdout, result.stdout
    with Clinic.open(demo_dir, create=False) as clinic:
        assert clinic.check(), "check must report a broken audit trail too"


def test_audit_export_writes_every_entry(demo_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "audit.csv"
    result = subprocess.run(
        [sys.executable, "-m", "groupclinic_desktop", "--data-dir", str(demo_dir), "--user",
         "Alex", "--pin-stdin", "audit", "export", "--out", str(out)], capture_output=True,
        text=True, env=dict(os.environ), timeout=120, input="9753\n",
    )
    assert result.returncode == 0, result.stderr
    with Clinic.open(demo_dir, create=False) as clinic:
        entries = clinic.audit_entries()
    # Every entry before the export is in the file; the export itself is audited after it, in
    # the name of the admin who signed in at the terminal.
    assert entries[-1].action == "export" and entries[-1].entity == "audit_trail"
    assert entries[-1].user_name == "Alex Turner (command line)"
    assert entries[-2].action == "sign_in" and entries[-2].user_name == "Alex Turner"
    assert len(out.read_text("utf-8").splitlines()) == len(entries) - 1 + 1


def test_a_bulk_chain_hashes_each_entry_as_verify_reads_it_back() -> None:
    """A bulk import's entries are encoded from parts; each hash must be the one verify works
    out from the stored values (any text, a before snapshot, no patient, a missing id)."""
    import json
    from datetime import UTC, datetime

    from groupclinic_desktop.core import audit

    at = datetime(2026, 12, 3, 0, 5, 1, 123456, tzinfo=UTC)
    chain = audit.BulkChain(audit.GENESIS, at=at, user_id=7, user_name='Zoë "Admin" Ó')
    entries = [
        chain.entry("import", "patient", 12, 12, None,
                    {"file": "söarch ✓.csv", "row": 2, "measurements": [{"value": 48.5}]}),
        chain.entry("import", "patient", 13, 13, {"patient": {"mobile": None, "z": 1}},
                    {"patient": {"mobile": "07700900111"}, "row": 3}),
        chain.entry("import", "cohort_file", None, None, None, {"rows": 2, "file": None}),
    ]
    previous = audit.GENESIS
    for values in entries:
        stored = {**values, "after": json.loads(values["after"])}
        assert values["prev_hash"] == previous
        assert audit._digest(stored) == values["hash"]
        previous = values["hash"]
