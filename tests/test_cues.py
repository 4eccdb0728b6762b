"""Live cues (``practice --cues``): the fillers so far, the pace of the last 15 s and the time
against the target, from the words transcribed while the answer is recorded."""

from __future__ import annotations

import dataclasses
import re
import threading
import time
from pathlib import Path

import pytest
import soundfile
from rich.console import Console

from mockview.analysis import AnalysisSettings, analyze_answer
from mockview.analysis.cues import (
    MIN_PACE_SPAN_S,
    CueLine,
    SpeechCues,
    cue_line,
    speech_cues,
    time_cue,
)
from mockview.kinds import LENGTH_TARGETS
from mockview.practice import Practice, PracticeSettings
from mockview.questions import load_banks, select_questions
from mockview.recording import LevelReading, RecordingResult
from mockview.store import Store
from mockview.ui import TerminalUI
from mockview.words import Transcript

from .analysis_helpers import timeline, transcript

DATA = Path(__file__).parent / "data"
BEHAVIORAL = LENGTH_TARGETS["behavioral"]  # 1:30-2:00


def words(n: int) -> str:
    """``n`` plain words: ``transcript`` puts one every 0.4 s (150 wpm)."""
    return " ".join(["word"] * n)


def steady(n: int, *, every_s: float, start_s: float = 0.0):
    """``n`` words, one every ``every_s`` seconds: 60 / every_s words per minute."""
    return timeline(" ".join(["word"] * n), start_s=start_s, word_s=every_s * 0.75,
                    gap_s=every_s * 0.25)


# --- the cues of the words so far ---------------------------------------------------------


def test_fillers_are_counted_by_the_reports_rules():
    text = ("Um, I led the migration and, uh, we cut the build time. I like building tools,"
            " and it was, like, [0.6] really hard. You know the answer. So, um, that is it.")
    said = transcript(text)
    cues = speech_cues(said)
    assert cues.filler_count == analyze_answer(said).fillers.count == 5
    # "I like building" and "You know the answer" are content, not fillers
    assert cues.word_count == len(said.words)


def test_pace_is_over_the_last_15_seconds_only():
    slow = steady(20, every_s=1.0)  # 60 wpm for 20 s
    fast = steady(60, every_s=0.3, start_s=slow[-1].end_s + 0.3)  # 200 wpm for 18 s
    cues = speech_cues(Transcript(words=slow + fast, duration_s=fast[-1].end_s))
    assert cues.pace_window == pytest.approx((fast[-1].end_s - 15.0, fast[-1].end_s))
    assert cues.words_per_minute == pytest.approx(200, abs=8)
    assert cues.pace_verdict == "fast"
    whole = analyze_answer(Transcript(words=slow + fast, duration_s=fast[-1].end_s))
    assert whole.pace.words_per_minute < 140  # the answer as a whole reads slower


def test_pace_at_150_wpm_reads_on_target():
    cues = speech_cues(transcript(words(40)))  # 16 s: the last 15 s hold 38 words
    assert (cues.words_per_minute, cues.pace_verdict) == (152.0, "good")
    assert cue_line(cues, elapsed_s=47.6, target=BEHAVIORAL) == (
        "no fillers · pace 152 wpm, on target · 0:48 of 1:30–2:00")


def test_no_pace_until_the_words_span_enough_to_judge_one():
    short = steady(12, every_s=0.4)  # spans 4.7 s
    assert short[-1].end_s - short[0].start_s < MIN_PACE_SPAN_S
    cues = speech_cues(Transcript(words=short, duration_s=5.0))
    assert (cues.words_per_minute, cues.pace_verdict, cues.pace_window) == (None, None, None)
    assert cue_line(cues, elapsed_s=6.0, target=BEHAVIORAL) == "no fillers · 0:06 of 1:30–2:00"
    longer = steady(14, every_s=0.4)  # 5.5 s
    assert speech_cues(Transcript(words=longer, duration_s=6.0)).words_per_minute is not None


@pytest.mark.parametrize("every_s,verdict,words_shown", [
    (0.6, "slow", "slow"),  # 100 wpm
    (0.52, "a_bit_slow", "a little slow"),  # 115 wpm
    (0.35, "a_bit_fast", "a little fast"),  # 171 wpm
    (0.3, "fast", "fast"),  # 200 wpm
])
def test_the_pace_verdicts_read_calmly(every_s, verdict, words_shown):
    said = steady(60, every_s=every_s)
    cues = speech_cues(Transcript(words=said, duration_s=said[-1].end_s))
    assert cues.pace_verdict == verdict
    line = cue_line(cues, elapsed_s=30, target=BEHAVIORAL)
    assert re.fullmatch(rf"no fillers · pace \d+ wpm, {words_shown} · 0:30 of 1:30–2:00", line)


def test_the_pace_target_is_the_analysis_settings_own():
    cues = speech_cues(transcript(words(40)),
                       settings=AnalysisSettings(pace_target_wpm=(160.0, 170.0)))
    assert cues.pace_verdict == "a_bit_slow"  # 152 wpm under a target of 160-170


