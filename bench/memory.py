"""Peak memory (RSS) of the app through a whole session, in a fresh process of its own.

The child opens the store, builds the real main window, signs in, checks fifteen people in,
opens the session, walks every phase with each page painted, finishes the session and exports
it, then reports its own peak RSS (VmHWM on Linux, else getrusage's ru_maxrss).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

from bench import DEMO, TEN_YEARS, Context

BUDGET_MB = 250


def _child(data_dir: str, regulars_json: str, out_dir: str) -> int:
    from bench import finish_session, open_clinic, prepare_session
    from bench.phases import painted, qt_app, sign_in

    qt_app()
    from groupclinic_desktop.core.programmes import PHASES
    from groupclinic_desktop.export.batch import export_session
    from groupclinic_desktop.ui.main_window import MainWindow

    with open_clinic(Path(data_dir)) as clinic:
        window = MainWindow(clinic)
        window.resize(1366, 768)
        window.show()
        painted(window)
        sid = prepare_session(clinic, regulars=json.loads(regulars_json) or None)
        sign_in(clinic, "facilitator", "2468")
        window.open_session(sid)
        painted(window)
        assert window.session_window is not None
        for phase in PHASES:
            window.session_window.go_to(phase)
            painted(window)
        finish_session(clinic, sid)
        sign_in(clinic, "admin", "9753")
        export_session(clinic, sid, Path(out_dir), ("pdf", "fhir", "csv"))
        window.close()
    print(json.dumps({"peak_rss_mb": round(peak_rss_kb() / 1024, 1)}), flush=True)
    return 0


def peak_rss_kb() -> int:
    """This process's own peak RSS. Linux keeps ru_maxrss across execve, so a child forked from
    the (big) bench process would report the parent's size; VmHWM starts afresh with exec."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run(ctx: Context, env: dict[str, str], regulars: dict[str, list[int]]) -> dict[str, object]:
    found: dict[str, float] = {}
    for store in (DEMO, TEN_YEARS):
        folder = ctx.copy_store(store, "memory")
        out = subprocess.run(
            [sys.executable, "-m", "bench.memory", str(folder),
             json.dumps(regulars.get(store) or []), str(ctx.scratch / f"{store}-memory-export")],
            capture_output=True, text=True, env=env, timeout=900,
        )
        if out.returncode != 0:
            raise RuntimeError(f"the whole-session run failed:\n{out.stderr[-2000:]}")
        found[store] = json.loads(out.stdout.strip().splitlines()[-1])["peak_rss_mb"]
    return {
        "name": "peak_rss_mb",
        "what": "peak RSS of the app process through a whole session (check-in to export)",
        **found,
        "budget_mb": BUDGET_MB,
        "within_budget": all(v < BUDGET_MB for v in found.values()),
    }


if __name__ == "__main__":
    raise SystemExit(_child(sys.argv[1], sys.argv[2], sys.argv[3]))
