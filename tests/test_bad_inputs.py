"""Every entry point against bad input made on purpose (``tests/bad_inputs.py``).

Each bad recording, bank or store gets one clear line on stderr and exit status 1, or a
graceful result; never a traceback, a hang (whatever could block runs in a subprocess
with a timeout) or lost data (a store that is refused keeps its bytes). Recordings that
decode but hold no voice are analysed without the speech model; the few odd recordings of
real speech are marked ``model``.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mockview.cli import cli

from .audio_helpers import write_audio
from .bad_inputs import (
    BROKEN_AUDIO,
    BROKEN_BANKS,
    BROKEN_STORES,
    FORMATS,
    ODD_NAMES,
    PROTOCOL_NAMES,
    RATE,
    bank_file,
    can_mount_read_only,
    directory,
    exclusive_lock,
    fifo,
    good_recording,
    question,
    quiet_noise,
    read_only,
    saved_store,
    speech,
)

#: Generous: each of these ends in a second or two, and a hang is what is being caught.
TIMEOUT_S = 60


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def run_process(*args: str, cwd: Path, timeout_s: float = TIMEOUT_S):
    """``mockview ARGS`` as its own process; a hang fails the test instead of blocking it."""
    return subprocess.run([sys.executable, "-m", "mockview", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout_s,
                          stdin=subprocess.DEVNULL)


def assert_no_traceback(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}\n{result.output}")


def assert_refused(result, *says: str) -> str:
    """Exit status 1 and one line on stderr, "Error: ...", holding each of ``says``; for a
    CliRunner result or a finished process. Returns the line."""
    if isinstance(result, subprocess.CompletedProcess):
        exit_code = result.returncode
    else:
        assert_no_traceback(result)
        exit_code = result.exit_code
    lines = result.stderr.splitlines()
    assert exit_code == 1 and len(lines) == 1 and lines[0].startswith("Error: "), (
        exit_code, result.stderr)
    for text in says:
        assert text in lines[0]
    return lines[0]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def session_count(home: Path) -> int:
    from mockview.store import Store

    with Store.open(home / "mockview.db") as store:
        return len(store.sessions())


@pytest.fixture
def no_model(monkeypatch):
    """Fail if the speech model is used: a bad file must fail, or be read, before that."""
    def refuse(*args, **kwargs):
        raise AssertionError("the speech model was loaded for a file with no voice")

    monkeypatch.setattr("mockview.speech.transcription.load_model", refuse)


# --- recordings ------------------------------------------------------------------------------


@pytest.mark.parametrize("save", [False, True], ids=["analyze", "analyze --save"])
@pytest.mark.parametrize("case", BROKEN_AUDIO)
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_broken_recording_is_refused_in_one_line_or_read(tmp_path, mockview_home, no_model,
                                                          caplog, fmt, case, save):
    saved_store(mockview_home)
    before = session_count(mockview_home)
    path = BROKEN_AUDIO[case](tmp_path, fmt)
    result = run("analyze", str(path), "--json", *(["--save"] if save else []))
    assert_no_traceback(result)
    if result.exit_code == 0:  # what decodes is read: a report that found no speech
        report = json.loads(result.stdout)
        assert report["transcript"]["words"] == []
        assert session_count(mockview_home) == before + save
        if case == "cut in half" and fmt in ("wav", "flac", "mp3"):  # headers with a length
            # the warning goes to stderr through logging, which pytest captures first
            assert "of the 2.0 s its header promises" in caplog.text, caplog.text
    else:
        assert_refused(result, str(path))
        assert session_count(mockview_home) == before  # nothing half-saved
    kept = list((mockview_home / "recordings").glob("*.flac"))
    assert len(kept) == (save and result.exit_code == 0)


@pytest.mark.parametrize("name", ODD_NAMES)
def test_odd_file_names_are_read(tmp_path, monkeypatch, no_model, name):
    monkeypatch.chdir(tmp_path)
    write_audio(tmp_path / name, quiet_noise(), RATE)
    for args in (["--", name], [f"./{name}"], [str(tmp_path / name)]):
        result = run("analyze", "--json", *args)
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["audio"]["duration_s"] == 2.0


def test_a_leading_dash_without_double_dash_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_audio(tmp_path / "-x.wav", quiet_noise(), RATE)
    result = run("analyze", "-x.wav")
    assert result.exit_code == 2
    assert "Error: No such option '-x'." in result.stderr


@pytest.mark.parametrize("name", PROTOCOL_NAMES)
def test_a_file_named_like_a_protocol_is_read_as_a_file(tmp_path, monkeypatch, no_model,
                                                        name):
    monkeypatch.chdir(tmp_path)
    write_audio(tmp_path / name, quiet_noise(), RATE)
    result = run("analyze", "--json", name)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("make, says", [
    (directory, "is a directory, not an audio file. Give the path of a recording."),
    (fifo, "is not a regular file. Give the path of a recording."),
], ids=["directory", "fifo"])
@pytest.mark.parametrize("save", [False, True], ids=["analyze", "analyze --save"])
def test_a_path_that_is_not_a_file_is_refused_without_waiting(tmp_path, make, says, save):
    path = make(tmp_path)
    process = run_process("analyze", str(path), *(["--save"] if save else []), cwd=tmp_path)
    assert_refused(process, f"{path} {says}")


@pytest.mark.model
@pytest.mark.parametrize("rate, channels, poison", [(96_000, 6, False), (8_000, 1, False),
                                                    (RATE, 2, True)],
                         ids=["96 kHz 6 channels", "8 kHz", "NaN and inf samples"])
def test_odd_recordings_of_speech_are_transcribed(tmp_path, rate, channels, poison):
    path = speech(tmp_path, rate=rate, channels=channels, poison=poison)
    result = run("analyze", str(path), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["audio"]["duration_s"] == pytest.approx(11.0, abs=0.1)
    assert "country" in report["transcript"]["text"].lower()
    assert report["metrics"]["length"]["word_count"] >= 15


# --- question banks --------------------------------------------------------------------------


@pytest.mark.parametrize("case", BROKEN_BANKS)
def test_a_broken_bank_is_one_clear_line_at_every_entry_point(tmp_path, monkeypatch,
                                                              mockview_home, no_model, case):
    content, says = BROKEN_BANKS[case]
    monkeypatch.chdir(tmp_path)
    bank_file(tmp_path, content)
    answer = good_recording(tmp_path, "wav")

    def microphone(*args, **kwargs):
        raise AssertionError("practice touched the microphone")

    monkeypatch.setattr("mockview.recording.record", microphone)
    for args in (["questions", "--bank", "bank.toml"],
                 ["analyze", str(answer), "--bank", "bank.toml", "--question", "q-one"],
                 ["analyze", str(answer), "--bank", "bank.toml", "--question", "q-one",
                  "--save"],
                 ["practice", "--bank", "bank.toml", "--no-input", "--prep", "0"]):
        assert_refused(run(*args), "bank.toml", says)
    assert not (mockview_home / "mockview.db").exists()  # failed before the store, too


@pytest.mark.parametrize("case", ["missing text", "deeply nested arrays", "invalid UTF-8",
                                  "long string"])
def test_a_broken_bank_of_your_own_is_named_by_banks_and_skipped_by_progress(
        tmp_path, monkeypatch, mockview_home, case):
    content, says = BROKEN_BANKS[case]
    monkeypatch.chdir(tmp_path)
    bank_file(mockview_home / "banks", content, name="mine.toml")
    assert_refused(run("banks"), "mine.toml", says)
    assert_refused(run("questions"), "mine.toml", says)
    saved_store(mockview_home)
    result = run("progress", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["session_count"] == 1
    assert result.stderr.startswith("Not listing never-practised questions: ")


def test_a_bank_without_a_question_to_look_up_is_a_usage_error(tmp_path, monkeypatch):
    """--bank only serves --question: alone it was ignored, broken or not."""
    monkeypatch.chdir(tmp_path)
    bank_file(tmp_path, BROKEN_BANKS["missing text"][0])
    result = run("analyze", str(good_recording(tmp_path, "wav")), "--bank", "bank.toml")
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: --bank is where --question ID is looked up: give "
                                  "--question too, or leave --bank out.\n")


@pytest.mark.parametrize("make, says", [
    (lambda folder: directory(folder, "bank.toml"), "bank.toml is a directory"),
    (lambda folder: fifo(folder, "bank.toml"), "bank.toml is not a regular file"),
], ids=["directory", "fifo"])
def test_a_bank_path_that_is_not_a_file_is_refused_without_waiting(tmp_path, make, says):
    make(tmp_path)
    for args in (["questions", "--bank", "bank.toml"],
                 ["practice", "--bank", "bank.toml", "--no-input"]):
        assert_refused(run_process(*args, cwd=tmp_path), says)


def test_a_bank_question_reused_in_another_bank_file_is_refused(tmp_path, monkeypatch):
    """A bank given with --bank may not reuse a question id: history is kept by id."""
    monkeypatch.chdir(tmp_path)
    bank_file(tmp_path, question(id='"beh-disagree"'))
    for args in (["questions", "--bank", "bank.toml"],
                 ["practice", "--bank", "bank.toml", "--no-input"]):
        assert_refused(run(*args), "bank.toml: question 'beh-disagree': id already used in ")


# --- the session store -----------------------------------------------------------------------

#: every command that opens the store, as a user would type it in the test's folder
STORE_COMMANDS = {
    "history": ["history"],
    "show": ["show", "1"],
    "progress": ["progress"],
    "export": ["export", "1", "--format", "md"],
    "report": ["report", "1", "-o", "page.html"],
    "compare": ["compare", "1", "1"],
    "delete": ["delete", "1", "--yes"],
    "analyze --save": ["analyze", "good.wav", "--save"],
}


@pytest.mark.parametrize("case", BROKEN_STORES)
def test_a_broken_store_is_refused_and_left_as_it_was(tmp_path, monkeypatch, mockview_home,
                                                      no_model, case):
    make, says = BROKEN_STORES[case]
    monkeypatch.chdir(tmp_path)
    good_recording(tmp_path, "wav")
    path = make(mockview_home)
    before = sha(path) if path.is_file() else None
    for name, args in STORE_COMMANDS.items():
        line = assert_refused(run(*args), str(path), says)
        assert before is None or sha(path) == before, f"{name} changed the database"
        assert not (tmp_path / "page.html").exists(), line


def test_a_locked_store_is_busy_for_every_command(tmp_path, monkeypatch, mockview_home,
                                                  no_model):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("mockview.store.BUSY_TIMEOUT_S", 0.3)
    good_recording(tmp_path, "wav")
    path = saved_store(mockview_home)
    before = sha(path)
    with exclusive_lock(path):
        for args in STORE_COMMANDS.values():
            assert_refused(run(*args), f"{path} is busy: another mockview process kept it "
                                       "locked for more than 0.3 s. Try again when it has "
                                       "finished.")
    assert sha(path) == before
    assert run("history").exit_code == 0  # and it works again once the lock is gone


@pytest.mark.slow
def test_a_locked_store_gives_up_after_its_timeout_in_a_real_process(tmp_path, mockview_home):
    path = saved_store(mockview_home)
    with exclusive_lock(path):
        process = run_process("history", cwd=tmp_path)
    assert_refused(process, f"{path} is busy")


#: Runs commands with click's test runner in one process and prints what each did, so the
#: read-only store (a mount namespace of that process's own) is made once for all of them.
RUN_COMMANDS = """
import json, sys
from click.testing import CliRunner
from mockview.cli import cli

