"""The analysis of one answer: fillers, pace, pauses, length, rambling and content (what the
answer says), plus ranked feedback.

Pure: a :class:`~mockview.words.Transcript` in, frozen dataclasses out; no files, devices,
models or databases, and nothing heavy imported. Every threshold is in
:class:`AnalysisSettings`. ``answer.py`` runs the metric families (one module each) and
ranks their feedback.

Importing the package imports none of its modules: each name below is loaded from its
module when first asked for. Renderers and trends use a helper or the settings of one
module (``text.clock``, ``settings``) and need not compile the whole analysis, which on a
fresh process was most of ``mockview show``'s start-up (``bench/bench_store.py``).

    >>> from mockview.analysis import analyze_answer
    >>> analyze_answer(transcript).to_dict()        # doctest: +SKIP
    {"metrics": {"fillers": ..., "pace": ..., "pauses": ..., "length": ..., "rambling": ...,
                 "content": ...},
     "feedback": [...]}
"""

from __future__ import annotations

import importlib

#: Bump the patch for fixes that leave documented values alone, the minor when the same
#: transcript can give different metric values or feedback (a rule, a default, a new
#: signal), the major when a key of ``to_dict()`` is removed or changes meaning.
ANALYSIS_VERSION = "0.3.0"

#: The module of the package that defines each name exported here.
_HOMES = {
    "AnalysisSettings": "settings",
    "AnswerAnalysis": "answer",
    "ContentResult": "content",
    "Evidence": "text",
    "FeedbackItem": "feedback",
    "FillerItem": "fillers",
    "FillerMetrics": "fillers",
    "JobDescription": "content",
    "LengthMetrics": "length",
    "PaceMetrics": "pace",
    "PaceWindow": "pace",
    "Pause": "pauses",
    "PauseMetrics": "pauses",
    "RamblingMetrics": "rambling",
    "RamblingSignal": "rambling",
    "analyze_answer": "answer",
    "job_terms": "content",
}

__all__ = ["ANALYSIS_VERSION", *_HOMES]


def __getattr__(name: str):
    """Import an exported name's module on first use (PEP 562), then keep the name here."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
