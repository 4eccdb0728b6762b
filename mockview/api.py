"""The stable Python API: analyse a recording from a notebook or another tool, no subprocess.

    import mockview

    report = mockview.analyze_file("answer.wav", question="beh-disagree")
    print(report.words_per_minute, report.verdicts["length"], report.work_on[:2])
    data = report.to_dict()  # the whole JSON report

``analyze_file`` is what ``mockview analyze`` and ``mockview batch`` run; ``Report.to_dict()``
is the JSON report of the README ("JSON report"), the same object ``analyze --json`` prints.
Names kept here are kept across releases; a change to the dict's shape raises its
``schema_version``.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mockview.analysis import JobDescription
    from mockview.words import QuestionInfo

__all__ = ["Report", "analyze_file"]


@dataclass(frozen=True)
class Report:
    """One analysed answer. ``to_dict()`` is the whole report; the properties are the numbers
    most callers want first, read from it."""

    _data: dict = field(repr=False)

    def to_dict(self) -> dict:
        """The report as the README's "JSON report" documents it (a copy: change it freely)."""
        return copy.deepcopy(self._data)

    @property
    def path(self) -> str | None:
        return self._data["audio"]["path"]

    @property
    def duration_s(self) -> float:
        return self._data["audio"]["duration_s"]

    @property
    def question_id(self) -> str | None:
        question = self._data["question"]
        return question["id"] if question else None

    @property
    def analysis_version(self) -> str:
        return self._data["analysis_version"]

    @property
    def transcript(self) -> str:
        return self._data["transcript"]["text"]

    @property
    def words_per_minute(self) -> float | None:
        return self._data["metrics"]["pace"]["words_per_minute"]

    @property
    def fillers_per_minute(self) -> float | None:
        return self._data["metrics"]["fillers"]["per_minute"]

    @property
    def verdicts(self) -> dict[str, str | bool | None]:
        """The judged verdicts by metric: pace, length, rambling (flagged or not; None when not
        judged), structure and monotone (None when not judged)."""
        metrics = self._data["metrics"]
        structure = (metrics.get("content") or {}).get("structure")
        pitch = ((metrics.get("delivery") or {}).get("pitch")) or {}
        rambling = metrics["rambling"]
        return {
            "pace": metrics["pace"]["verdict"],
            "length": metrics["length"]["verdict"],
            "rambling": rambling["flagged"] if rambling.get("judged", True) else None,
            "structure": structure["verdict"] if structure else None,
            "monotone": pitch.get("monotone"),
        }

    @property
    def work_on(self) -> list[str]:
        """The feedback's titles, most important first."""
        return [item["title"] for item in self._data["feedback"]]


def analyze_file(
    path: str | os.PathLike,
    *,
    question: str | QuestionInfo | None = None,
    model: str | None = None,
    job: JobDescription | None = None,
    accurate_pitch: bool = False,
    progress: Callable[[float, float], None] | None = None,
    fillers_from_audio: bool = False,
) -> Report:
    """Transcribe and analyse one recorded answer (wav, flac, mp3, m4a, ogg; any rate).

    ``question`` is a bank question id (looked up in the bundled banks and the user's, like
    ``mockview analyze --question``) or a ``QuestionInfo``; it sets the length target, the
    kind's tips and the keywords. ``model`` is a faster-whisper model name or a local model
    directory (default: the bundled tiny.en); a named model must already be on this machine.
    The model is loaded once per process and kept, so a loop over many files pays for it once.
    ``progress(done_s, total_s)`` is called while the model transcribes.
    ``fillers_from_audio`` also looks for filled pauses the model left out (experimental,
    ``mockview.speech.hidden``).

    Raises ``mockview.errors.MockviewError`` (a subclass of it) with a one-line message for a
    file that cannot be read, an unknown question, or a missing model.
    """
    from mockview.report import analyze_recording

    data = analyze_recording(path, question=question_info(question), model_name=model,
                             progress=progress, job=job, accurate_pitch=accurate_pitch,
                             fillers_from_audio=fillers_from_audio)
    return Report(data)


def question_info(question: str | QuestionInfo | None,
                  bank_paths: tuple[str, ...] = ()) -> QuestionInfo | None:
    """A question id resolved against the banks (BankError naming close matches when it is
    not there); a ``QuestionInfo`` or None as given."""
    if question is None or not isinstance(question, str):
        return question
    from mockview.questions import find_question, load_banks

    return find_question(load_banks(extra=bank_paths), question).info()
