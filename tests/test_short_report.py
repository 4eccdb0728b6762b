"""The short report: what went well first, then at most three things to work on, the full
panels behind --details; in analyze, show, practice, and on the review page.

Reports are real (built by the analysis from hand-made word timelines); the commands run
through click's CliRunner, and practice through its state machine with a fake microphone
and model and the real terminal UI writing to a string.
"""

from __future__ import annotations

import copy
import io

import pytest
from click.testing import CliRunner
from rich.console import Console

from mockview import cli as cli_module
from mockview import numbers
from mockview.cli import cli
from mockview.render.terminal import render_report
from mockview.store import Store
from mockview.strengths import first_sentence, priorities, strengths
from mockview.ui import TerminalUI

from .audio_helpers import DATA
from .test_practice import FakeRecorder, practice, questions, store  # noqa: F401 (fixtures)
from .test_store import BEHAVIORAL, FILLERY, make_report

#: Too few words for pace, fillers or content to be judged.
SHORT = "I like it."


def terminal(report: dict, **options) -> str:
    console = Console(file=io.StringIO(), width=100)
    render_report(report, console, **options)
    return console.file.getvalue()


def ids(found: list[dict]) -> list[str]:
    return [s["id"] for s in found]


# --- choosing -------------------------------------------------------------------------------


def test_a_judged_good_pace_is_a_strength_with_its_evidence():
    report = make_report()
    assert report["metrics"]["pace"]["verdict"] == "good"
    wpm = report["metrics"]["pace"]["words_per_minute"]
    pace = next(s for s in strengths(report, limit=20) if s["id"] == "pace")
    assert pace["evidence"] == f"{numbers.wpm(wpm)}, in the 120-160 wpm range"


def test_a_metric_not_judged_is_never_a_strength():
    report = make_report(SHORT)  # three words: neither pace nor fillers nor content judged
    assert report["metrics"]["pace"]["verdict"] == "not_enough_speech"
    assert report["metrics"]["fillers"]["count"] == 0
    assert strengths(report, limit=20) == []


def test_a_strength_that_a_tip_works_on_is_dropped():
    report = make_report()
    assert "pace" in ids(strengths(report, limit=20))
    report = copy.deepcopy(report)
    del report["strengths"]  # chosen again from the verdicts and tips
    report["feedback"].insert(0, {"id": "pace", "title": "Keep an even pace",
                                  "detail": "You sped up.", "evidence": [], "severity": 0.4})
    assert "pace" not in ids(strengths(report, limit=20))


def test_no_speech_has_no_strength():
    report = copy.deepcopy(make_report())
    del report["strengths"]  # chosen again from the verdicts and tips
    report["transcript"]["words"] = []
    assert strengths(report) == []


def test_two_strengths_at_most_one_about_the_voice_and_one_about_the_words():
    found = strengths(make_report())
    assert len(found) == 2
    assert ids(found) == ["pace", "ending"]  # not pace and "no fillers": one of each kind


def test_priorities_are_the_first_three_tips_with_their_first_sentence():
    report = make_report(FILLERY, question=BEHAVIORAL)
    chosen = priorities(report)
    assert [p["id"] for p in chosen] == [t["id"] for t in report["feedback"][:3]]
    first = report["feedback"][0]
    assert chosen[0]["summary"] == first_sentence(first["detail"])
    assert chosen[0]["summary"].endswith(").") and len(chosen[0]["summary"]) < len(
        first["detail"])


@pytest.mark.parametrize("text, first", [
    ("You spoke at 169 wpm; 120-160 is easy. Take a breath.",
     "You spoke at 169 wpm; 120-160 is easy."),
    ('You opened with "So. Um." before your point. Start with it.',
     'You opened with "So. Um." before your point.'),
    ("Pitch varied 1.6 semitones. Lift it.", "Pitch varied 1.6 semitones."),
    ("One sentence only.", "One sentence only."),
])
def test_first_sentence_stops_at_the_first_full_stop_outside_quotes(text, first):
    assert first_sentence(text) == first


# --- the terminal -----------------------------------------------------------------------------


def test_the_terminal_report_is_short_and_leads_with_what_went_well():
    report = make_report(FILLERY, question=BEHAVIORAL)
    shown = terminal(report)
    lines = [line.rstrip() for line in shown.splitlines()]
    assert lines[2] == "What went well"
    wpm = report["metrics"]["pace"]["words_per_minute"]
    assert lines[3] == f"  ✓ Pace: {numbers.wpm(wpm)}, in the 120-160 wpm range"
    assert shown.index("What went well") < shown.index("What to work on")
    assert "Transcript" not in shown and "Metrics" not in shown
    for tip in report["feedback"][:3]:
        assert tip["title"] in shown
    assert len(lines) <= 15
    assert lines[-1] == "Add --details for the transcript and every measure."


