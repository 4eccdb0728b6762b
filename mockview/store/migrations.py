"""The schema of the session store, as an append-only list of named migrations.

Each migration is a function that takes an open connection and changes the schema. The
store applies every migration that the database has not seen yet, in order, when it is
opened; each one runs in one transaction together with its row in ``_migrations``, so a
failure leaves the database exactly as it was. Never edit or reorder a released migration:
append a new one.

Migrations must not call ``executescript`` (it commits on its own, which would break the
one-transaction rule); they run statements one by one with ``execute``.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime, timezone

from mockview.errors import StoreError

Migration = Callable[[sqlite3.Connection], None]

MIGRATIONS: list[Migration] = []


def migration(fn: Migration) -> Migration:
    """Register ``fn`` as the next migration; its function name is its permanent name."""
    MIGRATIONS.append(fn)
    return fn


def utc_now() -> str:
    """The current time as stored everywhere: ISO 8601 UTC to the second, with a "Z"."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def ensure_migrations_table(db: sqlite3.Connection) -> None:
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute(
            "CREATE TABLE IF NOT EXISTS _migrations ("
            " name TEXT PRIMARY KEY,"
            " applied_at_utc TEXT NOT NULL)"
        )
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def applied_migrations(db: sqlite3.Connection) -> list[str]:
    """Names of the migrations this database has had, in the order they were applied."""
    return [row[0] for row in db.execute("SELECT name FROM _migrations ORDER BY rowid")]


def unknown_migrations(
    db: sqlite3.Connection, migrations: Sequence[Migration] | None = None
) -> list[str]:
    """Applied migrations that this version of mockview does not have (a newer one wrote them)."""
    known = {fn.__name__ for fn in (MIGRATIONS if migrations is None else migrations)}
    return [name for name in applied_migrations(db) if name not in known]


def migrate(
    db: sqlite3.Connection,
    *,
    migrations: Sequence[Migration] | None = None,
    where: str = "the database",
) -> list[str]:
    """Apply the migrations ``db`` has not had yet; return the names applied.

    ``db`` must be in autocommit mode (``isolation_level=None``): each migration runs inside
    its own ``BEGIN IMMEDIATE ... COMMIT`` together with its ``_migrations`` row, and the
    applied set is read again inside that transaction, so two processes opening a new store
    at once apply each migration exactly once. ``where`` names the database in errors.

    Foreign keys are off while migrations run, as SQLite's recipe for rebuilding a table
    asks (dropping a table would otherwise delete the rows that refer to it); each
    migration must leave none broken (``PRAGMA foreign_key_check``) before it commits.
    """
    migrations = MIGRATIONS if migrations is None else migrations
    ensure_migrations_table(db)
    foreign_keys = db.execute("PRAGMA foreign_keys").fetchone()[0]
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        return _apply(db, migrations, where)
    finally:
        db.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")


def _apply(db: sqlite3.Connection, migrations: Sequence[Migration], where: str) -> list[str]:
    done: list[str] = []
    for fn in migrations:
        name = fn.__name__
        db.execute("BEGIN IMMEDIATE")
        try:
            already = db.execute("SELECT 1 FROM _migrations WHERE name = ?", (name,)).fetchone()
            if already:
                db.execute("COMMIT")
                continue
            fn(db)
            broken = db.execute("PRAGMA foreign_key_check").fetchone()
            if broken:
                raise StoreError(f"it left a row of {broken[0]} that refers to a missing "
                                 f"row of {broken[2]}")
            db.execute("INSERT INTO _migrations (name, applied_at_utc) VALUES (?, ?)",
                       (name, utc_now()))
        except BaseException as error:
            if db.in_transaction:
                db.execute("ROLLBACK")
            if _not_the_migrations_fault(error):
                raise  # the caller says "damaged" or "busy", not "report this to us"
            if isinstance(error, Exception):
                raise StoreError(
                    f"Could not upgrade {where}: migration '{name}' failed ({error}). "
                    "The database was left as it was. Report this to the mockview developers."
                ) from error
            raise
        db.execute("COMMIT")
        done.append(name)
    return done