results = []
for args in json.loads(sys.argv[1]):
    result = CliRunner().invoke(cli, args)
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    results.append({"args": args, "exit_code": result.exit_code, "stderr": result.stderr,
                    "crashed": repr(result.exception) if crashed else None})
print(json.dumps(results))
"""


@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_read_only_store_is_refused_and_left_as_it_was(tmp_path, mockview_home, what):
    """As root, write bits are ignored: the database (or its folder) is then bind-mounted
    read-only in the commands' own mount namespace (see ``bad_inputs.read_only``)."""
    if os.geteuid() == 0 and not can_mount_read_only():
        pytest.skip("root ignores file modes, and this machine allows no private mounts")
    good_recording(tmp_path, "wav")
    path = saved_store(mockview_home)
    before = sha(path)
    target = path if what == "file" else mockview_home
    command = [sys.executable, "-c", RUN_COMMANDS, json.dumps(list(STORE_COMMANDS.values()))]
    try:
        process = subprocess.run(read_only(command, [target]), cwd=tmp_path,
                                 capture_output=True, text=True, timeout=TIMEOUT_S * 3)
    finally:
        target.chmod(target.stat().st_mode | 0o200)
    assert process.returncode == 0, process.stderr
    for result in json.loads(process.stdout):
        assert result["crashed"] is None, result
        assert result["exit_code"] == 1, result
        lines = result["stderr"].splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: ") and str(path) in lines[0], (
            result)
    assert sha(path) == before
    assert not (tmp_path / "page.html").exists()


def test_a_fifo_for_a_database_is_refused_without_waiting(tmp_path, mockview_home):
    fifo(mockview_home, "mockview.db")
    try:
        process = run_process("history", cwd=tmp_path, timeout_s=5)
    except subprocess.TimeoutExpired:
        pytest.fail("mockview history waited forever on a FIFO")
    assert_refused(process, "mockview.db")
