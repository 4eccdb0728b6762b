"""Pauses on hand-made timelines with known answers."""

import pytest

from mockview.analysis import AnalysisSettings, analyze_answer
from mockview.words import Transcript, Word

from .analysis_helpers import timeline, transcript


def pauses_of(t, **kwargs):
    return analyze_answer(t, **kwargs).to_dict()["metrics"]["pauses"]


def test_a_gap_of_1_2_s_is_exactly_that_pause():
    words = (Word("We", 0.0, 0.3), Word("moved", 0.4, 0.8), Word("fast.", 2.0, 2.4))
    pauses = pauses_of(Transcript(words, duration_s=2.4))
    assert pauses["items"] == [{
        "start_s": 0.8, "end_s": 2.0, "duration_s": 1.2, "long": True, "very_long": False,
        "position": "mid_clause", "previous_word": "moved", "next_word": "fast.",
    }]
    assert (pauses["count"], pauses["long_count"], pauses["very_long_count"]) == (1, 1, 0)
    assert pauses["longest_s"] == 1.2
    assert pauses["source"] == "word_gaps"


def test_gaps_under_250_ms_are_not_pauses_and_250_ms_is():
    words = (Word("a", 0.0, 0.2), Word("b", 0.44, 0.6), Word("c", 0.85, 1.0))
    pauses = pauses_of(Transcript(words, duration_s=1.0))
    assert [(p["start_s"], p["end_s"]) for p in pauses["items"]] == [(0.6, 0.85)]
    assert pauses["long_count"] == 0


def test_exactly_one_second_is_long_and_three_seconds_very_long():
    t = transcript("one [1.0] two [3.0] three", word_s=0.3)
    pauses = pauses_of(t)
    assert [(p["duration_s"], p["long"], p["very_long"]) for p in pauses["items"]] == [
        (1.0, True, False), (3.0, True, True)]
    assert (pauses["long_count"], pauses["very_long_count"], pauses["longest_s"]) == (2, 1, 3.0)


def test_leading_and_trailing_silence_are_not_pauses():
    t = transcript("I led the team.", start_s=4.0, duration_s=20.0)
    pauses = pauses_of(t)
    assert pauses["items"] == []
    assert pauses["first_word_s"] == 4.0
    assert pauses["pause_ratio"] == 0.0


def test_speech_regions_find_the_silence_a_word_swallowed():
    # "went" claims 0.4-5.3 s but the audio is silent from 1.0 to 4.9 s
    words = (Word("I", 0.0, 0.3), Word("went", 0.4, 5.3), Word("home.", 5.4, 5.7))
    regions = ((0.0, 1.0), (4.9, 5.7))
    pauses = pauses_of(Transcript(words, duration_s=6.0, speech_regions=regions))
    assert [(p["start_s"], p["end_s"], p["duration_s"]) for p in pauses["items"]] == [
        (1.0, 4.9, 3.9)]
    assert pauses["very_long_count"] == 1
    assert pauses["source"] == "speech_regions"
    assert pauses["items"][0]["previous_word"] == "went"


def test_speech_regions_override_word_gaps():
    # the words leave a 1.5 s gap but the audio holds voice through it (a missed word)
    words = (Word("a", 0.0, 0.5), Word("b", 2.0, 2.5))
    pauses = pauses_of(Transcript(words, duration_s=3.0, speech_regions=((0.0, 2.5),)))
    assert pauses["items"] == []


def test_breath_in_a_gap_between_words_leaves_the_pause_a_pause():
    # "uh [1.4 s: a breath and room tone, above the floor] and": the voice regions run
    # through the gap, the speech detector does not, and no word lies there
    words = (Word("I", 0.0, 0.3), Word("uh", 0.4, 0.8), Word("and", 2.2, 2.5),
             Word("then", 2.6, 2.9))
    voice = ((0.0, 2.9),)
    heard_as_speech = ((0.0, 0.35), (2.2, 2.9))  # the detector misses the "uh" too
    with_detector = Transcript(words, duration_s=3.0, speech_regions=voice,
                               detected_speech=heard_as_speech)
    without = Transcript(words, duration_s=3.0, speech_regions=voice)

    pauses = pauses_of(with_detector)

    # the "uh" is speech (a word lies over its sound) and the breath after it is not
    assert [(p["start_s"], p["end_s"]) for p in pauses["items"]] == [(0.9, 2.2)]
    assert pauses["items"][0]["position"] == "after_filler"
    assert pauses_of(without)["items"] == []  # sound alone would hide the pause


