"""How a batch worker uses memory: freed arrays reused, not mapped afresh, even in a process
started as Dask's nanny starts its workers; and after each file, nothing kept that the
system could have back. Each check runs in a fresh process: allocator settings are
process-wide."""

import os
import subprocess
import sys

import pytest

from .audio_helpers import DATA

SHORT = DATA / "61-70968-0000.flac"  # 4.9 s
PAGE = os.sysconf("SC_PAGE_SIZE")


def _python(code, env=None):
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300, env={**os.environ, **(env or {})})
    assert result.returncode == 0, result.stderr
    return result.stdout


REUSE = """
import resource
import numpy as np
from mockview.batch import prepare_worker

prepare_worker({missing!r}, threads=1)
np.ones(1 << 17)  # 1 MiB: over the 128 KiB that a fixed threshold maps afresh each time
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    array = np.ones(1 << 17)
    del array
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_a_worker_started_as_dask_starts_it_reuses_the_arrays_it_frees(tmp_path):
    # Dask's nanny sets MALLOC_TRIM_THRESHOLD_, which pins glibc's mmap threshold at
    # 128 KiB: each freed 1 MiB array would be unmapped and the next one faulted in page by
    # page (20 x 257 faults). A worker reuses the heap: fewer faults than one array's pages.
    # The model is a folder without one, so only the worker's set-up runs.
    faults = int(_python(REUSE.format(missing=str(tmp_path)),
                         env={"MALLOC_TRIM_THRESHOLD_": "65536"}))
    assert faults < (1 << 20) // PAGE


RELEASE = """
import ctypes
from pathlib import Path
from mockview.batch import analyze_in_worker, prepare_worker

def rss_bytes():
    return int(Path("/proc/self/statm").read_text().split()[1]) * {page}

prepare_worker(None, threads=1)
report, error = analyze_in_worker({source!r}, None, None)
assert error is None, error
held = rss_bytes()
ctypes.CDLL(None).malloc_trim(0)
print(held - rss_bytes())
"""


@pytest.mark.model
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_after_a_file_a_worker_keeps_nothing_the_system_could_have_back():
    # without the release after each file, a trim here handed back 21-30 MB
    released = int(_python(RELEASE.format(page=PAGE, source=str(SHORT))))
    assert released < 4 << 20


SHARED_HEAP = """
import resource
import threading

import numpy as np
from mockview.batch import tune_allocator

tune_allocator()

def churn():
    arrays = [np.ones(1 << 17) for _ in range(16)]  # 16 x 1 MiB, freed in this thread
    del arrays

thread = threading.Thread(target=churn)
thread.start()
thread.join()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
arrays = [np.ones(1 << 17) for _ in range(16)]
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_memory_one_thread_frees_serves_the_others(tmp_path):
    # A Dask worker analyses in a thread of its own. With a heap per thread (glibc's
    # default), the 16 MiB that thread freed stayed in its heap and the main thread faulted
    # in 16 MiB afresh (4,085 faults); sharing one heap, it reuses them.
    faults = int(_python(SHARED_HEAP, env={"MALLOC_TRIM_THRESHOLD_": "65536"}))
    assert faults < (1 << 20) // PAGE


HELD = """
import os
from pathlib import Path
import mockview.batch as batch

os.environ.pop("MKL_DISABLE_FAST_MM", None)  # as a process is started
if {manager_on!r}:
    batch.MODEL_ALLOCATOR_ENVIRON = {{}}  # as before the worker turned MKL's manager off
batch.prepare_worker(None, threads=1)
for _ in range(2):
    report, error = batch.analyze_in_worker({source!r}, None, None)
    assert error is None, error
print(int(Path("/proc/self/statm").read_text().split()[1]) * {page})
"""


@pytest.mark.model
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_between_files_a_worker_does_not_keep_the_models_buffers():
    # CTranslate2's arithmetic (MKL) kept the buffers the model freed for its next call,
    # out of reach of the trim after each file: after two 4.9 s files a worker held
    # 273.7-274.0 MB with MKL's memory manager on, 264.2-264.3 MB with it off. On another
    # machine (AMD EPYC) both held 262.0-262.1 MB: the manager made no difference there, so
    # what holds everywhere is that turning it off never costs memory.
    held = {on: int(_python(HELD.format(manager_on=on, source=str(SHORT), page=PAGE)))
            for on in (False, True)}
    assert held[False] - held[True] < 2 << 20


MANAGER = """
import os
import mockview.batch as batch
import mockview.speech.transcription as transcription

os.environ.pop("MKL_DISABLE_FAST_MM", None)  # as a process is started
transcription.load_model = lambda *args, **kwargs: print(os.environ.get("MKL_DISABLE_FAST_MM"))
batch.prepare_worker(None, threads=2)
print(transcription.chunk_readers())
"""


def test_a_worker_turns_mkls_memory_manager_off_before_the_model_loads():
    # MKL reads the setting once, as the model's first arithmetic runs; and a worker reads
    # one chunk at a time, even with two threads: its batch runs files side by side
    assert _python(MANAGER, env={"MOCKVIEW_CHUNK_READERS": "2"}).split() == ["1", "1"]
