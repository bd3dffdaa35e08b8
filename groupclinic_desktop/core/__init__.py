"""The headless clinic: no Qt, no HTTP. `from groupclinic_desktop.core import Clinic`."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from groupclinic_desktop.core.clinic import Clinic

__all__ = ["Clinic"]


def __getattr__(name: str) -> Any:
    # Imported lazily so that `import groupclinic_desktop.core.validation` stays light.
    if name == "Clinic":
        from groupclinic_desktop.core.clinic import Clinic

        return Clinic
    raise AttributeError(name)
