"""`groupclinic send`: send people's notes to their registered practices over MESH.

  groupclinic send --session ID       queue everyone from that finished session, then send
  groupclinic send --session unsent   the same for every finished session not yet sent
  groupclinic send                    send what is queued and collect acknowledgements
  groupclinic send --status           each person's delivery state; exit 1 if any needs attention
  groupclinic send --resend ID        put a failed delivery back in the queue (after fixing it)

One message per person, from the hub's mailbox, to each person's registered practice. Needs a
staff sign-in (an admin): the parser says so with needs_sign_in=True.
"""

import argparse
from typing import Any

from groupclinic_desktop.commands import signed_in_store
from groupclinic_desktop.core.errors import InvalidInput


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "send", help="send notes to each person's registered GP practice over MESH"
    )
    parser.add_argument("--session", help="a finished session's id, or 'unsent'")
    parser.add_argument("--status", action="store_true", help="print per-person delivery states")
    parser.add_argument("--resend", type=int, help="resend a failed delivery (its id)")
    parser.set_defaults(handler=run_send, needs_sign_in=True)


def run_send(args: argparse.Namespace) -> int:
    from groupclinic_desktop.delivery.sender import Deliverer, queue_session, queue_unsent

    with signed_in_store(args) as clinic:
        if args.status:
            return _status(clinic)
        if args.resend is not None:
            _resend(clinic, args.resend)
        if args.session is not None:
            choice = str(args.session).strip().lower()
            if choice == "unsent":
                results = queue_unsent(clinic)
            elif choice.isdigit():
                results = [queue_session(clinic, int(choice))]
            else:
                raise InvalidInput(
                    f"Session: '{args.session}' is not a session id or 'unsent'.", field="Session"
                )
            for result in results:
                print(result.line())
        report = Deliverer(clinic).run_pass()
        print(report.line())
        attention = len(clinic.deliveries(needs_attention=True))
    if attention:
        print(f"{attention} delivery(ies) need attention: groupclinic send --status")
    return 0 if report.result == "done" and not attention else 1


def _resend(clinic: Any, delivery_id: int) -> None:
    from groupclinic_desktop.delivery.routing import route_for

    row = clinic.delivery(delivery_id)
    patient = clinic.patient(row.patient_id)
    # The person's registered practice may have been corrected since: send to the current one.
    member = clinic.member_practice(patient.registered_ods or row.registered_ods)
    route = route_for(patient, member)
    clinic.resend_delivery(
        delivery_id, registered_ods=patient.registered_ods or row.registered_ods,
        mex_to=route.mex_to,
    )
    print(f"Delivery {delivery_id} queued again.")


def _status(clinic: Any) -> int:
    rows = clinic.deliveries()
    if not rows:
        print("Nothing has been sent over MESH yet.")
        return 0
    patients = {p.id: p for p in clinic.patients()}
    print(f"{'id':>4}  {'session':>7}  {'person':<24} {'practice':<8} {'state':<12} reason")
    for row in rows:
        person = patients.get(row.patient_id)
        who = f"{person.family_name} ...{person.nhs_number[-4:]}" if person else "?"
        state = row.status.value + (" !" if row.needs_attention else "")
        print(
            f"{row.id:>4}  {row.session_id:>7}  {who[:24]:<24} {row.registered_ods:<8} "
            f"{state:<12} {row.reason or ''}".rstrip()
        )
    counts = clinic.delivery_counts()
    print(
        ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items() if v)
    )
    return 1 if counts["needs_attention"] else 0
