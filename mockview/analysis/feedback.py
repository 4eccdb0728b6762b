"""Feedback: the few things that matter most for this answer, with its numbers and times.

Every candidate tip belongs to a metric that is outside its target, and its ``severity``
says how far: 1.0 means "at the flag line" (for example 180 wpm, a pause ratio of 35%, a
behavioral answer of 3:00, 6 fillers per 100 words), 0.5 halfway from the target's edge to
the flag line. Tips are ranked by severity and cut to ``max_feedback_items``. Only when no
tip is due is there one positive note (severity 0). Question-bank tips are not chosen
here: the renderer shows them next to these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mockview.analysis.fillers import DISCOURSE_MARKER, FillerMetrics
from mockview.analysis.length import LengthMetrics
from mockview.analysis.pace import PaceMetrics
from mockview.analysis.pauses import Pause, PauseMetrics
from mockview.analysis.rambling import RamblingMetrics, RamblingSignal
from mockview.analysis.settings import AnalysisSettings
from mockview.analysis.text import Evidence, clock, list_times

KIND_LABELS = {
    "intro": "intro (\"tell me about yourself\")",
    "behavioral": "behavioral",
    "motivation": "motivation",
    "strengths": "strengths and weaknesses",
    "situational": "situational",
    "technical": "short factual",
    "closing": "closing",
}
LONG_TIPS = {
    "behavioral": "Keep the situation to two sentences and spend the time on what you did and"
                  " the result.",
    "intro": "Cover three beats: what you do now, one highlight that got you here, and why"
             " this role.",
}
SHORT_TIPS = {
    "behavioral": "Walk through Situation, Task, Action and Result: most of the time on what"
                  " you did, ending with what changed.",
    "intro": "Add one highlight with a concrete result, and say why this role.",
}
SIGNAL_TIPS = {
    "drift": ("Stay on the question",
              "Tie each part back to the question, and cut what does not answer it."),
    "repetition": ("Say each point once", "Make a point once, then move on to the next."),
    "run_on": ("Break up long sentences",
               "Put a full stop where the idea changes: short sentences are easier to follow"
               " by ear."),
    "restarts": ("Finish each sentence you start",
                 "Plan the sentence before you start it; a short silence beats a restart."),
    "no_ending": ("End on a conclusion",
                  "Close with one sentence that sums up the result or what you learned, then"
                  " stop."),
}
#: signals that another tip already covers when rambling is not flagged
_COVERED = ("over_length", "filler_rise", "no_result")
SIGNAL_SEVERITY = 0.35
NO_RESULT_SEVERITY = 0.8


@dataclass(frozen=True)
class FeedbackItem:
    """One tip: ``id`` names the metric ("fillers", "pace", ...), ``title`` is a short
    imperative, ``detail`` cites this answer's numbers and times."""

    id: str
    title: str
    detail: str
    evidence: tuple[Evidence, ...]
    severity: float

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "detail": self.detail,
            "evidence": [e.to_dict() for e in self.evidence],
            "severity": round(self.severity, 2),
        }


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def no_speech_feedback(duration_s: float) -> tuple[FeedbackItem, ...]:
    return (
        FeedbackItem(
            "no_speech",
            "Check the microphone or file",
            f"No speech was found in this recording ({clock(duration_s)} of audio). Check that"
            " the right microphone is selected, not muted and close enough, or that the file"
            " holds your answer, then record again.",
            (),
            1.0,
        ),
    )


def build_feedback(
    *,
    fillers: FillerMetrics,
    pace: PaceMetrics,
    pauses: PauseMetrics,
    length: LengthMetrics,
    rambling: RamblingMetrics,
    span_s: float,
    settings: AnalysisSettings,
) -> tuple[FeedbackItem, ...]:
    """The ranked tips for one answer (at least one item, at most ``max_feedback_items``)."""
    if not length.word_count:
        return no_speech_feedback(length.duration_s)
    candidates = [
        thin_evidence_tip(length.word_count, span_s, rambling, settings=settings),
        fillers_tip(fillers, rambling, settings=settings),
        pace_tip(pace, pauses, settings=settings),
        pauses_tip(pauses, settings=settings),
        thinking_tip(pauses, settings=settings),
        length_tip(length),
        *rambling_tips(rambling),
    ]
    tips = sorted((c for c in candidates if c is not None and c.severity > 0),
                  key=lambda c: -c.severity)
    if not tips:
        return (positive_note(fillers, pace, pauses, length, settings=settings),)
    return tuple(tips[: settings.max_feedback_items])


