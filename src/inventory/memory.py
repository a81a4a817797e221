"""Giving freed memory back to the operating system between the build's stages (issue 14).

pandas and numpy free a stage's temporaries, but the C allocator keeps the freed pages of its heap for later
small allocations; arrays above its mmap threshold (most columns of a national table) never reuse them. After a
stage that made and dropped millions of small objects the process so holds gigabytes it does not use. Asking
glibc to trim its heap returns those pages; elsewhere (no glibc) nothing is done.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from contextlib import contextmanager
from functools import lru_cache

# glibc's mallopt parameters and the most its dynamic thresholds reach on 64-bit (malloc.c: DEFAULT_MMAP_THRESHOLD_MAX
# 32 MiB; the trim threshold twice the mmap threshold).
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_MMAP_THRESHOLD_MAX = 32 * 1024 * 1024


@lru_cache(maxsize=1)
def _libc():
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def give_back() -> None:
    """Return the allocator's free heap pages to the operating system (glibc `malloc_trim(0)`); no effect on
    any value, only on the process's resident memory."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
    pool = _arrow_pool()
    if pool is not None:
        pool.release_unused()


@contextmanager
def reusing(keep: int = 256 * 1024 * 1024):
    """Within the block, the C allocator reuses freed memory instead of returning it to the operating system and
    faulting fresh pages for the next array (issue 14: the 1M compute's page faults, whose system time swings with
    the machine's memory pressure). glibc starts a process with a 128 KiB mmap threshold and raises it (to 32 MiB
    at most) only once a block that large is freed, so a fresh process maps and unmaps most of its arrays; here the
    mmap threshold is set to that maximum and up to `keep` bytes of free heap are kept. After the block the trim
    threshold is glibc's dynamic maximum (64 MiB): the caller gives the rest back (give_back). No effect on any
    value; elsewhere (no glibc) nothing is done."""
    libc = _libc()
    mallopt = getattr(libc, "mallopt", None) if libc is not None else None
    if mallopt is not None:
        mallopt(_M_MMAP_THRESHOLD, ctypes.c_int(_MMAP_THRESHOLD_MAX))
        mallopt(_M_TRIM_THRESHOLD, ctypes.c_int(keep))
    try:
        yield
    finally:
        if mallopt is not None:
            mallopt(_M_TRIM_THRESHOLD, ctypes.c_int(2 * _MMAP_THRESHOLD_MAX))


def _arrow_pool():
    """pyarrow's default memory pool when pyarrow is already imported (pandas' `str` columns live there), else None."""
    import sys
    pa = sys.modules.get("pyarrow")
    return pa.default_memory_pool() if pa is not None else None
