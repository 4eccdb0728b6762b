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
    assert "1:02 / 3:45" in text and "-30 dBFS" in text and "Press Enter to stop" in text
    assert "No sound" not in text


def test_meter_warns_when_no_sound_arrives():
    view = ui._RecordingView(quiet_console(), 60.0, read_keys=False)
    view.level(LevelReading(elapsed_s=1.0, rms_dbfs=-25.0, peak_dbfs=-10.0))
    view.level(LevelReading(elapsed_s=3.5, rms_dbfs=-75.0, peak_dbfs=-70.0))
    assert "No sound" not in render(view)
    view.level(LevelReading(elapsed_s=4.5, rms_dbfs=float("-inf"), peak_dbfs=float("-inf")))
    text = render(view)
    assert "No sound for 4 s" in text and "muted" in text and "silence" in text