def test_details_keep_every_panel_after_the_strengths():
    report = make_report(FILLERY, question=BEHAVIORAL)
    shown = terminal(report, details=True)
    assert shown.index("What went well") < shown.index("Transcript") < shown.index("Metrics")
    for tip in report["feedback"]:
        assert tip["title"] in shown
    assert "add --details" not in shown


def test_analyze_is_short_by_default_and_full_with_details(monkeypatch):
    report = make_report(FILLERY, question=BEHAVIORAL)
    monkeypatch.setattr(cli_module, "_analyze_with_progress", lambda *args, **kwargs: report)
    short = CliRunner().invoke(cli, ["analyze", str(DATA / "jfk.flac")], terminal_width=100)
    assert short.exit_code == 0, short.output
    assert "What went well" in short.stdout and "Transcript" not in short.stdout
    assert short.stdout.count("\n") <= 15
    full = CliRunner().invoke(cli, ["analyze", str(DATA / "jfk.flac"), "--details"],
                              terminal_width=100)
    assert full.exit_code == 0, full.output
    assert "Transcript" in full.stdout and "Metrics" in full.stdout
    assert full.stdout.index("What went well") < full.stdout.index("Transcript")


def test_show_is_short_names_each_question_once_and_points_to_details():
    with Store.open() as opened:
        session_id = opened.save_analysis(None, make_report(FILLERY, question=BEHAVIORAL),
                                          question=BEHAVIORAL)
    result = CliRunner().invoke(cli, ["show", str(session_id)], terminal_width=120)
    assert result.exit_code == 0, result.output
    output = result.stdout
    assert output.count(BEHAVIORAL.text) == 1
    assert "[beh-disagree]" in output
    assert "What went well" in output and "Transcript" not in output
    assert " ".join(output.split()).endswith(f"The transcript, every measure and every tip of "
                                             f"each take: mockview show {session_id} --details")
    full = CliRunner().invoke(cli, ["show", str(session_id), "--details"],
                              terminal_width=120).stdout
    assert "Transcript" in full and "Metrics" in full and full.count(BEHAVIORAL.text) == 1


def test_practice_feedback_is_short_and_the_question_is_shown_once(questions, store):  # noqa: F811
    console = Console(file=io.StringIO(), width=120)
    ui = TerminalUI(console, interactive=False)
    practice(questions[:1], store, ui, FakeRecorder(), interactive=False).run()
    shown = console.file.getvalue()
    assert shown.count(questions[0].text) == 1
    assert "What to work on" in shown and "Transcript" not in shown


def test_practice_with_details_shows_the_full_report(questions, store):  # noqa: F811
    console = Console(file=io.StringIO(), width=120)
    ui = TerminalUI(console, interactive=False, details=True)
    practice(questions[:1], store, ui, FakeRecorder(), interactive=False).run()
    shown = console.file.getvalue()
    assert shown.count(questions[0].text) == 1
    assert "Transcript" in shown and "Metrics" in shown



def test_when_nothing_needs_work_the_short_report_says_so_and_counts_no_tip():
    report = copy.deepcopy(make_report())
    report["feedback"] = [{"id": "well_done", "title": "Keep this delivery",
                           "detail": "Nothing here needs work: pace 151 wpm. Practise a harder "
                                     "question next.", "evidence": [], "severity": 0.0}]
    assert priorities(report) == []
    shown = terminal(report)
    assert "    Nothing here needs work: pace 151 wpm." in [
        line.rstrip() for line in shown.splitlines()]
    assert "Keep this delivery" not in shown and "more tip" not in shown


# --- the JSON report ------------------------------------------------------------------------


def test_the_json_report_holds_its_strengths_and_a_stored_one_without_them_gets_them():
    from mockview.report import SCHEMA_VERSION

    report = make_report()
    assert SCHEMA_VERSION == 4 and report["schema_version"] == 4
    assert report["strengths"] == strengths(report)
    assert ids(report["strengths"]) == ["pace", "ending"]
    older = {k: v for k, v in report.items() if k != "strengths"}  # a version 2 report
    assert strengths(older) == report["strengths"]


def test_the_markdown_export_leads_each_take_with_what_went_well(tmp_path):
    report = make_report(FILLERY, question=BEHAVIORAL)
    with Store.open() as opened:
        session_id = opened.save_analysis(None, report, question=BEHAVIORAL)
    out = tmp_path / "session.md"
    result = CliRunner().invoke(cli, ["export", str(session_id), "--format", "md", "-o",
                                      str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    [strength] = strengths(report)
    assert (f"**What went well**\n\n- **{strength['label']}**: {strength['evidence']}\n"
            in text)
    assert text.index("**What went well**") < text.index("| metric | value |")
