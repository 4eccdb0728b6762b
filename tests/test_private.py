"""Private by default: mockview works with the network cut off, and asks before the one
thing that would use it, downloading a model that was named but is not on this machine.

The network is cut off for a mockview process by a ``sitecustomize`` module on its
``PYTHONPATH`` (written here at run time): every way Python opens a connection or looks
up a name raises, and is noted in a file, so a test sees an attempt even when mockview
would have shrugged it off.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from mockview.cli import cli

from .audio_helpers import DATA
from .bad_inputs import good_recording

ROOT = Path(__file__).resolve().parent.parent

NO_NETWORK = '''
"""Written by tests/test_private.py: no connections from this process."""
import os
import socket

def _refuse(what):
    def refused(*args, **kwargs):
        with open(os.environ["MOCKVIEW_TEST_NETWORK_LOG"], "a") as log:
            log.write(f"{what} {args[1:] if what == 'connect' else args}\\n")
        raise OSError(f"network blocked by the test ({what})")
    return refused

socket.socket.connect = _refuse("connect")
socket.socket.connect_ex = _refuse("connect")
socket.create_connection = _refuse("create_connection")
socket.getaddrinfo = _refuse("getaddrinfo")
'''


@pytest.fixture
def offline(tmp_path):
    """Environment for a mockview process with no network; yields (env, attempts file)."""
    folder = tmp_path / "no-network"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(NO_NETWORK)
    attempts = tmp_path / "network-attempts.txt"
    attempts.touch()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)]),
           "MOCKVIEW_TEST_NETWORK_LOG": str(attempts),
           "HF_HOME": str(tmp_path / "hf-cache")}  # no model cached but the bundled one
    return env, attempts


def mockview(*args: str, env: dict, cwd: Path, timeout_s: float = 180,
             **popen) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mockview", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=timeout_s,
                          stdin=subprocess.DEVNULL, **popen)


def test_the_network_really_is_cut_off(offline, tmp_path):
    env, attempts = offline
    code = "import urllib.request; urllib.request.urlopen('http://example.com', timeout=5)"
    process = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, timeout=60)
    assert process.returncode != 0
    assert "network blocked by the test" in process.stderr
    assert attempts.read_text()


@pytest.mark.model
def test_analyze_runs_on_real_speech_with_the_network_cut_off(offline, tmp_path):
    env, attempts = offline
    process = mockview("analyze", str(DATA / "jfk.flac"), "--json", "--save", env=env,
                       cwd=tmp_path)
    assert process.returncode == 0, process.stderr
    report = json.loads(process.stdout)
    assert "country" in report["transcript"]["text"].lower()
    assert report["saved"]["session_id"] == 1
    assert attempts.read_text() == ""


@pytest.mark.mic
@pytest.mark.model
def test_practice_runs_with_the_virtual_microphone_and_the_network_cut_off(
        virtual_mic, offline, tmp_path, mockview_home):
    env, attempts = offline  # made after virtual_mic: it holds the microphone's settings
    practice = subprocess.Popen(
        [sys.executable, "-m", "mockview", "practice", "--question", "beh-disagree",
         "--prep", "0", "--no-input", "--json", "--silence-stop", "2", "--time-limit", "40"],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        unsaved = mockview_home / "recordings" / "unsaved"
        deadline = time.monotonic() + 60
        while not (unsaved.is_dir() and any(unsaved.glob("*.wav"))):
            assert practice.poll() is None, practice.communicate()
            assert time.monotonic() < deadline, "practice never started recording"
            time.sleep(0.05)
        time.sleep(0.5)
        subprocess.run(["paplay", str(virtual_mic)], check=True, timeout=60)
        out, err = practice.communicate(timeout=120)
    finally:
        practice.kill()
    assert practice.returncode == 0, err
    [take] = json.loads(out)["takes"]
    assert "country" in take["report"]["transcript"]["text"].lower()
    assert attempts.read_text() == ""


def test_a_named_model_that_is_not_here_is_not_downloaded_without_a_terminal(offline,
                                                                           tmp_path):
    env, attempts = offline
    answer = good_recording(tmp_path, "wav")
    for args in (["analyze", str(answer), "--model", "small.en"],
                 ["practice", "--question", "beh-disagree", "--no-input", "--model",
                  "small.en"]):
        process = mockview(*args, env=env, cwd=tmp_path, timeout_s=60)
        assert process.returncode == 1, process.stderr
        assert process.stderr == (
            "Error: Model 'small.en' is not on this machine: using it means downloading it "
            "from Hugging Face (your recordings are never sent). Run again with --download "
            "to allow that, or omit --model to use the bundled tiny.en.\n")
    assert attempts.read_text() == ""  # not even a look-up


# --- consent, with a stand-in for faster-whisper's model loading -----------------------------


class FakeModel:
    """Records how it was loaded; "not cached" unless a download was allowed."""

    loads: list[dict] = []

    def __init__(self, source, **options):
        FakeModel.loads.append({"source": source, **options})
        if options.get("local_files_only") and source not in FakeModel.cached:
            raise RuntimeError("not in the local cache")
        FakeModel.cached.add(source)


@pytest.fixture
def fake_models(monkeypatch):
    """The CLI's model loading, uncached, over ``FakeModel``; yields its list of loads."""
    import mockview.speech.transcription as transcription

    FakeModel.loads, FakeModel.cached = [], set()
    monkeypatch.setattr(transcription, "_chunk_model_class", lambda: FakeModel)
    monkeypatch.setattr(transcription, "_loaded_model", transcription._loaded_model.__wrapped__)
    return FakeModel.loads


