"""The session store: every practised answer kept in SQLite, its audio kept as FLAC.

One database, ``mockview.db``, in the user's data directory (``MOCKVIEW_HOME`` moves it),
with the recordings beside it in ``recordings/``, referenced from the database by relative
path. The database migrates when opened (``migrations.py``). ``Store`` hands out the plain
dataclasses of ``records.py``; nothing outside this module writes SQL.

A session holds answers (one per question asked, with the question copied in as it was
asked) and each answer holds takes (each recording of it; retries are further takes). A
take keeps its whole report as JSON, the key numbers as columns for fast queries, and its
words.

Nothing is lost in a crash. A take's audio is written (and fsynced) with a small sidecar
``recordings/<uuid>.json`` holding everything needed to rebuild the take, before the take's
row is inserted; the sidecar is removed after the commit. Files are written while holding
the database's write lock, so another process never sees a half-saved take. On open, a
recording with no take row is an orphan: with its sidecar it is re-attached, without one it
is left where it is and reported; both land in ``Store.recovered``.

Nor is a take lost while it is being recorded or analysed. ``begin_recording`` registers it
(``unfinished.py``: a locked note beside its WAV in ``recordings/unsaved/``) and
``keep_recording`` saves it under the recording's own id. A take whose process died is
listed in ``Store.unfinished`` when the store next opens; the store does not run the model,
so ``recovery.py`` analyses and keeps it (``mockview recover``, and the start of practice).

Everything here is the user's alone: the data directory and folders are 0700, files 0600,
and modes found wrong on open are repaired and listed in ``Store.warnings``.

Two processes may write at once: every write is one ``BEGIN IMMEDIATE`` transaction and
waits up to ``BUSY_TIMEOUT_S`` for the other.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import math
import os
import re
import sqlite3
import stat
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mockview.errors import StoreError
from mockview.files import create_private as _create_private
from mockview.files import fsync_dir as _fsync_dir
from mockview.files import make_private, private_dir, why_writing_failed
from mockview.paths import data_dir
from mockview.records import (
    FollowUpLink,
    SessionRecord,
    SessionSummary,
    TakeRecord,
    TakeRow,
)
from mockview.store import unfinished
from mockview.store.migrations import M003_COLUMNS, MIGRATIONS, migrate, unknown_migrations, utc_now
from mockview.words import QuestionInfo, Word

if TYPE_CHECKING:
    from mockview.speech.audio import AudioFile
    from mockview.store.tallies import ReportTallies
    from mockview.store.wordforms import TermRule


DB_NAME = "mockview.db"
RECORDINGS_DIR = "recordings"
UNSAVED_DIR = "unsaved"
#: How long a write waits for another process's write to finish before giving up.
BUSY_TIMEOUT_S = 10.0
SIDECAR_FORMAT = 1
#: Takes whose word forms are made per transaction when they are missing or outdated.
FORMS_BATCH = 500
_SQLITE_HEADER = b"SQLite format 3\x00"
_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_FILE_MODE = 0o600

_TAKE_COLUMNS = """
    t.id, a.session_id, t.answer_id, a.answer_no, t.take_no, t.recorded_at_utc,
    a.question_id, a.question_text, a.question_kind, a.question_category, t.audio_path,
    t.analysis_version, t.duration_s, t.speaking_s, t.word_count, t.words_per_minute,
    t.articulation_wpm, t.fillers_count, t.fillers_per_minute, t.fillers_per_100_words,
    t.long_pause_count, t.pause_ratio, t.length_verdict, t.within_target, t.rambling_flagged,
    t.top_filler, t.star_missing, t.star_missing_count, t.action_share, t.concrete_results,
    t.we_share, t.hedges_count, t.hedges_per_100_words, t.keyword_coverage, t.job_coverage,
    t.opening_verdict, t.ending_verdict, t.pitch_variation_semitones, t.monotone,
    t.uptalk_share, t.fades_count"""

_KEY_COLUMNS = (
    "duration_s", "speaking_s", "word_count", "words_per_minute", "articulation_wpm",
    "fillers_count", "fillers_per_minute", "fillers_per_100_words", "long_pause_count",
    "pause_ratio", "length_verdict", "within_target", "rambling_flagged", "top_filler",
)
#: The key numbers of what the answer says and how it sounded (``finding_numbers``; the
#: columns of migration m003, NULL when not measured).
FINDING_COLUMNS = tuple(name for name, _ in M003_COLUMNS)
_FINDINGS_END = 26 + len(FINDING_COLUMNS)  # where a row of _TAKE_COLUMNS ends
#: TakeRecord's fields in _TAKE_COLUMNS order: all but ``report``.
_TAKE_FIELDS = tuple(f.name for f in dataclasses.fields(TakeRecord) if f.name != "report")
#: The columns of a TakeRow, in its order (the same expressions as for a TakeRecord).
_ROW_COLUMNS = ", ".join(
    dict(zip(_TAKE_FIELDS, (c.strip() for c in _TAKE_COLUMNS.split(",")), strict=True))[name]
    for name in TakeRow._fields)

#: The take that stands for each answer: (answer_id, take_no) of its latest take with
#: speech, or of its latest take when none has speech (``records.representative``).
REPRESENTATIVE_SQL = """
    SELECT answer_id,
           COALESCE(MAX(CASE WHEN word_count > 0 THEN take_no END), MAX(take_no)) AS take_no
    FROM takes GROUP BY answer_id"""

# Per session: every take counts for time, fillers and pace; only the take that stands for
# each answer counts for "within target" and "rambling", since a retry replaces the answer
# (a retry that found no speech does not).
_SUMMARY_SQL = f"""
    SELECT s.id, s.started_at_utc, s.source,
           (SELECT COUNT(*) FROM answers x WHERE x.session_id = s.id),
           COUNT(t.id),
           TOTAL(t.speaking_s),
           TOTAL(t.fillers_per_minute * t.speaking_s),
           AVG(t.words_per_minute),
           TOTAL(t.take_no = r.take_no AND t.within_target IS NOT NULL),
           TOTAL(t.take_no = r.take_no AND t.within_target = 1),
           TOTAL(t.take_no = r.take_no AND t.rambling_flagged = 1)
    FROM chosen s
    LEFT JOIN answers a ON a.session_id = s.id
    LEFT JOIN takes t ON t.answer_id = a.id
    LEFT JOIN ({REPRESENTATIVE_SQL}) r ON r.answer_id = a.id
    GROUP BY s.id
    ORDER BY s.started_at_utc DESC, s.id DESC"""


def default_path() -> Path:
    """Where the store lives: ``<data dir>/mockview.db``."""
    return data_dir() / DB_NAME


def begin_file_recording(audio_path: Path, home: Path | None = None) -> unfinished.Claim:
    """Register a file that ``mockview record`` is about to write, without the database.

    The note goes where practice takes wait (``recordings/unsaved/`` of the data directory,
    or ``home``), so the next ``Store.open`` finds the file if the recording is killed and
    ``mockview recover`` repairs it. ``finish()`` the claim when the recording ends.
    """
    home = home if home is not None else data_dir()
    recordings = home / RECORDINGS_DIR
    for folder, what in ((home, "the mockview data directory"),
                         (recordings, "the recordings folder"),
                         (recordings / UNSAVED_DIR, "the folder for recordings in progress")):
        _private_dir(folder, what)
    return unfinished.start(recordings / UNSAVED_DIR, audio_path=Path(audio_path).resolve(),
                            source="record", started_at_utc=utc_now())


def _log_info(messages: list[str]) -> None:
    """Log each message at INFO on the "mockview" logger.

    ``logging`` is imported only when there is something to log: a store that opens clean
    (nearly always) then spares every command its import.
    """
    if not messages:
        return
    import logging

    logger = logging.getLogger("mockview")
    for message in messages:
        logger.info("%s", message)


def damaged_message(path: Path, reason: str) -> str:
    return (f"{path} is not a mockview database or is damaged ({reason}). Move it aside "
            f"(for example: mv {path} {path}.bak) and mockview starts a new one; "
            "it never overwrites it.")


def _translate_errors(method):
    """Turn SQLite's exceptions into a StoreError that names the file and the fix."""

    @functools.wraps(method)
    def wrapper(self: Store, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.OperationalError as error:
            text = str(error)
            if "locked" in text or "busy" in text:
                raise StoreError(
                    f"{self.path} is busy: another mockview process kept it locked for more "
                    f"than {BUSY_TIMEOUT_S:g} s. Try again when it has finished."
                ) from None
            raise StoreError(
                f"Could not read or write {self.path} ({text}). Check that the disk has free "
                "space and that the file and its folder are yours and writable."
            ) from None
        except sqlite3.DatabaseError as error:
            raise StoreError(damaged_message(self.path, str(error))) from None
        except OSError as error:  # writing a recording: a full disk, a read-only folder
            where = Path(error.filename).parent if error.filename else self.recordings_dir
            raise StoreError(
                f"Could not write to {where} ({error.strerror or error}). Free some space "
                "on that disk, or check that the folder is yours and writable, then try again."
            ) from None

    return wrapper


class Store:
    """The session store. Open it with ``Store.open()``; use it as a context manager."""

    def __init__(self, db: sqlite3.Connection, path: Path):
        """Use ``Store.open``: it validates, migrates and recovers; this only wraps."""
        self._db = db
        self.path = path
        self.recordings_dir = path.parent / RECORDINGS_DIR
        self.unsaved_dir = self.recordings_dir / UNSAVED_DIR
        #: Messages about orphan recordings found on open (re-attached or reported).
        self.recovered: list[str] = []
        #: Takes whose recording or analysis was cut short: for ``recovery.recover``.
        self.unfinished: list[unfinished.Unfinished] = []
        #: Folders and files found readable by others on open, and what was done about it.
        self.warnings: list[str] = []

    # --- opening --------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike | None = None) -> Store:
        """Open (creating if needed) and migrate the store at ``path`` (default: data dir).

        A file that is not a mockview database, a damaged one, or one written by a newer
        mockview raises StoreError and is left untouched: nothing is written to a database
        before it has been validated (only its mode may be made private first). What was
        found on opening is in ``recovered``, ``warnings`` and ``unfinished``.
        """
        path = Path(path) if path is not None else default_path()
        warnings = _private_dir(path.parent, "the mockview data directory")
        is_new = _check_db_file(path)
        if not is_new:
            _check_writable(path)
        # before connecting: SQLite gives the -wal and -shm files the database's mode
        warnings += _private_files(path)
        try:
            db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as error:
            raise StoreError(f"Could not open {path} ({error}). Check that the file and its "
                             "folder are yours and writable.") from None
        try:
            db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            db.execute("PRAGMA foreign_keys = ON")
            _validate(db, path)
            db.execute("PRAGMA journal_mode = WAL")
            # FULL: a committed take survives a power cut, not only a crash of mockview.
            db.execute("PRAGMA synchronous = FULL")
            migrate(db, migrations=MIGRATIONS, where=str(path))
        except sqlite3.OperationalError as error:
            db.close()
            if "locked" in str(error) or "busy" in str(error):
                raise StoreError(
                    f"{path} is busy: another mockview process kept it locked for more "
                    f"than {BUSY_TIMEOUT_S:g} s. Try again when it has finished.") from None
            raise StoreError(f"Could not open {path} ({error}). Check that the disk has free "
                             "space and that the file and its folder are yours and "
                             "writable.") from None
        except sqlite3.DatabaseError as error:
            db.close()
            raise StoreError(damaged_message(path, str(error))) from None
        except BaseException:
            db.close()
            raise
        store = cls(db, path)
        try:
            warnings += _private_files(Path(f"{path}-wal"), Path(f"{path}-shm"))
            warnings += _private_dir(store.recordings_dir, "the recordings folder")
            store.recovered = store._recover()
            store.warnings = warnings + store._private_recordings()
            store.unfinished = store.unfinished_recordings()
        except BaseException:
            store.close()
            raise
        _log_info(store.warnings)  # the CLI shows them; INFO keeps logging quiet
        return store

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- writing --------------------------------------------------------------------------

    @_translate_errors
    def begin_recording(self, answer_id: int,
                        question: QuestionInfo | None = None) -> unfinished.Claim:
        """Register a take of ``answer_id`` about to be recorded; record into its audio_path.

        The take is a private WAV in ``recordings/unsaved/`` with a note of what it answers
        (``question`` as asked, for its analysis), locked while this process lives
        (``unfinished.py``), so nothing is lost if the process dies before
        ``keep_recording``: the next ``Store.open`` lists it in ``unfinished``. Raises
        StoreError before anything is recorded when the folder cannot be written.
        """
        session, answer = self._take_context(answer_id)
        _private_dir(self.unsaved_dir, "the folder for recordings in progress")
        note = None if question is None else dataclasses.asdict(question)
        return unfinished.start(self.unsaved_dir, started_at_utc=utc_now(), session=session,
                                answer=answer, question=note)

    @_translate_errors
    def keep_recording(self, recording: unfinished.Claim, report: dict) -> int:
        """Save a take from ``begin_recording`` (live or recovered) with its report.

        The take joins the answer it was recorded for (a new session and answer stand in
        for ones deleted meanwhile) and is timed from the start of its recording. Its FLAC
        is named after the recording, ``recordings/<id>.flac``, so a crash at any moment
        leaves either the unfinished recording or the saved take, never both counted:
        ``unfinished_recordings`` drops a recording whose FLAC is in a take. The WAV and
        its note are removed once the take is committed. Returns the take id.
        """
        note = recording.recording
        numbers = key_numbers(report)
        audio = _decode(note.audio_path)
        with self._saving(audio, stem=note.id) as saving:
            session_id = self._matching_session(note.session)
            answer_id = self._matching_answer(session_id, note.answer)
            session, answer = self._take_context(answer_id)
            saving.files(session, answer, note.started_at_utc, report)
            take_id = self._insert_take(answer_id, saving.relative, report, numbers,
                                        note.started_at_utc)
        recording.finish()
        return take_id

    @_translate_errors
    def unfinished_recordings(self) -> list[unfinished.Unfinished]:
        """Takes whose mockview process stopped before they were saved, oldest first.

        Live recordings of other processes are not listed. A recording whose take was
        committed just before the process died is not unfinished: its leftover WAV and
        note are removed here, quietly.
        """
        pending = []
        for recording in unfinished.find(self.unsaved_dir):
            if recording.problem is None and self._saved(recording.id):
                claimed = unfinished.claim(recording)
                if claimed is not None:
                    claimed.finish()
            else:
                pending.append(recording)
        return pending


    @_translate_errors
    def start_session(self, source: str = "practice", *,
                      started_at_utc: str | None = None) -> int:
        """A new, empty session; returns its id. ``source`` is "practice" or "analyze"."""
        started = _utc(started_at_utc, "started_at_utc")
        with self._write():
            return self._insert_session(started, source)

    @_translate_errors
    def finish_session(self, session_id: int, *, finished_at_utc: str | None = None) -> None:
        """Record when a session ended (the practice loop calls it when the user stops)."""
        finished = _utc(finished_at_utc, "finished_at_utc")
        with self._write():
            self._session_row(session_id)
            self._db.execute("UPDATE sessions SET finished_at_utc = ? WHERE id = ?",
                             (finished, session_id))

    @_translate_errors
    def add_answer(self, session_id: int, question: QuestionInfo | None, *,
                   category: str | None = None) -> int:
        """A new answer at the next position of the session; returns its id.

        The question is copied in as asked (text, kind, id, category, length target), so a
        later edit of the bank never rewrites history.
        """
        with self._write():
            self._session_row(session_id)
            return self._insert_answer(session_id, _snapshot(question, category))

    @_translate_errors
    def add_follow_up(self, parent_take_id: int, question: QuestionInfo, follow_up: dict, *,
                      category: str | None = None) -> int:
        """A follow-up answer at the next position of the parent's session, linked to the
        take that earned it; returns its id. ``follow_up`` is the candidate asked
        (``followups.follow_ups``: its ``id``, ``reason`` and ``evidence``)."""
        with self._write():
            row = self._db.execute("SELECT a.session_id FROM takes t JOIN answers a"
                                   " ON a.id = t.answer_id WHERE t.id = ?",
                                   (parent_take_id,)).fetchone()
            if row is None:
                raise StoreError(f"No take with id {parent_take_id} to follow up.")
            answer_id = self._insert_answer(row[0], _snapshot(question, category))
            self._db.execute(
                "INSERT INTO follow_ups (answer_id, parent_take_id, reason_id, reason, evidence)"
                " VALUES (?, ?, ?, ?, ?)",
                (answer_id, parent_take_id, follow_up["id"], follow_up["reason"],
                 follow_up.get("evidence")))
        return answer_id

    @_translate_errors
    def follow_up_links(self, session_id: int) -> dict[int, FollowUpLink]:
        """The follow-up answers of a session, by answer id, each with what it follows."""
        rows = self._db.execute(
            "SELECT f.answer_id, p.id, p.answer_no, t.take_no, f.reason_id, f.reason,"
            " f.evidence FROM follow_ups f JOIN answers a ON a.id = f.answer_id"
            " JOIN takes t ON t.id = f.parent_take_id JOIN answers p ON p.id = t.answer_id"
            " WHERE a.session_id = ?", (session_id,))
        return {row[0]: FollowUpLink(*row) for row in rows}

    @_translate_errors
    def follow_up_counts(self) -> dict[int, int]:
        """How many follow-up answers each session holds (sessions with none are left out)."""
        return dict(self._db.execute(
            "SELECT a.session_id, COUNT(*) FROM follow_ups f JOIN answers a"
            " ON a.id = f.answer_id GROUP BY a.session_id"))

    @_translate_errors
    def add_take(self, answer_id: int, audio_file: str | os.PathLike | None, report: dict, *,
                 recorded_at_utc: str | None = None, copy_audio: bool = True) -> int:
        """Store one take of an answer: its audio (as FLAC) and its report; returns its id.

        ``audio_file`` may be any format mockview reads; it is decoded and kept as 16 kHz
        mono 16-bit FLAC. With ``copy_audio=False`` the store takes the file over: the
        original is removed once the take is saved (for recordings the practice loop made).
        ``None`` stores the report without audio.
        """
        numbers = key_numbers(report)
        recorded = _utc(recorded_at_utc, "recorded_at_utc")
        audio = _decode(audio_file) if audio_file is not None else None
        with self._saving(audio) as saving:
            session, answer = self._take_context(answer_id)
            saving.files(session, answer, recorded, report)
            take_id = self._insert_take(answer_id, saving.relative, report, numbers, recorded)
        if audio_file is not None and not copy_audio:
            Path(audio_file).unlink(missing_ok=True)
        return take_id

    @_translate_errors
    def save_analysis(self, audio_file: str | os.PathLike | None, report: dict, *,
                      question: QuestionInfo | None = None,
                      category: str | None = None) -> int:
        """Store one analysed recording as a one-answer session (source "analyze").

        Session, answer and take are created in one transaction; returns the session id.
        ``question`` defaults to the report's own question.
        """
        numbers = key_numbers(report)
        if question is None:
            question = _question_from_report(report)
        snapshot = _snapshot(question, category)
        now = utc_now()
        audio = _decode(audio_file) if audio_file is not None else None
        with self._saving(audio) as saving:
            session_id = self._insert_session(now, "analyze", finished_at_utc=now)
            answer_id = self._insert_answer(session_id, snapshot)
            saving.files({"id": session_id, "started_at_utc": now, "source": "analyze"},
                         {"id": answer_id, "answer_no": 1, "question": snapshot}, now, report)
            self._insert_take(answer_id, saving.relative, report, numbers, now)
        return session_id

    @_translate_errors
    def replace_report(self, take_id: int, report: dict) -> None:
        """Put a new report on a take (``reanalyze``); the old one goes to report_history."""
        numbers = {**key_numbers(report), **finding_numbers(report)}
        columns = _KEY_COLUMNS + FINDING_COLUMNS
        with self._write():
            old = self._db.execute("SELECT t.analysis_version, r.report_json FROM takes t"
                                   " JOIN take_reports r ON r.take_id = t.id WHERE t.id = ?",
                                   (take_id,)).fetchone()
            if old is None:
                raise StoreError(f"No take with id {take_id}.")
            self._db.execute(
                "INSERT INTO report_history (take_id, analysis_version, report_json,"
                " replaced_at_utc) VALUES (?, ?, ?, ?)", (take_id, old[0], old[1], utc_now()))
            assignments = ", ".join(f"{c} = ?" for c in columns)
            self._db.execute(
                f"UPDATE takes SET model = ?, analysis_version = ?, schema_version = ?,"
                f" {assignments} WHERE id = ?",
                (*_report_meta(report), *(numbers[c] for c in columns), take_id))
            self._db.execute("UPDATE take_reports SET report_json = ? WHERE take_id = ?",
                             (_report_json(report), take_id))
            self._count_report(take_id)
            self._db.execute("DELETE FROM words WHERE take_id = ?", (take_id,))
            self._db.execute("DELETE FROM take_forms WHERE take_id = ?", (take_id,))
            self._insert_words(take_id, report)

    @_translate_errors
    def delete_session(self, session_id: int) -> list[Path]:
        """Delete a session with its answers, takes and audio; return the files removed.

        The rows and the files go together: the files are removed inside the transaction,
        and a file that cannot be removed rolls the deletion back.
        """
        removed: list[Path] = []
        with self._write():
            self._session_row(session_id)
            paths = [r[0] for r in self._db.execute(
                "SELECT t.audio_path FROM takes t JOIN answers a ON a.id = t.answer_id"
                " WHERE a.session_id = ? AND t.audio_path IS NOT NULL", (session_id,))]
            self._db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            for relative in paths:
                path = self._absolute(relative)
                try:
                    path.unlink()
                except FileNotFoundError:
                    continue
                except OSError as error:
                    raise StoreError(f"Could not delete {path} ({error.strerror}); session "
                                     f"{session_id} was kept. Check the file's permissions "
                                     "and try again.") from None
                removed.append(path)
        return removed

    # --- reading --------------------------------------------------------------------------

    @_translate_errors
    def sessions(self, *, limit: int | None = None) -> list[SessionSummary]:
        """Summaries of the sessions, newest first (at most ``limit``)."""
        chosen = ("SELECT id, started_at_utc, source FROM sessions"
                  " ORDER BY started_at_utc DESC, id DESC")
        params: tuple = ()
        if limit is not None:
            chosen += " LIMIT ?"
            params = (max(0, int(limit)),)
        rows = self._db.execute(f"WITH chosen AS ({chosen}) {_SUMMARY_SQL}", params)
        return [_summary(row) for row in rows]

    @_translate_errors
    def recent_session_id(self, back: int = 1) -> int:
        """The id of the latest session with a recorded take (``back`` 1), or of the one
        ``back`` - 1 before it, in ``sessions()`` order; sessions with no take are skipped.
        """
        if back < 1:
            raise ValueError(f"back counts from 1, not {back}")
        ids = [r[0] for r in self._db.execute(
            "SELECT s.id FROM sessions s WHERE EXISTS (SELECT 1 FROM answers a JOIN takes t"
            " ON t.answer_id = a.id WHERE a.session_id = s.id)"
            " ORDER BY s.started_at_utc DESC, s.id DESC LIMIT ?", (back,))]
        if len(ids) == back:
            return ids[-1]
        if not ids:
            raise StoreError("No recorded answers yet. Start a session with: mockview "
                             "practice (or keep a recording with: mockview analyze FILE "
                             "--save)")
        raise StoreError(f"Only {_count(len(ids), 'session')} with recorded answers, so -{back}"
                         " names none. List them with: mockview history")

    @_translate_errors
    def session(self, session_id: int) -> SessionRecord:
        """One session with every take of every answer, reports loaded."""
        row = self._db.execute(
            "WITH chosen AS (SELECT id, started_at_utc, source FROM sessions WHERE id = ?)"
            f" {_SUMMARY_SQL}", (session_id,)).fetchone()
        if row is None:
            raise _no_session(session_id)
        takes = self._db.execute(
            f"SELECT {_TAKE_COLUMNS}, r.report_json FROM takes t"
            " JOIN answers a ON a.id = t.answer_id JOIN take_reports r ON r.take_id = t.id"
            " WHERE a.session_id = ?"
            " ORDER BY a.answer_no, t.take_no", (session_id,))
        return SessionRecord(summary=_summary(row),
                             takes=tuple(self._take(r, with_report=True) for r in takes),
                             follow_ups=self.follow_up_links(session_id))

    @_translate_errors
    def take(self, session_id: int, answer_no: int, take_no: int | None = None) -> TakeRecord:
        """One take with its report; when ``take_no`` is None, the take that stands for the
        answer (its latest with speech: ``records.representative``)."""
        self._session_row(session_id)
        answers = self._db.execute("SELECT COUNT(*) FROM answers WHERE session_id = ?",
                                   (session_id,)).fetchone()[0]
        answer = self._db.execute("SELECT id FROM answers WHERE session_id = ? AND answer_no = ?",
                                  (session_id, answer_no)).fetchone()
        if answer is None:
            raise StoreError(f"Session {session_id} has no answer {answer_no} (it has "
                             f"{_count(answers, 'answer')}). See them with: "
                             f"mockview show {session_id}")
        if take_no is None:
            take_no = self._db.execute(
                f"SELECT take_no FROM ({REPRESENTATIVE_SQL}) WHERE answer_id = ?",
                (answer[0],)).fetchone()
            take_no = take_no[0] if take_no else None
        row = self._db.execute(
            f"SELECT {_TAKE_COLUMNS}, r.report_json FROM takes t"
            " JOIN answers a ON a.id = t.answer_id JOIN take_reports r ON r.take_id = t.id"
            " WHERE t.answer_id = ? AND t.take_no = ?", (answer[0], take_no)).fetchone()
        if row is None:
            count = self._db.execute("SELECT COUNT(*) FROM takes WHERE answer_id = ?",
                                     (answer[0],)).fetchone()[0]
            wanted = f"take {take_no}" if take_no is not None else "takes"
            raise StoreError(f"Answer {answer_no} of session {session_id} has no {wanted} "
                             f"(it has {_count(count, 'take')}). See them with: "
                             f"mockview show {session_id}")
        return self._take(row, with_report=True)

    @_translate_errors
    def last_take_no(self, session_id: int, answer_no: int) -> int:
        """The number of the latest take of answer ``answer_no`` of session ``session_id``
        (0: no such answer, or no take)."""
        return self._db.execute(
            "SELECT COALESCE(MAX(t.take_no), 0) FROM takes t JOIN answers a ON a.id = t.answer_id"
            " WHERE a.session_id = ? AND a.answer_no = ?", (session_id, answer_no)).fetchone()[0]

    @_translate_errors
    def takes(self, *, question_id: str | None = None, category: str | None = None,
              since_utc: str | None = None, with_reports: bool = False) -> list[TakeRecord]:
        """Every take matching the filters, oldest first.

        ``since_utc`` is compared as text with ``recorded_at_utc``, so any ISO 8601 prefix
        works: "2026-03-01" means from the start of that day (UTC).
        """
        where, params = _take_filters(question_id, category, since_utc)
        report = (", r.report_json", " JOIN take_reports r ON r.take_id = t.id") \
            if with_reports else ("", "")
        sql = (f"SELECT {_TAKE_COLUMNS}{report[0]} FROM takes t JOIN answers a"
               f" ON a.id = t.answer_id{report[1]}{where} ORDER BY t.recorded_at_utc, t.id")
        return [self._take(row, with_report=with_reports)
                for row in self._db.execute(sql, params)]

    @_translate_errors
    def take_rows(self, *, question_id: str | None = None, category: str | None = None,
                  since_utc: str | None = None) -> list[TakeRow]:
        """Every take matching the filters (as ``takes``), oldest first, as the ``TakeRow``
        progress reads: for 5,000 takes, about 0.6 of the time of ``takes``."""
        where, params = _take_filters(question_id, category, since_utc)
        sql = (f"SELECT {_ROW_COLUMNS} FROM takes t JOIN answers a ON a.id = t.answer_id"
               f"{where} ORDER BY t.recorded_at_utc, t.id")
        return list(map(TakeRow._make, self._db.execute(sql, params)))

    @_translate_errors
    def report_tallies(self, *, question_id: str | None = None, category: str | None = None,
                       since_utc: str | None = None) -> ReportTallies:
        """Long pauses by position and hedges said, counted over the reports of the takes
        matching the filters (as ``takes``) without loading them (``tallies.py``)."""
        from mockview.store import tallies

        where, params = _take_filters(question_id, category, since_utc)
        stale = tallies.uncounted(self._db, where, params)
        if stale:  # saved before the counts were kept, or counted by other rules
            with self._write():
                tallies.count_takes(self._db, stale)
        return tallies.report_tallies(self._db, where, params)

    @_translate_errors
    def transcripts(self, *, question_id: str | None = None, category: str | None = None,
                    since_utc: str | None = None) -> list[tuple[TakeRecord, list[Word]]]:
        """Every take matching the filters (as ``takes``), oldest first, with its words.

        The words come from the words table, not the report: reading every report of a
        long history would take seconds.
        """
        takes = self.takes(question_id=question_id, category=category, since_utc=since_utc)
        words: dict[int, list[Word]] = {t.take_id: [] for t in takes}
        where, params = _take_filters(question_id, category, since_utc)
        rows = self._db.execute(
            "SELECT w.take_id, w.text, w.start_s, w.end_s, w.probability FROM words w"
            " JOIN takes t ON t.id = w.take_id JOIN answers a ON a.id = t.answer_id"
            f"{where} ORDER BY w.take_id, w.position", params)
        for take_id, text, start_s, end_s, probability in rows:
            kept = words.get(take_id)
            if kept is not None:  # a take saved between the two reads is left for next time
                kept.append(Word(text, start_s, end_s,
                                 1.0 if probability is None else probability))
        return [(t, words[t.take_id]) for t in takes]

    @_translate_errors
    def takes_saying(self, rules: Sequence[TermRule]) -> list[set[int]]:
        """For each job term rule (``wordforms.term_rules``), the ids of the takes that say it.

        Read from the takes' word forms: those saved before the forms were kept, or made by
        another analysis version, get theirs first (from their words, once).
        """
        self._refresh_forms()
        said = []
        spellings: list[tuple[int, str, str]] | None = None  # (take, words, joined)
        for rule in rules:
            found = self._takes_with_lemmas(rule.lemmas)
            if rule.short_word is not None:
                found |= {r[0] for r in self._db.execute(
                    "SELECT take_id FROM take_form_words WHERE word = ?"
                    " AND (mid_sentence OR NOT ?)", (rule.short_word, rule.mid_sentence_only))}
            elif rule.spelling:
                if spellings is None:
                    spellings = [(take_id, text, text.replace(" ", "")) for take_id, text
                                 in self._db.execute("SELECT take_id, spellings FROM take_forms")]
                # a take can spell the name only where its words, joined, hold it
                found |= {take_id for take_id, text, joined in spellings
                          if take_id not in found and rule.spelling in joined
                          and rule.spelled_in(text.split(" "))}
            said.append(found)
        return said

    @_translate_errors
    def report_history(self, take_id: int) -> list[dict]:
        """The earlier reports of a take, oldest first: analysis_version, replaced_at_utc,
        report."""
        rows = self._db.execute("SELECT analysis_version, replaced_at_utc, report_json"
                                " FROM report_history WHERE take_id = ? ORDER BY id",
                                (take_id,))
        return [{"analysis_version": r[0], "replaced_at_utc": r[1], "report": json.loads(r[2])}
                for r in rows]

    @_translate_errors
    def take_position(self, take_id: int) -> tuple[int, int, int]:
        """(session id, answer number, take number) of the take ``take_id``."""
        row = self._db.execute(
            "SELECT a.session_id, a.answer_no, t.take_no FROM takes t"
            " JOIN answers a ON a.id = t.answer_id WHERE t.id = ?", (take_id,)).fetchone()
        if row is None:
            raise StoreError(f"No take with id {take_id}.")
        return tuple(row)

    @_translate_errors
    def recording_paths(self) -> list[str]:
        """Every stored take's audio file, relative to the data directory, sorted."""
        return [r[0] for r in self._db.execute(
            "SELECT DISTINCT audio_path FROM takes WHERE audio_path IS NOT NULL"
            " ORDER BY audio_path")]

    def has_pending_recordings(self) -> bool:
        """True while any take is being recorded, or is unfinished, in ``unsaved/``."""
        return bool(self._pending_ids())

    # --- backups --------------------------------------------------------------------------

    @_translate_errors
    def backup_to(self, destination: Path) -> None:
        """Copy the database to ``destination`` (a new private file) as of one moment.

        SQLite's backup API copies page by page and starts again when another process
        writes meanwhile, so the copy is one committed state even while others practise.
        """
        if not _create_private(destination):
            raise StoreError(f"{destination} already exists; the backup copy is never "
                             "written over a file.")
        copy = sqlite3.connect(destination)
        try:
            self._db.backup(copy)
        finally:
            copy.close()

    # --- internals ------------------------------------------------------------------------

    @contextlib.contextmanager
    def _write(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    @contextlib.contextmanager
    def _saving(self, audio, *, stem: str | None = None) -> Iterator[_Saving]:
        """One write transaction that may put a recording and its sidecar on disk.

        On a failure inside the process the files are removed again (the caller still has
        the original audio); only a crash leaves them, for the next open to re-attach.
        ``stem`` names the files (default: a new id).
        """
        saving = _Saving(self, audio, stem=stem)
        try:
            with self._write():
                yield saving
        except BaseException:
            saving.discard()
            raise
        saving.committed()

    def _take_context(self, answer_id: int) -> tuple[dict, dict]:
        """(session, answer) of ``answer_id`` as a take's sidecar records them."""
        row = self._db.execute(
            "SELECT a.session_id, s.started_at_utc, s.source, a.answer_no, a.question_id,"
            " a.question_text, a.question_kind, a.question_category, a.target_min_s,"
            " a.target_max_s FROM answers a JOIN sessions s ON s.id = a.session_id"
            " WHERE a.id = ?", (answer_id,)).fetchone()
        if row is None:
            raise StoreError(f"No answer with id {answer_id}. Add it first with "
                             "Store.add_answer.")
        session = {"id": row[0], "started_at_utc": row[1], "source": row[2]}
        answer = {"id": answer_id, "answer_no": row[3], "question": _snapshot_dict(row[4:10])}
        return session, answer

    def _saved(self, recording_id: str) -> bool:
        """True when the recording ``recording_id`` is already a take (its FLAC is named so)."""
        return self._db.execute("SELECT 1 FROM takes WHERE audio_path = ?",
                                (f"{RECORDINGS_DIR}/{recording_id}.flac",)).fetchone() is not None

    def _pending_ids(self) -> set[str]:
        """Ids of recordings still in ``unsaved/`` (live or unfinished).

        Their FLAC may be half written, or written without its sidecar: that is not an
        orphan to report, since the unfinished recording still holds everything and
        ``keep_recording`` writes the FLAC again.
        """
        try:
            names = os.listdir(self.unsaved_dir)
        except (FileNotFoundError, NotADirectoryError):
            return set()
        return {n[:-5] for n in names if n.endswith(".json") and not n.startswith(".")}

    def _private_recordings(self) -> list[str]:
        """Make every recording and note private; warnings for those that were not."""
        warnings = _private_files(self.unsaved_dir)
        for folder in (self.recordings_dir, self.unsaved_dir):
            try:
                entries = list(os.scandir(folder))
            except (FileNotFoundError, NotADirectoryError):
                continue
            warnings += _private_files(*(Path(e.path) for e in entries
                                         if e.is_file(follow_symlinks=False)))
        return warnings

    def _session_row(self, session_id: int) -> tuple:
        row = self._db.execute("SELECT id, started_at_utc, source FROM sessions WHERE id = ?",
                               (session_id,)).fetchone()
        if row is None:
            raise _no_session(session_id)
        return row

    def _insert_session(self, started_at_utc: str, source: str, *,
                        finished_at_utc: str | None = None) -> int:
        if not source or not isinstance(source, str):
            raise StoreError(f"A session needs a source such as 'practice', not {source!r}.")
        return self._db.execute(
            "INSERT INTO sessions (started_at_utc, finished_at_utc, source) VALUES (?, ?, ?)",
            (started_at_utc, finished_at_utc, source)).lastrowid

    def _insert_answer(self, session_id: int, snapshot: dict) -> int:
        answer_no = self._db.execute(
            "SELECT COALESCE(MAX(answer_no), 0) + 1 FROM answers WHERE session_id = ?",
            (session_id,)).fetchone()[0]
        return self._db.execute(
            "INSERT INTO answers (session_id, answer_no, question_id, question_text,"
            " question_kind, question_category, target_min_s, target_max_s)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (session_id, answer_no, snapshot["id"], snapshot["text"], snapshot["kind"],
             snapshot["category"], *(snapshot["target_s"] or (None, None)))).lastrowid

    def _insert_take(self, answer_id: int, audio_path: str | None, report: dict,
                     numbers: dict, recorded_at_utc: str) -> int:
        take_no = self._db.execute(
            "SELECT COALESCE(MAX(take_no), 0) + 1 FROM takes WHERE answer_id = ?",
            (answer_id,)).fetchone()[0]
        numbers = {**finding_numbers(report), **numbers}
        columns = ("answer_id", "take_no", "recorded_at_utc", "audio_path", "model",
                   "analysis_version", "schema_version", *_KEY_COLUMNS,
                   *FINDING_COLUMNS)
        values = (answer_id, take_no, recorded_at_utc, audio_path, *_report_meta(report),
                  *(numbers[c] for c in _KEY_COLUMNS + FINDING_COLUMNS))
        take_id = self._db.execute(
            f"INSERT INTO takes ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            values).lastrowid
        self._db.execute("INSERT INTO take_reports (take_id, report_json) VALUES (?, ?)",
                         (take_id, _report_json(report)))
        self._count_report(take_id)
        self._insert_words(take_id, report)
        return take_id

    def _count_report(self, take_id: int) -> None:
        """What progress reads from the take's report, counted once (``tallies.py``)."""
        from mockview.store.tallies import count_takes

        count_takes(self._db, [take_id])

    def _insert_words(self, take_id: int, report: dict) -> None:
        """The take's words, and their forms for ``takes_saying``."""
        words = report.get("transcript", {}).get("words") or []
        self._db.executemany(
            "INSERT INTO words (take_id, position, text, start_s, end_s, probability)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(take_id, i, w["text"], w["start_s"], w["end_s"], w.get("probability"))
             for i, w in enumerate(words, 1)])
        self._insert_forms({take_id: [Word(w["text"], w["start_s"], w["end_s"])
                                      for w in words]})

    def _insert_forms(self, words_of: dict[int, list[Word]]) -> None:
        """Word forms (``wordforms.py``) of takes without any, from their words."""
        from mockview.store.wordforms import FORMS_VERSION, word_forms

        forms = {take_id: word_forms(words) for take_id, words in words_of.items()}
        self._db.executemany(
            "INSERT INTO take_forms (take_id, forms_version, spellings) VALUES (?, ?, ?)",
            [(take_id, FORMS_VERSION, " ".join(f.spellings)) for take_id, f in forms.items()])
        self._db.executemany(
            "INSERT INTO take_form_lemmas (lemma, take_id, unit) VALUES (?, ?, ?)",
            [(lemma, take_id, unit) for take_id, f in forms.items()
             for unit, lemmas in enumerate(f.lemmas) for lemma in lemmas])
        self._db.executemany(
            "INSERT INTO take_form_words (word, take_id, mid_sentence) VALUES (?, ?, ?)",
            [(word, take_id, mid) for take_id, f in forms.items() for word, mid in f.short_words])

    def _takes_with_lemmas(self, lemmas: Sequence[str]) -> set[int]:
        """Takes where one sentence unit holds every lemma of ``lemmas`` (none for ())."""
        if len(lemmas) == 1:
            sql = "SELECT take_id FROM take_form_lemmas WHERE lemma = ?"
        else:
            sql = ("SELECT take_id FROM take_form_lemmas"
                   f" WHERE lemma IN ({', '.join('?' * len(lemmas))})"
                   f" GROUP BY take_id, unit HAVING COUNT(*) = {len(lemmas)}")
        return {r[0] for r in self._db.execute(sql, lemmas)} if lemmas else set()

    def _refresh_forms(self) -> None:
        """Make the word forms of takes that have none of this analysis version, from their
        words, ``FORMS_BATCH`` takes per transaction (another process may write between)."""
        from mockview.store.wordforms import FORMS_VERSION

        stale = [r[0] for r in self._db.execute(
            "SELECT t.id FROM takes t LEFT JOIN take_forms f ON f.take_id = t.id"
            " WHERE f.forms_version IS NOT ? ORDER BY t.id", (FORMS_VERSION,))]
        for first in range(0, len(stale), FORMS_BATCH):
            batch = stale[first : first + FORMS_BATCH]
            marks = ", ".join("?" * len(batch))
            with self._write():
                self._db.execute(f"DELETE FROM take_forms WHERE take_id IN ({marks})", batch)
                words_of: dict[int, list[Word]] = {r[0]: [] for r in self._db.execute(
                    f"SELECT id FROM takes WHERE id IN ({marks})", batch)}
                for take_id, text, start_s, end_s in self._db.execute(
                        "SELECT take_id, text, start_s, end_s FROM words"
                        f" WHERE take_id IN ({marks}) ORDER BY take_id, position", batch):
                    words_of[take_id].append(Word(text, start_s, end_s))
                self._insert_forms(words_of)

    def _absolute(self, relative: str | None) -> Path | None:
        return None if relative is None else self.path.parent / relative

    def _take(self, row: tuple, *, with_report: bool) -> TakeRecord:
        # Filled in directly rather than through TakeRecord(...): a frozen dataclass's
        # __init__ sets each of its 50 fields with object.__setattr__, which was two thirds
        # of the time progress took to read 5,000 takes. The row is in _TAKE_FIELDS order
        # (a test holds _TAKE_COLUMNS to TakeRecord's fields, so none is left unset).
        record = object.__new__(TakeRecord)
        values = record.__dict__  # filled in place: no dict to build and copy per take
        # not strict: a row with the report has one more column, read below; no slice
        # of each row to leave it out
        values.update(zip(_TAKE_FIELDS, row, strict=False))
        if values["audio_path"] is not None:
            values["audio_path"] = self.path.parent / values["audio_path"]
        values["rambling_flagged"] = bool(values["rambling_flagged"])
        if values["within_target"] is not None:  # NULL: not judged
            values["within_target"] = bool(values["within_target"])
        if values["monotone"] is not None:
            values["monotone"] = bool(values["monotone"])
        values["report"] = json.loads(row[_FINDINGS_END]) if with_report else None
        return record

    # --- recovery -------------------------------------------------------------------------

    @_translate_errors
    def _recover(self) -> list[str]:
        """Re-attach or report recordings that have no take row (left by a crash)."""
        if not self._orphan_candidates():
            return []
        # Look again holding the write lock: a writer holds it from its first file write to
        # its commit, so what is still unreferenced now was left by a process that died.
        messages: list[str] = []
        with self._write():
            candidates = self._orphan_candidates()
            flacs, sidecars, partial = candidates or (set(), set(), set())
            for stem in sorted(sidecars):
                messages.append(self._reattach(stem, has_audio=stem in flacs))
            # a FLAC of a recording still in unsaved/ is that recording's to finish
            for stem in sorted(flacs - sidecars - self._pending_ids()):
                path = self.recordings_dir / f"{stem}.flac"
                messages.append(f"{path} is not in the store: mockview stopped before saving "
                                "it and left no record of what it was. It was kept: play it, "
                                "and delete it if you do not need it.")
            for name in sorted(partial):
                path = self.recordings_dir / name
                messages.append(f"{path} is an incomplete file left when mockview stopped "
                                "while writing it. It was kept; delete it if you do not "
                                "need it.")
        _log_info(messages)  # the CLI shows them; INFO keeps logging's last resort quiet
        return messages

    def _orphan_candidates(self) -> tuple[set[str], set[str], set[str]]:
        """(flac stems with no take, sidecar stems with no take, partial files) or ()."""
        try:
            names = os.listdir(self.recordings_dir)
        except FileNotFoundError:
            return ()
        flacs = {n[:-5] for n in names if n.endswith(".flac") and not n.startswith(".")}
        sidecars = {n[:-5] for n in names if n.endswith(".json") and not n.startswith(".")}
        partial = {n for n in names if n.endswith(".tmp")}
        if not (flacs or sidecars or partial):
            return ()
        pending = self._pending_ids()
        partial = {n for n in partial if n.split(".", 1)[0] not in pending}
        known = {Path(r[0]).name[:-5] for r in self._db.execute(
            "SELECT audio_path FROM takes WHERE audio_path IS NOT NULL")}
        for stem in sidecars & known:  # the take was committed; its sidecar was not removed
            (self.recordings_dir / f"{stem}.json").unlink(missing_ok=True)
        flacs, sidecars = flacs - known, sidecars - known
        if not (flacs or sidecars or partial):
            return ()
        return flacs, sidecars, partial

    def _reattach(self, stem: str, *, has_audio: bool) -> str:
        sidecar_path = self.recordings_dir / f"{stem}.json"
        audio_path = self.recordings_dir / f"{stem}.flac"
        try:
            sidecar = json.loads(sidecar_path.read_text(encoding="utf-8"))
            session, answer = sidecar["session"], sidecar["answer"]
            report, recorded = sidecar["report"], sidecar["take"]["recorded_at_utc"]
            numbers = key_numbers(report)
        except (OSError, ValueError, KeyError, TypeError, StoreError) as error:
            what = f"{audio_path} and {sidecar_path} are" if has_audio else f"{sidecar_path} is"
            return (f"{what} not in the store: mockview stopped before saving them, and the "
                    f"record left to restore them cannot be read ({error}). They were kept; "
                    "delete them if you do not need them.")
        what = f"{audio_path} and {sidecar_path} are" if has_audio else f"{sidecar_path} is"
        self._db.execute("SAVEPOINT reattach")
        try:
            session_id = self._matching_session(session)
            answer_id = self._matching_answer(session_id, answer)
            relative = f"{RECORDINGS_DIR}/{stem}.flac" if has_audio else None
            take_id = self._insert_take(answer_id, relative, report, numbers, recorded)
        except (sqlite3.IntegrityError, KeyError, TypeError, ValueError, StoreError) as error:
            self._db.execute("ROLLBACK TO reattach")
            self._db.execute("RELEASE reattach")
            return (f"{what} not in the store: mockview stopped before saving them, and "
                    f"restoring them failed ({error}). They were kept; delete them if you do "
                    "not need them.")
        self._db.execute("RELEASE reattach")
        answer_no, take_no = self._db.execute(
            "SELECT a.answer_no, t.take_no FROM takes t JOIN answers a ON a.id = t.answer_id"
            " WHERE t.id = ?", (take_id,)).fetchone()
        sidecar_path.unlink(missing_ok=True)
        audio = f"{audio_path}" if has_audio else f"a recording whose audio is missing ({stem})"
        return (f"Recovered {audio}, recorded {recorded} but not saved when mockview "
                f"stopped: it is now session {session_id}, answer {answer_no}, take {take_no}.")

    def _matching_session(self, session: dict) -> int:
        row = self._db.execute("SELECT started_at_utc, source FROM sessions WHERE id = ?",
                               (session.get("id"),)).fetchone()
        if row is not None and list(row) == [session["started_at_utc"], session["source"]]:
            return session["id"]
        return self._insert_session(session["started_at_utc"], session["source"],
                                    finished_at_utc=session["started_at_utc"])

    def _matching_answer(self, session_id: int, answer: dict) -> int:
        question = answer.get("question") or _snapshot(None, None)
        row = self._db.execute(
            "SELECT id FROM answers WHERE session_id = ? AND answer_no = ?"
            " AND question_id IS ? AND question_text IS ?",
            (session_id, answer.get("answer_no"), question["id"], question["text"])).fetchone()
        if row is not None:
            return row[0]
        return self._insert_answer(session_id, question)


class _Saving:
    """The files of one take being saved: FLAC and sidecar, written inside the transaction."""

    def __init__(self, store: Store, audio, *, stem: str | None = None):
        self.store = store
        self.audio = audio
        stem = stem or uuid.uuid4().hex
        self.relative = f"{RECORDINGS_DIR}/{stem}.flac" if audio is not None else None
        self.flac = store.recordings_dir / f"{stem}.flac"
        self.sidecar = store.recordings_dir / f"{stem}.json"
        self.written: list[Path] = []

    def files(self, session: dict, answer: dict, recorded_at_utc: str, report: dict) -> None:
        """Write the audio and its sidecar (both fsynced) before the take row goes in."""
        if self.audio is None:
            return  # nothing on disk to orphan: the row alone is atomic
        _private_dir(self.store.recordings_dir, "the recordings folder")
        self.written.append(self.flac)
        try:
            _write_flac(self.flac, self.audio)
        except RuntimeError as error:  # libsndfile's "System error." for a full disk
            raise StoreError(f"Could not write to {self.flac.parent} "
                             f"({why_writing_failed(self.flac, error)}). Free some space on "
                             "that disk, then try again.") from None
        sidecar = {"format": SIDECAR_FORMAT, "audio": self.relative, "session": session,
                   "answer": answer, "take": {"recorded_at_utc": recorded_at_utc},
                   "report": report}
        self.written.append(self.sidecar)
        _write_private(self.sidecar, json.dumps(sidecar, ensure_ascii=False).encode("utf-8"))
        _fsync_dir(self.store.recordings_dir)

    def discard(self) -> None:
        for path in self.written:
            path.unlink(missing_ok=True)
            path.with_name(path.name + ".tmp").unlink(missing_ok=True)

    def committed(self) -> None:
        if self.audio is not None:
            self.sidecar.unlink(missing_ok=True)


# --- reports ------------------------------------------------------------------------------


def key_numbers(report: dict) -> dict:
    """The key numbers of a report (README "JSON report") as the takes table stores them.

    Raises StoreError naming the missing key when ``report`` is not a mockview report.
    """
    fillers = _field(report, "metrics", "fillers")
    pace = _field(report, "metrics", "pace")
    pauses = _field(report, "metrics", "pauses")
    length = _field(report, "metrics", "length")
    rambling = _field(report, "metrics", "rambling")
    _field(report, "analysis_version")
    verdict = length.get("verdict")
    top = fillers.get("top") or []
    # a pace too short to judge has no rate to average or compare (older reports kept one)
    paced = pace.get("verdict") != "not_enough_speech"
    return {
        "duration_s": float(_field(length, "duration_s", where="metrics.length")),
        "speaking_s": float(length.get("speaking_s") or 0.0),
        "word_count": int(length.get("word_count") or 0),
        "words_per_minute": pace.get("words_per_minute") if paced else None,
        "articulation_wpm": pace.get("articulation_wpm") if paced else None,
        "fillers_count": int(fillers.get("count") or 0),
        "fillers_per_minute": float(fillers.get("per_minute") or 0.0),
        "fillers_per_100_words": float(fillers.get("per_100_words") or 0.0),
        "long_pause_count": int(pauses.get("long_count") or 0),
        "pause_ratio": pauses.get("pause_ratio"),
        "length_verdict": verdict,
        "within_target": None if verdict is None else verdict == "within",
        "rambling_flagged": bool(rambling.get("flagged")),
        "top_filler": top[0]["text"] if top else None,
    }


def finding_numbers(report) -> dict:
    """The key numbers of what the answer says and how it sounded (``FINDING_COLUMNS``).

    Each is None when not measured: a report from before content or delivery analysis
    (no ``metrics.content`` or ``metrics.delivery``, or None there), a part that was not
    judged (``judged`` false), or a finding that does not apply (STAR parts outside
    behavioral answers, job coverage without a job description). Never raises, whatever
    the report holds. (Migration m003 filled these columns with its own frozen copy.)
    """
    numbers: dict = dict.fromkeys(FINDING_COLUMNS)
    metrics = _mapping(report, "metrics")
    content = _mapping(metrics, "content")
    if content.get("judged") is True:
        structure = _mapping(content, "structure")
        missing = structure.get("missing")
        if isinstance(missing, list) and all(isinstance(p, str) for p in missing):
            numbers["star_missing"] = ",".join(missing)
            numbers["star_missing_count"] = len(missing)
        parts = structure.get("parts")
        action = next((p for p in parts if isinstance(p, dict) and p.get("part") == "action"),
                      {}) if isinstance(parts, list) else {}
        numbers["action_share"] = _real(action.get("share"))
        numbers["concrete_results"] = _integer(_mapping(content, "results").get("concrete_count"))
        numbers["we_share"] = _real(_mapping(content, "ownership").get("we_share"))
        hedges = _mapping(content, "hedges")
        numbers["hedges_count"] = _integer(hedges.get("count"))
        numbers["hedges_per_100_words"] = _real(hedges.get("per_100_words"))
        numbers["keyword_coverage"] = _real(_mapping(content, "keywords").get("coverage"))
        numbers["job_coverage"] = _real(_mapping(content, "job").get("coverage"))
        numbers["opening_verdict"] = _text(_mapping(content, "opening").get("verdict"))
        numbers["ending_verdict"] = _text(_mapping(content, "ending").get("verdict"))
    delivery = _mapping(metrics, "delivery")
    if delivery.get("judged") is True:
        pitch = _mapping(delivery, "pitch")
        monotone = pitch.get("monotone")
        numbers["monotone"] = monotone if isinstance(monotone, bool) else None
        # pitch varies less over a few seconds: a variation too short to call monotone or
        # lively (the pitch's note says why) is not compared with other takes'
        if numbers["monotone"] is not None:
            numbers["pitch_variation_semitones"] = _real(pitch.get("variation_semitones"))
        numbers["uptalk_share"] = _real(_mapping(delivery, "uptalk").get("share"))
        fades = _mapping(delivery, "volume").get("fades")
        numbers["fades_count"] = len(fades) if isinstance(fades, list) else None
    return numbers


def _mapping(value, key: str) -> dict:
    """``value[key]`` when both are dicts, else an empty dict (missing, None, wrong type)."""
    found = value.get(key) if isinstance(value, dict) else None
    return found if isinstance(found, dict) else {}


def _real(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _integer(value) -> int | None:
    return int(value) if _real(value) is not None else None


def _text(value) -> str | None:
    return value if isinstance(value, str) else None


def _field(mapping, *keys: str, where: str = ""):
    value = mapping
    path = where
    for key in keys:
        path = f"{path}.{key}" if path else key
        if not isinstance(value, dict) or value.get(key) is None:
            raise StoreError(f"Cannot store this report: it has no {path}. Store the report "
                             "of mockview analyze (schema_version 1).")
        value = value[key]
    return value


def _report_meta(report: dict) -> tuple:
    """(model, analysis_version, schema_version) of a report, as its take's row holds them."""
    return (report.get("transcript", {}).get("model"), report["analysis_version"],
            int(report.get("schema_version") or 1))


def _report_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, separators=(",", ":"))


def _question_from_report(report: dict) -> QuestionInfo | None:
    question = report.get("question")
    if not question or not question.get("text"):
        return None
    target = question.get("target_s")
    return QuestionInfo(text=question["text"], kind=question.get("kind"), id=question.get("id"),
                        target_s=tuple(target) if target else None)


def _snapshot(question: QuestionInfo | None, category: str | None) -> dict:
    """The question as asked, as stored on its answer."""
    if question is None:
        return {"id": None, "text": None, "kind": None, "category": category, "target_s": None}
    target = question.target_s
    if target is None and question.kind is not None:
        from mockview.kinds import length_target

        resolved = length_target(question.kind)
        target = (resolved.min_s, resolved.max_s)
    return {"id": question.id, "text": question.text, "kind": question.kind,
            "category": category or question.category,
            "target_s": [float(target[0]), float(target[1])] if target else None}


def _snapshot_dict(row: tuple) -> dict:
    question_id, text, kind, category, low, high = row
    return {"id": question_id, "text": text, "kind": kind, "category": category,
            "target_s": [low, high] if low is not None else None}


def _summary(row: tuple) -> SessionSummary:
    (session_id, started, source, answers, takes, speaking_s, filler_minutes, wpm, judged,
     within, rambling) = row
    return SessionSummary(
        session_id=session_id, started_at_utc=started, source=source, answer_count=answers,
        take_count=takes, speaking_s=round(speaking_s, 2),
        # each take's rate weighted by its speaking time: equal to the take's own rate
        # when the session has one take
        fillers_per_minute=round(filler_minutes / speaking_s, 2) if speaking_s > 0 else None,
        words_per_minute=round(wpm, 1) if wpm is not None else None,
        within_target_share=round(within / judged, 3) if judged else None,
        rambling_count=int(rambling))


def _take_filters(question_id: str | None, category: str | None,
                  since_utc: str | None) -> tuple[str, list]:
    """The WHERE clause (with its leading space, or empty) and parameters of take filters
    over ``takes t JOIN answers a``."""
    where, params = [], []
    if question_id is not None:
        where.append("a.question_id = ?")
        params.append(question_id)
    if category is not None:
        where.append("a.question_category = ?")
        params.append(category)
    if since_utc is not None:
        where.append("t.recorded_at_utc >= ?")
        params.append(since_utc)
    return (" WHERE " + " AND ".join(where) if where else ""), params


def _no_session(session_id: int) -> StoreError:
    return StoreError(f"No session {session_id}. List your sessions with: mockview history")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _utc(value: str | None, name: str) -> str:
    if value is None:
        return utc_now()
    if not isinstance(value, str) or not _UTC.fullmatch(value):
        raise StoreError(f"{name} must be UTC like 2026-11-25T20:44:00Z, not {value!r}.")
    return value


# --- files --------------------------------------------------------------------------------


def _check_db_file(path: Path) -> bool:
    """Check an existing database file can be read and looks like SQLite; True when new."""
    try:
        info = path.stat()
    except FileNotFoundError:
        _create_private(path)
        return True
    except OSError as error:
        raise StoreError(f"Cannot read {path}: {error.strerror}. Check the file's owner "
                         f"and permissions (it should be yours: chmod 600 {path}).") from None
    if stat.S_ISDIR(info.st_mode):
        raise StoreError(damaged_message(path, "it is a directory"))
    if not stat.S_ISREG(info.st_mode):  # a FIFO or a device would block the read for ever
        raise StoreError(damaged_message(path, "not a regular file"))
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(_SQLITE_HEADER))
    except PermissionError:
        raise StoreError(f"Cannot read {path}: permission denied. Check the file's owner "
                         f"and permissions (it should be yours: chmod 600 {path}).") from None
    except OSError as error:
        raise StoreError(f"Cannot read {path}: {error.strerror}.") from None
    if not header:
        return True  # an empty file is a new database to SQLite
    if header != _SQLITE_HEADER:
        raise StoreError(damaged_message(path, "not an SQLite database file"))
    return False


