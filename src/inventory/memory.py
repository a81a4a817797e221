"""Giving freed memory back to the operating system between the build's stages (issue 14).

pandas and numpy free a stage's temporaries, but the C allocator keeps the freed pages of its heap for later
small allocations; arrays above its mmap threshold (most columns of a national table) never reuse them. After a
stage that made and dropped millions of small objects the process so holds gigabytes it does not use. Asking
glibc to trim its heap returns those pages; elsewhere (no glibc) nothing is done.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import lru_cache


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


def _arrow_pool():
    """pyarrow's default memory pool when pyarrow is already imported (pandas' `str` columns live there), else None."""
    import sys
    pa = sys.modules.get("pyarrow")
    return pa.default_memory_pool() if pa is not None else None
