"""Starting GroupClinic again while it runs: two real processes on one store.

The second start finds the first through its local socket, asks it to bring its window forward
and leaves quietly (exit 0, no "already open"); the first keeps running with the store open.
"""

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

from PySide6.QtNetwork import QLocalSocket

from groupclinic_desktop.logs import log_dir
from groupclinic_desktop.ui.single_instance import BROUGHT_FORWARD, server_name

START_S = 90  # a cold start of the app on a loaded machine


def groupclinic(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "groupclinic_desktop", "--data-dir", str(data_dir), *args]


def listening(name: str) -> bool:
    socket = QLocalSocket()
    socket.connectToServer(name)
    connected = socket.waitForConnected(200)
    socket.abort()  # says nothing: the running app reads no "show" and stays as it is
    return connected


def wait_for(what, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if what():
            return True
        time.sleep(0.2)
    return False


def logged() -> str:
    return "".join(p.read_text(errors="replace") for p in log_dir().glob("*.log*"))


def test_a_second_start_hands_over_to_the_running_app_and_exits_0(
    qapp, data_dir: Path, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", GROUPCLINIC_DB_KEY=secrets.token_hex(32))
    made = subprocess.run(groupclinic(data_dir, "demo"), env=env, capture_output=True,
                          text=True, timeout=START_S)
    assert made.returncode == 0, made.stderr
    with (tmp_path / "first.out").open("w") as out:
        first = subprocess.Popen(groupclinic(data_dir, "run"), env=env, stdout=out,
                                 stderr=subprocess.STDOUT)
    try:
        name = server_name(data_dir)
        assert wait_for(lambda: listening(name) or first.poll() is not None, START_S)
        assert first.poll() is None, (tmp_path / "first.out").read_text()

        second = subprocess.run(groupclinic(data_dir, "run"), env=env, capture_output=True,
                                text=True, timeout=START_S)
        said = second.stdout + second.stderr
        assert second.returncode == 0, said
        assert "already open" not in said.lower() and "error" not in said.lower()
        # The first app heard it and brought its window forward; it is still running.
        assert wait_for(lambda: BROUGHT_FORWARD in logged(), 30), logged()
        assert first.poll() is None
    finally:
        first.terminate()
        first.wait(30)
