"""`groupclinic recover`: put the latest good backup back when the store will not open.

`groupclinic restore FILE` needs a store that opens (and an admin); a damaged store does not open,
so this command works on the files alone. It keeps the damaged file as it was before replacing it.
Restoring needs an admin's sign-in (`groupclinic --user NAME recover`), checked against the backup
that is about to be restored; `--list` needs none.
"""

import argparse
from pathlib import Path
from typing import Any

from groupclinic_desktop.commands import cli_actor, read_pin, require_user


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "recover", help="replace a damaged store with its latest good backup (keeps a copy)"
    )
    parser.add_argument(
        "--from", dest="source", type=Path, default=None,
        help="backup file to use (default: the newest good one in the backups folder)",
    )
    parser.add_argument(
        "--list", action="store_true", help="only say which backup would be used"
    )
    parser.set_defaults(handler=recover)


def recover(args: argparse.Namespace) -> int:
    from groupclinic_desktop.core.clinic import Clinic

    if args.list:
        latest = Clinic.latest_good_backup(args.data_dir)
        print(f"Latest good backup: {latest}" if latest else "No good backup was found.")
        return 0 if latest else 1

    wanted = require_user(args)
    chosen = args.source or Clinic.latest_good_backup(args.data_dir)
    if chosen is None:
        Clinic.recover_from_backup(args.data_dir, None)  # says there is no good backup
        return 1
    pin = read_pin(args, wanted)
    actor = cli_actor(Clinic.sign_in_on_backup(args.data_dir, chosen, wanted, pin))
    used, kept = Clinic.recover_from_backup(args.data_dir, chosen, actor=actor)
    if kept is None:
        print(f"Restored from {used}. The store file was missing, so there was nothing to keep.")
    else:
        print(f"Restored from {used}. The store as it was is kept in {kept}.")
    print("Anything saved after that backup was made is not in it: check recent records.")
    return 0
