"""A real OS keyring for the start-up bench and its test: the Secret Service of gnome-keyring on
a private D-Bus session bus, started here and stopped afterwards.

The daemon's keyrings live in the given folder (its XDG_DATA_HOME), its login keyring is created
and unlocked with a throwaway password fed on its standard input, and nothing of the machine's
own session is touched. keyring's backend detection then finds it as it would on a laptop.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PROGRAMS = ("dbus-daemon", "dbus-send", "gnome-keyring-daemon")
SECRETS_NAME = "org.freedesktop.secrets"


def available() -> bool:
    """Whether this machine has what the private Secret Service needs (Linux only)."""
    return sys.platform.startswith("linux") and all(shutil.which(p) for p in PROGRAMS)


def _name_has_owner(env: dict[str, str]) -> bool:
    out = subprocess.run(
        ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
         "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", f"string:{SECRETS_NAME}"],
        env=env, capture_output=True, text=True, timeout=10,
    )
    return out.returncode == 0 and "boolean true" in out.stdout


@contextmanager
def running(folder: Path, env: dict[str, str] | None = None) -> Iterator[dict[str, str]]:
    """Start a session bus and gnome-keyring's Secret Service on it; yield the environment a
    process needs to use them (the bus address, the keyrings' folder). Both stop on leaving."""
    if not available():
        raise RuntimeError("the Secret Service needs dbus-daemon and gnome-keyring-daemon")
    folder = Path(folder)
    env = dict(os.environ if env is None else env)
    for name in ("DATA", "RUNTIME"):
        path = folder / f"xdg-{name.lower()}"
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        env[f"XDG_{name}_DIR" if name == "RUNTIME" else f"XDG_{name}_HOME"] = str(path)
    env.pop("GNOME_KEYRING_CONTROL", None)
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True,
    )
    daemon: subprocess.Popen[str] | None = None
    try:
        assert bus.stdout is not None
        env["DBUS_SESSION_BUS_ADDRESS"] = bus.stdout.readline().strip()
        daemon = subprocess.Popen(
            ["gnome-keyring-daemon", "--unlock", "--components=secrets", "--foreground"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=env, text=True,
        )
        assert daemon.stdin is not None
        daemon.stdin.write("bench-only password")  # unlocks (and first creates) the login keyring
        daemon.stdin.close()
        deadline = time.monotonic() + 20
        while not _name_has_owner(env):
            if daemon.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gnome-keyring's Secret Service did not start")
            time.sleep(0.05)
        yield env
    finally:
        for process in (daemon, bus):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(10)


def store_secret(env: dict[str, str], service: str, user: str, secret: str) -> str:
    """Keep a secret in the running Secret Service through keyring's own detection, in a
    process of its own; returns the backend keyring chose."""
    code = (
        "import sys, keyring; keyring.set_password(sys.argv[1], sys.argv[2], sys.stdin.read()); "
        "print(type(keyring.get_keyring()).__module__)"
    )
    clean = {k: v for k, v in env.items() if k != "PYTHON_KEYRING_BACKEND"}
    out = subprocess.run(
        [sys.executable, "-c", code, service, user], input=secret, env=clean,
        capture_output=True, text=True, timeout=60, check=True,
    )
    return out.stdout.strip()
