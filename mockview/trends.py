"""Comparisons and progress over stored practice: pure functions over the store's records.

Takes (``TakeRecord``, or for progress the lighter ``TakeRow``) and sessions
(``SessionRecord``) come in, frozen dataclasses go out; no database, files or clock inside,
so every rule can be tested on hand-made histories.

Two rules shape every judgement here:

- A session's numbers are the ones ``mockview history`` shows (``session_metrics``): rates
  over every take with speech in it, and the shares within target and rambling over the
  take that stands for each answer (its latest with speech, ``records.representative``),
  since a retry replaces the answer unless it found no speech.
- A change is **noise** ("same", "steady") when, and only when, it is under 10% of the
  earlier value (listeners notice tempo changes of about 10%; METRICS.md) or under the
  metric's small absolute floor (half a filler per minute, two points of pause ratio, ...).
  Only then does the direction count: fewer fillers, long pauses and rambling answers are
  better; pace is better closer to the 120-160 wpm band, pause ratio closer to about 22%,
  and a higher share of answers within their length target is better. A real change that
  leaves the value as good as it was (132 to 158 wpm, both inside the band) is "on_target",
  neither steady nor better.
- A metric that was not judged (a pace from too little speech) has no value in the store,
  so it is never averaged, compared or counted against a question.

What the answer says (content) and how it sounded (delivery) are followed the same way,
from the take's stored findings (``TakeRecord``, migration m003). A take whose report did
not measure a finding (an older report, too few words, too little audio) counts for none
of its metrics, so a history that starts before those analyses trends from where they
begin. Job coverage is not a trend (each take may have been checked against a different
job); ``job_coverage`` answers it for one job description over the stored transcripts.
"""

from __future__ import annotations

import math
import operator
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING

from mockview.analysis.settings import STAR_PARTS, AnalysisSettings
from mockview.errors import MockviewError
from mockview.records import SessionRecord, TakeRecord
from mockview.refs import SESSION_PATTERN

if TYPE_CHECKING:
    from mockview.store.tallies import ReportTallies
    from mockview.store.wordforms import TermRule

_DEFAULTS = AnalysisSettings()

#: Relative change under which a difference is noise (listeners notice about 10%).
NOISE_RATIO = 0.10
#: Sessions averaged at each end of a trend (fewer when there are fewer than twice as many).
TREND_WINDOW = 3
#: Sessions a trend needs.
MIN_SESSIONS = 2
#: A question kind "runs long" when at least this share of its answers is over target ...
RUNS_LONG_SHARE = 0.5
#: ... out of at least this many answers.
RUNS_LONG_MIN_ANSWERS = 2
#: How many of the worst-scoring questions a progress report names.
WORST_QUESTIONS = 5
#: Takes whose full reports progress reads for where long pauses fall: the most recent
#: ones. Reading a report costs about 0.5 ms, so all 5,000 of a long history take seconds.
RECENT_REPORTS = 100

#: Recent sessions, measured for delivery, that the monotone and uptalk patterns count in.
DELIVERY_SESSIONS = 5
#: A session "uptalks" when on average this share of its statements rose at the end (the
#: share at which ``delivery`` gives its uptalk tip: ``delivery.HABIT_SHARE``, not imported
#: so progress does not load the audio modules).
UPTALK_HABIT_SHARE = 0.25

PAUSE_POSITIONS = ("between_sentences", "clause_boundary", "mid_clause", "after_filler")
_VERDICT_RANK = {"too_short": -2, "short": -1, "within": 0, "long": 1, "too_long": 2}


# --- metrics and how a change is judged -----------------------------------------------------


@dataclass(frozen=True)
class Metric:
    """One metric that comparisons and trends follow, with its goal.

    ``goal`` is "lower" or "higher" (better), "band" (better closer to ``target``, a
    (low, high) range, inside it all values are equally good) or "point" (better closer to
    ``target[0]``). ``noise_floor`` is the smallest absolute change that counts, in the
    metric's own unit. ``unit`` tells renderers how to format: per_minute, per_100_words,
    wpm, per_answer, ratio, share, count, seconds, flag, semitones. ``group`` is what the
    metric is about: "speech" (fillers, pace, pauses, length), "content" (what the answer
    says) or "voice" (how it sounded).
    """

    key: str
    label: str
    unit: str
    goal: str
    noise_floor: float
    target: tuple[float, float] | None = None
    group: str = "speech"

    def badness(self, value: float) -> float:
        """How far ``value`` is from good: 0 on target (band, point), larger is worse."""
        if self.goal == "lower":
            return value
        if self.goal == "higher":
            return -value
        low, high = self.target or (0.0, 0.0)
        if self.goal == "band":
            return max(0.0, low - value, value - high)
        return abs(value - low)


_FILLERS_MIN = Metric("fillers_per_minute", "fillers per minute", "per_minute", "lower", 0.5)
_FILLERS_100 = Metric("fillers_per_100_words", "fillers per 100 words", "per_100_words",
                      "lower", 0.5)
_WPM = Metric("words_per_minute", "pace", "wpm", "band", 5.0, _DEFAULTS.pace_target_wpm)
_PAUSE_RATIO = Metric("pause_ratio", "pause ratio", "ratio", "point", 0.02,
                      (_DEFAULTS.pause_ratio_typical, _DEFAULTS.pause_ratio_typical))
# What the answer says. Floors: half a STAR part, a result or a hedge per 100 words; five
# points of the Action's share; ten points of a share of answers or of keywords.
_ACTION_SHARE = Metric("action_share", "STAR: Action's share", "ratio", "band", 0.05,
                       _DEFAULTS.star_action_share_target, group="content")
_WE_SHARE = Metric("we_share", "“we” of your actions", "ratio", "lower", 0.10,
                   group="content")
_HEDGES_100 = Metric("hedges_per_100_words", "hedges per 100 words", "per_100_words",
                     "lower", 0.5, group="content")
_KEYWORDS = Metric("keyword_coverage", "question keywords said", "share", "higher", 0.10,
                   group="content")
# How it sounded. Floors: half a semitone of pitch variation (the monotone line is 2), ten
# points of uptalk, half a fading sentence end per answer.
_PITCH = Metric("pitch_variation_semitones", "pitch variation", "semitones", "higher", 0.5,
                group="voice")
_UPTALK = Metric("uptalk_share", "uptalk (statements rising)", "ratio", "lower", 0.10,
                 group="voice")

