"""Pace: words per minute, articulation rate, windows and verdicts, computed exactly."""

import pytest

from mockview.analysis import AnalysisSettings, analyze_answer
from mockview.analysis.pace import pace_verdict
from mockview.words import Transcript, Word

from .analysis_helpers import sentence, transcript


def pace_of(t, **kwargs):
    return analyze_answer(t, **kwargs).to_dict()["metrics"]["pace"]


def test_30_words_over_12_s_is_150_wpm():
    t = transcript(sentence(30), word_s=0.4, gap_s=0.0)
    pace = pace_of(t)
    assert pace["words_per_minute"] == 150.0
    assert pace["articulation_wpm"] == 150.0
    assert pace["verdict"] == "good"


def test_fillers_count_as_words_and_leading_silence_does_not():
    t = transcript("um " + sentence(29), word_s=0.4, gap_s=0.0, start_s=5.0)
    assert pace_of(t)["words_per_minute"] == 150.0


def test_articulation_rate_leaves_pauses_out():
    # 30 words of 0.4 s with one 3 s pause: 15 s span, 12 s speaking
    text = sentence(15) + " [3.0] " + sentence(15)
    pace = pace_of(transcript(text, word_s=0.4, gap_s=0.0))
    assert pace["words_per_minute"] == 120.0
    assert pace["articulation_wpm"] == 150.0


def test_windows_count_words_by_midpoint():
    # 60 words at 0.5 s each: 30 s, steady 120 wpm; 15 s windows every 5 s
    pace = pace_of(transcript(sentence(60), word_s=0.5, gap_s=0.0))
    assert [(w["start_s"], w["end_s"]) for w in pace["windows"]] == [
        (0.0, 15.0), (5.0, 20.0), (10.0, 25.0), (15.0, 30.0)]
    assert {w["words_per_minute"] for w in pace["windows"]} == {120.0}
    assert pace["trend"] == "steady"


def test_speeding_up_is_a_trend():
    slow = [Word("slow", i * 0.6, i * 0.6 + 0.5) for i in range(25)]  # 0-15 s, 100 wpm
    fast = [Word("fast", 15 + i * 0.3, 15 + i * 0.3 + 0.3) for i in range(50)]  # 200 wpm
    pace = pace_of(Transcript(tuple(slow + fast), duration_s=30.0))
    assert pace["windows"][0]["words_per_minute"] == 100.0
    assert pace["windows"][-1]["words_per_minute"] == 200.0
    assert pace["trend"] == "speeding_up"


def test_a_span_shorter_than_a_window_gives_one_window():
    pace = pace_of(transcript(sentence(25), word_s=0.4, gap_s=0.0))
    assert pace["windows"] == [{"start_s": 0.0, "end_s": 10.0, "words_per_minute": 150.0}]


@pytest.mark.parametrize("wpm, verdict", [
    (109.9, "slow"), (110, "a_bit_slow"), (119.9, "a_bit_slow"), (120, "good"),
    (160, "good"), (160.1, "a_bit_fast"), (180, "a_bit_fast"), (180.1, "fast"),
])
def test_pace_verdict_boundaries(wpm, verdict):
    assert pace_verdict(wpm, settings=AnalysisSettings()) == verdict


def test_fast_answer_is_fast():
    # 50 words at 0.3 s: 15 s, 200 wpm
    assert pace_of(transcript(sentence(50), word_s=0.3, gap_s=0.0))["verdict"] == "fast"


@pytest.mark.parametrize("words, word_s, reason", [
    (19, 0.6, "Only 19 words: too little to judge pace (that needs 20 words)."),
    (30, 0.3, "Only 9.0 s of speaking: too little to judge pace (that needs 10 s)."),
])
def test_too_little_speech_is_not_judged(words, word_s, reason):
    # 19 words (too few) / 30 words in 9 s (too short): no rate to show or compare (issue 13)
    pace = pace_of(transcript(sentence(words), word_s=word_s, gap_s=0.0))
    assert pace["verdict"] == "not_enough_speech"
    assert pace["words_per_minute"] is None
    assert pace["note"] == reason


def test_targets_are_settings():
    settings = AnalysisSettings(pace_target_wpm=(100, 140), pace_flag_wpm=(90, 145))
    t = transcript(sentence(30), word_s=0.4, gap_s=0.0)
    assert pace_of(t, settings=settings)["verdict"] == "fast"
