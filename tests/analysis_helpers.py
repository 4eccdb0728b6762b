"""Hand-made word timelines for the analysis tests: text in, words with known times out."""

from __future__ import annotations

import re

from mockview.words import QuestionInfo, Transcript, Word

_PAUSE = re.compile(r"^\[(\d+(?:\.\d+)?)\]$")


def timeline(text: str, *, start_s: float = 0.0, word_s: float = 0.3,
             gap_s: float = 0.1) -> tuple[Word, ...]:
    """Words of ``text`` each ``word_s`` long, ``gap_s`` apart, from ``start_s``.

    A token like ``[1.2]`` adds that many seconds of silence instead of ``gap_s`` before
    the next word: ``"I went [1.2] home."``.
    """
    words = []
    t = start_s
    pending = None
    for part in text.split():
        match = _PAUSE.match(part)
        if match:
            pending = float(match.group(1))
            continue
        if words:
            t = round(words[-1].end_s + (gap_s if pending is None else pending), 6)
        words.append(Word(part, t, round(t + word_s, 6)))
        pending = None
    return tuple(words)


def transcript(text: str, *, duration_s: float | None = None,
               speech_regions: tuple = (), **kwargs) -> Transcript:
    words = timeline(text, **kwargs)
    end = words[-1].end_s if words else 0.0
    return Transcript(words=words, duration_s=end if duration_s is None else duration_s,
                      speech_regions=speech_regions)


def sentence(n: int, *, word: str | None = None, end: str = ".") -> str:
    """``n`` filler-free words ending with a full stop: made-up distinct words ("babo",
    "baco", ...) so that nothing repeats, or ``word`` ``n`` times."""
    consonants = "bcdfghklmnprstvz"
    made = [consonants[i // 16 % 16] + "a" + consonants[i % 16] + "o" for i in range(n)]
    words = [word] * n if word else made
    return " ".join(words[:-1] + [words[-1] + end])


# A concise, on-topic answer to MOTIVATION: the negative case for rambling and feedback.
CONCISE = (
    "I want this role because it joins my two strengths, data and teaching. At my last job I"
    " built dashboards that the sales team used daily. I also ran weekly training sessions"
    " for new analysts. This role combines both, and your team builds tools for teachers."
    " That mission matters to me, and I can contribute from day one."
)
MOTIVATION = QuestionInfo("Why do you want this role?", kind="motivation")
