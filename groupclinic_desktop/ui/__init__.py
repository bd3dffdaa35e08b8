"""The Qt user interface."""

import PySide6  # noqa: F401 - loads shiboken's support modules, its import hook among them

from groupclinic_desktop.module_sources import keep_module_sources_out_of_memory

keep_module_sources_out_of_memory()
