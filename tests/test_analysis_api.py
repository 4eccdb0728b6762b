"""The analysis contract: shape of to_dict(), repairs of odd timelines, clear errors, purity."""

import dataclasses
import json
import math
import re
import subprocess
import sys

import pytest

from mockview.analysis import ANALYSIS_VERSION, AnalysisSettings, AnswerAnalysis, analyze_answer
from mockview.errors import AnalysisError
from mockview.words import QuestionInfo, Transcript, Word

from .analysis_helpers import sentence, timeline, transcript


def test_version_is_semantic():
    assert re.fullmatch(r"\d+\.\d+\.\d+", ANALYSIS_VERSION)


def test_to_dict_shape():
    text = "Um, so, I led the team [1.2] through it. " + sentence(25)
    result = analyze_answer(transcript(text, duration_s=20.0),
                            question=QuestionInfo("Q?", kind="intro"))
    assert isinstance(result, AnswerAnalysis) and result.has_speech
    report = result.to_dict()
    assert set(report) == {"metrics", "feedback"}
    metrics = report["metrics"]
    assert set(metrics) == {"fillers", "pace", "pauses", "length", "rambling", "content",
                            "topics"}
    assert set(metrics["fillers"]) >= {"count", "per_minute", "per_100_words", "top", "items",
                                       "filled_pause_count", "discourse_marker_count"}
    assert set(metrics["fillers"]["items"][0]) >= {"text", "kind", "start_s", "end_s"}
    assert set(metrics["pace"]) >= {"words_per_minute", "articulation_wpm", "windows",
                                    "verdict"}
    assert set(metrics["pace"]["windows"][0]) == {"start_s", "end_s", "words_per_minute"}
    assert set(metrics["pauses"]) >= {"items", "count", "long_count", "very_long_count",
                                      "longest_s", "first_word_s", "pause_ratio"}
    assert set(metrics["pauses"]["items"][0]) >= {"start_s", "end_s", "duration_s", "long",
                                                  "position"}
    assert set(metrics["length"]) >= {"duration_s", "speaking_s", "word_count", "target_s",
                                      "flag_under_s", "flag_over_s", "verdict"}
    assert set(metrics["rambling"]) >= {"flagged", "signals"}
    assert report["feedback"]
    json.dumps(report)


def test_numbers_are_rounded():
    words = (Word("one", 0.123456, 0.4), Word("two", 1.777777, 2.0),
             Word("three.", 2.1, 2.333333))
    metrics = analyze_answer(Transcript(words, duration_s=3.0)).to_dict()["metrics"]
    pause = metrics["pauses"]["items"][0]
    assert (pause["start_s"], pause["end_s"], pause["duration_s"]) == (0.4, 1.78, 1.38)
    assert metrics["pauses"]["first_word_s"] == 0.12
    assert metrics["pauses"]["pause_ratio"] == round(1.377777 / 2.209877, 3)
    assert metrics["length"]["speaking_s"] == round(2.209877 - 1.377777, 2)


def test_no_words_is_a_valid_result_that_says_so():
    result = analyze_answer(Transcript((), duration_s=12.0, speech_regions=((1.0, 2.0),)))
    assert result.has_speech is False
    metrics = result.to_dict()["metrics"]
    assert metrics["fillers"]["count"] == 0 and metrics["fillers"]["per_minute"] == 0.0
    assert metrics["pace"]["words_per_minute"] is None
    assert metrics["pace"]["verdict"] == "not_enough_speech"
    assert metrics["pauses"]["items"] == [] and metrics["pauses"]["first_word_s"] is None
    assert metrics["length"]["duration_s"] == 12.0 and metrics["length"]["verdict"] is None
    assert metrics["rambling"]["flagged"] is False
    assert metrics["rambling"]["note"] == "No speech was found."
    assert [f["id"] for f in result.to_dict()["feedback"]] == ["no_speech"]


def test_unsorted_words_give_the_same_result_as_sorted():
    words = timeline("We shipped [1.2] it, you know, on time. " + sentence(20))
    shuffled = words[::2] + words[1::2]
    a = analyze_answer(Transcript(words, duration_s=20.0)).to_dict()
    b = analyze_answer(Transcript(shuffled, duration_s=20.0)).to_dict()
    assert a == b


