"""The word timeline that transcription produces and analysis consumes."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

#: a piece Whisper writes without a space before it: the rest of a hyphenated word
#: ("cold" "-hearted") or a contraction ("it" "'s", "do" "n't")
_JOINS_PREVIOUS = re.compile(r"-[^\W\d_]|['’](?:s|re|ll|ve|d|m|t)\b|n['’]t\b",
                             re.IGNORECASE)


@dataclass(frozen=True)
class Word:
    """One transcribed word with its time span in seconds from the start of the audio.

    ``text`` is the word as the model wrote it, stripped of surrounding spaces but keeping
    punctuation ("Um,", "know."), because commas and full stops carry information that the
    filler rules use.
    """

    text: str
    start_s: float
    end_s: float
    probability: float = 1.0
    #: who put the word in the timeline: "model" (the speech recogniser wrote it) or
    #: "audio" (a filled pause the model left out, found in the sound by
    #: ``mockview.speech.hidden``; its ``probability`` means nothing)
    source: str = "model"

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class Transcript:
    """What transcription hands to analysis: words plus what the audio itself says.

    ``speech_regions`` are (start_s, end_s) spans where the audio holds voice, from the
    voice-activity check (the speech detector joined with every sound above the room's
    level); pause metrics are cross-checked against them because word timestamps can
    swallow silences. ``detected_speech`` are the spans the speech detector alone took for
    speech, or None where that is not known (a transcript made by hand): with them, a
    breath or room noise in a gap between words is part of the pause, not voice.
    ``dropped`` records words the audio check removed, with the reason, so the report can
    be honest about them.
    """

    words: tuple[Word, ...]
    duration_s: float
    speech_regions: tuple[tuple[float, float], ...] = ()
    dropped: tuple[DroppedWord, ...] = ()
    model: str = ""
    detected_speech: tuple[tuple[float, float], ...] | None = None

    @property
    def text(self) -> str:
        return join_words(w.text for w in self.words)


@dataclass(frozen=True)
class DroppedWord:
    word: Word
    reason: str


@dataclass(frozen=True)
class QuestionInfo:
    """The parts of a question that analysis needs (bank loading lives elsewhere)."""

    text: str
    kind: str | None = None
    id: str | None = None
    target_s: tuple[float, float] | None = None
    keywords: tuple[str, ...] = field(default_factory=tuple)
    tips: tuple[str, ...] = field(default_factory=tuple)
    category: str | None = None


def joins_previous(text: str) -> bool:
    """Whether a word is the end of the one before it, as spoken: "-hearted" after "cold",
    "'s" after "it". A lone dash or a minus number ("-5") stands on its own."""
    return _JOINS_PREVIOUS.match(text) is not None


def join_words(texts: Iterable[str]) -> str:
    """Words as text: a space between them, none before a piece that ends the word before
    ("cold" "-hearted" reads "cold-hearted"). Every place that shows words as text uses it."""
    joined = ""
    for text in texts:
        joined += text if not joined or joins_previous(text) else " " + text
    return joined
