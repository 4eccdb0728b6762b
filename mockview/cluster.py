"""``mockview batch --dask ADDRESS``: the same batch, analysed on a Dask distributed cluster.

Only this module imports ``distributed`` (the optional extra ``mockview[cluster]``). Each
worker loads the model once, when it joins (``ModelPlugin``); the client hands out one
recording per task, by path (storage the workers share) or, with ``send_audio``, as bytes,
and ``mockview.batch`` writes the results here, as it does for local workers.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from mockview.batch import Recording, WorkerLost, analyze_in_worker, prepare_worker
from mockview.errors import MockviewError

if TYPE_CHECKING:
    from mockview.words import QuestionInfo

#: how long to wait for the scheduler, and for a first worker to join
CONNECT_TIMEOUT_S = 20


class ClusterError(MockviewError):
    """A Dask cluster that cannot be used: distributed missing, no scheduler, no workers."""


def _distributed():
    try:
        import distributed
    except ImportError:
        raise ClusterError("--dask needs the distributed package. Install it with: pip "
                           "install 'mockview[cluster]'") from None
    return distributed


PLUGIN_NAME = "mockview-model"
#: what a worker's environment must hold for its threads to share one heap (glibc's arenas):
#: read when the process starts, so the worker plugin is too late to set it
ARENA_VARIABLE, ARENA_VALUE = "MALLOC_ARENA_MAX", "1"
#: the worker's statistical profiler: the stacks of its busy threads, 100 times a second
PROFILER_CALLBACKS = ("profile", "profile-cycle")


def model_plugin(model_name: str | None):
    """A worker plugin loading the model once on each worker, those that join later too,
    and pausing the worker's profiler while it is registered."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class ModelPlugin(WorkerPlugin):
        name = PLUGIN_NAME

        def __init__(self, model_name):
            self.model_name = model_name
            self.paused: list[str] = []

        def setup(self, worker):
            # one thread per worker thread: the README asks for one per worker (--nthreads 1)
            prepare_worker(self.model_name, threads=worker.state.nthreads)
            self.paused = pause_profiler(worker)

        def teardown(self, worker):
            resume_profiler(worker, self.paused)

    return ModelPlugin(model_name)


def arena_setting() -> str | None:
    """``MALLOC_ARENA_MAX`` as the worker (where this runs) was started with, if at all."""
    return os.environ.get(ARENA_VARIABLE)


def heap_warning(settings: dict[str, str | None], address: str) -> str | None:
    """The line to show when any worker (address to its ``arena_setting()``) was started
    without ``MALLOC_ARENA_MAX=1``: it works, but each of its threads keeps a heap of its
    own, and on eight answers such a worker used 17 % more CPU and peaked 44 MB higher.
    The plugin cannot mend it: glibc reads the variable once, as the process starts."""
    without = [worker for worker, value in settings.items() if value != ARENA_VALUE]
    if not without:
        return None
    return (f"Warning: {len(without)} of {len(settings)} Dask workers run without "
            f"{ARENA_VARIABLE}={ARENA_VALUE} in their environment, so each of their threads "
            "keeps a heap of its own (more memory and CPU per file). Start them with it: "
            f"{ARENA_VARIABLE}={ARENA_VALUE} dask worker {address} --nthreads 1, or Dask's "
            "setting distributed.nanny.pre-spawn-environ (README, \"On a Dask cluster\").")


def pause_profiler(worker) -> list[str]:
    """Stop the worker's statistical profiler; the names of the callbacks stopped.

    Every 10 ms the worker's event loop takes the GIL to walk the stack of each busy
    thread, and every file here is one long task whose profile no one reads: on eight
    answers and two workers, each worker's event loop used 2.3-2.6 s of CPU with it and
    1.0 s without. A cluster for mockview alone can leave it off from the start with the
    setting ``distributed.worker.profile.enabled: false``.
    """
    paused = []
    for name in PROFILER_CALLBACKS:
        callback = worker.periodic_callbacks.get(name)
        if callback is not None and callback.is_running():
            callback.stop()
            paused.append(name)
    return paused


def resume_profiler(worker, paused: list[str]) -> None:
    """Start again what ``pause_profiler`` stopped: the cluster is the same after a batch."""
    for name in paused:
        callback = worker.periodic_callbacks.get(name)
        if callback is not None:
            callback.start()


class DaskWorkers:
    """The workers of a Dask cluster, seen as ``mockview.batch`` sees its local ones."""

    def __init__(self, address: str, model_name: str | None, *, send_audio: bool = False):
        distributed = _distributed()
        self.model_name = model_name
        self.send_audio = send_audio
        try:
            self.client = distributed.Client(address, timeout=f"{CONNECT_TIMEOUT_S}s")
        except (OSError, TimeoutError, ValueError) as error:
            raise ClusterError(f"Cannot reach the Dask scheduler at {address} ({error}). "
                               "Check the address, or start one with: dask scheduler") \
                from None
        try:
            self.client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
        except TimeoutError:
            self.client.close()
            raise ClusterError(f"The Dask scheduler at {address} has no workers. Start some "
                               f"with: dask worker {address} --nthreads 1") from None
        self.client.register_plugin(model_plugin(model_name))
        #: one line for the user when workers were started without one heap, else None
        self.warning = heap_warning(self.client.run(arena_setting), address)
        # one file per worker thread; more threads than cores only share the model's time
        self.slots = max(1, sum(self.client.nthreads().values()))

    def submit(self, recording: Recording, question: QuestionInfo | None):
        audio = recording.source.read_bytes() if self.send_audio else None
        # pure=False: a file analysed again (changed, or a newer analysis) is new work
        future = self.client.submit(analyze_in_worker, str(recording.source), question,
                                    self.model_name, audio, pure=False)
        return future

    @staticmethod
    def result(future) -> tuple[dict | None, str | None]:
        from distributed import KilledWorker

        try:
            return future.result()
        except KilledWorker:
            raise WorkerLost from None

    def restart(self) -> None:
        pass  # the scheduler replaces its lost workers itself

    def stop(self) -> None:
        self.close()

    def close(self) -> None:
        try:
            # the workers' profilers run again; the model stays loaded for a next batch
            self.client.unregister_worker_plugin(PLUGIN_NAME)
        except Exception:  # a scheduler already gone: nothing to give back
            pass
        self.client.close()

    @staticmethod
    def wait(futures, return_when):
        """``concurrent.futures.wait`` for Dask futures."""
        from distributed import wait

        return wait(list(futures), return_when=return_when)
