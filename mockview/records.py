"""What the session store hands out: stored takes and sessions as plain dataclasses.

The store (``store.py``) builds these from SQLite; comparisons and trends (``trends.py``)
read them and never touch the database, so they can be tested on hand-made histories.
A take is one recording of one answer; retries of a question are further takes of the
same answer. Times are UTC, ISO 8601 with a "Z" (``2026-11-25T20:44:00Z``).
"""

from __future__ import annotations

from dataclasses import dataclass
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
    def missing_star_parts(self) -> tuple[str, ...] | None:
        """The STAR parts this behavioral answer missed; None when not judged."""
        if self.star_missing is None:
            return None
        return tuple(p for p in self.star_missing.split(",") if p)


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
    within_target_share: float | None  # share of answers (latest take) within target
    rambling_count: int  # answers (latest take) flagged as rambling


@dataclass(frozen=True)
class SessionRecord:
    """A whole stored session: its summary and every take of every answer, with reports."""

    summary: SessionSummary
    takes: tuple[TakeRecord, ...]  # ordered by answer_no, then take_no
