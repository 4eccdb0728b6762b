"""Answer length against the target for the question's kind (or the question's own range).

The verdict judges ``duration_s``, the recording's length (thinking time included, since
the interviewer waits through it too):

- "too_short": under the flag (only kinds with one, e.g. behavioral under 45 s);
- "short": under the target's minimum;
- "within": inside the target, both ends included;
- "long": over the maximum up to the flag;
- "too_long": over the flag (e.g. behavioral over 180 s).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mockview.analysis.text import MAX_TIME_S, r_time
from mockview.errors import AnalysisError
from mockview.kinds import LengthTarget, length_target
from mockview.words import QuestionInfo

#: kinds whose answers are judged when the question does not say (matches kinds.py)
DEFAULT_KIND = "motivation"


@dataclass(frozen=True)
class LengthMetrics:
    """How long the answer ran and how that compares with its target.

    ``speaking_s`` is the speech span minus pauses; ``verdict`` is None when no speech was
    found (an empty recording has no length to judge). ``target_source`` is "question" when
    the question set its own range, else "kind".
    """

    duration_s: float
    speaking_s: float
    word_count: int
    kind: str
    target: LengthTarget
    verdict: str | None
    target_source: str = "kind"

    def to_dict(self) -> dict:
        return {
            "duration_s": r_time(self.duration_s),
            "speaking_s": r_time(self.speaking_s),
            "word_count": self.word_count,
            "kind": self.kind,
            "target_s": [self.target.min_s, self.target.max_s],
            "flag_under_s": self.target.flag_under_s,
            "flag_over_s": self.target.flag_over_s,
            "verdict": self.verdict,
            "target_source": self.target_source,
        }


def question_target(question: QuestionInfo | None) -> tuple[str, LengthTarget]:
    """The kind the answer is judged as and its target (the question's own range wins).

    Raises AnalysisError for a ``target_s`` that is not a range of seconds.
    """
    if question is None:
        return DEFAULT_KIND, length_target(None)
    kind = question.kind or DEFAULT_KIND
    if question.target_s is not None:
        _check_target(question.target_s)
    return kind, length_target(question.kind, question.target_s)


def _check_target(target_s) -> None:
    try:
        low, high = (float(v) for v in target_s)
    except (TypeError, ValueError):
        low = high = math.nan
    if not (math.isfinite(low) and math.isfinite(high) and 0 < low < high <= MAX_TIME_S):
        raise AnalysisError(
            f"Question target_s is {target_s!r}: it must be (min, max) seconds with"
            f" 0 < min < max <= {MAX_TIME_S:g}. Fix the question's target_s in its bank."
        )


def length_verdict(duration_s: float, target: LengthTarget) -> str:
    if target.flag_under_s is not None and duration_s < target.flag_under_s:
        return "too_short"
    if duration_s < target.min_s:
        return "short"
    if duration_s <= target.max_s:
        return "within"
    if duration_s <= target.flag_over_s:
        return "long"
    return "too_long"


def length_metrics(
    *,
    duration_s: float,
    speaking_s: float,
    word_count: int,
    question: QuestionInfo | None,
) -> LengthMetrics:
    kind, target = question_target(question)
    verdict = length_verdict(duration_s, target) if word_count else None
    source = "question" if question is not None and question.target_s else "kind"
    return LengthMetrics(duration_s, speaking_s, word_count, kind, target, verdict, source)
