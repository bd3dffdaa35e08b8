"""Cold start: a fresh process to the first paint of the main window.

The app is started the way a person starts it (`groupclinic --data-dir DIR`, i.e. cli.main ->
run_app); the baseline is a bare PySide6 process that shows one QMainWindow of the same size.
Both watch for the first Paint event of a QMainWindow with the same application-wide event
filter, print one line, and quit; the parent times from spawning the process to that line.
"""

from __future__ import annotations

import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from bench import DEMO, TEN_YEARS, Context, Figure, secret_service

BUDGET_RATIO = 1.5
MARK = "first-paint"


def _watch_first_paint() -> object:
    """Create the QApplication and report the first paint of a QMainWindow, then quit.

    The filter is put on each QMainWindow as it is shown and sees that window's own events only.
    (An application-wide Python filter is called for every event of every object: a window with
    content has many more, so it charged the app about 30 ms that a real start does not pay.)
    """
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    seen = False
    paint = QEvent.Type.Paint

    class FirstPaint(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
            nonlocal seen
            if not seen and event.type() == paint:
                seen = True
                print(MARK, flush=True)
                QTimer.singleShot(0, app.quit)
            return False

    watcher = FirstPaint(app)
    show = QMainWindow.show

    def watched_show(window: QMainWindow) -> None:
        window.installEventFilter(watcher)
        show(window)

    QMainWindow.show = watched_show  # type: ignore[method-assign]
    return watcher


def _child(kind: str, data_dir: str | None) -> int:
    if kind == "app":
        # The app's own start, in its own import order: Qt is loaded where cmd_run loads it,
        # and the watcher is installed just before run_app makes the window.
        from groupclinic_desktop import cli

        real_run = cli.cmd_run

        def watched_run(args: object) -> int:
            import groupclinic_desktop.ui.app as ui_app

            original = ui_app.run_app

            def run_app(*a: object, **k: object) -> int:
                _watch_first_paint()
                return original(*a, **k)  # type: ignore[arg-type]

            ui_app.run_app = run_app  # type: ignore[assignment]
            return real_run(args)  # type: ignore[arg-type]

        cli.cmd_run = watched_run  # type: ignore[assignment]
        return cli.main(["--data-dir", str(data_dir)])
    from PySide6.QtWidgets import QApplication, QMainWindow

    _watch_first_paint()
    app = QApplication.instance()
    window = QMainWindow()
    window.resize(1366, 768)
    window.show()
    return app.exec()  # type: ignore[union-attr]


def _start(kind: str, data_dir: Path | None, env: dict[str, str]) -> float:
    command = [sys.executable, "-m", "bench.startup", kind]
    if data_dir is not None:
        command.append(str(data_dir))
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    took = time.perf_counter() - started
    process.wait(60)
    if line != MARK:
        raise RuntimeError(f"{kind} start-up did not paint (exit {process.returncode})")
    return took


def compile_app() -> None:
    """Compile the app's modules, as an installed copy has them (pip and the bundle do at install).

    Without this, a checkout run with PYTHONDONTWRITEBYTECODE (or whose sources changed since
    the last run) compiles every module of the first paint from source on each start, a cost
    the bare baseline, whose PySide6 is installed and compiled, never pays."""
    import compileall

    import groupclinic_desktop

    compileall.compile_dir(Path(groupclinic_desktop.__file__).parent, quiet=1)


def run(ctx: Context, env: dict[str, str]) -> list[Figure]:
    with ExitStack() as stack:
        keyring_env = None
        if secret_service.available():
            keyring_env = stack.enter_context(
                secret_service.running(ctx.scratch / "secret-service", env)
            )
        else:
            ctx.say("  no dbus-daemon or gnome-keyring-daemon: the OS keyring row is left out")
        return _run(ctx, env, keyring_env)


def _keyring_start_env(ctx: Context, folder: Path, keyring_env: dict[str, str]) -> dict[str, str]:
    """The key of the store in `folder` kept in the Secret Service, and an environment that
    starts the app as a laptop does: no key in the environment, no backend named for keyring."""
    from groupclinic_desktop.core.store import KEY_ENV, KEYRING_SERVICE, StoreLocation

    user = StoreLocation(folder).keyring_user
    chosen = secret_service.store_secret(keyring_env, KEYRING_SERVICE, user, keyring_env[KEY_ENV])
    if "SecretService" not in chosen:
        raise RuntimeError(f"keyring chose {chosen}, not the Secret Service")
    return {k: v for k, v in keyring_env.items()
            if k not in (KEY_ENV, "PYTHON_KEYRING_BACKEND")}


def _run(ctx: Context, env: dict[str, str], keyring_env: dict[str, str] | None) -> list[Figure]:
    figures = []
    compile_app()
    runs = ctx.repeats(15, 1)
    for store in (DEMO, TEN_YEARS):
        folder = ctx.copy_store(store, "startup")
        laptop = None if keyring_env is None else _keyring_start_env(ctx, folder, keyring_env)
        if not ctx.quick:
            _start("app", folder, env)  # warm the OS file cache once, for both alike
            _start("bare", None, env)
            if laptop is not None:
                _start("app", folder, laptop)
        app_times: list[float] = []
        keyring_times: list[float] = []
        bare_times: list[float] = []
        for _ in range(runs):
            app_times.append(_start("app", folder, env))
            if laptop is not None:
                keyring_times.append(_start("app", folder, laptop))
            bare_times.append(_start("bare", None, env))
        rows = [("cold start to first paint", app_times)]
        if laptop is not None:
            rows.append(("cold start, key in the OS keyring", keyring_times))
        for name, samples in rows:
            figure = Figure(
                name, store, samples,
                baseline="bare PySide6 QMainWindow process", baseline_samples=bare_times,
                budget=f"<= {BUDGET_RATIO}x baseline",
            )
            figure.within_budget = (figure.ratio or 0) <= BUDGET_RATIO
            figures.append(figure)
    return figures


if __name__ == "__main__":
    raise SystemExit(_child(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None))