#: The per-session aggregates, in display order (``session_metrics`` computes them).
SESSION_METRICS: tuple[Metric, ...] = (
    _FILLERS_MIN,
    _FILLERS_100,
    _WPM,
    Metric("long_pauses_per_answer", "long pauses per answer", "per_answer", "lower", 0.5),
    _PAUSE_RATIO,
    Metric("within_target_share", "within length target", "share", "higher", 0.10),
    Metric("rambling_share", "rambling answers", "share", "lower", 0.10),
    Metric("star_missing_per_answer", "STAR parts missing", "per_answer", "lower", 0.5,
           group="content"),
    _ACTION_SHARE,
    Metric("concrete_results_per_answer", "concrete results per answer", "per_answer",
           "higher", 0.5, group="content"),
    _WE_SHARE,
    _HEDGES_100,
    _KEYWORDS,
    Metric("clear_opening_share", "clear openings", "share", "higher", 0.10, group="content"),
    Metric("conclusion_share", "answers that conclude", "share", "higher", 0.10,
           group="content"),
    _PITCH,
    Metric("monotone_share", "monotone answers", "share", "lower", 0.10, group="voice"),
    _UPTALK,
    Metric("fades_per_answer", "fading sentence ends per answer", "per_answer", "lower", 0.5,
           group="voice"),
)

#: The per-take metrics of a take comparison, in display order.
TAKE_METRICS: tuple[Metric, ...] = (
    _FILLERS_MIN,
    _FILLERS_100,
    _WPM,
    Metric("long_pause_count", "long pauses (≥1 s)", "count", "lower", 0.5),
    _PAUSE_RATIO,
    # judged by the length verdict (distance from "within"), not by the seconds
    Metric("duration_s", "length", "seconds", "verdict", 0.0),
    Metric("rambling_flagged", "rambling", "flag", "lower", 0.5),
    Metric("star_missing_count", "STAR parts missing", "count", "lower", 0.5, group="content"),
    _ACTION_SHARE,
    Metric("concrete_results", "concrete results", "count", "higher", 0.5, group="content"),
    _WE_SHARE,
    _HEDGES_100,
    _KEYWORDS,
    Metric("clear_opening", "clear opening", "flag", "higher", 0.5, group="content"),
    Metric("concludes", "ends on a conclusion", "flag", "higher", 0.5, group="content"),
    _PITCH,
    Metric("monotone", "monotone", "flag", "lower", 0.5, group="voice"),
    _UPTALK,
    Metric("fades_count", "fading sentence ends", "count", "lower", 0.5, group="voice"),
)


def judge_change(metric: Metric, a: float | None, b: float | None) -> str:
    """"better", "worse" or "same" going from ``a`` to ``b``; "not_comparable" if either is
    missing. Changes under 10% of ``a`` or under the metric's noise floor are "same"; a
    larger one that leaves the distance from the target within the noise floor (both
    inside the pace band) is "on_target": a real change, but neither better nor worse.
    """
    if a is None or b is None:
        return "not_comparable"
    if abs(b - a) < max(NOISE_RATIO * abs(a), metric.noise_floor):
        return "same"
    before, after = metric.badness(a), metric.badness(b)
    if abs(after - before) < max(metric.noise_floor, 1e-9):
        return "on_target"
    return "better" if after < before else "worse"


def relative_change(a: float | None, b: float | None) -> float | None:
    """(b - a) / |a|, or None when it is undefined (a missing or zero)."""
    if a is None or b is None or a == 0:
        return None
    return (b - a) / abs(a)


# --- session aggregates -----------------------------------------------------------------------


def _span_s(take: TakeRecord) -> float:
    """The speech span (first word to last word) that per-minute rates of a take use."""
    if not take.word_count or not take.words_per_minute:
        return 0.0
    return take.word_count * 60.0 / take.words_per_minute


def session_metrics(takes: Iterable[TakeRecord]) -> dict[str, float | None]:
    """The ``SESSION_METRICS`` of a group of takes (a session, or its takes of one question).

    The definitions ``mockview history`` uses, so the two agree on a session: fillers per
    minute is each take's rate weighted by its speaking time, pace the mean over takes, and
    the shares within target and rambling count the take that stands for each answer only
    (``records.representative``: a retry replaces the answer, unless it found no speech).
    Fillers per 100 words pools every word; long pauses are per take; pause ratio is
    weighted by each take's speech span. Takes without speech count for none of the rates;
    a metric with nothing to measure is None.

    Content and voice: verdicts of the answer (STAR parts missing, clear openings, answers
    that conclude) count the take that stands for each answer, like the length target; the
    rest are means over the takes that measured them, and hedges per 100 words pools their
    words.
    """
    # One pass over the takes, not one per metric: progress computes this for every
    # session of a long history. The rates' parts are still summed by sum(), in take
    # order, so the numbers are the same to the last bit (sum() adds floats with
    # compensation from Python 3.12 on; a running total would not).
    takes = list(takes)
    result: dict[str, float | None] = dict.fromkeys(_SESSION_KEYS)
    spoken = long_pauses = words = fillers = hedges = hedged_words = 0
    speaking: list[float] = []
    filler_minutes: list[float] = []
    paces: list[float] = []
    spans: list[float] = []
    ratio_spans: list[float] = []
    measured: list[tuple] = []  # each take's values of _MEAN_OVER_TAKES
    # each answer's latest take with speech, answers in the order they first appear (None:
    # no take with speech yet): ``records.representatives`` without a second walk
    latest_of: dict[int, TakeRecord | None] = {}
    for take in takes:
        if take.word_count <= 0:
            latest_of.setdefault(take.answer_id, None)
            continue
        chosen = latest_of.get(take.answer_id)
        if chosen is None or take.take_no > chosen.take_no:
            latest_of[take.answer_id] = take
        spoken += 1
        speaking.append(take.speaking_s)
        filler_minutes.append(take.fillers_per_minute * take.speaking_s)
        if take.words_per_minute is not None:
            paces.append(take.words_per_minute)
        words += take.word_count
        fillers += take.fillers_count
        long_pauses += take.long_pause_count
        if take.pause_ratio is not None:
            span = _span_s(take)
            spans.append(span)
            ratio_spans.append(take.pause_ratio * span)
        measured.append(_MEAN_FIELDS(take))
        if take.hedges_count is not None:
            hedges += take.hedges_count
            hedged_words += take.word_count
    if not spoken:
        return result
    speaking_s = sum(speaking)
    if speaking_s > 0:
        result["fillers_per_minute"] = sum(filler_minutes) / speaking_s
    if paces:
        result["words_per_minute"] = sum(paces) / len(paces)
    result["fillers_per_100_words"] = fillers / words * 100
    result["long_pauses_per_answer"] = long_pauses / spoken
    span_s = sum(spans)
    if span_s > 0:
        result["pause_ratio"] = sum(ratio_spans) / span_s
    latest = [t for t in latest_of.values() if t is not None]
    judged = [t.within_target for t in latest if t.within_target is not None]
    if judged:
        result["within_target_share"] = sum(judged) / len(judged)
    if latest:
        result["rambling_share"] = sum(t.rambling_flagged for t in latest) / len(latest)
    # column by column, each a running total in take order (a tight loop over a column is
    # cheaper than eight indexed totals updated per take)
    for (key, _), column in zip(_MEAN_OVER_TAKES, zip(*measured, strict=True), strict=True):
        total, count = 0.0, 0
        for value in column:
            if value is not None:
                total += value
                count += 1
        result[key] = total / count if count else None
    result["hedges_per_100_words"] = hedges / hedged_words * 100 if hedged_words else None
    result["star_missing_per_answer"] = _mean([t.star_missing_count for t in latest])
    result["clear_opening_share"] = _mean([_is(t.opening_verdict, "clear") for t in latest])
    result["conclusion_share"] = _mean([_is(t.ending_verdict, "conclusion") for t in latest])
    return result


