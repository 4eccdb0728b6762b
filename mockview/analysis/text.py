"""Shared helpers: a cleaned word timeline as tokens, sentences, content words, clock times.

Whisper writes punctuation onto words ("Um,", "know.", "right?"). The filler and rambling
rules read that punctuation, so a token keeps it as flags next to its bare lower-case form.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from mockview import numbers
from mockview.errors import AnalysisError
from mockview.words import Word, join_words

SENTENCE_END = ".?!"
#: punctuation that sets a word off inside a sentence; an ellipsis is a hesitation, not a stop
CLAUSE_PUNCTUATION = ",;:\u2026\u2014\u2013-"
_CLOSERS = "\"')]}\u201d\u2019"
_EDGE = re.compile(r"^[^\w']+|[^\w']+$")
#: The latest a word may be, in seconds: no answer runs a day, and a time past it is a bug
#: that would otherwise ask for billions of pace windows.
MAX_TIME_S = 24 * 3600.0

#: words that join clauses: a pause before one sits at a clause boundary
CONJUNCTIONS = frozenset(
    "and but or so because cause 'cause since although though while whereas which who where "
    "when then if unless until after before yet however plus".split()
)

STOP_WORDS = frozenset(
    """a an the and or but so because if then than that this these those there here it its
    it's i i'm i've i'd i'll me my mine we we're we've we'd we'll us our ours you you're
    you've you'd you'll your yours he he's him his she she's her hers they they're they've
    they'd them their theirs what which who whom whose when where why how is am are was were
    be been being do does did doing done don't didn't doesn't have has had having get got
    gets getting go going went gone will would could should can can't cannot might may must
    shall won't wouldn't couldn't shouldn't not no yes of in on at to for from by with about
    as into onto over under up down out off just very really also too all any some more most
    much many lot lots one thing things something anything everything stuff kind sort like
    know mean think yeah okay ok well right basically actually literally um uh er ah hmm
    said say says saying tell told make made way even still only now each every other such
    own same again then there's that's what's let's gonna wanna kinda sorta""".split()
)


@dataclass(frozen=True)
class Token:
    """One word of the cleaned timeline with its bare form and the punctuation around it."""

    index: int
    text: str
    norm: str
    start_s: float
    end_s: float
    ends_sentence: bool
    clause_punct_after: bool
    punct_before: bool
    #: the word's ``Word.source``: "model", or "audio" for a filled pause found in the sound
    source: str = "model"

    @property
    def punct_after(self) -> bool:
        return self.ends_sentence or self.clause_punct_after

    @property
    def mid_s(self) -> float:
        return (self.start_s + self.end_s) / 2


@dataclass(frozen=True)
class Evidence:
    """A stretch of the answer that backs a finding, so the user can jump to it."""

    text: str
    start_s: float
    end_s: float

    def to_dict(self) -> dict:
        return {"text": self.text, "start_s": r_time(self.start_s), "end_s": r_time(self.end_s)}


def normalize(text: str) -> str:
    """The bare lower-case word: "Um," -> "um", "I'm." -> "i'm", "Uh-huh." -> "uh-huh"."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return _EDGE.sub("", text).strip("'")