def test_speech_the_detector_heard_in_a_gap_between_words_is_no_pause():
    # a word the model left out: the detector heard speech, so the gap is not silence
    words = (Word("a", 0.0, 0.5), Word("b", 2.0, 2.5))
    t = Transcript(words, duration_s=3.0, speech_regions=((0.0, 2.5),),
                   detected_speech=((0.0, 0.5), (0.6, 1.9), (2.0, 2.5)))
    assert pauses_of(t)["items"] == []


def test_a_word_stretched_over_a_silence_still_shows_it_with_the_detector():
    words = (Word("I", 0.0, 0.3), Word("went", 0.4, 5.3), Word("home.", 5.4, 5.7))
    regions = ((0.0, 1.0), (4.9, 5.7))
    t = Transcript(words, duration_s=6.0, speech_regions=regions, detected_speech=regions)
    assert [(p["start_s"], p["end_s"]) for p in pauses_of(t)["items"]] == [(1.0, 4.9)]


def test_region_silences_are_clipped_to_the_speech_span():
    words = (Word("a", 1.0, 1.5), Word("b", 2.0, 2.5))
    regions = ((0.0, 0.2), (0.9, 1.5), (2.0, 2.5), (4.0, 5.0))
    pauses = pauses_of(Transcript(words, duration_s=6.0, speech_regions=regions))
    assert [(p["start_s"], p["end_s"]) for p in pauses["items"]] == [(1.5, 2.0)]


def test_short_region_gaps_are_not_pauses():
    words = (Word("a", 0.0, 0.5), Word("b", 0.7, 1.2))
    regions = ((0.0, 0.5), (0.6, 1.2))
    assert pauses_of(Transcript(words, duration_s=1.2, speech_regions=regions))["items"] == []


def test_pause_ratio_and_articulation_rate():
    # 4 words of 0.5 s, one 2 s pause: span 4 s, pauses 2 s (judged from that little here)
    t = transcript("one two [2.0] three four", word_s=0.5, gap_s=0.0)
    settings = AnalysisSettings(min_words_to_judge=4, min_speaking_to_judge_s=1.0)
    result = analyze_answer(t, settings=settings).to_dict()["metrics"]
    assert result["pauses"]["pause_ratio"] == 0.5
    assert result["pace"]["words_per_minute"] == 60.0
    assert result["pace"]["articulation_wpm"] == 120.0
    assert result["length"]["speaking_s"] == 2.0


@pytest.mark.parametrize("text, position", [
    ("We shipped it. [1.5] Then we left.", "between_sentences"),
    ("We shipped it, [1.5] then we left.", "clause_boundary"),
    ("We shipped it [1.5] and then we left.", "clause_boundary"),
    ("We shipped the [1.5] release on time.", "mid_clause"),
    ("We shipped, um, [1.5] the release.", "after_filler"),
    ("We shipped um [1.5] the release.", "after_filler"),
])
def test_pause_position(text, position):
    pauses = pauses_of(transcript(text))
    assert [p["position"] for p in pauses["items"]] == [position]


def test_min_pause_is_a_setting():
    t = transcript("one [0.3] two")
    settings = AnalysisSettings(min_pause_ms=400)
    assert pauses_of(t)["count"] == 1
    assert pauses_of(t, settings=settings)["count"] == 0


def test_overlapping_words_leave_no_negative_pause():
    words = (Word("a", 0.0, 1.0), Word("b", 0.5, 0.8), Word("c", 1.1, 1.3),
             Word("d", 2.0, 2.2))
    pauses = pauses_of(Transcript(words, duration_s=2.2))
    assert [(p["start_s"], p["end_s"]) for p in pauses["items"]] == [(1.3, 2.0)]


