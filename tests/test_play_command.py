"""mockview play: stored takes played through a fake sounddevice (which samples were sent,
and what was announced), its errors, and one real take played into the virtual microphone.

The takes are real recordings from tests/data stored with the Store API; their reports are
built from hand-made word timelines (the monologue's from its forced alignment), so no
speech model runs.
"""

from __future__ import annotations

import shutil
import sys
from types import SimpleNamespace

import numpy as np
import pytest
from click.testing import CliRunner
from rich.console import Console

from mockview.cli import cli
from mockview.recording import PORTAUDIO_MISSING
from mockview.report import build_report
from mockview.speech.audio import SAMPLE_RATE, load_audio
from mockview.store import Store
from mockview.ui import FollowView, TerminalUI
from mockview.words import Transcript, Word

from .analysis_helpers import MOTIVATION, transcript
from .audio_helpers import DATA, assert_played, record_while
from .test_quality import textgrid_intervals

BLOCK = 800  # 50 ms at 16 kHz
JFK_TEXT = (DATA / "jfk.txt").read_text().strip()


def run(*args):
    return CliRunner().invoke(cli, [str(arg) for arg in args])




# --- stored takes -------------------------------------------------------------------------


def monologue_report():
    """The 27 s monologue's report from its forced alignment: "um" at 8.02 and 22.9 s, a
    1.16 s pause at 17.19 s."""
    intervals = textgrid_intervals(DATA / "acoustic_corpus.TextGrid")
    words = tuple(Word(text, start, end) for start, end, text in intervals if text)
    return build_report(Transcript(words=words, duration_s=intervals[-1][1]), question=MOTIVATION)


@pytest.fixture(scope="module")
def stored_once(tmp_path_factory):
    """Session 1. Answer 1: take 1 a short clip with an "um" 1.2 s in, take 2 the monologue.
    Answer 2: one fluent take (no fillers, no long pauses). Built once: storing is slow."""
    home = tmp_path_factory.mktemp("home")
    with Store.open(home / "mockview.db") as store:
        session = store.start_session()
        first = store.add_answer(session, MOTIVATION)
        store.add_take(first, DATA / "mfa_um.flac", build_report(
            transcript("Montreal forced um aligner.", start_s=0.2, word_s=0.4, duration_s=8.93),
            question=MOTIVATION))
        store.add_take(first, DATA / "acoustic_corpus.wav", monologue_report())
        second = store.add_answer(session, None)
        store.add_take(second, DATA / "jfk.flac",
                       build_report(transcript(JFK_TEXT, start_s=0.3, word_s=0.35,
                                               duration_s=11.0)))
        takes = store.session(session).takes
    return home, {(t.answer_no, t.take_no): load_audio(t.audio_path) for t in takes}


@pytest.fixture
def stored(stored_once, mockview_home):
    """A copy of ``stored_once`` in this test's data directory, with its takes and audio."""
    home, audio = stored_once
    shutil.copytree(home, mockview_home, dirs_exist_ok=True)
    with Store.open() as store:
        takes = {(t.answer_no, t.take_no): t for t in store.session(1).takes}
    return SimpleNamespace(takes=takes, audio=audio)


def span(audio, start_s, end_s):
    return audio[int(round(start_s * SAMPLE_RATE)):int(round(end_s * SAMPLE_RATE))]


# --- the whole take -----------------------------------------------------------------------


def test_play_sends_the_latest_take_whole_and_prints_the_words_as_plain_lines(fake_sd, stored):
    result = run("play", 1)
    assert result.exit_code == 0, result.output
    [stream] = fake_sd.streams
    assert np.array_equal(stream.samples, stored.audio[1, 2])
    assert [b.size for b in stream.blocks[:-1]] == [BLOCK] * (len(stream.blocks) - 1)
    assert stream.settings["samplerate"] == SAMPLE_RATE and stream.settings["device"] == 2
    lines = result.stdout.splitlines()
    assert lines[:2] == ["Session 1, answer 1, take 2 · 0:27 · Why do you want this role?",
                         "Playing the whole answer (0:26.7). Ctrl-C stops."]
    assert lines[2] == ("0:05 / 0:26.7  this is the acoustic corpus i'm talking pretty fast "
                        "here there's nothing going else going on")
    assert [line.split("  ")[0] for line in lines[2:-1]] == [
        "0:05 / 0:26.7", "0:10 / 0:26.7", "0:15 / 0:26.7", "0:20 / 0:26.7", "0:25 / 0:26.7",
        "0:26.7 / 0:26.7"]
    heard = " ".join(line.split("  ", 1)[1] for line in lines[2:-1] if "  " in line)
    assert heard == stored.takes[1, 2].report["transcript"]["text"].strip()
    assert lines[-1] == "Played to the end (0:26.7)."
    assert result.stderr == ""


