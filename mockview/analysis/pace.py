"""Pace: speech rate as a listener hears it, articulation rate, and pace over time.

Verdicts, from ``pace_target_wpm`` (120-160) and ``pace_flag_wpm`` (110-180):
"slow" under 110, "a_bit_slow" 110 to under 120, "good" 120-160, "a_bit_fast" over 160 up
to 180, "fast" over 180; "not_enough_speech" when the answer has less speech than its
question calls for (``length.evidence_minimum``: 20 words and 10 s of speaking, 15 words and
5 s for a short-answer question; a rate from a handful of words says little). A pace not
judged has no rate in the report (``words_per_minute`` None, ``note`` says why), so nothing
downstream can show or compare one.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from mockview.analysis.length import EvidenceMinimum
from mockview.analysis.settings import AnalysisSettings
from mockview.analysis.text import Token, r_rate, r_ratio, r_time

NOT_ENOUGH_SPEECH = "not_enough_speech"


@dataclass(frozen=True)
class PaceWindow:
    start_s: float
    end_s: float
    words_per_minute: float

    def to_dict(self) -> dict:
        return {"start_s": r_time(self.start_s), "end_s": r_time(self.end_s),
                "words_per_minute": r_rate(self.words_per_minute)}


@dataclass(frozen=True)
class PaceMetrics:
    """Rates in words per minute; None when there is no speech or too little to judge
    (``note`` then says why).

    ``trend`` compares the first and last ``pace_window_s`` windows when the answer holds
    two that do not overlap: "speeding_up", "slowing_down" or "steady"; else None.
    """

    words_per_minute: float | None
    articulation_wpm: float | None
    windows: tuple[PaceWindow, ...]
    verdict: str
    trend: str | None
    trend_change: float | None
    note: str | None = None

    def to_dict(self) -> dict:
        return {
            "words_per_minute": r_rate(self.words_per_minute),
            "articulation_wpm": r_rate(self.articulation_wpm),
            "windows": [w.to_dict() for w in self.windows],
            "verdict": self.verdict,
            "trend": self.trend,
            "trend_change": r_ratio(self.trend_change),
            "note": self.note,
        }


def pace_verdict(words_per_minute: float, *, settings: AnalysisSettings) -> str:
    low, high = settings.pace_target_wpm
    flag_low, flag_high = settings.pace_flag_wpm
    if words_per_minute < flag_low:
        return "slow"
    if words_per_minute < low:
        return "a_bit_slow"
    if words_per_minute <= high:
        return "good"
    if words_per_minute <= flag_high:
        return "a_bit_fast"
    return "fast"


def pace_windows(
    tokens: Sequence[Token], *, window_s: float, hop_s: float
) -> list[PaceWindow]:
    """Words per minute in windows of ``window_s`` every ``hop_s`` over the speech span,
    words counted by their midpoint. The last window ends at the last word; a span shorter
    than one window gives one window over the span."""
    if not tokens:
        return []
    first = tokens[0].start_s
    last = max(t.end_s for t in tokens)
    span = last - first
    if span <= 0:
        return []
    mids = sorted(t.mid_s for t in tokens)
    if span <= window_s:
        return [PaceWindow(first, last, len(mids) / span * 60)]
    starts = []
    start = first
    while start + window_s < last - 1e-9:
        starts.append(start)
        start += hop_s
    starts.append(last - window_s)
    windows = []
    for start in starts:
        end = start + window_s
        # the last window also counts a word whose midpoint is exactly its end
        upper = bisect.bisect_right if end >= last - 1e-9 else bisect.bisect_left
        count = upper(mids, end) - bisect.bisect_left(mids, start)
        windows.append(PaceWindow(start, end, count / window_s * 60))
    return windows


def pace_metrics(
    tokens: Sequence[Token],
    *,
    total_pause_s: float,
    settings: AnalysisSettings,
    minimum: EvidenceMinimum | None = None,
) -> PaceMetrics:
    """Speech rate over the span, articulation rate over the span minus pauses, windows;
    judged when the answer holds ``minimum`` (the question's, default the general one)."""
    if not tokens:
        return PaceMetrics(None, None, (), NOT_ENOUGH_SPEECH, None, None)
    minimum = minimum or EvidenceMinimum(settings.min_words_to_judge,
                                         settings.min_speaking_to_judge_s,
                                         settings.content_min_words_to_judge, False)
    span = max(t.end_s for t in tokens) - tokens[0].start_s
    count = len(tokens)
    wpm = count / span * 60 if span > 0 else None
    speaking = max(0.0, span - total_pause_s)
    note = minimum.shortfall(count, speaking, "pace")
    if note is not None or not wpm:
        return PaceMetrics(None, None, (), NOT_ENOUGH_SPEECH, None, None,
                           note or "No speech span to measure a pace over.")
    articulation = count / speaking * 60 if speaking > 0 else None
    windows = pace_windows(tokens, window_s=settings.pace_window_s, hop_s=settings.pace_hop_s)
    verdict = pace_verdict(wpm, settings=settings)
    trend = change = None
    if span >= 2 * settings.pace_window_s and windows[0].words_per_minute > 0:
        first, last = windows[0].words_per_minute, windows[-1].words_per_minute
        change = (last - first) / first
        if change >= settings.pace_trend_ratio:
            trend = "speeding_up"
        elif change <= -settings.pace_trend_ratio:
            trend = "slowing_down"
        else:
            trend = "steady"
    return PaceMetrics(wpm, articulation, tuple(windows), verdict, trend, change)
