"""What the session store hands out: stored takes and sessions as plain dataclasses.

The store (``store.py``) builds these from SQLite; comparisons and trends (``trends.py``)
read them and never touch the database, so they can be tested on hand-made histories.
A take is one recording of one answer; retries of a question are further takes of the
same answer. Times are UTC, ISO 8601 with a "Z" (``2026-11-25T20:44:00Z``).

One rule says which take stands for an answer (``representative``): its latest take with
speech, or its latest take when none has any. A retry that found no speech (a muted
microphone, a false start) is kept and marked, but never hides the answer given before it.
The store applies the same rule in SQL (``store.REPRESENTATIVE_SQL``).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class TakeRecord:
    """One stored take with the key numbers of its analysis (``report`` when loaded)."""

    take_id: int
    session_id: int
    answer_id: int
    answer_no: int  # 1-based position of the answer in its session
    take_no: int  # 1-based position of the take in its answer
    recorded_at_utc: str
    question_id: str | None
    question_text: str | None
    question_kind: str | None
    question_category: str | None
    audio_path: Path | None  # absolute path of the stored FLAC
    analysis_version: str
    duration_s: float
    speaking_s: float
    word_count: int
    words_per_minute: float | None
    articulation_wpm: float | None
    fillers_count: int
    fillers_per_minute: float
    fillers_per_100_words: float
    long_pause_count: int
    pause_ratio: float | None
    length_verdict: str | None  # too_short | short | within | long | too_long | None
    within_target: bool | None
    rambling_flagged: bool
    top_filler: str | None
    report: dict | None = None  # the full report (README "JSON report"), when asked for
    # What the answer says and how it sounded (migration m003); None: not measured (an
    # older report, a finding not judged, or one that does not apply to this answer).
    star_missing: str | None = None  # behavioral: "situation,result"; "" none missing
    star_missing_count: int | None = None
    action_share: float | None = None  # behavioral: share of the time in the Action
    concrete_results: int | None = None
    we_share: float | None = None  # "we" actions of all "I" and "we" actions
    hedges_count: int | None = None
    hedges_per_100_words: float | None = None
    keyword_coverage: float | None = None  # share of the question's keywords said
    job_coverage: float | None = None  # share of the job's terms said (analyze --job)
    opening_verdict: str | None = None  # clear | throat_clearing | no_point | long_setup
    ending_verdict: str | None = None  # conclusion | no_conclusion | trails_off
    pitch_variation_semitones: float | None = None
    monotone: bool | None = None
    uptalk_share: float | None = None  # statements that rose at the end, of those measured
    fades_count: int | None = None  # sentences that faded at their last word

    @property
    def has_speech(self) -> bool:
        """False for a take in which no speech was found (its report says so)."""
        return self.word_count > 0

    @property
    def missing_star_parts(self) -> tuple[str, ...] | None:
        """The STAR parts this behavioral answer missed; None when not judged."""
        if self.star_missing is None:
            return None
        return tuple(p for p in self.star_missing.split(",") if p)


#: What progress reads of each take (``Store.take_rows``), named as in ``TakeRecord``.
TAKE_ROW_FIELDS = (
    "take_id", "session_id", "answer_id", "answer_no", "take_no", "recorded_at_utc",
    "question_id", "question_text", "question_kind", "question_category",
    "analysis_version", "speaking_s", "word_count", "words_per_minute", "fillers_count",
    "fillers_per_minute", "fillers_per_100_words", "long_pause_count", "pause_ratio",
    "length_verdict", "within_target", "rambling_flagged", "top_filler", "star_missing",
    "star_missing_count", "action_share", "concrete_results", "we_share", "hedges_count",
    "keyword_coverage", "opening_verdict", "ending_verdict", "pitch_variation_semitones",
    "monotone", "uptalk_share", "fades_count",
)


class TakeRow(namedtuple("_TakeRow", TAKE_ROW_FIELDS)):
    """A take's key numbers as ``mockview progress`` reads them: the row SQLite returns.

    ``trends.build_progress`` takes these or ``TakeRecord``s alike. A row is made in one
    step from the database's tuple, where a record's dictionary is filled field by field
    and its flags converted: for the 5,000 takes of a long history, a third of reading
    them. So the values are as stored: the flags (``within_target``, ``rambling_flagged``,
    ``monotone``) are 1 or 0 (None: not judged) where a record has True or False; and the
    columns progress does not read (the recording, duration, articulation rate, hedges per
    100 words, job coverage) are left out. No report is ever loaded.
    """

    __slots__ = ()
    report = None


@dataclass(frozen=True)
class SessionSummary:
    """One line of ``mockview history``."""

    session_id: int
    started_at_utc: str
    source: str  # "analyze" or "practice"
    answer_count: int
    take_count: int
    speaking_s: float
    fillers_per_minute: float | None  # all fillers over all speaking time of the session
    words_per_minute: float | None  # mean over takes
    within_target_share: float | None  # share of answers (representative take) in target
    rambling_count: int  # answers (representative take) flagged as rambling


@dataclass(frozen=True)
class FollowUpLink:
    """What makes an answer a follow-up: the take it follows and why it was asked."""

    answer_id: int  # the follow-up's own answer
    parent_answer_id: int
    parent_answer_no: int
    parent_take_no: int
    reason_id: str  # no_result | we_not_i | no_example | rambling | job_term
    reason: str  # what the parent answer lacked, in a sentence
    evidence: str | None

    def to_dict(self) -> dict:
        return {"answer_no": self.parent_answer_no, "take_no": self.parent_take_no,
                "id": self.reason_id, "reason": self.reason, "evidence": self.evidence}


@dataclass(frozen=True)
class SessionRecord:
    """A whole stored session: its summary and every take of every answer, with reports."""

    summary: SessionSummary
    takes: tuple[TakeRecord, ...]  # ordered by answer_no, then take_no
    #: the session's follow-up answers by answer id (an answer absent here is no follow-up)
    follow_ups: dict[int, FollowUpLink] = field(default_factory=dict)

    def follows(self, take: TakeRecord) -> FollowUpLink | None:
        """The link of ``take``'s answer to the answer it follows up, when it is one."""
        return self.follow_ups.get(take.answer_id)


