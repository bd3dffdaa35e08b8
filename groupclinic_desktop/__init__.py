"""GroupClinic Desktop: run an NHS group clinic from the clinic laptop."""

from groupclinic_desktop.module_sources import keep_module_sources_out_of_memory

__version__ = "0.1.0"

# A host that loaded Qt first (a test run, the bench): PySide's import hook must not keep the
# source of every module imported from here on. Nothing to do before Qt is loaded.
keep_module_sources_out_of_memory()
