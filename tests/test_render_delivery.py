"""How the answer sounds (``metrics["delivery"]``) as lines, in the terminal and in Markdown.

The delivery dicts are made with the analysis's own result classes, so they have exactly
the shape ``analyze_delivery(...).to_dict()`` gives; one comes from real speech.
"""

from __future__ import annotations

import io

import pytest
import soundfile as sf
from click.testing import CliRunner
from rich.console import Console

from mockview.cli import cli
from mockview.render.delivery import delivery_findings, delivery_lines
from mockview.render.terminal import delivery_panel, render_report
from mockview.report import build_report
from mockview.speech.audio import load_audio
from mockview.speech.delivery import (
    DeliveryResult,
    Fade,
    FlatStretch,
    PitchMetrics,
    QuietStretch,
    Uptalk,
    UptalkMetrics,
    VolumeMetrics,
    analyze_delivery,
)
from mockview.store import Store
from mockview.words import QuestionInfo, Transcript, Word

from .audio_helpers import DATA
from .test_quality import textgrid_intervals

QUESTION = QuestionInfo("Tell me about yourself.", kind="intro", id="intro-about-yourself")
MONOTONE_TIP = ("stress the key word of each sentence, and let your voice rise and fall with"
                " the meaning.")
UPTALK_TIP = "let your pitch fall on the last word of a statement."
FADE_TIP = ("keep enough breath to finish each sentence at full voice; the last word often"
            " carries the point.")
QUIET_TIP = "keep your voice up there, or the listener may miss those words."


# --- delivery dicts -------------------------------------------------------------------------


def flat(start_s: float, end_s: float, text: str, variation: float = 1.4) -> FlatStretch:
    return FlatStretch(start_s, end_s, variation, text,
                       "Your pitch varied by under 2 semitones from 0:00 to 0:00"
                       f" (lively speech moves 2 or more): {MONOTONE_TIP}")


def rise(start_s: float, text: str, semitones: float = 5.1) -> Uptalk:
    return Uptalk(text, start_s, start_s + 0.3, semitones,
                  f"At 0:00 your statement “{text}” rose {semitones:.1f} semitones at the end,"
                  f" which makes it sound like a question: {UPTALK_TIP}")


def fade(start_s: float, end_s: float, text: str, drop_db: float = 8.0) -> Fade:
    return Fade(text, start_s, end_s, drop_db,
                f"At 0:00 your voice faded on the last word of “{text}” ({drop_db:.0f} dB"
                f" below the rest of the sentence): {FADE_TIP}")


def quiet(start_s: float, end_s: float, text: str, below_db: float = 12.0) -> QuietStretch:
    return QuietStretch(text, start_s, end_s, below_db,
                        f"From 0:00 to 0:00 you spoke {below_db:.0f} dB below your usual"
                        f" level: {QUIET_TIP}")


def delivery(*, judged: bool = True, note: str | None = None, variation: float | None = 3.4,
             monotone: bool | None = False, flats=(), rises=(), statements: int = 0,
             fades=(), sentences: int = 0, quiets=(), pitch_note: str | None = None) -> dict:
    """A delivery dict; by default a judged, lively answer with nothing flagged."""
    pitch = PitchMetrics("yin", 98.6, variation, 12.6, (), monotone, tuple(flats), pitch_note)
    share = len(rises) / statements if statements else None
    uptalk = UptalkMetrics(statements, len(rises), share, tuple(rises))
    volume = VolumeMetrics(-28.2, -46.0, 17.8, 0.5, (None, -25.6, -26.8), tuple(fades),
                           sentences, tuple(quiets))
    return DeliveryResult(judged, note, 19.3, pitch, uptalk, volume).to_dict()


NOT_JUDGED = ("The speech stands only 7 dB above the background noise (delivery needs 12 dB;"
              " a quiet room gives 15-25), so pitch and volume were not judged: record"
              " somewhere quieter, or nearer the microphone.")


def not_judged() -> dict:
    return delivery(judged=False, note=NOT_JUDGED, monotone=None)


def everything() -> dict:
    """Monotone, two rising statements of five, one fade, one quiet stretch."""
    return delivery(
        variation=1.6, monotone=True,
        flats=[flat(5.0, 25.0, "we built the new system and then we …")],
        rises=[rise(12.1, "and that was the plan."), rise(40.5, "so I left.", 6.3)],
        statements=5, fades=[fade(62.0, 62.5, "… carries the point.")], sentences=7,
        quiets=[quiet(70.0, 75.5, "and then we shipped it")])


