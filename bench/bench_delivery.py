"""Cost bar: the delivery analysis (``speech.delivery``) per minute of real speech, yin and pyin.

The bar (issue 7): the whole delivery analysis adds at most 0.3 s per minute of audio on
this 2-core machine.

Usage:
    python bench/bench_delivery.py [--seconds 120] [--rounds 5] [--pyin-rounds 2]
                                   [--dev-data DIR] [--audio PATH] [--no-cold]
                                   [--overlap N] [--json] [--check]

What it does:

1. Builds the answer from the real recordings in the dev data (``--dev-data``, default
   ``../shared/data/dev`` next to the repository), as ``bench_analyze.py`` does: the 27 s
   MFA monologue, the five LibriVox Austen sentences, JFK, the LibriSpeech sentence and
   MFA utterances, resampled to 16 kHz mono, joined with 0.5 s silences and cut at
   ``--seconds`` (default 120). ``--audio PATH`` uses a recording of your own instead.
2. Transcribes it once with the bundled model (``transcribe_audio``, not timed): the words
   and speech regions the analysis reads, as ``mockview analyze`` would hand them over.
3. Warm, in this process: one uncounted call each, then ``--rounds`` timed calls of
   ``analyze_delivery`` with yin (the default) and ``--pyin-rounds`` with pyin
   (``accurate_pitch=True``). Reports the median and range, in seconds and in seconds per
   minute of audio, against the bar.
4. Cold, in a fresh process (skipped with ``--no-cold``): the time to import
   ``mockview.speech.delivery``, the first call (which imports scipy's filters: a fixed cost
   once per process, whatever the length) and a second call. ``mockview analyze`` runs
   as a fresh process, so this fixed cost is what a user waits for on top of the
   per-minute cost, unless the import overlaps transcription (``delivery.preload``).

5. With ``--overlap N``: N rounds of three fresh processes each, in turn: transcription
   alone; transcription, then the delivery analysis; and transcription with
   ``delivery.preload`` in a background thread, then the analysis. Reports the median
   wall times: what the analysis adds to ``mockview analyze``, with and without the
   preload.

Numbers vary with the load on this shared machine: compare yin with pyin, and rerun
before believing a single round.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DEV = REPO.parent / "shared" / "data" / "dev"
SAMPLE_RATE = 16000
GAP_SECONDS = 0.5
GOAL_S_PER_MIN = 0.3

# Real recordings joined, in this order, into the answer (missing ones are skipped).
DEV_CLIPS = [
    "mfa-monologue/acoustic_corpus.wav",
    "librivox-austen/sense_and_sensibility_01_austen_64kb-0870.wav",
    "librivox-austen/sense_and_sensibility_01_austen_64kb-0880.wav",
    "librivox-austen/sense_and_sensibility_01_austen_64kb-0890.wav",
    "librivox-austen/sense_and_sensibility_01_austen_64kb-0920.wav",
    "librivox-austen/sense_and_sensibility_01_austen_64kb-0930.wav",
    "jfk/jfk.flac",
    "librispeech/61-70968-0000.flac",
    "ami-meeting/ES2011a.Headset-0-40s-46s.wav",
    *(f"mfa-utterances/{name}.flac" for name in (
        "mfa_um", "mfa_uh", "mfa_youknow", "mfa_erpause", "mfa_internalsil", "mfa_long",
        "mfa_surround", "mfa_laughter", "mfa_cutoff", "mfa_cutoffprogressive", "mfa_words",
        "mfa_uhum", "mfa_crossword", "mfa_breaths", "mfa_uhuh", "mfa_affectation",
        "mfa_creaky", "mfa_putty", "mfa_the", "mfa_registershift")),
]

# A fresh process: import, first call (scipy's import inside), second call.
COLD_CODE = """\
import pickle, sys, time
import numpy as np
audio = np.load(sys.argv[1])
transcript = pickle.load(open(sys.argv[2], "rb"))
start, start_cpu = time.perf_counter(), time.process_time()
from mockview.speech.delivery import analyze_delivery
imported = time.perf_counter()
analyze_delivery(audio, transcript)
first, first_cpu = time.perf_counter(), time.process_time()
analyze_delivery(audio, transcript)
second, second_cpu = time.perf_counter(), time.process_time()
print(imported - start, first - imported, second - first,
      first_cpu - start_cpu, second_cpu - first_cpu)
"""


# A fresh process as ``mockview analyze`` would run: transcription, then (or not) delivery.
OVERLAP_CODE = """\
import sys, threading, time
import numpy as np
start = time.perf_counter()
from mockview.speech.transcription import transcribe_audio
audio = np.load(sys.argv[1])
mode = sys.argv[2]
if mode == "preload":
    from mockview.speech.delivery import preload
    loader = threading.Thread(target=preload)
    loader.start()
transcript = transcribe_audio(audio)
if mode == "preload":
    loader.join()
