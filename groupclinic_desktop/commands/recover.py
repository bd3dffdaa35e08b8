"""`groupclinic recover`: put the latest good backup back when the store will not open.

`groupclinic restore FILE` needs a store that opens (and an admin); a damaged store does not open,
so this command works on the files alone. It keeps the damaged file as it was before replacing it.
"""

import argparse
from pathlib import Path
from typing import Any


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
    used, kept = Clinic.recover_from_backup(args.data_dir, args.source)
    if kept is None:
        print(f"Restored from {used}. The store file was missing, so there was nothing to keep.")
    else:
        print(f"Restored from {used}. The store as it was is kept in {kept}.")
    print("Anything saved after that backup was made is not in it: check recent records.")
    return 0
