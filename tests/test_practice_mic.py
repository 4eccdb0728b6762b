"""`mockview practice` end to end with a real (virtual) microphone and the real model.

The ``virtual_mic`` fixture (conftest.py) starts a PulseAudio daemon whose null sink feeds
the default input; real speech played into it with paplay is what the microphone hears.
mockview runs as its own process, as a user or a script would run it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import soundfile

JFK_TEXT = (Path(__file__).parent / "data" / "jfk.txt").read_text().lower()


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def _practice(*args: str, **popen) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "mockview", "practice", "--question", "beh-disagree",
         "--prep", "0", "--no-input", "--json", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def _play_when_recording(process: subprocess.Popen, speech: Path, home: Path) -> None:
    """Start paplay once the take's WAV exists (the recording has begun)."""
    deadline = time.monotonic() + 60
    unsaved = home / "recordings" / "unsaved"
    while not (unsaved.is_dir() and any(unsaved.iterdir())):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "practice never started recording"
        time.sleep(0.05)
    time.sleep(0.5)
    subprocess.run(["paplay", str(speech)], check=True)


@pytest.mark.smoke
@pytest.mark.mic
@pytest.mark.model
@pytest.mark.slow
def test_practice_records_played_speech_saves_it_and_reports(virtual_mic, mockview_home):
    process = _practice("--silence-stop", "2", "--time-limit", "40")
    _play_when_recording(process, virtual_mic, mockview_home)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err

    result = json.loads(out)
    [take] = result["takes"]
    assert take["stopped_by"] == "silence"
    assert take["overflow_count"] == 0
    heard = set(_words(take["report"]["transcript"]["text"]))
    reference = _words(JFK_TEXT)
    overlap = sum(word in heard for word in reference) / len(reference)
    assert overlap >= 0.8, take["report"]["transcript"]["text"]
    metrics = take["report"]["metrics"]
    pace = metrics["pace"]
    # JFK's 11 s hold under 10 s of speaking: too little to judge the pace of a behavioral
    # answer, so no rate is given, and the note says why
    if pace["verdict"] == "not_enough_speech":
        assert pace["words_per_minute"] is None and "10 s" in pace["note"]
    else:
        assert pace["words_per_minute"] > 60
    assert metrics["length"]["word_count"] >= 15
    assert metrics["pauses"]["count"] >= 2  # JFK pauses between phrases, over room hiss
    assert metrics["content"]["kind"] == "behavioral"
    # how it sounded, from the recorded take: measured, or a note saying why not
    delivery = metrics["delivery"]
    assert delivery["speech_s"] > 5
    assert delivery["judged"] or delivery["note"]
    assert delivery["volume"]["median_dbfs"] is not None
    assert take["feedback_s"] is not None
    # saved: the stored audio holds the speech, and history lists the session
    audio = soundfile.info(take["audio_path"])
    assert audio.samplerate == 16000 and audio.duration >= 11.0
    history = subprocess.run([sys.executable, "-m", "mockview", "history", "--json"],
                             capture_output=True, text=True, check=True)
    [session] = json.loads(history.stdout)
    assert session["session_id"] == result["session_id"] and session["source"] == "practice"
    assert "Session" in err and "Question 1 of 1" in err  # people's output went to stderr


@pytest.mark.mic
@pytest.mark.model
def test_ctrl_c_while_recording_keeps_the_take(virtual_mic, mockview_home):
    process = _practice("--time-limit", "60")
    _play_when_recording(process, virtual_mic, mockview_home)
    time.sleep(1.0)  # on a busy machine the last of the speech may still be on its way
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    [take] = json.loads(out)["takes"]
    assert take["stopped_by"] == "interrupted"
    assert 10.0 <= take["duration_s"] < 30.0
    assert Path(take["audio_path"]).is_file()
    assert "Traceback" not in err


@pytest.mark.mic
def test_unknown_device_is_one_clear_message(virtual_mic, mockview_home):
    process = _practice("--device", "no-such-mic", "--time-limit", "5")
    out, err = process.communicate(timeout=120)
    assert process.returncode == 1
    assert "No input device 'no-such-mic'" in err and "mockview devices" in err
    assert "Traceback" not in err and out == ""


def test_unknown_question_is_one_clear_message(mockview_home):
    env = {**os.environ, "MOCKVIEW_HOME": str(mockview_home)}
    process = subprocess.run(
        [sys.executable, "-m", "mockview", "practice", "--question", "no-such-question",
         "--no-input"], capture_output=True, text=True, env=env)
    assert process.returncode == 1
    assert "no-such-question" in process.stderr and "Traceback" not in process.stderr


@pytest.mark.parametrize("option, value", [("--time-limit", "0"), ("--prep", "-1"),
                                           ("--count", "0"), ("--silence-stop", "0.1")])
def test_bad_numbers_are_refused(option, value):
    process = subprocess.run(
        [sys.executable, "-m", "mockview", "practice", option, value, "--no-input"],
        capture_output=True, text=True)
    assert process.returncode == 2
    assert option in process.stderr and value in process.stderr
