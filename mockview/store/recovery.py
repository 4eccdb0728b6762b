"""Finishing the takes mockview was recording or analysing when it stopped.

``Store.open`` lists them (``Store.unfinished``) but does not run the model: the store
stays quick to open and free of transcription. This module does the rest, for
``mockview recover`` and at the start of ``mockview practice``: it repairs each WAV (a
killed recording leaves a stale header, see ``unfinished.py``), analyses it as the
practice loop would have, and keeps it as a take of the answer it was recorded for. A file
``mockview record`` was writing belongs to no session: it is repaired and its path given.

Each recording is claimed (locked) while it is worked on, so two processes recovering at
once never keep it twice, and the claim is let go on any failure: a model that cannot
load or a disk still full leaves the recording for the next run.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mockview.errors import AudioError, MockviewError
from mockview.store import unfinished
from mockview.words import QuestionInfo

logger = logging.getLogger("mockview")

_A_TAKE = "A take that mockview was recording when it stopped"

#: (audio path, question) -> report; the default transcribes with the model.
Analyser = Callable[[Path, QuestionInfo | None], dict]


@dataclass(frozen=True)
class Outcome:
    """What became of one unfinished recording: a line for the user.

    ``ok`` is False when the user has something to do: the recording was left for a later
    run, or could not be recovered and is only reported (``message`` says which, and where
    the audio is).
    """

    recording: unfinished.Unfinished
    message: str
    ok: bool = True
    take_id: int | None = None
    duration_s: float | None = None


def recover(store, *, model_name: str | None = None,
            analyse: Analyser | None = None,
            on_start: Callable[[unfinished.Unfinished], None] | None = None,
            readers: int | None = None) -> list[Outcome]:
    """Repair, analyse and keep every unfinished recording the store knows of.

    ``analyse`` defaults to transcribing with ``model_name``, reading ``readers`` chunks
    at a time (default: ``chunk_readers()``); ``on_start`` is told of each take before it
    is analysed, the slow part. Recordings another process is recovering are skipped.
    """
    analyse = analyse or _transcribe_and_analyse(model_name, readers)
    outcomes = []
    for recording in store.unfinished_recordings():
        claim = unfinished.claim(recording)
        if claim is None:
            continue
        with claim:
            outcomes.append(_recover_one(store, claim, analyse, on_start))
    return outcomes


def describe(recording: unfinished.Unfinished) -> str:
    """The question a recording answers, shortened, for messages about it."""
    question = ((recording.answer or {}).get("question") or {}).get("text")
    if not question:
        return "no question given"
    return f"“{question[:59].rstrip()}…”" if len(question) > 60 else f"“{question}”"


def _recover_one(store, claim: unfinished.Claim, analyse: Analyser, on_start) -> Outcome:
    recording = claim.recording
    if recording.problem is not None:
        with contextlib.suppress(OSError, unfinished.WavError):
            _repair(recording.audio_path)  # playable at least, if it is there
        return _give_up(claim, f"An unfinished recording cannot be recovered: "
                               f"{recording.problem}. Its audio, if any, is kept in "
                               f"{recording.audio_path}.")
    path = recording.audio_path
    try:
        duration_s = _repair(path)
    except FileNotFoundError:
        return _give_up(claim, f"{path} was being recorded when mockview stopped, but it is "
                               "no longer there; nothing to recover.", gone=True)
    except unfinished.WavError as error:
        return _give_up(claim, f"{error} It was being recorded when mockview stopped; it "
                               "was left as it is.")
    if duration_s == 0:
        claim.finish()
        return Outcome(recording, f"{_A_TAKE} ({describe(recording)}) holds no audio; "
                                  "removed it.")
    if recording.source == "record":
        claim.finish()
        return Outcome(recording, f"{path} was being recorded by mockview record when it "
                                  f"stopped: repaired, it holds {_clock(duration_s)}. Analyse "
                                  f"and keep it with: mockview analyze {path} --save",
                       duration_s=duration_s)
    if on_start is not None:
        on_start(recording)
    return _analyse_and_keep(store, claim, analyse, duration_s)


def _analyse_and_keep(store, claim: unfinished.Claim, analyse: Analyser,
                      duration_s: float) -> Outcome:
    recording = claim.recording
    try:
        report = analyse(recording.audio_path, _question(recording.question))
        take_id = store.keep_recording(claim, report)
    except AudioError as error:
        return _give_up(claim, f"{_A_TAKE} ({describe(recording)}) cannot be analysed: "
                               f"{error} Its recording is kept in {recording.audio_path}.")
    except MockviewError as error:  # the model, or the store: try again on the next run
        return Outcome(recording, f"{_A_TAKE} ({describe(recording)}) is not recovered yet: "
                                  f"{error} Its recording is kept in {recording.audio_path}; "
                                  "run mockview recover again once that is fixed.",
                       ok=False, duration_s=duration_s)
    session_id, answer_no, take_no = store.take_position(take_id)
    return Outcome(recording, f"Recovered a take that mockview was recording when it "
                              f"stopped ({_clock(duration_s)}, "
                              f"{describe(recording)}): it is now session {session_id}, "
                              f"answer {answer_no}, take {take_no}. See it with: mockview "
                              f"show {session_id}",
                   take_id=take_id, duration_s=duration_s)


def _give_up(claim: unfinished.Claim, message: str, *, gone: bool = False) -> Outcome:
    """Report a recording that cannot be recovered, once: its note goes, its audio stays.

    Keeping the note would repeat the same failure on every run; the message names the
    audio so the user can decide. ``gone``: the audio itself is gone, nothing to decide.
    """
    claim.recording.sidecar.unlink(missing_ok=True)
    claim.release()
    logger.info("%s", message)
    return Outcome(claim.recording, message, ok=gone)


def _repair(path: Path) -> float:
    """Repair the WAV at ``path``; its duration (0 for one that never got past its header)."""
    if path.stat().st_size == 0:
        return 0.0
    return unfinished.repair_wav(path)


def _transcribe_and_analyse(model_name: str | None, readers: int | None) -> Analyser:
    """Analyse a recording as the practice loop does: the whole report, no audio path
    (the WAV goes once the take is stored as FLAC)."""

    def analyse(path: Path, question: QuestionInfo | None) -> dict:
        from mockview.report import MAX_DELIVERY_S, build_report, measure_delivery
        from mockview.speech.transcription import decode_and_transcribe

        transcript, samples = decode_and_transcribe(path, model_name=model_name,
                                                    keep_s=MAX_DELIVERY_S, readers=readers)
        delivery = measure_delivery(path if samples is None else samples, transcript)
        return build_report(transcript, question=question, audio_path=None, delivery=delivery)

    return analyse


def _question(note: dict | None) -> QuestionInfo | None:
    """The QuestionInfo a recording's note was written from (lists back to tuples)."""
    if not note or not note.get("text"):
        return None
    fields = {name: tuple(value) if isinstance(value, list) else value
              for name, value in note.items() if name in QuestionInfo.__dataclass_fields__}
    return QuestionInfo(**fields)


def _clock(seconds: float) -> str:
    from mockview.analysis.text import clock

    return clock(seconds)
