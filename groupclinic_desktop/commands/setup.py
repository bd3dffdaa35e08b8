"""`groupclinic setup --ods CODE --name NAME --admin NAME`: set up a real practice, first admin.

There is no default password: the first admin chooses a PIN here (typed twice, never shown or
taken from the command line, where it would stay in the shell history).
"""

import argparse
import getpass
import sys
from typing import Any

from groupclinic_desktop.commands import open_store
from groupclinic_desktop.core.errors import InvalidInput


def register(sub: Any) -> None:
    parser = sub.add_parser("setup", help="set up a real practice and its first admin")
    parser.add_argument("--ods", required=True, help="the practice's ODS code, e.g. A81001")
    parser.add_argument("--name", required=True, help="the practice's name")
    parser.add_argument("--admin", required=True, help="the first admin's full name")
    parser.set_defaults(handler=setup)


def read_pin_twice(prompt: str = "PIN for the first admin: ") -> str:
    """Read the PIN twice: getpass at a terminal, two lines from stdin in scripts."""
    if sys.stdin.isatty():
        first, second = getpass.getpass(prompt), getpass.getpass("The same PIN again: ")
    else:
        first, second = sys.stdin.readline().rstrip("\r\n"), sys.stdin.readline().rstrip("\r\n")
    if first != second:
        raise InvalidInput("PIN: the two PINs are not the same; nothing was set up.", field="PIN")
    return first


def setup(args: argparse.Namespace) -> int:
    from groupclinic_desktop.core.clinic import SYSTEM

    with open_store(args, create=True) as clinic:
        if clinic.practice() is not None:
            raise InvalidInput(
                f"{clinic.location.data_dir} already holds a practice; setup changed nothing."
            )
        pin = read_pin_twice()
        with clinic.acting_as(SYSTEM):
            clinic.set_up_practice(args.ods, args.name, args.admin, pin)
        print(f"Set up {args.name.strip()} ({args.ods.strip().upper()}) in "
              f"{clinic.location.data_dir}.")
        print(f"{args.admin.strip()} can now sign in as the admin with the PIN just chosen.")
    return 0
