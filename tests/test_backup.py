"""export --all and import: everything round-trips, and every bad archive is refused whole.

A real store in the temp data directory (reports from hand-made word timelines, audio as
FLAC) is backed up, wiped and restored through the command line; the refusals check both
the one-line message and that nothing in the data directory changed.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import stat
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from mockview.cli import cli
from mockview.store import Store
from mockview.store.backup import MANIFEST

from .test_store import BEHAVIORAL, FILLERY, make_report, write_wav

TABLES = ("sessions", "answers", "takes", "words", "report_history", "_migrations")


def run(*args):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def outside(tmp_path_factory):
    """A folder outside the data directory (which is the test's tmp_path), for archives."""
    return tmp_path_factory.mktemp("outside")


@pytest.fixture
def filled(outside, mockview_home):
    """Two sessions: an analysed answer with audio; a practice session with a retry, a
    take without audio and a re-analysed take (report history)."""
    tmp_path = outside
    with Store.open() as store:
        store.save_analysis(write_wav(tmp_path / "a.wav", seconds=1.5), make_report())
        session = store.start_session(started_at_utc="2026-03-02T09:30:00Z")
        answer = store.add_answer(session, BEHAVIORAL, category="teamwork-and-conflict")
        store.add_take(answer, write_wav(tmp_path / "b.wav"), make_report(FILLERY))
        take = store.add_take(answer, write_wav(tmp_path / "c.wav", seconds=0.5),
                              make_report(question=BEHAVIORAL))
        store.replace_report(take, make_report(FILLERY, question=BEHAVIORAL))
        store.add_take(store.add_answer(session, None), None, make_report())
    return mockview_home


def snapshot(home: Path) -> dict:
    """Every row of every table, and every recording's bytes."""
    with sqlite3.connect(home / "mockview.db") as db:
        rows = {t: db.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in TABLES}
    audio = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
             for p in (home / "recordings").glob("*.flac")}
    return {"rows": rows, "audio": audio}


def listing(home: Path) -> list[str]:
    return sorted(str(p.relative_to(home)) for p in home.rglob("*"))


def export(home: Path, archive: Path) -> None:
    result = run("export", "--all", "-o", str(archive))
    assert result.exit_code == 0, result.output


def wipe(home: Path) -> None:
    for path in home.iterdir():
        shutil.rmtree(path) if path.is_dir() else path.unlink()


# --- round trip -----------------------------------------------------------------------------


def test_export_wipe_import_gives_back_everything(filled, outside):
    before = snapshot(filled)
    with Store.open() as store:
        sessions = store.sessions()
        records = [store.session(s.session_id) for s in sessions]
        history = store.report_history(store.takes()[2].take_id)
    archive = outside / "backup.zip"

    result = run("export", "--all", "-o", str(archive))
    assert result.exit_code == 0, result.output
    size_mb = archive.stat().st_size / 1e6
    assert result.stderr == (f"Backed up 2 sessions (4 takes, 3 recordings) to {archive} "
                             f"({size_mb:.1f} MB). Restore it with: mockview import {archive}\n")
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with zipfile.ZipFile(archive) as zipped:
        names = sorted(zipped.namelist())
        manifest = json.loads(zipped.read(MANIFEST))
    assert names == sorted([MANIFEST, "mockview.db", *manifest["recordings"]])
    assert (manifest["format"], manifest["sessions"], manifest["takes"]) == (1, 2, 4)

    wipe(filled)
    result = run("import", str(archive))
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Imported 2 sessions (4 takes, 3 recordings) from {archive}.\n"

    assert snapshot(filled) == before
    with Store.open() as store:
        assert store.sessions() == sessions
        assert [store.session(s.session_id) for s in sessions] == records
        assert store.report_history(store.takes()[2].take_id) == history
        assert (store.recovered, store.warnings, store.unfinished) == ([], [], [])
    assert not [p for p in filled.iterdir() if p.name.startswith(".import-")]
    for path in [filled, *filled.rglob("*")]:  # private, as everything mockview keeps
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), path


def test_a_fresh_empty_store_is_simply_replaced(filled, outside):
    archive = outside / "backup.zip"
    export(filled, archive)
    before = snapshot(filled)
    wipe(filled)
    Store.open().close()  # an empty store, as any command leaves it
    assert run("import", str(archive)).exit_code == 0
    assert snapshot(filled) == before
    assert not [p for p in filled.iterdir() if p.name.startswith("replaced-")]


def test_import_on_a_new_machine_makes_a_private_data_directory(filled, outside,
                                                               monkeypatch):
    archive = outside / "backup.zip"
    export(filled, archive)
    before = snapshot(filled)
    fresh = outside / "new-machine" / "mockview"
    monkeypatch.setenv("MOCKVIEW_HOME", str(fresh))
    assert run("import", str(archive)).exit_code == 0
    assert snapshot(fresh) == before
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o700
    with Store.open() as store:
        assert store.warnings == []