def thin_evidence_tip(
    word_count: int, span_s: float, rambling: RamblingMetrics, *, settings: AnalysisSettings
) -> FeedbackItem | None:
    if rambling.judged:
        return None
    return FeedbackItem(
        "thin_evidence",
        "Give a fuller answer",
        f"Only {_plural(word_count, 'word')} over {span_s:.1f} s of speech were found: too"
        f" little to judge pace or rambling (that needs {settings.min_words_to_judge} words"
        f" and {settings.min_span_to_judge_s:g} s). If you said more, check that the"
        " microphone picked it up.",
        (),
        1.0,
    )


def fillers_tip(
    fillers: FillerMetrics, rambling: RamblingMetrics, *, settings: AnalysisSettings
) -> FeedbackItem | None:
    good = settings.fillers_good_per_100_words
    if fillers.count < settings.fillers_min_count_for_tip or fillers.per_100_words <= good:
        return None
    top = fillers.top[:3]
    rates = (f"{fillers.per_minute:.1f} per minute, {fillers.per_100_words:.1f} per 100 words;"
             f" under {good:g} per 100 words is good")
    if top[0][1] == 1:
        names = [f"\"{text}\"" for text, _ in fillers.top]
        listed = ", ".join(names[:-1]) + " and " + names[-1]
        detail = f"You used {fillers.count} different fillers, {listed} ({rates})."
    else:
        said = [f"\"{text}\" {_plural(n, 'time')}" for text, n in top if n > 1]
        said_text = said[0] if len(said) == 1 else ", ".join(said[:-1]) + " and " + said[-1]
        if len(fillers.top) == 1:
            detail = f"You said {said_text} ({rates})."
        else:
            detail = f"You said {said_text} ({fillers.count} fillers in all: {rates})."
    openers = [i for i in fillers.items if i.sentence_start]
    markers = [i for i in fillers.items if i.kind == DISCOURSE_MARKER]
    if len(openers) * 2 >= fillers.count:
        detail += (f" {len(openers)} of them came right at the start of a sentence, at"
                   f" {list_times([i.start_s for i in openers])}. Pause silently at sentence"
                   " starts instead: a beat of silence sounds more confident than a filler.")
        title = "Start sentences with a silent pause"
        shown = openers
    elif len(markers) * 2 > fillers.count:
        detail += (f" They fall at {list_times([i.start_s for i in markers])}. Most are"
                   " verbal habits rather than thinking time: listen back, notice each one,"
                   " and drop it rather than replace it.")
        title = f"Drop the \"{top[0][0]}\" habit"
        shown = markers
    else:
        detail += (f" They fall at {list_times([i.start_s for i in fillers.items])}. Let a"
                   " short silence take the place of each one: slowing down a little gives"
                   " you time to plan the next phrase.")
        title = "Replace fillers with silent pauses"
        shown = list(fillers.items)
    rise = rambling.signal("filler_rise")
    if rise is not None:
        detail += " " + rise.detail
    severity = (fillers.per_100_words - good) / good
    return FeedbackItem("fillers", title, detail,
                        tuple(Evidence(i.text, i.start_s, i.end_s) for i in shown[:6]), severity)


