"""Word forms: what matching a job description's terms reads of a take's words.

``mockview progress --job`` asks which stored takes say each key term of a job. Asking
``content.match_term`` of every take means tokenizing every stored transcript (seconds for
a long history), so the store keeps each take's word forms when it saves the take
(``word_forms``) and answers each term (``TermRule``) from them with a few indexed queries.
The answers are exactly ``match_term``'s, over the same tokens and sentence units:

- by lemma: a one-word term when its lemma is anywhere in the take, a longer one when all
  its lemmas fall in one sentence unit (``WordForms.lemmas``, one set per unit);
- by spelling, for a short name ("Go", "AWS", "R"): a word written exactly so, and for one
  of one or two letters not opening a sentence (``WordForms.short_words``);
- by spelling without punctuation over up to three words ("node js" for Node.js,
  ``WordForms.spellings``).

The forms follow the analysis's rules, so the store keeps with them the
``ANALYSIS_VERSION`` that made them (``FORMS_VERSION``) and makes them again when it
changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mockview.analysis import ANALYSIS_VERSION
from mockview.analysis.content import (  # _compact, _parts_of: match_term's own helpers
    JobDescription,
    _compact,
    _parts_of,
    job_terms,
    lemma,
    split_units,
    term_lemmas,
)
from mockview.analysis.settings import AnalysisSettings
from mockview.analysis.text import clean_words, sentences, tokenize
from mockview.errors import MockviewError
from mockview.words import Word

#: The rules word forms follow are the analysis's: forms made by another version are made
#: again before they are asked.
FORMS_VERSION = ANALYSIS_VERSION
#: A name spelled in this many letters or fewer is matched as written ("Go", "AWS").
SHORT_NAME_LETTERS = 3
#: A name's spelling without punctuation may run over this many words ("node js").
SPELLING_WORDS = 3
_OPENING_PUNCTUATION = ".,;:!?\"'()"


@dataclass(frozen=True)
class WordForms:
    """One take's words as term matching reads them (``word_forms``)."""

    lemmas: tuple[frozenset[str], ...]  # per sentence unit, in order
    short_words: tuple[tuple[str, bool], ...]  # (word as written, one stood mid-sentence)
    spellings: tuple[str, ...]  # each word lower-cased without punctuation, in order


NO_FORMS = WordForms((), (), ())


def word_forms(words: Sequence[Word]) -> WordForms:
    """The forms of a take's words. Words whose times the analysis could not use (not
    finite) give none: their take says no term, as its report said none."""
    try:
        tokens = tokenize(clean_words(words))
    except MockviewError:
        return NO_FORMS
    lemmas_of: dict[str, frozenset[str]] = {}
    for token in tokens:
        if token.norm not in lemmas_of:
            lemmas_of[token.norm] = frozenset(lemma(p) for p in _parts_of(token.norm))
    units = tuple(frozenset().union(*(lemmas_of[t.norm] for t in tokens[a : b + 1]))
                  for a, b in split_units(tokens, sentences(tokens)))
    short: dict[str, bool] = {}
    for n, token in enumerate(tokens):
        written = token.text.strip(_OPENING_PUNCTUATION)
        if 0 < len(_compact(written)) <= SHORT_NAME_LETTERS:
            opens = n == 0 or tokens[n - 1].ends_sentence
            short[written] = short.get(written, False) or not opens
    return WordForms(units, tuple(short.items()), tuple(_compact(t.text) for t in tokens))


@dataclass(frozen=True)
class TermRule:
    """How a take says one key term of a job (``content.match_term``'s rule)."""

    term: str
    kind: str  # as ``content.JobTerm``: name, phrase, word or given
    lemmas: tuple[str, ...]  # all in one sentence unit; () for a short name
    spelling: str  # lower case, no punctuation: "nodejs", "aws"; "" has none

    @property
    def short_word(self) -> str | None:
        """The word a short name must be written as ("AWS"), or None for a longer spelling."""
        if not self.spelling or len(self.spelling) > SHORT_NAME_LETTERS:
            return None
        return self.term.strip()

    @property
    def mid_sentence_only(self) -> bool:
        """A name of one or two letters ("Go", "R") opening a sentence is another word."""
        return len(self.spelling) <= 2

    def spelled_in(self, spellings: Sequence[str]) -> bool:
        """True when up to ``SPELLING_WORDS`` words in a row spell a longer name."""
        if not self.spelling or self.short_word is not None:
            return False
        for first in range(len(spellings)):
            joined = ""
            for part in spellings[first : first + SPELLING_WORDS]:
                joined += part
                if joined == self.spelling:
                    return True
                if len(joined) >= len(self.spelling):
                    break
        return False


def term_rules(job: JobDescription, *,
               settings: AnalysisSettings | None = None) -> tuple[TermRule, ...]:
    """The rule of each key term of ``job``: its own terms (``job.terms``, kind "given") or
    those ``content.job_terms`` finds in its text, most telling first."""
    settings = settings or AnalysisSettings()
    terms = ([(t, "given") for t in job.terms] if job.terms else
             [(t.term, t.kind) for t in job_terms(job.text, max_terms=settings.job_max_terms)])
    rules = []
    for term, kind in terms:
        spelling = _compact(term)
        short_name = kind == "name" and len(spelling) <= SHORT_NAME_LETTERS
        rules.append(TermRule(term, kind, () if short_name else term_lemmas(term), spelling))
    return tuple(rules)
