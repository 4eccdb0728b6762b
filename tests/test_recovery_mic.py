"""Killing mockview (SIGKILL: no cleanup at all) while it records, analyses and saves a
real take from the virtual microphone, then checking the next run keeps it.

Each test runs mockview as its own process, as a user would, with real speech (JFK, 11 s)
played into the virtual microphone (see conftest.py). To kill it at a chosen moment
after the recording, the child process wraps one mockview function to announce the moment
(it creates a marker file) and wait there; nothing in mockview itself knows about tests.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import textwrap
import time
import wave
from pathlib import Path

import pytest
import soundfile

from tests.test_disk_full import fill, mount_tmpfs

REPO = Path(__file__).resolve().parent.parent
JFK_WORDS = set(re.findall(r"[a-z']+", (REPO / "tests/data/jfk.txt").read_text().lower()))
PRACTICE = ["practice", "--question", "beh-disagree", "--prep", "0", "--no-input", "--json"]
QUESTION = "“Tell me about a time you disagreed with a colleague or your…”"  # as shortened
#: The kill lands within this of the moment measured from outside; the recording is ahead
#: of what is on disk by at most one 50 ms block, and it starts a little after its file.
SLACK_S = 1.0


def mockview(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mockview", *args], capture_output=True,
                          text=True, cwd=REPO, timeout=300)


def start(*args: str, stall: str | None = None, marker: Path | None = None) -> subprocess.Popen:
    """``mockview ARGS`` as a process; with ``stall`` ("module:Class.function" or
    "module:function"), that function creates ``marker`` and waits instead of running
    (after running, with a "+" before the name)."""
    if stall is None:
        command = [sys.executable, "-m", "mockview", *args]
    else:
        command = [sys.executable, "-c", textwrap.dedent(f"""
            import functools, importlib, sys, time
            module, _, name = {stall!r}.partition(":")
            after = name.startswith("+")
            owner = importlib.import_module(module)
            *path, attribute = name.lstrip("+").split(".")
            for part in path:
                owner = getattr(owner, part)
            real = getattr(owner, attribute)

            @functools.wraps(real)
            def stalled(*args, **kwargs):
                if after:
                    real(*args, **kwargs)
                open({str(marker)!r}, "w").close()
                time.sleep(600)

            setattr(owner, attribute, stalled)
            from mockview.cli import cli
            cli({list(args)!r}, prog_name="mockview")
        """)]
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def wait_for(condition, process: subprocess.Popen, what: str, timeout_s: float = 120):
    deadline = time.monotonic() + timeout_s
    while not (found := condition()):
        if process.poll() is not None:
            pytest.fail(f"mockview ended before {what}: {process.communicate()}")
        assert time.monotonic() < deadline, f"never {what}"
        time.sleep(0.02)
    return found


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL


def play(speech: Path) -> subprocess.Popen:
    return subprocess.Popen(["paplay", str(speech)])


def take_wav(home: Path):
    """The WAV of the take being recorded, once there is one."""
    unsaved = home / "recordings" / "unsaved"
    return next(iter(unsaved.glob("*.wav")), None) if unsaved.is_dir() else None


def heard_words(report: dict) -> set[str]:
    return set(re.findall(r"[a-z']+", report["transcript"]["text"].lower()))


def stored_takes(session_id: int = 1) -> list[dict]:
    """Every take of a stored session, as ``mockview show --json`` gives them."""
    shown = mockview("show", str(session_id), "--json")
    assert shown.returncode == 0, shown.stderr
    return [take for answer in json.loads(shown.stdout)["answers"] for take in answer["takes"]]


def recording_started(home: Path):
    """The WAV of the take, once audio is arriving in it (past its 44-byte header)."""
    wav = take_wav(home)
    return wav if wav is not None and wav.stat().st_size > 44 else None


# --- mockview record ----------------------------------------------------------------------


@pytest.mark.mic
def test_record_killed_while_recording_is_repaired_and_reported(virtual_mic, tmp_path):
    out = tmp_path / "answer.wav"
    process = start("record", str(out), "--seconds", "60")
    wait_for(lambda: out.exists() and out.stat().st_size > 44, process, "started recording")
    began = time.monotonic()
    player = play(virtual_mic)
    try:
        time.sleep(4.0)
        on_disk_frames = (out.stat().st_size - 44) // 2
        kill(process)
        recorded_s = time.monotonic() - began
    finally:
        player.kill()
    with pytest.raises(wave.Error):  # as killed: the header says there is no audio
        wave.open(str(out))

    told = mockview("history")
    assert "1 unfinished recording: mockview stopped while recording or analysing them. Run " \
           "mockview recover to keep them." in told.stderr
    recovered = mockview("recover")
    assert recovered.returncode == 0, recovered.stderr
    [line] = recovered.stderr.splitlines()
    assert re.fullmatch(rf"{re.escape(str(out))} was being recorded by mockview record when "
                        r"it stopped: repaired, it holds 0:0\d\. Analyse and keep it with: "
                        rf"mockview analyze {re.escape(str(out))} --save", line), line

    with wave.open(str(out)) as repaired:  # plays, with everything written before the kill
        frames = repaired.getnframes()
    assert frames >= on_disk_frames
    assert recorded_s - SLACK_S <= frames / 16000 <= recorded_s + 0.1
    audio, _ = soundfile.read(out, dtype="float32")
    assert float((audio**2).mean()) ** 0.5 > 0.01  # the speech is in it
    assert mockview("recover").stderr == "No unfinished recordings.\n"


@pytest.mark.mic
def test_a_live_recording_is_left_alone_by_another_process(virtual_mic, tmp_path):
    out = tmp_path / "answer.wav"
    process = start("record", str(out), "--seconds", "60")
    try:
        wait_for(lambda: out.exists() and out.stat().st_size > 44, process, "started")
        other = mockview("recover")
        assert other.stderr == "No unfinished recordings.\n"
        assert mockview("history").stderr == ""  # no notice either
        size = out.stat().st_size
        time.sleep(0.6)
        assert out.stat().st_size > size  # still recording, undisturbed
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C: the recording ends normally
        process.communicate(timeout=30)
    assert process.returncode == 0
    assert mockview("recover").stderr == "No unfinished recordings.\n"
    assert wave.open(str(out)).getnframes() > 0


# --- mockview practice --------------------------------------------------------------------


@pytest.mark.mic
@pytest.mark.model
@pytest.mark.slow
def test_practice_killed_while_recording_is_kept_by_the_next_practice(virtual_mic,
                                                                      mockview_home):
    process = start(*PRACTICE, "--time-limit", "60")
    wav = wait_for(lambda: recording_started(mockview_home), process, "started recording")
    began = time.monotonic()
    player = play(virtual_mic)
    try:
        time.sleep(7.0)
        kill(process)
        recorded_s = time.monotonic() - began
    finally:
        player.kill()
    assert wav.with_suffix(".json").exists()

    # the next practice finishes it before asking anything
    again = mockview(*PRACTICE[:2], "intro-about-yourself", *PRACTICE[3:], "--time-limit",
                     "2")
    assert again.returncode == 0, again.stderr
    assert (f"Recovering a take that mockview was recording when it stopped ({QUESTION})…"
            in again.stderr)
    assert re.search(rf"Recovered a take that mockview was recording when it stopped \(0:0\d, "
                     rf"{re.escape(QUESTION)}\): it is now session 1, answer 1, take 1\. See "
                     r"it with: mockview show 1", again.stderr), again.stderr
    assert json.loads(again.stdout)["session_id"] == 2
    [take] = stored_takes(1)
    duration_s = soundfile.info(take["audio_path"]).duration
    assert recorded_s - SLACK_S <= duration_s <= recorded_s + 0.1
    assert len(JFK_WORDS & heard_words(take["report"])) >= 5  # the speech up to the kill
    assert list(wav.parent.iterdir()) == []


@pytest.mark.mic
@pytest.mark.model
@pytest.mark.slow
def test_practice_killed_while_analysing_is_kept_by_recover(virtual_mic, mockview_home,
                                                            tmp_path_factory):
    marker = tmp_path_factory.mktemp("marks") / "analysing"
    # the delivery is measured once the take is transcribed (a report is also built on a
    # made-up answer at the start, to load the analysis: not the moment wanted here)
    process = start(*PRACTICE, "--time-limit", "4", stall="mockview.report:measure_delivery",
                    marker=marker)
    wait_for(lambda: recording_started(mockview_home), process, "started recording")
    player = play(virtual_mic)
    try:
        wait_for(marker.exists, process, "analysing")
        kill(process)
    finally:
        player.kill()

    recovered = mockview("recover")
    assert recovered.returncode == 0, recovered.stderr
    assert (f"(0:04, {QUESTION}): it is now session 1, answer 1, take 1. See it with: "
            "mockview show 1") in recovered.stderr
    [take] = stored_takes(1)
    assert take["report"]["metrics"]["length"]["duration_s"] == pytest.approx(4.0, abs=0.05)
    assert len(heard_words(take["report"]) & JFK_WORDS) >= 3  # the speech reached the take
    assert not any((mockview_home / "recordings" / "unsaved").iterdir())


@pytest.mark.mic
@pytest.mark.model
@pytest.mark.slow
@pytest.mark.parametrize("moment, stall", [
    ("files written, not committed", "mockview.store:+_Saving.files"),
    ("committed, not cleaned up", "mockview.store.unfinished:Claim.finish"),
])
def test_practice_killed_while_saving_keeps_the_take_once(virtual_mic, mockview_home,
                                                          tmp_path_factory, moment, stall):
    marker = tmp_path_factory.mktemp("marks") / "saving"
    process = start(*PRACTICE, "--time-limit", "3", stall=stall, marker=marker)
    wait_for(lambda: recording_started(mockview_home), process, "started recording")
    player = play(virtual_mic)
    try:
        wait_for(marker.exists, process, "saving")
        kill(process)
    finally:
        player.kill()

    history = mockview("history", "--json")  # any command: no model needed here
    assert history.returncode == 0, history.stderr
    assert "unfinished recording" not in history.stderr
    if moment == "files written, not committed":
        assert re.match(r"Recovered .*\.flac, recorded .* but not saved when mockview stopped: "
                        r"it is now session 1, answer 1, take 1\.", history.stderr)
    else:
        assert history.stderr == ""  # nothing to tell: the take was saved, leftovers went
    [session] = json.loads(history.stdout)
    assert (session["session_id"], session["take_count"]) == (1, 1)
    [take] = stored_takes(1)
    assert take["report"]["metrics"]["length"]["duration_s"] == pytest.approx(3.0, abs=0.05)
    assert not any((mockview_home / "recordings" / "unsaved").iterdir())
    assert mockview("recover").stderr == "No unfinished recordings.\n"


@pytest.mark.mic
@pytest.mark.model
@pytest.mark.slow
def test_practice_on_a_disk_that_fills_says_so_and_recover_keeps_the_take(
        virtual_mic, tmp_path_factory, monkeypatch):
    disk = mount_tmpfs(tmp_path_factory.mktemp("disk"), 4096)
    try:
        monkeypatch.setenv("MOCKVIEW_HOME", str(disk))
        assert mockview("history").returncode == 0  # the store, made while there is room
        filler = fill(disk, leave_kb=192)  # about 5 s of 16 kHz audio, after the rows
        process = start(*PRACTICE, "--time-limit", "60")
        wait_for(lambda: recording_started(disk), process, "started recording")
        player = play(virtual_mic)
        try:
            out, err = process.communicate(timeout=60)
        finally:
            player.kill()
        assert process.returncode == 1
        [line] = [x for x in err.splitlines() if x.startswith("Error: ")]
        kept = re.search(r"failed: No space left on device \(\d+ KB free\)\. The (\d\.\d) s "
                         r"recorded before that are kept in (\S+\.wav); once the disk has room, "
                         r"run: mockview recover$", line)
        assert kept, err
        assert "Traceback" not in err and out == ""
        told = mockview("history", "--json")
        assert [s["take_count"] for s in json.loads(told.stdout)] == [0]  # no row for it
        assert "1 unfinished recording" in told.stderr

        filler.unlink()
        recovered = mockview("recover")
        assert recovered.returncode == 0, recovered.stderr
        [take] = stored_takes(1)
        assert soundfile.info(take["audio_path"]).duration == pytest.approx(
            float(kept.group(1)), abs=0.1)
        assert len(JFK_WORDS & heard_words(take["report"])) >= 3
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)
