"""A full disk tells the truth and changes nothing (issue 21, point 6).

Run on a real, small, full file system: a size-limited tmpfs that the test mounts, which needs
root (CI runs as root). Elsewhere the tests are skipped and say why.
"""

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from groupclinic_desktop.core import store
from groupclinic_desktop.core.clinic import SYSTEM, Clinic
from groupclinic_desktop.core.errors import StoreError

FULL = r"The disk holding the GroupClinic data is full \(\d+ MB free\); free some space\. " \
    r"Nothing was changed\."


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs (CI runs as root)")
    mount = tmp_path / "small-disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)],
        capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"could not mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> None:
    """Write until the file system refuses any more."""
    # Unbuffered: a buffered file would try its last partial block again on close, and fail.
    with open(disk / "filler", "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
        except OSError:
            pass
    # Small writes too, until not one block is left.
    n = 0
    while True:
        try:
            (disk / f"crumb{n}").write_bytes(b"\0" * 512)
            n += 1
        except OSError:
            break


@pytest.fixture
def practice_on_small_disk(small_disk: Path, demo_dir: Path) -> Path:
    target = small_disk / "practice"
    shutil.copytree(demo_dir, target)
    with Clinic.open(target, create=False) as clinic:
        clinic.backup(reason="daily")
    return target


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_opening_on_a_full_disk_says_so_and_never_offers_a_restore(
    practice_on_small_disk: Path, small_disk: Path
) -> None:
    fill(small_disk)
    before = files_of(practice_on_small_disk)
    with pytest.raises(StoreError, match=FULL) as caught:
        Clinic.open(practice_on_small_disk, create=False)
    assert caught.value.kind == "disk_full"
    after = files_of(practice_on_small_disk)
    assert after.keys() == before.keys()
    assert after[store.STORE_FILE] == before[store.STORE_FILE]


def test_a_backup_on_a_full_disk_leaves_no_partial_file_and_rotates_nothing(
    practice_on_small_disk: Path, small_disk: Path
) -> None:
    backups = practice_on_small_disk / "backups"
    older = sorted(p.name for p in backups.iterdir())
    with Clinic.open(practice_on_small_disk, create=False) as clinic:
        fill(small_disk)
        with pytest.raises(StoreError, match=FULL) as caught:
            clinic.backup(reason="daily")
        assert caught.value.kind == "disk_full"
    assert sorted(p.name for p in backups.iterdir()) == older
    assert not list(practice_on_small_disk.rglob("*.partial*"))


def test_a_write_on_a_full_disk_says_so_and_keeps_nothing(
    practice_on_small_disk: Path, small_disk: Path
) -> None:
    with Clinic.open(practice_on_small_disk, create=False) as clinic:
        count = len(clinic.patients())
        with clinic.acting_as(SYSTEM):
            fill(small_disk)
            with pytest.raises(StoreError, match=FULL):
                # Enough rows that SQLite must grow the file.
                for n, nhs in enumerate(_nhs_numbers(2000)):
                    clinic.add_patient(nhs, f"Fictional{n}", "Person" + "x" * 60, "1960-01-01")
    for path in small_disk.glob("crumb*"):
        path.unlink()
    (small_disk / "filler").unlink()
    with Clinic.open(practice_on_small_disk, create=False) as clinic:
        assert clinic.check() == []
        assert len(clinic.patients()) >= count


def _nhs_numbers(count: int) -> list[str]:
    # NHS numbers of the 999 test range with a valid check digit, away from the demo's.
    found = []
    for tail in range(800000, 999999):
        digits = f"999{tail:06d}"
        check = 11 - sum(int(d) * (10 - i) for i, d in enumerate(digits)) % 11
        if check != 10:
            found.append(digits + str(0 if check == 11 else check))
        if len(found) == count:
            return found
    raise AssertionError


def test_the_command_line_says_the_disk_is_full(
    practice_on_small_disk: Path, small_disk: Path
) -> None:
    fill(small_disk)
    for args in (["check"], ["backup"]):
        done = subprocess.run(
            [sys.executable, "-m", "groupclinic_desktop", "--data-dir",
             str(practice_on_small_disk), *args],
            capture_output=True, text=True, check=False, env=dict(os.environ),
        )
        assert done.returncode == 1, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "disk holding the GroupClinic data is full" in lines[0]
        assert "Nothing was changed." in lines[0]
    assert not list(practice_on_small_disk.rglob("*.partial*"))