#: The content and voice session metrics that are a plain mean over the takes with speech
#: that measured them: (metric key, TakeRecord field).
_MEAN_OVER_TAKES = (
    ("action_share", "action_share"),
    ("concrete_results_per_answer", "concrete_results"),
    ("we_share", "we_share"),
    ("keyword_coverage", "keyword_coverage"),
    ("pitch_variation_semitones", "pitch_variation_semitones"),
    ("monotone_share", "monotone"),
    ("uptalk_share", "uptalk_share"),
    ("fades_per_answer", "fades_count"),
)
_MEAN_FIELDS = operator.attrgetter(*(name for _, name in _MEAN_OVER_TAKES))
_SESSION_KEYS = tuple(m.key for m in SESSION_METRICS)


def _mean(values: Iterable[float | None]) -> float | None:
    """The mean of the values that are there; None when none is."""
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _is(verdict: str | None, good: str) -> float | None:
    """1.0 when ``verdict`` is ``good``, 0.0 when it is another, None when not judged."""
    return None if verdict is None else float(verdict == good)


def _flag(value: bool | None) -> float | None:
    return None if value is None else float(value)


def take_metrics(take: TakeRecord) -> dict[str, float | None]:
    """The ``TAKE_METRICS`` of one take (None where the take had no speech to measure)."""
    spoken = take.word_count > 0
    return {
        "fillers_per_minute": take.fillers_per_minute if spoken else None,
        "fillers_per_100_words": take.fillers_per_100_words if spoken else None,
        "words_per_minute": take.words_per_minute,
        "long_pause_count": float(take.long_pause_count) if spoken else None,
        "pause_ratio": take.pause_ratio,
        "duration_s": take.duration_s,
        "rambling_flagged": float(take.rambling_flagged) if spoken else None,
        "star_missing_count": _number(take.star_missing_count),
        "action_share": take.action_share,
        "concrete_results": _number(take.concrete_results),
        "we_share": take.we_share,
        "hedges_per_100_words": take.hedges_per_100_words,
        "keyword_coverage": take.keyword_coverage,
        "clear_opening": _is(take.opening_verdict, "clear"),
        "concludes": _is(take.ending_verdict, "conclusion"),
        "pitch_variation_semitones": take.pitch_variation_semitones,
        "monotone": _flag(take.monotone),
        "uptalk_share": take.uptalk_share,
        "fades_count": _number(take.fades_count),
    }


def _number(value: int | None) -> float | None:
    return None if value is None else float(value)


# --- what to compare: SESSION, SESSION:ANSWER or SESSION:ANSWER:TAKE --------------------------


_SPEC = re.compile(rf"\s*({SESSION_PATTERN})(?::([0-9]+)(?::([0-9]+))?)?\s*", re.IGNORECASE)


@dataclass(frozen=True)
class TakeSpec:
    """A session (``12``), an answer (``12:2``: the take that stands for it, its latest
    with speech) or a take (``12:2:1``). The session may be named back from the latest
    (``last`` or ``-1``, ``-2``: ``refs.parse_session_ref``); ``session_id`` is then
    negative until the caller resolves it with the store."""

    session_id: int
    answer_no: int | None = None
    take_no: int | None = None

    @property
    def is_session(self) -> bool:
        return self.answer_no is None

    def __str__(self) -> str:
        return ":".join(str(n) for n in (self.session_id, self.answer_no, self.take_no)
                        if n is not None)


def parse_take_spec(value: str) -> TakeSpec:
    """``"12"``, ``"12:2"`` or ``"12:2:1"`` as a :class:`TakeSpec`; numbers start at 1, and
    the session may be ``last`` or ``-N`` (a negative ``session_id``)."""
    match = _SPEC.fullmatch(value)
    numbers = []
    if match:
        session, *rest = match.groups()
        session = session.lower()
        numbers = [-1 if session in ("last", "latest") else int(session),
                   *(int(g) for g in rest if g is not None)]
    if not numbers or numbers[0] == 0 or min(numbers[1:], default=1) < 1:
        raise MockviewError(
            f"'{value}' is not a session, answer or take. Give SESSION (12, or last, -1 for"
            " the latest), SESSION:ANSWER (12:2, its latest take with speech) or"
            " SESSION:ANSWER:TAKE (12:2:1); see: mockview history."
        )
    return TakeSpec(*numbers)


def parse_compare_pair(a: str, b: str) -> tuple[TakeSpec, TakeSpec]:
    """Both specs of ``mockview compare``: two sessions, or two answers/takes."""
    first, second = parse_take_spec(a), parse_take_spec(b)
    if first.is_session != second.is_session:
        raise MockviewError(
            f"Cannot compare {a.strip()} with {b.strip()}: compare two sessions (12 15) or two"
            " answers or takes (12:2 15:1), not a session with a take."
        )
    return first, second


# --- comparisons ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricChange:
    """One metric of a comparison: its two values, the change and whether it is better.

    ``outcome`` is better, worse, same or not_comparable; ``a_note`` and ``b_note`` carry a
    verdict where the value alone does not tell (the length verdict of a take).
    """

    metric: Metric
    a: float | None
    b: float | None
    outcome: str
    a_note: str | None = None
    b_note: str | None = None

    @property
    def change(self) -> float | None:
        return None if self.a is None or self.b is None else self.b - self.a

    @property
    def relative_change(self) -> float | None:
        return relative_change(self.a, self.b)

    def to_dict(self) -> dict:
        return {
            "key": self.metric.key,
            "label": self.metric.label,
            "unit": self.metric.unit,
            "goal": self.metric.goal,
            "a": _round(self.a),
            "b": _round(self.b),
            "change": _round(self.change),
            "relative_change": _round(self.relative_change),
            "outcome": self.outcome,
            "a_note": self.a_note,
            "b_note": self.b_note,
        }


