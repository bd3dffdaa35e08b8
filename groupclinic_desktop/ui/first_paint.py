"""Qt's values that the code before the first paint needs, as plain numbers.

The first use of any name in PySide6's `Qt` namespace (an alignment, a key, a connection type)
builds the Python enums of the whole namespace, about a hundred of them: some 20 ms of the
cold start that the bare window never pays. Until the window is painted, the modules it needs
pass these numbers instead, where PySide takes a number (item data roles, a signal's connection
type) or a property by name (QObject.setProperty). tests/ui/test_first_look.py checks that each
equals Qt's own value, and that the first paint builds no Qt enum.
"""

USER_ROLE = 256  # Qt.ItemDataRole.UserRole
ACCESSIBLE_TEXT_ROLE = 11  # Qt.ItemDataRole.AccessibleTextRole
QUEUED = 2  # Qt.ConnectionType.QueuedConnection
SCROLL_BAR_ALWAYS_OFF = 1  # Qt.ScrollBarPolicy.ScrollBarAlwaysOff, for setProperty
