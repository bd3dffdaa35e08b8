"""Subcommands of `groupclinic`, one module per area (export, sync, import...).

Each module defines `register(subparsers)`, which adds its subparser(s) and sets
`handler=<function(args) -> int>` with `set_defaults`. cli.py finds the modules here by itself, so
adding a command means adding a module, never editing a shared list.

A command that reads or changes patient data opens the store with `signed_in_store(args)`: the
person named by `groupclinic --user NAME` signs in with their PIN (asked without echo, or the
first line of standard input with `--pin-stdin`), and everything the command does is done, and
audited, as "NAME (command line)" under that person's role.
"""

import argparse
import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from groupclinic_desktop.core.errors import ClinicError, InvalidInput

if TYPE_CHECKING:
    from groupclinic_desktop.core.clinic import Actor, Clinic

SIGN_IN_HINT = (
    "this command needs a sign-in: add --user NAME (and --pin-stdin to give the PIN on standard "
    "input) before the command, e.g. groupclinic --user 'Alex' --pin-stdin {command} ..."
)


class SignInNeeded(ClinicError):
    """No staff sign-in was given for a command that needs one (exit status 2)."""

    exit_status = 2


def needs_sign_in(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Declare that a (sub)command reads or changes patient data: without --user, cli.py stops
    it with one line and exit 2 before anything is opened. Its handler then uses
    signed_in_store(args)."""
    parser.set_defaults(needs_sign_in=True)
    return parser


def open_store(args: argparse.Namespace, *, create: bool = False) -> "Clinic":
    from groupclinic_desktop.core.clinic import Clinic

    return Clinic.open(args.data_dir, create=create)


def command_name(args: argparse.Namespace) -> str:
    name = str(getattr(args, "command", "") or "")
    sub = getattr(args, "audit_action", None) or getattr(args, "session_action", None)
    return f"{name} {sub}" if sub else name


def require_user(args: argparse.Namespace) -> str:
    """The --user given before the command, or SignInNeeded naming what to add."""
    user = (getattr(args, "user", None) or "").strip()
    if not user:
        raise SignInNeeded(SIGN_IN_HINT.format(command=command_name(args) or "COMMAND"))
    return user


def read_pin(args: argparse.Namespace, who: str) -> str:
    """The PIN: the first line of standard input with --pin-stdin, else asked without echo."""
    if getattr(args, "pin_stdin", False):
        line = sys.stdin.readline()
        pin = line.rstrip("\r\n")
        if not pin:
            raise InvalidInput("PIN: standard input was empty; give the PIN on its first line.",
                               field="PIN")
        return pin
    if not sys.stdin.isatty():
        raise SignInNeeded(
            "there is no terminal to ask for the PIN on: add --pin-stdin and give the PIN on "
            "the first line of standard input"
        )
    return getpass.getpass(f"PIN for {who}: ")


def cli_actor(actor: "Actor") -> "Actor":
    """The signed-in person as the audit trail and PDF footers name work from the terminal."""
    from groupclinic_desktop.core.clinic import Actor

    return Actor(actor.id, f"{actor.name} (command line)", actor.role)


def sign_in(clinic: "Clinic", args: argparse.Namespace) -> "Actor":
    """Sign the --user in on this open store: a wrong PIN counts towards lock-out, as in the app.
    Returns the command-line actor; the caller acts as it (see signed_in_store)."""
    wanted = require_user(args)
    user = clinic.find_staff(wanted)
    assert user.id is not None
    pin = read_pin(args, user.name)
    return cli_actor(clinic.sign_in(user.id, pin))


@contextmanager
def signed_in_store(args: argparse.Namespace) -> Iterator["Clinic"]:
    """Open the store and act as the signed-in person for the whole command.

    Checks that a --user was given before touching the store, so a missing sign-in is one line
    and exit 2 whatever state the store is in."""
    require_user(args)
    with open_store(args) as clinic:
        actor = sign_in(clinic, args)
        with clinic.acting_as(actor):
            yield clinic
