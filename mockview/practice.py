"""The practice session: ask, record, give feedback, and let the user listen, retry or go on.

The session is a small state machine. ``Practice.run`` moves between four states::

    ask ──> take ──> choose ──> (play) ──> choose
     ^        ^        │
     │        └─retry──┤
     └──────next───────┤
                       └─quit──> done  (also after the last question)

Everything the user sees or presses goes through a ``PracticeUI`` (``mockview/ui.py`` is the
terminal one), the microphone through a ``record`` function and the model through a
``LiveTranscriber`` factory, so tests can drive the whole flow with fakes. Every take is
saved to the store as soon as its feedback is shown; quitting, Ctrl-C or a lost device
keep what was recorded. A take is registered with the store before its first sample
(``Store.begin_recording``), so one cut short by a crash, a kill or a full disk stays on
disk with a note of what it answers, for ``mockview recover`` to finish.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from mockview.errors import DeviceError, MockviewError, RecordingWriteError
from mockview.kinds import length_target
from mockview.report import preload_in_background

if TYPE_CHECKING:
    from mockview.analysis import JobDescription
    from mockview.questions import Question
    from mockview.recording import LevelReading, RecordingResult
    from mockview.records import SessionRecord
    from mockview.store import Store
    from mockview.store.unfinished import Claim
    from mockview.trends import Comparison
    from mockview.words import Transcript

logger = logging.getLogger("mockview")

#: Past the question's length flag, recording goes on this much longer before it stops:
#: the limit should stop an answer that has run away, not cut off one just over its target.
TIME_LIMIT_MARGIN = 1.25
#: The summary compares with the latest earlier session among this many recent ones.
SESSIONS_LOOKED_BACK = 20


class Action(Enum):
    """What the user can do after a take's feedback."""

    PLAY = "play"
    MOMENTS = "moments"  # play from each filler and long pause
    RETRY = "retry"
    NEXT = "next"
    QUIT = "quit"


@dataclass(frozen=True)
class PracticeSettings:
    """The options of ``mockview practice``."""

    time_limit_s: float | None = None  # None: from each question's kind
    prep_s: float = 5.0
    silence_stop_s: float | None = None
    device: int | str | None = None
    model_name: str | None = None
    job: JobDescription | None = None  # --job: its key terms are looked for in each answer
    accurate_pitch: bool = False  # --accurate-pitch: pyin instead of yin
    cues: bool = False  # --cues: fillers, pace and time from the live words while speaking
    follow_ups: bool = False  # --follow-ups: ask the top follow-up an answer earns


@dataclass
class Take:
    """One recorded and analysed take, as saved."""

    answer_no: int
    take_no: int
    question: Question
    recording: RecordingResult
    report: dict
    take_id: int | None = None
    audio_path: Path | None = None  # the stored FLAC, once saved
    feedback_s: float | None = None  # from the end of the recording to the feedback shown
    follows: dict | None = None  # a follow-up's parent: its answer_no, take_no, take_id

    def to_dict(self) -> dict:
        return {
            "answer_no": self.answer_no,
            "take_no": self.take_no,
            "take_id": self.take_id,
            "question_id": self.question.id,
            "question": self.question.text,
            "follows": self.follows,
            "audio_path": str(self.audio_path) if self.audio_path else None,
            "duration_s": round(self.recording.duration_s, 2),
            "stopped_by": self.recording.stopped_by,
            "overflow_count": self.recording.overflow_count,
            "feedback_s": None if self.feedback_s is None else round(self.feedback_s, 3),
            "report": self.report,
        }


@dataclass
class SessionResult:
    """What a practice session did: its takes in order, and how it ended."""

    session_id: int | None  # None until the first take starts recording
    takes: list[Take] = field(default_factory=list)
    questions_asked: int = 0
    quit_early: bool = False

    def to_dict(self) -> dict:
        return {
            "session_id": self.session_id,
            "questions_asked": self.questions_asked,
            "quit_early": self.quit_early,
            "takes": [take.to_dict() for take in self.takes],
        }


class RecordingView(Protocol):
    """What the UI shows while an answer is recorded (a context manager)."""

    stop: Any  # a threading.Event the UI sets when the user presses Enter

    def level(self, reading: LevelReading) -> None: ...

    def show_cues(self, cues: Callable[[float], str]) -> None:
        """Show ``cues(seconds recorded)`` while recording (only called with ``--cues``)."""

    def __enter__(self) -> RecordingView: ...

    def __exit__(self, *exc) -> None: ...


