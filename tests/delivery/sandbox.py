"""NHS Digital's MESH sandbox on 127.0.0.1, run from its own virtual environment (it pins its own
FastAPI); `bash installers/from-source.sh test` installs it into .venv-mesh-sandbox.

Started with AUTH_MODE=full (every request's NHSMESH token is checked) and an explicit shared
key, since the client's built-in default is not the sandbox's. Built-in mailboxes: X26ABC1 (the
hub), X26ABC2 and X26ABC3 (two member practices), all with the password "password".
"""

import os
import socket
import subprocess
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
SHARED_KEY = "GroupClinicSandboxKey"
PASSWORD = "password"
HUB_MAILBOX = "X26ABC1"
HILLSIDE_MAILBOX = "X26ABC2"
BROOKSIDE_MAILBOX = "X26ABC3"


def sandbox_venv() -> Path:
    return Path(os.environ.get("GROUPCLINIC_MESH_SANDBOX") or ROOT / ".venv-mesh-sandbox")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Sandbox:
    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / "mesh-sandbox.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        uvicorn = sandbox_venv() / "bin" / "uvicorn"
        if not uvicorn.exists():
            raise RuntimeError(
                f"The MESH sandbox is not installed ({uvicorn} is missing): run "
                "`bash installers/from-source.sh test` once, which installs it."
            )
        env = {
            **os.environ,
            "STORE_MODE": "memory",
            "AUTH_MODE": "full",
            "SHARED_KEY": SHARED_KEY,
        }
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [str(uvicorn), "mesh_sandbox.api:app", "--host", "127.0.0.1",
             "--port", str(self.port), "--workers", "1"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The MESH sandbox stopped; see {self.log_path}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"The MESH sandbox did not start in 60 s; see {self.log_path}")

    def stop(self) -> None:
        # Stopped by the process it started, never by name.
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
            self.process = None

    def reset(self) -> None:
        httpx.delete(f"{self.url}/messageexchange/admin/reset", timeout=10).raise_for_status()

    def inject_report(self, **fields: str) -> None:
        """A MESH error report in a mailbox, as MESH sends for an undeliverable message."""
        response = httpx.post(f"{self.url}/messageexchange/admin/report", json=fields, timeout=10)
        response.raise_for_status()