def downloads(loads: list[dict]) -> list[str]:
    return [load["source"] for load in loads if not load.get("local_files_only")]


def test_download_with_the_flag(tmp_path, fake_models):
    answer = good_recording(tmp_path, "wav")
    result = CliRunner().invoke(cli, ["analyze", str(answer), "--model", "small.en",
                                      "--download", "--json"])
    assert result.exit_code == 0, result.output
    assert downloads(fake_models) == ["small.en"]
    assert json.loads(result.stdout)["transcript"]["words"] == []  # noise: nothing said


@pytest.mark.parametrize("answer, exit_code", [("y\n", 0), ("n\n", 1)])
def test_in_a_terminal_the_download_is_asked_for(tmp_path, monkeypatch, fake_models, answer,
                                                 exit_code):
    monkeypatch.setattr("mockview.cli._stdin_is_interactive", lambda: True)
    recording = good_recording(tmp_path, "wav")
    result = CliRunner().invoke(cli, ["analyze", str(recording), "--model", "small.en"],
                                input=answer)
    assert result.exit_code == exit_code, result.output
    assert ("Model 'small.en' is not on this machine. Download it from Hugging Face? (Your "
            "recordings are never sent.) [y/N]") in result.stderr
    assert downloads(fake_models) == (["small.en"] if answer == "y\n" else [])


def test_a_cached_model_loads_without_a_question_or_a_download(tmp_path, monkeypatch,
                                                               fake_models):
    FakeModel.cached.add("small.en")
    monkeypatch.setattr("mockview.cli._stdin_is_interactive", lambda: True)
    recording = good_recording(tmp_path, "wav")
    result = CliRunner().invoke(cli, ["analyze", str(recording), "--model", "small.en"])
    assert result.exit_code == 0, result.output
    assert "Download" not in result.stderr and downloads(fake_models) == []


def test_practice_without_input_never_asks(tmp_path, monkeypatch, fake_models):
    monkeypatch.setattr("mockview.cli._stdin_is_interactive", lambda: True)
    result = CliRunner().invoke(cli, ["practice", "--question", "beh-disagree", "--no-input",
                                      "--model", "small.en"])
    assert result.exit_code == 1
    assert "Run again with --download to allow that" in result.stderr
    assert downloads(fake_models) == []
