"""PySide's import hook keeps no module's source in memory, whichever is imported first: the app
(which then loads Qt) or Qt (then the app, as the tests and the bench's whole-session run do)."""

import json
import subprocess
import sys

import pytest

COUNT = """
import json, linecache
kept = sum(len(entry[2]) for name, entry in linecache.cache.items()
           if len(entry) > 2 and name.endswith(".py") and "/sqlalchemy/" in name)
print(json.dumps(kept))
"""


def _sqlalchemy_lines_kept(imports: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", imports + COUNT], capture_output=True, text=True, check=True,
        timeout=120,
    )
    return int(json.loads(done.stdout.strip().splitlines()[-1]))


def test_qt_loaded_before_the_app_keeps_no_sources() -> None:
    if _sqlalchemy_lines_kept("import PySide6.QtWidgets\nimport sqlalchemy.orm\n") == 0:
        pytest.skip("this PySide's import hook keeps no sources of its own")
    assert _sqlalchemy_lines_kept(
        "import PySide6.QtWidgets\nimport groupclinic_desktop.core.clinic\n"
    ) == 0


def test_the_app_loaded_before_qt_keeps_no_sources() -> None:
    assert _sqlalchemy_lines_kept(
        "import groupclinic_desktop\nimport groupclinic_desktop.ui\n"
        "import groupclinic_desktop.core.clinic\n"
    ) == 0
