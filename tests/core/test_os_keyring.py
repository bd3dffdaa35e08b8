"""The store's key in a real OS keyring: gnome-keyring's Secret Service on a private D-Bus bus
(bench/secret_service.py, shared with the start-up bench), each step in a process of its own
as on a laptop, where keyring chooses its backend itself.

The rest of the suite uses an in-memory keyring; these tests are the ones that talk to a real one.
"""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bench import secret_service
from groupclinic_desktop.core import os_keyring, store

pytestmark = pytest.mark.skipif(
    not secret_service.available(), reason="needs dbus-daemon and gnome-keyring-daemon"
)

FIRST_LOOK = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from groupclinic_desktop.core import glance, store

    folder = Path(sys.argv[1])
    store.read_key_ahead(folder)  # as cli.py does before Qt loads
    seen = glance.take(folder)
    core = sys.modules.get("keyring.core")
    print(json.dumps({
        "practice": None if seen is None else seen.practice_name,
        "staff": 0 if seen is None else len(seen.staff),
        "keyring_loaded": "keyring" in sys.modules,
        "detected": core is not None and core._keyring_backend is not None,
    }))
    """
)


def laptop_env(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """No key in the environment and no backend named: keyring decides, as on a laptop."""
    clean = {k: v for k, v in env.items() if k not in (store.KEY_ENV, "PYTHON_KEYRING_BACKEND")}
    clean["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    return clean


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)


def test_the_first_look_reads_the_store_key_from_a_running_secret_service(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "practice"
    with secret_service.running(tmp_path / "secret-service") as started:
        env = laptop_env(started, tmp_path)
        made = run([sys.executable, "-m", "groupclinic_desktop", "--data-dir", str(folder),
                    "demo"], env)
        assert made.returncode == 0, made.stderr
        # The app made a key and kept it in the Secret Service, not in any file.
        user = store.StoreLocation(folder).keyring_user
        kept = run([sys.executable, "-c",
                    "import sys, keyring; print(keyring.get_password(sys.argv[1], sys.argv[2]))",
                    store.KEYRING_SERVICE, user], env)
        assert len(kept.stdout.strip()) == 64
        assert kept.stdout.strip() not in (folder / store.META_FILE).read_text("utf-8")

        looked = run([sys.executable, "-c", FIRST_LOOK, str(folder)], env)
        assert looked.returncode == 0, looked.stderr
        seen = json.loads(looked.stdout.strip().splitlines()[-1])
        assert seen["practice"] and seen["staff"] >= 3
        # Read from the Secret Service directly (core/os_keyring.py): keyring was not even
        # imported, so neither its import nor its scan of every backend came before the paint.
        assert seen["keyring_loaded"] is False
        assert seen["detected"] is False

        checked = run([sys.executable, "-m", "groupclinic_desktop", "--data-dir", str(folder),
                       "check"], env)
        assert checked.returncode == 0, checked.stderr


def test_without_a_keyring_the_start_says_what_to_do_as_before(tmp_path: Path) -> None:
    folder = tmp_path / "practice"
    with secret_service.running(tmp_path / "secret-service") as started:
        env = laptop_env(started, tmp_path)
        assert run([sys.executable, "-m", "groupclinic_desktop", "--data-dir", str(folder),
                    "demo"], env).returncode == 0
    # The Secret Service has stopped: no keyring at all on this machine now.
    env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={tmp_path / 'no-bus'}"
    looked = run([sys.executable, "-c", FIRST_LOOK, str(folder)], env)
    assert looked.returncode == 0, looked.stderr
    seen = json.loads(looked.stdout.strip().splitlines()[-1])
    assert seen["practice"] is None  # the full way in explains it
    checked = run([sys.executable, "-m", "groupclinic_desktop", "--data-dir", str(folder),
                   "check"], env)
    assert checked.returncode != 0
    assert "No system keyring is available" in checked.stderr


def test_the_direct_read_gives_way_to_keyring_whenever_its_answer_is_not_plain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with secret_service.running(tmp_path / "secret-service") as started:
        env = laptop_env(started, tmp_path)
        for name in ("DBUS_SESSION_BUS_ADDRESS", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
            monkeypatch.setenv(name, env[name])
        monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
        kept = run([sys.executable, "-c",
                    "import sys, keyring; keyring.set_password(sys.argv[1], sys.argv[2], 'k' * 64)",
                    store.KEYRING_SERVICE, "store-key-known"], env)
        assert kept.returncode == 0, kept.stderr
        # What keyring wrote, read back directly; an entry it never wrote is keyring's to answer.
        assert os_keyring.read_secret(store.KEYRING_SERVICE, "store-key-known") == "k" * 64
        with pytest.raises(os_keyring.Unanswered):
            os_keyring.read_secret(store.KEYRING_SERVICE, "store-key-unknown")
        with pytest.raises(os_keyring.Unanswered):
            os_keyring.read_secret("another app", "store-key-known")

        # A backend chosen by the person (their environment or keyring's config file) wins.
        import keyring.core

        assert keyring.core._keyring_backend is not None  # the suite's memory keyring, set here
        assert not os_keyring.applies()
        monkeypatch.setattr(keyring.core, "_keyring_backend", None)  # as on a laptop
        assert os_keyring.applies()
        monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
        assert not os_keyring.applies()
        monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
        config = os_keyring.keyring_config_file()
        config.parent.mkdir(parents=True)
        config.write_text("[backend]\ndefault-keyring=keyring.backends.null.Keyring\n")
        assert not os_keyring.applies()

    # The Secret Service has stopped: no plain answer, so keyring is asked (and explains).
    with pytest.raises(os_keyring.Unanswered):
        os_keyring.read_secret(store.KEYRING_SERVICE, "store-key-known")
