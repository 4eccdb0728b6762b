"""Answer length against the target for the question's kind (or the question's own range).

The verdict judges ``duration_s``, the recording's length (thinking time included, since
the interviewer waits through it too):

- "too_short": under the flag (only kinds with one, e.g. behavioral under 45 s);
- "short": under the target's minimum;
- "within": inside the target, both ends included;
- "long": over the maximum up to the flag;
- "too_long": over the flag (e.g. behavioral over 180 s).

Without a question of known kind, the answer is judged against a general target (the
motivation kind's 0:45-1:30) and every message names it as such, never as a kind's.

How much speech the answer needs before pace, rambling and content are judged follows the
question too (:func:`evidence_minimum`): a short-answer question (closing kind, or a target
that starts under 30 s) from 15 words and 5 s of speaking, any other from 20 words and 10 s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mockview import numbers
from mockview.analysis.settings import AnalysisSettings
from mockview.analysis.text import MAX_TIME_S, r_time
from mockview.errors import AnalysisError
from mockview.kinds import LENGTH_TARGETS, LengthTarget, length_target
from mockview.words import QuestionInfo

#: the kind whose target is the general one, used when the question's kind is not known
#: (matches kinds.py); it is then named "general", never as this kind
DEFAULT_KIND = "motivation"
#: kinds whose answers are complete in a sentence or two
SHORT_ANSWER_KINDS = frozenset({"closing"})


@dataclass(frozen=True)
class LengthMetrics:
    """How long the answer ran and how that compares with its target.

    ``speaking_s`` is the speech span minus pauses; ``verdict`` is None when no speech was
    found (an empty recording has no length to judge). ``target_source`` is "question" when
    the question set its own range, "kind" for its kind's, "general" when the kind is not
    known (``kind`` is then None).
    """

    duration_s: float
    speaking_s: float
    word_count: int
    kind: str | None
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


def question_target(question: QuestionInfo | None) -> tuple[str | None, LengthTarget]:
    """The question's known kind (None when not known) and the target the answer is judged
    against: the question's own range, else its kind's, else the general one.

    Raises AnalysisError for a ``target_s`` that is not a range of seconds.
    """
    if question is None:
        return None, length_target(None)
    kind = question.kind if question.kind in LENGTH_TARGETS else None
    if question.target_s is not None:
        _check_target(question.target_s)
    return kind, length_target(kind, question.target_s)


def target_source(question: QuestionInfo | None) -> str:
    """Where the target comes from: "question", "kind" or "general"."""
    if question is not None and question.target_s:
        return "question"
    if question is not None and question.kind in LENGTH_TARGETS:
        return "kind"
    return "general"


@dataclass(frozen=True)
class EvidenceMinimum:
    """The least speech an answer to this question is judged from: ``words`` words and
    ``speaking_s`` seconds of speaking (pauses left out) for pace and rambling,
    ``content_words`` words for what it says. ``short_answer`` for a question whose answer
    is complete in a sentence or two."""

    words: int
    speaking_s: float
    content_words: int
    short_answer: bool

    def enough(self, word_count: int, speaking_s: float) -> bool:
        return word_count >= self.words and speaking_s >= self.speaking_s

    def shortfall(self, word_count: int, speaking_s: float, what: str) -> str | None:
        """Why ``what`` ("pace", "pace or rambling") is not judged, naming the limit that was
        missed; None when there is enough."""
        if self.enough(word_count, speaking_s):
            return None
        needs = "a short answer needs" if self.short_answer else "that needs"
        if word_count < self.words and speaking_s < self.speaking_s:
            found = f"Only {word_count} words and {numbers.duration(speaking_s)} of speaking"
            limit = f"{self.words} words and {self.speaking_s:g} s"
        elif word_count < self.words:
            found, limit = f"Only {word_count} words", f"{self.words} words"
        else:
            found = f"Only {numbers.duration(speaking_s)} of speaking"
            limit = f"{self.speaking_s:g} s"
        return f"{found}: too little to judge {what} ({needs} {limit})."


def is_short_answer(question: QuestionInfo | None, *, settings: AnalysisSettings) -> bool:
    """A closing question, or one whose target starts under ``short_answer_target_s``."""
    if question is None:
        return False
    kind, target = question_target(question)
    return kind in SHORT_ANSWER_KINDS or target.min_s < settings.short_answer_target_s


def evidence_minimum(question: QuestionInfo | None, *,
                     settings: AnalysisSettings) -> EvidenceMinimum:
    """How much speech an answer to ``question`` is judged from (see the module docstring)."""
    if is_short_answer(question, settings=settings):
        return EvidenceMinimum(settings.short_answer_min_words,
                               settings.short_answer_min_speaking_s,
                               settings.short_answer_min_words, True)
    return EvidenceMinimum(settings.min_words_to_judge, settings.min_speaking_to_judge_s,
                           settings.content_min_words_to_judge, False)


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
    return LengthMetrics(duration_s, speaking_s, word_count, kind, target, verdict,
                         target_source(question))
