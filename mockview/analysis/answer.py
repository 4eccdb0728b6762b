"""One answer analysed: :func:`analyze_answer` runs every metric family over a transcript
and ranks their feedback into an :class:`AnswerAnalysis`.

The package re-exports both (``from mockview.analysis import analyze_answer``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mockview.analysis.content import ContentResult, JobDescription, content_metrics
from mockview.analysis.feedback import FeedbackItem, build_feedback
from mockview.analysis.fillers import FILLED_PAUSE, FillerMetrics, fillers_between
from mockview.analysis.length import LengthMetrics, evidence_minimum, length_metrics
from mockview.analysis.pace import PaceMetrics, pace_metrics
from mockview.analysis.pauses import PauseMetrics, answer_gaps, pause_metrics
from mockview.analysis.rambling import RamblingMetrics, rambling_metrics
from mockview.analysis.settings import AnalysisSettings
from mockview.analysis.text import MAX_TIME_S, clean_words, sentences, tokenize
from mockview.analysis.topics import Topics, topics
from mockview.errors import AnalysisError
from mockview.words import QuestionInfo, Transcript


@dataclass(frozen=True)
class AnswerAnalysis:
    """Everything the analysis says about one answer."""

    fillers: FillerMetrics
    pace: PaceMetrics
    pauses: PauseMetrics
    length: LengthMetrics
    rambling: RamblingMetrics
    feedback: tuple[FeedbackItem, ...]
    has_speech: bool
    content: ContentResult | None = None
    topics: Topics | None = None

    def to_dict(self) -> dict:
        """The ``metrics`` and ``feedback`` parts of the JSON report (rounded: times to 2
        decimals, rates to 1, ratios to 3)."""
        return {
            "metrics": {
                "fillers": self.fillers.to_dict(),
                "pace": self.pace.to_dict(),
                "pauses": self.pauses.to_dict(),
                "length": self.length.to_dict(),
                "rambling": self.rambling.to_dict(),
                **({"content": self.content.to_dict()} if self.content else {}),
                **({"topics": self.topics.to_dict()} if self.topics else {}),
            },
            "feedback": [item.to_dict() for item in self.feedback],
        }


def analyze_answer(
    transcript: Transcript,
    question: QuestionInfo | None = None,
    settings: AnalysisSettings | None = None,
    job: JobDescription | None = None,
) -> AnswerAnalysis:
    """Analyse one transcribed answer, optionally against the question it answers and the
    job description it is for (``job``: its key terms are looked for in the answer).

    Word timelines are repaired rather than rejected: words are sorted by start, negative
    times clamped to 0 and ends kept at or after starts. Only times that are not finite
    numbers raise :class:`~mockview.errors.AnalysisError`. An answer with no words gives a
    valid result that says no speech was found.
    """
    settings = settings or AnalysisSettings()
    words = clean_words(transcript.words)
    duration_s = _duration(transcript.duration_s)
    tokens = tokenize(words)
    has_speech = bool(tokens)
    span_s = max(t.end_s for t in tokens) - tokens[0].start_s if tokens else 0.0
    if tokens:
        duration_s = max(duration_s, max(t.end_s for t in tokens))

    regions, gaps = answer_gaps(transcript, tokens, min_pause_s=settings.min_pause_s)
    items = fillers_between(tokens, gaps)
    pauses = pause_metrics(
        tokens, gaps,
        source="speech_regions" if regions else "word_gaps",
        filled_pause_indices={i for f in items if f.kind == FILLED_PAUSE
                              for i in f.token_indices},
        marker_indices={i for f in items if f.kind != FILLED_PAUSE for i in f.token_indices},
        settings=settings,
    )
    fillers = FillerMetrics(tuple(items), len(tokens), span_s)
    minimum = evidence_minimum(question, settings=settings)
    pace = pace_metrics(tokens, total_pause_s=pauses.total_pause_s, settings=settings,
                        minimum=minimum)
    speaking_s = max(0.0, span_s - pauses.total_pause_s)
    length = length_metrics(
        duration_s=duration_s,
        speaking_s=speaking_s,
        word_count=len(tokens),
        question=question,
    )
    if not has_speech:
        note = "No speech was found."
    else:
        note = minimum.shortfall(len(tokens), speaking_s, "rambling")
    judged = has_speech and note is None
    spans = sentences(tokens)
    rambling = rambling_metrics(
        tokens,
        sentence_spans=spans,
        fillers=items,
        length=length,
        question=question,
        judged=judged,
        note=note,
        settings=settings,
    )
    content = content_metrics(
        tokens,
        sentence_spans=spans,
        filler_indices={i for f in items for i in f.token_indices},
        question=question,
        job=job,
        settings=settings,
        minimum=minimum,
    )
    feedback = build_feedback(
        fillers=fillers, pace=pace, pauses=pauses, length=length, rambling=rambling,
        settings=settings, content=content, minimum=minimum,
    )
    talked_about = topics(tokens, sentence_spans=spans,
                          filler_indices={i for f in items for i in f.token_indices}
                          ) if has_speech else None
    return AnswerAnalysis(fillers, pace, pauses, length, rambling, feedback, has_speech,
                          content, talked_about)


def _duration(value: float) -> float:
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        raise AnalysisError(
            f"Transcript duration_s is {value!r}: it must be a finite number of seconds (the"
            " length of the audio). Load the audio again to measure it."
        )
    if value > MAX_TIME_S:
        raise AnalysisError(
            f"Transcript duration_s is {value!r}: it must be at most {MAX_TIME_S:g} s (24"
            " hours), the longest answer mockview analyses. Load the audio again to measure it."
        )
    return max(0.0, float(value))