@dataclass(frozen=True)
class DiffOp:
    """One run of a word diff: "equal", "delete" (only in A), "insert" (only in B), "replace"."""

    op: str
    a: tuple[str, ...]
    b: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"op": self.op, "a": list(self.a), "b": list(self.b)}


@dataclass(frozen=True)
class Side:
    """What one side of a comparison is: a session or a resolved take (``12:2:3``)."""

    spec: str
    session_id: int
    at_utc: str
    answer_no: int | None = None
    take_no: int | None = None
    question_id: str | None = None
    question_text: str | None = None
    answer_count: int | None = None
    take_count: int | None = None
    analysis_version: str | None = None

    def to_dict(self) -> dict:
        return {
            "spec": self.spec,
            "session_id": self.session_id,
            "answer_no": self.answer_no,
            "take_no": self.take_no,
            "at_utc": self.at_utc,
            "question_id": self.question_id,
            "question_text": self.question_text,
            "answer_count": self.answer_count,
            "take_count": self.take_count,
            "analysis_version": self.analysis_version,
        }


@dataclass(frozen=True)
class Comparison:
    """``mockview compare``: two sessions or two takes, metric by metric.

    ``diff`` is the word-level diff of the transcripts (takes only; None when a transcript
    is missing); ``notes`` say what the reader must know (different questions, versions).
    """

    kind: str  # "sessions" | "takes"
    a: Side
    b: Side
    metrics: tuple[MetricChange, ...]
    notes: tuple[str, ...] = ()
    diff: tuple[DiffOp, ...] | None = None

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
            "metrics": [m.to_dict() for m in self.metrics],
            "notes": list(self.notes),
            "diff": None if self.diff is None else [op.to_dict() for op in self.diff],
        }


def compare_sessions(a: SessionRecord, b: SessionRecord) -> Comparison:
    """Two sessions side by side on their aggregates (``session_metrics``)."""
    values_a, values_b = session_metrics(a.takes), session_metrics(b.takes)
    rows = tuple(MetricChange(m, values_a[m.key], values_b[m.key],
                              judge_change(m, values_a[m.key], values_b[m.key]))
                 for m in SESSION_METRICS)
    notes = []
    if a.summary.session_id == b.summary.session_id:
        notes.append("A and B are the same session.")
    notes += _version_notes([*a.takes, *b.takes])
    return Comparison("sessions", _session_side(a), _session_side(b), rows, tuple(notes))


def compare_takes(a: TakeRecord, b: TakeRecord) -> Comparison:
    """Two takes side by side, with the word-level diff of their transcripts."""
    values_a, values_b = take_metrics(a), take_metrics(b)
    rows = []
    for metric in TAKE_METRICS:
        va, vb = values_a[metric.key], values_b[metric.key]
        if metric.goal == "verdict":
            rows.append(MetricChange(metric, va, vb, _judge_verdict(a.length_verdict,
                                                                    b.length_verdict),
                                     a.length_verdict, b.length_verdict))
        else:
            rows.append(MetricChange(metric, va, vb, judge_change(metric, va, vb)))
    notes = []
    if a.take_id == b.take_id:
        notes.append("A and B are the same take.")
    elif not _same_question(a, b):
        notes.append(f"A and B answer different questions ({_question_name(a)} and "
                     f"{_question_name(b)}): the numbers and the word diff compare two"
                     " different answers.")
    notes += _version_notes([a, b])
    words_a, words_b = _report_words(a), _report_words(b)
    diff = None
    if words_a is None or words_b is None:
        missing = " and ".join(s for s, w in (("A", words_a), ("B", words_b)) if w is None)
        notes.append(f"No stored transcript for {missing}: no word diff.")
    else:
        diff = word_diff(words_a, words_b)
    return Comparison("takes", _take_side(a), _take_side(b), tuple(rows), tuple(notes), diff)


def _judge_verdict(a: str | None, b: str | None) -> str:
    if a not in _VERDICT_RANK or b not in _VERDICT_RANK:
        return "not_comparable"
    before, after = abs(_VERDICT_RANK[a]), abs(_VERDICT_RANK[b])
    return "same" if before == after else ("better" if after < before else "worse")


def _same_question(a: TakeRecord, b: TakeRecord) -> bool:
    if a.question_id or b.question_id:
        return a.question_id == b.question_id
    return (a.question_text or "").strip().lower() == (b.question_text or "").strip().lower()


def _question_name(take: TakeRecord) -> str:
    if take.question_id:
        return take.question_id
    return f"“{take.question_text}”" if take.question_text else "no question"


def _version_notes(takes: Sequence[TakeRecord]) -> list[str]:
    versions = sorted({t.analysis_version for t in takes})
    if len(versions) < 2:
        return []
    return [f"These numbers come from different analysis versions ({', '.join(versions)});"
            " re-run the analysis on the older ones (mockview reanalyze) for a fair comparison."]


def _session_side(record: SessionRecord) -> Side:
    s = record.summary
    return Side(spec=str(s.session_id), session_id=s.session_id, at_utc=s.started_at_utc,
                answer_count=s.answer_count, take_count=s.take_count)


def _take_side(take: TakeRecord) -> Side:
    spec = TakeSpec(take.session_id, take.answer_no, take.take_no)
    return Side(spec=str(spec), session_id=take.session_id, at_utc=take.recorded_at_utc,
                answer_no=take.answer_no, take_no=take.take_no, question_id=take.question_id,
                question_text=take.question_text, analysis_version=take.analysis_version)


def _report_words(take: TakeRecord) -> list[str] | None:
    if not take.report:
        return None
    return [w["text"] for w in take.report.get("transcript", {}).get("words", [])]


_EDGE_PUNCTUATION = re.compile(r"^[^\w']+|[^\w']+$")


def _diff_key(word: str) -> str:
    return _EDGE_PUNCTUATION.sub("", word.lower())


def word_diff(a_words: Sequence[str], b_words: Sequence[str]) -> tuple[DiffOp, ...]:
    """The word-level diff from ``a_words`` to ``b_words`` as runs of equal/delete/insert/replace.

    Words match regardless of case and of punctuation at their edges ("Um," matches "um"),
    so the diff shows what was said differently, not how the model punctuated it. Each op
    keeps the words as written on its own side.
    """
    import difflib  # here, not at the top: progress never diffs words

    keys_a, keys_b = [_diff_key(w) for w in a_words], [_diff_key(w) for w in b_words]
    # autojunk would treat frequent words ("the", "I") of long answers as junk
    matcher = difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    return tuple(DiffOp(tag, tuple(a_words[i1:i2]), tuple(b_words[j1:j2]))
                 for tag, i1, i2, j1, j2 in matcher.get_opcodes())


