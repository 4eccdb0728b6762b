"""A disk that fills up, or is read-only, on a real small filesystem (a tmpfs mounted for
the test), while recording, while practising and while saving.

Each failure must be one clear line, keep the audio recorded so far where the disk allows
it, and write no row for a take that was not saved. Mounting needs root; without it these
tests are skipped, saying so. The microphone is the fake sounddevice of
test_recording_failures.py, run faster than real time.
"""

from __future__ import annotations

import errno
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import soundfile
from click.testing import CliRunner

from mockview import recording
from mockview.cli import cli
from mockview.errors import MockviewError, RecordingWriteError, StoreError
from mockview.store import Store
from mockview.store.recovery import recover
from tests import test_recording_failures as fake
from tests.test_practice import FakeTranscriber, FakeUI, practice
from tests.test_recovery import fake_analyse
from tests.test_store import BEHAVIORAL, make_report, write_wav

RATE = 16000


@pytest.fixture
def small_disk(tmp_path_factory):
    """``mount(size_kb)``: a new tmpfs of that size; all are unmounted at the end."""
    mounted = []

    def mount(size_kb: int) -> Path:
        mounted.append(mount_tmpfs(tmp_path_factory.mktemp("disk"), size_kb))
        return mounted[-1]

    yield mount
    for point in reversed(mounted):
        subprocess.run(["umount", "-l", str(point)], check=False)


def mount_tmpfs(point: Path, size_kb: int) -> Path:
    """Mount a tmpfs of ``size_kb`` on ``point``; skips the test where that is not allowed."""
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0700",
                             "tmpfs", str(point)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({result.stderr.strip()}); these tests "
                    "need root")
    return point


def fill(disk: Path, *, leave_kb: int) -> Path:
    """Take all but ``leave_kb`` of the disk's free space with one file; returns it."""
    filler = disk / "filler"
    with open(filler, "wb") as handle:
        handle.write(b"\0" * max(0, shutil.disk_usage(disk).free - leave_kb * 1024))
    return filler


def remount_read_only(disk: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)


@pytest.fixture
def fake_mic(monkeypatch):
    """A fake 16 kHz microphone sending a sine ten times faster than real time."""
    sd = fake.FakeSounddevice(fake.FakeDevice(channels=1, default_samplerate=16000.0,
                                              speed=10.0))
    monkeypatch.setitem(sys.modules, "sounddevice", sd)
    return sd


# --- while recording ----------------------------------------------------------------------


def test_a_disk_filling_while_recording_stops_at_once_and_keeps_the_audio(small_disk,
                                                                          fake_mic):
    disk = small_disk(64)
    out = disk / "take.wav"
    started = time.monotonic()
    with pytest.raises(RecordingWriteError) as raised:
        fake.record_take(out, max_duration_s=60)
    elapsed = time.monotonic() - started

    error = raised.value
    assert re.fullmatch(rf"Writing the recording to {re.escape(str(out))} failed: No space "
                        r"left on device \(\d+ KB free\)\.", str(error)), str(error)
    assert elapsed < 2.0, "the user must be told when the disk fills, not at the time limit"
    assert fake_mic.stream.closed
    assert 1.0 < error.duration_s < 2.1  # 64 KB hold 2 s of 16 kHz 16-bit audio
    kept = soundfile.info(out).frames  # kept, and readable as it is
    block = int(RATE * fake.BLOCK_S)  # the write that failed may have put part of its block
    assert round(error.duration_s * RATE) <= kept < round(error.duration_s * RATE) + block


def test_practice_on_a_filling_disk_is_one_line_keeps_the_take_and_saves_no_row(
        small_disk, fake_mic, monkeypatch):
    disk = small_disk(2048)
    monkeypatch.setenv("MOCKVIEW_HOME", str(disk))
    store = Store.open()
    filler = fill(disk, leave_kb=160)
    with pytest.raises(MockviewError) as raised:
        practice(_questions(), store, FakeUI(), recording.record, interactive=False,
                 transcriber=FakeTranscriber).run()
    [wav] = store.unsaved_dir.glob("*.wav")
    message = str(raised.value)
    assert "\n" not in message and "Traceback" not in message
    assert re.fullmatch(
        rf"Writing the recording to {re.escape(str(wav))} failed: No space left on device "
        rf"\(\d+ KB free\)\. The (\d\.\d) s recorded before that are kept in "
        rf"{re.escape(str(wav))}; once the disk has room, run: mockview recover", message)
    kept_s = float(re.search(r"The (\d\.\d) s recorded", message).group(1))
    assert kept_s > 1.0
    assert [(s.answer_count, s.take_count) for s in store.sessions()] == [(1, 0)]
    store.close()

    filler.unlink()  # the user frees some space
    with Store.open() as store:
        [outcome] = recover(store, analyse=fake_analyse())
        [take] = store.takes()
    assert outcome.ok
    assert soundfile.info(take.audio_path).duration == pytest.approx(kept_s, abs=0.06)


