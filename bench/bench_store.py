"""Speed bar: ``history``, ``show`` and ``progress`` on a store of 5,000 stored answers.

The bar (issue 12, part 5): on 5,000 stored answers, ``history``, ``show`` and ``progress``
each answer in at most 0.2 s, and ``progress --job FILE`` in at most 0.5 s, on this 2-core
machine (a benchmark that builds such a store from generated results; not a timed test).

Usage:
    python bench/bench_store.py [--answers 5000] [--sessions 1000] [--days 90] [--rounds 5]
                                [--warmup 1] [--store DIR] [--keep DIR] [--json] [--check]
                                [--compiled]

What it does:

1. Builds a store in a temporary ``MOCKVIEW_HOME`` (or reuses one made earlier with
   ``--keep DIR``, when ``--store DIR`` points at it): ``--sessions`` sessions spread over the
   last ``--days`` days, holding ``--answers`` answers in all (1 to 9 per session, one take
   each, no audio). Each answer's report is a real one: ``build_report`` runs the analysis on
   a generated word timeline of about 150 words (random content words, fillers at a rate
   that varies by session, pauses from 0.1 s to 2.5 s) for a question drawn from the bundled
   banks. Everything goes through the public ``Store`` API (``start_session``,
   ``add_answer``, ``add_take``), one transaction per call as in real use.
2. Times three commands, each as a fresh process (``python -m mockview ...``: interpreter
   start, imports, opening and migrating the store, query, rendering; output to /dev/null)
   and as an in-process call (click's ``CliRunner`` in this process after a warm-up: the
   command's own cost, without interpreter start):
     - ``mockview history``
     - ``mockview show S`` for a session with the median number of answers
     - ``mockview progress`` (the trends work's command; skipped with a note when this
       checkout does not have it yet)
     - ``mockview progress --job JOB`` with a job advert (``JOB_TEXT``) whose terms the
       generated answers say in part. Its first run also makes the word forms of takes
       stored without them, and the report counts of the recent ones (a store built by an
       older mockview, which ``--store`` reuses after migrating it): that one-time cost is
       timed apart, before the rounds (with ``--compiled``, the runs that write the
       bytecode make the report counts first).
   ``--warmup`` uncounted rounds, then ``--rounds`` measured rounds, each running every
   command once in turn. ``mockview --help`` is timed the same way, as the floor that
   interpreter start and imports set for any command.
3. Prints per-command medians and ranges against each command's goal (``GOALS_S``);
   ``--json`` prints the same as JSON. ``--check`` exits 1 when a fresh-process median is
   over its goal. With each fresh process's wall time goes its CPU time (user + system):
   on a machine shared with other jobs, the wall time grows with their load and the CPU
   time much less, so two checkouts compare better by it.

``--compiled`` times the fresh processes with their modules' bytecode already written, as
an installed copy has it (``pip install`` compiles the package): it is written once, before
the timing, to a temporary ``PYTHONPYCACHEPREFIX`` (the checkout is not touched). Without it
the environment decides: where ``PYTHONDONTWRITEBYTECODE`` is set, every fresh process
compiles mockview's modules again from source. The result says which (``bytecode``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # this checkout's mockview, as the subprocesses (cwd=REPO) use
#: Each command's bar for the fresh-process median, in seconds.
GOALS_S = {"history": 0.2, "show": 0.2, "progress": 0.2, "progress --job": 0.5}
JOB_TEXT = """Senior Data Engineer, Acme Pay

