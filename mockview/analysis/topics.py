"""What an answer talked about: its talking points, most-used words and repeated phrases.

Talking points follow Google's Interview Warmup, which marks in each answer the job-related
skills, experience, goals and lessons learned it mentions. Here each is found by cue phrases
(rule-based, no language model: a hint, like the rest of the content analysis):

- ``experience``: what you did or where ("at my last job", "I worked", "years of", and
  "I" followed by a past-tense verb: "I led", "I migrated");
- ``skills``: what you are good at ("I'm good at", "my strength", "skilled in",
  "proficient", "I know how to");
- ``goals``: what you want next ("I want to", "I'd like to", "my goal", "I'm looking for",
  "in five years");
- ``lessons``: what you learned ("I learned", "taught me", "looking back", "next time",
  "in hindsight", "I realized").

Most-used words are content words (no stop words, no fillers) said at least twice, counted
by stem (the content analysis's English stemmer), so "pipeline" and "pipelines" are one.
Repeated phrases are runs of three to five words said at least twice in one answer, with at
least one content word, and only the longest run of those said as often.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cache

from mockview.analysis.content import lemma
from mockview.analysis.text import Evidence, Token, evidence, is_content

#: The talking points, in the order they are shown, with what each is called.
TALKING_POINTS = {"experience": "experience", "skills": "skills", "goals": "goals",
                  "lessons": "lessons learned"}
_CUES = {
    "experience": (
        "at my last job", "at my previous job", "at my current job", "in my last role",
        "in my previous role", "in my current role", "at my last company", "i worked",
        "i have worked", "ive worked", "ive been working", "i was working", "years of",
        "my experience", "i have experience", "i spent", "i joined", "when i was at",
    ),
    "skills": (
        "im good at", "i am good at", "good with", "my strength", "my strengths", "skilled in",
        "skilled at", "proficient", "expertise", "expert in", "im strong in", "strong at",
        "i know how to", "my skills", "my skill", "fluent in", "comfortable with",
        "experienced in", "experienced with", "i specialize", "i specialise",
    ),
    "goals": (
        "i want to", "id like to", "i would like to", "my goal", "my goals", "i hope to",
        "im looking for", "i am looking for", "im looking to", "i plan to", "i aim to",
        "next step", "in five years", "id love to", "im excited to", "i aspire", "grow into",
        "i see myself",
    ),
    "lessons": (
        "i learned", "ive learned", "i have learned", "i learnt", "taught me", "lesson",
        "lessons", "looking back", "next time", "in hindsight", "i realized", "i realised",
        "if i did it again", "i would do differently", "id do differently", "my takeaway",
    ),
}
#: Past-tense forms that are no action of the speaker's ("I used to", "I needed").
_NOT_EXPERIENCE = frozenset({"used", "needed", "wanted", "learned", "realized", "realised",
                             "liked", "loved", "hoped", "decided", "guessed", "supposed"})
#: The most-used words and repeated phrases listed, at most.
TOP_WORDS = 8
TOP_PHRASES = 5
PHRASE_WORDS = (3, 5)


@dataclass(frozen=True)
class TalkingPoint:
    """One talking point: whether the answer covers it, the cue that says so and where."""

    name: str
    cue: str | None
    evidence: Evidence | None

    @property
    def covered(self) -> bool:
        return self.evidence is not None

    def to_dict(self) -> dict:
        return {"point": self.name, "label": TALKING_POINTS[self.name], "covered": self.covered,
                "cue": self.cue, "evidence": self.evidence.to_dict() if self.evidence else None}


@dataclass(frozen=True)
class Repeated:
    """A word or phrase said more than once: as first said, how often, and when."""

    text: str
    count: int
    starts_s: tuple[float, ...]

    def to_dict(self) -> dict:
        return {"text": self.text, "count": self.count,
                "starts_s": [round(s, 2) for s in self.starts_s]}


@dataclass(frozen=True)
class Topics:
    """What the answer talked about (``method`` "heuristic": cue phrases, not meaning)."""

    points: tuple[TalkingPoint, ...]
    words: tuple[Repeated, ...]
    phrases: tuple[Repeated, ...]

    @property
    def covered(self) -> list[str]:
        return [p.name for p in self.points if p.covered]

    def to_dict(self) -> dict:
        return {"method": "heuristic", "covered": self.covered,
                "points": [p.to_dict() for p in self.points],
                "top_words": [w.to_dict() for w in self.words],
                "repeated_phrases": [p.to_dict() for p in self.phrases]}


def topics(tokens: Sequence[Token], *, sentence_spans: Sequence[tuple[int, int]],
           filler_indices: Collection[int] = ()) -> Topics:
    """The talking points, most-used words and repeated phrases of an answer's ``tokens``
    (fillers, by token index, left out of the words and phrases)."""
    flats = [t.norm.replace("'", "") for t in tokens]
    points = tuple(_talking_point(name, tokens, flats, sentence_spans)
                   for name in TALKING_POINTS)
    spoken = [t for t in tokens if t.index not in filler_indices]
    return Topics(points, _top_words(spoken), _repeated_phrases(spoken, sentence_spans))


@cache
def _cues_by_first_word(name: str) -> dict[str, list[tuple[str, ...]]]:
    """The cues of a talking point, looked up by their first word (one dict look-up a word)."""
    by_first: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for cue in _CUES[name]:
        words = tuple(cue.split())
        by_first[words[0]].append(words)
    return dict(by_first)


def _talking_point(name: str, tokens: Sequence[Token], flats: Sequence[str],
                   spans: Sequence[tuple[int, int]]) -> TalkingPoint:
    cues = _cues_by_first_word(name)
    for first, last in spans:
        words = flats[first:last + 1]
        for i in range(len(words)):
            for cue in cues.get(words[i], ()):
                if tuple(words[i:i + len(cue)]) == cue:
                    return TalkingPoint(name, " ".join(cue), evidence(tokens[first:last + 1]))
            if name == "experience" and _past_action(words, i):
                return TalkingPoint(name, f"i {words[i + 1]}", evidence(tokens[first:last + 1]))
    return TalkingPoint(name, None, None)


def _past_action(words: Sequence[str], i: int) -> bool:
    """``I`` then a past-tense verb of five letters or more: "I led" is too short to tell
    from "I need", so only the regular "-ed" forms count ("I migrated", "I reduced")."""
    if words[i] != "i" or i + 1 >= len(words):
        return False
    verb = words[i + 1]
    return len(verb) >= 5 and verb.endswith("ed") and verb not in _NOT_EXPERIENCE


def _top_words(spoken: Sequence[Token]) -> tuple[Repeated, ...]:
    by_stem: dict[str, list[Token]] = defaultdict(list)
    for token in spoken:
        if is_content(token.norm):
            by_stem[lemma(token.norm)].append(token)
    ranked = sorted(by_stem.values(), key=lambda group: (-len(group), group[0].start_s))
    return tuple(Repeated(_most_said(group), len(group), tuple(t.start_s for t in group))
                 for group in ranked if len(group) >= 2)[:TOP_WORDS]


def _most_said(group: Sequence[Token]) -> str:
    return Counter(t.norm for t in group).most_common(1)[0][0]


def _repeated_phrases(spoken: Sequence[Token],
                      spans: Sequence[tuple[int, int]]) -> tuple[Repeated, ...]:
    sentence_of = {i: n for n, (first, last) in enumerate(spans)
                   for i in range(first, last + 1)}
    runs: dict[tuple[str, ...], list[int]] = defaultdict(list)  # positions in ``spoken``
    shortest, longest = PHRASE_WORDS
    for start in range(len(spoken)):
        for size in range(shortest, longest + 1):
            run = spoken[start:start + size]
            if len(run) < size or sentence_of.get(run[0].index) != sentence_of.get(
                    run[-1].index):
                break
            key = tuple(t.norm for t in run)
            seen = runs[key]
            # "words words words words" says "words words words" once, not twice
            if any(is_content(w) for w in key) and (not seen or seen[-1] + size <= start):
                seen.append(start)
    repeated = {key: [spoken[i] for i in starts] for key, starts in runs.items()
                if len(starts) >= 2}
    # a run inside a longer one said as often is the same repetition (one word longer is
    # enough to look at: a longer run holds one that is one word longer, said as often)
    inside = {part for longer, starts in repeated.items() if len(longer) > shortest
              for part in (longer[:-1], longer[1:])
              if len(repeated.get(part, ())) == len(starts)}
    kept = [key for key in repeated if key not in inside]
    kept.sort(key=lambda k: (-len(repeated[k]), -len(k), repeated[k][0].start_s))
    return tuple(Repeated(" ".join(key), len(repeated[key]),
                          tuple(t.start_s for t in repeated[key])) for key in kept[:TOP_PHRASES])