def pace_tip(
    pace: PaceMetrics, pauses: PauseMetrics, *, settings: AnalysisSettings
) -> FeedbackItem | None:
    if pace.verdict in ("not_enough_speech",) or pace.words_per_minute is None:
        return None
    wpm = pace.words_per_minute
    low, high = settings.pace_target_wpm
    flag_low, flag_high = settings.pace_flag_wpm
    windows = list(pace.windows)
    trend = ""
    if pace.trend in ("speeding_up", "slowing_down") and len(windows) >= 2:
        first, last = windows[0], windows[-1]
        verb = "sped up" if pace.trend == "speeding_up" else "slowed down"
        trend = (f" You {verb} from {first.words_per_minute:.0f} wpm at the start"
                 f" ({clock(first.start_s)}-{clock(first.end_s)}) to {last.words_per_minute:.0f}"
                 f" wpm at the end ({clock(last.start_s)}-{clock(last.end_s)}).")
    if pace.verdict in ("fast", "a_bit_fast"):
        fastest = max(windows, key=lambda w: w.words_per_minute)
        detail = (f"You spoke at {wpm:.0f} words per minute; {low:g}-{high:g} is easy to"
                  f" follow and over {flag_high:g} sounds rushed. Fastest stretch:"
                  f" {clock(fastest.start_s)}-{clock(fastest.end_s)} at"
                  f" {fastest.words_per_minute:.0f} wpm.{trend} Take a breath at each full stop"
                  " and let key points land.")
        severity = (wpm - high) / (flag_high - high or 1)
        title = "Slow down" if pace.verdict == "fast" else "Ease off the pace a little"
        evidence = (Evidence(f"{fastest.words_per_minute:.0f} wpm", fastest.start_s,
                             fastest.end_s),)
    elif pace.verdict in ("slow", "a_bit_slow"):
        slowest = min(windows, key=lambda w: w.words_per_minute)
        articulation = pace.articulation_wpm or 0.0
        if articulation >= low:
            detail = (f"You averaged {wpm:.0f} words per minute, but {articulation:.0f} while"
                      f" actually talking: the pauses ({(pauses.pause_ratio or 0):.0%} of the"
                      " time) slow you down, not your words. Shorten the long silences rather"
                      " than talking faster.")
        else:
            detail = (f"You spoke at {wpm:.0f} words per minute ({articulation:.0f} without the"
                      f" pauses); {low:g}-{high:g} keeps a listener with you. Slowest stretch:"
                      f" {clock(slowest.start_s)}-{clock(slowest.end_s)} at"
                      f" {slowest.words_per_minute:.0f} wpm. Rehearse the outline of the answer"
                      " so the words come more readily.")
        detail += trend
        severity = (low - wpm) / (low - flag_low or 1)
        title = "Pick up the pace" if pace.verdict == "slow" else "Pick up the pace a little"
        evidence = (Evidence(f"{slowest.words_per_minute:.0f} wpm", slowest.start_s,
                             slowest.end_s),)
    elif trend and pace.trend_change is not None:
        detail = (trend.strip() + f" Listeners notice tempo changes of about 10%; keep to"
                  f" {low:g}-{high:g} wpm throughout, and slow down for your conclusion.")
        severity = abs(pace.trend_change) / (2 * settings.pace_trend_ratio)
        title = "Keep an even pace"
        evidence = (Evidence(f"{windows[-1].words_per_minute:.0f} wpm", windows[-1].start_s,
                             windows[-1].end_s),)
    else:
        return None
    return FeedbackItem("pace", title, detail, evidence, severity)


def _after(pause: Pause) -> str:
    word = (pause.previous_word or "").rstrip(".,;:!?\u2026")
    return f" after \"{word}\"" if word else ""


def _pause_text(pause: Pause) -> str:
    return f"{pause.duration_s:.1f} s at {clock(pause.start_s)}{_after(pause)}"


def pauses_tip(pauses: PauseMetrics, *, settings: AnalysisSettings) -> FeedbackItem | None:
    ratio = pauses.pause_ratio or 0.0
    typical, flag = settings.pause_ratio_typical, settings.pause_ratio_flag
    ratio_severity = (ratio - typical) / (flag - typical or 1) if ratio > flag else 0.0
    mid = [p for p in pauses.items if p.long and p.position == "mid_clause"]
    very = [p for p in pauses.items if p.very_long and p not in mid]
    count_severity = min(1.5, 0.3 * len(mid) + 0.3 * len(very))
    severity = max(ratio_severity, count_severity)
    if severity <= 0:
        return None
    parts = []
    if ratio_severity:
        parts.append(f"Pauses took {ratio:.0%} of your speaking time (about {typical:.0%} is"
                     f" typical; over {flag:.0%} sounds hesitant).")
    if mid:
        parts.append(f"{_plural(len(mid), 'long pause')} fell mid-sentence: "
                     + ", ".join(_pause_text(p) for p in mid[:3])
                     + (f" and {len(mid) - 3} more" if len(mid) > 3 else "") + ".")
    if very:
        parts.append(f"{_plural(len(very), 'silence')} of {settings.very_long_pause_s:g} s or"
                     " more: " + ", ".join(_pause_text(p) for p in very[:3])
                     + (f" and {len(very) - 3} more" if len(very) > 3 else "") + ".")
    if mid:
        parts.append("Plan the next sentence at the full stop, then say it through; if you"
                     " need time mid-sentence, finish the phrase first.")
    elif very:
        parts.append("A long silence reads as being stuck: bridge it with a short recap (\"So"
                     " that was the problem; here is what I did\") instead.")
    else:
        parts.append("Keep pauses to a breath at full stops and commas; plan the answer's"
                     " outline before you start so you need fewer of them.")
    if mid:
        title = "Pause at full stops, not mid-sentence"
    elif very:
        title = "Shorten the long silences"
    else:
        title = "Cut down the silences"
    shown = (mid + very) or sorted(pauses.items, key=lambda p: -p.duration_s)
    evidence = tuple(
        Evidence(f"[{p.duration_s:.1f} s pause]{_after(p)}", p.start_s, p.end_s)
        for p in shown[:5]
    )
    return FeedbackItem("pauses", title, " ".join(parts), evidence, severity)


