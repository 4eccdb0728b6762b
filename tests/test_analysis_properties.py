"""Property-based tests of the analysis: any word timeline gives a valid result or a clear
AnalysisError, with every metric inside its range.

Timelines here are what no transcriber should produce but a bug, a hand edit or a stored
report might: overlapping, unsorted, zero-length and negative spans, huge times, words of
punctuation or of any script. Each example also runs through the report and the JSON
encoder, so a NaN or infinity that slipped into a metric is caught where users would see it.
Regressions found by these properties have their own named tests at the end.
"""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from mockview.analysis import analyze_answer
from mockview.analysis.rambling import SIGNAL_NAMES
from mockview.analysis.text import MAX_TIME_S
from mockview.errors import AnalysisError
from mockview.kinds import KINDS
from mockview.report import build_report
from mockview.words import QuestionInfo, Transcript, Word

from .analysis_helpers import timeline

PROPERTIES = settings(max_examples=300, deadline=None,
                      suppress_health_check=[HealthCheck.too_slow])

PACE_VERDICTS = {"slow", "a_bit_slow", "good", "a_bit_fast", "fast", "not_enough_speech"}
PACE_TRENDS = {None, "speeding_up", "slowing_down", "steady"}
LENGTH_VERDICTS = {None, "too_short", "short", "within", "long", "too_long"}
PAUSE_POSITIONS = {"between_sentences", "clause_boundary", "mid_clause", "after_filler"}
FILLER_KINDS = {"filled_pause", "discourse_marker"}
PAUSE_SOURCES = {"speech_regions", "word_gaps"}

#: words a real answer has (fillers, markers, punctuation the rules read) and odd ones
SPOKEN = ["Um,", "uh", "um.", "like,", "like", "you", "know,", "I", "mean", "so,", "So",
          "right?", "basically,", "Well,", "okay,", "I", "I", "the", "the", "team", "project",
          "result.", "reduced", "30%", "and", "yeah", "mhm", "uh-huh", "led", "the", "team."]
ODD = ["", " ", "...", "-", "—", ".", "?!", "''", "\"", "(", ")", "…", "Ünïcödé", "日本語。",
       "مرحبا", "😀", "\u200b", "\x00", "a\nb", "<b>", "'", "’", "--", "x" * 300]
texts = st.one_of(st.sampled_from(SPOKEN), st.sampled_from(ODD), st.text(max_size=12))

#: times from tiny to absurd, negative included; never NaN or infinite (those must raise)
times = st.one_of(
    st.floats(min_value=-5.0, max_value=120.0, allow_nan=False, allow_infinity=False),
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False),
    st.integers(min_value=-10, max_value=600),
    st.sampled_from([0.0, -0.0, 1e-9, 5e-324, 1e15, 1.7e308, -1.7e308]),
)


@st.composite
def words(draw):
    start = draw(times)
    length = draw(st.one_of(st.just(0.0), times,
                            st.floats(min_value=0.0, max_value=2.0, allow_nan=False)))
    end = start + length if math.isfinite(start + length) else start
    probability = draw(st.floats(min_value=0.0, max_value=1.0))
    return Word(draw(texts), start, end, probability)


@st.composite
def plausible_words(draw, min_size=0):
    """An ordered-ish timeline of spoken words, so the rules that need sentences fire."""
    count = draw(st.integers(min_value=min_size, max_value=80))
    t = draw(st.floats(min_value=0.0, max_value=10.0))
    out = []
    for _ in range(count):
        t += draw(st.sampled_from([0.0, 0.05, 0.1, 0.3, 1.2, 3.5, -0.2]))
        length = draw(st.sampled_from([0.0, 0.1, 0.3, 0.6]))
        out.append(Word(draw(st.sampled_from(SPOKEN)), t, t + length))
        t += length
    return out


regions = st.lists(st.tuples(times, times), max_size=8)
GOOD_TARGETS = [(1.0, 2.0), (60.0, 90.0), (0.5, 600.0), (1e-3, 86400.0)]
#: what a hand-edited stored report might hold; a bank never passes these
BAD_TARGETS = [(0.0, 0.0), (90.0, 60.0), (-5.0, 5.0), (1e308, 1e308), (math.nan, 5.0),
               (0.0, math.inf)]
