"""Filler rules, each in both directions (the README's metrics section, "Fillers")."""

import pytest

from mockview.analysis import analyze_answer
from mockview.words import Transcript, Word

from .analysis_helpers import sentence, transcript


def fillers_of(text, **kwargs):
    return analyze_answer(transcript(text, **kwargs)).to_dict()["metrics"]["fillers"]


def found(text, **kwargs):
    return [(i["text"], i["kind"]) for i in fillers_of(text, **kwargs)["items"]]


def markers(text, **kwargs):
    return [text for text, kind in found(text, **kwargs) if kind == "discourse_marker"]


@pytest.mark.parametrize("word, canonical", [
    ("um", "um"), ("Um,", "um"), ("Umm...", "um"), ("uhm", "um"), ("uh", "uh"),
    ("Uhh.", "uh"), ("er", "er"), ("erm,", "er"), ("ah", "ah"), ("hmm", "hmm"),
    ("Hm.", "hmm"), ("mm", "hmm"), ("mmm,", "hmm"),
])
def test_filled_pauses_always_count(word, canonical):
    assert found(f"We {word} shipped it.") == [(canonical, "filled_pause")]


@pytest.mark.parametrize("text", [
    "Mhm. We shipped it.", "Mm-hmm, we shipped it.", "Uh-huh. We shipped it.",
    "Uh huh. We shipped it.", "Mm hmm, we shipped it.",
])
def test_backchannels_never_count(text):
    assert found(text) == []


@pytest.mark.parametrize("text, expected", [
    # like
    ("It was, like, really hard.", ["like"]),
    ("It was hard, like [0.5] really hard.", ["like"]),
    ("We had, like, like, no time.", ["like", "like"]),
    ("And um like we waited.", ["like"]),
    ("Like, I did not know.", ["like"]),
    ("Like a normal phone, you dial the number.", []),
    ("Like a normal phone [0.5] you dial the number.", []),
    ("I'd like to lead it.", []),
    ("It looks like rain.", []),
    ("It sounds like a plan.", []),
    ("We like it here.", []),
    ("I really like the work.", []),
    ("It was just like that one.", []),
    ("Something like ten people came.", []),
    ("M F A is like [0.5] putty.", []),
    ("M F A is, like, putty.", []),
    ("It was, like, [0.5] hard.", ["like"]),
    ("I have hobbies, like reading.", []),
    # you know
    ("We were, you know, stuck.", ["you know"]),
    ("You know, I think it helped.", ["you know"]),
    ("It was hard, you know.", ["you know"]),
    ("It was hard, you know?", ["you know"]),
    ("And you know, we fixed it.", ["you know"]),
    ("If you know your extension, dial it.", []),
    ("You know the answer.", []),
    ("I think you know the answer.", []),
    ("If you know, call me.", []),
    ("Do you know?", []),
    ("The people you know, they help.", []),
    # so
    ("So, I started in March.", ["so"]),
    ("Um, so, I started in March.", ["so"]),
    ("It failed. So, we rebuilt it.", ["so"]),
    ("So [0.5] I started in March.", ["so"]),
    ("So I started in March.", []),
    ("We did it so that the team could rest.", []),
    ("It helped so much.", []),
    ("So far it works.", []),
    ("We fixed logs, alerts and so on.", []),
    ("It was so, so hard.", []),
    # right
    ("That works, right?", ["right"]),
    ("Right, the plan was simple.", ["right"]),
    ("Right. The plan was simple.", ["right"]),
    ("We need it right now.", []),
    ("It was the right call.", []),
    ("That's right.", []),
    ("Is that right?", []),
    ("Turn right, then stop.", []),
    # I mean
    ("I mean, it worked.", ["I mean"]),
    ("It worked, I mean, mostly.", ["I mean"]),
    ("I mean it.", []),
    ("What I mean is simple.", []),
    # basically / actually / literally
    ("Basically, we rewrote it.", ["basically"]),
    ("Basically we rewrote it.", ["basically"]),
    ("We, actually, rewrote it.", ["actually"]),
    ("And literally, nobody came.", ["literally"]),
    ("It's basically a rewrite.", []),
    ("It was literally the worst.", []),
    ("We actually shipped it.", []),
    # okay / well at the start of an answer
    ("Okay, so I started in March.", ["okay"]),
    ("Well, I think it helped.", ["well"]),
    ("Ok. I think it helped.", ["okay"]),
    ("It went okay, I think.", []),
    ("It went well, I think.", []),
    ("Well designed code helps.", []),
])
def test_discourse_marker_rules(text, expected):
    assert markers(text) == expected


def test_multi_word_markers_are_one_item_spanning_both_words():
    items = fillers_of("We were, you know, stuck.", word_s=0.3, gap_s=0.1)["items"]
    assert items == [{"text": "you know", "kind": "discourse_marker", "start_s": 0.8,
                      "end_s": 1.5, "sentence_start": False, "source": "model"}]


def test_counts_rates_and_top():
    # 30 words over 12 s: 3 "um", 1 "like", 1 "you know"(2 words)
    text = ("Um, we were, you know, stuck. Um, it was, like, so hard. Um, we "
            + sentence(16))
    fillers = fillers_of(text, word_s=0.4, gap_s=0.0)
    assert fillers["count"] == 5
    assert (fillers["filled_pause_count"], fillers["discourse_marker_count"]) == (3, 2)
    assert fillers["per_minute"] == 25.0
    assert fillers["per_100_words"] == pytest.approx(16.7)
    assert fillers["top"] == [{"text": "um", "count": 3}, {"text": "you know", "count": 1},
                              {"text": "like", "count": 1}]
    assert fillers["sentence_start_count"] == 3


def test_sentence_start_marks_the_filler_after_a_full_stop():
    items = fillers_of("We shipped it. Um, then we, um, left.")["items"]
    assert [i["sentence_start"] for i in items] == [True, False]


def test_pauses_from_speech_regions_set_markers_off():
    # "so" then silence the word timestamps hide: the audio shows the pause
    words = (Word("So", 0.0, 0.9), Word("I", 1.0, 1.2), Word("started.", 1.3, 1.8))
    regions = ((0.0, 0.3), (0.8, 1.8))
    result = analyze_answer(Transcript(words, duration_s=2.0, speech_regions=regions))
    assert [i.text for i in result.fillers.items] == ["so"]
    no_regions = analyze_answer(Transcript(words, duration_s=2.0))
    assert no_regions.fillers.items == ()


def test_no_fillers_in_fluent_speech():
    fillers = fillers_of("I led the migration of our billing system to the cloud. "
                         "It cut costs by a third.")
    assert (fillers["count"], fillers["per_minute"], fillers["items"]) == (0, 0.0, [])