# --- progress ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionPoint:
    """One session's aggregates in a progress report (over the takes the filters kept)."""

    session_id: int
    started_at_utc: str  # the first kept take's time
    answer_count: int
    take_count: int
    metrics: dict[str, float | None]

    def to_dict(self) -> dict:
        return {
            "session_id": self.session_id,
            "started_at_utc": self.started_at_utc,
            "answer_count": self.answer_count,
            "take_count": self.take_count,
            "metrics": {k: _round(v) for k, v in self.metrics.items()},
        }


@dataclass(frozen=True)
class MetricTrend:
    """A metric over sessions: the mean of the first ``window`` sessions against the last.

    ``direction`` is improving, worsening, steady (a change under 10% or under the metric's
    noise floor), on_target (a larger change that left it as good as it was) or
    not_enough_data (fewer than 2 sessions measured it).
    """

    metric: Metric
    values: tuple[float | None, ...]  # one per session, in session order
    first: float | None
    recent: float | None
    window: int
    direction: str

    @property
    def change(self) -> float | None:
        return None if self.first is None or self.recent is None else self.recent - self.first

    @property
    def relative_change(self) -> float | None:
        return relative_change(self.first, self.recent)

    @property
    def latest(self) -> float | None:
        """The most recent session's value (None when no session measured it)."""
        return next((v for v in reversed(self.values) if v is not None), None)

    def to_dict(self) -> dict:
        return {
            "key": self.metric.key,
            "label": self.metric.label,
            "unit": self.metric.unit,
            "goal": self.metric.goal,
            "first": _round(self.first),
            "recent": _round(self.recent),
            "window": self.window,
            "change": _round(self.change),
            "relative_change": _round(self.relative_change),
            "direction": self.direction,
        }


_DIRECTION = {"better": "improving", "worse": "worsening", "same": "steady",
              "on_target": "on_target", "not_comparable": "not_enough_data"}


def metric_trend(metric: Metric, values: Sequence[float | None]) -> MetricTrend:
    """First sessions against recent ones: the mean of the first 3 and the last 3 (of the
    sessions that measured the metric), fewer each when there are under 6, so the two ends
    never overlap: first against last with 2 or 3 sessions."""
    measured = [v for v in values if v is not None]
    window = TREND_WINDOW if len(measured) >= 2 * TREND_WINDOW else len(measured) // 2
    if window == 0:
        return MetricTrend(metric, tuple(values), None, None, 0, "not_enough_data")
    first = sum(measured[:window]) / window
    recent = sum(measured[-window:]) / window
    return MetricTrend(metric, tuple(values), first, recent, window,
                       _DIRECTION[judge_change(metric, first, recent)])


@dataclass(frozen=True)
class FillerPattern:
    """A filler and how often it was the top one: of sessions, and of takes."""

    text: str
    sessions_top: int
    session_count: int
    takes_top: int
    take_count: int

    def to_dict(self) -> dict:
        return {"text": self.text, "sessions_top": self.sessions_top,
                "session_count": self.session_count, "takes_top": self.takes_top,
                "take_count": self.take_count}


@dataclass(frozen=True)
class KindPattern:
    """How often answers to one question kind ran over (or under) their length target."""

    kind: str  # "unspecified" for answers to no bank question kind
    answers: int  # takes with a length verdict
    over_target: int
    under_target: int

    @property
    def share_over(self) -> float:
        return self.over_target / self.answers if self.answers else 0.0

    @property
    def runs_long(self) -> bool:
        return self.answers >= RUNS_LONG_MIN_ANSWERS and self.share_over >= RUNS_LONG_SHARE

    def to_dict(self) -> dict:
        return {"kind": self.kind, "answers": self.answers, "over_target": self.over_target,
                "under_target": self.under_target, "share_over": _round(self.share_over),
                "runs_long": self.runs_long}


@dataclass(frozen=True)
class PausePattern:
    """Where long pauses fell, counted by position (from the takes' reports)."""

    long_count: int
    by_position: dict[str, int]
    takes_read: int  # takes whose report was there to read

    def to_dict(self) -> dict:
        return {"long_count": self.long_count, "by_position": dict(self.by_position),
                "takes_read": self.takes_read}


@dataclass(frozen=True)
class StarPattern:
    """Which STAR parts behavioral answers missed, over the takes whose structure was
    judged: ``missing`` counts, per part in STAR order, the takes that missed it."""

    judged_takes: int
    missing: dict[str, int]

    @property
    def most_missing(self) -> tuple[str, int] | None:
        """(part, takes) of the part missed most often (the earlier one on a tie), or None."""
        part = max(STAR_PARTS, key=lambda p: (self.missing.get(p, 0), -STAR_PARTS.index(p)))
        count = self.missing.get(part, 0)
        return (part, count) if count else None

    def to_dict(self) -> dict:
        most = self.most_missing
        return {"judged_takes": self.judged_takes, "missing": dict(self.missing),
                "most_missing": None if most is None else {"part": most[0], "takes": most[1]}}


@dataclass(frozen=True)
class HedgePattern:
    """How much the answers hedged: over the takes that measured it, how many hedged often
    (as often as the report's hedging tip asks: ``hedges_min_count_for_tip`` hedges and
    ``hedges_flag_per_100_words``), all hedges per 100 of their words, and the hedges said
    most (from the reports read: the recent ones)."""

    takes: int
    takes_often: int
    per_100_words: float | None
    top: tuple[tuple[str, int], ...]
    reports_read: int

    def to_dict(self) -> dict:
        return {"takes": self.takes, "takes_often": self.takes_often,
                "per_100_words": _round(self.per_100_words, 2),
                "top": [{"text": text, "count": n} for text, n in self.top],
                "reports_read": self.reports_read}


@dataclass(frozen=True)
class VoicePattern:
    """In how many of the recent sessions measured for delivery (``sessions``, at most
    ``DELIVERY_SESSIONS``) the voice was monotone (in at least half of the session's
    measured takes) or rose at the end of statements (a mean uptalk share of
    ``UPTALK_HABIT_SHARE`` or more)."""

    sessions: int
    monotone_sessions: int
    uptalk_sessions: int

    def to_dict(self) -> dict:
        return {"sessions": self.sessions, "monotone_sessions": self.monotone_sessions,
                "uptalk_sessions": self.uptalk_sessions}


@dataclass(frozen=True)
class QuestionRef:
    id: str
    text: str
    category: str | None = None
    kind: str | None = None

    def to_dict(self) -> dict:
        return {"id": self.id, "text": self.text, "category": self.category, "kind": self.kind}


