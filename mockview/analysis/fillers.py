"""Fillers: filled pauses ("um", "uh") always, discourse markers ("like", "you know") only in
filler use.

Filler "like" is only about 80% separable from content "like" even for trained classifiers,
so every discourse-marker rule asks for positive evidence that the word is set off (a comma
the model wrote, or a pause of ``min_pause_ms`` or more, or a neighbouring filler) and
prefers missing a filler to accusing a content word. The rules are the README's metrics
section, "Fillers"; listener backchannels ("mhm", "uh-huh") are never counted.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from mockview.analysis.text import Token, r_rate, r_time

FILLED_PAUSE = "filled_pause"
DISCOURSE_MARKER = "discourse_marker"
_BACKCHANNEL = "backchannel"

#: um/umm/uhm, uh/uhh, er/erm, ah, hmm/hm, and "mm"/"mmm" as hm variants
_FILLED_FORMS = (
    ("um", re.compile(r"^u+h*m+$")),
    ("uh", re.compile(r"^u+h+$")),
    ("er", re.compile(r"^e+r+m*$")),
    ("ah", re.compile(r"^a+h+$")),
    ("hmm", re.compile(r"^(?:h+m+|m{2,})$")),
)
BACKCHANNELS = frozenset({"mhm", "mhmm", "mmhmm", "mmhm", "uhhuh", "uhhum", "hmhm", "mmkay"})

PRONOUNS = frozenset("i you he she we they it one who someone people".split())
MODALS = frozenset(
    "would could should might may will can must shall 'd i'd you'd he'd she'd we'd they'd "
    "it'd i'll you'll we'll they'll won't wouldn't can't cannot couldn't shouldn't".split()
)
COPULAS = frozenset(
    "is was were am are be been being i'm you're he's she's it's we're they're that's "
    "there's what's".split()
)
#: "like" straight after these is a verb, a preposition or a quotative, not a filler
LIKE_BLOCKERS = (
    PRONOUNS | MODALS | COPULAS | frozenset(
        "to do does did don't doesn't didn't look looks looked looking sound sounds sounded "
        "sounding feel feels felt feeling seem seems seemed seeming just something anything "
        "nothing everything more less much most things stuff kind sort exactly".split()
    )
)
#: "I really like", "we also like": an adverb between a subject and the verb "like"
LIKE_ADVERBS = frozenset(
    "really also actually genuinely totally always never still particularly especially "
    "truly certainly definitely quite even all would".split()
)
#: after a copula a set-off "like" is a filler only before one of these ("it was, like,
#: really hard"); otherwise it may be a comparison ("it is, like, putty")
DEGREE_WORDS = frozenset(
    "really so very super totally completely pretty quite extremely insanely crazy kind "
    "kinda sort sorta just not too way all literally actually honestly basically "
    "absolutely".split()
)
DETERMINERS = frozenset(
    "a an the this that these those my your our their his her its some".split()
)
#: words before a "you know" / "I mean" that leave it opening a clause
LEFT_OK = frozenset("and but so or because cause 'cause then like plus well".split())
RIGHT_CONTENT_NEXT = frozenset(
    "now away there here after before then on at side hand thing one way answer choice "
    "person time".split()
)
CLAUSE_OPENERS = frozenset({"basically", "actually", "literally"})
ANSWER_OPENERS = frozenset({"okay", "ok", "well"})
_DISPLAY = {"i mean": "I mean"}


@dataclass(frozen=True)
class FillerItem:
    """One filler as spoken. ``text`` is its canonical form ("um" for "Umm,", "you know").

    ``sentence_start`` is true when only other fillers stand between it and the previous
    full stop (or the start of the answer): the "um" that opens a sentence. ``source`` is
    "model" for a filler the speech recogniser wrote, "audio" for a filled pause it left
    out that the sound showed (``mockview.speech.hidden``).
    """

    text: str
    kind: str
    start_s: float
    end_s: float
    token_indices: tuple[int, ...]
    sentence_start: bool
    source: str = "model"

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "kind": self.kind,
            "start_s": r_time(self.start_s),
            "end_s": r_time(self.end_s),
            "sentence_start": self.sentence_start,
            "source": self.source,
        }


@dataclass(frozen=True)
class FillerMetrics:
    """Fillers of one answer and their rates.

    ``per_minute`` is over the speech span (first word start to last word end), the same
    time base as words per minute; ``per_100_words`` over every spoken word.
    """

    items: tuple[FillerItem, ...]
    word_count: int
    span_s: float

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def filled_pause_count(self) -> int:
        return sum(i.kind == FILLED_PAUSE for i in self.items)

    @property
    def discourse_marker_count(self) -> int:
        return sum(i.kind == DISCOURSE_MARKER for i in self.items)

    @property
    def per_minute(self) -> float:
        return self.count / self.span_s * 60 if self.span_s > 0 else 0.0

    @property
    def per_100_words(self) -> float:
        return self.count / self.word_count * 100 if self.word_count else 0.0

    @property
    def top(self) -> list[tuple[str, int]]:
        """(text, count), most frequent first; ties in order of first use."""
        counts = Counter(i.text for i in self.items)
        order = {text: n for n, text in enumerate(dict.fromkeys(i.text for i in self.items))}
        return sorted(counts.items(), key=lambda kv: (-kv[1], order[kv[0]]))

    def to_dict(self) -> dict:
        return {
            "count": self.count,
            "filled_pause_count": self.filled_pause_count,
            "discourse_marker_count": self.discourse_marker_count,
            "per_minute": r_rate(self.per_minute),
            "per_100_words": r_rate(self.per_100_words),
            "sentence_start_count": sum(i.sentence_start for i in self.items),
            "top": [{"text": text, "count": n} for text, n in self.top],
            "items": [i.to_dict() for i in self.items],
        }


def filled_pause_form(norm: str) -> str | None:
    """The canonical filled pause ("um", "uh", "er", "ah", "hmm") a word is, or None."""
    flat = norm.replace("-", "")
    for form, pattern in _FILLED_FORMS:
        if pattern.match(flat):
            return form
    return None


def is_backchannel(norm: str) -> bool:
    return norm.replace("-", "") in BACKCHANNELS


def find_fillers(
    tokens: Sequence[Token],
    *,
    pause_before: Collection[int] = (),
    pause_after: Collection[int] = (),
) -> list[FillerItem]:
    """Every filler in the answer, in time order.

    ``pause_before`` / ``pause_after`` hold the indices of tokens that have a pause of
    ``min_pause_ms`` or more right before / after them: pauses set a marker off just as
    commas do.
    """
    return _Classifier(tokens, set(pause_before), set(pause_after)).run()


class _Classifier:
    """One left-to-right reading of the tokens with the context each rule needs."""

    def __init__(self, tokens: Sequence[Token], pause_before: set[int], pause_after: set[int]):
        self.tokens = tokens
        self.norms = [t.norm for t in tokens]
        self.n = len(tokens)
        self.pause_before = pause_before
        self.pause_after = pause_after
        self.kind: list[str | None] = [None] * self.n
        self.items: dict[int, FillerItem] = {}

    # context ---------------------------------------------------------------------------

    def norm(self, i: int) -> str:
        return self.norms[i] if 0 <= i < self.n else ""

    def set_off_before(self, i: int) -> bool:
        return (
            i == 0
            or self.tokens[i - 1].punct_after
            or self.tokens[i].punct_before
            or i in self.pause_before
        )

    def set_off_after(self, i: int) -> bool:
        return (
            i == self.n - 1
            or self.tokens[i].punct_after
            or self.tokens[i + 1].punct_before
            or i in self.pause_after
        )

    def sentence_start(self, i: int) -> bool:
        for j in range(i - 1, -1, -1):
            if self.tokens[j].ends_sentence:
                return True
            if self.kind[j] is None:
                return False
        return True

    def answer_start(self, i: int) -> bool:
        return all(k is not None for k in self.kind[:i])

    def is_filler(self, i: int) -> bool:
        return 0 <= i < self.n and self.kind[i] in (FILLED_PAUSE, DISCOURSE_MARKER)

    def opens_clause(self, i: int) -> bool:
        return (
            self.set_off_before(i)
            or self.sentence_start(i)
            or self.norm(i - 1) in LEFT_OK
            or self.is_filler(i - 1)
        )

    # rules -----------------------------------------------------------------------------

    def run(self) -> list[FillerItem]:
        self._mark_filled_pauses_and_backchannels()
        i = 0
        while i < self.n:
            i += self._classify(i)
        # a "like" next to a marker found later ("like, you know") gets a second look
        for i in range(self.n):
            if self.kind[i] is None and self.norms[i] == "like" and self._like(i):
                self._add(i, i, "like")
        items = [self.items[k] for k in sorted(self.items)]
        return [
            FillerItem(it.text, it.kind, it.start_s, it.end_s, it.token_indices,
                       self.sentence_start(it.token_indices[0]), it.source)
            for it in items
        ]

    def _mark_filled_pauses_and_backchannels(self) -> None:
        for i, norm in enumerate(self.norms):
            if self.kind[i] is not None:
                continue
            pair = (norm, self.norm(i + 1))
            if is_backchannel(norm):
                self.kind[i] = _BACKCHANNEL
            elif pair[0] == "uh" and pair[1] == "huh" or (
                pair[0] in ("mm", "m", "mmm") and pair[1] in ("hmm", "hm")
            ):
                self.kind[i] = self.kind[i + 1] = _BACKCHANNEL
            elif (form := filled_pause_form(norm)) is not None:
                self.kind[i] = FILLED_PAUSE
                self.items[i] = FillerItem(form, FILLED_PAUSE, self.tokens[i].start_s,
                                           self.tokens[i].end_s, (i,), False,
                                           self.tokens[i].source)

    def _add(self, first: int, last: int, text: str) -> None:
        for j in range(first, last + 1):
            self.kind[j] = DISCOURSE_MARKER
        self.items[first] = FillerItem(
            _DISPLAY.get(text, text), DISCOURSE_MARKER, self.tokens[first].start_s,
            max(t.end_s for t in self.tokens[first : last + 1]),
            tuple(range(first, last + 1)), False,
        )

    def _classify(self, i: int) -> int:
        """Mark a marker starting at token i if it is one; return how many tokens to skip."""
        if self.kind[i] is not None:
            return 1
        norm = self.norms[i]
        flat = norm.replace("'", "").replace("-", "")
        if flat in ("yknow", "yaknow") and self._clause_edge_phrase(i, i):
            self._add(i, i, "you know")
        elif (norm, self.norm(i + 1)) == ("you", "know") and self._clause_edge_phrase(i, i + 1):
            self._add(i, i + 1, "you know")
            return 2
        elif (norm, self.norm(i + 1)) == ("i", "mean") and self._clause_edge_phrase(i, i + 1):
            self._add(i, i + 1, "i mean")
            return 2
        elif norm == "so" and self._so(i):
            self._add(i, i, "so")
        elif norm == "right" and self._right(i):
            self._add(i, i, "right")
        elif norm in CLAUSE_OPENERS and self._clause_opener(i):
            self._add(i, i, norm)
        elif norm in ANSWER_OPENERS and self._answer_opener(i):
            self._add(i, i, "okay" if norm == "ok" else norm)
        elif norm == "like" and self._like(i):
            self._add(i, i, "like")
        return 1

    def _clause_edge_phrase(self, first: int, last: int) -> bool:
        """ "you know" / "I mean" standing alone: opening a clause (after a comma, a pause,
        a full stop, "and"/"but"/"so" or a filler) and not taking an object: set off after
        ("if you know your extension", "I mean it" are content)."""
        return self.opens_clause(first) and self.set_off_after(last)

    def _so(self, i: int) -> bool:
        """ "So," at the start of a sentence or answer, followed by a comma or pause; never
        "so that", "so much", "and so on" (those are not at a sentence start or not set
        off)."""
        return self.sentence_start(i) and self.set_off_after(i) and i < self.n - 1

    def _right(self, i: int) -> bool:
        """A tag ("..., right?") or standalone ("Right, so"); never "right now", "the right",
        "that's right" (attached to the word before)."""
        if not (self.set_off_before(i) or self.sentence_start(i)):
            return False
        if self.tokens[i].punct_after or i == self.n - 1:
            return True
        return i in self.pause_after and self.norm(i + 1) not in RIGHT_CONTENT_NEXT

    def _clause_opener(self, i: int) -> bool:
        """ "basically", "actually", "literally" opening a sentence or clause, or standing
        between commas or pauses."""
        if self.sentence_start(i):
            return True
        if not self.set_off_after(i):
            return False
        return self.set_off_before(i) or self.norm(i - 1) in LEFT_OK or self.is_filler(i - 1)

    def _answer_opener(self, i: int) -> bool:
        """ "Okay," / "Well," as the first words of the answer."""
        if not self.answer_start(i) or i == self.n - 1:
            return False
        return (
            self.set_off_after(i)
            or self.norm(i + 1) == "so"
            or filled_pause_form(self.norm(i + 1)) is not None
        )

    def _like(self, i: int) -> bool:
        """ "like" set off by a comma or pause, repeated, or next to another filler; never
        straight after a pronoun, modal, "to", do/did, a copula, "looks/sounds/feels/seems",
        "just", "something", nor "like a/the/this" without a break (a comparison). After a
        copula, commas alone are not enough ("is, like, putty" is a comparison): it takes a
        pause after it or a degree word next ("was, like, really hard")."""
        attached = not self.set_off_before(i)
        prev = self.norm(i - 1)
        if attached and (
            prev in LIKE_BLOCKERS
            or prev in LIKE_ADVERBS and (self.norm(i - 2) in PRONOUNS | MODALS)
        ):
            return False
        after = self.set_off_after(i)
        if self.norm(i + 1) in DETERMINERS and not after:
            return False
        if after and i == self.n - 1 and attached:
            return False  # "... the one we like" at the very end: no evidence
        repeated = self.norm(i + 1) == "like" or prev == "like"
        if repeated or self.is_filler(i - 1) or self.is_filler(i + 1):
            return True
        if prev in COPULAS:
            return i in self.pause_after or self.norm(i + 1) in DEGREE_WORDS
        return after


def fillers_between(tokens: Sequence[Token], gaps) -> list[FillerItem]:
    """``find_fillers`` with the pauses known from ``gaps`` (``pauses.find_gaps``)."""
    return find_fillers(
        tokens,
        pause_before={g.after_index for g in gaps if g.after_index is not None},
        pause_after={g.before_index for g in gaps if g.before_index is not None},
    )