@pytest.mark.parametrize("start", ["12", "0:12", "0:12.0", "12.5"])
def test_from_starts_at_that_second(fake_sd, stored, start):
    start_s = 12.5 if start == "12.5" else 12.0
    result = run("play", 1, "--from", start)
    assert result.exit_code == 0, result.output
    [stream] = fake_sd.streams
    assert np.array_equal(stream.samples, stored.audio[1, 2][int(start_s * SAMPLE_RATE):])
    lines = result.stdout.splitlines()
    assert lines[1] == f"Playing from {'0:12.5' if start == '12.5' else '0:12'} to the end " \
                       "(0:26.7). Ctrl-C stops."
    # the first line starts with the word the start cut into ("lower" is 12.14-12.82 s)
    first = "0:17" if start_s == 12.0 else "0:17.5"
    assert lines[2].startswith(f"{first} / 0:26.7  lower in intensity we're just")


def test_an_earlier_take_of_another_answer(fake_sd, stored):
    result = run("play", 1, 1, "--take", 1)
    assert result.exit_code == 0, result.output
    assert np.array_equal(fake_sd.streams[0].samples, stored.audio[1, 1])
    assert result.stdout.startswith("Session 1, answer 1, take 1 · 0:09 · ")
    result = run("play", 1, 2)
    assert np.array_equal(fake_sd.streams[1].samples, stored.audio[2, 1])
    assert result.stdout.startswith("Session 1, answer 2, take 1 · 0:11 · no question given\n")


# --- fillers and long pauses --------------------------------------------------------------


def test_fillers_play_one_after_another_with_their_context(fake_sd, stored):
    result = run("play", 1, "--fillers")
    assert result.exit_code == 0, result.output
    audio = stored.audio[1, 2]
    first, second = fake_sd.streams
    assert np.array_equal(first.samples, span(audio, 8.02 - 1.5, 8.57 + 1.5))
    assert np.array_equal(second.samples, span(audio, 22.9 - 1.5, 23.53 + 1.5))
    assert result.stdout.splitlines() == [
        "Session 1, answer 1, take 2 · 0:27 · Why do you want this role?",
        "filler 1 of 2: “um” at 0:08",
        "0:10.1 / 0:26.7  errors but who cares um this is me talking really slow",
        "filler 2 of 2: “um” at 0:23",
        "0:25 / 0:26.7  words word words um and that should be all thanks",
    ]


def test_pauses_play_each_long_pause_with_its_context(fake_sd, stored):
    result = run("play", 1, "--pauses")
    assert result.exit_code == 0, result.output
    [stream] = fake_sd.streams
    assert np.array_equal(stream.samples, span(stored.audio[1, 2], 17.19 - 1.5, 18.35 + 1.5))
    assert result.stdout.splitlines()[1] == "long pause 1 of 1: 1.2 s at 0:17"


def test_fillers_and_pauses_together_play_every_moment_in_time_order(fake_sd, stored):
    result = run("play", 1, "--pauses", "--fillers")
    assert result.exit_code == 0, result.output
    audio = stored.audio[1, 2]
    assert [s.samples.size for s in fake_sd.streams] == [
        span(audio, start - 1.5, end + 1.5).size
        for start, end in [(8.02, 8.57), (17.19, 18.35), (22.9, 23.53)]]
    assert np.array_equal(fake_sd.streams[1].samples, span(audio, 17.19 - 1.5, 18.35 + 1.5))
    announced = [line for line in result.stdout.splitlines() if " of " in line]
    assert announced == ["filler 1 of 2: “um” at 0:08", "long pause 1 of 1: 1.2 s at 0:17",
                         "filler 2 of 2: “um” at 0:23"]


