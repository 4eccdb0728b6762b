"""Each rambling signal fires on a crafted answer and stays quiet on a concise one."""

import pytest

from mockview.analysis import AnalysisSettings, analyze_answer
from mockview.words import QuestionInfo

from .analysis_helpers import CONCISE, MOTIVATION, sentence, transcript

BEHAVIORAL = QuestionInfo("Tell me about a time you improved a process.", kind="behavioral")
STAR = (
    "Our release process took days of manual checks. I was asked to speed it up. I wrote"
    " a checklist, automated the slowest tests, and trained the team on the new pipeline."
    " As a result, releases now take three hours and we ship weekly."
)


def rambling_of(text, question=MOTIVATION, duration_s=60.0, settings=None, **kwargs):
    t = transcript(text, duration_s=duration_s, **kwargs)
    return analyze_answer(t, question=question, settings=settings).to_dict()["metrics"][
        "rambling"]


def names(rambling):
    return [s["name"] for s in rambling["signals"]]


def test_a_concise_answer_fires_nothing():
    rambling = rambling_of(CONCISE)
    assert rambling == {"flagged": False, "signal_count": 0, "min_signals": 2, "judged": True,
                        "note": None, "signals": []}


def test_a_concise_star_answer_fires_nothing():
    assert names(rambling_of(STAR, question=BEHAVIORAL, duration_s=100.0)) == []


def test_over_length():
    rambling = rambling_of(CONCISE, duration_s=100.0)
    assert names(rambling) == ["over_length"]
    signal = rambling["signals"][0]
    assert signal["detail"].startswith("The answer runs 1:40, past the 0:45-1:30 target")
    assert not rambling["flagged"]


DRIFT_ON = (
    "I led the billing migration to the cloud platform. The billing migration moved invoices"
    " to the cloud. We tested the billing platform for several weeks. The migration kept"
    " customer invoices accurate. Cloud billing costs dropped after the migration. Our"
    " invoices reached customers faster from the cloud platform."
)
DRIFT_OFF = (
    " On weekends I enjoy hiking mountains with my dog. My dog loves swimming in lakes during"
    " summer. Summer evenings are great for long walks outside."
)


def test_drift_fires_when_later_sentences_leave_the_topic():
    question = QuestionInfo("Tell me about the billing migration you led.", kind="intro")
    rambling = rambling_of(DRIFT_ON + DRIFT_OFF, question=question, duration_s=70.0)
    assert names(rambling) == ["drift"]
    signal = rambling["signals"][0]
    assert "0%" in signal["detail"]
    assert any("dog" in e["text"] for e in signal["evidence"])


def test_drift_stays_quiet_on_topic_and_with_too_few_sentences():
    question = QuestionInfo("Tell me about the billing migration you led.", kind="intro")
    assert names(rambling_of(DRIFT_ON, question=question, duration_s=70.0)) == []
    short = "I led the billing migration. It went well for us. " + DRIFT_OFF
    assert "drift" not in names(rambling_of(short, question=question, duration_s=70.0))


def test_repetition_of_a_three_word_phrase():
    text = (
        "The billing system was slow. We rebuilt the billing system in March. Then the"
        " billing system handled twice the load. Customers were happy with the results."
    )
    rambling = rambling_of(text)
    assert names(rambling) == ["repetition"]
    signal = rambling["signals"][0]
    assert signal["detail"].startswith('"the billing system" comes up 3 times (0:00, 0:')
    assert len(signal["evidence"]) == 3
    assert signal["evidence"][0]["text"] == "The billing system"


def test_repetition_ignores_fillers_and_needs_three_occurrences():
    twice = ("The billing system was slow. We rebuilt the um billing system in March and"
             " customers were happy with how quickly it responded afterwards.")
    assert names(rambling_of(twice)) == []
    thrice = twice + " The, um, billing system is still running."
    assert names(rambling_of(thrice)) == ["repetition"]


def test_restated_sentence_is_repetition():
    text = (
        "Our customer support queue doubled during the launch week. I built a triage bot for"
        " tickets. Our customer support queue had doubled during the launch week, you see."
        " We hired two more people."
    )
    rambling = rambling_of(text)
    assert names(rambling) == ["repetition"]
    assert "restates the one at 0:00" in rambling["signals"][0]["detail"]


def test_run_on_sentence():
    text = "We shipped it. " + sentence(40) + " Then we rested."
    rambling = rambling_of(text)
    assert names(rambling) == ["run_on"]
    assert rambling["signals"][0]["detail"] == "The sentence at 0:01 runs 40 words."
    text = "We shipped it. " + sentence(39) + " Then we rested."
    assert names(rambling_of(text)) == []