def corpus_delivery() -> dict:
    """The real delivery of the monologue, from its aligned words (no punctuation, so no
    statement endings to measure)."""
    audio_path = DATA / "acoustic_corpus.wav"
    words = tuple(Word(text, start, end) for start, end, text
                  in textgrid_intervals(DATA / "acoustic_corpus.TextGrid") if text)
    transcript = Transcript(words=words, duration_s=sf.info(audio_path).duration)
    return analyze_delivery(load_audio(audio_path), transcript).to_dict()


# --- the lines ------------------------------------------------------------------------------


def test_a_lively_answer_with_nothing_flagged():
    assert delivery_lines(delivery(sentences=4, statements=3)) == [
        "Pitch: varies 3.4 semitones, lively (target 2 or more)",
        "Uptalk: 0 of 3 statements rose at the end",
        "Volume: -28 dBFS, 18 dB above the background; 0 of 4 sentence endings faded",
    ]


def test_every_finding_with_its_time_words_and_what_to_do():
    assert delivery_lines(everything()) == [
        "Pitch: varies 1.6 semitones, monotone (target 2 or more)",
        "  0:05-0:25 flat (under 2 semitones): “we built the new system and then we …”",
        "  → Stress the key word of each sentence, and let your voice rise and fall with the"
        " meaning.",
        "Uptalk: 2 of 5 statements rose at the end like a question",
        "  0:12 “and that was the plan.” rose 5.1 semitones",
        "  0:41 “so I left.” rose 6.3 semitones",
        "  → Let your pitch fall on the last word of a statement.",
        "Volume: -28 dBFS, 18 dB above the background; 1 of 7 sentence endings faded",
        "  1:02 faded 8 dB on the last word: “… carries the point.”",
        "  → Keep enough breath to finish each sentence at full voice; the last word often"
        " carries the point.",
        "  1:10-1:16 quiet (12 dB below your level): “and then we shipped it”",
        "  → Keep your voice up there, or the listener may miss those words.",
    ]


def test_findings_keep_their_times_for_seeking():
    timed = [(f.kind, f.start_s, f.end_s) for f in delivery_findings(everything()) if f.when]
    assert timed == [("flat", 5.0, 25.0), ("rise", 12.1, None), ("rise", 40.5, None),
                     ("fade", 62.0, None), ("quiet", 70.0, 75.5)]


def test_evidence_too_weak_gives_the_note_and_no_verdicts():
    assert delivery_lines(not_judged()) == [NOT_JUDGED]
    weak = delivery(judged=False, note=None, monotone=None)
    assert delivery_lines(weak) == ["Delivery was not judged."]


def test_a_pitch_too_short_to_judge_says_why_with_what_was_measured():
    short = ("Only 7.4 s of speech: too short to call the pitch monotone or lively (that needs"
             " 10 s).")
    lines = delivery_lines(delivery(variation=2.8, monotone=None, pitch_note=short,
                                    statements=1, sentences=1))
    assert lines[0] == f"Pitch: varies 2.8 semitones. {short}"
    assert lines[1:] == ["Uptalk: 0 of 1 statement rose at the end",
                         "Volume: -28 dBFS, 18 dB above the background; 0 of 1 sentence ending"
                         " faded"]
    scraps = ("Only 0.9 s of the speech had a clear pitch: too little to judge pitch variation"
              " or uptalk (that needs 3 s).")
    lines = delivery_lines(delivery(variation=None, monotone=None, pitch_note=scraps))
    assert lines[0] == f"Pitch: {scraps}"


@pytest.mark.parametrize("missing", [None, {}])
def test_no_delivery_gives_no_lines(missing):
    assert delivery_lines(missing) == []
    assert delivery_findings(missing) == []


def test_a_long_list_is_cut_and_counted():
    rises = [rise(10.0 * n, f"statement {n}.") for n in range(7)]
    lines = delivery_lines(delivery(rises=rises, statements=9))
    assert lines[1] == "Uptalk: 7 of 9 statements rose at the end like a question"
    assert lines[2:7] == ["  0:00 “statement 0.” rose 5.1 semitones",
                          "  0:10 “statement 1.” rose 5.1 semitones",
                          "  0:20 “statement 2.” rose 5.1 semitones",
                          "  0:30 “statement 3.” rose 5.1 semitones",
                          "  and 3 more rises"]