class PracticeUI(Protocol):
    """Everything the session shows the user or asks of them."""

    def show_question(self, question: Question, number: int, total: int, take_no: int,
                      time_limit_s: float) -> None: ...

    def prepare(self, seconds: float) -> None: ...

    def recording(self, time_limit_s: float) -> RecordingView: ...

    def show_feedback(self, take: Take) -> None: ...

    def choose(self, take: Take) -> Action: ...

    def play(self, take: Take, *, moments: bool) -> None: ...

    def notice(self, message: str) -> None: ...


Recorder = Callable[..., "RecordingResult"]
TranscriberFactory = Callable[[], Any]  # returns a LiveTranscriber (feed, finish, close)


def time_limit(question: Question, settings: PracticeSettings) -> float:
    """How long an answer to ``question`` may record: ``--time-limit``, else from its kind."""
    if settings.time_limit_s is not None:
        return settings.time_limit_s
    target = length_target(question.kind, question.target_s)
    return round(target.flag_over_s * TIME_LIMIT_MARGIN)


class Practice:
    """One practice session over ``questions``; ``run()`` it once."""

    def __init__(
        self,
        questions: Sequence[Question],
        *,
        store: Store,
        ui: PracticeUI,
        settings: PracticeSettings = PracticeSettings(),
        record: Recorder,
        transcriber: TranscriberFactory,
        interactive: bool = True,
        speak: Callable[[str], None] | None = None,
        source: str = "practice",
    ):
        if not questions:
            raise MockviewError("No questions to practise. Check --bank, --category and "
                                "--question (see: mockview questions).")
        self.questions = list(questions)
        self.store = store
        self.ui = ui
        self.settings = settings
        self.record = record
        self.new_transcriber = transcriber
        self.interactive = interactive
        # --voice: says a question aloud, and returns once it is said (so before recording)
        self.speak = speak
        self.source = source  # the session's source in the store: practice or interview
        # a follow-up's index -> the parent's answer_no, take_no and take_id
        self._parents: dict[int, dict] = {}

    def run(self) -> SessionResult:
        """Ask every question (or until the user quits); the session is saved as it goes.

        The session and each answer are stored when their first take starts recording, so
        a start that fails leaves nothing empty behind in ``mockview history``.
        """
        # the analysis's imports load while the first question is shown
        preload_in_background(accurate_pitch=self.settings.accurate_pitch)
        result = SessionResult(session_id=None)
        self.result = result
        self._answer_ids: dict[int, int] = {}
        index, take_no, state = 0, 0, "ask"
        latest: Take | None = None
        try:
            while state != "done":
                if state == "ask":
                    if index >= len(self.questions):
                        state = "done"
                        continue
                    result.questions_asked += 1
                    take_no, state = 0, "take"
                elif state == "take":
                    take_no += 1
                    latest = self._take(index, take_no)
                    if latest is not None:
                        result.takes.append(latest)
                    state = "choose" if self.interactive and latest is not None else "next"
                elif state == "choose":
                    state = self._after_choice(self.ui.choose(latest), latest)
                elif state == "next":
                    self._follow_up(index)
                    index, state = index + 1, "ask"
                elif state == "quit":
                    result.quit_early = index < len(self.questions) - 1
                    state = "done"
        finally:
            if result.session_id is not None:
                self._close_session(result)
        return result

    @property
    def session_id(self) -> int | None:
        return self.result.session_id

    def _answer_id(self, index: int) -> int:
        """The stored answer to question ``index``, and the session, made on first use."""
        if self.result.session_id is None:
            self.result.session_id = self.store.start_session(self.source)
        if index not in self._answer_ids:
            question = self.questions[index]
            if index in self._parents:
                self._answer_ids[index] = self.store.add_follow_up(
                    self._parents[index]["take_id"], question.info(), question.candidate,
                    category=question.category)
            else:
                self._answer_ids[index] = self.store.add_answer(
                    self.result.session_id, question.info(), category=question.category)
        return self._answer_ids[index]

    def _follow_up(self, index: int) -> None:
        """With follow-ups on, put the top follow-up the answer to question ``index`` earned
        next in line, linked to the take it follows: that answer's latest take with speech.

        A follow-up is not followed up, nor is a closing question (the interview is over);
        a candidate that is a question still to come (an interview's question about a job
        term) gives way to the next.
        """
        from mockview.followups import FollowUpQuestion, follow_up_question, follow_ups

        question = self.questions[index]
        if (not self.settings.follow_ups or isinstance(question, FollowUpQuestion)
                or question.kind == "closing"):
            return
        spoken = [t for t in self.result.takes if t.answer_no == index + 1
                  and (t.report.get("transcript") or {}).get("words")]
        parent = max(spoken, key=lambda t: t.take_no, default=None)
        to_come = {q.text.casefold() for q in self.questions[index + 1:]}
        candidates = [c for c in (follow_ups(parent.report) if parent else [])
                      if c["text"].casefold() not in to_come]
        if not candidates or parent.take_id is None:
            return
        self.questions.insert(index + 1, follow_up_question(question, candidates[0]))
        self._parents[index + 1] = {"answer_no": parent.answer_no, "take_no": parent.take_no,
                                    "take_id": parent.take_id}

    def _numbering(self, index: int) -> tuple[int, int]:
        """(number, total) of question ``index`` among the questions planned; a follow-up
        has the number of the question it follows."""
        from mockview.followups import FollowUpQuestion

        planned = [not isinstance(q, FollowUpQuestion) for q in self.questions]
        return sum(planned[: index + 1]), sum(planned)

    def _close_session(self, result: SessionResult) -> None:
        """Record when the session ended, without hiding why it ended.

        A session whose only takes recorded nothing is removed, unless a recording of it
        was kept for ``mockview recover``. On a full disk the write fails too; its error
        must not replace the one that stopped the session, which says where the take in
        progress was kept.
        """
        session_id = result.session_id
        try:
            if not result.takes and not self._kept_for_recovery(session_id):
                self.store.delete_session(session_id)
                result.session_id = None
            else:
                self.store.finish_session(session_id)
        except MockviewError as error:
            self.ui.notice(f"Could not record when session {session_id} ended: {error}")

    def _kept_for_recovery(self, session_id: int) -> bool:
        return any((recording.session or {}).get("id") == session_id
                   for recording in self.store.unfinished_recordings())

    def _after_choice(self, action: Action, take: Take) -> str:
        if action in (Action.PLAY, Action.MOMENTS):
            try:
                self.ui.play(take, moments=action is Action.MOMENTS)
            except MockviewError as error:  # a speaker gone must not end the session
                self.ui.notice(f"{error} The session goes on: retry, go to the next "
                               "question, or quit.")
            return "choose"
        return {Action.RETRY: "take", Action.NEXT: "next", Action.QUIT: "quit"}[action]

    def _take(self, index: int, take_no: int) -> Take | None:
        """Record, transcribe and analyse one take, show its feedback and save it.

        The take is registered before recording; its claim is let go on the way out,
        so whatever stops this (a full disk, a failed model, Ctrl-C) leaves the recording
        for ``mockview recover``, and only a saved or empty take is removed.
        """
        from mockview.report import build_report, measure_delivery

        question = self.questions[index]
        limit_s = time_limit(question, self.settings)
        self.ui.show_question(question, *self._numbering(index), take_no, limit_s)
        if self.speak is not None and take_no == 1:  # a retry is not asked again
            self._say(question.text)
        self.ui.prepare(self.settings.prep_s)
        with self.store.begin_recording(self._answer_id(index), question.info()) as claim:
            recording, live, stopped = self._record(claim, limit_s, question)
            self._tell_about(recording)
            if recording.duration_s <= 0:
                claim.finish()
                if recording.stopped_by != "device_lost":  # that notice said it
                    self.ui.notice("Nothing was recorded, so there is nothing to save. Check "
                                   "the microphone (see: mockview doctor).")
                return None
            transcript = self._finish(live, claim.audio_path)
            samples = live.audio()  # what was transcribed: no need to read the take back
            delivery = measure_delivery(claim.audio_path if samples is None else samples,
                                        transcript, accurate_pitch=self.settings.accurate_pitch)
            report = build_report(transcript, question=question.info(), audio_path=None,
                                  job=self.settings.job, delivery=delivery)
            take = Take(answer_no=index + 1, take_no=take_no, question=question,
                        recording=recording, report=report, follows=self._parents.get(index))
            take.feedback_s = time.monotonic() - stopped
            self.ui.show_feedback(take)
            take.take_id = self._save(claim, report)
        take.audio_path = self.store.take(self.session_id, index + 1, take_no).audio_path
        return take

    def _say(self, text: str) -> None:
        """Read the question aloud; a voice that fails is told once and the rest is text."""
        try:
            self.speak(text)
        except MockviewError as error:
            self.speak = None
            self.ui.notice(f"The question is not read aloud from here on: {error}")

    def _record(self, claim: Claim, limit_s: float,
                question: Question) -> tuple[RecordingResult, Any, float]:
        """Record into the claimed file: (result, live transcriber, when it stopped)."""
        path = claim.audio_path
        try:
            with self.new_transcriber() as live, self.ui.recording(limit_s) as view:
                if self.settings.cues:
                    from mockview.analysis.cues import CueLine

                    view.show_cues(CueLine(live.transcript_so_far,
                                           target=question.length_target))
                recording = self.record(
                    path,
                    device=self.settings.device,
                    max_duration_s=limit_s,
                    stop=view.stop,
                    on_level=view.level,
                    silence_stop_s=self.settings.silence_stop_s,
                    on_audio=live.feed,
                )
                stopped = time.monotonic()
        except RecordingWriteError as error:
            raise MockviewError(
                f"{error} The {error.duration_s:.1f} s recorded before that are kept in "
                f"{path}; once the disk has room, run: mockview recover") from None
        except DeviceError as error:
            if _empty(path):
                claim.finish()
            if not self.result.takes:
                raise
            raise DeviceError(f"{error} The takes recorded before are saved (see: mockview "
                              f"show {self.result.session_id}).") from None
        except BaseException:
            if _empty(path):
                claim.finish()
            raise
        return recording, live, stopped

    def _save(self, claim: Claim, report: dict) -> int:
        try:
            return self.store.keep_recording(claim, report)
        except MockviewError as error:
            raise MockviewError(f"{error} The take is kept in {claim.audio_path}; once that "
                                "is fixed, run: mockview recover") from None

    def summary(self, result: SessionResult) -> tuple[SessionRecord | None, Comparison | None]:
        """The stored session, and its comparison with the user's previous session."""
        from mockview.trends import compare_sessions

        if not result.takes:
            return None, None
        this = self.store.session(result.session_id)
        earlier = [s for s in self.store.sessions(limit=SESSIONS_LOOKED_BACK)
                   if s.session_id < result.session_id and s.take_count > 0]
        if not earlier:
            return this, None
        previous = self.store.session(max(earlier, key=lambda s: s.session_id).session_id)
        return this, compare_sessions(previous, this)

    def _finish(self, live, path: Path) -> Transcript:
        try:
            return live.finish()
        except MockviewError as error:
            raise MockviewError(f"{error} The recording was kept: {path} (mockview recover "
                                "analyses it and adds it to this session).") from None
        except KeyboardInterrupt:
            self.ui.notice(f"Stopped before this answer was analysed. Its recording is kept: "
                           f"{path} (mockview recover analyses it and adds it to this "
                           "session).")
            raise

    def _tell_about(self, recording: RecordingResult) -> None:
        if recording.overflow_count:
            self.ui.notice(f"{recording.overflow_count} input overflows: the computer did not "
                           "keep up with the microphone and some audio was lost. Close other "
                           "busy programs and try again.")
        if recording.stopped_by == "device_lost":
            said = f" ({recording.lost_reason})" if recording.lost_reason else ""
            if recording.duration_s > 0:
                when = f"after {recording.duration_s:.1f} s{said}; the answer so far is kept"
            else:
                when = f"before anything was recorded{said}, so there is nothing to save"
            self.ui.notice(f"The microphone stopped sending audio {when}. Check that it is "
                           "connected: the next take tries it again.")


def _empty(path: Path) -> bool:
    """True when a recording never received audio (a WAV header is 44 bytes)."""
    try:
        return path.stat().st_size <= 44
    except FileNotFoundError:
        return True
