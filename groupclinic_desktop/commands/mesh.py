"""`groupclinic mesh`: the hub's MESH mailbox and the member practices' explicit mailboxes.

  groupclinic mesh setup --url URL --mailbox ID --password-stdin [--shared-key-stdin]
                         [--cert FILE --key FILE --ca FILE] [--phone NUMBER]
      With both --password-stdin and --shared-key-stdin, the first line of standard input is the
      password and the second the shared key. Both go to the keyring, never to a file.
  groupclinic mesh practice ODS --mailbox ID     an explicit mailbox instead of automated routing
  groupclinic mesh practice ODS --automated      back to automated (GPPROVIDER_) routing
  groupclinic mesh show                          what is set (never the secrets)

Needs a staff sign-in (an admin): `groupclinic --user NAME [--pin-stdin] ...`.
"""

import argparse
import sys
from typing import Any

from groupclinic_desktop.commands import signed_in_store


def register(sub: Any) -> None:
    parser = sub.add_parser("mesh", help="set up GP record delivery over MESH")
    actions = parser.add_subparsers(dest="mesh_action", required=True)
    setup = actions.add_parser("setup", help="the hub's MESH address, mailbox and secrets")
    setup.add_argument("--url", help="MESH address, e.g. https://msg.intspineservices.nhs.uk")
    setup.add_argument("--mailbox", help="the hub's (or practice's) MESH mailbox id")
    setup.add_argument("--password-stdin", action="store_true", help="read the password")
    setup.add_argument("--shared-key-stdin", action="store_true", help="read the shared key")
    setup.add_argument("--cert", help="the mailbox's client certificate (PEM)")
    setup.add_argument("--key", help="the client certificate's private key (PEM)")
    setup.add_argument("--ca", help="the CA bundle that signs the MESH server's certificate")
    setup.add_argument("--phone", help="the organisation's phone number, for the message")
    setup.set_defaults(handler=run_setup, needs_sign_in=True)
    practice = actions.add_parser("practice", help="a member practice's explicit mailbox")
    practice.add_argument("ods", help="the member practice's ODS code")
    group = practice.add_mutually_exclusive_group(required=True)
    group.add_argument("--mailbox", help="its MESH mailbox id")
    group.add_argument("--automated", action="store_true", help="use automated routing")
    practice.set_defaults(handler=run_practice, needs_sign_in=True)
    show = actions.add_parser("show", help="print the MESH settings (never the secrets)")
    show.set_defaults(handler=run_show, needs_sign_in=True)


def run_setup(args: argparse.Namespace) -> int:
    from groupclinic_desktop.delivery import config

    url = config.check_url(args.url)
    cert = config.check_file(args.cert, "Client certificate")
    key = config.check_file(args.key, "Client key")
    ca = config.check_file(args.ca, "CA bundle")
    password = sys.stdin.readline().strip() if args.password_stdin else None
    shared_key = sys.stdin.readline().strip() if args.shared_key_stdin else None
    with signed_in_store(args) as clinic:
        values = {
            name: value
            for name, value in (
                ("url", url),
                ("mailbox", args.mailbox and args.mailbox.strip().upper()),
                ("cert", cert),
                ("key", key),
                ("ca", ca),
                ("phone", args.phone),
            )
            if value is not None
        }
        if values:
            clinic.set_delivery_settings(**values)
        if password is not None:
            config.set_secret(clinic, "password", password)
        if shared_key is not None:
            config.set_secret(clinic, "shared-key", shared_key)
        cfg = config.load(clinic)
    missing, advice = cfg.missing(), cfg.advice()
    print("MESH set up" + (f"; still missing: {missing}" if missing else "; ready to send."))
    if advice:
        print(f"Note: {advice}.")
    return 0


def run_practice(args: argparse.Namespace) -> int:
    with signed_in_store(args) as clinic:
        row = clinic.set_practice_mailbox(args.ods, None if args.automated else args.mailbox)
    where = f"mailbox {row.mesh_mailbox}" if row.mesh_mailbox else "automated routing"
    print(f"{row.ods_code} ({row.name}): notes go by {where}.")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from groupclinic_desktop.delivery import config

    with signed_in_store(args) as clinic:
        cfg = config.load(clinic)
        members = clinic.member_practices()
    print(f"MESH address: {cfg.url or 'not set'}")
    print(f"Mailbox: {cfg.mailbox or 'not set'}")
    print(f"Password: {'set' if cfg.password else 'not set'}; "
          f"shared key: {'set' if cfg.shared_key else 'not set'}")
    print(f"Client certificate: {cfg.cert or 'none'}; key: {cfg.key or 'none'}; "
          f"CA: {cfg.ca or 'built-in'}")
    for member in members:
        where = member.mesh_mailbox or "automated routing"
        print(f"  {member.ods_code} {member.name}: {where}")
    missing = cfg.missing()
    print("Ready to send." if missing is None else f"Not ready: {missing}")
    if cfg.advice():
        print(f"Note: {cfg.advice()}.")
    return 0 if missing is None else 1
