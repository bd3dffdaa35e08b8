"""The background GP record delivery worker: ICB sync's worker (sync/worker.py) running delivery
passes. After a success it polls to collect acknowledgements; `now()` sends at once.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

from groupclinic_desktop.delivery.sender import ClientFactory, Deliverer, PassReport
from groupclinic_desktop.sync.worker import PassWorker

if TYPE_CHECKING:
    from groupclinic_desktop.core.clinic import Clinic


def delivery_worker(
    clinic: "Clinic",
    *,
    poll_seconds: float = 300.0,
    client_factory: ClientFactory | None = None,
    on_pass: Callable[[PassReport], None] | None = None,
) -> PassWorker[PassReport]:
    return PassWorker(
        Deliverer(clinic, client_factory=client_factory),
        name="delivery",
        poll_seconds=poll_seconds,
        offline=lambda reason: PassReport(result="offline", reason=reason),
        on_pass=on_pass,
    )