questions = st.one_of(
    st.none(),
    st.builds(QuestionInfo, text=texts,
              kind=st.one_of(st.none(), st.sampled_from(KINDS)),
              target_s=st.one_of(st.none(), st.sampled_from(GOOD_TARGETS + BAD_TARGETS)),
              keywords=st.lists(texts, max_size=3).map(tuple)),
)
durations = st.one_of(times, st.just(0.0))


def _transcript(word_list, duration_s, speech_regions=()):
    return Transcript(words=tuple(word_list), duration_s=duration_s,
                      speech_regions=tuple(speech_regions))


def check_report(transcript, question):
    """Analyse, and check every documented range of the result and its JSON."""
    analysis = analyze_answer(transcript, question=question)
    report = build_report(transcript, question=question)
    encoded = json.dumps(report, allow_nan=False)  # NaN or infinity anywhere raises here
    # the transcript's metrics, and no delivery: there were no samples to measure
    assert json.loads(encoded)["metrics"] == {**analysis.to_dict()["metrics"], "delivery": None}
    metrics = analysis.to_dict()["metrics"]

    fillers = metrics["fillers"]
    assert fillers["count"] == len(fillers["items"]) >= 0
    assert fillers["filled_pause_count"] + fillers["discourse_marker_count"] == fillers["count"]
    assert fillers["per_minute"] >= 0 and fillers["per_100_words"] >= 0
    assert 0 <= fillers["sentence_start_count"] <= fillers["count"]
    assert sum(t["count"] for t in fillers["top"]) == fillers["count"]
    assert {i["kind"] for i in fillers["items"]} <= FILLER_KINDS
    assert all(i["start_s"] <= i["end_s"] for i in fillers["items"])

    pace = metrics["pace"]
    assert pace["verdict"] in PACE_VERDICTS and pace["trend"] in PACE_TRENDS
    for key in ("words_per_minute", "articulation_wpm"):
        assert pace[key] is None or pace[key] >= 0
    assert all(w["words_per_minute"] >= 0 and w["start_s"] <= w["end_s"]
               for w in pace["windows"])

    pauses = metrics["pauses"]
    assert pauses["count"] == len(pauses["items"])
    assert 0 <= pauses["very_long_count"] <= pauses["long_count"] <= pauses["count"]
    assert pauses["pause_ratio"] is None or 0 <= pauses["pause_ratio"] <= 1
    assert pauses["total_pause_s"] >= 0
    assert pauses["first_word_s"] is None or pauses["first_word_s"] >= 0
    assert pauses["source"] in PAUSE_SOURCES
    for pause in pauses["items"]:
        assert pause["position"] in PAUSE_POSITIONS
        assert 0 <= pause["start_s"] <= pause["end_s"] and pause["duration_s"] >= 0

    length = metrics["length"]
    assert length["verdict"] in LENGTH_VERDICTS
    assert length["duration_s"] >= 0 and length["speaking_s"] >= 0
    assert length["word_count"] >= 0
    assert (length["verdict"] is None) == (length["word_count"] == 0)
    low, high = length["target_s"]
    assert 0 < low < high

    rambling = metrics["rambling"]
    assert rambling["signal_count"] == len(rambling["signals"])
    assert {s["name"] for s in rambling["signals"]} <= set(SIGNAL_NAMES)
    assert rambling["flagged"] == (rambling["judged"]
                                   and rambling["signal_count"] >= rambling["min_signals"])

    feedback = analysis.to_dict()["feedback"]
    assert 1 <= len(feedback) <= 5
    assert all(item["severity"] >= 0 and item["title"] and item["detail"]
               for item in feedback)
    assert [item["severity"] for item in feedback] == sorted(
        (item["severity"] for item in feedback), reverse=True)
    return metrics


@PROPERTIES
@given(st.lists(words(), max_size=40), durations, regions, questions)
@example([], 0.0, [], None)
@example([Word("um", 5.0, 5.0)], 0.0, [], None)
@example([Word("...", -1.0, -2.0), Word("—", 3.0, 1.0)], 1.0, [(2.0, 1.0)], None)
def test_any_timeline_gives_a_valid_result_or_a_clear_error(word_list, duration_s,
                                                          speech_regions, question):
    transcript = _transcript(word_list, duration_s, speech_regions)
    if any(max(w.start_s, w.end_s) > MAX_TIME_S for w in word_list) or duration_s > MAX_TIME_S:
        with pytest.raises(AnalysisError, match=r"must be at most 86400 s \(24 hours\)"):
            analyze_answer(transcript, question=question)
    elif question is not None and question.target_s in BAD_TARGETS:
        with pytest.raises(AnalysisError, match=r"^Question target_s is .*: it must be \(min,"):
            analyze_answer(transcript, question=question)
    else:
        check_report(transcript, question)


