"""Delivery findings become tips, ranked with the transcript's tips in the report."""

from __future__ import annotations

import numpy as np
import pytest

from mockview.analysis.feedback import FeedbackItem, merge_tips
from mockview.report import build_report
from mockview.speech.delivery import MAX_DELIVERY_SEVERITY, analyze_delivery, delivery_tips
from mockview.words import Transcript, Word

from .test_delivery import SR, lively, silence, spoken, steady, transcript, voice, words_over


def ids(tips) -> list[str]:
    return [tip.id for tip in tips]


def sentences(*, rising: set[int] = frozenset(), fading: set[int] = frozenset(),
              count: int = 6):
    """``count`` lively 3 s statements; those in ``rising`` end 6 semitones up over their
    last 300 ms, those in ``fading`` end on a last word 12 dB down."""
    pieces, words, t = [silence(0.5)], [], 0.5
    for number in range(count):
        pitch = lively(3.0, hz=130.0, swing_st=6.0)
        pitch[-int(0.6 * SR):] = 130.0
        if number in rising:
            pitch[-int(0.3 * SR):] = 130.0 * 2 ** (np.linspace(0, 6, int(0.3 * SR)) / 12)
        level = np.zeros(pitch.size)
        if number in fading:
            level[-int(0.6 * SR):] = np.concatenate([np.linspace(0, -12, int(0.3 * SR)),
                                                     np.full(int(0.3 * SR), -12.0)])
        pieces += [voice(pitch, level, seed=number), silence(0.4, seed=10 + number)]
        words += words_over(t, t + 2.4, end_with="")
        words.append(Word(f"end{number}.", t + 2.4, t + 3.0))
        t += 3.4
    audio = np.concatenate(pieces)
    return audio, transcript(audio, words, [(w.start_s, w.end_s) for w in words])


def test_a_monotone_voice_gets_a_tip_naming_its_flattest_stretch():
    audio, start, end = spoken(steady(20.0))
    delivery = analyze_delivery(audio, transcript(audio, words_over(start, end)))
    [tip] = delivery_tips(delivery)
    assert tip.id == "monotone"
    assert tip.detail.startswith("Your pitch varied by 0.")
    assert "It was flattest at 0:00." in tip.detail or "flattest at 0:01." in tip.detail
    assert tip.evidence[0].start_s == pytest.approx(start, abs=0.1)
    assert 0.5 <= tip.severity <= MAX_DELIVERY_SEVERITY


def test_a_lively_voice_gets_no_tip():
    audio, start, end = spoken(lively(20.0))
    delivery = analyze_delivery(audio, transcript(audio, words_over(start, end)))
    assert delivery.judged
    assert delivery_tips(delivery) == ()


def test_uptalk_is_a_tip_when_it_is_a_habit_not_once():
    audio, tr = sentences(rising={1, 3, 4})
    delivery = analyze_delivery(audio, tr)
    assert delivery.uptalk.rising == 3
    [tip] = delivery_tips(delivery)
    assert tip.id == "uptalk"
    assert tip.detail.startswith("3 of 6 statements rose at the end")
    assert [e.text.split()[-1] for e in tip.evidence] == ["end1.", "end3.", "end4."]

    audio, tr = sentences(rising={2})
    delivery = analyze_delivery(audio, tr)
    assert delivery.uptalk.rising == 1
    assert delivery_tips(delivery) == ()  # once is not a habit


def test_fading_is_a_tip_when_it_is_a_habit_not_once():
    audio, tr = sentences(fading={0, 2, 5})
    delivery = analyze_delivery(audio, tr)
    assert len(delivery.volume.fades) == 3
    [tip] = delivery_tips(delivery)
    assert tip.id == "fading"
    assert tip.detail.startswith("3 of 6 sentences faded at their last word (at 0:03, 0:10 "
                                 "and 0:20)")
    audio, tr = sentences(fading={4})
    assert delivery_tips(analyze_delivery(audio, tr)) == ()


def test_no_tip_when_delivery_was_not_judged_or_not_measured():
    audio, start, end = spoken(steady(5.0))  # under 10 s of speech: monotone not judged
    delivery = analyze_delivery(audio, transcript(audio, words_over(start, end)))
    assert delivery.judged and delivery.pitch.monotone is None
    assert delivery_tips(delivery) == ()
    noisy = audio + np.random.default_rng(5).normal(0, 0.05, audio.size).astype(np.float32)
    delivery = analyze_delivery(noisy, transcript(audio, words_over(start, end)))
    assert not delivery.judged
    assert delivery_tips(delivery) == ()
    assert delivery_tips(None) == ()


def tip(name: str, severity: float) -> FeedbackItem:
    return FeedbackItem(name, name, name, (), severity)


def test_tips_from_the_voice_are_ranked_with_the_others_and_cut_to_five():
    feedback = (tip("fillers", 1.2), tip("pace", 0.6), tip("pauses", 0.3), tip("length", 0.2))
    merged = merge_tips(feedback, (tip("monotone", 0.7), tip("uptalk", 0.5)))
    assert ids(merged) == ["fillers", "monotone", "pace", "uptalk", "pauses"]


def test_a_positive_note_gives_way_to_a_voice_tip_and_no_speech_stays_alone():
    praise = (tip("positive", 0.0),)
    assert ids(merge_tips(praise, (tip("fading", 0.4),))) == ["fading"]
    assert merge_tips(praise, ()) == praise
    silent = (tip("no_speech", 1.0),)
    assert merge_tips(silent, (tip("quiet", 0.45),)) == silent


def test_the_report_carries_the_delivery_and_its_tips():
    audio, start, end = spoken(steady(20.0))
    words = words_over(start, end, per_s=2.3)
    tr = Transcript(words=tuple(words), duration_s=audio.size / SR,
                    speech_regions=((start, end),))
    report = build_report(tr, delivery=analyze_delivery(audio, tr))
    assert report["schema_version"] == 4
    assert report["metrics"]["delivery"]["pitch"]["monotone"] is True
    assert "monotone" in [tip["id"] for tip in report["feedback"]]
    assert build_report(tr)["metrics"]["delivery"] is None


@pytest.mark.model
def test_a_recording_too_long_for_delivery_never_loads_its_libraries():
    """Over ``MAX_DELIVERY_S`` (here lowered to 5 s for an 11 s file) the answer is analysed
    without its delivery, and the delivery's libraries (scipy's filters, about 75 MB) are
    never imported."""
    import subprocess
    import sys

    from .audio_helpers import DATA

    code = ("import sys, mockview.report as report\n"
            "report.MAX_DELIVERY_S = float(sys.argv[2])\n"
            "result = report.analyze_recording(sys.argv[1])\n"
            "print(result['metrics']['delivery'] is None, 'scipy.signal' in sys.modules)\n")
    for limit, expected in (("5", "True False"), ("60", "False True")):
        run = subprocess.run([sys.executable, "-c", code, str(DATA / "jfk.flac"), limit],
                             capture_output=True, text=True, check=True)
        assert run.stdout.split() == expected.split(), run.stderr
