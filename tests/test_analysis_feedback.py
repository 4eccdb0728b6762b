"""Feedback: only what needs work, worst first, with this answer's numbers and times."""

import re

from mockview.analysis import AnalysisSettings, analyze_answer
from mockview.words import QuestionInfo, Transcript

from .analysis_helpers import CONCISE, MOTIVATION, sentence, transcript


def feedback_of(text, question=MOTIVATION, duration_s=60.0, settings=None, **kwargs):
    t = transcript(text, duration_s=duration_s, **kwargs)
    return analyze_answer(t, question=question, settings=settings).to_dict()["feedback"]


def test_items_have_the_documented_keys():
    for item in feedback_of("Um, " + CONCISE, duration_s=200.0):
        assert set(item) == {"id", "title", "detail", "evidence", "severity"}
        assert isinstance(item["severity"], float)
        for e in item["evidence"]:
            assert set(e) == {"text", "start_s", "end_s"}


def test_a_good_answer_gets_one_positive_note():
    feedback = feedback_of(CONCISE)  # 150 wpm, no fillers, 1:00 of a 0:45-1:30 target
    assert [f["id"] for f in feedback] == ["well_done"]
    assert feedback[0]["severity"] == 0.0
    assert feedback[0]["detail"].startswith("Nothing here needs work: pace 151 wpm (target"
                                            " 120-160), 0.0 fillers per 100 words")


def test_fillers_tip_cites_counts_rates_and_times():
    text = ("Um, I want this role. Um, it joins data and teaching. Um, I built dashboards"
            " for the sales team. Um, I ran training sessions for new analysts every week."
            " This role combines both.")
    feedback = feedback_of(text, word_s=0.3, gap_s=0.1)
    item = feedback[0]
    assert item["id"] == "fillers"
    assert item["title"] == "Start sentences with a silent pause"
    assert item["detail"].startswith('You said "um" 4 times (')
    assert "4 of them came right at the start of a sentence, at 0:00, 0:02, 0:04 and 0:08" \
        in item["detail"]
    assert [e["text"] for e in item["evidence"]] == ["um"] * 4


def test_worst_metric_comes_first():
    # 200 wpm (far past the flag) and 4.5 fillers per 100 words (a little past the target)
    text = CONCISE.replace("I also ran", "Um, I also ran").replace("That", "Um, that")
    text = text + " Um, " + sentence(6)
    fast = feedback_of(text, word_s=0.2, gap_s=0.1)
    assert [f["id"] for f in fast][:2] == ["pace", "fillers"]
    assert fast[0]["title"] == "Slow down"
    assert re.search(r"You spoke at 2\d\d words per minute", fast[0]["detail"])
    calm = feedback_of(text, word_s=0.3, gap_s=0.1)
    assert [f["id"] for f in calm] == ["fillers"]


def test_mid_sentence_long_pauses_are_cited_with_time_and_word():
    text = CONCISE.replace("built dashboards", "built [1.5] dashboards").replace(
        "training sessions", "training [2.0] sessions")
    item = next(f for f in feedback_of(text) if f["id"] == "pauses")
    assert item["title"] == "Pause at full stops, not mid-sentence"
    assert '2 long pauses fell mid-sentence: 1.5 s at 0:08 after "built", 2.0 s at 0:14' \
        ' after "training"' in item["detail"]


def test_pauses_between_sentences_need_no_tip():
    text = CONCISE.replace("daily. I also", "daily. [1.5] I also")
    assert [f["id"] for f in feedback_of(text)] == ["well_done"]


def test_slow_pace_caused_by_pauses_says_so():
    text = " [3.0] ".join(s + "." for s in CONCISE.split(". "))
    item = next(f for f in feedback_of(text) if f["id"] == "pace")
    assert "while actually talking: the pauses" in item["detail"]


def test_length_tip_names_the_kind_and_target():
    question = QuestionInfo("Tell me about a conflict.", kind="behavioral")
    text = CONCISE + " As a result we grew."
    feedback = feedback_of(text, question=question, duration_s=200.0)
    item = feedback[0]
    assert item["id"] == "length"
    assert item["title"] == "Trim it to under 2:00"
    assert item["detail"].startswith("Your answer ran 3:20; behavioral answers land best at"
                                     " 1:30-2:00 (flag over 3:00).")


def test_missing_result_gets_its_own_tip():
    question = QuestionInfo("Tell me about a time you improved a process.", kind="behavioral")
    feedback = feedback_of(CONCISE, question=question, duration_s=100.0)
    assert [f["id"] for f in feedback] == ["result"]
    assert feedback[0]["title"] == "State the result"


def test_flagged_rambling_is_one_tip_naming_its_signals():
    feedback = feedback_of(CONCISE + " So yeah.", duration_s=100.0)
    ids = [f["id"] for f in feedback]
    assert "rambling" in ids and "no_ending" not in ids
    item = feedback[ids.index("rambling")]
    assert item["detail"].startswith("2 rambling signals fired (over length, no ending).")


def test_a_single_signal_gets_a_modest_tip():
    feedback = feedback_of(CONCISE + " So yeah.")
    assert [(f["id"], f["title"]) for f in feedback] == [("no_ending", "End on a conclusion")]


def test_thinking_time():
    feedback = feedback_of(CONCISE, start_s=8.0, duration_s=70.0)
    item = next(f for f in feedback if f["id"] == "thinking_time")
    assert item["detail"].startswith("You took 8.0 s before your first word.")


def test_thin_evidence_instead_of_judging():
    feedback = feedback_of("We shipped it quickly.", duration_s=60.0)
    assert [f["id"] for f in feedback] == ["thin_evidence"]
    assert "too little to judge pace or rambling" in feedback[0]["detail"]


def test_no_speech():
    result = analyze_answer(Transcript((), duration_s=45.0))
    [item] = result.to_dict()["feedback"]
    assert item["id"] == "no_speech"
    assert "No speech was found" in item["detail"]
    assert "microphone" in item["detail"] and "file" in item["detail"]
    assert "0:45" in item["detail"]


def test_at_most_max_feedback_items():
    text = ("Um, " + CONCISE.replace("I also", "Um, I I also").replace("This", "Um, the the"
            " This").replace("That", "Um, uh, that") + " So yeah.")
    text = text.replace("built dashboards", "built [2.0] dashboards")
    question = QuestionInfo("Tell me about a time you improved a process.", kind="behavioral")
    many = feedback_of(text, question=question, duration_s=20.0, start_s=9.0,
                       word_s=0.15, gap_s=0.1)
    assert len(many) == 5
    assert [f["severity"] for f in many] == sorted((f["severity"] for f in many), reverse=True)
    few = feedback_of(text, question=question, duration_s=20.0, start_s=9.0, word_s=0.15,
                      gap_s=0.1, settings=AnalysisSettings(max_feedback_items=2))
    assert few == many[:2]