@dataclass(frozen=True)
class QuestionScore:
    """A question's off-target score: the mean number of ``OFF_TARGET_CHECKS`` its takes
    failed (0 best, 5 worst), and how often each check failed."""

    question_id: str | None
    question_text: str | None
    takes: int
    mean_off_target: float
    off_target: dict[str, int]

    def to_dict(self) -> dict:
        return {"question_id": self.question_id, "question_text": self.question_text,
                "takes": self.takes, "mean_off_target": _round(self.mean_off_target),
                "off_target": dict(self.off_target)}


#: What a take is scored on in ``worst_questions`` (see ``off_target_checks``).
OFF_TARGET_CHECKS = ("fillers", "pace", "pauses", "length", "rambling")
_FILLERS_GOOD_PER_100 = _DEFAULTS.fillers_good_per_100_words
_PACE_LOW, _PACE_HIGH = _DEFAULTS.pace_target_wpm
_PAUSE_RATIO_FLAG = _DEFAULTS.pause_ratio_flag


def off_target_checks(take: TakeRecord) -> list[str]:
    """The ``OFF_TARGET_CHECKS`` a take with speech fails.

    fillers: over 3 per 100 words; pace: outside 120-160 wpm; pauses: pause ratio over 35%;
    length: outside the question's length target; rambling: flagged. Metrics that could not
    be judged (no pace for a very short answer) do not count against it.
    """
    flags = _off_target_flags(take)
    return [check for check, failed in zip(OFF_TARGET_CHECKS, flags, strict=True) if failed]


def _off_target_flags(take: TakeRecord) -> tuple[bool, ...]:
    """Whether ``take`` fails each of ``OFF_TARGET_CHECKS``, in that order: a tuple, so
    ``worst_questions`` can add up a question's takes column by column. The flags may be
    a record's True or False or a ``TakeRow``'s 1 or 0."""
    pace, pause_ratio = take.words_per_minute, take.pause_ratio
    return (take.fillers_per_100_words > _FILLERS_GOOD_PER_100,
            pace is not None and not _PACE_LOW <= pace <= _PACE_HIGH,
            pause_ratio is not None and pause_ratio > _PAUSE_RATIO_FLAG,
            take.within_target is not None and not take.within_target,
            bool(take.rambling_flagged))


@dataclass(frozen=True)
class Patterns:
    """What keeps recurring across sessions."""

    fillers: tuple[FillerPattern, ...]  # most often top first
    kinds: tuple[KindPattern, ...]  # largest share over target first
    pauses: PausePattern
    worst_questions: tuple[QuestionScore, ...]  # highest score first, only scores above 0
    never_practised: tuple[QuestionRef, ...] | None  # None when no bank was given
    question_pool: int | None = None  # how many bank questions never_practised looked at
    star: StarPattern = field(default_factory=lambda: StarPattern(0, {}))
    hedges: HedgePattern = field(default_factory=lambda: HedgePattern(0, 0, None, (), 0))
    voice: VoicePattern = field(default_factory=lambda: VoicePattern(0, 0, 0))

    @property
    def top_filler(self) -> FillerPattern | None:
        return self.fillers[0] if self.fillers else None

    def to_dict(self) -> dict:
        return {
            "top_filler": None if self.top_filler is None else self.top_filler.to_dict(),
            "fillers": [f.to_dict() for f in self.fillers],
            "kinds": [k.to_dict() for k in self.kinds],
            "long_pause_positions": self.pauses.to_dict(),
            "worst_questions": [q.to_dict() for q in self.worst_questions],
            "never_practised": None if self.never_practised is None
            else [q.to_dict() for q in self.never_practised],
            "question_pool": self.question_pool,
            "star": self.star.to_dict(),
            "hedges": self.hedges.to_dict(),
            "voice": self.voice.to_dict(),
        }


@dataclass(frozen=True)
class Progress:
    """``mockview progress``: trends over sessions and recurring patterns."""

    sessions: tuple[SessionPoint, ...]
    trends: tuple[MetricTrend, ...]
    patterns: Patterns
    take_count: int
    filters: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    job: JobCoverage | None = None  # with ``--job``: its terms in the stored answers

    @property
    def sessions_needed(self) -> int:
        """How many more sessions a trend needs (0 when there are enough)."""
        return max(0, MIN_SESSIONS - len(self.sessions))

    def to_dict(self) -> dict:
        return {
            "filters": dict(self.filters),
            "session_count": len(self.sessions),
            "take_count": self.take_count,
            "sessions_needed": self.sessions_needed,
            "noise_ratio": NOISE_RATIO,
            "sessions": [s.to_dict() for s in self.sessions],
            "trends": [t.to_dict() for t in self.trends],
            "patterns": self.patterns.to_dict(),
            "notes": list(self.notes),
            "job": None if self.job is None else self.job.to_dict(),
        }


def group_sessions(takes: Iterable[TakeRecord]) -> list[list[TakeRecord]]:
    """Takes grouped by session, sessions ordered by their first take's time."""
    groups: dict[int, list[TakeRecord]] = defaultdict(list)
    for take in takes:
        groups[take.session_id].append(take)
    return sorted(groups.values(), key=lambda g: (_started_at(g), g[0].session_id))


_RECORDED_AT = operator.attrgetter("recorded_at_utc")
_ANSWER_ID = operator.attrgetter("answer_id")


def _started_at(takes: Sequence[TakeRecord]) -> str:
    """When the first of ``takes`` (a session's, in any order) was recorded."""
    return min(map(_RECORDED_AT, takes))