def test_timeline_helper_builds_known_times():
    words = timeline("a b [1.0] c", word_s=0.3, gap_s=0.1)
    assert [(w.start_s, w.end_s) for w in words] == [(0.0, 0.3), (0.4, 0.7), (1.7, 2.0)]


def test_a_word_stamped_early_into_a_silence_comes_after_it():
    # real timeline (mfa_putty): "like," is stamped from 3.01 s, but the audio is silent
    # until 3.25 s, so the pause is before "like", not after it
    words = (Word("MFA", 1.27, 2.41), Word("is,", 2.41, 2.79), Word("like,", 3.01, 3.57),
             Word("put", 3.59, 3.93), Word("T.", 3.93, 4.51))
    regions = ((1.47, 2.942), (3.25, 3.305), (3.48, 3.795), (4.15, 4.645))
    result = analyze_answer(Transcript(words, duration_s=5.0, speech_regions=regions))
    pauses = result.to_dict()["metrics"]["pauses"]["items"]
    assert [(p["start_s"], p["end_s"], p["previous_word"], p["next_word"]) for p in pauses] \
        == [(2.94, 3.25, "is,", "like,"), (3.79, 4.15, "put", "T.")]
    assert result.fillers.items == ()  # "is, like, putty" is a comparison


def test_a_zero_length_word_inside_a_silence_stays_before_it():
    # real timeline (acoustic corpus): the last "words." is stamped 22.52 s with no length
    words = (Word("words,", 21.94, 21.94), Word("words.", 22.52, 22.52),
             Word("Um,", 22.98, 23.44))
    regions = ((21.218, 22.43), (22.882, 23.614))
    pauses = pauses_of(Transcript(words, duration_s=24.0, speech_regions=regions))["items"]
    assert [(p["previous_word"], p["position"]) for p in pauses] == [("words.",
                                                                      "between_sentences")]


def test_a_word_the_detector_missed_is_speech_where_its_sound_is():
    # through a telephone band the detector hears only "I"; the model stamps "and" 0.4 s
    # after its sound starts, and the "s" ending "words" leaves no sound above the room
    words = (Word("I", 0.0, 0.3), Word("said", 0.4, 0.9), Word("words.", 0.9, 1.8),
             Word("And", 3.4, 3.9))
    voice = ((0.0, 0.3), (0.4, 1.5), (3.0, 3.7))
    t = Transcript(words, duration_s=4.0, speech_regions=voice,
                   detected_speech=((0.0, 0.3),))

    items = pauses_of(t)["items"]

    # the pause runs from the end of the last word's stamp to the start of the next sound
    assert [(p["start_s"], p["end_s"]) for p in items] == [(1.8, 3.0)]


def test_a_long_run_of_sound_beside_a_missed_word_counts_only_under_the_word():
    # room noise above the floor all through a gap: only the sound under the word is its
    words = (Word("I", 0.0, 0.3), Word("see.", 0.4, 0.8), Word("Yes.", 3.0, 3.4))
    voice = ((0.0, 3.4),)
    t = Transcript(words, duration_s=4.0, speech_regions=voice,
                   detected_speech=((0.0, 0.3), (3.0, 3.4)))

    items = pauses_of(t)["items"]

    assert [(p["start_s"], p["end_s"]) for p in items] == [(0.9, 3.0)]


def test_a_word_heard_in_part_keeps_its_weak_end_but_not_a_swallowed_pause():
    # the detector hears "words" only to 1.6 s (its final "s" is weak); the model stamps
    # "ask" from where "words" ends, over the pause before it; "then" is stamped 1.5 s past
    # what the detector heard of it, so only its first 0.3 s are taken for its weak end
    words = (Word("words.", 1.0, 1.8), Word("Ask", 1.8, 3.5), Word("then", 3.6, 5.5),
             Word("now.", 5.6, 6.0))
    detected = ((1.0, 1.6), (3.0, 3.5), (3.6, 4.0), (5.6, 6.0))
    t = Transcript(words, duration_s=7.0, speech_regions=detected, detected_speech=detected)

    items = pauses_of(t)["items"]

    assert [(p["start_s"], p["end_s"]) for p in items] == [(1.8, 3.0), (4.3, 5.6)]
