"""The session store: schema and migrations, saving and reading, errors, crash recovery and
two processes writing at once. Real SQLite in the temp data directory; no model."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from mockview.errors import StoreError
from mockview.report import build_report
from mockview.speech.audio import AudioFile
from mockview.store import FINDING_COLUMNS, Store, _Saving, finding_numbers, key_numbers, migrations
from mockview.words import QuestionInfo

from .analysis_helpers import CONCISE, MOTIVATION, transcript

FILLERY = ("Um, I want this role because, uh, it joins my two strengths, data and teaching. "
           "Um, at my last job I built dashboards that the sales team used daily.")
BEHAVIORAL = QuestionInfo("Tell me about a time you disagreed with a colleague.",
                          kind="behavioral", id="beh-disagree")
REPO = Path(__file__).resolve().parent.parent


def make_report(text: str = CONCISE, question: QuestionInfo | None = MOTIVATION) -> dict:
    """A real report built by the analysis from a hand-made word timeline."""
    return build_report(transcript(text), question=question)


def shaped_report(*, speaking_s: float, fillers_per_minute: float, words_per_minute: float,
                  verdict: str | None, rambling: bool, top: str | None = "um") -> dict:
    """A real report with its key numbers set by hand, for summaries with known answers."""
    report = copy.deepcopy(make_report(FILLERY))
    metrics = report["metrics"]
    metrics["length"].update(speaking_s=speaking_s, verdict=verdict)
    metrics["fillers"]["per_minute"] = fillers_per_minute
    metrics["fillers"]["top"] = [{"text": top, "count": 2}] if top else []
    metrics["pace"]["words_per_minute"] = words_per_minute
    metrics["rambling"]["flagged"] = rambling
    return report


def write_wav(path: Path, seconds: float = 1.0, rate: int = 44100) -> Path:
    """A stereo 44.1 kHz tone: the store must bring it to 16 kHz mono FLAC."""
    t = np.arange(int(seconds * rate)) / rate
    tone = 0.3 * np.sin(2 * np.pi * 220 * t)
    sf.write(path, np.stack([tone, tone], axis=1), rate)
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}


# --- schema and migrations -----------------------------------------------------------------


def test_blank_database_gets_every_migration(mockview_home):
    with Store.open() as store:
        assert store.path == mockview_home / "mockview.db"
        assert store.recordings_dir == mockview_home / "recordings"
        assert store.recovered == []
        assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store._db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert store._db.execute("PRAGMA busy_timeout").fetchone()[0] == 10000
        assert migrations.applied_migrations(store._db) == [
            "m001_initial", "m002_report_history_and_indexes",
            "m003_content_and_delivery_columns", "m004_reports_apart", "m005_word_forms",
            "m006_unjudged_pace", "m007_follow_ups", "m008_take_tallies"]
    assert tables(store.path) >= {"_migrations", "sessions", "answers", "takes", "words",
                                  "report_history", "take_reports", "take_forms",
                                  "take_form_lemmas", "take_form_words", "take_tallies"}


def test_opening_twice_applies_nothing_more(mockview_home):
    Store.open().close()
    with Store.open() as store:
        rows = store._db.execute("SELECT COUNT(*) FROM _migrations").fetchone()[0]
    assert rows == len(migrations.MIGRATIONS)


@pytest.mark.smoke
def test_upgrade_from_the_first_schema_keeps_the_data(mockview_home):
    path = mockview_home / "mockview.db"
    db = sqlite3.connect(path, isolation_level=None)
    assert migrations.migrate(db, migrations=[migrations.m001_initial]) == ["m001_initial"]
    report = make_report(FILLERY)
    numbers = key_numbers(report)
    db.execute("INSERT INTO sessions VALUES (1, '2026-01-05T09:00:00Z', NULL, 'analyze')")
    db.execute("INSERT INTO answers (id, session_id, answer_no, question_text, question_kind)"
               " VALUES (1, 1, 1, 'Why do you want this role?', 'motivation')")
    db.execute(
        "INSERT INTO takes (answer_id, take_no, recorded_at_utc, analysis_version,"
        f" schema_version, report_json, {', '.join(numbers)}) VALUES (1, 1,"
        f" '2026-01-05T09:01:00Z', '0.1.0', 1, ?, {', '.join('?' * len(numbers))})",
        (json.dumps(report), *numbers.values()))
    db.close()
    assert "report_history" not in tables(path)

    with Store.open() as store:
        assert migrations.applied_migrations(store._db)[1:] == [
            "m002_report_history_and_indexes", "m003_content_and_delivery_columns",
            "m004_reports_apart", "m005_word_forms", "m006_unjudged_pace", "m007_follow_ups",
            "m008_take_tallies"]
        [take] = store.takes(with_reports=True)
        assert (take.session_id, take.question_text, take.fillers_count) == (
            1, "Why do you want this role?", numbers["fillers_count"])
        assert take.report == report
        store.replace_report(take.take_id, make_report())  # the new table works on old rows
        assert len(store.report_history(take.take_id)) == 1


def test_a_failing_migration_rolls_back_and_names_itself(mockview_home, monkeypatch):
    Store.open().close()
    path = mockview_home / "mockview.db"

    def m003_broken(db):
        db.execute("CREATE TABLE half_done (x)")
        db.execute("ALTER TABLE takes ADD COLUMN half_done_s REAL")
        raise ValueError("boom")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, m003_broken])
    import mockview.store

    monkeypatch.setattr(mockview.store, "MIGRATIONS", migrations.MIGRATIONS)
    with pytest.raises(StoreError) as caught:
        Store.open()
    assert str(caught.value) == (
        f"Could not upgrade {path}: migration 'm003_broken' failed (boom). The database was "
        "left as it was. Report this to the mockview developers.")
    assert "half_done" not in tables(path)
    with sqlite3.connect(path) as db:
        columns = [r[1] for r in db.execute("PRAGMA table_info(takes)")]
        names = [r[0] for r in db.execute("SELECT name FROM _migrations")]
    assert "half_done_s" not in columns
    assert "m003_broken" not in names
    monkeypatch.undo()
    Store.open().close()  # still a good store for this version


def test_a_failing_first_migration_leaves_a_blank_database(tmp_path):
    def m001_broken(db):
        db.execute("CREATE TABLE sessions (id INTEGER PRIMARY KEY)")
        db.execute("SELECT * FROM no_such_table")

    db = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    with pytest.raises(StoreError, match="migration 'm001_broken' failed"):
        migrations.migrate(db, migrations=[m001_broken], where="x.db")
    assert not db.in_transaction
    assert [r[0] for r in db.execute("SELECT name FROM sqlite_master")] == [
        "_migrations", "sqlite_autoindex__migrations_1"]
    db.close()


# --- refusing what it cannot validate -------------------------------------------------------


def test_a_database_from_a_newer_mockview_asks_for_an_upgrade(mockview_home):
    Store.open().close()
    path = mockview_home / "mockview.db"
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO _migrations VALUES ('m099_future', '2030-01-01T00:00:00Z')")
    db.close()
    before = sha(path)
    with pytest.raises(StoreError) as caught:
        Store.open()
    assert str(caught.value) == (
        f"{path} was written by a newer mockview (unknown migration 'm099_future'). "
        "Upgrade mockview: pip install -U mockview")
    assert sha(path) == before


@pytest.mark.parametrize("content,reason", [
    (b"hello, this is a text file that someone named mockview.db\n",
     "not an SQLite database file"),
    (b"SQLite format 3\x00" + b"\xff" * 4000, "file is not a database"),
])
def test_a_damaged_file_is_named_and_never_overwritten(mockview_home, content, reason):
    path = mockview_home / "mockview.db"
    path.write_bytes(content)
    with pytest.raises(StoreError) as caught:
        Store.open()
    assert str(caught.value) == (
        f"{path} is not a mockview database or is damaged ({reason}). Move it aside "
        f"(for example: mv {path} {path}.bak) and mockview starts a new one; it never "
        "overwrites it.")
    assert path.read_bytes() == content
    assert sorted(p.name for p in mockview_home.iterdir()) == ["mockview.db"]


def test_another_programs_database_is_left_alone(mockview_home):
    path = mockview_home / "mockview.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (text)")
    db.close()
    before = sha(path)
    with pytest.raises(StoreError) as caught:
        Store.open()
    assert str(caught.value) == (
        f"{path} is not a mockview database or is damaged (it holds tables mockview did not "
        f"make: notes). Move it aside (for example: mv {path} {path}.bak) and mockview "
        "starts a new one; it never overwrites it.")
    assert sha(path) == before
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_a_database_damaged_past_its_header_is_reported_when_read(mockview_home):
    with Store.open() as store:
        for _ in range(30):
            store.save_analysis(None, make_report())
    path = mockview_home / "mockview.db"
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    data[page_size * 3:] = b"\x5a" * (len(data) - page_size * 3)  # wreck every later page
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError) as caught, Store.open() as store:
        store.takes(with_reports=True)
    assert str(caught.value).startswith(f"{path} is not a mockview database or is damaged (")
    assert str(caught.value).endswith(f"(for example: mv {path} {path}.bak) and mockview "
                                      "starts a new one; it never overwrites it.")


def test_an_unreadable_database_is_named(mockview_home, monkeypatch):
    Store.open().close()
    path = mockview_home / "mockview.db"
    real_open = open

    def deny(file, *args, **kwargs):
        if Path(file) == path:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", deny)
    with pytest.raises(StoreError) as caught:
        Store.open()
    assert str(caught.value) == (
        f"Cannot read {path}: permission denied. Check the file's owner and permissions "
        f"(it should be yours: chmod 600 {path}).")


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() == 0,
                    reason="root reads every file")
def test_an_unreadable_database_file_on_disk(mockview_home):
    Store.open().close()
    path = mockview_home / "mockview.db"
    path.chmod(0)
    try:
        with pytest.raises(StoreError, match=f"^Cannot read {path}: permission denied"):
            Store.open()
    finally:
        path.chmod(0o600)


def test_a_data_directory_that_cannot_be_made(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("MOCKVIEW_HOME", str(blocker / "home"))
    with pytest.raises(StoreError) as caught:
        Store.open()
    assert str(caught.value) == (
        f"Cannot create the mockview data directory {blocker / 'home'}: Not a directory. "
        "Set MOCKVIEW_HOME to a folder you can write to.")


def test_private_files_whatever_the_umask(tmp_path, monkeypatch):
    home = tmp_path / "fresh" / "home"
    monkeypatch.setenv("MOCKVIEW_HOME", str(home))
    old = os.umask(0)
    try:
        with Store.open() as store:
            store.save_analysis(write_wav(tmp_path / "a.wav"), make_report())
            flac = store.takes()[0].audio_path
            wal = Path(str(store.path) + "-wal")
            assert stat.S_IMODE(wal.stat().st_mode) == 0o600
    finally:
        os.umask(old)
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "recordings").stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "mockview.db").stat().st_mode) == 0o600
    assert stat.S_IMODE(flac.stat().st_mode) == 0o600


# --- saving and reading ---------------------------------------------------------------------


@pytest.mark.smoke
def test_save_analysis_keeps_audio_report_question_and_words(tmp_path):
    report = make_report(FILLERY, question=BEHAVIORAL)
    with Store.open() as store:
        session_id = store.save_analysis(write_wav(tmp_path / "answer.wav", seconds=2.0),
                                         report, question=BEHAVIORAL, category="teamwork")
        take = store.take(session_id, 1)
        words = store._db.execute("SELECT position, text, start_s FROM words"
                                  " WHERE take_id = ? ORDER BY position",
                                  (take.take_id,)).fetchall()
        [summary] = store.sessions()
    assert (take.answer_no, take.take_no) == (1, 1)
    assert (take.question_id, take.question_text, take.question_kind,
            take.question_category) == ("beh-disagree", BEHAVIORAL.text, "behavioral",
                                        "teamwork")
    assert take.report == report
    assert take.analysis_version == report["analysis_version"]
    fillers = report["metrics"]["fillers"]
    assert take.fillers_count == fillers["count"] == 3
    assert take.top_filler == "um"
    assert take.fillers_per_minute == fillers["per_minute"]
    assert take.words_per_minute == report["metrics"]["pace"]["words_per_minute"]
    assert take.duration_s == report["metrics"]["length"]["duration_s"]
    assert take.length_verdict == report["metrics"]["length"]["verdict"] == "too_short"
    assert take.within_target is False
    assert words[0] == (1, "Um,", 0.0)
    assert len(words) == len(report["transcript"]["words"])
    info = sf.info(take.audio_path)
    assert (info.format, info.subtype, info.samplerate, info.channels) == (
        "FLAC", "PCM_16", 16000, 1)
    assert info.duration == pytest.approx(2.0, abs=0.01)
    assert take.audio_path.parent == store.recordings_dir
    assert sorted(p.suffix for p in store.recordings_dir.iterdir()) == [".flac"]  # no sidecar
    assert (tmp_path / "answer.wav").exists()  # a copy: the original stays
    assert (summary.session_id, summary.source, summary.answer_count) == (session_id,
                                                                          "analyze", 1)


def test_the_question_defaults_to_the_reports_own(mockview_home):
    with Store.open() as store:
        store.save_analysis(None, make_report(question=BEHAVIORAL))
        take = store.takes()[0]
        target = store._db.execute("SELECT target_min_s, target_max_s FROM answers").fetchone()
    assert (take.question_id, take.question_kind, take.audio_path) == ("beh-disagree",
                                                                       "behavioral", None)
    assert target == (90.0, 120.0)  # the behavioral kind's target, as it was when asked


def test_practice_sessions_number_answers_and_takes(mockview_home):
    with Store.open() as store:
        session_id = store.start_session(started_at_utc="2026-03-01T10:00:00Z")
        first = store.add_answer(session_id, MOTIVATION, category="motivation-and-fit")
        second = store.add_answer(session_id, BEHAVIORAL)
        store.add_take(first, None, make_report(), recorded_at_utc="2026-03-01T10:01:00Z")
        store.add_take(first, None, make_report(FILLERY),
                       recorded_at_utc="2026-03-01T10:03:00Z")
        store.add_take(second, None, make_report(question=BEHAVIORAL),
                       recorded_at_utc="2026-03-01T10:05:00Z")
        store.finish_session(session_id, finished_at_utc="2026-03-01T10:10:00Z")
        record = store.session(session_id)
        latest = store.take(session_id, 1)
        earlier = store.take(session_id, 1, 1)
    assert [(t.answer_no, t.take_no) for t in record.takes] == [(1, 1), (1, 2), (2, 1)]
    assert all(t.report is not None for t in record.takes)
    assert (latest.take_no, latest.top_filler) == (2, "um")
    assert (earlier.take_no, earlier.top_filler) == (1, None)
    assert record.summary.answer_count == 2 and record.summary.take_count == 3
    assert record.summary.source == "practice"


def test_session_summary_numbers_have_known_answers(mockview_home):
    with Store.open() as store:
        session_id = store.start_session()
        first = store.add_answer(session_id, MOTIVATION)
        second = store.add_answer(session_id, BEHAVIORAL)
        store.add_answer(session_id, MOTIVATION)  # asked, never answered
        store.add_take(first, None, shaped_report(speaking_s=30, fillers_per_minute=4,
                                                  words_per_minute=120, verdict="long",
                                                  rambling=True))
        store.add_take(first, None, shaped_report(speaking_s=60, fillers_per_minute=1,
                                                  words_per_minute=150, verdict="within",
                                                  rambling=False))
        store.add_take(second, None, shaped_report(speaking_s=30, fillers_per_minute=2,
                                                   words_per_minute=130, verdict=None,
                                                   rambling=True))
        empty = store.start_session()
        [newest, summary] = store.sessions()
    assert newest.session_id == empty
    assert (newest.answer_count, newest.take_count, newest.speaking_s) == (0, 0, 0.0)
    assert (newest.fillers_per_minute, newest.words_per_minute,
            newest.within_target_share, newest.rambling_count) == (None, None, None, 0)
    assert summary.answer_count == 3
    assert summary.take_count == 3
    assert summary.speaking_s == 120
    assert summary.fillers_per_minute == pytest.approx((4 * 30 + 1 * 60 + 2 * 30) / 120)
    assert summary.words_per_minute == pytest.approx(133.3)
    # latest takes only: answer 1 take 2 is within; answer 2 has no verdict
    assert summary.within_target_share == 1.0
    assert summary.rambling_count == 1


def test_sessions_are_newest_first_and_limited(mockview_home):
    with Store.open() as store:
        ids = [store.start_session(started_at_utc=f"2026-03-0{day}T10:00:00Z")
               for day in (2, 1, 3)]
        assert [s.session_id for s in store.sessions()] == [ids[2], ids[0], ids[1]]
        assert [s.session_id for s in store.sessions(limit=2)] == [ids[2], ids[0]]


def test_takes_filter_and_come_oldest_first(mockview_home):
    with Store.open() as store:
        for day, question, category in [(3, MOTIVATION, "fit"), (1, BEHAVIORAL, "teamwork"),
                                        (2, BEHAVIORAL, "teamwork")]:
            session_id = store.start_session(started_at_utc=f"2026-03-0{day}T10:00:00Z")
            answer = store.add_answer(session_id, question, category=category)
            store.add_take(answer, None, make_report(question=question),
                           recorded_at_utc=f"2026-03-0{day}T10:01:00Z")
        assert [t.recorded_at_utc[:10] for t in store.takes()] == [
            "2026-03-01", "2026-03-02", "2026-03-03"]
        assert [t.recorded_at_utc[:10] for t in store.takes(question_id="beh-disagree")] == [
            "2026-03-01", "2026-03-02"]
        assert [t.question_category for t in store.takes(category="fit")] == ["fit"]
        assert len(store.takes(since_utc="2026-03-02")) == 2
        assert store.takes(category="teamwork", since_utc="2026-03-02T12:00:00Z") == []
        assert all(t.report is None for t in store.takes())
        assert all(t.report for t in store.takes(with_reports=True))


def test_missing_records_say_what_exists_and_where_to_look(mockview_home):
    with Store.open() as store:
        session_id = store.save_analysis(None, make_report())
        for call, message in [
            (lambda: store.session(12), "No session 12. List your sessions with: mockview history"),
            (lambda: store.take(12, 1), "No session 12. List your sessions with: mockview history"),
            (lambda: store.take(session_id, 3),
             f"Session {session_id} has no answer 3 (it has 1 answer). "
             f"See them with: mockview show {session_id}"),
            (lambda: store.take(session_id, 1, 4),
             f"Answer 1 of session {session_id} has no take 4 (it has 1 take). "
             f"See them with: mockview show {session_id}"),
            (lambda: store.add_answer(12, MOTIVATION),
             "No session 12. List your sessions with: mockview history"),
            (lambda: store.add_take(999, None, make_report()),
             "No answer with id 999. Add it first with Store.add_answer."),
            (lambda: store.replace_report(999, make_report()), "No take with id 999."),
            (lambda: store.delete_session(12),
             "No session 12. List your sessions with: mockview history"),
            (lambda: store.start_session(started_at_utc="2026-03-01 10:00"),
             "started_at_utc must be UTC like 2026-11-25T20:44:00Z, not '2026-03-01 10:00'."),
        ]:
            with pytest.raises(StoreError) as caught:
                call()
            assert str(caught.value) == message


def test_a_report_that_is_not_a_report_is_refused_before_any_file(tmp_path, mockview_home):
    broken = make_report()
    del broken["metrics"]["fillers"]
    with Store.open() as store:
        with pytest.raises(StoreError) as caught:
            store.save_analysis(write_wav(tmp_path / "a.wav"), broken)
        assert store.sessions() == []
    assert str(caught.value) == ("Cannot store this report: it has no metrics.fillers. Store "
                                 "the report of mockview analyze (schema_version 1).")
    assert list((mockview_home / "recordings").iterdir()) == []


def test_a_failed_insert_removes_the_files_it_wrote(tmp_path, mockview_home, monkeypatch):
    def fail(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    with Store.open() as store:
        monkeypatch.setattr(store, "_insert_take", fail)
        with pytest.raises(StoreError, match=r"\(disk I/O error\)"):
            store.save_analysis(write_wav(tmp_path / "a.wav"), make_report())
        assert store.sessions() == []
    assert list((mockview_home / "recordings").iterdir()) == []


def test_add_take_can_take_the_file_over(tmp_path):
    original = write_wav(tmp_path / "take.wav")
    with Store.open() as store:
        answer = store.add_answer(store.start_session(), MOTIVATION)
        store.add_take(answer, original, make_report(), copy_audio=False)
        assert store.takes()[0].audio_path.is_file()
    assert not original.exists()


def test_replace_report_keeps_the_old_one_in_history(mockview_home):
    old = make_report(FILLERY)
    new = make_report()
    new["analysis_version"] = "0.2.0"
    with Store.open() as store:
        session_id = store.save_analysis(None, old)
        take = store.take(session_id, 1)
        store.replace_report(take.take_id, new)
        again = store.take(session_id, 1)
        [history] = store.report_history(take.take_id)
        words = store._db.execute("SELECT COUNT(*) FROM words WHERE take_id = ?",
                                  (take.take_id,)).fetchone()[0]
    assert (again.report, again.analysis_version) == (new, "0.2.0")
    assert (take.fillers_count, again.fillers_count) == (3, 0)
    assert again.top_filler is None
    assert history["analysis_version"] == old["analysis_version"]
    assert history["report"] == old
    assert words == len(new["transcript"]["words"])


def test_delete_session_removes_rows_and_audio_of_that_session_only(tmp_path):
    audio = write_wav(tmp_path / "a.wav")
    with Store.open() as store:
        keep = store.save_analysis(audio, make_report())
        gone = store.save_analysis(audio, make_report(FILLERY))
        answer = store.add_answer(gone, BEHAVIORAL)
        store.add_take(answer, audio, make_report(question=BEHAVIORAL))
        store.replace_report(store.take(gone, 2).take_id, make_report())
        files = [t.audio_path for t in store.session(gone).takes]
        removed = store.delete_session(gone)
        counts = {table: store._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                  for table in ("sessions", "answers", "takes", "report_history")}
        words = store._db.execute("SELECT COUNT(DISTINCT take_id) FROM words").fetchone()[0]
        kept = store.take(keep, 1).audio_path
    assert sorted(removed) == sorted(files)
    assert not any(path.exists() for path in files)
    assert counts == {"sessions": 1, "answers": 1, "takes": 1, "report_history": 0}
    assert words == 1
    assert kept.exists()


# --- no data loss -------------------------------------------------------------------------


def crash_while_saving(store: Store, session: dict, answer: dict, report: dict) -> Path:
    """What a crash between writing the files and committing the row leaves behind."""
    second = store.path.parent / "one-second.wav"
    sf.write(second, np.zeros(16000, np.float32), 16000, subtype="PCM_16")
    saving = _Saving(store, AudioFile(second))
    store._db.execute("BEGIN IMMEDIATE")
    saving.files(session, answer, "2026-03-01T10:02:00Z", report)
    store._db.execute("ROLLBACK")  # the process died: the transaction never committed
    store.close()
    return saving.flac


def test_a_crash_in_save_analysis_is_recovered_as_its_session(mockview_home):
    report = make_report(FILLERY)
    store = Store.open()
    question = {"id": None, "text": MOTIVATION.text, "kind": "motivation", "category": None,
                "target_s": [45.0, 90.0]}
    flac = crash_while_saving(store, {"id": 1, "started_at_utc": "2026-03-01T10:02:00Z",
                                      "source": "analyze"},
                              {"id": 1, "answer_no": 1, "question": question}, report)
    with Store.open() as store:
        assert store.recovered == [
            f"Recovered {flac}, recorded 2026-03-01T10:02:00Z but not saved when mockview "
            "stopped: it is now session 1, answer 1, take 1."]
        [take] = store.takes(with_reports=True)
        assert (take.audio_path, take.report, take.question_text) == (flac, report,
                                                                      MOTIVATION.text)
        assert store.sessions()[0].source == "analyze"
    assert sorted(p.name for p in flac.parent.iterdir()) == [flac.name]  # sidecar gone
    with Store.open() as store:
        assert store.recovered == []


def test_a_crash_in_a_practice_take_joins_its_answer(mockview_home):
    with Store.open() as store:
        session_id = store.start_session(started_at_utc="2026-03-01T10:00:00Z")
        answer_id = store.add_answer(session_id, MOTIVATION)
        store.add_take(answer_id, None, make_report(), recorded_at_utc="2026-03-01T10:01:00Z")
    store = Store.open()
    question = {"id": None, "text": MOTIVATION.text, "kind": "motivation", "category": None,
                "target_s": [45.0, 90.0]}
    crash_while_saving(store, {"id": session_id, "started_at_utc": "2026-03-01T10:00:00Z",
                               "source": "practice"},
                       {"id": answer_id, "answer_no": 1, "question": question},
                       make_report(FILLERY))
    with Store.open() as store:
        assert store.recovered[0].endswith(
            f"it is now session {session_id}, answer 1, take 2.")
        assert [(t.session_id, t.answer_no, t.take_no) for t in store.takes()] == [
            (session_id, 1, 1), (session_id, 1, 2)]


def test_a_recording_without_its_record_is_kept_and_reported_every_time(mockview_home):
    store = Store.open()
    flac = crash_while_saving(store, {"id": 1, "started_at_utc": "2026-03-01T10:02:00Z",
                                      "source": "analyze"}, {"id": 1, "answer_no": 1}, {})
    flac.with_suffix(".json").unlink()
    partial = flac.parent / "abc.flac.tmp"
    partial.write_bytes(b"fLaC half")
    expected = [
        f"{flac} is not in the store: mockview stopped before saving it and left no record "
        "of what it was. It was kept: play it, and delete it if you do not need it.",
        f"{partial} is an incomplete file left when mockview stopped while writing it. It was "
        "kept; delete it if you do not need it."]
    for _ in range(2):
        with Store.open() as store:
            assert store.recovered == expected
            assert store.takes() == []
    assert flac.exists() and partial.exists()


def test_an_unreadable_sidecar_is_reported_and_both_files_kept(mockview_home):
    store = Store.open()
    flac = crash_while_saving(store, {"id": 1, "started_at_utc": "2026-03-01T10:02:00Z",
                                      "source": "analyze"}, {"id": 1, "answer_no": 1}, {})
    sidecar = flac.with_suffix(".json")
    with Store.open() as store:
        [message] = store.recovered
    assert message == (
        f"{flac} and {sidecar} are not in the store: mockview stopped before saving them, and "
        "the record left to restore them cannot be read (Cannot store this report: it has no "
        "metrics. Store the report of mockview analyze (schema_version 1).). They were kept; "
        "delete them if you do not need them.")
    assert flac.exists() and sidecar.exists()


def test_a_leftover_sidecar_of_a_saved_take_is_removed_quietly(tmp_path):
    with Store.open() as store:
        store.save_analysis(write_wav(tmp_path / "a.wav"), make_report())
        flac = store.takes()[0].audio_path
    flac.with_suffix(".json").write_text("{}")  # as if mockview died right after the commit
    with Store.open() as store:
        assert store.recovered == []
        assert len(store.takes()) == 1
    assert not flac.with_suffix(".json").exists()


def run_python(code: str, *, env: dict | None = None, wait: bool = True):
    process = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO,
                               env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    if wait:
        process.wait(timeout=120)
    return process


def test_a_process_killed_before_its_commit_loses_nothing(tmp_path, mockview_home):
    audio = write_wav(tmp_path / "a.wav")
    process = run_python(f"""
        import os, mockview.store
        from tests.test_store import make_report
        def die(*args, **kwargs):
            os._exit(9)  # no cleanup, no rollback: the process is gone
        mockview.store.Store._insert_take = die
        mockview.store.Store.open().save_analysis({str(audio)!r}, make_report())
    """)
    assert process.returncode == 9, process.stderr
    with Store.open() as store:
        [message] = store.recovered
        [take] = store.takes(with_reports=True)
    assert message.startswith(f"Recovered {take.audio_path}, recorded ")
    assert take.report == make_report()
    assert sf.info(take.audio_path).duration == pytest.approx(1.0, abs=0.01)


def test_two_processes_saving_at_once_both_succeed(tmp_path, mockview_home):
    audio = write_wav(tmp_path / "a.wav", seconds=0.5)
    count = 12
    code = f"""
        import sys
        from mockview.store import Store
        from tests.test_store import make_report
        report = make_report()
        for i in range({count}):
            with Store.open() as store:  # each save opens anew, as the CLI does
                store.save_analysis({str(audio)!r} if i % 3 == 0 else None, report)
        print("done")
    """
    writers = [run_python(code, wait=False) for _ in range(2)]
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        assert out.strip() == "done"
    with Store.open() as store:
        assert store.recovered == []
        sessions = store.sessions()
        takes = store.takes()
    assert len(sessions) == len({s.session_id for s in sessions}) == 2 * count
    assert len(takes) == 2 * count
    with_audio = [t.audio_path for t in takes if t.audio_path]
    assert len(with_audio) == 2 * 4 and all(path.is_file() for path in with_audio)
    assert sorted(p.suffix for p in store.recordings_dir.iterdir()) == [".flac"] * 8


def test_the_question_snapshot_keeps_the_category_of_a_bank_question(mockview_home):
    from mockview.report import build_report
    from mockview.words import QuestionInfo, Transcript, Word

    question = QuestionInfo(text="Why us?", kind="motivation", id="why-us",
                            category="motivation-and-fit")
    report = build_report(Transcript(words=(Word("Because", 0.0, 0.4),), duration_s=1.0),
                          question=question)
    with Store.open() as store:
        session_id = store.save_analysis(None, report, question=question)
        assert store.take(session_id, 1).question_category == "motivation-and-fit"


# --- what the answer says and how it sounded (migration m003) -------------------------------

STAR_NO_RESULT = (
    "Last year our team had a release deadline and the data pipeline kept failing. My task"
    " was to fix it before launch. I guess I kind of rewrote the retry logic and maybe I"
    " added alerts, I think, and we sort of talked to people and we reviewed it, and we"
    " looked at it again and I guess that's it.")
VOICE = {"judged": True, "note": None, "speech_s": 40.0,
         "pitch": {"variation_semitones": 1.4, "monotone": True},
         "uptalk": {"statements": 4, "rising": 2, "share": 0.5},
         "volume": {"median_dbfs": -20.0, "snr_db": 30.0, "sentences_measured": 4,
                    "fades": [{"text": "it"}, {"text": "that"}], "quiet_stretches": []}}
FINDINGS_OF_STAR_NO_RESULT = {
    "star_missing": "result", "star_missing_count": 1, "concrete_results": 0,
    "hedges_count": 5, "opening_verdict": "clear", "ending_verdict": "trails_off",
    "pitch_variation_semitones": 1.4, "monotone": True, "uptalk_share": 0.5,
    "fades_count": 2, "keyword_coverage": None, "job_coverage": None}


def behavioral_report(*, delivery=None) -> dict:
    report = make_report(STAR_NO_RESULT, question=BEHAVIORAL)
    report["metrics"]["delivery"] = delivery
    return report


def old_report(text: str = CONCISE) -> dict:
    """A report as mockview wrote it before content and delivery analysis."""
    report = make_report(text)
    del report["metrics"]["content"]
    report["metrics"].pop("delivery", None)
    return report


def test_finding_numbers_of_a_behavioral_answer_with_its_voice():
    numbers = finding_numbers(behavioral_report(delivery=VOICE))
    assert set(numbers) == set(FINDING_COLUMNS)
    assert {k: numbers[k] for k in FINDINGS_OF_STAR_NO_RESULT} == FINDINGS_OF_STAR_NO_RESULT
    content = behavioral_report()["metrics"]["content"]
    assert numbers["hedges_per_100_words"] == content["hedges"]["per_100_words"]
    assert numbers["we_share"] == content["ownership"]["we_share"]
    action = next(p for p in content["structure"]["parts"] if p["part"] == "action")
    assert numbers["action_share"] == action["share"]


@pytest.mark.parametrize("report", [
    {}, {"metrics": None}, {"metrics": {"content": None, "delivery": None}},
    {"metrics": {"content": "x", "delivery": []}},
    {"metrics": {"content": {"judged": False, "hedges": {"count": 3}},
                 "delivery": {"judged": False, "pitch": {"monotone": True}}}},
    # judged, but every value of the wrong type: nothing is stored, nothing raises
    {"metrics": {"content": {"judged": True, "structure": {"missing": "result", "parts": 3},
                             "results": {"concrete_count": "2"}, "hedges": [],
                             "ownership": {"we_share": float("nan")}, "keywords": 1,
                             "opening": {"verdict": 2}},
                 "delivery": {"judged": True, "pitch": {"monotone": 1},
                              "uptalk": {"share": True}, "volume": {"fades": None}}}},
])
def test_finding_numbers_of_reports_without_findings_are_all_none(report):
    assert finding_numbers(report) == dict.fromkeys(FINDING_COLUMNS)


def test_finding_numbers_of_old_and_unjudged_reports():
    assert finding_numbers(old_report()) == dict.fromkeys(FINDING_COLUMNS)
    short = finding_numbers(make_report("I led it.", question=BEHAVIORAL))  # too few words
    assert short == dict.fromkeys(FINDING_COLUMNS)
    motivation = finding_numbers(make_report())  # judged, but STAR is for behavioral only
    assert (motivation["star_missing"], motivation["action_share"]) == (None, None)
    assert motivation["opening_verdict"] is not None and motivation["monotone"] is None


def test_a_pitch_too_short_to_judge_is_not_stored_for_comparison():
    short = {**VOICE, "pitch": {"variation_semitones": 1.2, "monotone": None,
                                "note": "Only 7.4 s of speech: too short to call the pitch"
                                        " monotone or lively (that needs 10 s)."}}
    numbers = finding_numbers(behavioral_report(delivery=short))
    assert numbers["pitch_variation_semitones"] is None and numbers["monotone"] is None
    assert numbers["uptalk_share"] == 0.5 and numbers["fades_count"] == 2  # judged per ending


def test_take_record_fields_follow_the_selected_columns():
    # Store._take builds records positionally from _TAKE_COLUMNS
    from dataclasses import fields

    from mockview.records import TakeRecord
    from mockview.store import _TAKE_COLUMNS

    selected = [c.strip().split(".")[1] for c in _TAKE_COLUMNS.split(",")]
    names = [f.name for f in fields(TakeRecord)]
    assert names == ["take_id", *selected[1:26], "report", *selected[26:]]
    assert selected[26:] == list(FINDING_COLUMNS) == [n for n, _ in migrations.M003_COLUMNS]


def test_add_take_and_replace_report_fill_the_finding_columns(mockview_home):
    with Store.open() as store:
        session_id = store.start_session(started_at_utc="2026-03-01T10:00:00Z")
        answer_id = store.add_answer(session_id, BEHAVIORAL)
        take_id = store.add_take(answer_id, None, behavioral_report(delivery=VOICE))
        take = store.take(session_id, 1)
        assert {k: getattr(take, k) for k in FINDINGS_OF_STAR_NO_RESULT} == \
            FINDINGS_OF_STAR_NO_RESULT
        assert take.missing_star_parts == ("result",)
        store.replace_report(take_id, old_report(STAR_NO_RESULT))  # reanalysed without them
        take = store.take(session_id, 1)
        assert all(getattr(take, k) is None for k in FINDING_COLUMNS)
        assert take.missing_star_parts is None
        store.replace_report(take_id, behavioral_report())  # content back, no delivery
        take = store.take(session_id, 1)
        assert (take.star_missing, take.monotone, take.fades_count) == ("result", None, None)


def test_a_recovered_take_gets_its_finding_columns(mockview_home):
    store = Store.open()
    question = {"id": "beh-disagree", "text": BEHAVIORAL.text, "kind": "behavioral",
                "category": None, "target_s": [90.0, 120.0]}
    crash_while_saving(store, {"id": 1, "started_at_utc": "2026-03-01T10:02:00Z",
                               "source": "analyze"},
                       {"id": 1, "answer_no": 1, "question": question},
                       behavioral_report(delivery=VOICE))
    with Store.open() as store:
        [take] = store.takes()
    assert (take.star_missing, take.hedges_count, take.fades_count) == ("result", 5, 2)


def store_before_m003(path: Path, reports: list) -> None:
    """A store at the schema of m002 holding one take per report (a str: stored as is)."""
    db = sqlite3.connect(path, isolation_level=None)
    migrations.migrate(db, migrations=[migrations.m001_initial,
                                       migrations.m002_report_history_and_indexes])
    db.execute("INSERT INTO sessions VALUES (1, '2026-01-05T09:00:00Z', NULL, 'practice')")
    for n, report in enumerate(reports, 1):
        db.execute("INSERT INTO answers (id, session_id, answer_no, question_text)"
                   " VALUES (?, 1, ?, 'Q')", (n, n))
        numbers = key_numbers(old_report())
        text = report if isinstance(report, str) else json.dumps(report)
        db.execute(
            "INSERT INTO takes (answer_id, take_no, recorded_at_utc, analysis_version,"
            f" schema_version, report_json, {', '.join(numbers)}) VALUES (?, 1,"
            f" '2026-01-05T09:01:00Z', '0.1.0', 1, ?, {', '.join('?' * len(numbers))})",
            (n, text, *numbers.values()))
    db.close()


def test_upgrade_to_m003_fills_the_columns_from_stored_reports(mockview_home):
    """A store from before m003, holding takes with and without content and delivery."""
    reports = [old_report(), behavioral_report(delivery=VOICE), behavioral_report(),
               make_report("I led it.", question=BEHAVIORAL), "not json {"]
    store_before_m003(mockview_home / "mockview.db", reports)

    with Store.open() as store:
        assert "m003_content_and_delivery_columns" in migrations.applied_migrations(store._db)
        rows = store._db.execute(
            f"SELECT {', '.join(FINDING_COLUMNS)} FROM takes ORDER BY id").fetchall()
    found = [dict(zip(FINDING_COLUMNS, row, strict=True)) for row in rows]
    none = dict.fromkeys(FINDING_COLUMNS)
    assert found[0] == none  # an old report: not measured
    assert {k: found[1][k] for k in FINDINGS_OF_STAR_NO_RESULT} == {
        **FINDINGS_OF_STAR_NO_RESULT, "monotone": 1}  # stored as 0/1
    assert found[1] == {**finding_numbers(reports[1]), "monotone": 1}
    assert found[2] == finding_numbers(reports[2]) and found[2]["fades_count"] is None
    assert found[3] == none  # too short to judge
    assert found[4] == none  # unreadable JSON is left as it was


def test_the_m003_backfill_reads_in_batches(mockview_home, monkeypatch):
    monkeypatch.setattr(migrations, "M003_BATCH", 2)
    store_before_m003(mockview_home / "mockview.db", [behavioral_report()] * 5)
    with Store.open() as store:
        assert [t.star_missing for t in store.takes()] == ["result"] * 5


def test_the_m003_backfill_does_not_call_back_into_the_store(mockview_home, monkeypatch):
    import mockview.store

    def changed_later(report):
        raise AssertionError("m003 read a report with the store's live code")

    monkeypatch.setattr(mockview.store, "finding_numbers", changed_later)
    store_before_m003(mockview_home / "mockview.db", [behavioral_report(delivery=VOICE)])
    with Store.open() as store:
        [take] = store.takes()
    assert {k: getattr(take, k) for k in FINDINGS_OF_STAR_NO_RESULT} == \
        FINDINGS_OF_STAR_NO_RESULT


def test_the_migrations_import_nothing_of_the_store():
    """A migration is frozen as its schema version was: it may not call back into the store's
    live code (m003 once imported ``finding_numbers`` from it, an import circle)."""
    import ast

    import mockview.store.migrations

    tree = ast.parse(Path(mockview.store.migrations.__file__).read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for alias in node.names}
    assert {name for name in imported if name and name.startswith("mockview.")} \
        == {"mockview.errors"}


def test_m004_moves_each_report_out_of_its_take_row(mockview_home):
    reports = [behavioral_report(delivery=VOICE), old_report()]
    store_before_m003(mockview_home / "mockview.db", reports)
    with Store.open() as store:
        columns = [r[1] for r in store._db.execute("PRAGMA table_info(takes)")]
        indexes = {r[1] for r in store._db.execute("PRAGMA index_list(takes)")}
        assert [t.report for t in store.takes(with_reports=True)] == reports
        assert store.takes()[0].star_missing == "result"  # m003's numbers came along
        store.delete_session(1)  # the rebuilt table still cascades to what refers to it
        assert store._db.execute("SELECT COUNT(*) FROM take_reports").fetchone()[0] == 0
    assert "report_json" not in columns
    assert {"takes_recorded", "takes_audio_path"} <= indexes