@PROPERTIES
@given(plausible_words(), st.floats(min_value=0.0, max_value=600.0), questions)
def test_spoken_timelines_give_a_valid_result(word_list, duration_s, question):
    assume(question is None or question.target_s not in BAD_TARGETS)
    metrics = check_report(_transcript(word_list, duration_s), question)
    assert metrics["length"]["word_count"] <= len(word_list)


@PROPERTIES
@given(plausible_words(min_size=1), st.data(),
       st.sampled_from([math.nan, math.inf, -math.inf]))
def test_a_time_that_is_not_a_number_is_a_clear_error(word_list, data, bad):
    position = data.draw(st.integers(min_value=0, max_value=len(word_list) - 1))
    field = data.draw(st.sampled_from(["start_s", "end_s"]))
    word = word_list[position]
    word_list[position] = Word(word.text, **{"start_s": word.start_s, "end_s": word.end_s,
                                             field: bad})
    with pytest.raises(AnalysisError, match="finite numbers of seconds"):
        analyze_answer(_transcript(word_list, 10.0))


@PROPERTIES
@given(st.sampled_from([math.nan, math.inf, -math.inf, "10", None]))
def test_a_duration_that_is_not_a_number_is_a_clear_error(bad):
    with pytest.raises(AnalysisError, match="finite number of seconds"):
        analyze_answer(_transcript(timeline("I led the team."), bad))


# --- regressions the properties found --------------------------------------------------------


def test_a_word_a_billion_seconds_in_is_a_clear_error_not_billions_of_windows():
    """It used to ask for one pace window every 5 s up to that time, and ran out of memory."""
    words = (*timeline("I led the team."), Word("done.", 1e9, 1e9 + 0.3))
    with pytest.raises(AnalysisError) as error:
        analyze_answer(_transcript(words, 10.0))
    assert str(error.value) == (
        "Word 5 ('done.') has start_s=1000000000.0: word times must be at most 86400 s (24"
        " hours) into the answer. Transcribe the audio again, or drop that word from the"
        " timeline.")


def test_a_day_long_answer_still_gets_its_pace_windows_quickly():
    words = [Word("word", t * 0.5, t * 0.5 + 0.3) for t in range(40_000)]  # 5.5 hours
    words.append(Word("end.", MAX_TIME_S - 1.0, MAX_TIME_S))
    pace = analyze_answer(_transcript(words, MAX_TIME_S)).pace
    assert len(pace.windows) == 17_278
    assert pace.windows[0].words_per_minute == pytest.approx(120.0)
    assert pace.windows[-1].words_per_minute == pytest.approx(4.0)


def test_a_duration_over_a_day_is_a_clear_error():
    with pytest.raises(AnalysisError, match=r"^Transcript duration_s is 1e\+308: it must be at"
                                            r" most 86400 s \(24 hours\)"):
        analyze_answer(_transcript(timeline("um um"), 1e308))


def test_words_a_denormal_apart_give_finite_rates():
    """Two words 5e-324 s apart made fillers per minute and pace infinite (invalid JSON)."""
    words = [Word("Um,", 0.0, 0.0), Word("Um,", 5e-324, 5e-324)]
    metrics = check_report(_transcript(words, 1.0), None)
    assert metrics["fillers"]["count"] == 2 and metrics["fillers"]["per_minute"] == 0.0
    assert metrics["pace"]["words_per_minute"] is None


@pytest.mark.parametrize("target_s", BAD_TARGETS, ids=str)
def test_a_question_target_that_is_not_a_range_is_a_clear_error(target_s):
    """NaN and infinite targets raised ValueError or OverflowError, or wrote NaN into JSON."""
    question = QuestionInfo("Why us?", kind="motivation", target_s=target_s)
    with pytest.raises(AnalysisError) as error:
        analyze_answer(_transcript(timeline("I like it."), 3.0), question=question)
    assert str(error.value) == (
        f"Question target_s is {target_s!r}: it must be (min, max) seconds with 0 < min < max"
        " <= 86400. Fix the question's target_s in its bank.")