if mode != "alone":
    from mockview.speech.delivery import analyze_delivery
    analyze_delivery(audio, transcript)
print(time.perf_counter() - start)
"""
OVERLAP_MODES = ("alone", "after", "preload")


class BenchError(Exception):
    """A problem that stops the benchmark; its message is printed as is."""


def build_answer(dev: Path, seconds: float):
    """Dev recordings joined into ``seconds`` of 16 kHz mono speech; (audio, clips used)."""
    import numpy as np

    from mockview.speech.audio import load_audio

    if not dev.is_dir():
        raise BenchError(f"dev data not found at {dev} (pass --dev-data DIR or --audio PATH)")
    total = int(round(seconds * SAMPLE_RATE))
    gap = np.zeros(int(GAP_SECONDS * SAMPLE_RATE), dtype=np.float32)
    pieces, used, length = [], [], 0
    for name in DEV_CLIPS:
        if length >= total:
            break
        if not (dev / name).exists():
            continue
        if pieces:
            pieces.append(gap)
            length += gap.size
        clip = load_audio(dev / name)
        pieces.append(clip)
        used.append(name)
        length += clip.size
    if not pieces:
        raise BenchError(f"none of the expected recordings are in {dev}")
    audio = np.concatenate(pieces)[:total]
    if audio.size < total:
        print(f"bench_delivery: only {audio.size / SAMPLE_RATE:.1f} s of speech in {dev}",
              file=sys.stderr)
    else:
        fade = int(0.02 * SAMPLE_RATE)  # the last clip is cut mid-speech: avoid a click
        audio[-fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    return audio, used


def timed(function, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def summary(times: list[float], minutes: float) -> dict:
    median = statistics.median(times)
    return {"rounds_s": [round(t, 3) for t in times], "median_s": round(median, 3),
            "min_s": round(min(times), 3), "max_s": round(max(times), 3),
            "s_per_min": round(median / minutes, 3)}


def cold(audio, transcript, tmp: Path) -> dict:
    import numpy as np

    audio_path, transcript_path = tmp / "audio.npy", tmp / "transcript.pkl"
    np.save(audio_path, audio)
    transcript_path.write_bytes(pickle.dumps(transcript))
    proc = subprocess.run([sys.executable, "-c", COLD_CODE, str(audio_path),
                           str(transcript_path)], cwd=REPO, capture_output=True, text=True,
                          timeout=600)
    if proc.returncode != 0:
        raise BenchError(f"the fresh process failed:\n{proc.stderr[-3000:]}")
    imported, first, second, first_cpu, second_cpu = (float(v) for v in proc.stdout.split())
    return {"import_s": round(imported, 3), "first_call_s": round(first, 3),
            "second_call_s": round(second, 3),
            "fixed_cost_s": round(imported + first - second, 3),
            "fixed_cost_cpu_s": round(first_cpu - second_cpu, 3)}


def overlap(audio, rounds: int, tmp: Path) -> dict:
    """Median wall time of each OVERLAP_MODES process over ``rounds`` rounds, in turn."""
    import numpy as np

    audio_path = tmp / "audio.npy"
    np.save(audio_path, audio)
    times: dict[str, list[float]] = {mode: [] for mode in OVERLAP_MODES}
    for number in range(rounds):
        for mode in OVERLAP_MODES:
            print(f"overlap round {number + 1}: {mode} ...", file=sys.stderr)
            proc = subprocess.run([sys.executable, "-c", OVERLAP_CODE, str(audio_path), mode],
                                  cwd=REPO, capture_output=True, text=True, timeout=900)
            if proc.returncode != 0:
                raise BenchError(f"the {mode} process failed:\n{proc.stderr[-3000:]}")
            times[mode].append(float(proc.stdout.split()[-1]))
    medians = {mode: statistics.median(values) for mode, values in times.items()}
    return {
        "rounds_s": {mode: [round(v, 2) for v in values] for mode, values in times.items()},
        "median_s": {mode: round(value, 2) for mode, value in medians.items()},
        "added_after_s": round(medians["after"] - medians["alone"], 2),
        "added_preload_s": round(medians["preload"] - medians["alone"], 2),
    }


def run(args: argparse.Namespace) -> dict:
    from mockview.speech.audio import load_audio
    from mockview.speech.delivery import analyze_delivery
    from mockview.speech.transcription import transcribe_audio

    clips: list[str] = []
    if args.audio is not None:
        audio = load_audio(args.audio)
    else:
        audio, clips = build_answer(args.dev_data.resolve(), args.seconds)
    minutes = audio.size / SAMPLE_RATE / 60
    print(f"transcribing {audio.size / SAMPLE_RATE:.1f} s (not timed) ...", file=sys.stderr)
    transcript = transcribe_audio(audio)

    result = {
        "audio_seconds": round(audio.size / SAMPLE_RATE, 2),
        "clips": clips,
        "words": len(transcript.words),
        "speech_s": round(sum(e - s for s, e in transcript.speech_regions), 2),
        "machine": (f"{platform.machine()}, {os.cpu_count()} CPUs, Python "
                    f"{platform.python_version()}"),
        "goal_s_per_min": GOAL_S_PER_MIN,
    }
    for name, accurate, rounds in (("yin", False, args.rounds),
                                   ("pyin", True, args.pyin_rounds)):
        if rounds < 1:
            continue
        print(f"{name}: 1 warm-up + {rounds} rounds ...", file=sys.stderr)
        outcome = analyze_delivery(audio, transcript, accurate_pitch=accurate)
        result[name] = summary(
            timed(lambda a=accurate: analyze_delivery(audio, transcript, accurate_pitch=a),
                  rounds), minutes)
        result[name]["judged"] = outcome.judged
        result[name]["median_hz"] = round(outcome.pitch.median_hz or 0, 1)
        result[name]["variation_semitones"] = round(outcome.pitch.variation_semitones or 0, 2)
    if not args.no_cold:
        print("cold: a fresh process ...", file=sys.stderr)
        with tempfile.TemporaryDirectory(prefix="bench_delivery_") as tmp:
            result["cold"] = cold(audio, transcript, Path(tmp))
    if args.overlap:
        with tempfile.TemporaryDirectory(prefix="bench_delivery_") as tmp:
            result["overlap"] = overlap(audio, args.overlap, Path(tmp))
    result["pass"] = result["yin"]["s_per_min"] <= GOAL_S_PER_MIN if "yin" in result else None
    return result


def print_table(result: dict) -> None:
    print(f"audio: {result['audio_seconds']:.1f} s, {result['speech_s']:.1f} s in speech"
          f" regions, {result['words']} words; machine: {result['machine']}")
    if result["clips"]:
        print(f"  built from {len(result['clips'])} dev recordings")
    print()
    print(f"{'pitch':<6}{'median s':>10}{'range s':>16}{'s per min':>11}"
          f"{'median Hz':>11}{'variation st':>14}")
    for name in ("yin", "pyin"):
        if name in result:
            r = result[name]
            print(f"{name:<6}{r['median_s']:>10.3f}{r['min_s']:>8.3f}-{r['max_s']:<7.3f}"
                  f"{r['s_per_min']:>11.3f}{r['median_hz']:>11.1f}"
                  f"{r['variation_semitones']:>14.2f}")
    if "cold" in result:
        c = result["cold"]
        print()
        print(f"fresh process: import mockview.speech.delivery {c['import_s']:.2f} s, first call"
              f" {c['first_call_s']:.2f} s, second call {c['second_call_s']:.2f} s:"
              f" a fixed {c['fixed_cost_s']:.2f} s ({c['fixed_cost_cpu_s']:.2f} s of CPU) once per"
              " process: scipy's import")
    if "overlap" in result:
        o = result["overlap"]
        m = o["median_s"]
        print(f"\nfresh processes, medians of {len(o['rounds_s']['alone'])} rounds:"
              f" transcription alone {m['alone']:.2f} s; then delivery {m['after']:.2f} s"
              f" ({o['added_after_s']:+.2f}); with preload {m['preload']:.2f} s"
              f" ({o['added_preload_s']:+.2f})")
    if "yin" in result:
        verdict = "PASS" if result["pass"] else "FAIL"
        print(f"\nyin, warm: {result['yin']['s_per_min']:.3f} s per minute of audio"
              f" (goal <= {GOAL_S_PER_MIN} s: {verdict})")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Time mockview.speech.delivery per minute of speech.")
    p.add_argument("--audio", type=Path, help="a recording to use instead of the built answer")
    p.add_argument("--dev-data", type=Path, default=DEFAULT_DEV,
                   help="dev recordings to build the answer from (default: %(default)s)")
    p.add_argument("--seconds", type=float, default=120.0,
                   help="length of the built answer (default: 120)")
    p.add_argument("--rounds", type=int, default=5, help="timed yin rounds (default: 5)")
    p.add_argument("--pyin-rounds", type=int, default=2,
                   help="timed pyin rounds (default: 2; 0 skips pyin)")
    p.add_argument("--no-cold", action="store_true", help="skip the fresh-process timing")
    p.add_argument("--overlap", type=int, default=0, metavar="N",
                   help="also time N rounds of transcription with and without the analysis"
                        " in fresh processes (default: 0, skipped)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--check", action="store_true",
                   help=f"exit with status 1 when yin takes over {GOAL_S_PER_MIN} s per minute")
    args = p.parse_args(argv)
    if args.rounds < 1 or args.pyin_rounds < 0 or args.overlap < 0 or args.seconds <= 0:
        p.error("--rounds must be at least 1, --pyin-rounds and --overlap at least 0,"
                " --seconds above 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(REPO))
    try:
        result = run(args)
    except BenchError as exc:
        print(f"bench_delivery: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result)
    return 1 if args.check and result["pass"] is False else 0


if __name__ == "__main__":
    sys.exit(main())
