"""Feedback: the few things that matter most for this answer, with its numbers and times.

Every candidate tip belongs to a metric that is outside its target, and its ``severity``
says how far: 1.0 means "at the flag line" (for example 180 wpm, a pause ratio of 35%, a
behavioral answer of 3:00, 6 fillers per 100 words), 0.5 halfway from the target's edge to
the flag line. Tips are ranked by severity and cut to ``max_feedback_items``. Only when no
tip is due is there one positive note (severity 0). Question-bank tips are not chosen
here: the renderer shows them next to these.

Content tips (structure, result, ownership, hedging, keywords, job terms, opening, ending)
come from rule-based readings of the words, so their severities stay at or under 0.8 (a
delivery metric at its flag line outranks them) and at most ``max_content_feedback_items``
of them are shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mockview import numbers
from mockview.analysis.settings import AnalysisSettings
from mockview.analysis.text import Evidence, clock, list_times

# The metric modules only for their types: delivery.py makes its tips with FeedbackItem,
# and a renderer that reads its settings should not compile the whole analysis for that.
if TYPE_CHECKING:
    from mockview.analysis.content import ContentResult
    from mockview.analysis.fillers import FillerMetrics
    from mockview.analysis.length import EvidenceMinimum, LengthMetrics
    from mockview.analysis.pace import PaceMetrics
    from mockview.analysis.pauses import Pause, PauseMetrics
    from mockview.analysis.rambling import RamblingMetrics, RamblingSignal

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
    "closing": "Give the answer itself in your first sentence, one sentence of context, and"
               " stop.",
}
SHORT_TIPS = {
    "behavioral": "Walk through Situation, Task, Action and Result: most of the time on what"
                  " you did, ending with what changed.",
    "intro": "Add one highlight with a concrete result, and say why this role.",
    "closing": "Give the answer itself in your first sentence (a date, a figure, a yes or"
               " no), then one sentence of context.",
}
#: a short answer (``length.evidence_minimum``) that runs short needs its answer said, not
#: an example
SHORT_ANSWER_TIP = ("Give the answer itself in your first sentence, then one sentence of"
                    " context.")
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
#: tips about what the answer says (``max_content_feedback_items`` of them at most)
CONTENT_TIP_IDS = frozenset({"result", "structure", "ownership", "hedging", "keywords",
                             "job_terms", "opening", "ending"})
HEURISTIC = "(read from cue phrases: a hint, not a verdict)"


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
    settings: AnalysisSettings,
    content: ContentResult | None = None,
    minimum: EvidenceMinimum | None = None,
) -> tuple[FeedbackItem, ...]:
    """The ranked tips for one answer (at least one item, at most ``max_feedback_items``,
    of which at most ``max_content_feedback_items`` are about content). ``minimum`` is the
    question's evidence minimum (``length.evidence_minimum``; the general one by default)."""
    if not length.word_count:
        return no_speech_feedback(length.duration_s)
    if minimum is None:
        from mockview.analysis.length import evidence_minimum

        minimum = evidence_minimum(None, settings=settings)
    candidates = [
        thin_evidence_tip(length, rambling, minimum),
        fillers_tip(fillers, rambling, settings=settings),
        pace_tip(pace, pauses, settings=settings),
        pauses_tip(pauses, settings=settings),
        thinking_tip(pauses, settings=settings),
        length_tip(length, short_answer=minimum.short_answer),
        *rambling_tips(rambling),
        *content_tips(content, rambling, settings=settings),
    ]
    tips = sorted((c for c in candidates if c is not None and c.severity > 0),
                  key=lambda c: -c.severity)
    if not tips:
        return (positive_note(fillers, pace, pauses, length, settings=settings),)
    chosen: list[FeedbackItem] = []
    content_count = 0
    for tip in tips:
        if tip.id in CONTENT_TIP_IDS:
            if content_count >= settings.max_content_feedback_items:
                continue
            content_count += 1
        chosen.append(tip)
    if not chosen:  # only content tips were due, and max_content_feedback_items is 0
        return (positive_note(fillers, pace, pauses, length, settings=settings),)
    return tuple(chosen[: settings.max_feedback_items])