You will build data pipelines and own the release process. You will work with product
managers and stakeholders to plan each launch, review designs, and reduce latency and cost.
- Design and ship data pipelines in Python and SQL on AWS
- Lead incident response and run migrations of services to Kubernetes with CI/CD
- Measure quality with dashboards and metrics
Nice to have: Go, Node.js, budget and risk decisions.
"""

CONTENT = ("team project deadline customer data pipeline release migration service budget "
           "stakeholder design review incident outage metric dashboard feature launch plan "
           "manager engineer product quality test latency cost scope risk decision result "
           "learned improved reduced built led shipped owned agreed proposed measured fixed "
           "the a and of to in we I my our it was that for with on this then because").split()
FILLERS = ["um,", "uh,", "like,", "you know,", "so,", "basically,"]


def generate_words(rng: random.Random, *, filler_rate: float, n: int = 150):
    """About ``n`` words with realistic timing: sentences, fillers, short and long pauses."""
    from mockview.words import Word

    words, t = [], rng.uniform(0.3, 2.0)
    for i in range(n):
        if rng.random() < filler_rate:
            text = rng.choice(FILLERS)
        else:
            text = rng.choice(CONTENT)
            if i and rng.random() < 0.08:
                text += "."
        length = rng.uniform(0.15, 0.45)
        words.append(Word(text, round(t, 2), round(t + length, 2), rng.uniform(0.6, 1.0)))
        gap = rng.choice([0.05, 0.08, 0.1, 0.12, 0.2, 0.3, 0.5])
        if rng.random() < 0.04:
            gap = rng.uniform(1.0, 2.5)
        t += length + gap
    return words, t + rng.uniform(0.3, 1.5)


def build_store(home: Path, *, answers: int, sessions: int, days: int, seed: int = 5) -> dict:
    """Fill a store at ``home`` with generated results; returns counts and the build time."""
    os.environ["MOCKVIEW_HOME"] = str(home)
    from mockview.questions import load_banks
    from mockview.report import build_report
    from mockview.store import Store
    from mockview.words import Transcript

    rng = random.Random(seed)
    questions = [q for bank in load_banks() for q in bank.questions]
    per_session = _split(answers, sessions, rng)
    end = datetime.now(timezone.utc).replace(microsecond=0)
    starts = sorted(end - timedelta(seconds=rng.uniform(0, days * 86400))
                    for _ in range(sessions))
    began = time.perf_counter()
    with Store.open() as store:
        for number, (start, count) in enumerate(zip(starts, per_session, strict=True)):
            # fillers fade over the weeks, with noise, so progress has a trend to find
            filler_rate = max(0.0, 0.09 - 0.06 * number / sessions + rng.uniform(-0.02, 0.02))
            session_id = store.start_session(rng.choice(["practice", "practice", "analyze"]),
                                             started_at_utc=_utc(start))
            at = start
            for question in rng.sample(questions, count):
                words, duration = generate_words(rng, filler_rate=filler_rate,
                                                 n=rng.randint(120, 180))
                info = question.info()
                report = build_report(Transcript(words=tuple(words), duration_s=duration,
                                                 model="tiny.en"), question=info)
                answer_id = store.add_answer(session_id, info, category=question.category)
                at += timedelta(seconds=duration + rng.uniform(10, 60))
                store.add_take(answer_id, None, report, recorded_at_utc=_utc(at))
    return {"answers": sum(per_session), "sessions": sessions, "days": days,
            "build_s": round(time.perf_counter() - began, 1),
            "db_mb": round((home / "mockview.db").stat().st_size / 1e6, 1)}


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` answers over ``parts`` sessions, 1 to 9 each."""
    counts = [1] * parts
    for _ in range(total - parts):
        while True:
            i = rng.randrange(parts)
            if counts[i] < 9:
                counts[i] += 1
                break
    return counts


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def median_session(home: Path) -> int:
    from mockview.store import Store

    with Store.open(home / "mockview.db") as store:
        sessions = sorted(store.sessions(), key=lambda s: (s.answer_count, s.session_id))
    return sessions[len(sessions) // 2].session_id


def commands(session_id: int, job_path: Path) -> dict[str, list[str]]:
    from mockview.cli import cli

    wanted = {"--help": ["--help"], "history": ["history"], "show": ["show", str(session_id)],
              "progress": ["progress"], "progress --job": ["progress", "--job", str(job_path)]}
    return {name: args for name, args in wanted.items()
            if name == "--help" or args[0] in cli.commands}


def time_fresh(args: list[str], env: dict) -> tuple[float, float]:
    """(wall, CPU) seconds of ``mockview ARGS`` as a fresh process."""
    used = _children_cpu_s()
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "mockview", *args], cwd=REPO, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - began
    if done.returncode != 0:
        sys.exit(f"mockview {' '.join(args)} failed ({done.returncode}): {done.stderr[-800:]}")
    return elapsed, _children_cpu_s() - used