def test_from_with_fillers_plays_only_those_after_it_numbered_in_the_whole_answer(
        fake_sd, stored):
    result = run("play", 1, "--fillers", "--from", "0:10")
    assert result.exit_code == 0, result.output
    [stream] = fake_sd.streams
    assert np.array_equal(stream.samples, span(stored.audio[1, 2], 21.4, 25.03))
    assert result.stdout.splitlines()[1] == "filler 2 of 2: “um” at 0:23"


def test_context_is_clipped_at_the_start_of_the_recording(fake_sd, stored):
    result = run("play", 1, "--take", 1, "--fillers")
    assert result.exit_code == 0, result.output
    [stream] = fake_sd.streams  # "um" at 1.2-1.6 s: from 0 (not -0.3) to 3.1 s
    assert np.array_equal(stream.samples, stored.audio[1, 1][: int(3.1 * SAMPLE_RATE)])
    assert result.stdout.splitlines()[1:] == ["filler 1 of 1: “um” at 0:01",
                                              "0:03.1 / 0:08.9  Montreal forced um aligner."]


@pytest.mark.parametrize(("options", "message"), [
    (["--fillers"], "No fillers in this answer: nothing to play."),
    (["--pauses"], "No long pauses in this answer: nothing to play."),
    (["--fillers", "--pauses"], "No fillers or long pauses in this answer: nothing to play."),
])
def test_nothing_to_play_is_said_and_not_an_error(fake_sd, stored, options, message):
    result = run("play", 1, 2, *options)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == [message]
    assert fake_sd.streams == []


def test_none_after_from_says_so(fake_sd, stored):
    result = run("play", 1, "--fillers", "--from", 24)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == [
        "No fillers from 0:24 on in this answer: nothing to play."]


# --- Ctrl-C -------------------------------------------------------------------------------


def test_ctrl_c_stops_the_whole_take_quietly(fake_sd, stored):
    fake_sd.interrupt_at = 30
    result = run("play", 1)
    assert result.exit_code == 0
    assert len(fake_sd.streams[0].blocks) == 30
    assert result.stdout.splitlines()[-2:] == ["0:01.5 / 0:26.7  this is the acoustic",
                                               "Stopped at 0:01.5 of 0:26.7."]
    assert "Traceback" not in result.output and result.exception is None


def test_ctrl_c_in_a_moments_context_skips_the_rest(fake_sd, stored):
    # block 60 of the first filler's 3.55 s is 0.95 s after the "um" ended: in its context
    fake_sd.interrupt_at = 60
    result = run("play", 1, "--fillers", "--pauses")
    assert result.exit_code == 0
    assert len(fake_sd.streams) == 1
    assert result.stdout.splitlines()[1:] == [
        "filler 1 of 2: “um” at 0:08",
        "0:09.5 / 0:26.7  errors but who cares um this is me talking",
        "Stopped. Skipped the 2 after it."]


def test_ctrl_c_before_playback_starts_is_a_quiet_stop(fake_sd, stored, monkeypatch):
    def interrupted(take):
        raise KeyboardInterrupt

    monkeypatch.setattr("mockview.playback.take_audio", interrupted)
    result = run("play", 1)
    assert result.exit_code == 0
    assert result.stderr == "Stopped.\n"
    assert fake_sd.streams == []


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "message"), [
    ([7], "No session 7. List your sessions with: mockview history"),
    ([1, 3], "Session 1 has no answer 3 (it has 2 answers). See them with: mockview show 1"),
    ([1, 2, "--take", 2],
     "Answer 2 of session 1 has no take 2 (it has 1 take). See them with: mockview show 1"),
    ([1, "--from", "0:27"],
     "Cannot start at 0:27: the recording is 0:26.7 long. Start between 0:00 and 0:26.7."),
    ([1, "--fillers", "--from", "1:00"],
     "Cannot start at 1:00: the recording is 0:26.7 long. Start between 0:00 and 0:26.7."),
])
def test_errors_are_one_line(fake_sd, stored, args, message):
    result = run("play", *args)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {message}\n"
    assert result.stdout == "" and fake_sd.streams == []


