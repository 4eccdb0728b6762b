"""Follow-up questions: chosen from what a judged answer lacks, in the report, the terminal's
--details and the review page."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner

from mockview.analysis import JobDescription
from mockview.cli import cli
from mockview.followups import EXAMPLE, OUTCOME, PERSONAL, TAKEAWAY, follow_ups
from mockview.report import build_report
from mockview.store import Store
from mockview.words import QuestionInfo

from .analysis_helpers import CONCISE, MOTIVATION, transcript
from .test_analysis_content import ACTION, BEHAVIORAL, JOB, SITUATION, STAR, TASK, WE

DATA = Path(__file__).parent / "data"
STRENGTHS = QuestionInfo("What is your greatest strength?", kind="strengths")
NOTHING_DONE = ("I think teamwork matters a lot. Good communication is key, and being open with"
                " people is how you solve problems. That is my view on process improvement in"
                " general and it matters to the team. Teams work best when everyone knows the"
                " goal and talks openly about what blocks them.")
VAGUE = (SITUATION.replace("three days of", "days of") + TASK + ACTION
         + " In the end we launched it and the team was happy with the new process.")


def report_of(text, question=BEHAVIORAL, **kwargs):
    return build_report(transcript(text), question=question, **kwargs)


def ids(report):
    return [f["id"] for f in report["follow_ups"]]


def test_a_complete_owned_star_answer_with_results_calls_for_none():
    assert report_of(STAR)["follow_ups"] == []


def test_actions_told_with_we_ask_what_you_personally_did():
    [item] = report_of(WE)["follow_ups"]
    assert item == {"id": "we_not_i", "text": PERSONAL,
                    "reason": "The actions are told with “we”, not “I”.",
                    "evidence": "“we” for 5 of 5 actions, such as “we mapped every manual”, "
                                "“we wrote a checklist”"}


def test_a_story_with_only_a_vague_outcome_asks_for_the_outcome_and_its_measure():
    report = report_of(VAGUE)
    assert report["metrics"]["content"]["results"]["verdict"] == "vague"
    [item] = report["follow_ups"]
    assert (item["id"], item["text"]) == ("no_result", OUTCOME)
    assert item["evidence"].startswith("only a vague outcome: “")
    assert item["evidence"].endswith(", with no number or measure")


def test_a_story_whose_star_result_is_missing_asks_for_the_outcome():
    report = report_of(SITUATION + TASK + ACTION)
    assert "result" in report["metrics"]["content"]["structure"]["missing"]
    assert ids(report) == ["no_result"]
    assert report["follow_ups"][0]["text"] == OUTCOME


def test_an_answer_that_tells_nothing_done_asks_for_an_example_not_an_outcome():
    report = report_of(NOTHING_DONE)
    assert report["metrics"]["content"]["ownership"]["verdict"] == "no_actions"
    assert ids(report) == ["no_example"]
    assert report["follow_ups"][0]["text"] == EXAMPLE
    assert report["follow_ups"][0]["reason"] == "The story has no action."
    strengths = report_of(NOTHING_DONE, question=STRENGTHS)["follow_ups"]
    assert [(f["id"], f["reason"]) for f in strengths] == [
        ("no_example", "The answer tells of nothing you did.")]


def test_a_motivation_answer_is_asked_for_no_example_or_outcome():
    report = report_of(CONCISE + " " + NOTHING_DONE, question=MOTIVATION)
    assert report["metrics"]["content"]["judged"]
    assert report["metrics"]["content"]["results"]["verdict"] in ("none", "vague")
    assert report["follow_ups"] == []


def test_a_rambling_answer_asks_for_the_takeaway():
    report = build_report(transcript(CONCISE + " So yeah.", duration_s=100.0),
                          question=MOTIVATION)
    assert report["metrics"]["rambling"]["flagged"]
    [item] = report["follow_ups"]
    assert (item["id"], item["text"], item["reason"]) == ("rambling", TAKEAWAY,
                                                         "The answer rambled.")
    assert item["evidence"] == "1:40 long, with 2 rambling signals: over length, no ending"
    # not flagged (one signal): no follow-up
    assert build_report(transcript(CONCISE + " So yeah."), question=MOTIVATION)[
        "follow_ups"] == []


def test_a_job_term_never_said_gets_a_question_about_it():
    report = report_of(STAR, job=JobDescription(JOB))
    [item] = report["follow_ups"]
    missing = report["metrics"]["content"]["job"]["missing"][0]
    assert missing["kind"] == "name"
    assert item["id"] == "job_term"
    assert item["text"] == f"Tell me about a time you used {missing['term']}."
    assert item["reason"] == (f"The answer never mentions “{missing['term']}”, a key term of "
                              "the job.")


def test_several_gaps_are_ranked_as_an_interviewer_probes():
    vague = WE.replace(" As a result, releases went from three days to four hours.",
                       " In the end we launched it.").replace("three days of", "days of")
    report = report_of(vague, job=JobDescription(JOB))
    assert ids(report) == ["we_not_i", "no_result", "job_term"]


@pytest.mark.parametrize("text,question", [
    ("We mapped the steps. We wrote a checklist. We automated the tests.", BEHAVIORAL),
    (WE, QuestionInfo("Tell me about a project.")),  # kind unknown: reported, not judged
], ids=["too-short", "kind-unknown"])
def test_a_finding_not_judged_gives_no_follow_up(text, question):
    report = report_of(text, question=question)
    assert report["metrics"]["content"]["judged"] is False
    assert report["metrics"]["content"]["ownership"]["we_count"] > 0
    assert report["follow_ups"] == []


def test_a_stored_report_without_them_gets_the_same_follow_ups():
    report = report_of(WE, job=JobDescription(JOB))
    older = {k: v for k, v in report.items() if k != "follow_ups"}  # a version 3 report
    assert follow_ups(older) == report["follow_ups"] != []


def test_details_and_the_review_page_show_the_follow_ups(tmp_path):
    report = report_of(WE)
    with Store.open() as store:
        session_id = store.save_analysis(None, report, question=BEHAVIORAL)
    shown = CliRunner().invoke(cli, ["show", str(session_id), "--details"])
    assert shown.exit_code == 0, shown.output
    assert "Follow-up questions an interviewer might ask" in shown.output
    assert "1. What did you personally do?" in shown.output
    short = CliRunner().invoke(cli, ["show", str(session_id)])
    assert "What did you personally do?" not in short.output
    page = tmp_path / "page.html"
    written = CliRunner().invoke(cli, ["report", str(session_id), "-o", str(page)])
    assert written.exit_code == 0, written.output
    html = page.read_text()
    block = re.search(r'<div class="follow-ups">(.*?)</div>', html, re.S)
    assert block, "no follow-ups on the page"
    items = [" ".join(re.sub(r"<[^>]+>", " ", unescape(li)).split())
             for li in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)]
    assert items == ["What did you personally do? The actions are told with “we”, not “I”. "
                     "(“we” for 5 of 5 actions, such as “we mapped every manual”, "
                     "“we wrote a checklist”)"]


@pytest.mark.model
def test_analyze_json_with_a_question_carries_the_follow_ups():
    """Real speech with no story in it, judged as an answer to a behavioral question."""
    result = CliRunner().invoke(cli, ["analyze", str(DATA / "acoustic_corpus.wav"),
                                      "--question", "beh-disagree", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["schema_version"] == 4
    assert report["metrics"]["content"]["judged"]
    assert [f["id"] for f in report["follow_ups"]] == ["no_example"]
    assert report["follow_ups"][0]["text"] == EXAMPLE
