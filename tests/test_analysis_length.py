"""Answer length verdicts at the boundaries of every kind and of a question's own target."""

import pytest

from mockview.analysis import analyze_answer
from mockview.kinds import LENGTH_TARGETS
from mockview.words import QuestionInfo

from .analysis_helpers import sentence, transcript


def length_of(duration_s, question=None, text="We shipped it."):
    t = transcript(text, duration_s=duration_s)
    return analyze_answer(t, question=question).to_dict()["metrics"]["length"]


def boundary_cases():
    for kind, target in LENGTH_TARGETS.items():
        below = "too_short" if target.flag_under_s == target.min_s else "short"
        yield kind, target.min_s - 0.01, below
        yield kind, target.min_s, "within"
        yield kind, target.max_s, "within"
        yield kind, target.max_s + 0.01, "long"
        yield kind, target.flag_over_s, "long"
        yield kind, target.flag_over_s + 0.01, "too_long"
        if target.flag_under_s is not None:
            yield kind, target.flag_under_s - 0.01, "too_short"
            yield kind, target.flag_under_s, "short"


@pytest.mark.parametrize("kind, duration_s, verdict", list(boundary_cases()))
def test_verdict_at_the_boundaries_of_each_kind(kind, duration_s, verdict):
    length = length_of(duration_s, QuestionInfo("Q?", kind=kind))
    assert length["verdict"] == verdict
    target = LENGTH_TARGETS[kind]
    assert length["target_s"] == [target.min_s, target.max_s]
    assert (length["flag_under_s"], length["flag_over_s"]) == (target.flag_under_s,
                                                               target.flag_over_s)


def test_behavioral_values_from_the_metrics_table():
    question = QuestionInfo("Tell me about a conflict.", kind="behavioral")
    assert [length_of(d, question)["verdict"] for d in (44, 45, 89, 90, 120, 121, 180, 181)] \
        == ["too_short", "short", "short", "within", "within", "long", "long", "too_long"]


@pytest.mark.parametrize("duration_s, verdict", [
    (29.9, "too_short"), (30, "short"), (59.9, "short"), (60, "within"), (90, "within"),
    (90.1, "long"), (135, "long"), (135.1, "too_long"),
])
def test_a_questions_own_target(duration_s, verdict):
    question = QuestionInfo("Walk me through it.", kind="behavioral", target_s=(60, 90))
    length = length_of(duration_s, question)
    assert length["verdict"] == verdict
    assert length["target_s"] == [60, 90]
    assert length["target_source"] == "question"


def test_no_question_is_judged_against_the_general_target():
    # the motivation kind's range, named as the general one: no kind is claimed (issue 13)
    length = length_of(100)
    assert (length["kind"], length["target_s"], length["verdict"],
            length["target_source"]) == (None, [45, 90], "long", "general")


def test_duration_speaking_time_and_word_count():
    # 30 words over 12 s, a 2 s pause, recording 20 s with 3 s of thinking time
    text = sentence(15) + " [2.0] " + sentence(15)
    t = transcript(text, duration_s=20.0, start_s=3.0, word_s=0.4, gap_s=0.0)
    length = analyze_answer(t).to_dict()["metrics"]["length"]
    assert (length["duration_s"], length["speaking_s"], length["word_count"]) == (20.0, 12.0, 30)


def test_duration_never_ends_before_the_last_word():
    length = length_of(1.0, text=sentence(10))
    assert length["duration_s"] == 3.9
