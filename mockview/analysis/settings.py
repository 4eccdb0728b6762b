"""Every default and threshold of the analysis, in one frozen object with units in the names.

The defaults and their sources are in the README's metrics section; where the evidence is
weak they are marked heuristic there and here. Change one with ``dataclasses.replace``::

    settings = dataclasses.replace(AnalysisSettings(), long_pause_s=1.5)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from mockview.errors import AnalysisError

#: The parts of a STAR answer in order: ``content.py`` finds them, trends count the missed.
STAR_PARTS = ("situation", "task", "action", "result")


@dataclass(frozen=True)
class AnalysisSettings:
    """Thresholds of every metric family.

    Ranges are ``(low, high)`` tuples, inclusive at both ends.
    """

    # Pauses (Hincks 2005; Jefferson's ~1 s "standard maximum")
    min_pause_ms: int = 250
    long_pause_s: float = 1.0
    very_long_pause_s: float = 3.0
    pause_ratio_typical: float = 0.22
    pause_ratio_flag: float = 0.35
    #: thinking time before the first word past which a tip is given (heuristic)
    long_thinking_s: float = 5.0

    # Pace (NCVS, Lucas, Street & Brady)
    pace_window_s: float = 15.0
    pace_hop_s: float = 5.0
    pace_target_wpm: tuple[float, float] = (120.0, 160.0)
    pace_flag_wpm: tuple[float, float] = (110.0, 180.0)
    #: relative change between the first and last window that counts as a trend; listeners
    #: notice about 10%, twice that keeps window noise out
    pace_trend_ratio: float = 0.2

    # Evidence: below either limit (words, seconds of speaking: the speech span minus its
    # pauses), pace and rambling are not judged
    min_words_to_judge: int = 20
    min_speaking_to_judge_s: float = 10.0
    #: A short-answer question (closing kind, or a target that starts under
    #: ``short_answer_target_s``: "When could you start?", 10-30 s) is judged from less:
    #: such an answer is complete in a sentence or two (heuristic)
    short_answer_min_words: int = 15
    short_answer_min_speaking_s: float = 5.0
    short_answer_target_s: float = 30.0

    # Fillers (heuristic target)
    fillers_good_per_100_words: float = 3.0
    fillers_min_count_for_tip: int = 2

    # Rambling (all heuristic: no validated single metric exists)
    rambling_min_signals: int = 2
    run_on_words: int = 40
    drift_min_sentences: int = 6
    drift_min_content_words: int = 3
    #: later sentences' topic overlap at most this share of the earlier ones' ...
    drift_drop_ratio: float = 0.5
    #: ... and at least this much lower in absolute terms
    drift_min_drop: float = 0.15
    repetition_min_count: int = 3
    restatement_min_overlap: float = 0.6
    restatement_min_content_words: int = 5
    restarts_min_count: int = 3
    filler_rise_ratio: float = 1.5
    filler_rise_min_count: int = 3

    # Content (all heuristic: rule-based proxies, see mockview/analysis/content.py)
    #: below this many words (or with a question of unknown kind) content is not judged;
    #: a short-answer question's content needs ``short_answer_min_words``
    content_min_words_to_judge: int = 40
    #: STAR: Action usually takes 40-50% of a behavioral answer (practitioner guidance)
    star_action_share_target: tuple[float, float] = (0.40, 0.50)
    #: ... and below this share it is too short to carry the answer
    star_action_min_share: float = 0.25
    #: a Situation, Task or Result under this share of the time is too short to register
    star_part_min_share: float = 0.05
    #: "set the scene in one or two sentences"
    star_max_situation_sentences: int = 2
    #: "we" dominates the actions from this share of them, with at least this many
    ownership_we_share_flag: float = 0.6
    ownership_min_we_actions: int = 3
    hedges_flag_per_100_words: float = 2.0
    hedges_min_count_for_tip: int = 3
    #: coverage of the question's keywords below this is low
    keyword_coverage_low: float = 0.25
    #: coverage of a job description's key terms below this is low (one answer cannot
    #: cover a whole job description)
    job_coverage_low: float = 0.15
    job_max_terms: int = 15
    #: throat-clearing words before the first point that make a weak opening ("So, um,")
    opening_throat_clearing_min_words: int = 2
    #: of the ``max_feedback_items`` tips, at most this many are about content, so the
    #: delivery tips keep their place
    max_content_feedback_items: int = 3

    # Feedback
    max_feedback_items: int = 5

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            values = value if isinstance(value, tuple) else (value,)
            for v in values:
                if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
                    raise AnalysisError(
                        f"AnalysisSettings.{f.name} is {value!r}: it must be a finite number"
                        " (or a pair of them for ranges)."
                    )
                if v < 0:
                    raise AnalysisError(
                        f"AnalysisSettings.{f.name} is {value!r}: it must not be negative."
                    )
            if isinstance(value, tuple) and (len(value) != 2 or value[0] > value[1]):
                raise AnalysisError(
                    f"AnalysisSettings.{f.name} is {value!r}: give a (low, high) pair with"
                    " low <= high."
                )
        for name in ("pace_window_s", "pace_hop_s"):
            if getattr(self, name) <= 0:
                raise AnalysisError(
                    f"AnalysisSettings.{name} is {getattr(self, name)!r}: it must be above 0"
                    " seconds (15.0 and 5.0 are the defaults)."
                )

    @property
    def min_pause_s(self) -> float:
        return self.min_pause_ms / 1000.0
