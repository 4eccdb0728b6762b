"""Many recordings at once: ``mockview batch``, on every core, resumable.

Each worker process loads the model once (the pool's initializer) and runs
``mockview.api.analyze_file`` on one recording at a time; this process alone writes: each
report to ``DIR/<name>.json`` (a temp file, then ``os.replace``), a line to the index
``DIR/batch-index.jsonl`` once the report is in place, and the rows of ``summary.csv`` and
``errors.csv`` as results arrive. Nothing holds more than the reports in flight, so memory
stays flat over any number of files.

The index remembers, per recording, the content hash (SHA-256), the analysis version, the
model and the question its report was made with: a recording whose four are unchanged and
whose report is on disk is skipped; anything else is analysed again. A batch killed at any
point leaves whole reports only (the temp files it leaves are removed by the next run), and a
report without its index line is simply made again.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mockview.allocator import (
    M_MMAP_THRESHOLD,
    M_TRIM_THRESHOLD,
    mallopt,
    release_memory,
    share_one_heap,
)
from mockview.errors import MockviewError

if TYPE_CHECKING:
    from mockview.words import QuestionInfo

INDEX_NAME = "batch-index.jsonl"
SUMMARY_NAME = "summary.csv"
ERRORS_NAME = "errors.csv"
PEOPLE_NAME = "people.csv"
#: what this module's temp files end with, so a later run knows its own leftovers
TEMP_SUFFIX = ".mockview-tmp"
SUMMARY_COLUMNS = (
    "file", "report", "question", "duration_s", "word_count", "words_per_minute",
    "fillers_per_minute", "filler_count", "long_pause_count", "longest_pause_s",
    "pace", "length", "rambling", "structure", "monotone", "work_on",
)
#: the numbers averaged per person by --summary-by
PERSON_MEANS = ("duration_s", "words_per_minute", "fillers_per_minute", "long_pause_count")
#: how many reports may be in flight per worker: enough to keep it busy, few enough to
#: keep memory flat
IN_FLIGHT_PER_JOB = 2
#: how often a recording may be in flight when a worker process dies before it is given up
MAX_ATTEMPTS = 2

logger = logging.getLogger("mockview")


class BatchError(MockviewError):
    """Batch input that cannot be used: a question map, an output folder, a pattern."""


@dataclass(frozen=True)
class Recording:
    """One file of the batch: where it is and the name of its report."""

    source: Path
    name: str
    question_id: str | None


@dataclass
class Outcome:
    """What happened to one recording: its summary row, or the reason it failed."""

    recording: Recording
    row: dict | None = None
    error: str | None = None
    skipped: bool = False
    duration_s: float = 0.0


@dataclass
class BatchResult:
    total: int = 0
    analysed: int = 0
    skipped: int = 0
    failed: int = 0
    audio_s: float = 0.0
    wall_s: float = 0.0
    people: list[dict] = field(default_factory=list)


# --- finding the recordings ------------------------------------------------------------


def find_recordings(paths: Iterable[str | os.PathLike], *, skip: Path | None = None
                    ) -> list[Path]:
    """The files to analyse: each file as given, and the audio files under each folder
    (by suffix, recursively, in name order), once each; nothing under ``skip``."""
    from mockview.speech.audio import SUPPORTED_SUFFIXES

    found: dict[Path, None] = {}
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise BatchError(f"No such file or folder: {path}. Check the path and try again.")
        if path.is_dir():
            for dirpath, dirnames, filenames in os.walk(path):
                dirnames.sort()
                here = Path(dirpath)
                if skip is not None and _is_within(here, skip):
                    dirnames.clear()
                    continue
                for name in sorted(filenames):
                    if (Path(name).suffix.lower() in SUPPORTED_SUFFIXES
                            and not name.startswith(".")):
                        found.setdefault((here / name).resolve(), None)
        else:
            found.setdefault(path.resolve(), None)
    return list(found)


def _is_within(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def read_question_map(csv_path: str | os.PathLike) -> dict[str, str]:
    """``FILE.csv`` with columns ``file`` and ``question``: recording (a file name, or the
    end of its path) to question id. Ids are checked against the banks by the caller."""
    path = Path(csv_path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            columns = [c.strip().lower() for c in reader.fieldnames or ()]
            if "file" not in columns or "question" not in columns:
                raise BatchError(
                    f"{path} has no 'file' and 'question' columns (found: "
                    f"{', '.join(columns) or 'nothing'}). Give a CSV whose first line is: "
                    "file,question")
            reader.fieldnames = columns
            mapping: dict[str, str] = {}
            for line_no, row in enumerate(reader, start=2):
                name = (row.get("file") or "").strip().replace("\\", "/")
                question = (row.get("question") or "").strip()
                if not name:
                    continue
                if mapping.get(name, question) != question:
                    raise BatchError(f"{path}, line {line_no}: {name} is mapped to both "
                                     f"{mapping[name]} and {question}. Keep one.")
                if question:
                    mapping[name] = question
            return mapping
    except OSError as error:
        raise BatchError(f"Cannot read {path}: {error.strerror or error}. Check the path.") \
            from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise BatchError(f"{path} is not a readable CSV file ({error}). Save it as UTF-8 "
                         "CSV with the columns file,question.") from None


def question_for(path: Path, mapping: dict[str, str]) -> str | None:
    """The mapped question of a recording: its longest path ending found in the map
    (``class-a/ann_q1.wav`` before ``ann_q1.wav``)."""
    parts = path.parts
    for start in range(len(parts)):
        found = mapping.get("/".join(parts[start:]))
        if found is not None:
            return found
    return None


def plan(files: list[Path], index: dict[str, dict], questions: Callable[[Path], str | None]
         ) -> list[Recording]:
    """Each file with a report name that is unique in the folder and stays the same across
    runs: the one the index gave it before, else ``<stem>.json``, else ``<stem>-2.json``..."""
    taken = {entry["name"] for key, entry in index.items()}
    recordings = []
    for source in files:
        entry = index.get(str(source))
        if entry is not None:
            name = entry["name"]
        else:
            stem = _safe_stem(source.stem)
            name, n = f"{stem}.json", 1
            while name in taken:
                n += 1
                name = f"{stem}-{n}.json"
            taken.add(name)
        recordings.append(Recording(source, name, questions(source)))
    return recordings


def _safe_stem(stem: str) -> str:
    # a report name is a plain file name: no separators, no leading dot (hidden, or ours)
    cleaned = re.sub(r"[^\w.-]+", "_", stem).lstrip(".")
    return cleaned or "recording"


# --- the index and atomic files ---------------------------------------------------------


def read_index(out_dir: Path) -> dict[str, dict]:
    """The index's last entry per recording. A torn last line (a kill mid-write) is
    ignored; whether the entry's report is still on disk is the caller's to check."""
    entries: dict[str, dict] = {}
    try:
        with (out_dir / INDEX_NAME).open(encoding="utf-8") as handle:
            for line in handle:
                try:
                    entry = json.loads(line)
                    entries[entry["file"]] = entry
                except (ValueError, KeyError, TypeError):
                    continue
    except FileNotFoundError:
        pass
    return entries


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all: a synced temp file, then a rename."""
    temp = path.with_name(f".{path.name}.{os.getpid()}{TEMP_SUFFIX}")
    try:
        with temp.open("w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def remove_leftovers(out_dir: Path) -> int:
    """Remove the temp files of a batch that was killed; how many there were."""
    count = 0
    for temp in out_dir.glob(f".*{TEMP_SUFFIX}"):
        temp.unlink(missing_ok=True)
        count += 1
    return count


class _StreamedCsv:
    """A CSV written row by row to a temp file and put in place by ``close()``: readers never
    see half of one, and a killed run leaves the last complete one."""

    def __init__(self, path: Path, columns: Iterable[str]):
        self.path = path
        self.temp = path.with_name(f".{path.name}.{os.getpid()}{TEMP_SUFFIX}")
        self.handle = self.temp.open("w", newline="", encoding="utf-8")
        self.writer = csv.DictWriter(self.handle, fieldnames=list(columns))
        self.writer.writeheader()

    def write(self, row: dict) -> None:
        self.writer.writerow(row)

    def close(self) -> None:
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        os.replace(self.temp, self.path)

    def discard(self) -> None:
        self.handle.close()
        self.temp.unlink(missing_ok=True)


# --- rows and cohorts -------------------------------------------------------------------


def summary_row(recording: Recording, report: dict) -> dict:
    """The summary's row for one report: the numbers and verdicts a spreadsheet wants."""
    metrics = report["metrics"]
    structure = (metrics.get("content") or {}).get("structure")
    pitch = (metrics.get("delivery") or {}).get("pitch") or {}
    rambling = metrics["rambling"]
    return {
        "file": str(recording.source),
        "report": recording.name,
        "question": recording.question_id or "",
        "duration_s": report["audio"]["duration_s"],
        "word_count": metrics["length"]["word_count"],
        "words_per_minute": _blank(metrics["pace"]["words_per_minute"]),
        "fillers_per_minute": _blank(metrics["fillers"]["per_minute"]),
        "filler_count": metrics["fillers"]["count"],
        "long_pause_count": metrics["pauses"]["long_count"],
        "longest_pause_s": _blank(metrics["pauses"]["longest_s"]),
        "pace": metrics["pace"]["verdict"],
        "length": metrics["length"]["verdict"],
        "rambling": ("" if not rambling.get("judged", True)
                     else "flagged" if rambling["flagged"] else "no"),
        "structure": structure["verdict"] if structure else "",
        "monotone": _blank(pitch.get("monotone")),
        "work_on": " | ".join(item["title"] for item in report["feedback"][:2]),
    }


def _blank(value):
    return "" if value is None else value


def _tips(report: dict) -> list[list]:
    """The first tips as [id, title]: what a person's summary counts."""
    return [[item["id"], item["title"]] for item in report["feedback"][:3]]


class Cohorts:
    """Per person (the ``person`` group of a pattern over file names): running sums of the
    numbers and a count of each tip, so memory grows with people, not answers."""

    def __init__(self, pattern: str):
        try:
            self.pattern = re.compile(pattern)
        except re.error as error:
            raise BatchError(f"--summary-by {pattern!r} is not a regular expression "
                             f"({error}). Example: '(?P<person>[^_]+)_'") from None
        if "person" not in self.pattern.groupindex:
            raise BatchError(f"--summary-by {pattern!r} has no group named person. Name "
                             "the part of the file name that is the person, for example "
                             "'(?P<person>[^_]+)_'")
        self.people: dict[str, dict] = {}
        self.unmatched = 0

    def add(self, file: str, row: dict, tips: list[list]) -> None:
        match = self.pattern.search(Path(file).name)
        person = match.group("person") if match else None
        if not person:
            self.unmatched += 1
            return
        entry = self.people.setdefault(person, {
            "answers": 0, "sums": dict.fromkeys(PERSON_MEANS, 0.0),
            "counts": dict.fromkeys(PERSON_MEANS, 0), "tips": {}})
        entry["answers"] += 1
        for key in PERSON_MEANS:
            if row.get(key) not in (None, ""):
                entry["sums"][key] += float(row[key])
                entry["counts"][key] += 1
        for rank, (tip_id, title) in enumerate(tips):
            # by metric: how many answers carry it, then how near the top it stood; and
            # its titles ("Say more: aim for 1:00-2:00"), the most frequent shown
            tip = entry["tips"].setdefault(tip_id, {"count": 0, "weight": 0.0, "titles": {}})
            tip["count"] += 1
            tip["weight"] += 1.0 / (rank + 1)
            tip["titles"][title] = tip["titles"].pop(title, 0) + 1  # latest last

    def rows(self) -> list[dict]:
        rows = []
        for person in sorted(self.people):
            entry = self.people[person]
            row = {"person": person, "answers": entry["answers"]}
            for key in PERSON_MEANS:
                count = entry["counts"][key]
                row[f"mean_{key}"] = round(entry["sums"][key] / count, 2) if count else ""
            ranked = sorted(entry["tips"].items(),
                            key=lambda item: (-item[1]["count"], -item[1]["weight"], item[0]))
            for n in (1, 2):
                row[f"work_on_{n}"] = ""
                if len(ranked) >= n:
                    tip = ranked[n - 1][1]
                    titles = list(tip["titles"].items())
                    # the most frequent title; of equals, the latest
                    title = max(reversed(titles), key=lambda t: t[1])[0]
                    row[f"work_on_{n}"] = f"{title} ({tip['count']} of {entry['answers']})"
            rows.append(row)
        return rows

    @staticmethod
    def columns() -> list[str]:
        return ["person", "answers", *(f"mean_{key}" for key in PERSON_MEANS),
                "work_on_1", "work_on_2"]


# --- the workers ------------------------------------------------------------------------


def _init_worker(model_name: str | None, threads: int) -> None:
    """Each local worker process: its share of the cores, then the model, once."""
    import signal

    # Ctrl-C is the batch's to handle: it stops the workers itself
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    prepare_worker(model_name, threads=threads)


def prepare_worker(model_name: str | None, *, threads: int) -> None:
    """What any worker (a local process, a Dask worker) does once: take ``threads`` threads
    for the model's arithmetic, let go of memory as one file ends (``tune_allocator``,
    ``MODEL_ALLOCATOR_ENVIRON``), then load the model. Left to its default, CTranslate2 may
    take several threads per model, and workers sharing the cores then fight over them."""
    from mockview.speech.transcription import READERS_VARIABLE, load_model

    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(threads)
    # a worker reads one chunk at a time: the batch's parallelism is its workers, and two
    # readers raised a --jobs 1 worker's peak from about 420 to 540 MB, over analyze's
    os.environ[READERS_VARIABLE] = "1"
    os.environ.update(MODEL_ALLOCATOR_ENVIRON)
    tune_allocator()
    logging.getLogger("mockview").setLevel(logging.ERROR)  # warnings reach the caller
    # faster-whisper makes a (disabled) tqdm bar, whose default lock is a multiprocessing
    # one: in a spawned process a named semaphore that a worker ended by Ctrl-C leaves
    # behind, and multiprocessing then warns of it on stderr. A thread lock does here.
    import threading

    try:
        from tqdm import tqdm
    except ImportError:
        pass
    else:
        tqdm.set_lock(threading.RLock())
    try:
        load_model(model_name)
    except MockviewError:
        pass  # each file then fails with the model's one-line reason


#: the largest block glibc serves from reused heap memory rather than a fresh mapping: the
#: ceiling its own sliding threshold climbs to (32 MiB on 64-bit), and twice that before it
#: hands the top of the heap back, as it would itself
MMAP_THRESHOLD_BYTES = 32 << 20
#: CTranslate2's arithmetic (Intel MKL, built into it) takes its buffers from MKL's own
#: memory manager, which keeps what the model frees for its next call: glibc never sees it
#: freed, so neither the analysis's arrays nor ``malloc_trim`` can use it, and a worker
#: carried the last file's encoder and alignment buffers into the next one. With the manager
#: off they are plain heap blocks. Two answers in turn (88 s, then 57 s), twice each: 264-265
#: MB between files instead of 278-284, peaks 417-420 MB instead of 435-448, the same CPU
#: time (15.4-15.7 s against 15.6-15.8 s). Set before the model is loaded, it is in time.
MODEL_ALLOCATOR_ENVIRON = {"MKL_DISABLE_FAST_MM": "1"}


def tune_allocator() -> None:
    """Let a worker reuse the memory of the arrays it frees instead of mapping it afresh,
    whichever of its threads frees them.

    Dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536``, and setting any
    threshold turns off glibc's sliding one: every array over 128 KiB is then a new mapping,
    zeroed page by page and unmapped when freed. Measured on a batch of eight answers, that
    made four to five times the page faults and system time of a local worker, and a
    two-worker cluster some 40 % slower than ``--jobs 2``. Memory is handed back after each
    file instead (``release_memory``).

    The worker's threads share one heap too (``mockview.allocator.share_one_heap``): a
    heap other than the main one unmaps its blocks as they empty, to fault them in again.
    The analysis and the model's thread each had one: on an 89 s answer a process peaked
    at 466 MB analysing in its main thread and at 500 MB in a second thread (as a Dask
    worker does), both at 417 MB with one heap. Threads started after this call draw
    on the heaps already there: in a local worker, the main one. A Dask worker already has
    threads with heaps of their own, so it needs ``MALLOC_ARENA_MAX=1`` in its environment
    for the same (README, "On a Dask cluster").
    """
    mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
    mallopt(M_TRIM_THRESHOLD, 2 * MMAP_THRESHOLD_BYTES)
    share_one_heap()


def analyze_in_worker(source: str, question: QuestionInfo | None, model_name: str | None,
                      audio: bytes | None = None) -> tuple[dict | None, str | None]:
    """(report, None), or (None, the one-line reason) for a file that cannot be analysed.

    ``audio``, when given, is the file's content, sent by a client whose storage this worker
    does not share: it is analysed from a temp file and the report names ``source``.
    """
    from mockview.api import analyze_file

    copy = None
    try:
        if audio is None:
            return analyze_file(source, question=question, model=model_name).to_dict(), None
        import tempfile

        with tempfile.TemporaryDirectory(prefix="mockview-") as folder:
            copy = Path(folder) / Path(source).name
            copy.write_bytes(audio)
            report = analyze_file(copy, question=question, model=model_name).to_dict()
        report["audio"]["path"] = str(Path(source))
        return report, None
    except MockviewError as error:
        message = str(error)
        # a message about the temp copy is about the client's file
        return None, message.replace(str(copy), source) if copy is not None else message
    except Exception as error:  # an unknown failure must not stop the batch either
        return None, f"Unexpected {type(error).__name__}: {error}".splitlines()[0]
    finally:
        release_memory()


class WorkerLost(Exception):
    """The process analysing a recording died (crashed, killed, out of memory)."""


class LocalWorkers:
    """``jobs`` worker processes on this machine, each with its model loaded once."""

    def __init__(self, jobs: int, model_name: str | None):
        import multiprocessing

        self.jobs = self.slots = jobs
        self.model_name = model_name
        self.threads = max(1, (os.cpu_count() or 1) // jobs)
        self.context = multiprocessing.get_context("spawn")  # no model or thread state forked
        self.pool = self._new_pool()

    def _new_pool(self):
        from concurrent.futures import ProcessPoolExecutor

        return ProcessPoolExecutor(max_workers=self.jobs, mp_context=self.context,
                                   initializer=_init_worker,
                                   initargs=(self.model_name, self.threads))

    def submit(self, recording: Recording, question: QuestionInfo | None):
        return self.pool.submit(analyze_in_worker, str(recording.source), question,
                                self.model_name)

    @staticmethod
    def result(future) -> tuple[dict | None, str | None]:
        from concurrent.futures.process import BrokenProcessPool

        try:
            return future.result()
        except BrokenProcessPool:
            raise WorkerLost from None

    @staticmethod
    def wait(futures, return_when):
        from concurrent.futures import wait

        return wait(futures, return_when=return_when)

    def restart(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = self._new_pool()

    def stop(self) -> None:
        """End the workers now, their current files unfinished (Ctrl-C)."""
        # ProcessPoolExecutor has no public way to end busy workers before Python 3.14
        for process in list((getattr(self.pool, "_processes", None) or {}).values()):
            process.terminate()
        self.pool.shutdown(wait=True, cancel_futures=True)  # the ended workers, reaped

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


# --- the run ----------------------------------------------------------------------------


@dataclass
class BatchOptions:
    out_dir: Path
    jobs: int = 1
    model_name: str | None = None
    questions: dict[str, QuestionInfo | None] = field(default_factory=dict)
    summary_by: Cohorts | None = None
    #: where the files are analysed: ``LocalWorkers(jobs, model_name)`` when None, or a
    #: ``mockview.cluster.DaskWorkers``
    workers: object | None = None


def run_batch(
    recordings: list[Recording],
    options: BatchOptions,
    *,
    on_outcome: Callable[[Outcome, BatchResult], None] | None = None,
    on_report: Callable[[dict], None] | None = None,
) -> BatchResult:
    """Analyse the recordings not yet analysed, skip the rest; write the reports, the index,
    ``summary.csv``, ``errors.csv`` (and ``people.csv`` with cohorts) in ``out_dir``.

    ``on_outcome`` hears of each recording as it is done (progress); ``on_report`` gets each
    report, the ones skipped read back from disk (``--jsonl``).
    """
    from mockview.analysis import ANALYSIS_VERSION

    out_dir = options.out_dir
    index = read_index(out_dir)
    result = BatchResult(total=len(recordings))
    started = time.monotonic()
    summary = _StreamedCsv(out_dir / SUMMARY_NAME, SUMMARY_COLUMNS)
    errors = _StreamedCsv(out_dir / ERRORS_NAME, ("file", "error"))
    index_file = (out_dir / INDEX_NAME).open("a", encoding="utf-8")
    try:
        def finish(outcome: Outcome, report: dict | None = None, key: dict | None = None):
            recording = outcome.recording
            if outcome.error is not None:
                result.failed += 1
                errors.write({"file": str(recording.source), "error": outcome.error})
            else:
                if report is not None:
                    write_atomic(out_dir / recording.name,
                                 json.dumps(report, indent=2, ensure_ascii=False))
                    entry = {**key, "name": recording.name, "row": outcome.row,
                             "tips": _tips(report)}
                    index_file.write(json.dumps(entry, ensure_ascii=False) + "\n")
                    index_file.flush()
                    os.fsync(index_file.fileno())
                    index[key["file"]] = entry
                    result.analysed += 1
                    result.audio_s += outcome.duration_s
                else:
                    result.skipped += 1
                entry = index[str(recording.source)]
                summary.write(entry["row"])
                if options.summary_by is not None:
                    options.summary_by.add(entry["file"], entry["row"], entry["tips"])
                if on_report is not None:
                    on_report(report if report is not None else
                              json.loads((out_dir / recording.name).read_text("utf-8")))
            result.wall_s = time.monotonic() - started
            if on_outcome is not None:
                on_outcome(outcome, result)

        def to_do() -> Iterator[tuple[Recording, dict]]:
            for recording in recordings:
                try:
                    digest = file_sha256(recording.source)
                except OSError as error:
                    finish(Outcome(recording, error=f"Cannot read {recording.source}: "
                                                    f"{error.strerror or error}."))
                    continue
                key = {"file": str(recording.source), "sha256": digest,
                       "analysis_version": ANALYSIS_VERSION, "model": options.model_name,
                       "question_id": recording.question_id}
                done = index.get(key["file"])
                if (done is not None and all(done.get(k) == v for k, v in key.items())
                        and done.get("name") == recording.name
                        and (out_dir / recording.name).is_file()):
                    finish(Outcome(recording, row=done["row"], skipped=True))
                    continue
                yield recording, key

        _run_pool(to_do(), options, finish)
        summary.close()
        errors.close()
        if options.summary_by is not None:
            result.people = options.summary_by.rows()
            people = _StreamedCsv(out_dir / PEOPLE_NAME, Cohorts.columns())
            for row in result.people:
                people.write(row)
            people.close()
    except BaseException:
        summary.discard()
        errors.discard()
        raise
    finally:
        index_file.close()
    result.wall_s = time.monotonic() - started
    return result


def _run_pool(work: Iterator[tuple[Recording, dict]], options: BatchOptions,
              finish: Callable) -> None:
    """Keep the workers busy with at most ``IN_FLIGHT_PER_JOB`` files per slot; the files of
    a worker that died are given again, once, to new workers."""
    workers = options.workers or LocalWorkers(options.jobs, options.model_name)
    in_flight: dict = {}
    attempts: dict[Path, int] = {}
    retry: list[tuple[Recording, dict]] = []
    try:
        while True:
            while len(in_flight) < workers.slots * IN_FLIGHT_PER_JOB:
                item = retry.pop() if retry else next(work, None)
                if item is None:
                    break
                recording, key = item
                attempts[recording.source] = attempts.get(recording.source, 0) + 1
                future = workers.submit(recording, options.questions.get(recording.question_id))
                in_flight[future] = item
            if not in_flight:
                return
            done, _ = workers.wait(in_flight, return_when="FIRST_COMPLETED")
            lost = False
            for future in done:
                recording, key = in_flight.pop(future)
                try:
                    report, error = workers.result(future)
                except WorkerLost:
                    lost = True
                    if attempts[recording.source] < MAX_ATTEMPTS:
                        retry.append((recording, key))
                    else:
                        finish(Outcome(recording, error=(
                            "The process analysing it stopped (crashed, or ran out of "
                            "memory) twice. Check that the file plays, or convert it.")))
                    continue
                if error is not None:
                    finish(Outcome(recording, error=error))
                else:
                    finish(Outcome(recording, row=summary_row(recording, report),
                                   duration_s=report["audio"]["duration_s"]),
                           report, key)
                del report
            if lost:
                retry.extend(in_flight.values())
                in_flight.clear()
                workers.restart()
    except BaseException:
        workers.stop()  # stopped (Ctrl-C, or a failure here): their files are not wanted
        raise
    finally:
        workers.close()


# --- progress ---------------------------------------------------------------------------


def progress_line(outcome: Outcome, result: BatchResult) -> str:
    """One recording's line: what happened, and the batch's pace and time left."""
    done = result.analysed + result.skipped + result.failed
    name = outcome.recording.source.name
    if outcome.error is not None:
        what = f"failed: {outcome.error}"
    elif outcome.skipped:
        what = "already analysed, skipped"
    else:
        what = f"{outcome.duration_s:.0f} s analysed"
    return f"[{done}/{result.total}] {name}: {what}{pace_text(result)}"


def pace_text(result: BatchResult) -> str:
    """"; 3.1 audio-min per wall-min, about 4 min left", once anything was analysed."""
    worked = result.analysed + result.failed
    if not result.analysed or result.wall_s <= 0:
        return ""
    left = result.total - result.analysed - result.skipped - result.failed
    per_file_s = result.wall_s / worked
    rate = result.audio_s / result.wall_s
    text = f"; {rate:.1f} audio-min per wall-min"
    if left:
        text += f", about {_duration(left * per_file_s)} left"
    return text


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