def test_pitch_too_thin_to_measure_and_no_statements():
    lines = delivery_lines(delivery(variation=None, monotone=None))
    assert lines[:2] == ["Pitch: too little voiced speech to measure",
                         "Uptalk: no statement's ending could be measured"]


def test_a_suggestion_without_advice_is_shown_whole():
    odd = delivery(rises=[Uptalk("up?", 3.0, 3.3, 5.0, "Say it flat")], statements=1)
    assert delivery_lines(odd)[2:4] == ["  0:03 “up?” rose 5.0 semitones", "  → Say it flat"]


def test_real_speech_gives_a_judged_summary():
    found = delivery_lines(corpus_delivery())
    assert len(found) == 3, found
    assert found[0].startswith("Pitch: varies ") and " semitones, " in found[0]
    assert found[1] == "Uptalk: no statement's ending could be measured"
    assert found[2].startswith("Volume: -") and " dB above the background" in found[2]


# --- the terminal ---------------------------------------------------------------------------


def printed(renderable, width: int = 200) -> str:
    console = Console(file=io.StringIO(), width=width)
    console.print(renderable)
    return console.file.getvalue()


def report_with(metrics_delivery, *, drop_key: bool = False) -> dict:
    words = tuple(Word(w, i * 0.4, i * 0.4 + 0.3) for i, w in enumerate(
        "In my last role I led the move to a new billing system and we cut errors by half."
        .split()))
    report = build_report(Transcript(words=words, duration_s=len(words) * 0.4 + 1.0),
                          question=QUESTION)
    if drop_key:
        report["metrics"].pop("delivery", None)  # a report stored before delivery existed
    else:
        report["metrics"]["delivery"] = metrics_delivery
    return report


def terminal(report: dict) -> str:
    console = Console(file=io.StringIO(), width=200)
    render_report(report, console, details=True)
    return console.file.getvalue()


def test_the_terminal_panel_comes_after_what_the_answer_says():
    shown = terminal(report_with(everything()))
    assert "How it sounds (heuristic)" in shown
    assert shown.index("What the answer says") < shown.index("How it sounds")
    for line in delivery_lines(everything()):
        assert line.strip() in shown


def test_the_terminal_says_when_delivery_was_not_judged():
    shown = printed(delivery_panel(not_judged()))
    assert NOT_JUDGED in shown
    assert "Pitch:" not in shown and "monotone" not in shown


@pytest.mark.parametrize("drop_key", [False, True])
def test_the_terminal_without_delivery_shows_no_panel(drop_key):
    shown = terminal(report_with(None, drop_key=drop_key))
    assert "What the answer says" in shown
    assert "How it sounds" not in shown


def test_markup_in_quoted_words_shows_as_text_in_the_terminal():
    markup = "[bold red]boom[/bold red] [link=http://x]y[/link]"
    shown = terminal(report_with(delivery(rises=[rise(2.0, markup)], statements=1)))
    assert f"“{markup}” rose 5.1 semitones" in shown


# --- Markdown -------------------------------------------------------------------------------


def export_markdown(*reports: dict) -> str:
    with Store.open() as store:
        session_id = store.start_session()
        answer_id = store.add_answer(session_id, QUESTION)
        for report in reports:
            store.add_take(answer_id, None, report)
    result = CliRunner().invoke(cli, ["export", str(session_id), "--format", "md"])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_markdown_has_what_the_answer_says_and_how_it_sounds():
    text = export_markdown(report_with(everything()))
    assert "**What the answer says (heuristic)**" in text
    assert text.index("**What the answer says") < text.index("**How it sounds (heuristic)**")
    assert "- Pitch: varies 1.6 semitones, monotone" in text
    assert "  - 0:12 “and that was the plan.” rose 5.1 semitones" in text
    assert "  - 1:10-1:16 quiet (12 dB below your level): “and then we shipped it”" in text


def test_markdown_not_judged_missing_and_none():
    judged_not, missing, none = export_markdown(
        report_with(not_judged()), report_with(None, drop_key=True),
        report_with(None)).split("## Answer 1, take ")[1:]
    assert "**How it sounds (heuristic)**\n\n- The speech stands only 7 dB above" in judged_not
    assert "How it sounds" not in missing and "How it sounds" not in none


def test_markup_in_quoted_words_is_escaped_in_markdown():
    attack = "<script>alert(1)</script> *bold* [x](y)"
    text = export_markdown(report_with(delivery(rises=[rise(2.0, attack)], statements=1)))
    assert r"“\<script\>alert(1)\</script\> \*bold\* \[x\](y)” rose" in text
    assert "<script>" not in text
