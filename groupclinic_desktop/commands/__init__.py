"""Subcommands of `groupclinic`, one module per area (export, sync, import...).

Each module defines `register(subparsers)`, which adds its subparser(s) and sets
`handler=<function(args) -> int>` with `set_defaults`. cli.py finds the modules here by itself, so
adding a command means adding a module, never editing a shared list.
"""

import argparse
import getpass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from groupclinic_desktop.core.clinic import Actor, Clinic


def open_store(args: argparse.Namespace, *, create: bool = False) -> "Clinic":
    from groupclinic_desktop.core.clinic import Clinic

    return Clinic.open(args.data_dir, create=create)


def cli_actor() -> "Actor":
    """Who the audit trail names for work done from the terminal: the OS account, as an admin.

    Whoever can run the CLI on this laptop already holds the store's key through the keyring.
    """
    from groupclinic_desktop.core.clinic import Actor
    from groupclinic_desktop.core.schema import Role

    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return Actor(None, f"command line ({who})", Role.ADMIN)
