"""Throughput bar for ``mockview batch``: audio-minutes analysed per wall-minute.

Issue 15's bars: on this 2-core machine ``--jobs 2`` at least 1.7 times ``--jobs 1``; ``--dask``
on a two-worker ``LocalCluster`` within 15 % of ``--jobs 2``; the peak memory of each worker no
more than one ``mockview analyze`` process.

Usage:
    python bench/bench_batch.py [--dev-data DIR] [--answers 40] [--limit N] [--seed 15]
                                [--modes jobs1,jobs2,dask] [--json]

What it does:

1. Builds ``--answers`` answers (default 40) of 30-90 s each (lengths drawn with ``--seed``)
   from the real dev recordings (``--dev-data``, default ``../shared/data/dev``), joined as
   ``bench/bench_analyze.py`` joins them (16 kHz mono, 0.5 s silences between clips): the
   clips make one stream, which is cut into consecutive answers and read again from the
   start when it runs out (the dev data holds about 6 minutes of speech). ``--limit N``
   keeps the first N answers only: a quick check that the benchmark runs, not a
   measurement.
2. Runs ``python -m mockview batch DIR --out OUT`` once per mode, each into a new OUT, as a
   fresh process (imports, worker start and model loads are inside the time):
     jobs1  ``--jobs 1``
     jobs2  ``--jobs 2``
     dask   ``--dask ADDRESS`` on a ``LocalCluster(n_workers=2, threads_per_worker=1)``
            started before the clock starts (its workers then load the model on the first
            batch, inside the time), its workers started with ``MALLOC_ARENA_MAX=1`` as
            the README asks of a cluster's workers
   and, before those, one ``mockview analyze`` of each answer, two at a time (only their
   memory is used), for the peak memory of one ``analyze`` process.
3. Prints, per mode: the wall time, audio-minutes per wall-minute, the ratio to jobs1
   (and dask's to jobs2), and the highest peak RSS (VmHWM) of any worker process, against
   the highest peak of the ``analyze`` processes, with the answer that reached it: a worker
   analyses every answer in turn, so its peak is that of its most demanding answer, which is
   not always the longest. ``--json`` prints the same as JSON.

Run it on a quiet machine: other work on the cores changes every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import wave
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_analyze import DEFAULT_DEV, DEV_CLIPS, GAP_SECONDS, SAMPLE_RATE  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
MODES = ("jobs1", "jobs2", "dask")
#: what the README asks of a cluster's workers' environment (``MALLOC_ARENA_MAX=1 dask worker``)
WORKER_ENVIRON = {"MALLOC_ARENA_MAX": "1"}


def build_answers(dev: Path, folder: Path, count: int, seed: int) -> list[float]:
    """``count`` WAV answers of 30-90 s cut from the dev stream; their lengths in seconds."""
    import numpy as np
    from faster_whisper.audio import decode_audio

    others = sorted(str(p.relative_to(dev)) for p in dev.rglob("*")
                    if p.suffix in (".wav", ".flac") and str(p.relative_to(dev)) not in DEV_CLIPS)
    gap = np.zeros(int(GAP_SECONDS * SAMPLE_RATE), dtype=np.float32)
    pieces = []
    for name in [*DEV_CLIPS, *others]:
        if (dev / name).exists():
            pieces += [decode_audio(str(dev / name), sampling_rate=SAMPLE_RATE), gap]
    if not pieces:
        raise SystemExit(f"bench_batch: no dev recordings in {dev} (pass --dev-data DIR)")
    stream = np.concatenate(pieces)
    rng = random.Random(seed)
    lengths, at = [], 0
    for n in range(count):
        size = int(rng.uniform(30.0, 90.0) * SAMPLE_RATE)
        take = np.concatenate([stream] * (2 + size // len(stream)))[at:at + size]
        at = (at + size) % len(stream)
        pcm = (np.clip(take, -1.0, 1.0) * 32767.0).round().astype("<i2")
        with wave.open(str(folder / f"student{n % 10:02d}_answer{n:02d}.wav"), "wb") as f:
            f.setnchannels(1)
            f.setsampwidth(2)
            f.setframerate(SAMPLE_RATE)
            f.writeframes(pcm.tobytes())
        lengths.append(size / SAMPLE_RATE)
    return lengths


def _children(pid: int) -> list[int]:
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        found = []
        for task in tasks:
            found += [int(c) for c in (task / "children").read_text().split()]
        return found
    except OSError:
        return []


def _peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _is_worker(pid: int) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"resource_tracker" not in command


def run_timed(command: list[str], worker_pids=None) -> tuple[float, float | None, float | None]:
    """(wall s, peak RSS of the process, highest peak RSS of its workers) for one command.

    The workers are its child processes (polled while it runs), or those ``worker_pids()``
    names at the end (a cluster's).
    """
    peaks: dict[int, float] = {}
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=REPO, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stderr: list[str] = []
    reader = threading.Thread(target=lambda: stderr.append(process.stderr.read()), daemon=True)
    reader.start()
    own = None
    while process.poll() is None:
        own = _peak_rss_mb(process.pid) or own
        for child in _children(process.pid):
            if _is_worker(child):
                peaks[child] = _peak_rss_mb(child) or peaks.get(child, 0.0)
        time.sleep(0.1)
    wall_s = time.monotonic() - started
    reader.join()
    if process.returncode not in (0,):
        raise SystemExit(f"bench_batch: {' '.join(command)} exited {process.returncode}:\n"
                         + "".join(stderr)[-2000:])
    if worker_pids is not None:
        peaks = {pid: _peak_rss_mb(pid) or 0.0 for pid in worker_pids()}
    return wall_s, own, max(peaks.values(), default=None)


def analyze_peaks(mockview: list[str], answers: list[Path]) -> tuple[float, str]:
    """The highest peak RSS of ``mockview analyze`` over the answers, one process each (two
    at a time: their time is not used), and the answer that reached it."""
    from concurrent.futures import ThreadPoolExecutor

    def peak(answer: Path) -> float:
        return run_timed([*mockview, "analyze", str(answer), "--json"])[1] or 0.0

    with ThreadPoolExecutor(max_workers=2) as pool:
        peaks = dict(zip((a.name for a in answers), pool.map(peak, answers), strict=True))
    answer = max(peaks, key=peaks.get)
    return peaks[answer], answer


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev-data", type=Path, default=DEFAULT_DEV)
    parser.add_argument("--answers", type=int, default=40)
    parser.add_argument("--limit", type=int,
                        help="only the first N answers: a check, not a measurement")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    modes = [m for m in args.modes.split(",") if m]
    unknown = set(modes) - set(MODES)
    if unknown:
        parser.error(f"unknown modes {', '.join(sorted(unknown))}; choose from {', '.join(MODES)}")

    mockview = [sys.executable, "-m", "mockview"]
    results: dict = {"cpu_count": os.cpu_count(), "modes": {}}
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        answers = Path(tmp) / "answers"
        answers.mkdir()
        lengths = build_answers(args.dev_data, answers, args.answers, args.seed)
        if args.limit:
            for path in sorted(answers.iterdir())[args.limit:]:
                path.unlink()
            lengths = lengths[:args.limit]
        audio_min = sum(lengths) / 60
        results.update(answers=len(lengths), audio_min=round(audio_min, 2),
                       limited=bool(args.limit))
        analyze_rss, analyze_answer = analyze_peaks(mockview, sorted(answers.iterdir()))
        results["analyze_peak_rss_mb"] = round(analyze_rss, 1)
        results["analyze_peak_answer"] = analyze_answer

        for mode in modes:
            out = Path(tmp) / f"out-{mode}"
            command = [*mockview, "batch", str(answers), "--out", str(out)]
            if mode == "dask":
                import dask
                from distributed import Client, LocalCluster

                # the nanny sets its workers' variables (MALLOC_TRIM_THRESHOLD_,
                # OMP_NUM_THREADS) in this process too: keep them from the modes after it
                environ = dict(os.environ)
                # the workers started as the README asks: one heap for all their threads
                spawn = {**dask.config.get("distributed.nanny.pre-spawn-environ"),
                         **WORKER_ENVIRON}
                with dask.config.set({"distributed.nanny.pre-spawn-environ": spawn}), \
                        LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                     dashboard_address=None) as cluster, \
                        Client(cluster) as client:
                    wall_s, _, worker_rss = run_timed(
                        [*command, "--dask", cluster.scheduler_address],
                        worker_pids=lambda: client.run(os.getpid).values())
                os.environ.clear()
                os.environ.update(environ)
            else:
                wall_s, _, worker_rss = run_timed([*command, "--jobs", mode[-1]])
            reports = len(list(out.glob("*.json")))
            if reports != len(lengths):
                raise SystemExit(f"bench_batch: {mode} wrote {reports} reports for "
                                 f"{len(lengths)} answers")
            results["modes"][mode] = {
                "wall_s": round(wall_s, 1),
                "audio_min_per_wall_min": round(audio_min / (wall_s / 60), 2),
                "worker_peak_rss_mb": worker_rss and round(worker_rss, 1),
            }
    rate = {m: r["audio_min_per_wall_min"] for m, r in results["modes"].items()}
    if "jobs1" in rate and "jobs2" in rate:
        results["jobs2_over_jobs1"] = round(rate["jobs2"] / rate["jobs1"], 2)
    if "jobs2" in rate and "dask" in rate:
        results["dask_over_jobs2"] = round(rate["dask"] / rate["jobs2"], 2)

    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"{results['answers']} answers, {results['audio_min']:.1f} audio-minutes, "
          f"{results['cpu_count']} cores" + (" (--limit: a check, not a measurement)"
                                              if results["limited"] else ""))
    print(f"mockview analyze, one process per answer: highest peak RSS "
          f"{results['analyze_peak_rss_mb']} MB ({results['analyze_peak_answer']})")
    for mode, row in results["modes"].items():
        print(f"{mode:6} {row['wall_s']:7.1f} s  {row['audio_min_per_wall_min']:6.2f} "
              f"audio-min per wall-min  worker peak RSS {row['worker_peak_rss_mb']} MB")
    if "jobs2_over_jobs1" in results:
        print(f"jobs2 / jobs1: {results['jobs2_over_jobs1']:.2f} (bar: at least 1.7)")
    if "dask_over_jobs2" in results:
        print(f"dask / jobs2: {results['dask_over_jobs2']:.2f} (bar: at least 0.85)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