def test_a_missing_recording_is_said_and_the_rest_backed_up(filled, outside):
    with Store.open() as store:
        lost = store.takes()[1].audio_path
    lost.unlink()
    archive = outside / "backup.zip"
    result = run("export", "--all", "-o", str(archive))
    assert result.exit_code == 0
    relative = f"recordings/{lost.name}"
    assert result.stderr.startswith(
        f"Warning: {relative} was already missing from the store, so it is not in the backup "
        "(its take and report are).\n")
    before = snapshot(filled)
    wipe(filled)
    assert run("import", str(archive)).exit_code == 0
    assert snapshot(filled) == before


def test_an_archive_from_an_older_mockview_is_upgraded(filled, outside):
    archive = outside / "old.zip"
    export(filled, archive)

    def first_schema(db):  # as the first release left it: before m002
        db.execute("DROP TABLE report_history")
        for index in ("sessions_started", "answers_question", "answers_category",
                      "takes_recorded", "takes_audio_path"):
            db.execute(f"DROP INDEX {index}")
        db.execute("DELETE FROM _migrations WHERE name = 'm002_report_history_and_indexes'")

    rewrite(archive, outside / "older.zip", database=first_schema)
    wipe(filled)
    result = run("import", str(outside / "older.zip"))
    assert result.exit_code == 0, result.output
    with sqlite3.connect(filled / "mockview.db") as db:
        names = [r[0] for r in db.execute("SELECT name FROM _migrations ORDER BY rowid")]
    assert names[-1] == "m002_report_history_and_indexes"


# --- refusals -------------------------------------------------------------------------------


def test_a_store_with_sessions_is_replaced_only_when_asked_and_kept_aside(filled, outside):
    archive = outside / "backup.zip"
    export(filled, archive)
    with Store.open() as store:
        store.save_analysis(None, make_report(FILLERY))  # the store moved on since
    mine = snapshot(filled)
    files = listing(filled)

    result = run("import", str(archive))
    assert result.exit_code == 1
    assert result.output == (
        f"Error: The store in {filled} already holds 3 session(s); an import never mixes two "
        f"histories. To replace it, run: mockview import {archive} --replace (the current "
        "store is moved aside, not deleted).\n")
    assert listing(filled) == files

    result = run("import", str(archive), "--replace")
    assert result.exit_code == 0, result.output
    [aside] = [p for p in filled.iterdir() if p.name.startswith("replaced-")]
    assert result.stderr.splitlines()[1] == (
        f"The store that was here is kept in {aside}; delete it once you no longer need it.")
    assert len(Store.open().sessions()) == 2
    assert snapshot(aside) == mine  # the replaced store, whole


def test_unfinished_recordings_must_be_recovered_first(filled, outside):
    archive = outside / "backup.zip"
    export(filled, archive)
    with Store.open() as store:
        store.begin_recording(store.takes()[0].answer_id).release()
    result = run("import", str(archive), "--replace")
    assert result.exit_code == 1
    assert result.output.endswith(f"in {filled / 'recordings' / 'unsaved'}. Let it finish, "
                                  "or run mockview recover, then import.\n")