def compiled_env(env: dict, prefix: Path, warm: list[list[str]]) -> dict:
    """``env`` with the modules' bytecode in ``prefix``, written before any timing: all of
    mockview's modules, and the rest that the ``warm`` commands import (one untimed run
    each)."""
    env = {**env, "PYTHONPYCACHEPREFIX": str(prefix)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "mockview")],
                   cwd=REPO, env=env, stdout=subprocess.DEVNULL, check=True)
    for args in warm:
        time_fresh(args, env)
    return env


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_in_process(args: list[str]) -> float:
    from click.testing import CliRunner

    from mockview.cli import cli

    runner = CliRunner()
    began = time.perf_counter()
    result = runner.invoke(cli, args, terminal_width=120)
    elapsed = time.perf_counter() - began
    if result.exit_code != 0:
        sys.exit(f"mockview {' '.join(args)} failed in process: {result.output[-800:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--answers", type=int, default=5000)
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--store", type=Path, help="use the store in this MOCKVIEW_HOME as is")
    parser.add_argument("--keep", type=Path, help="build the store in this directory and keep it")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--compiled", action="store_true",
                        help="time fresh processes with the bytecode written beforehand, as "
                             "an installed copy has it")
    parser.add_argument("--check", action="store_true", help="exit 1 when a median misses")
    options = parser.parse_args()
    if options.answers < options.sessions:
        parser.error("--answers must be at least --sessions (every session has an answer)")

    with tempfile.TemporaryDirectory(prefix="mockview-bench-") as temp:
        if options.store:
            home, built = options.store, {"reused": str(options.store)}
        else:
            home = options.keep or Path(temp)
            home.mkdir(parents=True, exist_ok=True)
            if (home / "mockview.db").exists():
                sys.exit(f"{home} already holds a store: pass it with --store to reuse it")
            _status(f"building {options.answers} answers in {options.sessions} sessions "
                    f"over {options.days} days in {home} ...")
            built = build_store(home, answers=options.answers, sessions=options.sessions,
                                days=options.days)
            _status(f"built in {built['build_s']} s ({built['db_mb']} MB)")
        os.environ["MOCKVIEW_HOME"] = str(home)
        env = {**os.environ, "MOCKVIEW_HOME": str(home), "COLUMNS": "120"}
        session_id = median_session(home)
        job_path = Path(temp) / "job.txt"
        job_path.write_text(JOB_TEXT, encoding="utf-8")
        todo = commands(session_id, job_path)
        skipped = [] if "progress" in todo else [
            "progress: this checkout has no `mockview progress` command yet"]
        if options.compiled:  # progress --job's first run is timed below as it is
            env = compiled_env(env, Path(temp) / "pycache",
                               [args for name, args in todo.items() if name != "progress --job"])
        first_job_s = time_fresh(todo["progress --job"], env)[0] if "progress" in todo else None
        fresh: dict[str, list[float]] = {name: [] for name in todo}
        cpu: dict[str, list[float]] = {name: [] for name in todo}
        inproc: dict[str, list[float]] = {name: [] for name in todo}
        for round_no in range(options.warmup + options.rounds):
            for name, args in todo.items():
                wall, used = time_fresh(args, env)
                call = time_in_process(args)
                if round_no >= options.warmup:
                    fresh[name].append(wall)
                    cpu[name].append(used)
                    inproc[name].append(call)
    result = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform()},
        "store": built, "show_session": session_id, "goals_s": GOALS_S,
        "rounds": options.rounds, "skipped": skipped,
        "bytecode": "compiled beforehand" if options.compiled else (
            "compiled by every process" if os.environ.get("PYTHONDONTWRITEBYTECODE")
            else "as the environment leaves it"),
        "progress_job_first_s": None if first_job_s is None else round(first_job_s, 3),
        "commands": {name: {"args": todo[name],
                            "fresh_median_s": round(statistics.median(fresh[name]), 3),
                            "fresh_range_s": [round(min(fresh[name]), 3),
                                              round(max(fresh[name]), 3)],
                            "fresh_cpu_median_s": round(statistics.median(cpu[name]), 3),
                            "in_process_median_s": round(statistics.median(inproc[name]), 3),
                            "in_process_range_s": [round(min(inproc[name]), 3),
                                                   round(max(inproc[name]), 3)]}
                     for name in todo},
    }
    missed = [name for name, row in result["commands"].items()
              if name != "--help" and row["fresh_median_s"] > GOALS_S[name]]
    result["meets_goal"] = not missed
    if options.json:
        print(json.dumps(result, indent=2))
    else:
        _print_table(result)
    return 1 if options.check and missed else 0


def _print_table(result: dict) -> None:
    store = result["store"]
    print(f"store: {store}; show uses session {result['show_session']}; "
          f"{result['rounds']} rounds; bytecode {result['bytecode']}")
    print(f"{'command':<22} {'fresh process median (range)':>30} {'its CPU':>8} "
          f"{'in process median (range)':>30}  goal")
    for name, row in result["commands"].items():
        label = "mockview " + (name if name.startswith("progress") else " ".join(row["args"]))
        fresh = f"{row['fresh_median_s']:.3f} ({row['fresh_range_s'][0]:.3f}-" \
                f"{row['fresh_range_s'][1]:.3f})"
        inproc = f"{row['in_process_median_s']:.3f} ({row['in_process_range_s'][0]:.3f}-" \
                 f"{row['in_process_range_s'][1]:.3f})"
        goal = GOALS_S.get(name)
        mark = "" if goal is None else (f"  {goal:.1f} ok" if row["fresh_median_s"] <= goal
                                        else f"  {goal:.1f} OVER")
        print(f"{label:<22} {fresh:>30} {row['fresh_cpu_median_s']:8.3f} {inproc:>30}{mark}")
    if result["progress_job_first_s"] is not None:
        print(f"first progress --job on this store (makes the word forms and report counts "
              f"of takes stored without them, as an older mockview stored them): "
              f"{result['progress_job_first_s']:.3f} s")
    for note in result["skipped"]:
        print(f"skipped {note}")


def _status(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
