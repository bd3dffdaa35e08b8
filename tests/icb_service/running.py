"""Waiting for a `groupclinic-icb serve` process started by a test to answer."""

from __future__ import annotations

import subprocess
import time

import httpx


def wait_until_healthy(url: str, process: subprocess.Popen, patience_s: float) -> None:
    """Until GET /v1/health answers 200; fails at once if the process has exited."""
    deadline = time.monotonic() + patience_s
    while True:
        try:
            if httpx.get(f"{url}/v1/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert process.poll() is None, "the ICB service exited at start-up"
        assert time.monotonic() < deadline, "the ICB service did not start"
        time.sleep(0.05)
