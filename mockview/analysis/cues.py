"""Live cues while an answer is recorded (``practice --cues``): the fillers so far, the pace
of the latest stretch, and the time against the question's target, as one calm line.

Pure: the words transcribed so far in, ``SpeechCues`` and a line of text out. The filler
rules, the pace windows and the pace target are the analysis's own (``find_fillers``,
``pace_windows``, ``pace_verdict`` and ``AnalysisSettings``), so the cues count what the
report after the answer will. The words come from the live transcription, which reads the
answer in pieces cut at pauses: the cues follow the speaker a few seconds behind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mockview import numbers
from mockview.analysis.fillers import fillers_between
from mockview.analysis.pace import pace_verdict, pace_windows
from mockview.analysis.pauses import answer_gaps
from mockview.analysis.settings import AnalysisSettings
from mockview.analysis.text import clean_words, tokenize
from mockview.kinds import LengthTarget
from mockview.words import Transcript

#: A pace is shown once the words span this long. At about 150 wpm that is a dozen words,
#: so one word more or less moves the rate by about 8%, under the 10% change listeners
#: notice; over a shorter span a single word swings it by more than that.
MIN_PACE_SPAN_S = 5.0
#: The pace verdicts (``pace.pace_verdict``) in words that inform and do not alarm.
PACE_WORDS = {
    "slow": "slow",
    "a_bit_slow": "a little slow",
    "good": "on target",
    "a_bit_fast": "a little fast",
    "fast": "fast",
}


@dataclass(frozen=True)
class SpeechCues:
    """What the words transcribed so far say.

    ``words_per_minute`` is over the last ``pace_window_s`` of them (the whole span while it
    is shorter), None until they span ``MIN_PACE_SPAN_S``; ``pace_verdict`` judges it
    against ``pace_target_wpm`` as the report does.
    """

    word_count: int
    filler_count: int
    words_per_minute: float | None
    pace_verdict: str | None
    pace_window: tuple[float, float] | None  # (start_s, end_s) of the words the pace is over


def speech_cues(transcript: Transcript, *, settings: AnalysisSettings | None = None
                ) -> SpeechCues:
    """The cues of the words in ``transcript`` (the answer so far): fillers found by the
    report's rules, with pauses from the speech regions when it has them, else from the
    gaps between words; the pace of the latest window."""
    settings = settings or AnalysisSettings()
    tokens = tokenize(clean_words(transcript.words))
    _, gaps = answer_gaps(transcript, tokens, min_pause_s=settings.min_pause_s)
    fillers = fillers_between(tokens, gaps)
    wpm = verdict = window = None
    if tokens and max(t.end_s for t in tokens) - tokens[0].start_s >= MIN_PACE_SPAN_S:
        latest = pace_windows(tokens, window_s=settings.pace_window_s,
                              hop_s=settings.pace_hop_s)[-1]
        wpm, window = latest.words_per_minute, (latest.start_s, latest.end_s)
        verdict = pace_verdict(wpm, settings=settings)
    return SpeechCues(len(tokens), len(fillers), wpm, verdict, window)


def cue_line(cues: SpeechCues | None, *, elapsed_s: float, target: LengthTarget) -> str:
    """"2 fillers · pace 150 wpm, on target · 0:48 of 1:30–2:00": what is known so far
    (``cues`` None or without words: only the time)."""
    parts = []
    if cues is not None and cues.word_count:
        count = cues.filler_count
        parts.append("no fillers" if count == 0 else f"{count} filler{'s' * (count != 1)}")
        if cues.words_per_minute is not None:
            parts.append(f"pace {numbers.whole(cues.words_per_minute)} wpm, "
                         f"{PACE_WORDS[cues.pace_verdict]}")
    parts.append(time_cue(elapsed_s, target))
    return " · ".join(parts)


def time_cue(elapsed_s: float, target: LengthTarget) -> str:
    """The time spoken against the question's target: "0:48 of 1:30–2:00", "1:40, within
    1:30–2:00", "2:05, past 2:00: time to wrap up"."""
    span = f"{numbers.clock(target.min_s)}–{numbers.clock(target.max_s)}"
    now = numbers.clock(elapsed_s)
    if elapsed_s < target.min_s:
        return f"{now} of {span}"
    if elapsed_s <= target.max_s:
        return f"{now}, within {span}"
    return f"{now}, past {numbers.clock(target.max_s)}: time to wrap up"


class CueLine:
    """The cue line of an answer being recorded: call it with the seconds recorded.

    ``transcript_so_far`` gives the words transcribed so far (None before any), the same
    object until new words come, so they are read again only when they change.
    """

    def __init__(self, transcript_so_far: Callable[[], Transcript | None], *,
                 target: LengthTarget, settings: AnalysisSettings | None = None):
        self.transcript_so_far = transcript_so_far
        self.target = target
        self.settings = settings or AnalysisSettings()
        self._read: Transcript | None = None
        self.cues: SpeechCues | None = None

    def __call__(self, elapsed_s: float) -> str:
        transcript = self.transcript_so_far()
        if transcript is not None and transcript is not self._read:
            self.cues = speech_cues(transcript, settings=self.settings)
            self._read = transcript
        return cue_line(self.cues, elapsed_s=elapsed_s, target=self.target)
