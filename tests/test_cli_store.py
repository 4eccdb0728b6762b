"""history, show, delete and analyze --save through the command line, on a store in the
temp data directory filled with reports built from hand-made word timelines."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone

import pytest
import soundfile as sf
from click.testing import CliRunner

from mockview import cli as cli_module
from mockview.analysis.text import clock
from mockview.cli import cli
from mockview.store import Store

from .analysis_helpers import MOTIVATION
from .audio_helpers import DATA
from .test_render_delivery import everything
from .test_store import (
    BEHAVIORAL,
    FILLERY,
    behavioral_report,
    make_report,
    shaped_report,
    write_wav,
)


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input)


def local(utc: str) -> str:
    moment = datetime.strptime(utc, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


@pytest.fixture
def two_sessions():
    """Session 1: one analysed answer. Session 2: a practice session, two answers, a retry."""
    with Store.open() as store:
        store.save_analysis(None, make_report())
        practice = store.start_session(started_at_utc="2026-03-02T09:30:00Z")
        first = store.add_answer(practice, MOTIVATION, category="motivation-and-fit")
        second = store.add_answer(practice, BEHAVIORAL, category="teamwork-and-conflict")
        store.add_take(first, None, shaped_report(speaking_s=30, fillers_per_minute=4,
                                                  words_per_minute=120, verdict="long",
                                                  rambling=True),
                       recorded_at_utc="2026-03-02T09:31:00Z")
        store.add_take(first, None, shaped_report(speaking_s=60, fillers_per_minute=1,
                                                  words_per_minute=150, verdict="within",
                                                  rambling=False),
                       recorded_at_utc="2026-03-02T09:33:00Z")
        store.add_take(second, None, make_report(FILLERY, question=BEHAVIORAL),
                       recorded_at_utc="2026-03-02T09:36:00Z")
        return store.sessions()


def test_history_of_an_empty_store():
    result = run("history")
    assert result.exit_code == 0
    assert result.output == ("No sessions yet. Start one with: mockview practice (or keep a "
                             "recording with: mockview analyze FILE --save)\n")
    assert run("history", "--json").stdout == "[]\n"


def test_history_table_newest_first(two_sessions):
    analysed, practice = sorted(two_sessions, key=lambda s: s.session_id)
    result = CliRunner().invoke(cli, ["history"], terminal_width=120)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1].split() == ["ID", "Date", "Source", "Answers", "Takes", "Speaking", "/min",
                                "WPM", "target", "Rambling"]
    assert lines[2].split()[:5] == ["1", *local(analysed.started_at_utc).split(), "analyze",
                                    "1"]
    assert lines[3].split() == ["2", *local("2026-03-02T09:30:00Z").split(), "practice", "2",
                                "3", clock(practice.speaking_s),
                                f"{practice.fillers_per_minute:.1f}",
                                f"{practice.words_per_minute:.0f}", "50%", "0"]
    assert result.stderr == ("2 session(s). See the latest with: mockview show (another: "
                             "mockview show ID)\n")


def test_history_json_keeps_utc_and_every_summary_field(two_sessions):
    result = run("history", "--json", "--limit", "1")
    assert result.exit_code == 0
    [newest] = json.loads(result.stdout)
    assert newest == {"session_id": 1, "started_at_utc": two_sessions[0].started_at_utc,
                      "source": "analyze", "answer_count": 1, "take_count": 1,
                      "speaking_s": two_sessions[0].speaking_s,
                      "fillers_per_minute": 0.0, "words_per_minute": 150.6,
                      "within_target_share": 0.0, "rambling_count": 0,
                      "follow_up_count": 0}
    assert len(json.loads(run("history", "--json").stdout)) == 2


def test_history_limit_must_be_positive():
    result = run("history", "--limit", "0")
    assert result.exit_code == 2
    assert "0 is not in the range x>=1" in result.output


def test_show_renders_every_take_under_its_heading(two_sessions):
    result = CliRunner().invoke(cli, ["show", "2"], terminal_width=200)
    assert result.exit_code == 0, result.output
    output = result.stdout
    assert output.startswith(f"Session 2  ·  {local('2026-03-02T09:30:00Z')}  ·  practice  ·  "
                             "2 answers, 3 takes\n")
    headings = [line.strip("─ ") for line in output.splitlines() if line.startswith("Answer ")]
    assert headings == ["Answer 1, take 1", "Answer 1, take 2", "Answer 2, take 1"]
    assert output.count("What to work on") == 3
    assert output.count("Why do you want this role?") == 2  # once under each take
    assert output.count("[beh-disagree] Tell me about a time you disagreed with a "
                        "colleague.") == 1
    duration = make_report(FILLERY)["metrics"]["length"]["duration_s"]
    assert output.count(f"0:{duration:02.0f} recorded") == 3
    details = CliRunner().invoke(cli, ["show", "2", "--details"], terminal_width=200).stdout
    assert details.count("Transcript") == 3
    assert details.count("Metrics") == 3


def test_show_json_groups_takes_by_answer(two_sessions):
    result = run("show", "2", "--json")
    assert result.exit_code == 0
    shown = json.loads(result.stdout)
    assert shown["session"]["session_id"] == 2
    assert shown["session"]["take_count"] == 3
    assert [a["answer_no"] for a in shown["answers"]] == [1, 2]
    assert shown["answers"][1]["question"] == {"id": "beh-disagree", "text": BEHAVIORAL.text,
                                               "kind": "behavioral",
                                               "category": "teamwork-and-conflict"}
    first, retry = shown["answers"][0]["takes"]
    assert set(first) == {"take_no", "recorded_at_utc", "has_speech", "audio_path", "report"}
    assert shown["answers"][0]["representative_take_no"] == 2
    assert (first["take_no"], retry["take_no"]) == (1, 2)
    assert retry["recorded_at_utc"] == "2026-03-02T09:33:00Z"
    assert retry["audio_path"] is None
    assert retry["report"]["metrics"]["length"]["verdict"] == "within"


def test_show_an_unknown_session():
    result = run("show", "12")
    assert result.exit_code == 1
    assert result.output == "Error: No session 12. List your sessions with: mockview history\n"


def test_delete_with_yes_removes_rows_and_audio(tmp_path):
    with Store.open() as store:
        session_id = store.save_analysis(write_wav(tmp_path / "a.wav"), make_report())
        flac = store.take(session_id, 1).audio_path
        started = store.sessions()[0].started_at_utc
    result = run("delete", str(session_id), "--yes")
    assert result.exit_code == 0, result.output
    assert result.stdout == (f"Deleted session 1 ({local(started)}, analyze: 1 answer, "
                             "1 take) and 1 audio file.\n")
    assert result.stderr == f"  removed {flac}\n"
    assert not flac.exists()
    assert run("history").output.startswith("No sessions yet.")


def test_delete_without_a_terminal_refuses_instead_of_waiting(two_sessions):
    result = run("delete", "1")
    assert result.exit_code == 1
    started = local(two_sessions[0].started_at_utc)
    assert result.output == (f"Error: Not deleting session 1 ({started}, analyze: 1 answer, "
                             "1 take): there is no terminal to confirm it in. To delete it, "
                             "run: mockview delete 1 --yes\n")
    assert len(json.loads(run("history", "--json").stdout)) == 2


@pytest.mark.parametrize("answer,deleted", [("y\n", True), ("n\n", False)])
def test_delete_asks_first(two_sessions, monkeypatch, answer, deleted):
    monkeypatch.setattr(cli_module, "_stdin_is_interactive", lambda: True)
    result = run("delete", "2", input=answer)
    prompt = (f"Delete session 2 ({local('2026-03-02T09:30:00Z')}, practice: 2 answers, "
              "3 takes) and its audio files? [y/N]: ")
    assert result.stderr.startswith(prompt)
    assert result.exit_code == (0 if deleted else 1)
    if deleted:
        assert result.stdout.startswith("Deleted session 2 (")
    else:
        assert result.stderr == prompt + "n\nAborted!\n"
    remaining = [s["session_id"] for s in json.loads(run("history", "--json").stdout)]
    assert remaining == ([1] if deleted else [1, 2])


@pytest.mark.parametrize("ref", ["last", "-1", "-2"])
def test_delete_names_a_session_as_show_does(two_sessions, ref):
    # the latest is session 1, analysed just now (session 2 is from March); the message
    # names the session by its number
    gone = 2 if ref == "-2" else 1
    result = run("delete", ref, "--yes")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Deleted session {gone} (")
    remaining = [s["session_id"] for s in json.loads(run("history", "--json").stdout)]
    assert remaining == [3 - gone]


def test_delete_of_a_place_with_no_session_there_is_one_line(two_sessions):
    result = run("delete", "-3", "--yes")
    assert result.exit_code == 1
    assert result.output == ("Error: Only 2 sessions with recorded answers, so -3 names none. "
                             "List them with: mockview history\n")
    assert ("Error: Invalid value for 'SESSION': 'first' is not a session."
            in run("delete", "first", "--yes").output)


def test_delete_an_unknown_session():
    result = run("delete", "7", "--yes")
    assert result.exit_code == 1
    assert result.output == "Error: No session 7. List your sessions with: mockview history\n"


def test_every_store_command_tells_about_recovered_recordings(mockview_home):
    Store.open().close()
    orphan = mockview_home / "recordings" / "lost.flac"
    orphan.write_bytes(b"fLaC")
    message = (f"{orphan} is not in the store: mockview stopped before saving it and left no "
               "record of what it was. It was kept: play it, and delete it if you do not need "
               "it.\n")
    for args in (["history"], ["history", "--json"], ["show", "1"], ["delete", "1", "--yes"]):
        result = run(*args)
        assert result.stderr.startswith(message), args
    assert run("history", "--json").stdout == "[]\n"


def test_a_damaged_store_is_one_clear_line_for_every_command(mockview_home):
    path = mockview_home / "mockview.db"
    path.write_text("not a database")
    expected = (f"Error: {path} is not a mockview database or is damaged (not an SQLite "
                f"database file). Move it aside (for example: mv {path} {path}.bak) and "
                "mockview starts a new one; it never overwrites it.\n")
    for args in (["history"], ["show", "1"], ["delete", "1", "--yes"],
                 ["analyze", str(DATA / "jfk.flac"), "--save"]):
        result = run(*args)
        assert (result.exit_code, result.output) == (1, expected), args
    assert path.read_text() == "not a database"


def test_analyze_save_of_a_bad_file_saves_nothing(tmp_path):
    missing = tmp_path / "missing.wav"
    result = run("analyze", str(missing), "--save")
    assert result.exit_code == 1
    assert result.output == f"Error: No such file: {missing}. Check the path and try again.\n"
    assert run("history", "--json").stdout == "[]\n"


def test_analyze_save_without_the_model(monkeypatch):
    report = make_report(FILLERY, question=BEHAVIORAL)
    monkeypatch.setattr(cli_module, "_analyze_with_progress", lambda *args, **kwargs: report)
    result = run("analyze", str(DATA / "jfk.flac"), "--save", "--question", "beh-disagree")
    assert result.exit_code == 0, result.output
    assert "What to work on" in result.stdout
    assert result.stderr == "Saved as session 1. See it again with: mockview show 1\n"
    with Store.open() as store:
        take = store.take(1, 1)
    assert take.report == report
    assert (take.question_id, take.question_category) == ("beh-disagree", "behavioral")
    assert sf.info(take.audio_path).samplerate == 16000


def test_analyze_save_failure_still_shows_the_report(monkeypatch):
    from mockview.errors import StoreError

    def full_disk(*args, **kwargs):
        raise StoreError("Could not read or write X (database or disk is full).")

    monkeypatch.setattr(cli_module, "_analyze_with_progress", lambda *args, **kwargs: make_report())
    monkeypatch.setattr(Store, "save_analysis", full_disk)
    result = run("analyze", str(DATA / "jfk.flac"), "--save", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == make_report()  # no "saved" key
    assert result.stderr == ("Error: The report was not saved: Could not read or write X "
                             "(database or disk is full).\n")


@pytest.mark.model
def test_analyze_save_stores_the_recording_and_its_report():
    result = run("analyze", str(DATA / "jfk.flac"), "--save", "--question", "fit-why-this-role",
                 "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["saved"] == {"session_id": 1}
    assert result.stderr.endswith("Saved as session 1. See it again with: mockview show 1\n")
    with Store.open() as store:
        take = store.take(1, 1)
    assert take.report == {k: v for k, v in report.items() if k != "saved"}
    assert (take.question_id, take.question_category) == ("fit-why-this-role",
                                                          "motivation-and-fit")
    assert sf.info(take.audio_path).duration == pytest.approx(11.0, abs=0.1)
    assert "my fellow Americans" in take.report["transcript"]["text"]
    shown = run("show", "1")
    assert shown.exit_code == 0
    assert "Answer 1, take 1" in shown.stdout and "0:11 recorded" in shown.stdout


# --- start-up ---------------------------------------------------------------------------------

#: What no store command needs: the speech pipeline's libraries and the plotting one.
HEAVY = ("numpy", "librosa", "faster_whisper", "ctranslate2", "sounddevice", "av",
         "soundfile", "scipy", "numba", "matplotlib", "jinja2")
#: What --help and history need not even start: the terminal renderer and the analysis.
NOT_FOR_LISTING = ("rich", "mockview.analysis", "mockview.trends")
#: What showing stored results needs none of: the analysis itself (the renderers and trends
#: use only its settings and time formatting), most of a fresh process's start-up once.
NOT_FOR_SHOWING = ("mockview.analysis.answer", "mockview.analysis.content",
                   "mockview.analysis.fillers", "mockview.analysis.rambling")


def imported_by(*commands: list[str], watched: tuple[str, ...] | None = None) -> list[str]:
    """Of ``watched`` (default: HEAVY, NOT_FOR_LISTING and NOT_FOR_SHOWING), the modules a
    fresh process imported to run ``commands`` one after the other (each must succeed)."""
    watched = HEAVY + NOT_FOR_LISTING + NOT_FOR_SHOWING if watched is None else watched
    code = (
        "import sys\n"
        "from mockview.cli import cli\n"
        f"for args in {list(commands)!r}:\n"
        "    cli.main(args, standalone_mode=False)\n"
        f"print(' '.join(m for m in {watched!r} if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()[-1].split()


def test_store_commands_import_nothing_heavy(tmp_path):
    with Store.open() as store:
        session_id = store.save_analysis(None, make_report(FILLERY), question=MOTIVATION)
    assert imported_by(["--help"], ["history"], ["history", "--json"]) == []
    job = tmp_path / "job.txt"
    job.write_text("We need Python, data pipelines and stakeholder management.\n")
    found = imported_by(["show", str(session_id)], ["progress"], ["progress", "--job", str(job)],
                        ["compare", f"{session_id}:1:1", f"{session_id}:1:1"])
    assert [m for m in found if m in HEAVY] == []


def test_showing_stored_results_does_not_import_the_analysis():
    with Store.open() as store:
        session_id = store.save_analysis(None, behavioral_report(delivery=everything()),
                                         question=BEHAVIORAL)
    take = f"{session_id}:1:1"
    found = imported_by(["show", str(session_id)], ["show", str(session_id), "--json"],
                        ["progress"], ["progress", "--json"], ["compare", take, take])
    assert [m for m in found if m in NOT_FOR_SHOWING] == []


def test_the_short_show_and_progress_import_only_what_they_draw():
    # the text analysis (renderers take the clock from mockview.numbers), the follow-up
    # questions and the banks' reader (--details only), logging (the store logs only what it
    # found wrong on opening)
    with Store.open() as store:
        session_id = store.save_analysis(None, behavioral_report(delivery=everything()),
                                         question=BEHAVIORAL)
    unused = ("mockview.analysis.text", "mockview.followups", "mockview.questions", "logging")
    assert imported_by(["history"], watched=unused) == []
    assert imported_by(["show", str(session_id)], watched=unused) == []
    assert imported_by(["progress"], watched=unused) == ["mockview.questions"]  # the banks
    assert "mockview.followups" in imported_by(["show", str(session_id), "--details"],
                                               watched=unused)


def test_history_writes_times_as_the_reports_do():
    # one rule (mockview.numbers), no copy of it in the CLI: under a minute in seconds,
    # from a minute on as the reports' clock
    from mockview import numbers

    assert not hasattr(cli_module, "_clock")
    for seconds, shown in ((0, "0.0 s"), (0.45, "0.5 s"), (7, "7.0 s"), (59.94, "59.9 s")):
        assert numbers.duration(seconds) == shown
    for seconds in (59.96, 61, 102, 3599.6, 7322):
        assert numbers.duration(seconds) == clock(seconds)
