"""One answer's report: transcription and analysis put together in the documented JSON shape.

The report is a plain dict (the README's "JSON report" section is its schema) so that every
renderer (terminal, JSON, later Markdown and HTML) and the store read the same thing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from mockview.words import QuestionInfo, Transcript

#: Raise when a key is removed or changes meaning; adding keys does not raise it.
SCHEMA_VERSION = 1


def analyze_recording(
    path: str | os.PathLike,
    *,
    question: QuestionInfo | None = None,
    model_name: str | None = None,
    progress: Callable[[float, float], None] | None = None,
) -> dict:
    """Transcribe and analyse one recorded answer; the whole of ``mockview analyze``."""
    from mockview.transcription import transcribe_file

    transcript = transcribe_file(path, model_name=model_name, progress=progress)
    return build_report(transcript, question=question, audio_path=path)


def build_report(
    transcript: Transcript,
    *,
    question: QuestionInfo | None = None,
    audio_path: str | os.PathLike | None = None,
) -> dict:
    """The report dict for an already transcribed answer."""
    from mockview.analysis import ANALYSIS_VERSION, analyze_answer

    analysis = analyze_answer(transcript, question=question).to_dict()
    return {
        "schema_version": SCHEMA_VERSION,
        "analysis_version": ANALYSIS_VERSION,
        "audio": {
            "path": str(Path(audio_path)) if audio_path is not None else None,
            "duration_s": round(transcript.duration_s, 2),
        },
        "question": _question_dict(question),
        "transcript": {
            "text": transcript.text,
            "model": transcript.model,
            "words": [
                {
                    "text": w.text,
                    "start_s": round(w.start_s, 2),
                    "end_s": round(w.end_s, 2),
                    "probability": round(w.probability, 3),
                }
                for w in transcript.words
            ],
            "dropped": [
                {
                    "text": d.word.text,
                    "start_s": round(d.word.start_s, 2),
                    "end_s": round(d.word.end_s, 2),
                    "reason": d.reason,
                }
                for d in transcript.dropped
            ],
        },
        "metrics": analysis["metrics"],
        "feedback": analysis["feedback"],
    }


def _question_dict(question: QuestionInfo | None) -> dict | None:
    if question is None:
        return None
    return {
        "id": question.id,
        "text": question.text,
        "kind": question.kind,
        "target_s": list(question.target_s) if question.target_s else None,
        "tips": list(question.tips),
    }