def test_overlapping_and_zero_length_words_give_a_valid_result():
    words = (Word("We", 0.0, 0.5), Word("um", 0.3, 0.3), Word("shipped", 0.4, 1.0),
             Word("it.", 1.0, 1.0), Word("Then", 1.0, 0.9), Word("rested.", 2.5, 3.0))
    result = analyze_answer(Transcript(words, duration_s=3.0))
    metrics = result.to_dict()["metrics"]
    assert metrics["length"]["word_count"] == 6
    assert [p["start_s"] for p in metrics["pauses"]["items"]] == [1.0]
    assert metrics["fillers"]["count"] == 1


def test_negative_times_are_clamped_to_zero():
    words = (Word("We", -0.5, -0.1), Word("shipped", -0.2, 0.4), Word("it.", 0.5, 0.9))
    metrics = analyze_answer(Transcript(words, duration_s=1.0)).to_dict()["metrics"]
    assert metrics["pauses"]["first_word_s"] == 0.0
    assert metrics["length"]["speaking_s"] == 0.9


def test_a_single_zero_length_word():
    result = analyze_answer(Transcript((Word("Hi.", 1.0, 1.0),), duration_s=2.0)).to_dict()
    assert result["metrics"]["pace"]["words_per_minute"] is None
    assert result["metrics"]["length"]["word_count"] == 1
    assert [f["id"] for f in result["feedback"]] == ["length", "thin_evidence"]


def test_punctuation_is_not_a_word():
    words = (Word("We", 0.0, 0.3), Word("-", 0.3, 0.4), Word("shipped", 0.4, 0.7),
             Word("...", 0.7, 0.8), Word("it", 0.8, 1.0), Word(".", 1.0, 1.0))
    result = analyze_answer(Transcript(words, duration_s=1.0))
    assert result.length.word_count == 3


@pytest.mark.parametrize("start, end, name", [(math.nan, 1.0, "start_s"),
                                              (0.5, math.inf, "end_s")])
def test_nan_times_raise_a_clear_error(start, end, name):
    words = (Word("We", 0.0, 0.3), Word("shipped", start, end))
    with pytest.raises(AnalysisError) as error:
        analyze_answer(Transcript(words, duration_s=2.0))
    message = str(error.value)
    assert message.startswith(f"Word 2 ('shipped') has {name}=")
    assert "finite numbers of seconds" in message and "Transcribe the audio again" in message


def test_nan_duration_and_regions_raise():
    words = timeline("We shipped it.")
    with pytest.raises(AnalysisError, match=r"Transcript duration_s is nan: it must be a finite"):
        analyze_answer(Transcript(words, duration_s=math.nan))
    with pytest.raises(AnalysisError, match=r"Speech region 2 is \(nan, 1\.0\)"):
        analyze_answer(Transcript(words, duration_s=2.0,
                                  speech_regions=((0.0, 0.5), (math.nan, 1.0))))


@pytest.mark.parametrize("change, message", [
    ({"pace_window_s": 0.0}, "AnalysisSettings.pace_window_s is 0.0: it must be above 0"),
    ({"pace_target_wpm": (160, 120)}, "AnalysisSettings.pace_target_wpm is (160, 120): give"),
    ({"min_pause_ms": -1}, "AnalysisSettings.min_pause_ms is -1: it must not be negative."),
    ({"long_pause_s": math.nan}, "AnalysisSettings.long_pause_s is nan: it must be a finite"),
])
def test_bad_settings_raise_with_the_value(change, message):
    with pytest.raises(AnalysisError) as error:
        AnalysisSettings(**change)
    assert str(error.value).startswith(message)


def test_results_are_frozen():
    result = analyze_answer(transcript("We shipped it."))
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.has_speech = False  # type: ignore[misc]


def test_importing_the_analysis_stays_light():
    code = ("import sys, mockview.analysis; heavy = {'numpy', 'faster_whisper', 'librosa',"
            " 'sounddevice', 'soundfile', 'ctranslate2', 'rich', 'click', 'sqlite3'};"
            " print(sorted(heavy & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
