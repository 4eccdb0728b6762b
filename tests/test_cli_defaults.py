"""Issue 13, item 8: show, report, play, export and compare default to the latest session;
``last``, ``latest`` and ``-1`` (``-2``, ...) name sessions back from it; ``practise`` and
``analyse`` are aliases; hints name the command a user most likely wants.

A real store in the temp data directory: session 1 (one answer), session 2 (two answers),
and session 3, started later but with no take (a practice whose microphone failed), which
"the latest" skips.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from mockview.cli import cli
from mockview.store import Store

from .analysis_helpers import MOTIVATION
from .test_store import BEHAVIORAL, FILLERY, make_report, write_wav

EMPTY_STORE = ("Error: No recorded answers yet. Start a session with: mockview practice (or "
               "keep a recording with: mockview analyze FILE --save)\n")


def run(*args):
    return CliRunner().invoke(cli, [str(arg) for arg in args])


@pytest.fixture
def sessions(tmp_path):
    with Store.open() as store:
        first = store.start_session(started_at_utc="2026-03-01T09:00:00Z")
        store.add_take(store.add_answer(first, MOTIVATION), None, make_report(),
                       recorded_at_utc="2026-03-01T09:01:00Z")
        second = store.start_session(started_at_utc="2026-03-02T09:00:00Z")
        store.add_take(store.add_answer(second, MOTIVATION), write_wav(tmp_path / "a.wav"),
                       make_report(FILLERY), recorded_at_utc="2026-03-02T09:01:00Z")
        store.add_take(store.add_answer(second, BEHAVIORAL), write_wav(tmp_path / "b.wav"),
                       make_report(FILLERY, question=BEHAVIORAL),
                       recorded_at_utc="2026-03-02T09:02:00Z")
        store.start_session(started_at_utc="2026-03-03T09:00:00Z")  # no take
    return first, second


def shown_session(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout.split("  ·  ")[0]


@pytest.mark.parametrize("args", [[], ["last"], ["latest"], ["LAST"], ["-1"], ["--", "-1"],
                                  ["2"]])
def test_show_defaults_to_the_latest_session_with_a_take(sessions, args):
    assert shown_session(run("show", *args)) == "Session 2"


@pytest.mark.parametrize("args", [["-2"], ["--", "-2"], ["1"]])
def test_show_a_session_back_from_the_latest(sessions, args):
    assert shown_session(run("show", *args)) == "Session 1"


def test_show_json_of_the_latest(sessions):
    result = run("show", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["session"]["session_id"] == 2
    result = run("show", "-2", "--json")
    assert json.loads(result.stdout)["session"]["session_id"] == 1


@pytest.mark.parametrize("args", [[], ["last"], ["-1"]])
def test_export_defaults_to_the_latest(sessions, tmp_path, args):
    result = run("export", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["session"]["session_id"] == 2
    path = tmp_path / "out.md"
    result = run("export", *args, "-o", path)
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Wrote session 2 to {path}.\n"
    assert path.read_text().startswith("# mockview session 2\n")


def test_export_a_session_back_from_the_latest(sessions):
    result = run("export", "-2", "--format", "json")
    assert json.loads(result.stdout)["session"]["session_id"] == 1


@pytest.mark.parametrize("args", [[], ["last"], ["-1"]])
def test_report_defaults_to_the_latest(sessions, tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    result = run("report", *args)
    assert result.exit_code == 0, result.output
    page = tmp_path / "mockview-session-2.html"
    assert result.stderr.startswith(f"Wrote {page.name} (")
    assert "<title>Session 2 · mockview</title>" in page.read_text()
    result = run("report", "-2", "-o", tmp_path / "one.html")
    assert result.exit_code == 0, result.output
    assert "<title>Session 1 · mockview</title>" in (tmp_path / "one.html").read_text()


@pytest.mark.parametrize("args,heading", [
    ([], "Session 2, answer 1, take 1"),
    (["-1"], "Session 2, answer 1, take 1"),
    (["last", "2"], "Session 2, answer 2, take 1"),
    (["-1", "2", "--take", "1"], "Session 2, answer 2, take 1"),
])
def test_play_defaults_to_the_latest(fake_sd, sessions, args, heading):
    result = run("play", *args)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(heading + " · ")
    assert len(fake_sd.streams) == 1


def test_compare_without_arguments_is_the_latest_against_the_one_before(sessions):
    result = run("compare", "--json")
    assert result.exit_code == 0, result.output
    compared = json.loads(result.stdout)
    assert (compared["a"]["session_id"], compared["b"]["session_id"]) == (1, 2)


@pytest.mark.parametrize("args,a,b", [
    (["1"], 1, 2),                 # A against the latest
    (["-2", "last"], 1, 2),
    (["--", "-2", "-1"], 1, 2),
])
def test_compare_names_sessions_back_from_the_latest(sessions, args, a, b):
    result = run("compare", "--json", *args)
    assert result.exit_code == 0, result.output
    compared = json.loads(result.stdout)
    assert (compared["kind"], compared["a"]["session_id"], compared["b"]["session_id"]) == (
        "sessions", a, b)


def test_compare_answers_of_the_latest_session(sessions):
    result = run("compare", "-1:1", "last:2:1", "--json")
    assert result.exit_code == 0, result.output
    compared = json.loads(result.stdout)
    assert compared["kind"] == "takes"
    assert [(s["session_id"], s["answer_no"], s["take_no"])
            for s in (compared["a"], compared["b"])] == [(2, 1, 1), (2, 2, 1)]


# --- what cannot be done: one line, a non-zero exit, no traceback ------------------------------


@pytest.mark.parametrize("command", [["show"], ["show", "-1"], ["export"], ["report"],
                                     ["play"], ["compare"], ["compare", "1"]])
def test_an_empty_store_is_one_clear_line(command, fake_sd):
    with Store.open() as store:
        store.start_session()  # a session with no take is not one to show
    result = run(*command)
    assert result.exit_code == 1
    assert result.output == EMPTY_STORE
    assert isinstance(result.exception, SystemExit)


def test_compare_with_one_session_says_there_is_nothing_to_compare(sessions):
    with Store.open() as store:
        store.delete_session(1)
    result = run("compare")
    assert result.exit_code == 1
    assert result.output == ("Error: Session 2 is your only session with recorded answers, "
                             "so there is nothing to compare it with yet. Practise again "
                             "with: mockview practice\n")


@pytest.mark.parametrize("args,message", [
    (["show", "-3"], "Error: Only 2 sessions with recorded answers, so -3 names none. List "
                     "them with: mockview history\n"),
    (["show", "9"], "Error: No session 9. List your sessions with: mockview history\n"),
    (["compare", "-5", "-1"], "Error: Only 2 sessions with recorded answers, so -5 names "
                              "none. List them with: mockview history\n"),
])
def test_a_session_that_is_not_there(sessions, args, message):
    result = run(*args)
    assert result.exit_code == 1
    assert result.output == message


FORMS = ("Give a session number (12; see: mockview history), last or -1 for the latest, -2 "
         "for the one before.")


@pytest.mark.parametrize("command", ["show", "export", "report", "play"])
@pytest.mark.parametrize("value", ["0", "-0", "first", "1.5"])
def test_a_session_that_is_not_a_session_name(sessions, command, value):
    result = run(command, value)
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        f"Error: Invalid value for '[SESSION]': '{value}' is not a session. {FORMS}")


@pytest.mark.parametrize("args,message", [
    (["show", "--jsn"], "Error: No such option '--jsn'. Did you mean '--json'?"),
    (["play", "-x"], "Error: No such option '-x'."),
    (["play", "--take", "-1"], "Error: Invalid value for '--take': -1 is not in the range "
                               "x>=1."),
    (["play", "1", "-1"], "Error: Invalid value for '[ANSWER]': -1 is not in the range x>=1."),
    (["report", "2", "--progress"], "Error: Give a session or --progress, not both."),
    (["compare", "1:1"], "Error: Give a second answer or take to compare 1:1 with, for "
                         "example: mockview compare 1:1 last:1"),
])
def test_other_words_are_still_refused_as_click_refuses_them(sessions, args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == message


# --- aliases and hints --------------------------------------------------------------------------


@pytest.mark.parametrize("alias,command", [("practise", "practice"), ("analyse", "analyze")])
def test_the_british_spelling_runs_the_command(alias, command):
    result = run(alias, "--help")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].endswith(f" {command} [OPTIONS]" + (
        " AUDIO" if command == "analyze" else ""))
    assert alias not in cli.list_commands(None)  # --help lists each command once


def test_practise_runs_practice():
    result = run("practise", "--question", "no-such-question", "--no-input")
    assert result.exit_code == 1
    assert result.output.startswith("Error: No question with id 'no-such-question'.")
