"""Speed bar: feedback at most 0.5 s after a 2-minute answer stops, from a real microphone path.

The first goal (issue 4): "the full feedback for a 2-minute answer appears at most 1.5 s after
the recording stops, on this 2-core machine with the default model, with metrics identical in
meaning to ``mockview analyze`` on the same audio (word count within 3%, the same fillers
found)". Issue 12 lowered it to a median of 0.5 s, the first answer after a fresh install
included: round 1 is the process's first answer, so its first-use costs are in it.

Usage:
    python bench/bench_live.py [--audio PATH] [--dev-data DIR] [--rounds 2] [--stop-after S]
                               [--cues off|on|alternate] [--json]

What it does:

1. Takes the answer from ``--audio PATH`` or builds 120 s of real speech from the dev data
   (the clips of bench_analyze.py and more disfluent MFA clips, joined with 0.5 s gaps).
2. Starts the project's virtual microphone (scripts/virtual-mic.sh, in its own runtime
   folder) and loads the bundled model once, as ``mockview practice`` does before the
   first question.
3. Each round plays the answer into the virtual microphone with paplay while
   ``mockview.recording.record`` records it, feeding ``LiveTranscriber`` as practice does.
   When paplay ends, or ``--stop-after`` seconds later (a speaker who finishes, then
   reaches for Enter; 0 by default: the stop comes with the last sample), the stop event
   is set (as Enter would), and the clock starts:
     a. live: the recorder closes, ``LiveTranscriber.finish()`` transcribes what is left,
        the delivery is measured on the samples the live transcriber was fed (as practice
        does), the report is built and rendered (rich, to a string): stop -> feedback;
     b. after-stop: the same recorded file transcribed whole with ``transcribe_file`` (the
        design that waits for the stop), then report and render, timed the same way.
4. Prints per round both times, the word counts and the filled pauses of each (with times),
   the word-count difference, fillers found by only one, and input overflows.

``--cues on`` asks for the live cues (``practice --cues``) ten times a second while each
round records, as the status line's redraws do; ``alternate`` asks for them in the even
rounds only, so rounds with and without them run side by side on the same machine load,
and the summary gives the median stop -> feedback of each kind (round 1 left out of both:
it carries the process's first-use costs).

Exit status 0 whatever the numbers (2 when the virtual microphone or paplay fails).
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

import bench_analyze  # noqa: E402  (the dev-data answer builder)
from virtual_mic import start_virtual_mic, stop_virtual_mic  # noqa: E402

GOAL_S = 0.5
#: Two transcriptions place the same filler up to ~0.7 s apart (Whisper's word times are
#: least sure at a filler), so the same word within this distance is the same filler.
SAME_FILLER_S = 1.0
ANSWER_S = 120.0
MORE_CLIPS = [f"mfa-utterances/{name}.flac" for name in (
    "mfa_a", "mfa_longstop", "mfa_cutoffprogressive", "mfa_uhuh", "mfa_putty",
    "mfa_thenorm", "mfa_creaky", "mfa_words", "mfa_hes", "mfa_uhum")]


def render(report: dict) -> str:
    from rich.console import Console

    from mockview.render.terminal import render_report

    console = Console(file=io.StringIO(), width=100, force_terminal=True)
    render_report(report, console)
    return console.file.getvalue()


def fillers(report: dict) -> list[tuple[str, float]]:
    return [(item["text"], item["start_s"]) for item in report["metrics"]["fillers"]["items"]
            if item["kind"] == "filled_pause"]


def only_in(a: list[tuple[str, float]], b: list[tuple[str, float]]) -> list:
    """Fillers of ``a`` with no filler of the same word within ``SAME_FILLER_S`` in ``b``."""
    return [(text, t) for text, t in a
            if not any(text == other and abs(t - s) <= SAME_FILLER_S for other, s in b)]


def ask_cues(live, stop: threading.Event, seen: list[str]) -> None:
    """What the status line does with --cues: the cue line at every redraw (10 a second)
    until ``stop``."""
    from mockview.analysis.cues import CueLine
    from mockview.kinds import LENGTH_TARGETS

    line = CueLine(live.transcript_so_far, target=LENGTH_TARGETS["behavioral"])
    started = time.monotonic()
    while not stop.wait(0.1):
        seen.append(line(time.monotonic() - started))


def one_round(answer: Path, workdir: Path, model, number: int, *, stop_after_s: float = 0.0,
              cues: bool = False) -> dict:
    from mockview.recording import record
    from mockview.report import build_report, measure_delivery
    from mockview.speech.live import LiveTranscriber
    from mockview.speech.transcription import transcribe_file

    take = workdir / f"take{number}.wav"
    stop = threading.Event()
    live = LiveTranscriber(model_loader=lambda: model)
    outcome: dict = {}

    def recorder():
        outcome["result"] = record(take, stop=stop, max_duration_s=ANSWER_S + 30,
                                   on_audio=live.feed)

    thread = threading.Thread(target=recorder)
    thread.start()
    cue_lines: list[str] = []
    cue_thread = threading.Thread(target=ask_cues, args=(live, stop, cue_lines))
    if cues:
        cue_thread.start()
    time.sleep(0.5)
    subprocess.run(["paplay", str(answer)], check=True)
    time.sleep(stop_after_s)
    stop.set()
    stopped = time.monotonic()
    thread.join()
    if cues:
        cue_thread.join()
    transcript = live.finish()  # then what practice does: the voice, the report, its view
    live_report = build_report(transcript, delivery=measure_delivery(live.audio(), transcript))
    render(live_report)
    live_s = time.monotonic() - stopped

    started = time.monotonic()
    transcript = transcribe_file(take)
    after_report = build_report(transcript, delivery=measure_delivery(take, transcript))
    render(after_report)
    after_s = time.monotonic() - started

    live_words = live_report["metrics"]["length"]["word_count"]
    after_words = after_report["metrics"]["length"]["word_count"]
    live_fillers, after_fillers = fillers(live_report), fillers(after_report)
    return {
        "round": number,
        "cues": cues,
        "cue_lines": len(cue_lines),
        "last_cue_line": cue_lines[-1] if cue_lines else None,
        "recorded_s": round(outcome["result"].duration_s, 2),
        "overflow_count": outcome["result"].overflow_count,
        "pieces_while_recording": len(live.pieces) - 1,
        "live_stop_to_feedback_s": round(live_s, 3),
        "after_stop_to_feedback_s": round(after_s, 3),
        "live_words": live_words,
        "after_words": after_words,
        "word_difference": round(abs(live_words - after_words) / max(after_words, 1), 4),
        "live_fillers": live_fillers,
        "after_fillers": after_fillers,
        "fillers_only_live": only_in(live_fillers, after_fillers),
        "fillers_only_after_stop": only_in(after_fillers, live_fillers),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audio", type=Path)
    parser.add_argument("--dev-data", type=Path, default=bench_analyze.DEFAULT_DEV)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--stop-after", type=float, default=0.0, metavar="S",
                        help="stop the recording S seconds after the answer's audio ends")
    parser.add_argument("--cues", choices=["off", "on", "alternate"], default="off",
                        help="ask for the live cues while recording: every round, or every "
                             "other one")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-live-") as tmp:
        workdir = Path(tmp)
        answer = args.audio
        if answer is None:
            answer = workdir / "answer.wav"
            bench_analyze.DEV_CLIPS = [*bench_analyze.DEV_CLIPS, *MORE_CLIPS]
            bench_analyze.build_answer(args.dev_data, answer, ANSWER_S)
        start_virtual_mic(workdir / "vmic")
        try:
            from mockview.report import preload
            from mockview.speech.transcription import load_model

            model = load_model()
            preload()  # practice loads the analysis while the first question shows
            rounds = [one_round(answer, workdir, model, n, stop_after_s=args.stop_after,
                                cues=args.cues == "on" or (args.cues == "alternate"
                                                           and n % 2 == 0))
                      for n in range(1, args.rounds + 1)]
        finally:
            stop_virtual_mic(workdir / "vmic")
    summary = {
        "goal_s": GOAL_S,
        "stop_after_s": args.stop_after,
        "median_live_s": statistics.median(r["live_stop_to_feedback_s"] for r in rounds),
        "median_after_stop_s": statistics.median(r["after_stop_to_feedback_s"]
                                                 for r in rounds),
        "rounds": rounds,
    }
    if args.cues == "alternate":
        for key, with_cues in (("median_live_with_cues_s", True),
                               ("median_live_without_cues_s", False)):
            times = [r["live_stop_to_feedback_s"] for r in rounds[1:] if r["cues"] == with_cues]
            summary[key] = statistics.median(times) if times else None
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    for r in rounds:
        print(f"round {r['round']}: recorded {r['recorded_s']} s, {r['overflow_count']} "
              f"overflows, {r['pieces_while_recording']} pieces transcribed while recording")
        if r["cues"]:
            print(f"  cues asked {r['cue_lines']} times; the last: {r['last_cue_line']}")
        print(f"  stop -> feedback: live {r['live_stop_to_feedback_s']:.2f} s, "
              f"transcribe after stop {r['after_stop_to_feedback_s']:.2f} s")
        print(f"  words: live {r['live_words']}, after stop {r['after_words']} "
              f"({r['word_difference']:.1%} apart)")
        print(f"  filled pauses: live {len(r['live_fillers'])}, after stop "
              f"{len(r['after_fillers'])}; only live {r['fillers_only_live']}, "
              f"only after stop {r['fillers_only_after_stop']}")
    print(f"median stop -> feedback: live {summary['median_live_s']:.2f} s (goal <= "
          f"{GOAL_S} s), transcribe after stop {summary['median_after_stop_s']:.2f} s")
    if summary.get("median_live_with_cues_s") and summary.get("median_live_without_cues_s"):
        ratio = summary["median_live_with_cues_s"] / summary["median_live_without_cues_s"]
        print(f"rounds 2 on: live stop -> feedback {summary['median_live_with_cues_s']:.2f} s "
              f"with cues, {summary['median_live_without_cues_s']:.2f} s without "
              f"(ratio {ratio:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