def clean_words(words: Iterable[Word]) -> list[Word]:
    """Words sorted by start, with times to the microsecond, negative ones clamped to 0
    and ``end_s >= start_s``.

    Raises AnalysisError for times that are not finite numbers, or later than
    ``MAX_TIME_S``: those cannot be repaired.
    """
    cleaned = []
    for number, word in enumerate(words, 1):
        for name in ("start_s", "end_s"):
            value = getattr(word, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise AnalysisError(
                    f"Word {number} ({word.text!r}) has {name}={value!r}: word times must be"
                    " finite numbers of seconds. Transcribe the audio again, or drop that word"
                    " from the timeline."
                )
            if value > MAX_TIME_S:
                raise AnalysisError(
                    f"Word {number} ({word.text!r}) has {name}={value!r}: word times must be"
                    f" at most {MAX_TIME_S:g} s (24 hours) into the answer. Transcribe the"
                    " audio again, or drop that word from the timeline."
                )
        # Kept to the microsecond: finer differences are float noise, and a word 1e-300 s
        # long would make every rate over it infinite.
        start = max(0.0, round(float(word.start_s), 6))
        end = max(start, round(float(word.end_s), 6))
        if not word.text.strip():
            continue
        if start != word.start_s or end != word.end_s:
            word = replace(word, text=word.text.strip(), start_s=start, end_s=end)
        cleaned.append(word)
    cleaned.sort(key=lambda w: (w.start_s, w.end_s))
    return cleaned


def tokenize(words: Sequence[Word]) -> list[Token]:
    """Tokens of the cleaned words. Pure punctuation ("-", "...") is not a word: its meaning
    moves onto the word before it."""
    tokens: list[Token] = []
    pending_before = False
    for word in words:
        text = word.text.strip()
        norm = normalize(text)
        tail = text.rstrip(_CLOSERS)
        ends = bool(tail) and tail[-1] in SENTENCE_END and not tail.endswith("...")
        clause = bool(tail) and (tail[-1] in CLAUSE_PUNCTUATION or tail.endswith("..."))
        if not norm:
            if tokens:
                last = tokens[-1]
                tokens[-1] = Token(
                    last.index, last.text, last.norm, last.start_s, last.end_s,
                    last.ends_sentence or ends,
                    not (last.ends_sentence or ends) and (last.clause_punct_after or clause),
                    last.punct_before, last.source,
                )
            else:
                pending_before = True
            continue
        lead = text.lstrip("\"'([{\u201c\u2018")
        before = pending_before or (bool(lead) and lead[0] in CLAUSE_PUNCTUATION + SENTENCE_END)
        tokens.append(Token(len(tokens), text, norm, float(word.start_s), float(word.end_s), ends,
                            clause and not ends, before, word.source))
        pending_before = False
    return tokens


def sentences(tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """(first, last) token indices of each sentence, split on the model's . ? and !."""
    spans = []
    first = 0
    for token in tokens:
        if token.ends_sentence:
            spans.append((first, token.index))
            first = token.index + 1
    if first < len(tokens):
        spans.append((first, len(tokens) - 1))
    return spans


def stem(norm: str) -> str:
    """A crude stem that lets "managed", "managing" and "management" meet."""
    word = norm.replace("'", "")
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:5]


def is_content(norm: str) -> bool:
    return len(norm) > 2 and norm not in STOP_WORDS and not norm.isdigit()


def content_stems(norms: Iterable[str]) -> set[str]:
    return {stem(n) for n in norms if is_content(n)}


def words_of(text: str) -> list[str]:
    return [n for n in (normalize(part) for part in text.split()) if n]


def clock(seconds: float | None) -> str:
    """0:07, 1:42: how times read in feedback and every renderer (``mockview.numbers``)."""
    return numbers.clock(seconds)


def quote(tokens: Sequence[Token], max_words: int = 12) -> str:
    """The words of a stretch as the model wrote them, shortened with an ellipsis."""
    text = join_words(t.text for t in tokens[:max_words])
    return text + (" \u2026" if len(tokens) > max_words else "")


def evidence(tokens: Sequence[Token], max_words: int = 12) -> Evidence:
    return Evidence(quote(tokens, max_words), tokens[0].start_s,
                    max(t.end_s for t in tokens))


def r_time(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def r_rate(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


def r_ratio(value: float | None) -> float | None:
    return None if value is None else round(float(value), 3)


def list_times(times: Sequence[float], limit: int = 4) -> str:
    """"0:12, 0:31 and 0:45" or "0:12, 0:31, 0:45, 1:02 and 3 more" (each clock time once)."""
    distinct = list(dict.fromkeys(clock(t) for t in times))
    shown = distinct[:limit]
    rest = len(distinct) - len(shown)
    if rest > 0:
        return ", ".join(shown) + f" and {rest} more"
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " and " + shown[-1]
