"""Speed bar: the first ``mockview analyze`` after ``pip install .`` against the second.

The bar (issue 12): nothing is compiled or cached on the user's path, so the first
``mockview analyze`` after an install takes at most 1.3 times the second. (librosa's
numba code, compiled on its first use, made the first run about 3.6 times the second.)

Usage:
    python bench/bench_first_run.py [--audio PATH] [--rounds 1] [--keep DIR]
                                    [--source DIR] [--json] [--check]
    python bench/bench_first_run.py --python PATH [--audio PATH] [--rounds 1] [--json]

What it does:

1. Creates a virtual environment in a temporary directory with this interpreter
   (``python -m venv``) and ``pip install``s the repository into it (``--source DIR``
   installs another checkout), as a user would; the install time is reported, not judged.
   pip's cache is used, so the install needs the network only for what it lacks.
   ``--keep DIR`` creates the environment in DIR and keeps it; when DIR already holds one
   it is reused without installing (reinstall by deleting DIR).
   ``--python PATH`` times an existing environment instead: the one whose interpreter is
   PATH, and its ``mockview`` console script (``PATH -m mockview`` if there is none).
2. Before each round, deletes the numba cache files (``*.nbi``, ``*.nbc``) under the
   environment's site-packages: after an install there are none, so this makes a reused or
   existing environment's next run a first run again, as far as compiled code goes. (The
   operating system's file cache is not dropped: the install has just read every file.)
3. Each round runs ``mockview analyze AUDIO --json`` twice from that environment as fresh
   processes: the first run, then the second. The default AUDIO is the bundled sample
   ``samples/short_strength.flac`` (24.6 s, synthetic speech whose delivery is judged).
   They run from a temporary directory, without ``PYTHONPATH``, so the installed copy is
   what runs, and with ``MOCKVIEW_HOME`` pointed at a temporary directory shared by both.
   Their output must be the JSON report; the delivery section's verdict and pitch method
   are shown, so a run that skipped the pitch tracker cannot pass unnoticed.
4. Prints each run's wall time, the medians over ``--rounds`` (default 1), and the ratio
   median(first) / median(second), with the goal (<= 1.3). ``--json`` prints the same as
   JSON; ``--check`` exits 1 when the ratio is over the goal.

Numbers vary with the load on this shared machine: the ratio compares two runs made side
by side, so it holds better than the seconds. A failing step stops the benchmark with the
end of its output (exit status 2).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_AUDIO = REPO / "samples" / "short_strength.flac"
GOAL_RATIO = 1.3
NUMBA_CACHE_PATTERNS = ("*.nbi", "*.nbc")


class BenchError(Exception):
    """A problem that stops the benchmark; its message is printed as is."""


def run_checked(command: list[str], what: str, **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if proc.returncode != 0:
        raise BenchError(f"{what} failed (exit status {proc.returncode}):\n"
                         f"{(proc.stderr or proc.stdout)[-3000:]}")
    return proc


# --- the environment ----------------------------------------------------------------------


def create_venv(where: Path, source: Path) -> float:
    """A new virtual environment at ``where`` with ``source`` pip-installed; seconds taken."""
    start = time.perf_counter()
    print(f"creating a virtual environment in {where} ...", file=sys.stderr)
    run_checked([sys.executable, "-m", "venv", str(where)], "python -m venv")
    print(f"pip install {source} ...", file=sys.stderr)
    run_checked([str(where / "bin" / "python"), "-m", "pip", "install", "--quiet",
                 "--disable-pip-version-check", str(source)], "pip install", timeout=1800)
    return time.perf_counter() - start


def site_packages(python: Path) -> list[Path]:
    code = ("import sysconfig; paths = sysconfig.get_paths();"
            " print(paths['purelib']); print(paths['platlib'])")
    out = run_checked([str(python), "-c", code], f"{python} (finding site-packages)").stdout
    return sorted({Path(line) for line in out.split()})


def clear_numba_cache(python: Path) -> int:
    """Delete the numba cache files under ``python``'s site-packages; how many there were."""
    count = 0
    for folder in site_packages(python):
        for pattern in NUMBA_CACHE_PATTERNS:
            for path in folder.rglob(pattern):
                path.unlink()
                count += 1
    return count


def mockview_command(python: Path, audio: Path) -> list[str]:
    script = python.parent / "mockview"
    if script.exists():
        return [str(script), "analyze", str(audio), "--json"]
    return [str(python), "-m", "mockview", "analyze", str(audio), "--json"]


