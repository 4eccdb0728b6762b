"""Takes cut short while recorded, analysed or saved are found, repaired and kept.

Real processes are killed with SIGKILL here (no cleanup runs, as after a crash), writing
WAVs with soundfile as ``record()`` does; the store is real. The model is replaced by a
fake analyser: the whole path with the microphone and the model is in
test_recovery_mic.py.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
import wave
from pathlib import Path

import numpy as np
import pytest
import soundfile
from click.testing import CliRunner

from mockview.cli import cli
from mockview.errors import ModelError, RecordingWriteError
from mockview.store import Store, unfinished
from mockview.store.recovery import recover
from mockview.store.unfinished import WavError, repair_wav
from tests.test_practice import FakeRecorder, FakeUI, practice
from tests.test_store import BEHAVIORAL, make_report

REPO = Path(__file__).resolve().parent.parent
RATE = 16000


def fake_analyse(calls: list | None = None):
    """An analyser that reads the WAV (so it must play) and returns a real report."""

    def analyse(path, question):
        audio, rate = soundfile.read(path, dtype="float32")
        assert rate == RATE
        if calls is not None:
            calls.append((path, question, audio.size))
        return make_report(question=question)

    return analyse


def start_process(code: str) -> subprocess.Popen:
    """Run ``code`` in a fresh Python; it prints "ready" once it is where it is killed."""
    process = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    assert line.strip() == "ready", (line, process.stderr.read() if process.poll() else "")
    return process


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL


# A practice take being recorded: registered with the store, then written as record() writes
# (16 kHz mono PCM_16 WAV, flushed), and never closed.
RECORDING = """
    import sys, time
    import numpy as np, soundfile
    from mockview.store import Store
    from tests.test_store import BEHAVIORAL
    store = Store.open()
    session = store.start_session("practice")
    answer = store.add_answer(session, BEHAVIORAL, category="teamwork-and-conflict")
    claim = store.begin_recording(answer, BEHAVIORAL)
    wav = soundfile.SoundFile(claim.audio_path, "w", samplerate=16000, channels=1,
                              subtype="PCM_16", format="WAV")
    tone = 0.3 * np.sin(2 * np.pi * 220 * np.arange({frames}) / 16000)
    wav.write(tone.astype(np.float32))
    wav.flush()
    print("ready", flush=True)
    time.sleep(600)
