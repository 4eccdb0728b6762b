"""Issue 13, items 2 and 3: a verdict is a verdict everywhere, and judgement is scaled to the
question.

A short-answer question ("When could you start?", closing kind, target 10-30 s) is judged
from 15 words and 5 s of speaking, on what such an answer needs; a metric that is not judged
has no value, verdict or tip; without a known question kind nothing kind-specific is said.
"""

from __future__ import annotations

import pytest

from mockview.analysis import analyze_answer
from mockview.report import build_report
from mockview.words import QuestionInfo

from .analysis_helpers import sentence, transcript

START = QuestionInfo("When could you start?", kind="closing", id="close-start-date",
                     target_s=(10, 30),
                     keywords=("notice", "weeks", "handover", "available", "start", "date"))
#: 23 words: the answer itself first, then one sentence of context
START_ANSWER = ("I could start in four weeks. My notice period is one month, and I would use"
                " it for a clean handover of work.")


def start_report(duration_s: float) -> dict:
    # 23 words of 0.2 s, 0.1 s apart: 6.8 s of speech from the first word to the last
    words = transcript(START_ANSWER, word_s=0.2, gap_s=0.1, start_s=0.2,
                       duration_s=duration_s)
    return build_report(words, question=START)


def tips_text(report: dict) -> str:
    return " ".join(f"{t['title']} {t['detail']}" for t in report["feedback"])


def test_the_answer_is_23_words_in_7_s():
    metrics = start_report(12.0)["metrics"]
    assert metrics["length"]["word_count"] == 23
    assert metrics["length"]["speaking_s"] == pytest.approx(6.8)


def test_a_short_answer_within_its_target_is_judged_and_not_told_to_say_more():
    report = start_report(12.0)
    metrics = report["metrics"]
    assert metrics["length"]["verdict"] == "within"
    assert metrics["pace"]["verdict"] != "not_enough_speech"
    assert metrics["pace"]["words_per_minute"] == pytest.approx(23 / 6.8 * 60, abs=0.1)
    assert metrics["rambling"]["judged"] is True
    assert metrics["content"]["judged"] is True
    # judged on what a short answer needs: the answer in its first sentence
    assert metrics["content"]["opening"]["verdict"] == "clear"
    assert metrics["content"]["ending"]["verdict"] is None
    ids = [t["id"] for t in report["feedback"]]
    assert "thin_evidence" not in ids and "length" not in ids
    text = tips_text(report).lower()
    assert "example" not in text and "say more" not in text and "fuller" not in text


def test_a_short_answer_under_its_target_is_told_to_say_more_but_not_to_add_an_example():
    report = start_report(7.0)
    assert report["metrics"]["length"]["verdict"] == "short"
    assert report["metrics"]["pace"]["verdict"] != "not_enough_speech"
    length = next(t for t in report["feedback"] if t["id"] == "length")
    assert length["title"] == "Say more: aim for 0:10-0:30"
    assert "example" not in tips_text(report).lower()


def test_a_short_answer_with_too_little_speech_says_what_a_short_answer_needs():
    words = transcript("Two weeks from Monday.", word_s=0.3, gap_s=0.1, duration_s=12.0)
    metrics = build_report(words, question=START)["metrics"]
    assert metrics["pace"]["note"] == ("Only 4 words and 1.5 s of speaking: too little to judge"
                                       " pace (a short answer needs 15 words and 5 s).")
    assert metrics["content"]["note"] == ("Only 4 words: too few to judge the content (a short"
                                          " answer needs 15).")


def test_a_long_answer_question_still_needs_20_words_and_10_s():
    motivation = QuestionInfo("Why do you want this role?", kind="motivation")
    words = transcript(START_ANSWER, word_s=0.2, gap_s=0.1, duration_s=12.0)
    assert analyze_answer(words, motivation).pace.verdict == "not_enough_speech"


def test_the_reason_for_not_judging_names_the_limit_that_was_missed():
    # 30 words, enough of them, but 9 s of speaking: the words are not the reason
    words = transcript(sentence(30), word_s=0.3, gap_s=0.0)
    report = build_report(words, question=QuestionInfo("Why this role?", kind="motivation"))
    reason = "Only 9.0 s of speaking: too little to judge pace (that needs 10 s)."
    assert report["metrics"]["pace"]["note"] == reason
    assert report["metrics"]["rambling"]["note"] == reason.replace("pace", "rambling")
    assert "Only 30 words" not in tips_text(report)


def test_a_pace_not_judged_has_no_rate_and_no_tip():
    # 15 words in 4.5 s (200 wpm): too little to judge, so no "191 wpm" anywhere
    words = transcript(sentence(15), word_s=0.3, gap_s=0.0, duration_s=60.0)
    report = build_report(words, question=QuestionInfo("Why this role?", kind="motivation"))
    pace = report["metrics"]["pace"]
    assert (pace["verdict"], pace["words_per_minute"], pace["articulation_wpm"]) == (
        "not_enough_speech", None, None)
    assert "wpm" not in tips_text(report) and "pace" not in [t["id"] for t in report["feedback"]]


@pytest.mark.parametrize("question", [None, QuestionInfo("What would you do first?")],
                         ids=["no question", "no kind"])
def test_without_a_known_kind_nothing_kind_specific_is_said(question):
    words = transcript(sentence(40), word_s=0.3, gap_s=0.1, duration_s=20.0)
    report = build_report(words, question=question)
    length = report["metrics"]["length"]
    assert (length["kind"], length["target_source"], length["verdict"]) == (
        None, "general", "short")
    tip = next(t for t in report["feedback"] if t["id"] == "length")
    assert tip["detail"] == ("Your answer ran 0:20; answers land best at 0:45-1:30 (a general"
                             " target: the question's kind is not known). Add one concrete"
                             " example and what came of it.")
    assert "motivation" not in str(report["feedback"]) + str(report["metrics"]["rambling"])
