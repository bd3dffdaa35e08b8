"""Sign-ins leave no 16 MB behind: scrypt's block goes back to the system once the PIN is checked.

Each run is a fresh interpreter, as glibc's sizes are per process and move once a big block has
been freed (core/allocator.py)."""

import json
import os
import subprocess
import sys
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not os.confstr("CS_GNU_LIBC_VERSION"),
    reason="glibc's malloc only",
)

SIGN_INS = """
import json, sys
from pathlib import Path
from groupclinic_desktop.core import allocator, auth

def resident_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

settled = allocator.give_large_blocks_back() if sys.argv[1] == "settled" else None
stored = auth.hash_pin("2468")  # the first scrypt: glibc's sizes move when its block is freed
after_first = resident_mb()
kept = [bytearray(256 * 1024) for _ in range(8)]  # the session goes on allocating
checks = [auth.verify_pin("2468", stored) for _ in range(3)]
print(json.dumps({"settled": settled, "checks": checks, "grew_mb": resident_mb() - after_first}))
"""


def _sign_ins(mode: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", SIGN_INS, mode], capture_output=True, text=True, check=True,
        timeout=120,
    )
    return json.loads(done.stdout)


def test_sign_ins_give_scrypts_memory_back() -> None:
    found = _sign_ins("settled")
    assert found["settled"] is True
    assert found["checks"] == [True, True, True]
    # 2 MB of the session's own blocks, and less than one 16 MB scrypt block left behind.
    assert found["grew_mb"] < 8, found


def test_without_the_settings_a_sign_in_keeps_its_block() -> None:
    """What the settings are for: glibc left alone keeps the next scrypt's 16 MB resident."""
    found = _sign_ins("default")
    assert found["grew_mb"] > 12, found


def test_settings_are_made_once() -> None:
    from groupclinic_desktop.core import allocator

    first = allocator.give_large_blocks_back()
    assert allocator.give_large_blocks_back() is first