def clean_env(home: Path) -> dict[str, str]:
    """This process's environment without PYTHONPATH (the installed copy must run) and with
    the user's data directory in ``home``."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["MOCKVIEW_HOME"] = str(home)
    return env


# --- the runs -----------------------------------------------------------------------------


def timed_analyze(command: list[str], env: dict[str, str], cwd: Path, timeout: float) -> dict:
    start = time.perf_counter()
    proc = run_checked(command, "mockview analyze", env=env, cwd=cwd, timeout=timeout)
    wall_s = time.perf_counter() - start
    try:
        delivery = json.loads(proc.stdout)["metrics"]["delivery"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BenchError(f"mockview analyze printed no JSON report ({exc}):\n"
                         f"{proc.stdout[-1000:]}") from exc
    return {"wall_s": round(wall_s, 2),
            "delivery_judged": None if delivery is None else delivery["judged"],
            "pitch_method": None if delivery is None else delivery["pitch"]["method"]}


def measure(python: Path, audio: Path, rounds: int, timeout: float) -> dict:
    code = "import sys, mockview; print(sys.executable); print(mockview.__file__)"
    out = run_checked([str(python), "-c", code], f"{python} (importing mockview)",
                      cwd=tempfile.gettempdir(),
                      env=clean_env(Path(tempfile.gettempdir()))).stdout.split("\n")
    python, located = Path(out[0]), out[1]  # the interpreter itself, not a shim
    command = mockview_command(python, audio)
    result: dict = {"python": str(python), "mockview": located,
                    "command": " ".join(command), "rounds": []}
    for number in range(1, rounds + 1):
        with tempfile.TemporaryDirectory(prefix="bench_first_run_") as tmp:
            cleared = clear_numba_cache(python)
            env, cwd = clean_env(Path(tmp)), Path(tmp)
            print(f"round {number}: {cleared} numba cache files deleted; first run ...",
                  file=sys.stderr)
            first = timed_analyze(command, env, cwd, timeout)
            print(f"round {number}: second run ...", file=sys.stderr)
            second = timed_analyze(command, env, cwd, timeout)
        result["rounds"].append({"numba_cache_files_deleted": cleared,
                                 "first": first, "second": second})
    firsts = [r["first"]["wall_s"] for r in result["rounds"]]
    seconds = [r["second"]["wall_s"] for r in result["rounds"]]
    result["first_s"] = round(statistics.median(firsts), 2)
    result["second_s"] = round(statistics.median(seconds), 2)
    result["ratio"] = round(result["first_s"] / result["second_s"], 2)
    result["goal_ratio"] = GOAL_RATIO
    result["pass"] = result["ratio"] <= GOAL_RATIO
    return result


def run(args: argparse.Namespace) -> dict:
    audio = args.audio.resolve()
    if not audio.is_file():
        raise BenchError(f"no audio file at {audio} (pass --audio PATH)")
    machine = (f"{platform.machine()}, {os.cpu_count()} CPUs, Python "
               f"{platform.python_version()}")
    if args.python is not None:
        return {"machine": machine, "audio": str(audio), "environment": "existing",
                **measure(args.python, audio, args.rounds, args.timeout)}
    with tempfile.TemporaryDirectory(prefix="bench_first_run_venv_") as tmp:
        where = args.keep.resolve() if args.keep is not None else Path(tmp) / "venv"
        python = where / "bin" / "python"
        install_s = None
        if python.exists():
            print(f"reusing the virtual environment in {where}", file=sys.stderr)
        else:
            install_s = round(create_venv(where, args.source.resolve()), 1)
        return {"machine": machine, "audio": str(audio),
                "environment": "reused" if install_s is None else "new",
                "install_s": install_s, **measure(python, audio, args.rounds, args.timeout)}


def print_table(result: dict) -> None:
    print(f"machine: {result['machine']}")
    installed = (f", installed in {result['install_s']:.0f} s"
                 if result.get("install_s") is not None else "")
    print(f"environment: {result['environment']}{installed}; mockview from {result['mockview']}")
    print(f"command: {result['command']}")
    print()
    print(f"{'round':<7}{'nbi/nbc deleted':>16}{'first s':>9}{'second s':>10}   delivery")
    for number, r in enumerate(result["rounds"], 1):
        first, second = r["first"], r["second"]
        print(f"{number:<7}{r['numba_cache_files_deleted']:>16}{first['wall_s']:>9.2f}"
              f"{second['wall_s']:>10.2f}   judged {first['delivery_judged']},"
              f" {first['pitch_method']}")
    verdict = "PASS" if result["pass"] else "FAIL"
    print(f"\nfirst {result['first_s']:.2f} s, second {result['second_s']:.2f} s:"
          f" ratio {result['ratio']:.2f} (goal <= {GOAL_RATIO}: {verdict})")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Time the first `mockview analyze` after an install against the second.")
    p.add_argument("--audio", type=Path, default=DEFAULT_AUDIO,
                   help="the recording to analyse (default: %(default)s)")
    p.add_argument("--rounds", type=int, default=1,
                   help="first-and-second pairs; numba's cache is cleared before each"
                        " (default: 1)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--keep", type=Path, metavar="DIR",
                       help="create the virtual environment in DIR and keep it; reuse it"
                            " when DIR already holds one")
    where.add_argument("--python", type=Path, metavar="PATH",
                       help="time the existing environment of this interpreter instead"
                            " (its numba cache files are deleted first)")
    p.add_argument("--source", type=Path, default=REPO,
                   help="what to pip install into a new environment (default: %(default)s)")
    p.add_argument("--timeout", type=float, default=900.0,
                   help="seconds one run may take (default: 900)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--check", action="store_true",
                   help=f"exit with status 1 when the ratio is over {GOAL_RATIO:g}")
    args = p.parse_args(argv)
    if args.rounds < 1:
        p.error("--rounds must be at least 1")
    if args.python is not None and shutil.which(str(args.python)) is None:
        p.error(f"--python {args.python}: no such interpreter")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        result = run(args)
    except (BenchError, subprocess.TimeoutExpired) as exc:
        print(f"bench_first_run: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result)
    return 1 if args.check and not result["pass"] else 0


if __name__ == "__main__":
    sys.exit(main())
