"""A plain `groupclinic` start skips the full parser (and so every command module).

Whatever the shortcut takes must mean exactly what the full parser would make of it; anything
else goes to the full parser, which keeps its help, errors and subcommands.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from groupclinic_desktop import cli

PLAIN = [
    [],
    ["run"],
    ["--data-dir", "x"],
    ["--data-dir=x", "run"],
    ["--data", "x"],
    ["--debug"],
    ["--selftest"],
    ["--data-dir", "run"],  # a folder called "run"
]
NOT_PLAIN = [
    ["check"],
    ["run", "--data-dir", "x"],  # the full parser refuses this one
    ["-h"],
    ["--version"],
    ["--d", "x"],  # ambiguous
    ["--data-dir"],
    ["export", "--session", "1", "--out", "y"],
    ["--data-dir", "x", "demo"],
]


@pytest.mark.parametrize("argv", PLAIN)
def test_a_plain_start_means_what_the_full_parser_says(argv: list[str]) -> None:
    plain = cli._plain_start(argv)
    assert plain is not None
    assert vars(plain) == vars(cli.build_parser().parse_args(argv))


@pytest.mark.parametrize("argv", NOT_PLAIN)
def test_everything_else_goes_to_the_full_parser(argv: list[str]) -> None:
    assert cli._plain_start(argv) is None


def test_a_plain_start_imports_no_command_module(tmp_path: Path) -> None:
    script = (
        "import sys; from groupclinic_desktop import cli; "
        "cli.cmd_run = lambda args: print('run', args.data_dir) or 0; "
        "code = cli.main(['--data-dir', sys.argv[1]]); "
        "print(sorted(m for m in sys.modules if m.startswith('groupclinic_desktop.commands.'))); "
        "sys.exit(code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True, text=True, timeout=60, env=dict(os.environ),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"run {tmp_path}", "[]"]