def merge_tips(
    feedback: Sequence[FeedbackItem],
    extra: Sequence[FeedbackItem],
    *,
    settings: AnalysisSettings | None = None,
) -> tuple[FeedbackItem, ...]:
    """``feedback`` from :func:`build_feedback` ranked together with ``extra`` tips from
    elsewhere (the delivery analysis of the audio), cut to ``max_feedback_items``.

    A positive note (severity 0) stands only when no tip is due; "no speech" stays alone.
    """
    settings = settings or AnalysisSettings()
    if not extra or any(item.id == "no_speech" for item in feedback):
        return tuple(feedback)
    tips = [item for item in feedback if item.severity > 0] + list(extra)
    tips.sort(key=lambda item: -item.severity)  # stable: ties keep the analysis's order
    return tuple(tips[: settings.max_feedback_items])


def thin_evidence_tip(
    length: LengthMetrics, rambling: RamblingMetrics, minimum: EvidenceMinimum
) -> FeedbackItem | None:
    """Too little speech to judge pace and rambling. A short answer that is within its
    target said what it had to: it gets no tip for being short."""
    reason = minimum.shortfall(length.word_count, length.speaking_s, "pace or rambling")
    if rambling.judged or reason is None:
        return None
    if minimum.short_answer and length.verdict not in ("short", "too_short"):
        return None
    return FeedbackItem(
        "thin_evidence",
        "Give a fuller answer",
        f"{reason} If you said more, check that the microphone picked it up.",
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
    rates = (f"{numbers.one_decimal(fillers.per_minute)} per minute,"
             f" {numbers.one_decimal(fillers.per_100_words)} per 100 words;"
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
    from mockview.analysis.fillers import DISCOURSE_MARKER

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
        trend = (f" You {verb} from {numbers.wpm(first.words_per_minute)} at the start"
                 f" ({clock(first.start_s)}-{clock(first.end_s)}) to"
                 f" {numbers.wpm(last.words_per_minute)} at the end"
                 f" ({clock(last.start_s)}-{clock(last.end_s)}).")
    if pace.verdict in ("fast", "a_bit_fast"):
        fastest = max(windows, key=lambda w: w.words_per_minute)
        detail = (f"You spoke at {numbers.whole(wpm)} words per minute; {low:g}-{high:g} is easy to"
                  f" follow and over {flag_high:g} sounds rushed. Fastest stretch:"
                  f" {clock(fastest.start_s)}-{clock(fastest.end_s)} at"
                  f" {numbers.wpm(fastest.words_per_minute)}.{trend} Take a breath at each full"
                  " stop and let key points land.")
        severity = (wpm - high) / (flag_high - high or 1)
        title = "Slow down" if pace.verdict == "fast" else "Ease off the pace a little"
        evidence = (Evidence(numbers.wpm(fastest.words_per_minute), fastest.start_s,
                             fastest.end_s),)
    elif pace.verdict in ("slow", "a_bit_slow"):
        slowest = min(windows, key=lambda w: w.words_per_minute)
        articulation = pace.articulation_wpm or 0.0
        if articulation >= low:
            detail = (f"You averaged {numbers.whole(wpm)} words per minute, but"
                      f" {numbers.whole(articulation)} while actually talking: the pauses"
                      f" ({numbers.percent(pauses.pause_ratio or 0)} of the time) slow you down,"
                      " not your words. Shorten the long silences rather than talking faster.")
        else:
            detail = (f"You spoke at {numbers.whole(wpm)} words per minute"
                      f" ({numbers.whole(articulation)} without the pauses); {low:g}-{high:g}"
                      " keeps a listener with you. Slowest stretch:"
                      f" {clock(slowest.start_s)}-{clock(slowest.end_s)} at"
                      f" {numbers.wpm(slowest.words_per_minute)}. Rehearse the outline of the"
                      " answer so the words come more readily.")
        detail += trend
        severity = (low - wpm) / (low - flag_low or 1)
        title = "Pick up the pace" if pace.verdict == "slow" else "Pick up the pace a little"
        evidence = (Evidence(numbers.wpm(slowest.words_per_minute), slowest.start_s,
                             slowest.end_s),)
    elif trend and pace.trend_change is not None:
        detail = (trend.strip() + f" Listeners notice tempo changes of about 10%; keep to"
                  f" {low:g}-{high:g} wpm throughout, and slow down for your conclusion.")
        severity = abs(pace.trend_change) / (2 * settings.pace_trend_ratio)
        title = "Keep an even pace"
        last = windows[-1]
        evidence = (Evidence(numbers.wpm(last.words_per_minute), last.start_s, last.end_s),)
    else:
        return None
    return FeedbackItem("pace", title, detail, evidence, severity)


def _after(pause: Pause) -> str:
    word = (pause.previous_word or "").rstrip(".,;:!?\u2026")
    return f" after \"{word}\"" if word else ""


def _pause_text(pause: Pause) -> str:
    return f"{numbers.seconds(pause.duration_s)} at {clock(pause.start_s)}{_after(pause)}"


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
        parts.append(f"Pauses took {numbers.percent(ratio)} of your speaking time (about"
                     f" {typical:.0%} is typical; over {flag:.0%} sounds hesitant).")
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
        Evidence(f"[{numbers.seconds(p.duration_s)} pause]{_after(p)}", p.start_s, p.end_s)
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
        f"You took {numbers.seconds(first)} before your first word. A breath or two is fine; past"
        f" {settings.long_thinking_s:g} s, open with a framing sentence (\"The project that"
        " comes to mind is...\") while you think.",
        (Evidence("[silence before the first word]", 0.0, first),),
        min(1.0, 0.3 + 0.1 * (first - settings.long_thinking_s)),
    )


def length_tip(length: LengthMetrics, *, short_answer: bool = False) -> FeedbackItem | None:
    """Over or under the target, which is named for what it is: the question's own, its
    kind's, or the general one when no kind is known. A short-answer question is never
    told to add an example."""
    target = length.target
    duration = length.duration_s
    if length.verdict in (None, "within"):
        return None
    span = f"{clock(target.min_s)}-{clock(target.max_s)}"
    if length.target_source == "general":
        lands = f"answers land best at {span} (a general target: the question's kind is not known)"
    else:
        label = ("this question's" if length.target_source == "question"
                 else KIND_LABELS.get(length.kind, length.kind))
        lands = f"{label} answers land best at {span}"
    kind = length.kind if length.target_source != "general" else None
    if length.verdict in ("long", "too_long"):
        severity = (duration - target.max_s) / (target.flag_over_s - target.max_s or 1)
        detail = (f"Your answer ran {clock(duration)}; {lands}"
                  f" (flag over {clock(target.flag_over_s)}). "
                  + (LONG_TIPS.get(kind) or (LONG_TIPS["closing"] if short_answer else
                                             "Make your point in the first sentence, give one"
                                             " example, and stop.")))
        title = f"Trim it to under {clock(target.max_s)}"
    else:
        floor = target.flag_under_s if target.flag_under_s is not None else target.min_s / 2
        severity = (target.min_s - duration) / (target.min_s - floor or 1)
        flag = (f" (flag under {clock(target.flag_under_s)})"
                if target.flag_under_s is not None else "")
        advice = SHORT_TIPS.get(kind) or (SHORT_ANSWER_TIP if short_answer else
                                          "Add one concrete example and what came of it.")
        detail = f"Your answer ran {clock(duration)}; {lands}{flag}. {advice}"
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
        parts.append(f"pace {numbers.wpm(pace.words_per_minute)} (target {low:g}-{high:g})")
    parts.append(f"{numbers.one_decimal(fillers.per_100_words)} fillers per 100 words")
    parts.append(_plural(pauses.long_count, "long pause"))
    general = " general" if length.target_source == "general" else ""
    parts.append(f"{clock(length.duration_s)} against a{general} {clock(length.target.min_s)}-"
                 f"{clock(length.target.max_s)} target")
    return FeedbackItem(
        "well_done",
        "Keep this delivery",
        "Nothing here needs work: " + ", ".join(parts) + ". Practise a harder question next.",
        (),
        0.0,
    )


# --- content ------------------------------------------------------------------------------


def content_tips(
    content: ContentResult | None, rambling: RamblingMetrics, *, settings: AnalysisSettings
) -> list[FeedbackItem]:
    """Tips for the content findings that need work; none when content was not judged."""
    if content is None or not content.judged:
        return []
    found = [
        *structure_tips(content, rambling, settings=settings),
        ownership_tip(content),
        hedging_tip(content, settings=settings),
        keywords_tip(content),
        job_tip(content),
        opening_tip(content, settings=settings),
        ending_tip(content),
    ]
    return [tip for tip in found if tip is not None]


def _said(e: Evidence) -> str:
    return f"\"{e.text}\" at {clock(e.start_s)}"


def _listed(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def structure_tips(
    content: ContentResult, rambling: RamblingMetrics, *, settings: AnalysisSettings
) -> list[FeedbackItem]:
    """A missing Result (unless rambling's no-result tip already says so) and a missing or
    short Action, each with where the time went instead."""
    structure = content.structure
    if structure is None or structure.verdict != "incomplete":
        return []
    tips = []
    shares = ", ".join(f"{p.name} {numbers.percent(p.share or 0)}"
                       for p in structure.parts if p.present)
    ending = content.ending.evidence
    if ("result" in structure.missing and rambling.signal("no_result") is None
            and ending is not None):
        tips.append(FeedbackItem(
            "result",
            "State the result",
            f"No sentence reads as the Result {HEURISTIC}: the answer ends on the"
            f" {structure.order[-1]}, {_said(ending)}. Finish with what changed because of"
            " what you did, by how much, and what you learned.",
            (ending,),
            0.6,
        ))
    action = structure.part("action")
    low, high = structure.action_share_target
    setup = [p for p in structure.parts if p.name in ("situation", "task") and p.present]
    if action.verdict == "missing":
        tips.append(FeedbackItem(
            "structure",
            "Say what you did",
            f"No sentence reads as your own Action {HEURISTIC}: your time went to {shares}."
            f" Spend about {low:.0%}-{high:.0%} of the answer on the steps you took, in the"
            " first person: \"I set up...\", \"I talked to...\".",
            tuple(p.spans[0] for p in setup)[:3],
            0.7,
        ))
    elif action.verdict in ("too_short", "short"):
        detail = (f"The Action took {clock(action.duration_s)},"
                  f" {numbers.percent(action.share or 0)} of the answer; it usually takes"
                  f" {low:.0%}-{high:.0%} {HEURISTIC}. Your time went to {shares}.")
        if setup:
            detail += (" Set the scene in one or two sentences and walk through what you did,"
                       " step by step.")
        tips.append(FeedbackItem(
            "structure",
            "Spend more time on what you did",
            detail,
            action.spans[:3],
            0.5 if action.verdict == "too_short" else 0.3,
        ))
    missing_setup = [n for n in ("situation", "task") if n in structure.missing]
    if missing_setup and tips and tips[-1].id == "structure":
        tip = tips[-1]
        tips[-1] = FeedbackItem(tip.id, tip.title, tip.detail + " No "
                                + " or ".join(n.capitalize() for n in missing_setup)
                                + " was found either: say in a sentence what was at stake.",
                                tip.evidence, tip.severity)
    return tips


def ownership_tip(content: ContentResult) -> FeedbackItem | None:
    ownership = content.ownership
    if ownership.verdict != "we_dominates":
        return None
    we, mine = len(ownership.we_actions), len(ownership.i_actions)
    share = ownership.we_share or 0.0
    flag = ownership.we_share_flag
    examples = ", ".join(_said(e) for e in ownership.we_actions[:3])
    return FeedbackItem(
        "ownership",
        "Say \"I\" for what you did",
        f"You said \"we\" for {_plural(we, 'action')} ({examples}) and \"I\" for {mine}."
        " The interviewer is hiring you, not the team: say which parts were yours (\"I"
        " designed the schema, and the team built it\").",
        ownership.we_actions[:4],
        0.3 + 0.5 * min(1.0, (share - flag) / (1 - flag or 1)),
    )


def hedging_tip(content: ContentResult, *, settings: AnalysisSettings) -> FeedbackItem | None:
    hedges = content.hedges
    if hedges.verdict != "many":
        return None
    listed = []
    for phrase, count in hedges.top[:3]:
        times = [h.evidence.start_s for h in hedges.items if h.phrase == phrase]
        shown = "\"" + phrase.replace("i ", "I ").replace("i'm", "I'm") + "\""
        listed.append(f"{shown} {_plural(count, 'time')} ({list_times(times)})"
                      if count > 1 else f"{shown} at {list_times(times)}")
    rate = hedges.per_100_words
    return FeedbackItem(
        "hedging",
        "Drop the hedges",
        f"You hedged {_plural(len(hedges.items), 'time')}"
        f" ({numbers.one_decimal(rate)} per 100 words):"
        f" {_listed(listed)}. Say what you did and what you think plainly; if you are unsure"
        " of a number, give it once as an estimate (\"about 30%\").",
        tuple(h.evidence for h in hedges.items[:6]),
        min(0.8, 0.4 * rate / (settings.hedges_flag_per_100_words or 1)),
    )


def keywords_tip(content: ContentResult) -> FeedbackItem | None:
    keywords = content.keywords
    if keywords is None or keywords.verdict != "low":
        return None
    matched = keywords.matched
    said = (" (" + ", ".join(f"\"{t.term}\"" for t in matched) + ")") if matched else ""
    missing = [t.term for t in keywords.missing]
    coverage = keywords.coverage or 0.0
    return FeedbackItem(
        "keywords",
        "Answer the question that was asked",
        f"Your answer touches {len(matched)} of the question's {len(keywords.terms)} key"
        f" terms{said}; it never mentions {_listed(missing[:5])}"
        + (" and more" if len(missing) > 5 else "") + ". Where they are true of your story,"
        " use the question's own words, so the interviewer hears you answer it.",
        tuple(t.evidence for t in matched if t.evidence)[:4]
        or ((content.opening.evidence,) if content.opening.evidence else ()),
        0.3 + 0.3 * (keywords.low - coverage) / (keywords.low or 1),
    )


def job_tip(content: ContentResult) -> FeedbackItem | None:
    from mockview.analysis.content import JOB_TIP_KINDS

    job = content.job
    if job is None or job.verdict != "low" or content.kind not in JOB_TIP_KINDS:
        return None
    matched = job.matched
    said = (" (" + ", ".join(t.term for t in matched) + ")") if matched else ""
    missing = [t.term for t in job.missing]
    coverage = job.coverage or 0.0
    return FeedbackItem(
        "job_terms",
        "Link your answer to the job",
        f"You mentioned {len(matched)} of the job description's {len(job.terms)} key"
        f" terms{said}. It also asks for {_listed(missing[:5])}. Where one is true of you,"
        " say so with an example.",
        tuple(t.evidence for t in matched if t.evidence)[:4],
        0.25 + 0.25 * (job.low - coverage) / (job.low or 1),
    )


OPENING_HINTS = {
    "intro": " (\"I'm a ... who ...\")",
    "behavioral": " (the situation, in one sentence)",
}


def opening_tip(content: ContentResult, *, settings: AnalysisSettings) -> FeedbackItem | None:
    opening = content.opening
    point = opening.evidence
    if point is None or opening.verdict in (None, "clear"):
        return None
    if opening.verdict == "throat_clearing":
        words = " ".join(e.text for e in opening.throat_clearing)
        extra = len(opening.throat_clearing) - settings.opening_throat_clearing_min_words
        return FeedbackItem(
            "opening",
            "Lead with your point",
            f"You opened with \"{words}\" before your first point at {clock(point.start_s)}."
            f" Start with the point itself{OPENING_HINTS.get(content.kind or '', '')}; a"
            " silent breath first is fine.",
            opening.throat_clearing[:4],
            min(0.5, 0.25 + 0.05 * extra),
        )
    if opening.verdict == "no_point":
        return FeedbackItem(
            "opening",
            "Open with who you are now",
            f"Your first sentence, \"{point.text}\", does not say who you are now."
            " Open with your role and what you do (\"I'm a backend developer; for five years"
            " I've built payment systems\"), then one highlight, then why this role.",
            (point,),
            0.45,
        )
    situation = content.structure.part("situation") if content.structure else None
    span = situation.spans[0] if situation and situation.spans else point
    return FeedbackItem(
        "opening",
        "Set the scene in two sentences",
        f"The Situation runs {opening.situation_sentences} sentences"
        f" ({clock(span.start_s)}-{clock(span.end_s)}) before you get to what you had to do"
        f" {HEURISTIC}. Set the scene in one or two sentences and spend the time on your"
        " actions.",
        (span,),
        0.35,
    )


CLOSING_HINTS = {
    "behavioral": "the result and what you learned",
    "intro": "why you want this role",
    "motivation": "why you want this role",
}


def ending_tip(content: ContentResult) -> FeedbackItem | None:
    """Only for an answer that stops without a conclusion: trailing off ("so yeah") is
    rambling's no-ending signal, which has its own tip."""
    ending = content.ending
    if ending.verdict != "no_conclusion" or ending.evidence is None:
        return None
    if content.structure is not None and "result" in content.structure.missing:
        return None  # the result tip says how to end
    hint = CLOSING_HINTS.get(content.kind or "", "your main point, in one sentence")
    return FeedbackItem(
        "ending",
        "End on a conclusion",
        f"Your answer stops on \"{ending.evidence.text}\" ({clock(ending.evidence.start_s)})"
        f" with no conclusion: no result, summary or link to the role. Close with {hint},"
        " then stop.",
        (ending.evidence,),
        0.35,
    )