def thinking_tip(pauses: PauseMetrics, *, settings: AnalysisSettings) -> FeedbackItem | None:
    first = pauses.first_word_s
    if first is None or first <= settings.long_thinking_s:
        return None
    return FeedbackItem(
        "thinking_time",
        "Start sooner",
        f"You took {first:.1f} s before your first word. A breath or two is fine; past"
        f" {settings.long_thinking_s:g} s, open with a framing sentence (\"The project that"
        " comes to mind is...\") while you think.",
        (Evidence("[silence before the first word]", 0.0, first),),
        min(1.0, 0.3 + 0.1 * (first - settings.long_thinking_s)),
    )


def length_tip(length: LengthMetrics) -> FeedbackItem | None:
    target = length.target
    duration = length.duration_s
    if length.verdict in (None, "within"):
        return None
    label = ("this question's" if length.target_source == "question"
             else KIND_LABELS.get(length.kind, length.kind))
    span = f"{clock(target.min_s)}-{clock(target.max_s)}"
    if length.verdict in ("long", "too_long"):
        severity = (duration - target.max_s) / (target.flag_over_s - target.max_s or 1)
        detail = (f"Your answer ran {clock(duration)}; {label} answers land best at {span}"
                  f" (flag over {clock(target.flag_over_s)}). "
                  + LONG_TIPS.get(length.kind, "Make your point in the first sentence, give one"
                                  " example, and stop."))
        title = f"Trim it to under {clock(target.max_s)}"
    else:
        floor = target.flag_under_s if target.flag_under_s is not None else target.min_s / 2
        severity = (target.min_s - duration) / (target.min_s - floor or 1)
        flag = (f" (flag under {clock(target.flag_under_s)})"
                if target.flag_under_s is not None else "")
        detail = (f"Your answer ran {clock(duration)}; {label} answers land best at {span}"
                  f"{flag}. " + SHORT_TIPS.get(length.kind, "Add one concrete example and what"
                                               " came of it."))
        title = f"Say more: aim for {span}"
    return FeedbackItem("length", title, detail, (), severity)


def rambling_tips(rambling: RamblingMetrics) -> list[FeedbackItem]:
    tips = []
    no_result = rambling.signal("no_result")
    if no_result is not None:
        tips.append(FeedbackItem(
            "result",
            "State the result",
            "You never said how it turned out: no outcome, number, or result verb (reduced,"
            " launched, saved...). Finish with the Result: what changed, by how much, and what"
            " you learned.",
            no_result.evidence,
            NO_RESULT_SEVERITY,
        ))
    if rambling.flagged:
        signals: Sequence[RamblingSignal] = rambling.signals
        names = ", ".join(s.name.replace("_", " ") for s in signals)
        tips.append(FeedbackItem(
            "rambling",
            "Get to the point and land it",
            f"{len(signals)} rambling signals fired ({names}). "
            + " ".join(s.detail for s in signals if s.name != "no_result")
            + " Lead with your point, give one example, and close in one sentence.",
            tuple(s.evidence[0] for s in signals if s.evidence),
            0.5 * len(signals),
        ))
        return tips
    for signal in rambling.signals:
        if signal.name in _COVERED or signal.name not in SIGNAL_TIPS:
            continue
        title, advice = SIGNAL_TIPS[signal.name]
        tips.append(FeedbackItem(signal.name, title, f"{signal.detail} {advice}",
                                 signal.evidence[:4], SIGNAL_SEVERITY))
    return tips


def positive_note(
    fillers: FillerMetrics,
    pace: PaceMetrics,
    pauses: PauseMetrics,
    length: LengthMetrics,
    *,
    settings: AnalysisSettings,
) -> FeedbackItem:
    low, high = settings.pace_target_wpm
    parts = []
    if pace.words_per_minute is not None:
        parts.append(f"pace {pace.words_per_minute:.0f} wpm (target {low:g}-{high:g})")
    parts.append(f"{fillers.per_100_words:.1f} fillers per 100 words")
    parts.append(_plural(pauses.long_count, "long pause"))
    parts.append(f"{clock(length.duration_s)} against a {clock(length.target.min_s)}-"
                 f"{clock(length.target.max_s)} target")
    return FeedbackItem(
        "well_done",
        "Keep this delivery",
        "Nothing here needs work: " + ", ".join(parts) + ". Practise a harder question next.",
        (),
        0.0,
    )
