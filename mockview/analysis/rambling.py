"""Rambling: named signals with evidence, flagged when at least two fire.

No validated single metric of rambling exists (research calls it off-target verbosity,
Arbuckle et al. 2000), so every signal here is a heuristic that names itself and points at
the words that fired it:

- ``over_length``: the answer runs past its target's maximum;
- ``drift``: later sentences share fewer content words with the question and the answer's
  opening than earlier ones (the share of a sentence's content stems found in that
  reference, last third of the sentences against the rest);
- ``repetition``: a 3-word phrase with at least two content words recurs
  ``repetition_min_count`` times, or a sentence restates an earlier one (most of the same
  content stems);
- ``run_on``: sentences of ``run_on_words`` words or more between the model's full stops;
- ``restarts``: self-corrections ("I mean", "let me rephrase") and stutters ("I I",
  "the the", "I was I was"), ``restarts_min_count`` or more;
- ``filler_rise``: fillers per minute in the last third of the answer well above the first
  two thirds, with a minimum count so one filler does not fire it;
- ``no_ending``: the answer trails off ("so yeah", "I guess that's it", "and stuff");
- ``no_result``: a behavioral answer that never states a result (STAR's R).

Punctuation-based signals (drift, run_on, restatement) are skipped when the model wrote no
full stop at all: then the transcript has no sentences to judge.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from mockview.analysis.fillers import FillerItem, filled_pause_form
from mockview.analysis.length import LengthMetrics
from mockview.analysis.settings import AnalysisSettings
from mockview.analysis.text import (
    Evidence,
    Token,
    clock,
    content_stems,
    evidence,
    is_content,
    list_times,
    quote,
    words_of,
)
from mockview.words import QuestionInfo, join_words

SIGNAL_NAMES = ("over_length", "drift", "repetition", "run_on", "restarts", "filler_rise",
                "no_ending", "no_result")

#: words that may be doubled on purpose ("had had", "very very")
DOUBLES_OK = frozenset(
    "that had very really no yeah bye so ha la many much far long is bla blah".split()
)
#: self-correction phrases, apostrophes removed
CORRECTIONS = tuple(
    tuple(p.split())
    for p in (
        "what im trying to say",
        "what i was trying to say",
        "what i wanted to say",
        "what i mean is",
        "let me rephrase",
        "let me put it",
        "let me start again",
        "let me start over",
        "let me try again",
        "let me back up",
        "scratch that",
        "or rather",
        "i meant",
        "sorry i mean",
    )
)
_I_MEAN_NOT_AFTER = frozenset("what that which you do did".split())
_I_MEAN_NOT_BEFORE = frozenset("it to that what is by when".split())
#: trailing-off endings, apostrophes removed, longest first so the detail quotes them whole
TRAILING = tuple(
    tuple(p.split())
    for p in sorted(
        (
            "so yeah", "yeah", "i guess thats it", "thats about it", "thats it",
            "thats all", "and stuff", "or something", "or whatever", "and everything",
            "and all that", "stuff like that", "something like that", "and so on",
            "i dont know", "i guess", "anyway", "yeah so",
        ),
        key=lambda p: -len(p.split()),
    )
)
_TRAILING_CONJUNCTIONS = frozenset("and but or so because".split())
RESULT_WORDS = frozenset(
    """result results resulted resulting outcome outcomes reduce reduced reducing
    reduction increase increased increasing saved save saving savings cut cutting improve
    improved improving improvement improvements grew grow growth grown launch launched
    deliver delivered won win shipped achieved completed doubled halved tripled lowered
    raised boosted percent percentage impact succeeded successful successfully success
    promoted finished fixed resolved solved faster cheaper hundred hundreds thousand
    thousands million millions billion half twice double dropped drop fell rose
    promotion award awarded recognized recognised adopted approved exceeded learned lesson
    lessons""".split()
)
#: a spelled-out number is a result cue only in "by/from/to three", "three percent/times"
NUMBER_WORDS = frozenset(
    "two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty"
    " fifty sixty seventy eighty ninety".split()
)
RESULT_PHRASES = tuple(
    tuple(p.split())
    for p in ("as a result", "in the end", "which meant", "that meant", "end result",
              "ended up", "this meant")
)
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class RamblingSignal:
    """One signal that fired: its ``name``, a specific human ``detail`` and the evidence."""

    name: str
    detail: str
    evidence: tuple[Evidence, ...]

    def to_dict(self) -> dict:
        return {"name": self.name, "detail": self.detail,
                "evidence": [e.to_dict() for e in self.evidence]}


@dataclass(frozen=True)
class RamblingMetrics:
    """The signals that fired. ``judged`` is false when the answer is too short to judge
    (then ``note`` says why and no signal is reported)."""

    signals: tuple[RamblingSignal, ...]
    judged: bool
    min_signals: int
    note: str | None = None

    @property
    def flagged(self) -> bool:
        return self.judged and len(self.signals) >= self.min_signals

    def signal(self, name: str) -> RamblingSignal | None:
        return next((s for s in self.signals if s.name == name), None)

    def to_dict(self) -> dict:
        return {
            "flagged": self.flagged,
            "signal_count": len(self.signals),
            "min_signals": self.min_signals,
            "judged": self.judged,
            "note": self.note,
            "signals": [s.to_dict() for s in self.signals],
        }


def _flat(norm: str) -> str:
    return norm.replace("'", "")


def _find_phrase(flats: Sequence[str], phrase: tuple[str, ...]) -> list[int]:
    size = len(phrase)
    return [i for i in range(len(flats) - size + 1) if tuple(flats[i : i + size]) == phrase]


def rambling_metrics(
    tokens: Sequence[Token],
    *,
    sentence_spans: Sequence[tuple[int, int]],
    fillers: Sequence[FillerItem],
    length: LengthMetrics,
    question: QuestionInfo | None,
    judged: bool,
    note: str | None = None,
    settings: AnalysisSettings,
) -> RamblingMetrics:
    """Run every signal; with ``judged`` false, report none (the evidence is too thin)."""
    if not judged:
        return RamblingMetrics((), False, settings.rambling_min_signals, note)
    filler_indices = {i for item in fillers for i in item.token_indices}
    punctuated = any(t.ends_sentence for t in tokens)
    spans = list(sentence_spans) if punctuated else []
    found = [
        over_length_signal(tokens, length),
        drift_signal(tokens, spans, question=question, filler_indices=filler_indices,
                     settings=settings),
        repetition_signal(tokens, spans, filler_indices=filler_indices, settings=settings),
        run_on_signal(tokens, spans, settings=settings),
        restarts_signal(tokens, filler_indices=filler_indices, settings=settings),
        filler_rise_signal(tokens, fillers, settings=settings),
        no_ending_signal(tokens),
        no_result_signal(tokens, spans, question=question),
    ]
    return RamblingMetrics(tuple(s for s in found if s), True, settings.rambling_min_signals,
                           note)


def over_length_signal(tokens: Sequence[Token], length: LengthMetrics) -> RamblingSignal | None:
    if length.verdict not in ("long", "too_long"):
        return None
    target = length.target
    span = f"{clock(target.min_s)}-{clock(target.max_s)}"
    whose = {"question": f"this question's {span} target",
             "general": f"the general {span} target (the question's kind is not known)"}
    detail = (f"The answer runs {clock(length.duration_s)}, past "
              + whose.get(length.target_source, f"the {span} target for {length.kind} questions"))
    if length.verdict == "too_long":
        detail += f" and the {clock(target.flag_over_s)} limit"
    late = [t for t in tokens if t.start_s >= target.max_s] or list(tokens[-12:])
    return RamblingSignal(
        "over_length", detail + f"; everything after {clock(target.max_s)} is extra.",
        (evidence(late),),
    )


def drift_signal(
    tokens: Sequence[Token],
    spans: Sequence[tuple[int, int]],
    *,
    question: QuestionInfo | None,
    filler_indices: Collection[int],
    settings: AnalysisSettings,
) -> RamblingSignal | None:
    if len(spans) < settings.drift_min_sentences:
        return None
    stems = [
        content_stems(t.norm for t in tokens[a : b + 1] if t.index not in filler_indices)
        for a, b in spans
    ]
    opening = 2 if len(stems[0]) < 5 else 1
    reference = set().union(*stems[:opening])
    if question is not None:
        reference |= content_stems(words_of(question.text))
        reference |= content_stems(n for k in question.keywords for n in words_of(k))
    scored = [
        (span, len(s & reference) / len(s))
        for span, s in zip(spans[opening:], stems[opening:], strict=True)
        if len(s) >= settings.drift_min_content_words
    ]
    if len(scored) < 3:
        return None
    late_count = max(1, len(scored) // 3)
    early, late = scored[:-late_count], scored[-late_count:]
    early_mean = sum(o for _, o in early) / len(early)
    late_mean = sum(o for _, o in late) / len(late)
    if not (
        early_mean - late_mean >= settings.drift_min_drop
        and late_mean <= early_mean * settings.drift_drop_ratio
    ):
        return None
    start = tokens[late[0][0][0]].start_s
    off_topic = sorted(late, key=lambda so: so[1])[:3]
    return RamblingSignal(
        "drift",
        f"From {clock(start)} your sentences share {late_mean:.0%} of their content words with"
        f" the question and your opening, against {early_mean:.0%} before: the answer drifts"
        " off its point.",
        tuple(evidence(tokens[a : b + 1]) for (a, b), _ in sorted(off_topic)),
    )


def repetition_signal(
    tokens: Sequence[Token],
    spans: Sequence[tuple[int, int]],
    *,
    filler_indices: Collection[int],
    settings: AnalysisSettings,
) -> RamblingSignal | None:
    parts = []
    evidence_items: list[Evidence] = []
    # the same 3-word phrase, fillers left out, within sentences
    groups = spans or [(0, len(tokens) - 1)] if tokens else []
    positions: dict[tuple[str, ...], list[list[Token]]] = defaultdict(list)
    for a, b in groups:
        kept = [t for t in tokens[a : b + 1]
                if t.index not in filler_indices and filled_pause_form(t.norm) is None]
        for k in range(len(kept) - 2):
            gram = tuple(t.norm for t in kept[k : k + 3])
            if sum(is_content(n) for n in gram) < 2 or len(set(gram)) < 2:
                continue
            seen = positions[gram]
            if not seen or seen[-1][-1].index < kept[k].index:  # non-overlapping
                seen.append(kept[k : k + 3])
    used: set[int] = set()
    repeated = sorted(
        ((g, occ) for g, occ in positions.items() if len(occ) >= settings.repetition_min_count),
        key=lambda go: (-len(go[1]), go[1][0][0].start_s),
    )
    for gram, occurrences in repeated:
        indices = {t.index for occ in occurrences for t in occ}
        if indices & used:
            continue
        used |= indices
        times = [occ[0].start_s for occ in occurrences]
        parts.append(f"\"{' '.join(gram)}\" comes up {len(occurrences)} times"
                     f" ({list_times(times)})")
        evidence_items.extend(evidence(occ) for occ in occurrences[:4])
        if len(parts) == 2:
            break
    # a sentence that says again what an earlier one said
    sentence_stems = [
        content_stems(t.norm for t in tokens[a : b + 1] if t.index not in filler_indices)
        for a, b in spans
    ]
    for j, later in enumerate(sentence_stems):
        if len(later) < settings.restatement_min_content_words:
            continue
        for i in range(j):
            earlier = sentence_stems[i]
            if len(earlier) < settings.restatement_min_content_words:
                continue
            if len(earlier & later) / len(earlier | later) >= settings.restatement_min_overlap:
                (a1, b1), (a2, b2) = spans[i], spans[j]
                parts.append(f"the sentence at {clock(tokens[a2].start_s)} restates the one"
                             f" at {clock(tokens[a1].start_s)}")
                evidence_items += [evidence(tokens[a1 : b1 + 1]), evidence(tokens[a2 : b2 + 1])]
                break
        if len(parts) >= 3:
            break
    if not parts:
        return None
    detail = "; ".join(parts)
    return RamblingSignal("repetition", detail[0].upper() + detail[1:] + ".",
                          tuple(evidence_items))


def run_on_signal(
    tokens: Sequence[Token], spans: Sequence[tuple[int, int]], *, settings: AnalysisSettings
) -> RamblingSignal | None:
    long = [(a, b) for a, b in spans if b - a + 1 >= settings.run_on_words]
    if not long:
        return None
    if len(long) == 1:
        a, b = long[0]
        detail = f"The sentence at {clock(tokens[a].start_s)} runs {b - a + 1} words."
    else:
        listed = ", ".join(f"{clock(tokens[a].start_s)} ({b - a + 1} words)" for a, b in long)
        detail = f"{len(long)} sentences run {settings.run_on_words} words or more: at {listed}."
    return RamblingSignal("run_on", detail,
                          tuple(evidence(tokens[a : b + 1]) for a, b in long))


def restarts_signal(
    tokens: Sequence[Token], *, filler_indices: Collection[int], settings: AnalysisSettings
) -> RamblingSignal | None:
    found: list[tuple[int, int]] = []  # (first, last) token index of each restart
    flats = [_flat(t.norm) for t in tokens]
    for phrase in CORRECTIONS:
        found += [(i, i + len(phrase) - 1) for i in _find_phrase(flats, phrase)]
    for i in _find_phrase(flats, ("i", "mean")):
        before = flats[i - 1] if i > 0 else ""
        after = flats[i + 2] if i + 2 < len(flats) else ""
        if before not in _I_MEAN_NOT_AFTER and after not in _I_MEAN_NOT_BEFORE:
            if not any(a <= i <= b for a, b in found):
                found.append((i, i + 1))
    spoken = [t for t in tokens if t.index not in filler_indices
              and filled_pause_form(t.norm) is None]
    k = 0
    while k < len(spoken) - 1:
        first, second = spoken[k], spoken[k + 1]
        if (first.norm == second.norm and first.norm not in DOUBLES_OK
                and not first.ends_sentence and not _DIGIT.search(first.norm)):
            found.append((first.index, second.index))
            k += 2
            continue
        if (k + 3 < len(spoken) and first.norm != second.norm
                and (first.norm, second.norm) == (spoken[k + 2].norm, spoken[k + 3].norm)
                and not second.ends_sentence):
            found.append((first.index, spoken[k + 3].index))
            k += 4
            continue
        k += 1
    if len(found) < settings.restarts_min_count:
        return None
    found.sort()
    listed = ", ".join(f"\"{quote(tokens[a : b + 1], 6)}\" at {clock(tokens[a].start_s)}"
                       for a, b in found[:4])
    more = f" and {len(found) - 4} more" if len(found) > 4 else ""
    return RamblingSignal(
        "restarts",
        f"{len(found)} restarts or self-corrections: {listed}{more}.",
        tuple(evidence(tokens[a : b + 1]) for a, b in found[:6]),
    )


def filler_rise_signal(
    tokens: Sequence[Token], fillers: Sequence[FillerItem], *, settings: AnalysisSettings
) -> RamblingSignal | None:
    if not tokens:
        return None
    first = tokens[0].start_s
    span = max(t.end_s for t in tokens) - first
    if span <= 0:
        return None
    cut = first + span * 2 / 3
    late = [f for f in fillers if f.start_s >= cut]
    early_rate = (len(fillers) - len(late)) / (span * 2 / 3) * 60
    late_rate = len(late) / (span / 3) * 60
    if len(late) < settings.filler_rise_min_count or late_rate < early_rate * (
        settings.filler_rise_ratio
    ):
        return None
    return RamblingSignal(
        "filler_rise",
        f"Fillers rise from {early_rate:.1f} per minute in the first two thirds to"
        f" {late_rate:.1f} per minute in the last third (from {clock(cut)}).",
        tuple(Evidence(f.text, f.start_s, f.end_s) for f in late[:6]),
    )


def no_ending_signal(tokens: Sequence[Token]) -> RamblingSignal | None:
    end = len(tokens)
    while end > 0 and filled_pause_form(tokens[end - 1].norm) is not None:
        end -= 1
    if end == 0:
        return None
    flats = [_flat(t.norm) for t in tokens[:end]]
    hit = None
    for phrase in TRAILING:
        if tuple(flats[-len(phrase):]) == phrase:
            hit = end - len(phrase)
            break
    if hit is None and flats[-1] in _TRAILING_CONJUNCTIONS:
        hit = end - 1
    if hit is None:
        return None
    said = join_words(t.text for t in tokens[hit:end]).rstrip(".!?,")
    return RamblingSignal(
        "no_ending",
        f"The answer trails off with \"{said}\" at {clock(tokens[hit].start_s)} instead of"
        " a closing point.",
        (evidence(tokens[max(0, hit - 6) : len(tokens)]),),
    )


def no_result_signal(
    tokens: Sequence[Token], spans: Sequence[tuple[int, int]], *, question: QuestionInfo | None
) -> RamblingSignal | None:
    if question is None or question.kind != "behavioral" or not tokens:
        return None
    flats = [_flat(t.norm) for t in tokens]
    if any(f in RESULT_WORDS for f in flats) or any(_DIGIT.search(t.text) for t in tokens):
        return None
    if any(_find_phrase(flats, p) for p in RESULT_PHRASES):
        return None
    for i, flat in enumerate(flats):
        if flat in NUMBER_WORDS and (
            i > 0 and flats[i - 1] in ("by", "from", "to")
            or i + 1 < len(flats) and flats[i + 1] in ("percent", "times", "x")
        ):
            return None
    a, b = spans[-1] if spans else (max(0, len(tokens) - 12), len(tokens) - 1)
    return RamblingSignal(
        "no_result",
        "No result statement: nothing says how it turned out (no outcome, number, or verb"
        " like \"reduced\", \"launched\" or \"saved\").",
        (evidence(tokens[a : b + 1]),),
    )
