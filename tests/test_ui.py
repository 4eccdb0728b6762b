"""The terminal practice UI: keys to actions, Enter to stop, the live meter's warnings."""

from __future__ import annotations

import io
import os
import threading

import pytest
from rich.console import Console

from mockview import ui
from mockview.practice import Action
from mockview.recording import LevelReading


def quiet_console() -> Console:
    return Console(file=io.StringIO(), width=100)


@pytest.mark.parametrize("keys, action", [
    ("p", Action.PLAY), (" ", Action.PLAY), ("F", Action.MOMENTS), ("r", Action.RETRY),
    ("n", Action.NEXT), ("\r", Action.NEXT), ("q", Action.QUIT), ("xq", Action.QUIT),
])
def test_keys_choose_actions(monkeypatch, keys, action):
    pressed = iter(keys)
    monkeypatch.setattr("click.getchar", lambda: next(pressed))
    console = quiet_console()
    assert ui.TerminalUI(console, interactive=True).choose(take=None) is action
    if keys.startswith("x"):
        assert "'x' is not a choice" in console.file.getvalue()


@pytest.fixture
def key_reader(monkeypatch):
    """``_wait_for_enter`` running on a pipe as standard input: (write fd, stop, done, thread)."""
    read_end, write_end = os.pipe()
    with os.fdopen(read_end, "r") as fake_stdin:
        monkeypatch.setattr("sys.stdin", fake_stdin)
        stop, done = threading.Event(), threading.Event()
        waiter = threading.Thread(target=ui._wait_for_enter, args=(stop, done))
        waiter.start()
        yield write_end, stop, done, waiter
        done.set()
        waiter.join(2.0)
    os.close(write_end)


def test_enter_sets_the_stop_event(key_reader):
    keys, stop, _, waiter = key_reader
    os.write(keys, b"a")  # other keys do nothing
    assert not stop.wait(0.3)
    os.write(keys, b"\n")
    assert stop.wait(2.0)
    waiter.join(2.0)
    assert not waiter.is_alive()


def test_the_key_reader_ends_when_the_recording_does(key_reader):
    _, stop, done, waiter = key_reader
    done.set()
    waiter.join(2.0)
    assert not waiter.is_alive() and not stop.is_set()


def render(view) -> str:
    console = Console(file=io.StringIO(), width=100)
    console.print(view)
    return console.file.getvalue()


def test_meter_shows_time_against_the_limit_and_the_level():
    view = ui._RecordingView(quiet_console(), 225.0, read_keys=True)
    view.level(LevelReading(elapsed_s=62.0, rms_dbfs=-30.0, peak_dbfs=-12.0))
    text = render(view)
    assert "1:02 / 3:45" in text and " good" in text and "Press Enter to stop" in text
    assert "No sound" not in text


def test_meter_warns_when_no_sound_arrives():
    view = ui._RecordingView(quiet_console(), 60.0, read_keys=False)
    view.level(LevelReading(elapsed_s=1.0, rms_dbfs=-45.0, peak_dbfs=-30.0))  # a rustle
    view.level(LevelReading(elapsed_s=3.5, rms_dbfs=-75.0, peak_dbfs=-70.0))
    assert "No sound" not in render(view)
    view.level(LevelReading(elapsed_s=4.5, rms_dbfs=float("-inf"), peak_dbfs=float("-inf")))
    text = render(view)
    assert "No sound for 4 s" in text and "muted" in text and "silence" in text


def test_the_meter_names_the_level_in_words_and_keeps_dbfs_for_the_details():
    view = ui._RecordingView(quiet_console(), 225.0, read_keys=True)
    for elapsed, rms, peak, word in ((1.0, -45.0, -30.0, "quiet"), (2.5, -22.0, -8.0, "good"),
                                     (4.0, -6.0, -0.1, "too loud")):
        view.level(LevelReading(elapsed_s=elapsed, rms_dbfs=rms, peak_dbfs=peak))
        text = render(view)
        assert f" {word}" in text and "dBFS" not in text
    detailed = ui._RecordingView(quiet_console(), 225.0, read_keys=True, dbfs=True)
    detailed.level(LevelReading(elapsed_s=1.0, rms_dbfs=-22.0, peak_dbfs=-8.0))
    assert "good (-22 dBFS)" in render(detailed)


def test_the_level_word_holds_over_a_short_gap_between_words():
    view = ui._RecordingView(quiet_console(), 60.0, read_keys=False)
    view.level(LevelReading(elapsed_s=1.0, rms_dbfs=-22.0, peak_dbfs=-8.0))
    view.level(LevelReading(elapsed_s=1.2, rms_dbfs=-55.0, peak_dbfs=-45.0))
    assert " good" in render(view)


def test_no_sound_warning_waits_for_a_long_silence_once_speech_has_started():
    view = ui._RecordingView(quiet_console(), 120.0, read_keys=True)
    view.level(LevelReading(elapsed_s=2.0, rms_dbfs=-20.0, peak_dbfs=-6.0))  # speaking
    view.level(LevelReading(elapsed_s=7.0, rms_dbfs=-70.0, peak_dbfs=-60.0))  # finished: 5 s
    assert "No sound" not in render(view)
    view.level(LevelReading(elapsed_s=2.0 + ui.LONG_SILENCE_WARNING_S + 1, rms_dbfs=-70.0,
                            peak_dbfs=-60.0))
    assert "No sound for 11 s" in render(view)


def test_no_sound_warning_before_any_speech():
    view = ui._RecordingView(quiet_console(), 120.0, read_keys=True)
    view.level(LevelReading(elapsed_s=ui.NO_SOUND_WARNING_S + 0.5, rms_dbfs=-70.0,
                            peak_dbfs=-60.0))
    assert "No sound for 4 s" in render(view)


def test_enter_ends_the_prep_countdown_without_breaking_the_line(monkeypatch):
    import time

    read_end, write_end = os.pipe()
    with os.fdopen(read_end, "r") as fake_stdin:
        monkeypatch.setattr("sys.stdin", fake_stdin)
        console = quiet_console()
        os.write(write_end, b"\n")
        started = time.monotonic()
        ui.TerminalUI(console, interactive=True).prepare(20.0)
        assert time.monotonic() - started < 3.0
    os.close(write_end)


def test_without_input_the_countdown_runs_its_course(monkeypatch):
    import time

    started = time.monotonic()
    ui.TerminalUI(quiet_console(), interactive=False).prepare(0.5)
    assert time.monotonic() - started >= 0.5