def test_a_full_disk_is_said_before_recording_starts(small_disk, fake_mic, monkeypatch):
    disk = small_disk(1024)
    monkeypatch.setenv("MOCKVIEW_HOME", str(disk))
    store = Store.open()
    fill(disk, leave_kb=0)
    with pytest.raises(MockviewError) as raised:
        practice(_questions(), store, FakeUI(), recording.record, interactive=False,
                 transcriber=FakeTranscriber).run()
    unsaved = store.unsaved_dir
    message = str(raised.value)
    # the session and answer rows went in before the disk was full; the take never started
    assert message in (
        f"Cannot start a recording in {unsaved}: No space left on device. Free some space, "
        "or check that the folder is yours and writable.",
        f"Could not read or write {store.path} (database or disk is full). Check that the "
        "disk has free space and that the file and its folder are yours and writable.")
    assert not [p for p in unsaved.iterdir()] if unsaved.exists() else True
    assert fake_mic.streams == []  # the microphone was never opened
    store.close()


def _questions():
    from mockview.questions import load_banks, select_questions

    return select_questions(load_banks(), ids=("beh-disagree",))


# --- while saving ---------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["add_take", "save_analysis"])
def test_saving_on_a_full_disk_leaves_no_row_and_no_half_file(small_disk, monkeypatch,
                                                              tmp_path_factory, how):
    disk = small_disk(1024)
    monkeypatch.setenv("MOCKVIEW_HOME", str(disk))
    audio = write_wav(tmp_path_factory.mktemp("elsewhere") / "answer.wav", seconds=3.0)
    with Store.open() as store:
        answer = store.add_answer(store.start_session(), BEHAVIORAL)
        fill(disk, leave_kb=8)
        with pytest.raises(StoreError) as raised:
            if how == "add_take":
                store.add_take(answer, audio, make_report(question=BEHAVIORAL))
            else:
                store.save_analysis(audio, make_report())
        assert [s.take_count for s in store.sessions()] == [0]
    assert re.fullmatch(rf"Could not write to {re.escape(str(disk / 'recordings'))} \(No "
                        r"space left on device( \(\d+ KB free\))?\)\. Free some space on that "
                        r"disk(, or check that the folder is yours and writable)?, then try "
                        r"again\.", str(raised.value)), str(raised.value)
    assert list((disk / "recordings").iterdir()) == []  # no FLAC, no .tmp, no sidecar


def test_a_sidecar_that_does_not_fit_takes_its_flac_with_it(mockview_home, monkeypatch,
                                                            tmp_path_factory):
    from mockview import store as store_module

    def no_space(path, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    audio = write_wav(tmp_path_factory.mktemp("elsewhere") / "answer.wav")
    monkeypatch.setattr(store_module, "_write_private", no_space)
    with Store.open() as store:
        with pytest.raises(StoreError) as raised:
            store.save_analysis(audio, make_report())
        assert store.sessions() == []
    assert str(raised.value) == (
        f"Could not write to {mockview_home / 'recordings'} (No space left on device). Free "
        "some space on that disk, or check that the folder is yours and writable, then try "
        "again.")
    assert list((mockview_home / "recordings").iterdir()) == []


# --- a read-only disk -----------------------------------------------------------------------


def test_a_read_only_data_directory_is_one_clear_line(small_disk, fake_mic, monkeypatch):
    # practice checks the microphone first: the fake one answers, so the store is next
    disk = small_disk(1024)
    monkeypatch.setenv("MOCKVIEW_HOME", str(disk))
    Store.open().close()
    remount_read_only(disk)
    expected = (f"Error: Cannot write {disk / 'mockview.db'}: its disk is mounted read-only. "
                "Remount it writable, or set MOCKVIEW_HOME to a folder you can write to.\n")
    for args in (["history"], ["practice", "--question", "beh-disagree", "--no-input"],
                 ["export", "--all", "-o", "/tmp/never-written.zip"]):
        result = CliRunner().invoke(cli, args)
        assert (result.exit_code, result.output) == (1, expected), args


def test_recording_into_a_read_only_folder_is_one_clear_line(small_disk, fake_mic, tmp_path):
    disk = small_disk(256)
    remount_read_only(disk)
    out = disk / "answer.wav"
    result = CliRunner().invoke(cli, ["record", str(out), "--seconds", "1"])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"Error: Cannot write the recording to {out}: Read-only file system.")
    assert list((tmp_path / "recordings" / "unsaved").iterdir()) == []  # its note is gone
