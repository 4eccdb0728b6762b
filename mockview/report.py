"""One answer's report: transcription and analysis put together in the documented JSON shape.

The report is a plain dict (the README's "JSON report" section is its schema) so that every
renderer (terminal, JSON, later Markdown and HTML) and the store read the same thing.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from mockview.speech import IN_MEMORY_S
from mockview.words import QuestionInfo, Transcript

if TYPE_CHECKING:
    import numpy as np

    from mockview.analysis import JobDescription
    from mockview.speech.delivery import DeliveryResult

#: Raise when a part is added to the report, or a key is removed or changes meaning
#: (README, "JSON report": 2 added ``metrics.content``, ``metrics.delivery`` and ``job``;
#: 3 added ``strengths``; 4 added ``follow_ups``).
SCHEMA_VERSION = 4
#: Delivery needs the whole answer in memory, so a longer recording is transcribed and
#: analysed, but its voice is not (it is no answer).
MAX_DELIVERY_S = IN_MEMORY_S

logger = logging.getLogger("mockview")


def analyze_recording(
    path: str | os.PathLike,
    *,
    question: QuestionInfo | None = None,
    model_name: str | None = None,
    progress: Callable[[float, float], None] | None = None,
    job: JobDescription | None = None,
    accurate_pitch: bool = False,
    fillers_from_audio: bool = False,
) -> dict:
    """Transcribe and analyse one recorded answer; the whole of ``mockview analyze``.

    The file is decoded once: the samples that were transcribed are the ones the delivery
    measures. The delivery analysis's libraries (scipy's filters, about 1 s to import; with
    ``accurate_pitch`` librosa too) load in a second thread while the model transcribes
    (``bench/bench_delivery.py --overlap`` measures what that saves).
    """
    from mockview.speech.audio import AudioFile
    from mockview.speech.transcription import TranscriptionSettings, decode_and_transcribe

    stated_s = AudioFile(path).stated_duration_s()
    # not for a recording too long to be measured: the libraries alone take ~75 MB (~210
    # with librosa for accurate_pitch)
    # the analysis's own imports are left to build_report: beside a transcription that
    # keeps every core busy they would only compete with it
    loader = (preload_in_background(accurate_pitch=accurate_pitch, analysis=False)
              if stated_s is None or stated_s <= MAX_DELIVERY_S else None)
    settings = TranscriptionSettings(fillers_from_audio=fillers_from_audio)
    transcript, samples = decode_and_transcribe(path, model_name=model_name, progress=progress,
                                                settings=settings, keep_s=MAX_DELIVERY_S)
    _warn_if_cut_short(path, transcript.duration_s, stated_s)
    if loader is not None:
        loader.join()
    delivery = measure_delivery(path if samples is None else samples, transcript,
                                accurate_pitch=accurate_pitch)
    return build_report(transcript, question=question, audio_path=path, job=job,
                        delivery=delivery)


def preload(*, accurate_pitch: bool = False, analysis: bool = True) -> None:
    """Load ahead what measuring the delivery and building a report will import.

    The delivery's libraries (``mockview.speech.delivery.preload``), and the analysis
    modules, which load on first use: in a process that has not analysed an answer yet,
    the first report spends about 0.2 s importing them (more where Python cannot keep
    their bytecode), on the user's wait for feedback. A report on a made-up answer of a
    few words takes every path that imports. ``analysis=False``: the delivery's libraries
    alone.
    """
    from mockview.speech.delivery import preload as preload_delivery
    from mockview.words import Word

    preload_delivery(accurate_pitch=accurate_pitch)
    if not analysis:
        return
    words = tuple(Word(text, 0.4 * i, 0.4 * i + 0.3)
                  for i, text in enumerate("Um, we shipped it, like, on time.".split()))
    build_report(Transcript(words=words, duration_s=3.0),
                 question=QuestionInfo("Tell me about a project.", kind="behavioral"))


def preload_in_background(*, accurate_pitch: bool = False,
                          analysis: bool = True) -> threading.Thread:
    """Run :func:`preload` in a daemon thread, started; join it before the analysis. A
    failure there is only logged: the analysis imports the same modules and reports it."""

    def load() -> None:
        try:
            preload(accurate_pitch=accurate_pitch, analysis=analysis)
        except Exception:
            logger.debug("preloading the analysis failed", exc_info=True)

    thread = threading.Thread(target=load, name="mockview-preload", daemon=True)
    thread.start()
    return thread


def _warn_if_cut_short(path, decoded_s: float, stated_s: float | None) -> None:
    """One line when the file holds less audio than its header promises (a recorder that
    crashed, a copy that stopped): what is there was analysed, and the user should know.
    Encoders pad and trim a few frames, so a shortfall under 0.25 s or 3 % is not one."""
    from mockview.analysis.text import clock

    if stated_s is None or stated_s - decoded_s <= max(0.25, 0.03 * stated_s):
        return
    if stated_s >= 10:
        ends, promised = clock(decoded_s), clock(stated_s)
    else:  # 0:00 of the 0:02 would say nothing
        ends, promised = f"{decoded_s:.1f} s", f"{stated_s:.1f} s"
    logger.warning("%s ends at %s of the %s its header promises: the rest is missing, so"
                   " only what is there was analysed.", path, ends, promised)


def measure_delivery(
    audio: str | os.PathLike | np.ndarray,
    transcript: Transcript,
    *,
    accurate_pitch: bool = False,
) -> DeliveryResult | None:
    """How the answer sounded (``mockview.speech.delivery``), from a file or the samples; None for
    a recording over ``MAX_DELIVERY_S``, whose samples are not held in memory."""
    from mockview.speech.audio import load_audio
    from mockview.speech.delivery import analyze_delivery

    if transcript.duration_s > MAX_DELIVERY_S:
        logger.warning("The recording is %.0f minutes long: its delivery (pitch, uptalk, "
                       "volume) is analysed only up to %.0f minutes.",
                       transcript.duration_s / 60, MAX_DELIVERY_S / 60)
        return None
    if isinstance(audio, (str, os.PathLike)):
        audio = load_audio(audio)
    return analyze_delivery(audio, transcript, accurate_pitch=accurate_pitch)


def build_report(
    transcript: Transcript,
    *,
    question: QuestionInfo | None = None,
    audio_path: str | os.PathLike | None = None,
    job: JobDescription | None = None,
    delivery: DeliveryResult | None = None,
) -> dict:
    """The report dict for an already transcribed answer, with its ``delivery`` if it was
    measured (``metrics.delivery`` is null otherwise)."""
    from mockview.analysis import ANALYSIS_VERSION, analyze_answer
    from mockview.analysis.feedback import merge_tips
    from mockview.followups import follow_ups
    from mockview.speech.delivery import delivery_tips
    from mockview.strengths import strengths

    analysis = analyze_answer(transcript, question=question, job=job)
    metrics = analysis.to_dict()["metrics"]
    metrics["delivery"] = delivery.to_dict() if delivery else None
    feedback = merge_tips(analysis.feedback, delivery_tips(delivery))
    report = {
        "schema_version": SCHEMA_VERSION,
        "analysis_version": ANALYSIS_VERSION,
        "audio": {
            "path": str(Path(audio_path)) if audio_path is not None else None,
            "duration_s": round(transcript.duration_s, 2),
        },
        "question": _question_dict(question),
        "job": {"title": job.title} if job else None,
        "transcript": {
            "text": transcript.text,
            "model": transcript.model,
            "words": [
                {
                    "text": w.text,
                    "start_s": round(w.start_s, 2),
                    "end_s": round(w.end_s, 2),
                    # a filler found in the audio has no model probability
                    "probability": (round(w.probability, 3) if w.source == "model"
                                    else None),
                    "source": w.source,
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
        "metrics": metrics,
        "feedback": [item.to_dict() for item in feedback],
    }
    # what went well, chosen from the verdicts above: kept with them, so every renderer
    # and a reader of the JSON show the same
    report["strengths"] = strengths(report)
    # what an interviewer would ask next, from what the judged findings say is missing
    report["follow_ups"] = follow_ups(report)
    return report


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
