"""C memory (glibc's malloc) given back after the session's few large blocks.

glibc maps a block of 128 KiB or more on its own and unmaps it when freed, but when it frees one
it raises that size to the block's (up to 32 MiB) and keeps up to twice as much free at the top
of its heap. Each sign-in's scrypt (core/auth.py) takes one 16 MiB block: after the first, the
next sign-in's came from the heap and its 16 MiB stayed resident, free, for the rest of the
session (about 15 MB of a whole session's peak); the end-of-session backup's buffers stayed the
same way. Setting the two sizes turns that adjustment off: a block of LARGE_BLOCK or more is
mapped and given back when freed, and free heap above KEEP_AT_TOP is returned.

Linux with glibc only; elsewhere (macOS, Windows, musl) the platform's allocator is left as it is.
"""

import ctypes
import logging
import os

log = logging.getLogger(__name__)

# mallopt() parameters, from glibc's <malloc.h>.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

# 1 MiB: scrypt's block, SQLite's and Qt's big buffers are mapped; the everyday small and mid-size
# blocks (rows, strings, widgets) still come from the heap, with no system call each.
LARGE_BLOCK = 1 << 20
# Free memory at the top of the heap beyond this goes back to the system (glibc's default is
# 128 KiB; a little more spares a system call for each brief rise and fall).
KEEP_AT_TOP = 2 << 20

_settled: list[bool] = []


def give_large_blocks_back() -> bool:
    """Fix glibc's two sizes once per process. True when they are set (now or before)."""
    if _settled:
        return _settled[0]
    done = False
    if _is_glibc():
        try:
            libc = ctypes.CDLL(None)
            done = bool(libc.mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK)) and bool(
                libc.mallopt(_M_TRIM_THRESHOLD, KEEP_AT_TOP)
            )
        except (OSError, AttributeError) as exc:
            log.debug("malloc settings left as they were (%s)", type(exc).__name__)
    _settled.append(done)
    return done


def _is_glibc() -> bool:
    try:
        return os.confstr("CS_GNU_LIBC_VERSION") is not None
    except (AttributeError, ValueError, OSError):
        return False
