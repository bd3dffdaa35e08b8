"""Subcommands of `groupclinic`, one module per area (export, sync, import...).

Each module defines `register(subparsers)`, which adds its subparser(s) and sets
`handler=<function(args) -> int>` with `set_defaults`. cli.py finds the modules here by itself, so
adding a command means adding a module, never editing a shared list.

A command that touches patient data or settings declares `needs_sign_in=True` in its
`set_defaults`, and names its actor with `signed_in_actor(args)`: the staff member a sign-in put
on `args.actor`, or (until every command signs in) the command-line actor.
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


def signed_in_actor(args: argparse.Namespace) -> "Actor":
    """Who a `needs_sign_in` command acts as: the signed-in staff member (`args.actor`, set by
    the sign-in step) or, while no sign-in step runs, the command-line actor."""
    actor = getattr(args, "actor", None)
    return actor if actor is not None else cli_actor()
