"""Files and folders that hold patient data are readable by their owner alone (POSIX).

With the usual umask a new folder is 0755 and a new file 0644: any other account on the laptop
could read the store, its backups, the log or an exported CSV of names and NHS numbers. Every
writer of such a file makes it through here first. On Windows the folder's permissions are set
by IT (docs/deployment.md), and these calls change nothing.
"""

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_dir(folder: Path) -> Path:
    """Make the folder (and its missing parents) and keep it to its owner; returns it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    if os.name == "posix":
        try:
            if stat.S_IMODE(folder.stat().st_mode) != PRIVATE_DIR:
                folder.chmod(PRIVATE_DIR)
        except OSError:
            log.warning("could not make a folder private")
    return folder


def private_file(path: Path | str) -> Path:
    """Create the file empty if missing, readable by its owner alone; returns it.

    Made before a writer opens it, a file is never readable by others even for a moment (a writer
    that opens with "w" or "wb" keeps the mode of a file that is already there)."""
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE)
    os.close(fd)
    if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) != PRIVATE_FILE:
        path.chmod(PRIVATE_FILE)
    return path


def new_private_file(path: Path | str) -> Path:
    """Like private_file, but refuses (FileExistsError) a file that is already there."""
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    os.close(fd)
    if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) != PRIVATE_FILE:
        path.chmod(PRIVATE_FILE)  # a umask stricter than usual is fine; a looser one is not
    return path


def keep_private(path: Path) -> None:
    """Make an existing file readable by its owner alone (nothing when it is not there)."""
    if os.name != "posix":
        return
    try:
        if stat.S_IMODE(path.stat().st_mode) != PRIVATE_FILE:
            path.chmod(PRIVATE_FILE)
    except FileNotFoundError:
        pass
    except OSError:
        log.warning("could not make a file private")


def readable_by_others(folder: Path | str) -> bool:
    """Whether accounts other than the owner may list or read files in the folder (POSIX: any
    group or other permission bit); False on Windows, where the ACLs decide."""
    if os.name != "posix":
        return False
    try:
        mode = Path(folder).stat().st_mode
    except OSError:
        return False
    return bool(mode & (stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH))
