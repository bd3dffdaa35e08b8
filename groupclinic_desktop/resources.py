"""Where the data files in resources/ live, in a source checkout and in a bundled build."""

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