def test_filler_counts_read_as_words():
    base = SpeechCues(word_count=30, filler_count=0, words_per_minute=None,
                      pace_verdict=None, pace_window=None)
    for count, said in ((0, "no fillers"), (1, "1 filler"), (7, "7 fillers")):
        cues = dataclasses.replace(base, filler_count=count)
        assert cue_line(cues, elapsed_s=10, target=BEHAVIORAL) == f"{said} · 0:10 of 1:30–2:00"


def test_before_any_word_only_the_time_shows():
    assert cue_line(None, elapsed_s=3.2, target=BEHAVIORAL) == "0:03 of 1:30–2:00"
    empty = speech_cues(Transcript(words=(), duration_s=4.0))
    assert cue_line(empty, elapsed_s=4.0, target=BEHAVIORAL) == "0:04 of 1:30–2:00"


def test_the_time_against_the_target():
    assert time_cue(48, BEHAVIORAL) == "0:48 of 1:30–2:00"
    assert time_cue(90, BEHAVIORAL) == "1:30, within 1:30–2:00"
    assert time_cue(120, BEHAVIORAL) == "2:00, within 1:30–2:00"
    assert time_cue(125, BEHAVIORAL) == "2:05, past 2:00: time to wrap up"
    assert time_cue(50, LENGTH_TARGETS["closing"]) == "0:50, within 0:30–1:00"


def test_the_words_are_read_again_only_when_new_ones_come():
    first, second = transcript("Um, I led it."), transcript("Um, I led it, uh, well.")
    given = [None, first, first, second]
    line = CueLine(lambda: given.pop(0), target=BEHAVIORAL)
    assert line(1.0) == "0:01 of 1:30–2:00"
    assert line(2.0) == "1 filler · 0:02 of 1:30–2:00"
    read = line.cues
    assert line(3.0) == "1 filler · 0:03 of 1:30–2:00"
    assert line.cues is read  # the same transcript: not read again
    assert line(4.0) == "2 fillers · 0:04 of 1:30–2:00"


# --- the status line ----------------------------------------------------------------------


def drawn(view) -> str:
    console = Console(width=100, record=True, file=None, force_terminal=False)
    console.print(view.__rich__())
    return console.export_text()


def test_the_recording_status_shows_the_cues_under_the_meter():
    ui = TerminalUI(Console(width=100), interactive=False)
    view = ui.recording(150.0)
    view.level(LevelReading(47.6, -20.0, -6.0))
    assert "fillers" not in drawn(view)
    view.show_cues(lambda elapsed_s: f"2 fillers · {time_cue(elapsed_s, BEHAVIORAL)}")
    lines = drawn(view).splitlines()
    assert lines[0].startswith("● REC 0:48 / 2:30")
    assert lines[1] == "2 fillers · 0:48 of 1:30–2:00"
    assert lines[2] == "Recording until the time limit or a silence stop."


def test_a_failing_cue_is_left_out_and_the_recording_goes_on():
    ui = TerminalUI(Console(width=100), interactive=False)
    view = ui.recording(150.0)

    def broken(elapsed_s):
        raise ValueError("no cue")

    view.show_cues(broken)
    assert drawn(view).splitlines()[1] == "Recording until the time limit or a silence stop."


# --- in a practice session ----------------------------------------------------------------


class CueWatchingUI:
    """A practice UI whose recording view asks the cues at each level reading, as the
    terminal's view does at each redraw, and keeps what they said."""

    def __init__(self):
        self.cues = None
        self.seen: list[tuple[float, str]] = []

    def show_question(self, *args):
        pass

    def prepare(self, seconds):
        pass

    def recording(self, time_limit_s):
        ui = self

        class View:
            stop = threading.Event()

            def show_cues(self, cues):
                ui.cues = cues

            def level(self, reading):
                if ui.cues is not None:
                    ui.seen.append((reading.elapsed_s, ui.cues(reading.elapsed_s)))

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                pass

        return View()

    def show_feedback(self, take):
        pass

    def notice(self, message):
        raise AssertionError(message)


