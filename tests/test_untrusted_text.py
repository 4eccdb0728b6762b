"""Text from users and banks is data, never code: SQL, Markdown, HTML, terminal markup, paths.

SQL-like strings go through every text field that reaches the store (a bank's question
text, category and tips, --question-text, transcript words, the filters of progress and
the specs of show and compare): the store must stay whole and each string come back as it
went in. Markup in a question, a transcript word or a bank tip must reach the exported
Markdown and the review page as text. Output file names never come from that text.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from mockview.cli import cli
from mockview.report import build_report
from mockview.store import Store
from mockview.words import QuestionInfo, Transcript, Word

from .bad_inputs import bank_file, good_recording, question

SQL = [
    "'; DROP TABLE takes; --",
    '" OR 1=1 --',
    "') OR ('1'='1",
    "%' OR '%'='",
    "Robert'); DROP TABLE sessions; --",
    "\\'; DELETE FROM answers; --",
    "1; ATTACH DATABASE '/tmp/x.db' AS x; --",
]
SCRIPT = "<script>window.pwned = 1</script>"
IMAGE = '<img src=x onerror="window.pwned = 2">'
LINK = "[click me](javascript:alert(1))"
MARKUP = [SCRIPT, IMAGE, LINK, "**bold** _it_ `code` # heading", "[/bold] [link=x]y[/link]"]
TABLES = {"_migrations", "sessions", "answers", "takes", "words", "report_history"}


def run(*args: str):
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def toml_string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid TOML basic string


def spoken(texts: list[str], *, start_s: float = 0.0) -> tuple[Word, ...]:
    return tuple(Word(text, start_s + n * 0.5, start_s + n * 0.5 + 0.3)
                 for n, text in enumerate(texts))


def integrity(home: Path) -> dict:
    """What the database holds, read with plain SQLite: tables, check, row counts."""
    with contextlib.closing(sqlite3.connect(home / "mockview.db")) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        check = db.execute("PRAGMA integrity_check").fetchone()[0]
        counts = {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                  for t in ("sessions", "answers", "takes")}
    return {"tables": tables, "check": check, **counts}


@pytest.fixture
def store_with_sql(tmp_path, monkeypatch, mockview_home):
    """Sessions whose question text, category, tips and words are SQL; returns the texts
    stored, by session id."""
    monkeypatch.chdir(tmp_path)
    answer = good_recording(tmp_path, "wav")
    bank_file(tmp_path, question(id='"sql-one"', text=toml_string(f"Why {SQL[0]} {SQL[1]}?"),
                                 category='"sql-cat"', tips=toml_string(SQL)))
    stored = {}
    result = run("analyze", str(answer), "--bank", "bank.toml", "--question", "sql-one",
                 "--save", "--json")
    assert result.exit_code == 0, result.output
    stored[json.loads(result.stdout)["saved"]["session_id"]] = f"Why {SQL[0]} {SQL[1]}?"
    for text in SQL:
        result = run("analyze", str(answer), "--question-text", text, "--save", "--json")
        assert result.exit_code == 0, result.output
        stored[json.loads(result.stdout)["saved"]["session_id"]] = text
    # words and a NUL, which no command line can carry: through the store itself
    nul = "Why\x00 us? '; DROP TABLE words; --"
    words = spoken(SQL + MARKUP + ["nul\x00word"])
    report = build_report(Transcript(words, duration_s=words[-1].end_s + 1.0),
                          question=QuestionInfo(nul, kind="motivation"))
    with Store.open() as store:
        stored[store.save_analysis(None, report)] = nul
    return stored


def test_sql_in_every_stored_text_field_round_trips_and_the_store_stays_whole(
        store_with_sql, mockview_home):
    stored = store_with_sql
    health = integrity(mockview_home)
    assert health["tables"] >= TABLES and health["check"] == "ok"
    assert health["sessions"] == health["answers"] == health["takes"] == len(stored)
    history = json.loads(run("history", "--json").stdout)
    assert sorted(s["session_id"] for s in history) == sorted(stored)
    for session_id, text in stored.items():
        exported = json.loads(run("export", str(session_id), "--format", "json").stdout)
        [answer] = exported["answers"]
        assert answer["question"]["text"] == text
    with Store.open() as store:
        first = store.take(1, 1)
        assert first.question_category == "sql-cat"
        assert first.report["question"]["tips"] == SQL
        words = [w["text"] for w in store.take(max(stored), 1).report["transcript"]["words"]]
        assert words == SQL + MARKUP + ["nul\x00word"]
    with contextlib.closing(sqlite3.connect(mockview_home / "mockview.db")) as db:
        in_table = [r[0] for r in db.execute("SELECT text FROM words ORDER BY take_id,"
                                             " position")]
    assert in_table == SQL + MARKUP + ["nul\x00word"]


def test_sql_in_the_filters_of_progress_matches_nothing_and_harms_nothing(store_with_sql,
                                                                          mockview_home):
    before = integrity(mockview_home)
    for text in SQL:
        for option in ("--question", "--category"):
            result = run("progress", option, text, "--json")
            assert result.exit_code == 0, result.output
            assert json.loads(result.stdout)["session_count"] == 0
            assert result.stderr.startswith(f"No saved answers match {option} {text}.")
    assert integrity(mockview_home) == before


def test_the_real_filter_values_still_match(store_with_sql):
    for option, value in (("--question", "sql-one"), ("--category", "sql-cat")):
        result = run("progress", option, value, "--json")
        assert json.loads(result.stdout)["session_count"] == 1, result.output


def test_sql_in_session_specs_is_a_clear_error(store_with_sql, mockview_home):
    before = integrity(mockview_home)
    for spec in ("1 OR 1=1", "1; DROP TABLE takes", "1' --", "1:1:1'"):
        show = run("show", spec)
        assert show.exit_code == 2
        assert show.stderr.splitlines()[-1] == (
            f"Error: Invalid value for '[SESSION]': '{spec}' is not a session. Give a session "
            "number (12; see: mockview history), last or -1 for the latest, -2 for the one "
            "before.")
        compare = run("compare", spec, "1")
        assert compare.exit_code == 1
        [line] = compare.stderr.splitlines()
        assert line.startswith("Error: "), line
    assert integrity(mockview_home) == before


def test_an_sql_question_id_in_a_bank_is_refused_by_its_validation(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bank_file(tmp_path, question(id=toml_string(SQL[0])))
    result = run("questions", "--bank", "bank.toml")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: bank.toml: question #1 (line 1): 'id' must be a lower-case slug like "
        "'beh-07': letters, digits and single hyphens (got \"'; DROP TABLE takes; --\").\n")


# --- markup shows as text --------------------------------------------------------------------


@pytest.fixture
def session_with_markup(tmp_path, monkeypatch):
    """A saved session whose question, bank tip and transcript words hold markup; its id."""
    monkeypatch.chdir(tmp_path)
    tip = f"Start with {IMAGE} then {LINK}"
    asked = QuestionInfo(f"Why us? {SCRIPT}", kind="motivation", id="why-us", tips=(tip,))
    # three stutters over markup (no digits: "1 1" is a number said twice, not a restart),
    # so the restarts feedback quotes them
    texts = ([SCRIPT, "<b>we</b>", "<b>we</b>", "built", "<i>tools</i>", "<i>tools</i>",
              "[for](javascript:void)", "[for](javascript:void)", IMAGE, LINK]
             + ["teams", "and", "shipped", "them", "on", "time", "every", "week."] * 2)
    words = spoken(texts)
    report = build_report(Transcript(words, duration_s=words[-1].end_s + 1.0),
                          question=asked)
    with Store.open() as store:
        return store.save_analysis(None, report, question=asked)


def test_markdown_export_escapes_question_words_and_feedback(session_with_markup, tmp_path):
    result = run("export", str(session_with_markup), "--format", "md", "-o", "out.md")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "out.md").read_text()
    assert not re.search(r"(?<!\\)[<\[`]", text), "unescaped markup"
    assert r"\<script\>window.pwned = 1\</script\>" in text  # the question and the words
    assert r'\<img src=x onerror="window.pwned = 2"\>' in text
    assert r"\[click me\](javascript:alert(1))" in text
    feedback = text[text.index("**What to work on**"):]
    # at 0.5 s: times round half up (mockview.numbers)
    assert r'"\<b\>we\</b\> \<b\>we\</b\>" at 0:01' in feedback  # quoted, escaped too


def test_the_review_page_escapes_question_tip_and_words(session_with_markup, tmp_path):
    result = run("report", str(session_with_markup), "-o", "page.html")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "page.html").read_text()
    body = page[page.index("<main"):page.index("</main>")]
    for raw in (SCRIPT, IMAGE, "<img", "<script"):
        assert raw not in body
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in body  # question and words
    assert "&lt;img src=x onerror=&#34;window.pwned = 2&#34;&gt;" in body  # the words
    assert "Start with &lt;img src=x onerror=&#34;window.pwned = 2&#34;&gt; then [click me]" in (
        body)  # the bank's tip
    assert 'href="javascript' not in page


def test_the_terminal_shows_markup_as_text(session_with_markup):
    result = run("show", str(session_with_markup))
    assert result.exit_code == 0, result.output
    assert "Why us? <script>window.pwned = 1</script>" in result.stdout


def test_a_bank_question_in_rich_markup_is_listed_as_written(tmp_path, monkeypatch):
    """rich read "[/bold]" in a question as a closing tag and crashed `mockview questions`."""
    monkeypatch.chdir(tmp_path)
    bank_file(tmp_path, '[bank]\ntitle = "Mine [/i]"\n'
              + question(text=toml_string("Why [/bold] us [link=x]here[/link]?")))
    result = run("questions", "--bank", "bank.toml")
    assert result.exit_code == 0, result.output
    assert "Why [/bold] us [link=x]here[/link]?" in result.stdout
    (tmp_path / "banks").mkdir()
    result = run("banks")
    assert result.exit_code == 0, result.output


def test_show_prints_a_question_in_rich_markup_as_written(tmp_path, monkeypatch):
    """The same closing tag in a stored question crashed `mockview show`."""
    monkeypatch.chdir(tmp_path)
    answer = good_recording(tmp_path, "wav")
    text = "Why [/bold] us?"
    assert run("analyze", str(answer), "--question-text", text, "--save").exit_code == 0
    result = run("show", "1")
    assert result.exit_code == 0, result.output
    assert "Answer 1, take 1 (no speech)" in result.stdout  # a tone
    assert f"\n{text}\n" in result.stdout


# --- file names ------------------------------------------------------------------------------


def test_default_file_names_come_from_numbers_never_from_text(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    answer = good_recording(tmp_path, "wav")
    sneaky = "../../escaped/../mockview-session-1.html; rm -rf ~"
    assert run("analyze", str(answer), "--question-text", sneaky, "--save").exit_code == 0
    before = set(tmp_path.iterdir())
    assert run("report", "1").exit_code == 0
    assert run("report", "--progress").exit_code == 0
    assert run("export", "1", "--format", "md").exit_code == 0  # to standard output
    made = set(tmp_path.iterdir()) - before
    assert {p.name for p in made} == {"mockview-session-1.html", "mockview-progress.html"}
    assert not (tmp_path.parent / "escaped").exists()