def rewrite(source: Path, target: Path, *, drop=(), add=(), manifest=None, database=None,
            raw=None) -> Path:
    """A copy of the archive ``source`` with members dropped, added or changed."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename in drop:
                continue
            if info.filename == MANIFEST and manifest is not None:
                data = json.dumps(manifest(json.loads(data))).encode()
            if info.filename == "mockview.db" and database is not None:
                scratch = target.with_suffix(".db")
                scratch.write_bytes(data)
                with sqlite3.connect(scratch) as db:
                    database(db)
                db.close()
                data = scratch.read_bytes()
                scratch.unlink()
            new.writestr(info.filename, data)
        for item in add:
            new.writestr(*item) if isinstance(item, tuple) else new.writestr(item, b"x")
    if raw is not None:
        raw(target)
    return target


def symlink_member(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


BAD_ARCHIVES = {
    "path traversal": (
        {"add": [("recordings/../../evil.flac", b"x")]},
        "{a} holds 'recordings/../../evil.flac', a path outside the data directory; nothing "
        "was imported. Import only backups made by mockview export --all."),
    "absolute path": (
        {"add": [("/tmp/evil", b"x")]},
        "{a} holds '/tmp/evil', a path outside the data directory; nothing was imported. "
        "Import only backups made by mockview export --all."),
    "link": (
        {"add": [(symlink_member("recordings/link.flac"), "/etc/passwd")]},
        "{a} holds 'recordings/link.flac' as a link, which a backup never has; nothing was "
        "imported."),
    "foreign file": (
        {"add": [("notes.txt", b"hello")]},
        "{a} holds 'notes.txt', which is not part of a mockview backup; nothing was imported. "
        "Import only backups made by mockview export --all."),
    "no manifest": (
        {"drop": [MANIFEST]},
        "{a} is not a mockview backup: it has no mockview-backup.json. Give a file made with "
        "mockview export --all."),
    "newer format": (
        {"manifest": lambda m: {**m, "format": 2, "made_by": "mockview 9.0"}},
        "{a} was made by a newer mockview (mockview 9.0, backup format 2). Upgrade mockview: "
        "pip install -U mockview"),
    "newer schema": (
        {"database": lambda db: db.execute(
            "INSERT INTO _migrations VALUES ('m099_from_the_future', '2030-01-01T00:00:00Z')")},
        "{a} was made by a newer mockview (unknown migration 'm099_from_the_future'). "
        "Upgrade mockview: pip install -U mockview"),
    "recording missing": (
        {"drop": ["RECORDING"]},
        "{a} is incomplete: its list of contents does not match what it holds, so nothing was "
        "imported. Make the backup again with mockview export --all."),
    "audio path leaving the data directory": (
        {"database": lambda db: db.execute(
            "UPDATE takes SET audio_path = '../../etc/passwd' WHERE id = 1")},
        "{a} is inconsistent: its database and its recordings do not match "
        "(../../etc/passwd). Nothing was imported."),
    "foreign database": (
        {"database": lambda db: db.execute("DROP TABLE _migrations")},
        "The database in {a} is not a mockview store. Nothing was imported."),
}


@pytest.mark.parametrize("case", BAD_ARCHIVES)
def test_a_bad_archive_is_refused_and_nothing_changes(filled, outside, case):
    archive = outside / "good.zip"
    export(filled, archive)
    changes, message = BAD_ARCHIVES[case]
    with zipfile.ZipFile(archive) as zipped:
        first = next(n for n in zipped.namelist() if n.startswith("recordings/"))
    changes = {k: [first if x == "RECORDING" else x for x in v] if k == "drop" else v
               for k, v in changes.items()}
    bad = rewrite(archive, outside / "bad.zip", **changes)
    wipe(filled)
    for home_state in ("empty", "fresh store"):
        if home_state == "fresh store":
            Store.open().close()
        files = listing(filled)
        result = run("import", str(bad), "--replace")
        assert result.exit_code == 1
        assert result.output == f"Error: {message.format(a=bad)}\n"
        assert "Traceback" not in result.output
        assert listing(filled) == files  # nothing written, no staging folder left


def test_a_damaged_recording_is_refused(filled, outside):
    archive = outside / "good.zip"
    export(filled, archive)
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zipped:
        info = next(i for i in zipped.infolist() if i.filename.startswith("recordings/"))
    data[info.header_offset + 30 + len(info.filename) + 100] ^= 0xFF  # inside its audio
    archive.write_bytes(bytes(data))
    wipe(filled)
    result = run("import", str(archive))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {archive} is damaged: {info.filename} cannot be "
                                    "read (Bad CRC-32")
    assert listing(filled) == []


@pytest.mark.parametrize("content, reason", [
    (b"PK\x03\x04 truncated", "File is not a zip file"),
    (b"just text", "File is not a zip file"),
])
def test_a_file_that_is_not_an_archive_is_refused(outside, content, reason):
    tmp_path = outside
    path = tmp_path / "x.zip"
    path.write_bytes(content)
    result = run("import", str(path))
    assert result.exit_code == 1
    assert result.output == (f"Error: {path} is not a mockview backup ({reason}). Give a file "
                             "made with mockview export --all -o FILE.\n")


def test_import_of_a_missing_file(outside):
    tmp_path = outside
    result = run("import", str(tmp_path / "nope.zip"))
    assert result.output == (f"Error: No such file: {tmp_path / 'nope.zip'}. Give the path of "
                             "a backup made with mockview export --all.\n")


@pytest.mark.parametrize("args, message", [
    (["--all"], "--all writes an archive: give its path with -o, for example: mockview "
                "export --all -o mockview-backup.zip"),
    (["3", "--all", "-o", "x.zip"], "Give a session id or --all, not both."),
    (["--all", "--format", "json", "-o", "x.zip"],
     "--format is for one session; --all always writes a zip archive."),
])
def test_export_all_usage_errors(args, message):
    result = run("export", *args)
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == f"Error: {message}"


def test_export_never_writes_over_a_file(filled, outside):
    existing = outside / "backup.zip"
    existing.write_text("an older backup")
    result = run("export", "--all", "-o", str(existing))
    assert result.exit_code == 1
    assert result.output == (f"Error: {existing} already exists. Give a new file name: a "
                             "backup is never written over another file.\n")
    assert existing.read_text() == "an older backup"
