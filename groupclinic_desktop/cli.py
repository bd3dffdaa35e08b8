"""`groupclinic [--data-dir DIR] [--user NAME [--pin-stdin]] COMMAND`: the Clinic facade for the
terminal.

With no command it starts the app. Every failure is one clear line and a non-zero exit. Commands
that read or change patient data need a staff sign-in (commands/__init__.py); without one they
stop with one line and exit 2.
"""

import argparse
import contextlib
import gc
import importlib
import logging
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import NoReturn

from groupclinic_desktop import __version__
from groupclinic_desktop.core.errors import ClinicError

log = logging.getLogger(__name__)


def _open(args: argparse.Namespace, *, create: bool = False):  # type: ignore[no-untyped-def]
    from groupclinic_desktop.commands import open_store

    return open_store(args, create=create)


def cmd_demo(args: argparse.Namespace) -> int:
    from groupclinic_desktop.core.demo import DEMO_STAFF, create_demo

    with _open(args, create=True) as clinic:
        practice = clinic.practice()
        if practice is None:
            create_demo(clinic)
            print(f"Created the demo practice in {clinic.location.data_dir}")
        elif practice.is_demo:
            print(f"The demo practice is already in {clinic.location.data_dir}")
        else:
            print(
                f"error: {clinic.location.data_dir} holds a real practice; the demo was not "
                "added. Use another --data-dir.",
                file=sys.stderr,
            )
            return 1
    print("Demo sign-in PINs (demo only):")
    for person in DEMO_STAFF:
        print(f"  {person.name:<16} {person.role.value:<12} PIN {person.pin}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    with _open(args) as clinic:
        problems = clinic.check()
    if problems:
        print(f"FAILED: {len(problems)} problem(s): " + "; ".join(problems[:5]))
        return 1
    print("OK: integrity check passed, schema is current, audit trail is intact.")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    with _open(args) as clinic:
        path = clinic.backup(Path(args.to) if args.to else None)
    print(f"Backup written and checked: {path}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from groupclinic_desktop.commands import signed_in_store

    with signed_in_store(args) as clinic:
        kept = clinic.restore(Path(args.file))
    print(f"Restored from {args.file}. The store as it was is kept in {kept}.")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    # Start-up makes many objects and few reference cycles: the cyclic collector stays off until
    # the store is open behind the first window, ~20 ms sooner; then the UI thread runs it.
    gc.disable()
    from groupclinic_desktop.ui.app import run_app

    return run_app(args.data_dir)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="groupclinic", description="GroupClinic Desktop: run NHS group clinics."
    )
    parser.add_argument("--version", action="version", version=f"GroupClinic {__version__}")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="folder of the practice store (default: the user data folder)",
    )
    parser.add_argument("--debug", action="store_true", help="log at DEBUG level")
    parser.add_argument(
        "--user",
        metavar="NAME",
        default=None,
        help="sign in as this staff member (any unambiguous part of the name); needed by every "
        "command that reads or changes patient data",
    )
    parser.add_argument(
        "--pin-stdin",
        action="store_true",
        help="read the PIN from the first line of standard input instead of asking for it",
    )
    parser.add_argument(
        "--selftest", action="store_true", help="check this installation works, then exit 0/1"
    )
    parser.set_defaults(handler=cmd_run)
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="start the app (the default)").set_defaults(handler=cmd_run)
    sub.add_parser("demo", help="create the demo practice and print its PINs").set_defaults(
        handler=cmd_demo
    )
    sub.add_parser(
        "check", help="check the store's integrity, schema and audit trail"
    ).set_defaults(handler=cmd_check)
    backup = sub.add_parser("backup", help="write a checked, encrypted copy of the store")
    backup.add_argument("--to", help="file to write (default: the backups folder)")
    backup.set_defaults(handler=cmd_backup)
    restore = sub.add_parser(
        "restore", help="replace the store with a checked backup (an admin signs in)"
    )
    restore.add_argument("file", help="backup file made by `groupclinic backup`")
    restore.set_defaults(handler=cmd_restore, needs_sign_in=True)
    for module in _command_modules():
        module.register(sub)
    return parser


def _command_modules() -> list[ModuleType]:
    import pkgutil

    import groupclinic_desktop.commands as package

    names = sorted(m.name for m in pkgutil.iter_modules(package.__path__))
    return [importlib.import_module(f"{package.__name__}.{name}") for name in names]


class _NotPlain(Exception):
    pass


class _GlobalOptions(argparse.ArgumentParser):
    """Only the options before a command; any problem means "ask the full parser"."""

    def error(self, message: str) -> NoReturn:
        raise _NotPlain(message)


def _plain_start(argv: list[str]) -> argparse.Namespace | None:
    """The arguments of a plain start of the app (`groupclinic [--data-dir DIR] [--debug]
    [run]`), or None for anything else.

    Building the full parser imports every command module; a person starting the app needs none
    of them, and the first paint is timed (bench/startup.py).
    """
    pre = _GlobalOptions(add_help=False)
    pre.add_argument("--data-dir", type=Path, default=None)
    pre.add_argument("--debug", action="store_true")
    pre.add_argument("--selftest", action="store_true")
    try:
        args, rest = pre.parse_known_args(argv)
    except _NotPlain:
        return None
    if rest not in ([], ["run"]) or (rest and argv[-1] != "run"):
        return None
    # The same namespace as build_parser() gives; cmd_run is looked up now, not at import.
    args.command = "run" if rest else None
    args.handler = cmd_run
    args.user, args.pin_stdin = None, False  # the app signs people in on its own screen
    return args


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = _plain_start(arguments) or build_parser().parse_args(arguments)
    if args.selftest:  # before logging: a self-test leaves nothing behind on the laptop
        from groupclinic_desktop.selftest import run_selftest

        return run_selftest()
    from groupclinic_desktop import logs

    level = logging.DEBUG if args.debug else logging.INFO
    if args.command in (None, "run"):
        # Starting the app: the log file is opened once the window is painted (ui/app.py).
        logs.hold_logging(level)
        from groupclinic_desktop.core import store

        # The key from the OS keyring, read on a thread while Qt loads (not before the paint).
        store.read_key_ahead(args.data_dir)
        # The first look at the store (the store module and its driver) before Qt:
        # once PySide6 is loaded, its import hook reads the source of each module that an import
        # statement names (for its __feature__ switches), about 5 ms of files for these.
        import groupclinic_desktop.core.glance  # noqa: F401
    else:
        # A read-only home must not stop a command; it just runs without a log file.
        with contextlib.suppress(OSError):
            logs.setup_logging(level)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        if getattr(args, "needs_sign_in", False):
            from groupclinic_desktop.commands import require_user

            require_user(args)
        return handler(args)
    except ClinicError as exc:
        print(f"error: {exc}", file=sys.stderr)
        # A missing sign-in says what to add, with its own status (2).
        return int(getattr(exc, "exit_status", 1))
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the promise is one line, never a traceback
        # The type and the code path only: an exception's message may quote patient data.
        log.error(
            "unexpected %s in command %s:\n%s",
            type(exc).__name__,
            args.command,
            "".join(traceback.format_tb(exc.__traceback__)),
        )
        print(
            f"error: unexpected {type(exc).__name__}; details are in the log file.", file=sys.stderr
        )
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
