"""Recomputing stored takes from their audio with the current transcription and analysis."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from mockview.records import TakeRecord
from mockview.words import QuestionInfo


@dataclass
class Reanalysis:
    """What a reanalysis run did: takes redone, and takes skipped with the reason."""

    updated: int = 0
    skipped: list[tuple[TakeRecord, str]] = field(default_factory=list)


def question_of(take: TakeRecord) -> QuestionInfo | None:
    """The question as it was asked, from the take's stored snapshot."""
    stored = (take.report or {}).get("question")
    if not stored and not take.question_text:
        return None
    stored = stored or {}
    target = stored.get("target_s")
    return QuestionInfo(
        text=stored.get("text") or take.question_text or "",
        kind=stored.get("kind") or take.question_kind,
        id=stored.get("id") or take.question_id,
        target_s=tuple(target) if target else None,
        tips=tuple(stored.get("tips") or ()),
    )


def reanalyze(
    store,
    takes: Iterable[TakeRecord],
    *,
    model_name: str | None = None,
    progress: Callable[[TakeRecord], None] | None = None,
) -> Reanalysis:
    """Transcribe and analyse each take's stored audio again and store the new report.

    The store keeps each replaced report with its analysis version. A take whose audio
    is missing is skipped and reported, never deleted.
    """
    from mockview.errors import AudioError
    from mockview.report import analyze_recording

    result = Reanalysis()
    for take in takes:
        if take.audio_path is None or not take.audio_path.is_file():
            result.skipped.append((take, f"its audio {take.audio_path or '(none)'} is missing"))
        else:
            try:
                report = analyze_recording(take.audio_path, question=question_of(take),
                                           model_name=model_name)
            except AudioError as error:
                result.skipped.append((take, str(error)))
            else:
                store.replace_report(take.take_id, report)
                result.updated += 1
        if progress:
            progress(take)
    return result
