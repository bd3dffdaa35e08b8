"""Keep PySide's import hook from holding the source of every module in memory.

To support `from __feature__ import ...`, PySide6 asks, for each module imported once Qt is
loaded, whether its source mentions "PySide6", through inspect.getsource. That goes through
linecache, which keeps every line of every file read: by the end of a session (matplotlib,
numpy, SQLAlchemy, reportlab...) about 370,000 lines, some 30 MB of the app's peak memory.
The same question is answered here by reading the file once and keeping nothing.

Called twice, so the order of imports does not matter: by the ui package once it has loaded
PySide6, and by this package's __init__ for a process that loaded Qt before the app (the bench's
whole-session child, the tests): there, the modules imported before the ui package (the store,
SQLAlchemy, pydantic) had put ~290,000 lines, some 23 MB, back into linecache.
Nothing here imports Qt: with PySide6 not loaded yet it does nothing.
"""

import sys
from types import ModuleType

_MARK = b"PySide6"


def keep_module_sources_out_of_memory() -> None:
    """Replace PySide's source test with one that reads the file without caching it (once per
    process; left alone when this PySide has no such test)."""
    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or original is None or getattr(original, "_reads_once", False):
        return

    def uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return bool(original(module))  # compiled, frozen or built in: PySide's own answer
        try:
            with open(path, "rb") as handle:
                return _MARK in handle.read()
        except OSError:
            return False  # as PySide answers when the source cannot be read

    uses_pyside._reads_once = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = uses_pyside  # type: ignore[attr-defined]
