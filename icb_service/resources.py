"""Where the data files in resources/ live: beside the packages in a checkout, inside a bundled
build, or where the operator says (GROUPCLINIC_RESOURCES).

The one rule for both sides: the ICB service reads the published dataset from here, and the
desktop app (groupclinic_desktop/resources.py) reads everything else, so the two can never look
in different places. Imports nothing from the desktop app.
"""

import os
import sys
from pathlib import Path


def resources_dir() -> Path:
    override = os.environ.get("GROUPCLINIC_RESOURCES")
    if override:
        return Path(override)
    bundled = getattr(sys, "_MEIPASS", None)
    if bundled:
        return Path(bundled) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