def build_progress(
    takes: Iterable[TakeRecord],
    *,
    questions: Sequence | None = None,
    question_id: str | None = None,
    category: str | None = None,
    since_utc: str | None = None,
    pause_takes: Iterable[TakeRecord] | None = None,
    report_tallies: ReportTallies | None = None,
    job: JobCoverage | None = None,
) -> Progress:
    """Trends and patterns over ``takes`` (any order; reports optional): ``TakeRecord``s,
    or the lighter ``TakeRow``s the store reads for progress.

    ``question_id``, ``category`` and ``since_utc`` keep only the matching takes (the store
    filters the same way; doing it here too keeps this function right on its own) and are
    echoed in ``filters``. ``questions`` are the bank questions (anything with ``id``,
    ``text``, ``category`` and ``kind``) to find the never-practised ones among; with
    ``category`` only that category's, with ``question_id`` none. Where long pauses fall is
    read from the reports of ``pause_takes`` (default: ``takes``), so a caller can load
    reports for the recent takes only: reading every report of a long history is slow.
    The hedges said most are read from the same reports. Or, in place of ``pause_takes``,
    ``report_tallies`` holds those counts as the store made them from the reports
    (``Store.report_tallies``, with the same filters). ``job`` (from ``job_coverage``) is
    passed through to the result.
    """

    def matches(t: TakeRecord) -> bool:
        return ((question_id is None or t.question_id == question_id)
                and (category is None or t.question_category == category)
                and (since_utc is None or t.recorded_at_utc >= since_utc))

    unfiltered = question_id is None and category is None and since_utc is None
    kept = list(takes) if unfiltered else [t for t in takes if matches(t)]
    groups = group_sessions(kept)
    sessions = tuple(SessionPoint(
        session_id=g[0].session_id,
        started_at_utc=_started_at(g),
        answer_count=len(set(map(_ANSWER_ID, g))),
        take_count=len(g),
        metrics=session_metrics(g),
    ) for g in groups)
    trends = tuple(metric_trend(m, [s.metrics[m.key] for s in sessions])
                   for m in SESSION_METRICS)
    if questions is not None and question_id is None:
        pool = [q for q in questions if category is None or q.category == category]
        never, pool_size = never_practised(kept, pool), len(pool)
    else:
        never, pool_size = None, None
    if report_tallies is not None:
        read: list[TakeRecord] = []
        pauses = _tallied_pauses(report_tallies)
    else:
        read = kept if pause_takes is None else [t for t in pause_takes if matches(t)]
        pauses = pause_positions(read)
    patterns = Patterns(
        fillers=filler_patterns(groups),
        kinds=kind_patterns(kept),
        pauses=pauses,
        worst_questions=worst_questions(kept),
        never_practised=never,
        question_pool=pool_size,
        star=star_pattern(kept),
        hedges=hedge_pattern(kept, read, tallies=report_tallies),
        voice=voice_pattern(groups),
    )
    filters = {"question_id": question_id, "category": category, "since_utc": since_utc}
    return Progress(sessions, trends, patterns, len(kept), filters, tuple(_version_notes(kept)),
                    job)


def recent_since_utc(takes: Iterable[TakeRecord], count: int) -> str | None:
    """The time from which the ``count`` most recent of ``takes`` were recorded (None when
    there are none): load reports from there to read only those."""
    times = sorted(t.recorded_at_utc for t in takes)
    return times[-count] if len(times) >= count else (times[0] if times else None)


def filler_patterns(sessions: Sequence[Sequence[TakeRecord]]) -> tuple[FillerPattern, ...]:
    """Each filler that was a session's top one, with in how many sessions and takes.

    A session's top filler is the one that was the top filler (the store's ``top_filler``)
    of most of its takes; a tie goes to the one whose takes held more fillers, then to the
    one said first. It needs no reports, so it costs nothing on a long history.
    """
    session_tops: Counter = Counter()
    take_tops: Counter = Counter()
    order: dict[str, int] = {}
    take_count = 0
    for takes in sessions:
        take_count += len(takes)
        votes: dict[str, int] = {}
        weight: dict[str, int] = {}
        for take in takes:
            top = take.top_filler
            if top and take.fillers_count:
                votes[top] = votes.get(top, 0) + 1
                weight[top] = weight.get(top, 0) + take.fillers_count
                if top not in order:
                    order[top] = len(order)
        if votes:
            for text, n in votes.items():
                take_tops[text] += n
            session_tops[max(votes, key=lambda w: (votes[w], weight[w], -order[w]))] += 1
    return tuple(
        FillerPattern(text, session_tops[text], len(sessions), take_tops[text], take_count)
        for text in sorted(take_tops, key=lambda w: (-session_tops[w], -take_tops[w], order[w]))
    )


def kind_patterns(takes: Iterable[TakeRecord]) -> tuple[KindPattern, ...]:
    """Per question kind: answers with a length verdict, and how many ran over or under."""
    # one count of (kind, verdict) pairs, which are few, rather than three per take
    pairs = Counter((t.question_kind or "unspecified", t.length_verdict) for t in takes
                    if t.length_verdict in _VERDICT_RANK)
    answers: Counter = Counter()
    over: Counter = Counter()
    under: Counter = Counter()
    for (kind, verdict), n in pairs.items():
        answers[kind] += n
        rank = _VERDICT_RANK[verdict]
        over[kind] += n if rank > 0 else 0
        under[kind] += n if rank < 0 else 0
    patterns = [KindPattern(k, answers[k], over[k], under[k]) for k in answers]
    return tuple(sorted(patterns, key=lambda p: (-p.share_over, -p.answers, p.kind)))


def pause_positions(takes: Iterable[TakeRecord]) -> PausePattern:
    """Long pauses counted by where they fell (between sentences, at a clause boundary,
    mid-clause, after a filler), read from the takes' reports; takes without one are
    skipped."""
    counts = dict.fromkeys(PAUSE_POSITIONS, 0)
    read = 0
    for take in takes:
        if take.report is None:
            continue
        read += 1
        for pause in take.report.get("metrics", {}).get("pauses", {}).get("items", ()):
            if pause.get("long"):
                position = pause.get("position") or "unknown"
                counts[position] = counts.get(position, 0) + 1
    return PausePattern(sum(counts.values()), counts, read)


def _tallied_pauses(tallies: ReportTallies) -> PausePattern:
    """``pause_positions`` from the store's counts."""
    counts = dict.fromkeys(PAUSE_POSITIONS, 0)
    counts.update(tallies.long_pauses)
    return PausePattern(sum(counts.values()), counts, tallies.reports)


def star_pattern(takes: Iterable[TakeRecord]) -> StarPattern:
    """Per STAR part, the behavioral takes (with a judged structure) that missed it."""
    # few distinct values ("", "result", "situation,result"...): each is split once
    judged = Counter(t.star_missing for t in takes if t.star_missing is not None)
    missing = dict.fromkeys(STAR_PARTS, 0)
    for value, takes_missing in judged.items():
        parts = value.split(",")
        for part in STAR_PARTS:
            if part in parts:
                missing[part] += takes_missing
    return StarPattern(sum(judged.values()), missing)


def hedge_pattern(takes: Iterable[TakeRecord], report_takes: Iterable[TakeRecord] = (), *,
                  tallies: ReportTallies | None = None) -> HedgePattern:
    """Hedging over ``takes`` (from their stored counts), and the hedges said most in the
    reports of ``report_takes`` (takes without a report, or whose content was not judged,
    are skipped), or as the store counted them in ``tallies``."""
    measured = [t for t in takes if t.hedges_count is not None and t.word_count > 0]
    often = sum(1 for t in measured
                if t.hedges_count >= _DEFAULTS.hedges_min_count_for_tip
                and (t.hedges_count / t.word_count * 100
                     >= _DEFAULTS.hedges_flag_per_100_words))
    words = sum(t.word_count for t in measured)
    per_100 = sum(t.hedges_count for t in measured) / words * 100 if words else None
    said: Counter = Counter(tallies.hedges if tallies is not None else ())
    read = tallies.judged_content if tallies is not None else 0
    for take in report_takes:
        metrics = (take.report or {}).get("metrics")
        content = metrics.get("content") if isinstance(metrics, dict) else None
        if not isinstance(content, dict) or content.get("judged") is not True:
            continue
        read += 1
        for item in (content.get("hedges") or {}).get("top") or ():
            said[item["text"]] += item["count"]
    top = tuple(sorted(said.items(), key=lambda kv: (-kv[1], kv[0]))[:3])
    return HedgePattern(len(measured), often, per_100, top, read)