def test_run_on_is_skipped_without_any_punctuation():
    # a transcript with no full stop at all has no sentences to judge
    assert names(rambling_of(sentence(60, end=""))) == []


def test_restarts_and_self_corrections():
    text = CONCISE.replace("At my last job I", "At my last job I I").replace(
        "for the", "for the the").replace("This role", "Let me rephrase. This role")
    text = text.replace("built dashboards that the", "built dashboards that the the")
    rambling = rambling_of(text)
    assert names(rambling) == ["restarts"]
    assert rambling["signals"][0]["detail"].startswith("3 restarts or self-corrections: \"I I\"")


def test_two_restarts_are_not_enough():
    text = CONCISE.replace("At my last job I", "At my last job I I").replace(
        "built dashboards that the", "built dashboards that the the")
    assert names(rambling_of(text)) == []


def test_intended_doubles_are_not_restarts():
    text = CONCISE + " It was very very good. I had had doubts. That that worked surprised us."
    assert "restarts" not in names(rambling_of(text))


def test_filler_density_rising_in_the_last_third():
    late = (" Um, and then, um, we also, um, built things, uh, for teachers.")
    rambling = rambling_of(CONCISE + late)
    assert names(rambling) == ["filler_rise"]
    assert rambling["signals"][0]["detail"].startswith("Fillers rise from 0.0 per minute")
    assert [e["text"] for e in rambling["signals"][0]["evidence"]] == ["um", "um", "um", "uh"]


def test_one_late_filler_does_not_fire_and_even_fillers_do_not_rise():
    assert names(rambling_of(CONCISE + " Um, that is it for me.")) == []
    even = CONCISE.replace("At my", "Um, at my").replace("I also", "Um, I also").replace(
        "That mission", "Um, that mission")
    assert "filler_rise" not in names(rambling_of(even))


@pytest.mark.parametrize("ending", [
    "So yeah.", "I guess that's it.", "That's about it.", "We fixed bugs and stuff.",
    "We fixed bugs or something.", "Yeah.", "So yeah, um.",
])
def test_no_ending(ending):
    rambling = rambling_of(CONCISE + " " + ending)
    assert names(rambling) == ["no_ending"]
    assert "trails off" in rambling["signals"][0]["detail"]


def test_a_concluding_sentence_is_an_ending():
    assert names(rambling_of(CONCISE + " That is why I applied.")) == []


def test_no_result_for_behavioral_questions_only():
    no_result = STAR.replace(" As a result, releases now take three hours and we ship weekly.",
                             " The team liked the new pipeline.")
    rambling = rambling_of(no_result, question=BEHAVIORAL, duration_s=100.0)
    assert names(rambling) == ["no_result"]
    assert rambling["signals"][0]["evidence"][0]["text"].startswith("The team liked")
    assert names(rambling_of(no_result.replace("took days", "took two days"),
                             question=BEHAVIORAL, duration_s=100.0)) == ["no_result"]
    assert names(rambling_of(no_result, question=MOTIVATION)) == []
    assert names(rambling_of(no_result, question=None)) == []


@pytest.mark.parametrize("result", [
    "In the end the team liked it.", "We reduced the wait.", "It took 3 hours.",
    "Releases became 40% faster.", "The outcome was good.", "Which meant weekly releases.",
    "Review time went from three days to one.", "I learned to ask early.",
])
def test_result_cues(result):
    no_result = STAR.replace(" As a result, releases now take three hours and we ship weekly.",
                             " " + result)
    assert names(rambling_of(no_result, question=BEHAVIORAL, duration_s=100.0)) == []


def test_flagged_needs_two_signals():
    one = rambling_of(CONCISE + " So yeah.")
    assert (one["flagged"], one["signal_count"]) == (False, 1)
    two = rambling_of(CONCISE + " So yeah.", duration_s=100.0)
    assert names(two) == ["over_length", "no_ending"]
    assert two["flagged"] is True
    settings = AnalysisSettings(rambling_min_signals=3)
    assert rambling_of(CONCISE + " So yeah.", duration_s=100.0, settings=settings)[
        "flagged"] is False


def test_thin_evidence_is_not_judged():
    rambling = rambling_of("We shipped it and stuff. So yeah.", duration_s=200.0)
    assert (rambling["judged"], rambling["flagged"], rambling["signals"]) == (False, False, [])
    assert rambling["note"].startswith("Only 7 words and 2.7 s of speaking: too little")