"""


def killed_while_recording(seconds: float = 2.5) -> Path:
    """A practice take killed while recording; returns its WAV."""
    kill(start_process(RECORDING.format(frames=int(seconds * RATE))))
    [wav] = (Store.open().recordings_dir / "unsaved").glob("*.wav")
    return wav


# --- the WAV a killed recording leaves ----------------------------------------------------


def test_a_killed_writer_leaves_a_stale_header_that_repair_fixes(tmp_path):
    path = tmp_path / "take.wav"
    kill(start_process(f"""
        import time, numpy as np, soundfile
        wav = soundfile.SoundFile({str(path)!r}, "w", samplerate=16000, channels=1,
                                  subtype="PCM_16", format="WAV")
        wav.write(np.full(24000, 0.25, np.float32))
        wav.flush()
        print("ready", flush=True)
        time.sleep(600)
    """))
    with pytest.raises(wave.Error):  # libsndfile wrote no sizes: strict readers give up
        wave.open(str(path))
    with open(path, "ab") as torn:  # and a write cut short in the middle of a frame
        torn.write(b"\x01")

    assert repair_wav(path) == pytest.approx(1.5)
    with wave.open(str(path)) as fixed:
        assert (fixed.getnframes(), fixed.getframerate()) == (24000, RATE)
    audio, _ = soundfile.read(path, dtype="float32")
    assert audio.size == 24000 and np.allclose(audio, 0.25, atol=1e-4)


def test_repair_leaves_a_closed_wav_as_it_was(tmp_path):
    path = tmp_path / "closed.wav"
    soundfile.write(path, np.zeros(8000, np.float32), RATE, subtype="PCM_16")
    before = path.read_bytes()
    assert repair_wav(path) == pytest.approx(0.5)
    assert path.read_bytes() == before


@pytest.mark.parametrize("content, message", [
    (b"ID3\x03 an mp3", "is not a WAV file"),
    (b"RIFF\x00\x00\x00\x00WAVELIST\x04\x00\x00\x00abcd", "has no audio data chunk"),
])
def test_repair_refuses_what_is_not_a_wav(tmp_path, content, message):
    path = tmp_path / "x.wav"
    path.write_bytes(content)
    with pytest.raises(WavError, match=message):
        repair_wav(path)
    assert path.read_bytes() == content


# --- live or dead -------------------------------------------------------------------------


def test_a_live_recording_is_never_taken_for_a_dead_one(mockview_home):
    process = start_process(RECORDING.format(frames=RATE))
    try:
        with Store.open() as store:
            assert store.unfinished == []  # another process is recording: hands off
            assert recover(store, analyse=fake_analyse()) == []
        [wav] = (mockview_home / "recordings" / "unsaved").glob("*.wav")
        assert wav.with_suffix(".json").exists()
    finally:
        kill(process)
    with Store.open() as store:
        [found] = store.unfinished
    assert (found.audio_path, found.source, found.problem) == (wav, "practice", None)
    assert found.answer["question"]["text"] == BEHAVIORAL.text
    assert found.question["id"] == "beh-disagree"


def test_this_process_does_not_take_its_own_recording_for_a_dead_one(mockview_home):
    with Store.open() as store:
        answer = store.add_answer(store.start_session(), BEHAVIORAL)
        with store.begin_recording(answer, BEHAVIORAL) as claim:
            assert unfinished.find(store.unsaved_dir) == []  # flock: per open file, not process
            assert unfinished.claim(claim.recording) is None
            with Store.open() as other:
                assert other.unfinished == []
        # let go: this process lives on, but nothing is recording that take any more
        with Store.open() as other:
            assert [r.id for r in other.unfinished] == [claim.recording.id]


# --- recovering ---------------------------------------------------------------------------


def test_a_take_killed_while_recording_is_repaired_analysed_and_kept(mockview_home):
    wav = killed_while_recording(seconds=2.5)
    calls = []
    with Store.open() as store:
        [outcome] = recover(store, analyse=fake_analyse(calls))
        [take] = store.takes(with_reports=True)
        summary = store.sessions()[0]
    assert outcome.ok and outcome.duration_s == pytest.approx(2.5)
    assert outcome.message == (
        "Recovered a take that mockview was recording when it stopped (0:03, “Tell me about "
        f"a time you disagreed with a colleague.”): it is now session {summary.session_id}, "
        f"answer 1, take 1. See it with: mockview show {summary.session_id}")
    [(path, question, frames)] = calls
    assert (path, question, frames) == (wav, BEHAVIORAL, int(2.5 * RATE))
    assert (take.session_id, take.answer_no, take.take_no, take.question_id) == (
        summary.session_id, 1, 1, "beh-disagree")
    assert soundfile.info(take.audio_path).frames == int(2.5 * RATE)
    assert take.audio_path.name == f"{wav.stem}.flac"  # named after the recording
    assert not any(wav.parent.iterdir())  # WAV and note gone
    with Store.open() as store:
        assert (store.unfinished, store.recovered) == ([], [])


def test_a_take_whose_session_was_deleted_gets_a_new_one(mockview_home):
    killed_while_recording()
    with Store.open() as store:
        [deleted] = store.sessions()
        store.delete_session(deleted.session_id)
        [outcome] = recover(store, analyse=fake_analyse())
        [take] = store.takes()
        [session] = store.sessions()
    assert outcome.ok
    assert (take.answer_no, take.take_no, take.question_text) == (1, 1, BEHAVIORAL.text)
    assert session.started_at_utc == deleted.started_at_utc  # as the note recorded it


def test_a_failing_model_leaves_the_take_for_the_next_run(mockview_home):
    wav = killed_while_recording()

    def broken(path, question):
        raise ModelError("The model could not load.")

    with Store.open() as store:
        [outcome] = recover(store, analyse=broken)
        assert store.takes() == []
    assert not outcome.ok
    assert outcome.message.endswith(
        f"is not recovered yet: The model could not load. Its recording is kept in {wav}; "
        "run mockview recover again once that is fixed.")
    with Store.open() as store:  # still there, and playable already
        assert len(store.unfinished) == 1
        assert wave.open(str(wav)).getnframes() == int(2.5 * RATE)
        [outcome] = recover(store, analyse=fake_analyse())
        assert outcome.ok and len(store.takes()) == 1


def test_a_take_killed_before_its_first_sample_is_removed(mockview_home):
    kill(start_process(RECORDING.replace("wav.write(tone.astype(np.float32))", "")
                       .format(frames=0)))
    with Store.open() as store:
        [outcome] = recover(store, analyse=fake_analyse())
        assert store.takes() == []
    assert outcome.ok and outcome.message.endswith("holds no audio; removed it.")
    assert list((mockview_home / "recordings" / "unsaved").iterdir()) == []


def test_two_recoveries_at_once_keep_a_take_once(mockview_home):
    killed_while_recording()
    with Store.open() as store:
        [found] = store.unfinished
        held = unfinished.claim(found)  # another recovery has it
        assert recover(store, analyse=fake_analyse()) == []
        held.release()
        assert len(recover(store, analyse=fake_analyse())) == 1
        assert recover(store, analyse=fake_analyse()) == []
        assert len(store.takes()) == 1


def test_a_half_written_flac_of_an_unfinished_take_is_left_to_recovery(mockview_home):
    wav = killed_while_recording()
    recordings = mockview_home / "recordings"
    (recordings / f"{wav.stem}.flac.tmp").write_bytes(b"fLaC half")  # killed mid-FLAC
    with Store.open() as store:
        assert store.recovered == []  # not an orphan to report: the WAV still has it all
        [outcome] = recover(store, analyse=fake_analyse())
        [take] = store.takes()
    assert outcome.ok
    assert sorted(p.name for p in recordings.iterdir()) == [f"{wav.stem}.flac", "unsaved"]
    assert soundfile.info(take.audio_path).frames == int(2.5 * RATE)


def test_a_take_saved_just_before_the_kill_is_not_kept_twice(mockview_home, monkeypatch):
    with Store.open() as store:
        answer = store.add_answer(store.start_session(), BEHAVIORAL)
        claim = store.begin_recording(answer, BEHAVIORAL)
        soundfile.write(claim.audio_path, np.zeros(RATE, np.float32), RATE, subtype="PCM_16",
                        format="WAV")
        # the process dies right after the commit: the WAV and its note are not removed
        monkeypatch.setattr(claim, "finish", lambda: None)
        store.keep_recording(claim, make_report(question=BEHAVIORAL))
        claim.release()
    with Store.open() as store:
        assert (store.unfinished, store.recovered) == ([], [])
        assert len(store.takes()) == 1
    assert list((mockview_home / "recordings" / "unsaved").iterdir()) == []


SAVING = """
    import os, signal
    import numpy as np, soundfile
    import mockview.store, mockview.store.unfinished
    from mockview.store import Store
    from tests.test_store import BEHAVIORAL, make_report
    store = Store.open()
    answer = store.add_answer(store.start_session("practice"), BEHAVIORAL)
    claim = store.begin_recording(answer, BEHAVIORAL)
    soundfile.write(claim.audio_path, np.full(24000, 0.1, np.float32), 16000,
                    subtype="PCM_16", format="WAV")
    owner = {owner}
    real = getattr(owner, {name!r})
    def die(*args, **kwargs):
        if {after}:
            real(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGKILL)
    setattr(owner, {name!r}, die)
    print("ready", flush=True)
    store.keep_recording(claim, make_report(question=BEHAVIORAL))