@pytest.mark.parametrize(("value", "message"), [
    ("soon", "Give seconds (42) or minutes:seconds (0:42), not 'soon'."),
    ("0:75", "'0:75' is not a time: after a colon, minutes and seconds go from 0 to 59 "
             "(1:15, not 0:75)."),
])
def test_a_bad_from_is_a_usage_error(fake_sd, stored, value, message):
    result = run("play", 1, "--from", value)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Error: Invalid value for '--from': {message}"


def test_a_missing_recording_says_where_it_was_expected(fake_sd, stored):
    path = stored.takes[1, 2].audio_path
    path.unlink()
    result = run("play", 1)
    assert result.exit_code == 1
    assert result.stderr == (f"Error: The recording of session 1, answer 1, take 2 is missing: "
                             f"it was expected at {path}. Its report is still there: "
                             "mockview show 1\n")


def test_a_take_saved_without_audio(fake_sd):
    with Store.open() as store:
        session = store.start_session()
        store.add_take(store.add_answer(session, MOTIVATION), None, monologue_report())
    result = run("play", session)
    assert result.exit_code == 1
    assert result.stderr == ("Error: There is no recording of session 1, answer 1, take 1: it "
                             "was saved without audio. Its report is still there: "
                             "mockview show 1\n")


def test_no_output_device(fake_sd, stored):
    fake_sd.devices = fake_sd.devices[:1]
    result = run("play", 1, "--fillers")
    assert result.exit_code == 1
    assert result.stderr == ("Error: No output device found. Connect speakers or headphones "
                             "and unmute them in the system's sound settings; mockview "
                             "devices should then list them.\n")


def test_portaudio_missing(stored, monkeypatch, tmp_path):
    """sounddevice raises OSError on import when the PortAudio library is not installed."""
    (tmp_path / "sounddevice.py").write_text(
        "raise OSError('PortAudio library not found')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    result = run("play", 1)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {PORTAUDIO_MISSING}\n"


# --- the pieces the command shares with practice ------------------------------------------


def test_follow_view_live_shows_position_bar_and_the_words_heard():
    report = monologue_report()
    console = Console(width=100, record=True, force_terminal=True)
    view = FollowView(console, report, total_s=26.72, live=True)
    view.update(8.3)
    console.print(view)
    status, words = console.export_text().splitlines()
    assert status.startswith("▶ 0:08.3 / 0:26.7 ━━━━━━━━━─")
    assert words == "  on we're just yknow there's some speech errors but who cares um"
    text = view.__rich__().renderables[1]
    um = text.plain.rindex("um")
    assert [(s.start, s.end, str(s.style)) for s in text.spans] == [
        (um, um + 2, "yellow bold")]  # the newest word, and a filler
    view.update(9.0)  # "me" (8.93-9.2) is the newest; the "um" stays yellow
    text = view.__rich__().renderables[1]
    assert [str(s.style) for s in text.spans] == ["yellow", "bold"]


def test_terminal_ui_plays_a_practice_take(fake_sd, stored):
    take = stored.takes[1, 2]
    console = Console(width=100, record=True)
    TerminalUI(console, interactive=False).play(take, moments=True)
    assert len(fake_sd.streams) == 3
    assert "long pause 1 of 1: 1.2 s at 0:17" in console.export_text()
    TerminalUI(console, interactive=False).play(take, moments=False)
    assert np.array_equal(fake_sd.streams[3].samples, stored.audio[1, 2])


# --- through the virtual microphone -------------------------------------------------------


@pytest.mark.mic
def test_play_sends_a_stored_take_to_the_default_output(virtual_mic, tmp_path):
    """PortAudio's default output is the null sink whose monitor is the virtual mic: what
    mockview play sends there is what the microphone hears."""
    with Store.open() as store:
        session = store.start_session()
        store.add_take(store.add_answer(session, MOTIVATION), virtual_mic,
                       build_report(transcript(JFK_TEXT, start_s=0.3, word_s=0.35,
                                               duration_s=11.0)))
        stored = store.take(session, 1)
    start_s = 7.0  # "ask what you can do for your country"
    clip = load_audio(stored.audio_path)[int(start_s * SAMPLE_RATE):]
    result, heard = record_while(lambda: run("play", session, "--from", "0:07"),
                                 tmp_path / "heard.wav", seconds=6.5)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "Played to the end (0:11)."
    assert_played(heard, clip)