def played_in(audio, *, speed: float, keep_up=None):
    """A record function that writes ``audio`` and feeds it in 50 ms blocks at ``speed``
    times real time, with a level reading every block. ``keep_up`` is called every 0.5 s of
    audio: it may wait for the transcription to catch up, as on a machine of its own."""

    def record(path, *, on_audio, on_level, **options):
        soundfile.write(path, audio, 16000, subtype="PCM_16", format="WAV")
        block = 800
        for start in range(0, audio.size, block):
            on_audio(audio[start:start + block])
            if keep_up is not None and (start // block) % 10 == 9:
                keep_up()
            on_level(LevelReading(min(start + block, audio.size) / 16000, -20.0, -6.0))
            time.sleep(block / 16000 / speed)
        return RecordingResult(path=path, duration_s=audio.size / 16000, overflow_count=0,
                               peak_dbfs=-6.0, stopped_by="stop")

    return record


class NoCuesTranscriber:
    """A live transcriber whose words must not be asked for."""

    def __init__(self):
        self.fed = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def feed(self, block):
        self.fed.append(block)

    def audio(self):
        import numpy as np

        return np.concatenate(self.fed)

    def transcript_so_far(self):
        raise AssertionError("the words were asked for without --cues")

    def finish(self):
        return transcript("Um, I led the team.", duration_s=2.0)


def test_without_cues_the_words_are_not_asked_for_while_recording():
    import numpy as np

    [question] = select_questions(load_banks(), ids=["beh-disagree"])
    ui = CueWatchingUI()
    with Store.open() as store:
        result = Practice([question], store=store, ui=ui, settings=PracticeSettings(prep_s=0),
                          record=played_in(np.zeros(32000, dtype=np.float32), speed=100),
                          transcriber=NoCuesTranscriber, interactive=False).run()
    assert len(result.takes) == 1
    assert ui.cues is None and ui.seen == []


@pytest.mark.model
def test_the_cues_follow_a_real_answer_as_it_is_recorded():
    """Real speech (27 s: fast talk with "you know" and "um", then slow talk with "uh" and
    "um") recorded through practice with the real live transcriber and model."""
    from mockview.speech.audio import load_audio
    from mockview.speech.live import LiveTranscriber
    from mockview.speech.transcription import load_model

    audio = load_audio(DATA / "acoustic_corpus.wav")
    model = load_model()
    [question] = select_questions(load_banks(), ids=["beh-disagree"])
    ui = CueWatchingUI()
    made = []

    def transcriber():
        made.append(LiveTranscriber(model_loader=lambda: model))
        return made[-1]

    def keep_up():  # the machine is shared: the model keeps pace as on one of its own
        assert made[-1].wait_idle(120.0), "the live transcription did not keep up"

    with Store.open() as store:
        result = Practice([question], store=store, ui=ui,
                          settings=PracticeSettings(prep_s=0, cues=True),
                          record=played_in(audio, speed=4.0, keep_up=keep_up),
                          transcriber=transcriber, interactive=False).run()

    [take] = result.takes
    pattern = re.compile(r"(?:(no|\d+) fillers? · )?(?:pace (\d+) wpm, [a-z ]+ · )?"
                         r"(\d):(\d\d) of 1:30–2:00")
    parsed = []
    for elapsed_s, line in ui.seen:
        match = pattern.fullmatch(line)
        assert match, line
        fillers, pace, minutes, seconds = match.groups()
        parsed.append((elapsed_s, None if fillers is None else int(fillers.replace("no", "0")),
                       None if pace is None else int(pace), int(minutes) * 60 + int(seconds)))
    # the time grows with the recording
    clocks = [c for _, _, _, c in parsed]
    assert clocks == sorted(clocks) and clocks[0] == 0 and clocks[-1] == 27
    # no words at first; the fillers are counted while the answer goes on, and grow
    assert parsed[0][1] is None
    counted = [(t, f) for t, f, _, _ in parsed if f is not None]
    assert counted, "no words were transcribed while recording"
    assert counted[0][0] < 20.0, "the first words came only at the end"
    assert len({f for _, f in counted}) >= 2 and max(f for _, f in counted) >= 2
    assert counted[-1][1] >= counted[0][1]
    # a pace once the words span enough: the fast start reads fast
    paced = [(t, p) for t, _, p, _ in parsed if p is not None]
    assert paced and paced[0][0] < 20.0
    assert paced[0][1] > 160
    # once everything is read, the cues count the fillers the report counts
    final = ui.cues(audio.size / 16000)
    assert final.startswith(f"{take.report['metrics']['fillers']['count']} filler")


@pytest.mark.parametrize("given,cues", [([], False), (["--cues"], True)])
def test_practice_cues_is_an_option_off_by_default(monkeypatch, given, cues):
    from click.testing import CliRunner

    from mockview.cli import cli
    from mockview.practice import SessionResult

    asked = []

    def run_session(questions, settings, **options):
        asked.append(settings)
        return None, SessionResult(session_id=None), None, None

    monkeypatch.setattr("mockview.cli._run_session", run_session)
    result = CliRunner().invoke(cli, ["practice", "--question", "beh-disagree", "--no-input",
                                      *given])
    assert result.exit_code == 0, result.output
    assert [settings.cues for settings in asked] == [cues]


@pytest.mark.parametrize("given,cues", [([], False), (["--cues"], True)])
def test_interview_shares_practices_cues_option(monkeypatch, given, cues):
    from click.testing import CliRunner

    from mockview.cli import cli
    from mockview.practice import SessionResult

    asked = []

    def run_session(questions, settings, **options):
        asked.append(settings)
        return None, SessionResult(session_id=None), None, None

    monkeypatch.setattr("mockview.cli._run_session", run_session)
    # nothing is recorded here, so the interview ends with its one error line
    result = CliRunner().invoke(cli, ["interview", "--no-input", "--no-voice", *given])
    assert "Traceback" not in result.output
    assert [settings.cues for settings in asked] == [cues]