"""


@pytest.mark.parametrize("moment, owner, name, after", [
    ("writing the FLAC", "mockview.store", "_write_flac", False),
    ("FLAC written, its sidecar not", "mockview.store", "_write_private", False),
    ("files written, not committed", "mockview.store._Saving", "files", True),
    ("committed, not cleaned up", "mockview.store.unfinished.Claim", "finish", False),
])
def test_a_take_killed_while_saving_is_kept_once(mockview_home, moment, owner, name, after):
    process = start_process(SAVING.format(owner=owner, name=name, after=after))
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, process.stderr.read()
    with Store.open() as store:
        outcomes = recover(store, analyse=fake_analyse())
        [take] = store.takes()
        assert not [m for m in store.recovered if "not in the store" in m]
    # reattached from its sidecar when that was written; analysed again when it was not
    assert len(outcomes) == (1 if moment in ("writing the FLAC",
                                             "FLAC written, its sidecar not") else 0)
    assert soundfile.info(take.audio_path).frames == 24000
    assert sorted(p.name for p in (mockview_home / "recordings").iterdir()) == [
        take.audio_path.name, "unsaved"]
    assert list((mockview_home / "recordings" / "unsaved").iterdir()) == []


def test_an_unreadable_note_is_reported_once_with_the_audio_kept(mockview_home):
    wav = killed_while_recording()
    note = wav.with_suffix(".json")
    note.write_text("{not json")
    with Store.open() as store:
        [outcome] = recover(store, analyse=fake_analyse())
    assert not outcome.ok
    assert outcome.message.startswith(f"An unfinished recording cannot be recovered: its "
                                      f"record {note} cannot be read (")
    assert outcome.message.endswith(f"Its audio, if any, is kept in {wav}.")
    assert wave.open(str(wav)).getnframes() == int(2.5 * RATE)  # repaired all the same
    assert Store.open().unfinished == []


# --- in the practice loop -----------------------------------------------------------------


@pytest.fixture
def questions():
    from mockview.questions import load_banks, select_questions

    return select_questions(load_banks(), ids=("beh-disagree",))


class FullDiskRecorder(FakeRecorder):
    """Writes ``seconds`` to the WAV, then fails as record() does when the disk fills."""

    def __call__(self, path, **options):
        super().__call__(path, **options)
        raise RecordingWriteError(f"Writing the recording to {path} failed: No space left on "
                                  "device (0 KB free).", path=path, duration_s=2.0)


def test_a_full_disk_while_recording_ends_the_session_and_keeps_the_take(questions):
    store = Store.open()
    with pytest.raises(Exception) as raised:
        practice(questions, store, FakeUI(), FullDiskRecorder((2.0, "stop", 0)),
                 interactive=False).run()
    [wav] = store.unsaved_dir.glob("*.wav")
    assert str(raised.value) == (
        f"Writing the recording to {wav} failed: No space left on device (0 KB free). The "
        f"2.0 s recorded before that are kept in {wav}; once the disk has room, run: "
        "mockview recover")
    assert store.sessions()[0].take_count == 0  # no row for a take that was not saved
    store.close()
    with Store.open() as store:
        [outcome] = recover(store, analyse=fake_analyse())
        assert outcome.ok and store.sessions()[0].take_count == 1


def test_a_failed_save_keeps_the_take_for_recover(questions, monkeypatch):
    store = Store.open()

    def full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store, "_insert_take", full)
    with pytest.raises(Exception) as raised:
        practice(questions, store, FakeUI(), FakeRecorder(), interactive=False).run()
    [wav] = store.unsaved_dir.glob("*.wav")
    message = str(raised.value)
    assert message.startswith(f"Could not read or write {store.path} (database or disk is "
                              "full).")
    assert message.endswith(f"The take is kept in {wav}; once that is fixed, run: mockview "
                            "recover")
    assert store.sessions()[0].take_count == 0
    assert sorted(p.name for p in store.recordings_dir.iterdir()) == ["unsaved"]  # no FLAC
    store.close()
    with Store.open() as store:
        assert [r.audio_path for r in store.unfinished] == [wav]


# --- the command line ---------------------------------------------------------------------


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_every_command_tells_about_unfinished_recordings_and_recover_keeps_them(
        mockview_home, monkeypatch):
    killed_while_recording()
    notice = ("1 unfinished recording: mockview stopped while recording or analysing them. "
              "Run mockview recover to keep them.\n")
    for args in (["history"], ["history", "--json"], ["show", "1"]):
        assert run(*args).stderr.startswith(notice), args

    monkeypatch.setattr("mockview.store.recovery._transcribe_and_analyse",
                        lambda model_name, readers: fake_analyse())
    result = run("recover")
    assert result.exit_code == 0, result.output
    starting, recovered = result.stderr.splitlines()
    assert starting == ("Recovering a take that mockview was recording when it stopped "
                        "(“Tell me about a time you disagreed with a colleague.”)…")
    assert recovered.startswith("Recovered a take that mockview was recording when it stopped")
    assert run("history").stderr.splitlines() == [
        "1 session(s). See the latest with: mockview show (another: mockview show ID)"]
    assert run("recover").stderr == "No unfinished recordings.\n"


@pytest.mark.parametrize("in_practice, readers", [(True, 1), (False, None)])
def test_practice_recovers_with_its_own_model_and_recover_with_one_per_core(
        mockview_home, monkeypatch, in_practice, readers):
    # practice's model reads one chunk at a time (the live pieces); one loaded for chunks
    # side by side would be a second model in memory for the whole session
    from mockview.cli import _recover_unfinished

    killed_while_recording()
    asked = []
    monkeypatch.setattr("mockview.store.recovery.recover",
                        lambda store, **options: asked.append(options["readers"]) or [])
    waited = []
    with Store.open() as store:
        _recover_unfinished(store, None,
                            wait_for_model=(lambda: waited.append(1)) if in_practice else None)
    assert asked == [readers] and waited == ([1] if in_practice else [])


def test_recover_exits_1_when_a_take_cannot_be_kept(mockview_home, monkeypatch):
    killed_while_recording()

    def broken(model_name, readers):
        def analyse(path, question):
            raise ModelError("The model ran out of memory.")
        return analyse

    monkeypatch.setattr("mockview.store.recovery._transcribe_and_analyse", broken)
    result = run("recover")
    assert result.exit_code == 1
    assert "is not recovered yet: The model ran out of memory. Its recording is kept" in \
        result.stderr
    assert "Traceback" not in result.output


def test_record_leaves_no_note_when_it_ends(mockview_home, monkeypatch, tmp_path):
    from mockview.recording import RecordingResult

    notes = []

    def fake_record(path, **options):
        notes.extend((note, json.loads(note.read_text()))
                     for note in (mockview_home / "recordings" / "unsaved").glob("*.json"))
        soundfile.write(path, np.zeros(RATE, np.float32), RATE, subtype="PCM_16")
        return RecordingResult(path=Path(path), duration_s=1.0, overflow_count=0,
                               peak_dbfs=-60.0, stopped_by="time_limit")

    monkeypatch.setattr("mockview.recording.record", fake_record)
    out = tmp_path / "answer.wav"
    result = run("record", str(out), "--seconds", "1")
    assert result.exit_code == 0, result.output
    [(note, content)] = notes  # registered while it recorded
    assert (content["source"], content["audio"]) == ("record", str(out.resolve()))
    assert not note.exists()


def test_record_with_an_unwritable_data_directory_still_records(mockview_home, monkeypatch,
                                                                tmp_path):
    from mockview.recording import RecordingResult

    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the data directory should be")
    monkeypatch.setenv("MOCKVIEW_HOME", str(blocker / "home"))
    monkeypatch.setattr("mockview.recording.record", lambda path, **options: RecordingResult(
        path=Path(path), duration_s=1.0, overflow_count=0, peak_dbfs=-60.0,
        stopped_by="time_limit"))
    result = run("record", str(tmp_path / "a.wav"), "--seconds", "1")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[1] == (
        f"Warning: Cannot create the mockview data directory {blocker / 'home'}: Not a "
        "directory. Set MOCKVIEW_HOME to a folder you can write to. If mockview is killed "
        f"while recording, {tmp_path / 'a.wav'} will need repairing by hand.")


def test_recovery_changes_the_database_only_inside_transactions(mockview_home, monkeypatch):
    """Every INSERT, UPDATE and DELETE of the recovery paths runs inside BEGIN ... COMMIT."""
    writes = []
    connect = sqlite3.connect

    def traced(*args, **kwargs):
        db = connect(*args, **kwargs)
        db.set_trace_callback(lambda sql: writes.append((sql.split()[0].upper(),
                                                         db.in_transaction)))
        return db

    killed_while_recording()  # recovered by analysis
    process = start_process(SAVING.format(owner="mockview.store._Saving", name="files",
                                          after=True))
    process.wait(timeout=60)  # reattached from its sidecar when the store opens
    monkeypatch.setattr("mockview.store.sqlite3.connect", traced)
    with Store.open() as store:
        assert len(store.recovered) == 1
        [outcome] = recover(store, analyse=fake_analyse())
        assert outcome.ok and len(store.takes()) == 2
    changes = [(verb, inside) for verb, inside in writes
               if verb in ("INSERT", "UPDATE", "DELETE", "REPLACE")]
    assert {verb for verb, _ in changes} >= {"INSERT"}
    assert all(inside for _, inside in changes), changes
