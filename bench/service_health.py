"""Waiting for a `groupclinic-icb serve` process to answer, for the bench and the tests alike."""

from __future__ import annotations

import subprocess
import time


def wait_until_healthy(url: str, process: subprocess.Popen, patience_s: float,
                       log: str = "its log") -> None:
    """Until GET /v1/health answers 200; RuntimeError at once if the process has exited."""
    import httpx

    deadline = time.monotonic() + patience_s
    while True:
        try:
            if httpx.get(f"{url}/v1/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"the ICB service exited at start-up (see {log})")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the ICB service did not start in {patience_s:g} s (see {log})")
        time.sleep(0.05)