def representative(takes: Sequence[TakeRecord]) -> TakeRecord:
    """The take that stands for an answer, of its ``takes`` (any order, at least one).

    Its latest take with speech; its latest take when none has speech. The answer's page
    tab, ``play``, the summaries and the comparisons all use this one.
    """
    if not takes:
        raise ValueError("an answer has at least one take")
    return max(takes, key=lambda t: (t.has_speech, t.take_no))


def representatives(takes: Iterable[TakeRecord]) -> list[TakeRecord]:
    """The ``representative`` take of each answer among ``takes``, in the order the answers
    first appear."""
    by_answer: dict[int, list[TakeRecord]] = {}
    for take in takes:
        by_answer.setdefault(take.answer_id, []).append(take)
    return [representative(group) for group in by_answer.values()]


def take_mark(take: TakeRecord, answer_takes: Sequence[TakeRecord]) -> str | None:
    """How a take of an answer is marked wherever takes are listed: "no speech", "latest
    with speech" (the take that stands for the answer, when a later one found no speech),
    or None."""
    if not take.has_speech:
        return "no speech"
    if take is representative(answer_takes) and take.take_no < max(
            t.take_no for t in answer_takes):
        return "latest with speech"
    return None


def choice_note(answer_takes: Sequence[TakeRecord]) -> str | None:
    """Why an answer is shown by an earlier take than its latest ("Takes 2 and 3 found no
    speech, so take 1 stands for this answer."), or None when it is shown by its latest."""
    shown = representative(answer_takes)
    return skipped_note(shown.take_no, max(t.take_no for t in answer_takes))


def skipped_note(shown_take_no: int, last_take_no: int) -> str | None:
    """``choice_note`` from take numbers: the takes after ``shown_take_no`` up to
    ``last_take_no`` found no speech (or None when there are none)."""
    later = list(range(shown_take_no + 1, last_take_no + 1))
    if not later:
        return None
    names = (f"Take {later[0]}" if len(later) == 1 else
             "Takes " + ", ".join(map(str, later[:-1])) + f" and {later[-1]}")
    return f"{names} found no speech, so take {shown_take_no} stands for this answer."