def _not_the_migrations_fault(error: BaseException) -> bool:
    """A damaged file (plain DatabaseError: "malformed", "not a database") or another
    process's lock: errors of the database, not of the migration's SQL."""
    if type(error) is sqlite3.DatabaseError:
        return True
    text = str(error)
    return isinstance(error, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


# --- the migrations, oldest first: append only ------------------------------------------------


@migration
def m001_initial(db: sqlite3.Connection) -> None:
    """Sessions, answers with the question as asked, takes with key numbers, words."""
    db.execute(
        """
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            started_at_utc TEXT NOT NULL,
            finished_at_utc TEXT,
            source TEXT NOT NULL
        )"""
    )
    # The question is copied in as it was asked, so later bank edits never rewrite history.
    db.execute(
        """
        CREATE TABLE answers (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            answer_no INTEGER NOT NULL,
            question_id TEXT,
            question_text TEXT,
            question_kind TEXT,
            question_category TEXT,
            target_min_s REAL,
            target_max_s REAL,
            UNIQUE (session_id, answer_no)
        )"""
    )
    db.execute(
        """
        CREATE TABLE takes (
            id INTEGER PRIMARY KEY,
            answer_id INTEGER NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
            take_no INTEGER NOT NULL,
            recorded_at_utc TEXT NOT NULL,
            audio_path TEXT,
            model TEXT,
            analysis_version TEXT NOT NULL,
            schema_version INTEGER NOT NULL,
            report_json TEXT NOT NULL,
            duration_s REAL NOT NULL,
            speaking_s REAL NOT NULL,
            word_count INTEGER NOT NULL,
            words_per_minute REAL,
            articulation_wpm REAL,
            fillers_count INTEGER NOT NULL,
            fillers_per_minute REAL NOT NULL,
            fillers_per_100_words REAL NOT NULL,
            long_pause_count INTEGER NOT NULL,
            pause_ratio REAL,
            length_verdict TEXT,
            within_target INTEGER,
            rambling_flagged INTEGER NOT NULL,
            top_filler TEXT,
            UNIQUE (answer_id, take_no)
        )"""
    )
    db.execute(
        """
        CREATE TABLE words (
            take_id INTEGER NOT NULL REFERENCES takes(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            text TEXT NOT NULL,
            start_s REAL NOT NULL,
            end_s REAL NOT NULL,
            probability REAL,
            PRIMARY KEY (take_id, position)
        ) WITHOUT ROWID"""
    )


@migration
def m002_report_history_and_indexes(db: sqlite3.Connection) -> None:
    """Earlier reports of re-analysed takes, and indexes for history, show and progress."""
    db.execute(
        """
        CREATE TABLE report_history (
            id INTEGER PRIMARY KEY,
            take_id INTEGER NOT NULL REFERENCES takes(id) ON DELETE CASCADE,
            analysis_version TEXT NOT NULL,
            report_json TEXT NOT NULL,
            replaced_at_utc TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX report_history_take ON report_history (take_id)")
    db.execute("CREATE INDEX sessions_started ON sessions (started_at_utc)")
    db.execute("CREATE INDEX answers_question ON answers (question_id)")
    db.execute("CREATE INDEX answers_category ON answers (question_category)")
    db.execute("CREATE INDEX takes_recorded ON takes (recorded_at_utc)")
    db.execute("CREATE INDEX takes_audio_path ON takes (audio_path)")


#: The columns m003 adds to ``takes``: what the answer says (content) and how it sounded
#: (delivery). NULL means "not measured": an older report without the finding, a finding
#: that was not judged (too few words, a question of unknown kind, too little audio), or
#: one that does not apply (STAR parts outside behavioral answers, job coverage without a
#: job description). ``store.finding_numbers`` reads them from a report.
M003_COLUMNS = (
    ("star_missing", "TEXT"),  # behavioral: missing STAR parts, "situation,result"; "" none
    ("star_missing_count", "INTEGER"),
    ("action_share", "REAL"),  # behavioral: share of the answer's time in the Action
    ("concrete_results", "INTEGER"),  # numbers, percentages, money, time, before/after
    ("we_share", "REAL"),  # actions said with "we" of those said with "I" or "we"
    ("hedges_count", "INTEGER"),
    ("hedges_per_100_words", "REAL"),
    ("keyword_coverage", "REAL"),  # share of the question's keywords said
    ("job_coverage", "REAL"),  # share of the job description's terms said (analyze --job)
    ("opening_verdict", "TEXT"),  # clear | throat_clearing | no_point | long_setup
    ("ending_verdict", "TEXT"),  # conclusion | no_conclusion | trails_off
    ("pitch_variation_semitones", "REAL"),
    ("monotone", "INTEGER"),  # 0/1
    ("uptalk_share", "REAL"),  # statements that rose at the end, of those measured
    ("fades_count", "INTEGER"),  # sentences that faded at their last word
)
#: Takes read per batch by m003's backfill: a report is tens of kilobytes of JSON.
M003_BATCH = 500


@migration
def m003_content_and_delivery_columns(db: sqlite3.Connection) -> None:
    """Key numbers of what the answer says and how it sounded, filled from stored reports.

    The backfill reads each report as the store read reports when this migration was
    written (``_m003_finding_numbers``, a frozen copy: the store's reading may change, this
    schema step must not), so an upgraded store holds the numbers a save did then; reports
    from before content or delivery analysis leave the columns NULL.
    """
    import json

    names = [name for name, _ in M003_COLUMNS]
    for name, kind in M003_COLUMNS:
        db.execute(f"ALTER TABLE takes ADD COLUMN {name} {kind}")
    update = f"UPDATE takes SET {', '.join(f'{n} = ?' for n in names)} WHERE id = ?"
    last_id = 0
    while True:
        rows = db.execute("SELECT id, report_json FROM takes WHERE id > ? ORDER BY id LIMIT ?",
                          (last_id, M003_BATCH)).fetchall()
        if not rows:
            break
        changes = []
        for take_id, text in rows:
            try:
                numbers = _m003_finding_numbers(json.loads(text))
            except ValueError:  # unreadable JSON: the take keeps NULLs, as an old report would
                continue
            if any(numbers[n] is not None for n in names):
                changes.append((*(numbers[n] for n in names), take_id))
        db.executemany(update, changes)
        last_id = rows[-1][0]


def _m003_finding_numbers(report) -> dict:
    """``M003_COLUMNS`` of one stored report, as ``store.finding_numbers`` read them when m003
    was written; None where not measured. Never raises, whatever the report holds."""
    numbers: dict = dict.fromkeys(name for name, _ in M003_COLUMNS)
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
        numbers["pitch_variation_semitones"] = _real(pitch.get("variation_semitones"))
        monotone = pitch.get("monotone")
        numbers["monotone"] = monotone if isinstance(monotone, bool) else None
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


@migration
def m004_reports_apart(db: sqlite3.Connection) -> None:
    """Each take's report in a table of its own (``take_reports``).

    In ``takes`` the report (tens of kilobytes of JSON) came before most key numbers, so
    reading a take's numbers walked every page of its report: 5,000 takes read 200 MB of
    pages for ``history`` and ``progress``. SQLite can drop a column only from 3.35 on, so
    ``takes`` is rebuilt by its recipe: a new table, the rows copied, the old one dropped.
    """
    db.execute(
        """
        CREATE TABLE take_reports (
            take_id INTEGER PRIMARY KEY REFERENCES takes(id) ON DELETE CASCADE,
            report_json TEXT NOT NULL
        )"""
    )
    db.execute("INSERT INTO take_reports (take_id, report_json) SELECT id, report_json FROM takes")
    findings = "".join(f",\n            {name} {kind}" for name, kind in M003_COLUMNS)
    db.execute(
        f"""
        CREATE TABLE takes_rebuilt (
            id INTEGER PRIMARY KEY,
            answer_id INTEGER NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
            take_no INTEGER NOT NULL,
            recorded_at_utc TEXT NOT NULL,
            audio_path TEXT,
            model TEXT,
            analysis_version TEXT NOT NULL,
            schema_version INTEGER NOT NULL,
            duration_s REAL NOT NULL,
            speaking_s REAL NOT NULL,
            word_count INTEGER NOT NULL,
            words_per_minute REAL,
            articulation_wpm REAL,
            fillers_count INTEGER NOT NULL,
            fillers_per_minute REAL NOT NULL,
            fillers_per_100_words REAL NOT NULL,
            long_pause_count INTEGER NOT NULL,
            pause_ratio REAL,
            length_verdict TEXT,
            within_target INTEGER,
            rambling_flagged INTEGER NOT NULL,
            top_filler TEXT{findings},
            UNIQUE (answer_id, take_no)
        )"""
    )
    kept = ", ".join(row[1] for row in db.execute("PRAGMA table_info(takes_rebuilt)"))
    db.execute(f"INSERT INTO takes_rebuilt ({kept}) SELECT {kept} FROM takes")
    db.execute("DROP TABLE takes")  # its indexes go with it
    db.execute("ALTER TABLE takes_rebuilt RENAME TO takes")
    db.execute("CREATE INDEX takes_recorded ON takes (recorded_at_utc)")
    db.execute("CREATE INDEX takes_audio_path ON takes (audio_path)")


@migration
def m005_word_forms(db: sqlite3.Connection) -> None:
    """Each take's word forms (``wordforms.py``), so ``progress --job`` asks the store which
    takes say a job's terms instead of tokenizing every transcript again.

    The forms follow the analysis's rules, so this migration only makes the tables: the
    store fills them when it saves a take, and for the takes saved before (or by another
    analysis version) the first time it is asked (``Store.takes_saying``).
    """
    db.execute(
        """
        CREATE TABLE take_forms (
            take_id INTEGER PRIMARY KEY REFERENCES takes(id) ON DELETE CASCADE,
            forms_version TEXT NOT NULL,
            spellings TEXT NOT NULL
        )"""
    )
    db.execute(
        """
        CREATE TABLE take_form_lemmas (
            lemma TEXT NOT NULL,
            take_id INTEGER NOT NULL REFERENCES take_forms(take_id) ON DELETE CASCADE,
            unit INTEGER NOT NULL,
            PRIMARY KEY (lemma, take_id, unit)
        ) WITHOUT ROWID"""
    )
    db.execute("CREATE INDEX take_form_lemmas_take ON take_form_lemmas (take_id)")
    db.execute(
        """
        CREATE TABLE take_form_words (
            word TEXT NOT NULL,
            take_id INTEGER NOT NULL REFERENCES take_forms(take_id) ON DELETE CASCADE,
            mid_sentence INTEGER NOT NULL,
            PRIMARY KEY (word, take_id)
        ) WITHOUT ROWID"""
    )
    db.execute("CREATE INDEX take_form_words_take ON take_form_words (take_id)")


@migration
def m006_unjudged_pace(db: sqlite3.Connection) -> None:
    """No rate for a pace its report did not judge ("not_enough_speech").

    Reports before analysis 0.3.0 kept the words per minute of an answer too short to judge,
    so history averaged it, progress counted it as a miss and compare called it better or
    worse. The report's own verdict says which takes those are; the text filter only spares
    parsing the reports that cannot be one.
    """
    rows = db.execute("SELECT take_id, report_json FROM take_reports"
                      " WHERE report_json LIKE '%not_enough_speech%'").fetchall()
    unjudged = []
    for take_id, text in rows:
        try:
            pace = json.loads(text)["metrics"]["pace"]
        except (ValueError, KeyError, TypeError):
            continue  # not a report this migration can read: left as it was
        if isinstance(pace, dict) and pace.get("verdict") == "not_enough_speech":
            unjudged.append((take_id,))
    db.executemany("UPDATE takes SET words_per_minute = NULL, articulation_wpm = NULL"
                   " WHERE id = ?", unjudged)


@migration
def m007_follow_ups(db: sqlite3.Connection) -> None:
    """Follow-up questions as answers of their own, linked to the take that earned them.

    A follow-up ("What was the outcome?") is asked after one take of an answer and recorded
    as a new answer of the session; this row says which take it follows and why it was
    asked (the candidate's ``id``, ``reason`` and ``evidence``, ``followups.follow_ups``).
    Older stores simply have no rows here: every answer they hold stands on its own.
    """
    db.execute(
        """
        CREATE TABLE follow_ups (
            answer_id INTEGER PRIMARY KEY REFERENCES answers(id) ON DELETE CASCADE,
            parent_take_id INTEGER NOT NULL REFERENCES takes(id) ON DELETE CASCADE,
            reason_id TEXT NOT NULL,
            reason TEXT NOT NULL,
            evidence TEXT
        )"""
    )
    db.execute("CREATE INDEX follow_ups_parent ON follow_ups (parent_take_id)")


@migration
def m008_take_tallies(db: sqlite3.Connection) -> None:
    """What ``progress`` reads from each take's report, counted once (``tallies.py``): where
    its long pauses fell and the hedges it said most, with whether its content was judged.

    Counting them in the recent reports on every ``progress`` parsed about 2 MB of JSON
    each time. The counts follow the store's live rules, so this migration only makes the
    table: the store fills a take's row when it saves or reanalyses it, and for takes saved
    before (or counted by other rules, ``tallies_version``) the first time it is asked.
    """
    db.execute(
        """
        CREATE TABLE take_tallies (
            take_id INTEGER PRIMARY KEY REFERENCES takes(id) ON DELETE CASCADE,
            tallies_version INTEGER NOT NULL,
            judged INTEGER NOT NULL,
            long_pauses TEXT NOT NULL,
            hedges TEXT NOT NULL
        )"""
    )
