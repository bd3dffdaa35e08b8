"""`groupclinic sync`: set up, run and check the upload of the monitoring dataset to the ICB.

  groupclinic sync --url URL --token-stdin   store the service address and token (token in keyring)
  groupclinic sync --once                    sync until nothing is pending or the service is away
  groupclinic sync --status                  print the counts

With no option it does --once. Exit status 1 when events remain or sync cannot run.
Sending and setting up need a staff sign-in (`groupclinic --user NAME [--pin-stdin] sync ...`;
with both --pin-stdin and --token-stdin the PIN is the first line and the token the second);
--status needs none: it shows counts only.
"""

import argparse
import sys

from groupclinic_desktop.commands import open_store, require_user, sign_in
from groupclinic_desktop.core.errors import NotAllowed


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = subparsers.add_parser(
        "sync", help="upload the pseudonymised monitoring dataset to the ICB service"
    )
    parser.add_argument("--url", help="store the ICB service address, e.g. https://icb.example")
    parser.add_argument(
        "--token-stdin",
        action="store_true",
        help="read the practice's token from standard input and keep it in the keyring",
    )
    parser.add_argument("--once", action="store_true", help="sync now (the default)")
    parser.add_argument("--status", action="store_true", help="print what is waiting")
    parser.add_argument(
        "--batch-size", type=int, default=None, help="events a request (default: adaptive, 1-500)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.status and args.url is None and not args.token_stdin:
        with open_store(args) as clinic:
            return _status(clinic)
    require_user(args)
    with open_store(args) as clinic:
        actor = sign_in(clinic, args)
        with clinic.acting_as(actor):
            _may_sync(actor)
            if args.url is not None or args.token_stdin:
                _configure(clinic, args, actor)
                if not (args.once or args.status):
                    return 0
            if args.status:
                return _status(clinic)
            return _once(clinic, args.batch_size)


def _may_sync(actor) -> None:  # type: ignore[no-untyped-def]
    from groupclinic_desktop.core.roles import Permission, allows

    if not allows(actor.role, Permission.SYNC):
        raise NotAllowed(f"A {actor.role.value.replace('_', '-')} may not run the ICB sync.")


def _configure(clinic, args: argparse.Namespace, actor) -> None:  # type: ignore[no-untyped-def]
    from groupclinic_desktop.sync import config

    with clinic.acting_as(actor):
        token_changed = False
        if args.token_stdin:
            token = sys.stdin.readline().strip()
            config.set_token(clinic, token)
            token_changed = True
        url = args.url if args.url is not None else clinic.sync_settings().get("url")
        clinic.set_sync_settings(url, token_changed=token_changed)
    print(f"Sync set up: service {url or 'not set'}" + ("; token kept" if token_changed else ""))


def _status(clinic) -> int:  # type: ignore[no-untyped-def]
    from groupclinic_desktop.sync import status

    now = status.read(clinic)
    print("\n".join(now.lines()))
    return 0 if now.pending == 0 and not now.needs_attention else 1


def _once(clinic, batch_size: int | None) -> int:  # type: ignore[no-untyped-def]
    from groupclinic_desktop.sync.engine import Syncer, Tuning

    tuning = Tuning()
    if batch_size is not None:
        tuning.batch_size = tuning.max_batch = max(1, min(batch_size, 500))
    report = Syncer(clinic, tuning).run_pass()
    print(
        f"Sent {report.batches} batch(es): {report.stored} stored, {report.duplicate} already "
        f"held by the service, {report.needs_attention} moved to needs attention."
    )
    if report.result != "done":
        print(f"Stopped: {report.reason or report.result}")
    print(f"Pending: {report.remaining}")
    return 0 if report.remaining == 0 and report.result == "done" else 1
