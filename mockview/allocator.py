"""glibc's heap, for processes that run the model on more than one thread.

glibc gives each thread that allocates a heap ("arena") of its own, up to eight per core.
Memory freed in one heap serves only the threads drawing on it, so a process whose threads
take turns with large arrays (the model's buffers, the analysis's) holds the peak of each
heap at once. Everything here is a no-op where the C library has no such call.
"""

from __future__ import annotations

from functools import lru_cache

#: glibc's mallopt parameters
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -3, -8
#: heaps the threads share: one, like a process with one thread
ARENA_MAX = 1


@lru_cache(maxsize=1)
def libc():
    """The C library this process runs on, or None (looked up once: a batch worker trims
    its heap after every file)."""
    import ctypes

    try:
        return ctypes.CDLL(None)
    except OSError:
        return None


def mallopt(parameter: int, value: int) -> None:
    """glibc's ``mallopt``, where there is one."""
    call = getattr(libc(), "mallopt", None)
    if call is not None:
        call(parameter, value)


def share_one_heap() -> None:
    """Let threads started from now on draw on the heaps already there (in a process with
    one thread so far: the main one) rather than each on a heap of its own.

    Reading two chunks side by side (``mockview.speech.transcription.chunk_readers``), the
    90 s answer of ``bench/bench_analyze.py`` peaked at 542-562 MB with a heap per thread
    and at 461-478 MB with one, in the same time.
    """
    mallopt(M_ARENA_MAX, ARENA_MAX)


def release_memory() -> None:
    """Hand back to the system the heap memory freed so far (glibc's ``malloc_trim``)."""
    trim = getattr(libc(), "malloc_trim", None)
    if trim is not None:
        trim(0)