def voice_pattern(sessions: Sequence[Sequence[TakeRecord]], *,
                  window: int = DELIVERY_SESSIONS) -> VoicePattern:
    """Monotone and uptalk in the last ``window`` of ``sessions`` (oldest first) that were
    measured for delivery."""
    # from the latest session back, so a long history's older sessions are never read
    recent: list[Sequence[TakeRecord]] = []
    for takes in reversed(sessions):
        if len(recent) >= window:
            break
        if any(t.monotone is not None or t.uptalk_share is not None for t in takes):
            recent.append(takes)
    recent.reverse()
    monotone = uptalk = 0
    for takes in recent:
        flags = [t.monotone for t in takes if t.monotone is not None]
        monotone += bool(flags) and sum(flags) * 2 >= len(flags)
        share = _mean(t.uptalk_share for t in takes)
        uptalk += share is not None and share >= UPTALK_HABIT_SHARE
    return VoicePattern(len(recent), monotone, uptalk)


def never_practised(takes: Iterable[TakeRecord], questions: Iterable) -> tuple[QuestionRef, ...]:
    """The ``questions`` (bank order kept) that no take answers."""
    done = {t.question_id for t in takes if t.question_id}
    return tuple(QuestionRef(q.id, q.text, getattr(q, "category", None),
                             getattr(q, "kind", None))
                 for q in questions if q.id not in done)


def worst_questions(takes: Iterable[TakeRecord], *,
                    limit: int = WORST_QUESTIONS) -> tuple[QuestionScore, ...]:
    """The questions whose takes fail the most ``OFF_TARGET_CHECKS`` on average.

    Questions are told apart by id, or by their text when asked without a bank id; takes
    without speech and answers to no question are left out, and so are questions that
    meet every target (score 0). Ties go to the question with more takes.
    """
    by_question: dict[tuple, list[TakeRecord]] = defaultdict(list)
    for take in takes:
        if take.word_count > 0 and (take.question_id or take.question_text):
            key = ("id", take.question_id) if take.question_id else ("text",
                                                                      take.question_text)
            by_question[key].append(take)
    scores = []
    for group in by_question.values():
        # each check's failures over the group: the takes' flags added column by column
        failed = [sum(column)
                  for column in zip(*map(_off_target_flags, group), strict=True)]
        mean = sum(failed) / len(group)
        if mean > 0:
            missed = {c: n for c, n in zip(OFF_TARGET_CHECKS, failed, strict=True) if n}
            scores.append(QuestionScore(group[0].question_id, group[-1].question_text,
                                        len(group), mean, missed))
    scores.sort(key=lambda s: (-s.mean_off_target, -s.takes, s.question_id or ""))
    return tuple(scores[:limit])


# --- a job description against the stored answers ------------------------------------------


@dataclass(frozen=True)
class JobTermUse:
    """One key term of a job description: in how many takes it was said, and the latest."""

    term: str
    kind: str  # as ``content.JobTerm``: name, phrase, word or given
    takes: int
    last_at_utc: str | None = None  # when the latest take that said it was recorded
    last_take: str | None = None  # that take, as SESSION:ANSWER:TAKE

    def to_dict(self) -> dict:
        return {"term": self.term, "kind": self.kind, "takes": self.takes,
                "last_at_utc": self.last_at_utc, "last_take": self.last_take}


@dataclass(frozen=True)
class JobCoverage:
    """``mockview progress --job``: which of a job's key terms your stored answers say.

    ``terms`` keep the job's order (most telling first); ``take_count`` is the takes whose
    transcripts were read.
    """

    title: str | None
    take_count: int
    terms: tuple[JobTermUse, ...]

    @property
    def mentioned(self) -> tuple[JobTermUse, ...]:
        """The terms said in at least one take, the most often said first."""
        order = {t.term: n for n, t in enumerate(self.terms)}
        return tuple(sorted((t for t in self.terms if t.takes),
                            key=lambda t: (-t.takes, order[t.term])))

    @property
    def never(self) -> tuple[JobTermUse, ...]:
        return tuple(t for t in self.terms if not t.takes)

    def to_dict(self) -> dict:
        return {"title": self.title, "take_count": self.take_count,
                "term_count": len(self.terms), "mentioned_count": len(self.mentioned),
                "terms": [t.to_dict() for t in self.terms],
                "never": [t.term for t in self.never]}


def job_coverage(takes: Sequence[TakeRecord], title: str | None, rules: Sequence[TermRule],
                 said: Sequence[Collection[int]]) -> JobCoverage:
    """Which of a job's key terms the takes said, in how many takes and when last.

    ``rules`` are the job's terms (``wordforms.term_rules``) and ``said`` the ids of the
    takes that say each (``Store.takes_saying``): a take says a term exactly when its report
    would have matched it, so this agrees with the job coverage of ``mockview analyze
    --job``. Only ``takes`` count, so the filters of ``progress`` apply.
    """
    by_id = {take.take_id: take for take in takes}
    uses = []
    for rule, ids in zip(rules, said, strict=True):
        saying = [by_id[i] for i in ids if i in by_id]
        latest = max(saying, key=lambda t: (t.recorded_at_utc, t.take_id), default=None)
        uses.append(JobTermUse(rule.term, rule.kind, len(saying), *(
            (latest.recorded_at_utc,
             str(TakeSpec(latest.session_id, latest.answer_no, latest.take_no)))
            if latest is not None else ())))
    return JobCoverage(title, len(takes), tuple(uses))


# --- dates ------------------------------------------------------------------------------------


def parse_since(value: str) -> date:
    """A ``--since`` date: YYYY-MM-DD."""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise ValueError
        return date.fromisoformat(value.strip())
    except ValueError:
        raise MockviewError(f"--since '{value}' is not a date. Give it as YYYY-MM-DD,"
                            " for example 2026-01-31.") from None


def day_start_utc(value: str, *, tz=None) -> str:
    """The UTC time (``2026-01-04T23:00:00Z``) at which the day ``value`` starts.

    The day starts at midnight in ``tz`` (the machine's local time zone when None), since
    that is the day the user means.
    """
    day = parse_since(value)
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    start = start.astimezone() if tz is None else start
    return start.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _round(value: float | None, digits: int = 4) -> float | None:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return round(value, digits)
