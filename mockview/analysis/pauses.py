"""Silent pauses inside the answer: where they are, how long, and where in the sentence.

A pause is a silence of ``min_pause_ms`` or more between the first word's start and the
last word's end; leading and trailing silence are not pauses (the leading one is reported
as thinking time, ``first_word_s``). Word timestamps can swallow silences (a 4.9 s "word"
has been seen), so when the voice-activity detector's speech regions are known the pauses
are the gaps between those regions; only without them do the gaps between words stand in.

A pause is the absence of speech, not of sound: breaths, lip noise and room tone in a gap
between words are part of it. So where the speech detector's own regions are known, sound
counts as speech only where the detector heard speech or around a word it missed (the
fillers, whispers and band-limited speech the detector does not hear); see
``speaking_regions``.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from itertools import pairwise

from mockview.analysis.settings import AnalysisSettings
from mockview.analysis.text import CONJUNCTIONS, Token, r_ratio, r_time
from mockview.errors import AnalysisError

#: comparisons of times absorb float noise: a 1.0 s gap computed as 0.9999999 is long
EPSILON_S = 1e-6
#: word times come in 20 ms steps and often start or end a little early or late: sound
#: this close to a word is taken to be part of it
WORD_SOUND_SLACK_S = 0.1
#: a run of sound no longer than this, around a word the detector missed, is that word's
#: sound even where the model's stamp of the word is late or early (slow, stressed words
#: last about a second; a longer run holds more than the word, as room noise does)
WORD_SOUND_S = 1.5
#: a word the detector heard in part is speech this far past the end of what it heard: a
#: word's weak last sounds (a fricative, a released stop, a nasal; 0.1-0.2 s, and word
#: times are good to about 0.1 s) fall under the detector's threshold, the more so
#: through a telephone band, which cuts a fricative's energy above 3.4 kHz. Not before
#: what it heard: the model starts a word's stamp where the word before it ends, over
#: the pause between them
WORD_EDGE_SOUND_S = 0.3

POSITIONS = ("between_sentences", "clause_boundary", "mid_clause", "after_filler")


@dataclass(frozen=True)
class Gap:
    """A silence and the tokens around it (indices into the token list; None at the edges)."""

    start_s: float
    end_s: float
    before_index: int | None
    after_index: int | None

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class Pause:
    """One pause with where it fell.

    ``position`` is judged from the word before it: "between_sentences" after a full stop,
    "after_filler" after an "um" or a discourse marker, "clause_boundary" after a comma or
    before a conjunction, "mid_clause" otherwise (the kind that hurts fluency most,
    Kahng 2017).
    """

    start_s: float
    end_s: float
    duration_s: float
    long: bool
    very_long: bool
    position: str
    previous_word: str | None
    next_word: str | None

    def to_dict(self) -> dict:
        return {
            "start_s": r_time(self.start_s),
            "end_s": r_time(self.end_s),
            "duration_s": r_time(self.duration_s),
            "long": self.long,
            "very_long": self.very_long,
            "position": self.position,
            "previous_word": self.previous_word,
            "next_word": self.next_word,
        }


@dataclass(frozen=True)
class PauseMetrics:
    """All pauses of an answer, with the thinking time and the share of time in pauses.

    ``source`` says where the silences came from: "speech_regions" (the audio) or
    "word_gaps" (word timestamps only, when no regions were given).
    """

    items: tuple[Pause, ...]
    first_word_s: float | None
    pause_ratio: float | None
    total_pause_s: float
    source: str
    has_speech: bool = True

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def long_count(self) -> int:
        return sum(p.long for p in self.items)

    @property
    def very_long_count(self) -> int:
        return sum(p.very_long for p in self.items)

    @property
    def longest_s(self) -> float | None:
        if not self.has_speech:
            return None
        return max((p.duration_s for p in self.items), default=0.0)

    def to_dict(self) -> dict:
        return {
            "items": [p.to_dict() for p in self.items],
            "count": self.count,
            "long_count": self.long_count,
            "very_long_count": self.very_long_count,
            "mid_clause_long_count": sum(
                p.long and p.position == "mid_clause" for p in self.items
            ),
            "longest_s": r_time(self.longest_s),
            "total_pause_s": r_time(self.total_pause_s),
            "first_word_s": r_time(self.first_word_s),
            "pause_ratio": r_ratio(self.pause_ratio),
            "source": self.source,
        }


def clean_regions(
    speech_regions: Sequence[tuple[float, float]],
) -> list[tuple[float, float]]:
    """Regions sorted, clamped to non-negative, and merged where they overlap or touch."""
    spans = []
    for number, region in enumerate(speech_regions, 1):
        try:
            start, end = (float(v) for v in region)
        except (TypeError, ValueError) as error:
            raise AnalysisError(
                f"Speech region {number} is {region!r}: each region must be a (start_s, end_s)"
                " pair of numbers. Pass the regions the voice-activity check returned."
            ) from error
        if not (math.isfinite(start) and math.isfinite(end)):
            raise AnalysisError(
                f"Speech region {number} is {region!r}: region times must be finite numbers"
                " of seconds. Run the voice-activity check again, or pass no regions."
            )
        start = max(0.0, start)
        spans.append((start, max(start, end)))
    spans.sort()
    merged: list[tuple[float, float]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def speaking_regions(
    voice_regions: Sequence[tuple[float, float]],
    detected_speech: Sequence[tuple[float, float]],
    tokens: Sequence[Token],
) -> list[tuple[float, float]]:
    """Where the answer holds speech, from its voice regions (every sound above the room's
    level), the spans the speech detector took for speech, and the words.

    - The detector's speech counts whole.
    - A word the detector heard in part is speech up to ``WORD_EDGE_SOUND_S`` past the end
      of what it heard, within the word's stamp (a word's weak last sound), and through a
      dip in the detector's speech inside its stamp shorter than two such sounds.
    - Around a word the detector missed altogether (an "uh", a whisper, speech through a
      telephone band, which the detector hears poorly), each run of sound the word
      touches is speech when it is no longer than a word (``WORD_SOUND_S``; the model often
      stamps such a word a few tenths of a second late, and its sound is where it was
      said), and a longer one only under the word (widened by ``WORD_SOUND_SLACK_S``); the
      word's stamp counts up to ``WORD_EDGE_SOUND_S`` past the end of that sound.

    Other sound does not count: a breath or room noise in a gap between words is part of
    the pause, also when a word was stamped over it (noise in a gap draws the model's word
    times into it).
    """
    detected = clean_regions(detected_speech)
    starts = [start for start, _ in detected]
    ends = [end for _, end in detected]
    voice = clean_regions(voice_regions)
    voice_starts = [start for start, _ in voice]
    missed = []
    sound = []
    for token in tokens:
        before = bisect.bisect_left(starts, token.end_s)  # regions starting before its end
        if before == 0 or detected[before - 1][1] <= token.start_s:
            missed.append(token)
            continue
        heard = detected[bisect.bisect_right(ends, token.start_s) : before]
        sound += _weak_end(token, heard[-1][1])
        # a dip inside the word as short as two weak sounds is the word's; a longer one is
        # a pause its stamp swallowed
        sound += [(end, start) for (_, end), (start, _) in pairwise(heard)
                  if start - end < 2 * WORD_EDGE_SOUND_S]
    for token in missed:
        low, high = token.start_s - WORD_SOUND_SLACK_S, token.end_s + WORD_SOUND_SLACK_S
        first = max(0, bisect.bisect_left(voice_starts, low) - 1)
        touching = [run for run in voice[first:bisect.bisect_left(voice_starts, high)]
                    if run[1] > low]
        for start, end in touching:
            sound.append((start, end) if end - start <= WORD_SOUND_S
                         else (max(start, low), min(end, high)))
        under = [end for start, end in touching if start < token.end_s and token.start_s < end]
        if under:
            sound += _weak_end(token, max(under))
    return clean_regions(detected + sound)


def _weak_end(token: Token, sound_end_s: float) -> list[tuple[float, float]]:
    """The part of ``token``'s stamp after its sound ends that is still the word (at most
    ``WORD_EDGE_SOUND_S``); none when the sound outlasts the stamp."""
    if token.end_s <= sound_end_s:
        return []
    return [(sound_end_s, min(token.end_s, sound_end_s + WORD_EDGE_SOUND_S))]


def find_gaps(
    tokens: Sequence[Token],
    speech_regions: Sequence[tuple[float, float]],
    *,
    min_pause_s: float,
) -> list[Gap]:
    """Silences of ``min_pause_s`` or more inside the speech span, in time order.

    ``tokens`` must be sorted by start. With ``speech_regions`` the silences are the gaps
    between regions, clipped to [first word start, last word end], and the word before one
    is the last to start before its middle (unless that word starts inside the silence and
    runs past it); without regions, the gaps between consecutive words.
    """
    if not tokens:
        return []
    span_start = tokens[0].start_s
    span_end = max(t.end_s for t in tokens)
    regions = clean_regions(speech_regions)
    gaps = []
    if regions:
        starts = [t.start_s for t in tokens]
        for (_, left_end), (right_start, _) in zip(regions, regions[1:], strict=False):
            start, end = max(left_end, span_start), min(right_start, span_end)
            if end - start + EPSILON_S < min_pause_s:
                continue
            before = bisect.bisect_left(starts, (start + end) / 2) - 1
            # a word that starts inside the silence and runs past it was stamped early:
            # its sound is after the silence
            while before >= 0 and tokens[before].start_s > start and tokens[before].end_s > end:
                before -= 1
            before_index = before if before >= 0 else None
            after_index = before + 1 if before + 1 < len(tokens) else None
            gaps.append(Gap(start, end, before_index, after_index))
        return gaps
    reached_s = tokens[0].end_s
    for token in tokens[1:]:
        if token.start_s - reached_s + EPSILON_S >= min_pause_s:
            gaps.append(Gap(reached_s, token.start_s, token.index - 1, token.index))
        reached_s = max(reached_s, token.end_s)
    return gaps


def pause_position(
    tokens: Sequence[Token],
    gap: Gap,
    *,
    filled_pause_indices: Collection[int] = (),
    marker_indices: Collection[int] = (),
) -> str:
    """Where a pause falls, from the words on either side (see :class:`Pause`)."""
    before = tokens[gap.before_index] if gap.before_index is not None else None
    after = tokens[gap.after_index] if gap.after_index is not None else None
    if before is None:
        return "mid_clause"
    if before.index in filled_pause_indices or (
        before.index in marker_indices and not before.ends_sentence
    ):
        return "after_filler"
    if before.ends_sentence:
        return "between_sentences"
    if before.clause_punct_after or (
        after is not None and (after.punct_before or after.norm in CONJUNCTIONS)
    ):
        return "clause_boundary"
    return "mid_clause"


def pause_metrics(
    tokens: Sequence[Token],
    gaps: Sequence[Gap],
    *,
    source: str,
    filled_pause_indices: Collection[int] = (),
    marker_indices: Collection[int] = (),
    settings: AnalysisSettings,
) -> PauseMetrics:
    """Pauses with their length classes and positions, the thinking time and pause ratio."""
    if not tokens:
        return PauseMetrics((), None, None, 0.0, source, has_speech=False)
    items = []
    for gap in gaps:
        duration = gap.duration_s
        items.append(
            Pause(
                start_s=gap.start_s,
                end_s=gap.end_s,
                duration_s=duration,
                long=duration + EPSILON_S >= settings.long_pause_s,
                very_long=duration + EPSILON_S >= settings.very_long_pause_s,
                position=pause_position(
                    tokens, gap, filled_pause_indices=filled_pause_indices,
                    marker_indices=marker_indices,
                ),
                previous_word=(tokens[gap.before_index].text
                               if gap.before_index is not None else None),
                next_word=tokens[gap.after_index].text if gap.after_index is not None else None,
            )
        )
    span = max(t.end_s for t in tokens) - tokens[0].start_s
    total = sum(p.duration_s for p in items)
    ratio = total / span if span > 0 else 0.0
    return PauseMetrics(tuple(items), tokens[0].start_s, ratio, total, source)


def answer_gaps(transcript, tokens: Sequence[Token], *, min_pause_s: float
                ) -> tuple[list[tuple[float, float]], list[Gap]]:
    """The speech regions of ``transcript`` (``speaking_regions`` when the detector's
    speech is known; none: the pauses come from the gaps between words) and the gaps
    between ``tokens`` of at least ``min_pause_s``."""
    regions = clean_regions(transcript.speech_regions or ())
    if regions and transcript.detected_speech is not None:
        regions = speaking_regions(regions, transcript.detected_speech, tokens)
    return regions, find_gaps(tokens, regions, min_pause_s=min_pause_s)