def _check_writable(path: Path) -> None:
    if os.access(path, os.W_OK):
        return
    if _read_only_disk(path):
        raise StoreError(f"Cannot write {path}: its disk is mounted read-only. Remount it "
                         "writable, or set MOCKVIEW_HOME to a folder you can write to.")
    raise StoreError(f"Cannot write {path}: permission denied. Check the file's owner "
                     f"and permissions (it should be yours: chmod 600 {path}).")


def _read_only_disk(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs on this platform
        return False


def _validate(db: sqlite3.Connection, path: Path) -> None:
    """Read the schema without writing anything: refuse foreign, damaged or newer files."""
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    tables = {t for t in tables if not t.startswith("sqlite_")}
    if not tables:
        return
    if "_migrations" not in tables:
        shown = ", ".join(sorted(tables)[:5])
        raise StoreError(damaged_message(path, f"it holds tables mockview did not make: {shown}"))
    unknown = unknown_migrations(db, MIGRATIONS)
    if unknown:
        raise StoreError(f"{path} was written by a newer mockview (unknown migration "
                         f"'{unknown[0]}'). Upgrade mockview: pip install -U mockview")


def _private_dir(path: Path, what: str) -> list[str]:
    """Create ``path`` readable by the user only (0700), whatever the umask, or check it.

    Returns the warning about a mode found wrong and repaired (``files.make_private``).
    """
    warning = private_dir(path, what)
    return [warning] if warning else []


def _private_files(*paths: Path) -> list[str]:
    """Make ``paths`` private (0600, or 0700 for a folder); warnings for those that were not."""
    return [w for w in map(make_private, paths) if w]


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (mode 0600) through a temporary file, fsynced."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, _FILE_MODE)
    with os.fdopen(fd, "wb") as handle:
        if hasattr(os, "fchmod"):
            os.fchmod(handle.fileno(), _FILE_MODE)
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _write_flac(path: Path, audio: AudioFile) -> None:
    """Write a recording as 16 kHz mono 16-bit FLAC (mode 0600), fsynced.

    Block by block through a temporary file, so a three-hour recording takes no more
    memory than a minute's.
    """
    import numpy as np
    import soundfile as sf

    from mockview.speech.audio import SAMPLE_RATE

    tmp = path.with_name(path.name + ".tmp")
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, _FILE_MODE))
    os.chmod(tmp, _FILE_MODE)  # before any audio is in it, whatever the umask
    with sf.SoundFile(tmp, "w", samplerate=SAMPLE_RATE, channels=1, format="FLAC",
                      subtype="PCM_16") as flac:
        for block in audio.blocks():
            flac.write(np.clip(block, -1.0, 1.0))
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def _decode(audio_file: str | os.PathLike) -> AudioFile:
    """The recording to keep: checked now, decoded a block at a time by ``_write_flac``."""
    from mockview.speech.audio import AudioFile  # the commands that only read need no decoder

    return AudioFile(audio_file)
