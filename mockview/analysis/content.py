"""What the answer says: STAR structure, concrete results, ownership, hedging, relevance to
the question and the job, and a clear opening and ending.

Everything here is rule-based (cue phrases, word lists, a Porter2 stemmer for inflections),
with no language model, so every verdict is a heuristic hint; the result says so
(``"method": "heuristic"``) and, when the evidence is thin (under
``content_min_words_to_judge`` words, 15 for a short-answer question, or a question of
unknown kind), reports what it found with ``judged`` false and no verdicts. A short-answer
question ("When could you start?") is judged on what such an answer needs: the point in
its first sentence (``opening``), the question's words, hedges; not on an ending. The word
lists prefer missing a finding to accusing the speaker of one, like the filler rules.

The parts:

- ``structure`` (behavioral questions only): each sentence is given the STAR part its cues
  point to ("the situation was", "my task was", "I built", "as a result", numbers, outcome
  verbs); a sentence with no cue continues the part before it. Long sentences are split
  before a cue, so "... and as a result we shipped" is a Result on its own.
- ``results``: numbers, percentages, money, time, before/after ("from three days to one")
  and outcome verbs ("reduced", "launched"), each with its place.
- ``ownership``: actions said with "I" ("I led", "I built") against those said with "we".
- ``hedges``: "I guess", "kind of", "maybe", "I'm not sure"..., each with its place.
- ``keywords`` and ``job``: which of the question's keywords and of a job description's key
  terms the answer mentions, matched by lemma ("led" meets "lead", "improving" "improve").
- ``opening`` and ``ending``: does the answer lead with its point and end on a conclusion.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from mockview.analysis.fillers import filled_pause_form
from mockview.analysis.length import EvidenceMinimum, evidence_minimum
from mockview.analysis.rambling import (
    NUMBER_WORDS,
    RESULT_PHRASES,
    RESULT_WORDS,
    no_ending_signal,
)
from mockview.analysis.settings import STAR_PARTS, AnalysisSettings
from mockview.analysis.text import STOP_WORDS, Evidence, Token, evidence, normalize, r_ratio, r_time
from mockview.kinds import KINDS
from mockview.words import QuestionInfo

PARTS = STAR_PARTS
METHOD = "heuristic"
#: kinds where linking the answer to the job is the point, so missing job terms earn a tip
JOB_TIP_KINDS = frozenset({"intro", "motivation", "strengths", "closing"})


def _phrases(*texts: str) -> tuple[tuple[str, ...], ...]:
    """Phrases as word tuples, apostrophes removed ("i'm" -> "im"), longest first."""
    return tuple(sorted((tuple(t.replace("'", "").split()) for t in texts),
                        key=lambda p: -len(p)))


# --- STAR cues (apostrophes removed) -------------------------------------------------------

SITUATION_CUES = _phrases(
    "the situation was", "the situation", "the context was", "the background was",
    "at the time", "at my last job", "at my previous job", "at my last company",
    "at my previous company", "in my last role", "in my previous role", "in my current role",
    "when i was", "when i worked", "when i joined", "a few years ago", "a couple of years ago",
    "last year", "earlier this year", "a while back", "back when", "back in", "one time",
    "the problem was", "the issue was", "there was a", "we had a", "our team was",
    "i was working", "i was working at", "i worked at",
)
TASK_CUES = _phrases(
    "my task was", "my task", "the task was", "my goal was", "the goal was", "our goal was",
    "my job was", "my role was", "my responsibility", "i was responsible for",
    "i was asked to", "i was tasked with", "i was in charge of", "i needed to", "i had to",
    "we needed to", "we had to", "the challenge was", "my challenge was",
    "the objective was", "i was supposed to", "i wanted to", "it was my job",
    "it was up to me", "i was brought in to", "the deadline was",
)
ACTION_CUES = _phrases(
    "what i did was", "my approach was", "i started by", "i began by",
    "the first thing i did", "i decided to", "my plan was", "i came up with",
    "i put together", "i set up", "i reached out", "to fix this", "to fix that",
    "to solve this", "to solve that", "to do that", "to do this",
)
RESULT_CUES = _phrases(
    *(" ".join(p) for p in RESULT_PHRASES),
    "the result was", "the outcome was", "which led to", "that led to", "this led to",
    "because of this", "because of that", "since then", "by the end", "at the end of",
    "ultimately", "i learned", "what i learned", "the lesson", "looking back", "the impact",
    "it worked",
)
STAR_CUES = {"situation": SITUATION_CUES, "task": TASK_CUES, "action": ACTION_CUES,
             "result": RESULT_CUES}
#: the cues of two words or more, before which a long sentence is cut
SPLIT_CUES = tuple(p for cues in STAR_CUES.values() for p in cues if len(p) > 1)
#: "so I built", "then I wrote": a sequencing word before an I-action starts the Action
SEQUENCERS = frozenset("so then first next finally afterwards".split())
#: weights of the sentence scores (heuristic: a cue phrase outweighs a feature)
CUE_WEIGHT = 3.0
I_ACTION_WEIGHT = 1.5
WE_ACTION_WEIGHT = 1.0
CONCRETE_RESULT_WEIGHT = 1.5
OUTCOME_VERB_WEIGHT = 1.0
RESULT_WORD_WEIGHT = 0.5
SETTING_WEIGHT = 0.5
FIRST_SENTENCE_SITUATION = 1.0

# --- actions and ownership -----------------------------------------------------------------

#: base forms of verbs that describe doing something at work (matched by lemma)
ACTION_VERBS = frozenset(
    """lead build write design create launch organize organise implement develop set run
    drive own manage fix analyze analyse negotiate present propose convince persuade
    coordinate schedule migrate automate refactor test deploy ship deliver hire train
    mentor coach interview research investigate identify find solve resolve reduce
    increase improve cut save talk speak meet call email reach ask explain pitch decide
    plan prioritize prioritise review rewrite redesign introduce start initiate establish
    streamline simplify measure track monitor document escalate align collaborate gather
    map prototype benchmark profile debug optimize optimise restructure split merge pair
    teach sell close grow scale support handle take push step volunteer champion
    spearhead architect code program configure install integrate update upgrade replace
    remove add change recruit onboard facilitate work help bring put get make draft
    suggest recommend convene host rally delegate assign
    learn study read practice practise apply adapt adjust compromise agree listen clarify
    communicate share show demo demonstrate sketch outline estimate budget cover""".split()
)
#: irregular past forms, so "led" meets "lead" and "built" meets "build"
IRREGULAR = {
    "led": "lead", "built": "build", "wrote": "write", "written": "write", "ran": "run",
    "made": "make", "took": "take", "taken": "take", "grew": "grow", "grown": "grow",
    "won": "win", "drove": "drive", "driven": "drive", "brought": "bring", "taught": "teach",
    "thought": "think", "spoke": "speak", "spoken": "speak", "chose": "choose",
    "chosen": "choose", "began": "begin", "begun": "begin", "found": "find", "gave": "give",
    "given": "give", "kept": "keep", "met": "meet", "sold": "sell", "spent": "spend",
    "understood": "understand", "went": "go", "gone": "go", "saw": "see", "seen": "see",
    "told": "tell", "fought": "fight", "caught": "catch", "left": "leave", "lost": "lose",
    "paid": "pay", "sent": "send", "stood": "stand", "rose": "rise", "risen": "rise",
    "fell": "fall", "fallen": "fall", "drew": "draw", "drawn": "draw", "shown": "show",
    "did": "do", "done": "do", "got": "get", "gotten": "get", "had": "have", "has": "have",
    "was": "be", "were": "be", "been": "be", "is": "be", "are": "be", "am": "be",
    "learnt": "learn", "dealt": "deal", "felt": "feel", "heard": "hear", "held": "hold",
    "meant": "mean", "sped": "speed", "stuck": "stick", "struck": "strike", "swore": "swear",
    "woke": "wake", "rebuilt": "rebuild", "rewrote": "rewrite", "rewritten": "rewrite",
    "oversaw": "oversee", "overseen": "oversee", "undertook": "undertake",
    "withdrew": "withdraw", "children": "child", "people": "person", "men": "man",
    "women": "woman",
}
SUBJECTS_I = frozenset({"i", "ive", "id", "ill"})
#: "we'll" is left out: without its apostrophe it is "well"
SUBJECTS_WE = frozenset({"we", "weve", "wed"})
#: words that may stand between a subject and its verb ("I then wrote", "we had built")
BETWEEN_SUBJECT_AND_VERB = frozenset(
    """then also first quickly finally eventually immediately personally actually just
    really basically initially later soon successfully ultimately both all had have
    would will could myself ourselves proactively together""".split()
)
#: subjects that end the run of a previous subject ("I wrote it and they tested it")
OTHER_SUBJECTS = frozenset(
    "he she they it you who which that team manager hes shes theyre youre its".split()
)

# --- results ------------------------------------------------------------------------------

#: past forms that state an outcome; "reduce" alone is a plan, "reduced" a result
OUTCOME_VERBS = frozenset(
    """reduced increased decreased launched saved cut grew doubled tripled quadrupled halved
    improved shipped delivered won raised lowered boosted exceeded achieved eliminated
    accelerated sped generated secured retained recovered prevented avoided completed
    finished resolved solved fixed hit beat earned landed promoted adopted approved passed
    dropped fell rose shortened trimmed simplified automated""".split()
)
#: units of time saved or taken; years are left out: "six years in payments" is tenure
TIME_UNITS = frozenset(
    "second seconds minute minutes hour hours day days week weeks month months sprint sprints"
    " quarter quarters".split()
)
#: "grew up", "set off": a verb that is no action or outcome with this word after it
NOT_ACTION_WITH = {"grew": "up", "grow": "up", "growing": "up"}
MONEY_WORDS = frozenset("dollars dollar euros euro pounds bucks k grand".split())
#: "for five years", "over the past two years": a time span, not a result
SPAN_BEFORE = frozenset("for past last over".split())
#: "to cut", "would reduce": a plan, not an outcome
PLAN_BEFORE = frozenset("to will would could should can must might cannot wanted".split())
_DIGIT = re.compile(r"\d")
_YEAR = re.compile(r"(19|20)\d\d")
_MONEY_SIGN = re.compile(r"[$\u20ac\u00a3]")

# --- hedges -------------------------------------------------------------------------------

HEDGES = _phrases(
    "i think maybe", "i guess", "i suppose", "kind of", "sort of", "kinda", "sorta", "maybe",
    "perhaps", "probably", "possibly", "im not sure", "im not really sure", "not sure",
    "i dont know if", "i dont know whether", "i feel like", "more or less", "somewhat",
    "hopefully", "or something",
)
#: "kind of"/"sort of" after these is a noun phrase ("what kind of manager"), not a hedge
KIND_OF_NOT_AFTER = frozenset(
    """a an the this that these those what which whatever any some every each one same
    different other new right particular certain specific all no my your our their his her
    its first only best two many several various""".split()
)

# --- opening and ending ---------------------------------------------------------------------

THROAT_CLEARING_WORDS = frozenset(
    """so well okay ok alright right yeah yes sure um umm uh uhh er erm ah hmm hm oh like
    basically actually anyway now honestly""".split()
)
THROAT_CLEARING_PHRASES = _phrases(
    "thats a good question", "thats a great question", "good question", "great question",
    "let me think", "let me see", "lets see", "where do i start", "where do i begin",
    "how do i put this", "i guess", "i mean", "you know", "i dont know", "to be honest",
    "thats a tough question", "thats a hard question", "thats a tough one", "thats a hard one",
    "thats a great one", "thats a good one",
)
#: an intro that leads with who the speaker is now
IDENTITY_PHRASES = _phrases(
    "im a", "im an", "im the", "i am a", "i am an", "i am the", "im currently",
    "i am currently", "currently im", "currently i", "i work as", "i work at", "i work in",
    "i work on", "ive been a", "ive been an", "ive been working", "i have been working",
    "ive worked", "ive spent", "my name is", "i lead", "i run", "i manage", "i build",
    "i design", "i help", "for the past", "for the last", "over the past", "im someone who",
    "i recently graduated", "i just graduated", "i specialize", "i specialise",
    "my background is", "im in my",
)
SUMMARY_PHRASES = _phrases(
    "overall", "in short", "in summary", "to sum up", "so thats why", "thats why",
    "which is why", "this is why", "what i learned", "i learned", "the lesson", "taught me",
    "looking back", "since then", "from then on", "now i", "going forward", "ever since",
    "the takeaway", "that experience",
)
ROLE_LINK_PHRASES = _phrases(
    "this role", "this position", "this job", "this team", "your team", "your company",
    "this company", "the role", "the position", "here at", "excited", "looking forward",
    "contribute", "bring", "id love", "i would love", "why im applying", "why i applied",
    "opportunity", "your mission", "your product", "your customers", "a good fit",
    "a great fit", "your", "yours",
)
COURTESY = _phrases("thank you", "thanks")

# --- job descriptions ----------------------------------------------------------------------

#: words of job ads that name no skill
JOB_NOISE = frozenset(
    """experience experienced years year ability able strong excellent good great skills
    skill knowledge understanding including include includes etc role candidate
    candidates responsibilities responsibility requirements required requirement preferred
    plus bonus qualifications qualification ideal looking join opportunity opportunities
    company team teams work working environment position job apply benefits salary equal
    employer new using use related relevant degree equivalent field similar demonstrated
    proven solid deep familiarity familiar proficiency proficient across within help ensure
    day days based will least minimum high level highly passion passionate love ideally
    nice want wants need needs e.g i.e us we're you'll you're youll who offer offers part
    environment culture mission world people person someone member members senior junior""".split()
)
#: verbs that open job-ad bullets ("Build data pipelines"): left off a phrase's start
JOB_VERBS = frozenset(
    """build design develop lead drive own work collaborate partner support manage create
    deliver maintain improve ensure help write mentor define communicate implement use
    run operate shape scale translate establish identify contribute participate champion
    grow advocate review analyze analyse monitor coordinate""".split()
)
_JOB_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9+#./'\u2019-]*[A-Za-z0-9+#]|[A-Za-z0-9]")
_JOB_BREAK = re.compile(r"[,;:()\[\]!?\u2022\u00b7|]|\.(?=\s|$)|\s[-*\u2013\u2014]\s|\n")

_STEM_LOCK = threading.Lock()


# --- result dataclasses --------------------------------------------------------------------


def _evs(items: Iterable[Evidence]) -> list[dict]:
    return [e.to_dict() for e in items]


@dataclass(frozen=True)
class JobDescription:
    """A job description the answer is checked against: its plain ``text`` and, optionally,
    the ``terms`` to look for (when empty, they are extracted from the text)."""

    text: str
    terms: tuple[str, ...] = ()
    title: str | None = None


@dataclass(frozen=True)
class JobTerm:
    """A key term of a job description: ``kind`` is "name" (a capitalized or shaped name:
    Python, AWS, CI/CD), "phrase" (two content words: "data pipelines"), "word" (a content
    word used more than once) or "given" (passed in ``JobDescription.terms``)."""

    term: str
    kind: str
    count: int


@dataclass(frozen=True)
class StarPart:
    """One STAR part: where it is (``spans``), how much of the time it takes, and the cue
    phrases that identified it (``basis`` "cue"; "features" when only sentence features such
    as "I" + an action verb or a number did)."""

    name: str
    spans: tuple[Evidence, ...]
    cues: tuple[Evidence, ...]
    duration_s: float
    share: float | None
    basis: str | None
    verdict: str | None

    @property
    def present(self) -> bool:
        return bool(self.spans)

    def to_dict(self) -> dict:
        return {"part": self.name, "present": self.present, "duration_s": r_time(self.duration_s),
                "share": r_ratio(self.share), "verdict": self.verdict, "basis": self.basis,
                "spans": _evs(self.spans), "cues": _evs(self.cues)}


@dataclass(frozen=True)
class Structure:
    """The STAR parts of a behavioral answer in STAR order, and the order they came in."""

    parts: tuple[StarPart, ...]
    order: tuple[str, ...]
    action_share_target: tuple[float, float]
    judged: bool

    def part(self, name: str) -> StarPart:
        return next(p for p in self.parts if p.name == name)

    @property
    def missing(self) -> list[str]:
        return [p.name for p in self.parts if p.verdict == "missing"]

    @property
    def too_short(self) -> list[str]:
        return [p.name for p in self.parts if p.verdict in ("too_short", "short")]

    @property
    def verdict(self) -> str | None:
        if not self.judged:
            return None
        return "incomplete" if self.missing or self.too_short else "complete"

    def to_dict(self) -> dict:
        return {"verdict": self.verdict, "missing": self.missing, "too_short": self.too_short,
                "order": list(self.order),
                "action_share_target": [r_ratio(v) for v in self.action_share_target],
                "parts": [p.to_dict() for p in self.parts]}


@dataclass(frozen=True)
class ResultMention:
    """A concrete result: ``kind`` is "number", "percent", "money", "time", "before_after"
    or "outcome_verb"."""

    kind: str
    evidence: Evidence
    first: int
    last: int

    @property
    def concrete(self) -> bool:
        return self.kind != "outcome_verb"

    def to_dict(self) -> dict:
        return {"kind": self.kind, **self.evidence.to_dict()}


@dataclass(frozen=True)
class Results:
    items: tuple[ResultMention, ...]
    judged: bool

    @property
    def concrete_count(self) -> int:
        return sum(i.concrete for i in self.items)

    @property
    def verdict(self) -> str | None:
        if not self.judged:
            return None
        if self.concrete_count:
            return "concrete"
        return "vague" if self.items else "none"

    def to_dict(self) -> dict:
        return {"count": len(self.items), "concrete_count": self.concrete_count,
                "verdict": self.verdict, "items": [i.to_dict() for i in self.items]}


@dataclass(frozen=True)
class Ownership:
    """Actions said with "I" against those said with "we" ("my team and I" counts as we)."""

    i_actions: tuple[Evidence, ...]
    we_actions: tuple[Evidence, ...]
    min_we_actions: int
    we_share_flag: float
    judged: bool

    @property
    def we_share(self) -> float | None:
        total = len(self.i_actions) + len(self.we_actions)
        return len(self.we_actions) / total if total else None

    @property
    def verdict(self) -> str | None:
        if not self.judged:
            return None
        share = self.we_share
        if share is None:
            return "no_actions"
        if len(self.we_actions) >= self.min_we_actions and share >= self.we_share_flag:
            return "we_dominates"
        return "owned" if share <= 0.5 else "shared"

    def to_dict(self) -> dict:
        return {"i_count": len(self.i_actions), "we_count": len(self.we_actions),
                "we_share": r_ratio(self.we_share), "verdict": self.verdict,
                "i_actions": _evs(self.i_actions), "we_actions": _evs(self.we_actions)}


@dataclass(frozen=True)
class Hedge:
    """One hedge: the canonical ``phrase`` ("i'm not sure") and the words as transcribed."""

    phrase: str
    evidence: Evidence

    def to_dict(self) -> dict:
        return {"phrase": self.phrase, **self.evidence.to_dict()}


@dataclass(frozen=True)
class Hedges:
    items: tuple[Hedge, ...]
    word_count: int
    min_count: int
    flag_per_100_words: float
    judged: bool

    @property
    def per_100_words(self) -> float:
        return len(self.items) / self.word_count * 100 if self.word_count else 0.0

    @property
    def top(self) -> list[tuple[str, int]]:
        return Counter(h.phrase for h in self.items).most_common()

    @property
    def verdict(self) -> str | None:
        if not self.judged:
            return None
        if not self.items:
            return "none"
        many = (len(self.items) >= self.min_count
                and self.per_100_words >= self.flag_per_100_words)
        return "many" if many else "few"

    def to_dict(self) -> dict:
        return {"count": len(self.items), "per_100_words": round(self.per_100_words, 1),
                "verdict": self.verdict,
                "top": [{"text": text, "count": n} for text, n in self.top],
                "items": [h.to_dict() for h in self.items]}


@dataclass(frozen=True)
class TermMatch:
    """A term looked for in the answer, with where it was first said (None: not said)."""

    term: str
    kind: str
    evidence: Evidence | None


@dataclass(frozen=True)
class Coverage:
    """Which of the question's keywords, or of a job description's terms, were said."""

    terms: tuple[TermMatch, ...]
    low: float
    judged: bool

    @property
    def matched(self) -> list[TermMatch]:
        return [t for t in self.terms if t.evidence is not None]

    @property
    def missing(self) -> list[TermMatch]:
        return [t for t in self.terms if t.evidence is None]

    @property
    def coverage(self) -> float | None:
        return len(self.matched) / len(self.terms) if self.terms else None

    @property
    def verdict(self) -> str | None:
        if not self.judged or self.coverage is None:
            return None
        return "low" if self.coverage < self.low else "good"

    def to_dict(self) -> dict:
        return {"total": len(self.terms), "matched_count": len(self.matched),
                "coverage": r_ratio(self.coverage), "verdict": self.verdict,
                "matched": [{"term": t.term, "kind": t.kind, **t.evidence.to_dict()}
                            for t in self.matched if t.evidence is not None],
                "missing": [{"term": t.term, "kind": t.kind} for t in self.missing]}


@dataclass(frozen=True)
class Opening:
    """How the answer starts: ``throat_clearing`` are the words before the first point,
    ``evidence`` the first sentence with a point; ``situation_sentences`` (behavioral) how
    many sentences the Situation takes before the answer moves on."""

    verdict: str | None
    evidence: Evidence | None
    throat_clearing: tuple[Evidence, ...]
    situation_sentences: int | None

    def to_dict(self) -> dict:
        return {"verdict": self.verdict,
                "evidence": self.evidence.to_dict() if self.evidence else None,
                "throat_clearing": _evs(self.throat_clearing),
                "situation_sentences": self.situation_sentences}


@dataclass(frozen=True)
class Ending:
    """How the answer ends: ``evidence`` the last sentence, ``cue`` what makes it a
    conclusion (a result, a summary, a link to the role) or the words it trails off with."""

    verdict: str | None
    evidence: Evidence | None
    cue: Evidence | None

    def to_dict(self) -> dict:
        return {"verdict": self.verdict,
                "evidence": self.evidence.to_dict() if self.evidence else None,
                "cue": self.cue.to_dict() if self.cue else None}


@dataclass(frozen=True)
class ContentResult:
    """Everything the content analysis found. With ``judged`` false, ``note`` says why and
    every verdict is None: the findings are listed, not judged."""

    judged: bool
    note: str | None
    kind: str | None
    structure: Structure | None
    results: Results
    ownership: Ownership
    hedges: Hedges
    keywords: Coverage | None
    job: Coverage | None
    opening: Opening
    ending: Ending

    def to_dict(self) -> dict:
        return {
            "judged": self.judged,
            "note": self.note,
            "method": METHOD,
            "kind": self.kind,
            "structure": self.structure.to_dict() if self.structure else None,
            "results": self.results.to_dict(),
            "ownership": self.ownership.to_dict(),
            "hedges": self.hedges.to_dict(),
            "keywords": self.keywords.to_dict() if self.keywords else None,
            "job": self.job.to_dict() if self.job else None,
            "opening": self.opening.to_dict(),
            "ending": self.ending.to_dict(),
        }


# --- words --------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _stemmer():
    # imported here: the analysis package stays instant to import
    from snowballstemmer import stemmer

    return stemmer("english")


@lru_cache(maxsize=8192)
def lemma(word: str) -> str:
    """The key that a word's inflections share: irregular forms mapped to their base
    ("led" -> "lead"), then the Porter2 stem ("improving", "improved" -> "improv")."""
    flat = normalize(word).replace("'", "")
    base = IRREGULAR.get(flat, flat)
    with _STEM_LOCK:  # a Snowball stemmer keeps state between calls
        return _stemmer().stemWord(base)


@lru_cache(maxsize=1)
def _action_lemmas() -> frozenset[str]:
    # built on first use, so importing the analysis does not load the stemmer
    return frozenset(lemma(v) for v in ACTION_VERBS)


def _is_action(flat: str) -> bool:
    return lemma(flat) in _action_lemmas()


def _flat(token: Token) -> str:
    return token.norm.replace("'", "")


def _parts_of(norm: str) -> list[str]:
    """The words of a token for matching: "follow-up" -> ["follow", "up"]."""
    return [p for p in re.split(r"[-/]", norm) if p]


def _compact(text: str) -> str:
    """A name's spelling without punctuation, so "Node.js" meets "node js" and "CI/CD" meets
    "CI CD"; "+" and "#" are spelled out so C++ and C# stay apart from C."""
    text = text.strip().strip(".,;:!?\"'()\u201c\u201d").lower()
    text = text.replace("+", "plus").replace("#", "sharp")
    return re.sub(r"[^a-z0-9]", "", text)


def _find(flats: Sequence[str], phrases: tuple[tuple[str, ...], ...],
          start: int = 0, end: int | None = None) -> list[tuple[int, int, tuple[str, ...]]]:
    """Matches (first, last index, phrase) in ``flats[start:end]``, left to right, the
    longest phrase at each position, none overlapping."""
    end = len(flats) if end is None else end
    by_first = _by_first_word(phrases)
    found = []
    i = start
    while i < end:
        for phrase in by_first.get(flats[i], ()):
            size = len(phrase)
            if i + size <= end and tuple(flats[i : i + size]) == phrase:
                found.append((i, i + size - 1, phrase))
                i += size
                break
        else:
            i += 1
    return found


@lru_cache(maxsize=64)
def _by_first_word(phrases: tuple[tuple[str, ...], ...]) -> dict[str, list[tuple[str, ...]]]:
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in sorted(phrases, key=lambda p: -len(p)):
        index.setdefault(phrase[0], []).append(phrase)
    return index


# --- the analysis -------------------------------------------------------------------------


def content_metrics(
    tokens: Sequence[Token],
    *,
    sentence_spans: Sequence[tuple[int, int]],
    filler_indices: Collection[int] = (),
    question: QuestionInfo | None,
    job: JobDescription | None = None,
    settings: AnalysisSettings,
    minimum: EvidenceMinimum | None = None,
) -> ContentResult:
    """Find the content of one answer; judge it when the evidence allows (see the module
    docstring). ``filler_indices`` are the tokens the filler rules counted; ``minimum`` is
    the question's evidence minimum (``length.evidence_minimum``)."""
    kind = question.kind if question is not None else None
    known_kind = kind in KINDS
    minimum = minimum or evidence_minimum(question, settings=settings)
    words = len(tokens)
    if not tokens:
        note = "No speech was found."
    elif not known_kind:
        note = ("The question's kind is not known, so content is reported, not judged"
                " (ask a question from a bank, or pass one with a kind).")
    elif words < minimum.content_words:
        needs = "a short answer needs" if minimum.short_answer else "that needs"
        note = (f"Only {words} words: too few to judge the content ({needs}"
                f" {minimum.content_words}).")
    else:
        note = None
    judged = note is None
    spoken = [t for t in tokens if t.index not in filler_indices]
    units = split_units(tokens, sentence_spans)
    results = find_results(tokens)
    i_actions, we_actions = find_actions(spoken, tokens)
    structure = (star_structure(tokens, units, results,
                                spoken_indices={t.index for t in spoken}, judged=judged,
                                settings=settings)
                 if kind == "behavioral" and tokens else None)
    keywords = None
    if question is not None and question.keywords:
        keywords = Coverage(
            tuple(match_term(k, "keyword", tokens, units) for k in question.keywords),
            settings.keyword_coverage_low, judged,
        )
    job_coverage = None
    if job is not None:
        terms = ([JobTerm(t, "given", 1) for t in job.terms] if job.terms
                 else job_terms(job.text, max_terms=settings.job_max_terms))
        job_coverage = Coverage(tuple(match_term(t.term, t.kind, tokens, units) for t in terms),
                                settings.job_coverage_low, judged)
    return ContentResult(
        judged=judged,
        note=note,
        kind=kind,
        structure=structure,
        results=Results(results, judged),
        ownership=Ownership(tuple(i_actions), tuple(we_actions),
                            settings.ownership_min_we_actions, settings.ownership_we_share_flag,
                            judged),
        hedges=Hedges(find_hedges(tokens), words,
                      settings.hedges_min_count_for_tip, settings.hedges_flag_per_100_words,
                      judged),
        keywords=keywords,
        job=job_coverage,
        opening=opening_of(tokens, sentence_spans, structure, question=question,
                           filler_indices=filler_indices, judged=judged, settings=settings),
        # a short answer is done once it has answered: its first sentence is what counts
        ending=ending_of(tokens, sentence_spans, structure, question=question,
                         job=job_coverage, judged=judged and not minimum.short_answer),
    )


def split_units(tokens: Sequence[Token],
                sentence_spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentences, each cut again before a STAR cue that opens a new part mid-sentence
    ("... and as a result we shipped"), keeping at least 3 words before the cut and 2
    after. Without any full stop the whole answer is one sentence cut the same way."""
    if not tokens:
        return []
    spans = sentence_spans if any(t.ends_sentence for t in tokens) else [(0, len(tokens) - 1)]
    flats = [_flat(t) for t in tokens]
    units = []
    for a, b in spans:
        cuts = [i for i, _, _ in _find(flats, SPLIT_CUES, a, b + 1)]
        cuts += [i for i in range(a + 1, b) if flats[i] in SEQUENCERS
                 and flats[i + 1] in SUBJECTS_I and _action_after(flats, i + 1, b)]
        first = a
        for cut in sorted(set(cuts)):
            if cut - first >= 3 and b - cut + 1 >= 2:
                units.append((first, cut - 1))
                first = cut
        units.append((first, b))
    return units


def _action_after(flats: Sequence[str], subject: int, last: int) -> int | None:
    """The index of the action verb that a subject at ``subject`` goes with, if any."""
    j = subject + 1
    while j <= last and j - subject <= 3:
        if _is_action(flats[j]) and not _phrasal_exception(flats, j):
            return j
        if flats[j] not in BETWEEN_SUBJECT_AND_VERB:
            return None
        j += 1
    return None


def find_actions(spoken: Sequence[Token],
                 tokens: Sequence[Token]) -> tuple[list[Evidence], list[Evidence]]:
    """Actions said with "I" and with "we": a subject, at most a few words like "then" or
    "also", then an action verb; later verbs in a list ("I wrote X, tested Y and shipped
    it") keep the subject until another subject or the sentence end. "My team and I"
    counts as "we": the credit is shared."""
    flats = [_flat(t) for t in spoken]
    mine: list[Evidence] = []
    ours: list[Evidence] = []
    subject: str | None = None
    for k, flat in enumerate(flats):
        if k and spoken[k - 1].ends_sentence:
            subject = None
        if flat in SUBJECTS_I or flat in SUBJECTS_WE:
            shared = flat in SUBJECTS_I and k >= 1 and flats[k - 1] == "and" and k >= 2 and (
                flats[k - 2] in ("team", "colleagues", "manager", "lead", "teammates"))
            subject = "we" if flat in SUBJECTS_WE or shared else "i"
            verb = _action_after(flats, k, len(flats) - 1)
            if verb is not None and not any(spoken[m].ends_sentence for m in range(k, verb)):
                first = max(0, k - 3) if shared else k
                said = _quote_action(spoken, tokens, first, verb)
                (ours if subject == "we" else mine).append(said)
            continue
        if flat in OTHER_SUBJECTS:
            subject = None
            continue
        if subject and k >= 1 and (flats[k - 1] == "and" or spoken[k - 1].clause_punct_after):
            if _is_past_action(flat) and flat not in STOP_WORDS:
                said = _quote_action(spoken, tokens, k, k)
                (ours if subject == "we" else mine).append(said)
    return mine, ours


def _phrasal_exception(flats: Sequence[str], i: int) -> bool:
    return i + 1 < len(flats) and NOT_ACTION_WITH.get(flats[i]) == flats[i + 1]


def _is_past_action(flat: str) -> bool:
    return _is_action(flat) and (flat.endswith("ed") or flat in IRREGULAR)


def _quote_action(spoken: Sequence[Token], tokens: Sequence[Token], first: int,
                  verb: int) -> Evidence:
    """The subject through the verb and up to two words after it, within the sentence."""
    last = verb
    while last < min(verb + 2, len(spoken) - 1) and not spoken[last].ends_sentence:
        last += 1
    return evidence(tokens[spoken[first].index : spoken[last].index + 1])


def find_results(tokens: Sequence[Token]) -> tuple[ResultMention, ...]:
    """Concrete results with their place: before/after ("from three days to one"), money,
    percentages, time ("two hours", not "for five years"), other numbers (not years), and
    outcome verbs. Spelled-out numbers count only next to "by/from/to" or a unit, as in the
    rambling check, so "one of my colleagues" is not a result."""
    flats = [_flat(t) for t in tokens]
    items: list[tuple[int, int, str]] = []
    taken: set[int] = set()

    def add(first: int, last: int, kind: str) -> None:
        items.append((first, last, kind))
        taken.update(range(first, last + 1))

    for i, flat in enumerate(flats):
        if flat != "from" or i in taken:
            continue
        x = _next_number(tokens, flats, i + 1, 3)
        to = next((j for j in range(i + 2, min(i + 7, len(flats))) if flats[j] == "to"), None)
        y = _next_number(tokens, flats, to + 1, 3) if to is not None and x is not None else None
        if x is not None and y is not None:
            last = y + 1 if y + 1 < len(flats) and (flats[y + 1] in TIME_UNITS
                                                     or flats[y + 1] == "percent") else y
            add(i, last, "before_after")
    for i, token in enumerate(tokens):
        if i in taken:
            continue
        flat = flats[i]
        nxt = flats[i + 1] if i + 1 < len(flats) else ""
        prev = flats[i - 1] if i else ""
        number = bool(_DIGIT.search(token.text)) or _spelled_number(flats, i)
        if _MONEY_SIGN.search(token.text) or (number and nxt in MONEY_WORDS):
            add(i, i + 1 if nxt in MONEY_WORDS else i, "money")
        elif "%" in token.text or (number and nxt in ("percent", "percentage")):
            add(i, i + 1 if nxt in ("percent", "percentage") else i, "percent")
        elif number and nxt in TIME_UNITS:
            if prev not in SPAN_BEFORE:
                add(i, i + 1, "time")
        elif (_DIGIT.search(token.text) and not _YEAR.fullmatch(token.norm)
              and prev not in SPAN_BEFORE):
            add(i, i, "number")
        elif number and _spelled_in_result_context(flats, i):
            add(i, i, "number")
        elif (flat in OUTCOME_VERBS and prev not in PLAN_BEFORE
              and not _phrasal_exception(flats, i)):
            add(i, i, "outcome_verb")
    items.sort()
    return tuple(ResultMention(kind, evidence(tokens[a : b + 1]), a, b)
                 for a, b, kind in items)


def _spelled_number(flats: Sequence[str], i: int) -> bool:
    return flats[i] in NUMBER_WORDS or flats[i] in ("one", "half", "hundred", "thousand",
                                                     "million", "billion")


def _spelled_in_result_context(flats: Sequence[str], i: int) -> bool:
    prev = flats[i - 1] if i else ""
    nxt = flats[i + 1] if i + 1 < len(flats) else ""
    return (flats[i] in NUMBER_WORDS or flats[i] in ("million", "billion", "thousand", "half")
            ) and (prev in ("by", "from", "to") or nxt in ("times", "x", "fold"))


def _next_number(tokens: Sequence[Token], flats: Sequence[str], start: int,
                 within: int) -> int | None:
    for j in range(start, min(start + within, len(flats))):
        if _DIGIT.search(tokens[j].text) or _spelled_number(flats, j) or flats[j] in (
                "zero", "nothing", "none"):
            return j
    return None


def find_hedges(tokens: Sequence[Token]) -> tuple[Hedge, ...]:
    """Hedging phrases with their place, longest match first ("I think maybe" once, not
    also "maybe"). "kind of"/"sort of" after a determiner ("what kind of manager") is a
    noun phrase, not a hedge."""
    flats = [_flat(t) for t in tokens]
    hedges = []
    for first, last, phrase in _find(flats, HEDGES):
        if phrase in (("kind", "of"), ("sort", "of")) and first and (
                flats[first - 1] in KIND_OF_NOT_AFTER):
            continue
        hedges.append(Hedge(_display(phrase), evidence(tokens[first : last + 1])))
    return tuple(hedges)


def _display(phrase: tuple[str, ...]) -> str:
    text = " ".join(phrase)
    for flat, shown in (("im", "i'm"), ("dont", "don't"), ("thats", "that's")):
        text = re.sub(rf"\b{flat}\b", shown, text)
    return text


# --- STAR ---------------------------------------------------------------------------------


def star_scores(tokens: Sequence[Token], flats: Sequence[str], unit: tuple[int, int],
                results: Sequence[ResultMention], *, position: float, first: bool,
                spoken_indices: Collection[int]) -> tuple[dict[str, float], dict[str, list]]:
    """How strongly one unit reads as each STAR part, and the cue phrases behind it.

    ``position`` is where the unit starts, as a share of the answer: numbers in the first
    third usually set the scene (a team of 5, 200 tickets a week), so they count half there,
    and only there does "was/were/had" with nobody acting read as the Situation.
    """
    a, b = unit
    scores = dict.fromkeys(PARTS, 0.0)
    cues: dict[str, list] = {p: [] for p in PARTS}
    for part, phrases in STAR_CUES.items():
        for first_i, last_i, _ in _find(flats, phrases, a, b + 1):
            scores[part] += CUE_WEIGHT
            cues[part].append(evidence(tokens[first_i : last_i + 1]))
    spoken = [t for t in tokens[a : b + 1] if t.index in spoken_indices]
    sflats = [_flat(t) for t in spoken]
    for k, flat in enumerate(sflats):
        if flat not in SUBJECTS_I and flat not in SUBJECTS_WE:
            continue
        verb = _action_after(sflats, k, len(sflats) - 1)
        if verb is None:
            continue
        sequenced = flat in SUBJECTS_I and k > 0 and sflats[k - 1] in SEQUENCERS
        said = spoken[k - 1 : verb + 1] if sequenced else []
        if said and not any(c.start_s <= said[-1].start_s and said[0].start_s <= c.end_s
                            for c in cues["action"]):  # "So I started by": one cue, not two
            scores["action"] += CUE_WEIGHT
            cues["action"].append(evidence(said))
        elif not sequenced:
            scores["action"] += I_ACTION_WEIGHT if flat in SUBJECTS_I else WE_ACTION_WEIGHT
    early = position < 1 / 3
    counted: set[int] = set()
    for item in results:
        if a <= item.first <= b:
            weight = CONCRETE_RESULT_WEIGHT if item.concrete else OUTCOME_VERB_WEIGHT
            scores["result"] += weight * (0.5 if early else 1.0)
            counted.update(range(item.first, item.last + 1))
    for i in range(a, b + 1):
        if flats[i] in RESULT_WORDS and i not in counted:
            scores["result"] += RESULT_WORD_WEIGHT * (0.5 if early else 1.0)
    # "was", "were", "had" early on, with nobody acting: the scene being set
    if early and scores["action"] == 0 and any(f in ("was", "were", "had")
                                                 for f in flats[a : b + 1]):
        scores["situation"] += SETTING_WEIGHT
    if first:
        scores["situation"] += FIRST_SENTENCE_SITUATION
    return scores, cues


def label_units(scores: Sequence[dict[str, float]]) -> list[str]:
    """Each unit takes its best-scoring part; a unit with no cue at all continues the part
    before it (the first one is the Situation). Ties go to the part before, then to the
    earlier part in STAR order."""
    labels: list[str] = []
    for score in scores:
        best = max(score.values())
        previous = labels[-1] if labels else "situation"
        if best <= 0 or score[previous] == best:
            labels.append(previous)
        else:
            labels.append(next(p for p in PARTS if score[p] == best))
    return labels


def star_structure(
    tokens: Sequence[Token],
    units: Sequence[tuple[int, int]],
    results: Sequence[ResultMention],
    *,
    spoken_indices: Collection[int],
    judged: bool,
    settings: AnalysisSettings,
) -> Structure:
    """Label each unit with a STAR part and measure each part's time: a unit lasts from its
    first word to the next unit's first word (the pause after it included)."""
    begin = tokens[0].start_s
    total = max(t.end_s for t in tokens) - begin
    flats = [_flat(t) for t in tokens]
    scored = [
        star_scores(tokens, flats, unit, results,
                    position=(tokens[unit[0]].start_s - begin) / total if total else 0.0,
                    first=n == 0, spoken_indices=spoken_indices)
        for n, unit in enumerate(units)
    ]
    labels = label_units([s for s, _ in scored])
    ends = [tokens[units[n + 1][0]].start_s for n in range(len(units) - 1)]
    ends.append(max(t.end_s for t in tokens))
    parts = []
    for name in PARTS:
        mine = [n for n, label in enumerate(labels) if label == name]
        duration = sum(ends[n] - tokens[units[n][0]].start_s for n in mine)
        share = duration / total if total else (1.0 if mine else 0.0)
        cues = [c for n in mine for c in scored[n][1][name]]
        spans = [evidence(tokens[units[g[0]][0] : units[g[-1]][1] + 1])
                 for g in _runs(mine)]
        basis = ("cue" if cues else "features") if mine else None
        parts.append(StarPart(name, tuple(spans), tuple(cues[:3]), duration,
                              share if mine else 0.0, basis,
                              _part_verdict(name, bool(mine), share, settings) if judged
                              else None))
    order = tuple(labels[g[0]] for g in _runs(range(len(labels)), key=labels))
    return Structure(tuple(parts), order, settings.star_action_share_target, judged)


def _runs(indices: Iterable[int], key: Sequence[str] | None = None) -> list[list[int]]:
    """Consecutive indices grouped (and, with ``key``, of equal key)."""
    runs: list[list[int]] = []
    for n in indices:
        if runs and runs[-1][-1] == n - 1 and (key is None or key[n] == key[n - 1]):
            runs[-1].append(n)
        else:
            runs.append([n])
    return runs


def _part_verdict(name: str, present: bool, share: float, settings: AnalysisSettings) -> str:
    if not present:
        return "missing"
    if name == "action":
        low = settings.star_action_share_target[0]
        if share < settings.star_action_min_share:
            return "too_short"
        return "short" if share < low else "ok"
    return "too_short" if share < settings.star_part_min_share else "ok"


# --- relevance ----------------------------------------------------------------------------


def term_lemmas(term: str) -> tuple[str, ...]:
    """The lemmas a term is matched by: its content words ("stakeholder management" ->
    stakehold, manag), or all its words when it has no content word."""
    words = [p for w in term.split() for p in _parts_of(normalize(w))]
    content = [w for w in words if w not in STOP_WORDS]
    return tuple(dict.fromkeys(lemma(w) for w in (content or words)))


def match_term(term: str, kind: str, tokens: Sequence[Token],
               units: Sequence[tuple[int, int]] | None = None) -> TermMatch:
    """Where the answer first says ``term``: a one-word term by lemma anywhere; a longer one
    when all its lemmas fall in one unit (``units``: (first, last) positions in ``tokens``;
    None: all of them as one); a name (C++, Node.js, CI/CD) also by its spelling without
    punctuation over up to three words. Short names ("Go", "R", "AWS") must match with their
    capital letters, so "go" the verb is not the language Go."""
    compact = _compact(term)
    found = [_match_spelling(term, compact, tokens) if compact else None]
    if not (kind == "name" and len(compact) <= 3):
        found.append(_match_lemmas(term_lemmas(term), tokens, units))
    said = [e for e in found if e is not None]
    return TermMatch(term, kind, min(said, key=lambda e: e.start_s) if said else None)


def _match_lemmas(wanted: tuple[str, ...], tokens: Sequence[Token],
                  units: Sequence[tuple[int, int]] | None) -> Evidence | None:
    if not wanted:
        return None
    for a, b in units or [(0, len(tokens) - 1)]:
        where: dict[str, int] = {}
        for pos in range(a, b + 1):
            for part in _parts_of(tokens[pos].norm):
                where.setdefault(lemma(part), pos)
        if all(w in where for w in wanted):
            first = min(where[w] for w in wanted)
            last = max(where[w] for w in wanted)
            return evidence(tokens[first : last + 1])
    return None


def _match_spelling(term: str, compact: str, tokens: Sequence[Token]) -> Evidence | None:
    if len(compact) <= 3:
        exact = term.strip()
        for pos, t in enumerate(tokens):
            sentence_start = pos == 0 or tokens[pos - 1].ends_sentence
            if t.text.strip(".,;:!?\"'()") == exact and not (len(compact) <= 2
                                                             and sentence_start):
                return evidence([t])
        return None
    parts = [_compact(t.text) for t in tokens]
    for i in range(len(tokens)):
        joined = ""
        for j in range(i, min(i + 3, len(tokens))):
            joined += parts[j]
            if joined == compact:
                return evidence(tokens[i : j + 1])
            if len(joined) >= len(compact):
                break
    return None


def job_terms(text: str, *, max_terms: int = 15) -> tuple[JobTerm, ...]:
    """The key skills and terms of a plain-text job description, most telling first.

    Three kinds, found without a part-of-speech tagger:

    - names ("name": technologies, products, tools): a capital inside a sentence (Python,
      Kubernetes) or a telling shape (AWS, PostgreSQL, S3, C++, Node.js, CI/CD);
      consecutive capitalized words join ("Google Cloud"). A clause's capitalized first
      word counts only when another capitalized word follows it ("Acme Pay") or it stands
      alone and is never written in lower case ("- Python and SQL"). In a heading (most
      words capitalized) only shapes count;
    - noun phrases ("phrase"): the last two words of a run of content words between stop
      words and punctuation, once a leading job-ad verb is dropped ("Build scalable data
      pipelines" -> "data pipelines");
    - content words used more than once ("word").

    Generic job-ad words ("experience", "strong", "team") are left out. The kinds take
    turns, each most frequent first, so a list of tools does not crowd out the phrases.
    """
    lower_words = {m.group(0) for m in _JOB_WORD.finditer(text) if m.group(0).islower()}
    names: Counter[str] = Counter()
    name_text: dict[str, str] = {}
    phrases: Counter[tuple[str, ...]] = Counter()
    phrase_text: dict[tuple[str, ...], str] = {}
    words: Counter[str] = Counter()
    word_text: dict[str, str] = {}
    clauses = [(clause, _is_heading(line)) for line in text.splitlines()
               for clause in _JOB_BREAK.split(line)]
    for clause, heading in clauses:
        found = [m.group(0) for m in _JOB_WORD.finditer(clause)]
        run: list[str] = []
        name: list[str] = []
        for n, word in enumerate(found):
            low = word.lower().replace("\u2019", "'")  # as STOP_WORDS spells it: "you'll"
            flat = low.replace("'", "")
            nxt = found[n + 1] if n + 1 < len(found) else ""
            if _is_name(word, first=n == 0, next_word=nxt, heading=heading,
                        lower_words=lower_words):
                name.append(word)
                _flush_run(run, phrases, phrase_text)
                run = []
                continue
            if name:
                _add_name(name, names, name_text)
                name = []
            if low in STOP_WORDS or low in JOB_NOISE or len(flat) < 2 or flat.isdigit():
                _flush_run(run, phrases, phrase_text)
                run = []
                continue
            run.append(low)
            key = lemma(flat)
            words[key] += 1
            word_text.setdefault(key, low)
        if name:
            _add_name(name, names, name_text)
        _flush_run(run, phrases, phrase_text)
    # Counters keep first-seen order, and sorted() is stable: ties go to the earlier term
    by_name = [JobTerm(name_text[k], "name", c)
               for k, c in sorted(names.items(), key=lambda kv: -kv[1])]
    by_phrase = [JobTerm(phrase_text[k], "phrase", c)
                 for k, c in sorted(phrases.items(), key=lambda kv: -kv[1])]
    covered = {lem for t in by_name + by_phrase for lem in term_lemmas(t.term)}
    by_word = [JobTerm(word_text[k], "word", c)
               for k, c in sorted(words.items(), key=lambda kv: -kv[1])
               if c >= 2 and k not in covered and word_text[k] not in JOB_VERBS]
    terms: list[JobTerm] = []
    seen: set[tuple[str, ...]] = set()
    for turn in range(max(len(by_name), len(by_phrase), len(by_word))):
        for kind in (by_name, by_phrase, by_word):
            key = tuple(sorted(term_lemmas(kind[turn].term))) if turn < len(kind) else None
            if key is not None and key not in seen:  # "Backend Engineer", "backend engineer"
                seen.add(key)
                terms.append(kind[turn])
    return tuple(terms[:max_terms])


def _is_heading(line: str) -> bool:
    """A title-case line such as "What You'll Bring:" (not a bullet, no comma)."""
    line = line.strip()
    found = [m.group(0) for m in _JOB_WORD.finditer(line)]
    if len(found) < 2 or "," in line or line[:1] in "-*\u2022\u00b7":
        return False
    return sum(w[0].isupper() for w in found) >= 0.6 * len(found)


#: English stop words that are also names when capitalized mid-sentence ("Python and Go")
NAMES_THAT_ARE_WORDS = frozenset({"go"})


def _is_name(word: str, *, first: bool, next_word: str, heading: bool,
             lower_words: Collection[str]) -> bool:
    """Whether a job-description word is (part of) a technology or product name: inner
    capitals (PostgreSQL, iOS), letters with digits (S3, EC2), inner + # . / (C++, C#,
    Node.js, CI/CD), or a capital inside a clause (see :func:`job_terms`)."""
    flat = word.lower().replace("\u2019", "'")
    if not any(c.isalpha() for c in word):
        return False
    shaped = (any(c.isupper() for c in word[1:]) or re.search(r"[A-Za-z]\d|\d[A-Za-z]", word)
              or re.search(r"[+#]|.[./].", word))
    if flat in JOB_NOISE or flat in STOP_WORDS and not (
            flat in NAMES_THAT_ARE_WORDS and word[0].isupper() and not first):
        return False
    if shaped:
        return True
    if heading or not word[0].isupper() or len(word) < 2:
        return False
    if not first:
        return True
    if flat in JOB_VERBS:
        return False
    follows = next_word.lower()
    joined = bool(next_word) and next_word[0].isupper() and follows not in JOB_NOISE and (
        follows not in STOP_WORDS)
    alone = follows in ("", "and", "or") or follows in JOB_NOISE
    return joined or (alone and flat not in lower_words)


def _add_name(name: list[str], names: Counter[str], first_seen: dict[str, str]) -> None:
    """Count a run of name words, in pieces of up to three ("Amazon Web Services")."""
    for start in range(0, len(name), 3):
        text = " ".join(name[start : start + 3])
        key = _compact(text)
        names[key] += 1
        first_seen.setdefault(key, text)


def _flush_run(run: list[str], phrases: Counter, phrase_text: dict) -> None:
    while run and run[0].replace("'", "") in JOB_VERBS:
        run = run[1:]
    if len(run) < 2:
        return
    pair = run[-2:]
    key = tuple(lemma(w) for w in pair)
    phrases[key] += 1
    phrase_text.setdefault(key, " ".join(pair))


# --- opening and ending -------------------------------------------------------------------


def opening_of(
    tokens: Sequence[Token],
    sentence_spans: Sequence[tuple[int, int]],
    structure: Structure | None,
    *,
    question: QuestionInfo | None,
    filler_indices: Collection[int],
    judged: bool,
    settings: AnalysisSettings,
) -> Opening:
    """Does the answer lead with its point? Throat-clearing first ("So, um, yeah, well",
    "that's a good question") is weak for every kind; an intro should say who the speaker is
    now ("I'm a backend developer..."); a behavioral answer should set the Situation in
    ``star_max_situation_sentences`` sentences or fewer."""
    if not tokens:
        return Opening(None, None, (), None)
    flats = [_flat(t) for t in tokens]
    cleared = _throat_clearing(tokens, flats, filler_indices)
    start = cleared[-1][1] + 1 if cleared else 0
    if start >= len(tokens):
        start = len(tokens) - 1
    end = next(b for a, b in sentence_spans if a <= start <= b) if sentence_spans else len(
        tokens) - 1
    point = evidence(tokens[start : end + 1])
    clearing = tuple(evidence(tokens[a : b + 1]) for a, b in cleared)
    cleared_words = sum(b - a + 1 for a, b in cleared)
    situation_sentences = None
    if structure is not None:
        situation_sentences = _situation_sentences(tokens, sentence_spans, structure)
    if not judged:
        return Opening(None, point, clearing, situation_sentences)
    kind = question.kind if question else None
    if cleared_words >= settings.opening_throat_clearing_min_words:
        verdict = "throat_clearing"
    elif kind == "intro" and not _has_identity(flats, start, end, filler_indices):
        verdict = "no_point"
    elif (situation_sentences is not None
          and situation_sentences > settings.star_max_situation_sentences):
        verdict = "long_setup"
    else:
        verdict = "clear"
    return Opening(verdict, point, clearing, situation_sentences)


def _throat_clearing(tokens: Sequence[Token], flats: Sequence[str],
                     filler_indices: Collection[int]) -> list[tuple[int, int]]:
    """The (first, last) spans of throat-clearing words and phrases before the first word
    that says something, across sentence ends ("Um, okay. So, I'm...")."""
    spans = []
    i = 0
    while i < len(tokens):
        phrase = next((p for p in THROAT_CLEARING_PHRASES
                       if tuple(flats[i : i + len(p)]) == p), None)
        if phrase is not None:
            spans.append((i, i + len(phrase) - 1))
            i += len(phrase)
        elif (i in filler_indices or flats[i] in THROAT_CLEARING_WORDS
              or filled_pause_form(tokens[i].norm) is not None):
            spans.append((i, i))
            i += 1
        else:
            break
    return spans


def _has_identity(flats: Sequence[str], start: int, end: int,
                  filler_indices: Collection[int]) -> bool:
    """Whether the first sentence's first 20 words say who the speaker is now."""
    window = [flats[i] for i in range(start, min(end + 1, start + 20))
              if i not in filler_indices]
    return bool(_find(window, IDENTITY_PHRASES))


def _situation_sentences(tokens: Sequence[Token], sentence_spans: Sequence[tuple[int, int]],
                         structure: Structure) -> int:
    """How many sentences start inside the opening Situation, before another part begins."""
    situation = structure.part("situation")
    if not situation.spans or structure.order[0] != "situation":
        return 0
    end = situation.spans[0].end_s
    return sum(1 for a, _ in sentence_spans if tokens[a].start_s < end)


def ending_of(
    tokens: Sequence[Token],
    sentence_spans: Sequence[tuple[int, int]],
    structure: Structure | None,
    *,
    question: QuestionInfo | None,
    job: Coverage | None,
    judged: bool,
) -> Ending:
    """Does the answer end on a conclusion? It trails off when rambling's no-ending check
    fires ("so yeah", "I guess that's it", "and stuff"). It concludes when one of its last
    two sentences (a closing line may be followed by a short coda) states a result or sums
    up ("that's why", "what I learned"); for a behavioral answer also when it is part of the
    Result; for other kinds also when it links to the role ("this role", "your team",
    "contribute") or says a question keyword or job term. A courtesy ("Thank you.") is
    looked past."""
    if not tokens:
        return Ending(None, None, None)
    trailing = no_ending_signal(tokens)
    spans = list(sentence_spans) or [(0, len(tokens) - 1)]
    last = [u for u in spans if not _is_courtesy(tokens, u)] or spans
    a, b = last[-1]
    said = evidence(tokens[a : b + 1])
    if trailing is not None:  # the same check as rambling's, so the two agree
        return Ending("trails_off" if judged else None, said, trailing.evidence[0])
    for unit in reversed(last[-2:]):
        cue = _conclusion_cue(tokens, unit, structure, question=question, job=job)
        if cue is not None:
            return Ending("conclusion" if judged else None, said, cue)
    return Ending("no_conclusion" if judged else None, said, None)


def _is_courtesy(tokens: Sequence[Token], unit: tuple[int, int]) -> bool:
    flats = tuple(_flat(t) for t in tokens[unit[0] : unit[1] + 1])
    return any(flats[: len(p)] == p and len(flats) <= len(p) + 2 for p in COURTESY)


def _conclusion_cue(tokens: Sequence[Token], unit: tuple[int, int],
                    structure: Structure | None, *, question: QuestionInfo | None,
                    job: Coverage | None) -> Evidence | None:
    a, b = unit
    flats = [_flat(t) for t in tokens[: b + 1]]
    behavioral = structure is not None
    # a behavioral answer concludes on its result or a lesson, not on a link to the role
    kinds = (RESULT_CUES, SUMMARY_PHRASES) if behavioral else (
        RESULT_CUES, SUMMARY_PHRASES, ROLE_LINK_PHRASES)
    for phrases in kinds:
        hit = _find(flats, phrases, a, b + 1)
        if hit:
            return evidence(tokens[hit[0][0] : hit[0][1] + 1])
    for i in range(a, b + 1):
        if flats[i] in OUTCOME_VERBS or flats[i] in RESULT_WORDS or _DIGIT.search(
                tokens[i].text):
            return evidence([tokens[i]])
    if behavioral:
        start, end = tokens[a].start_s, tokens[b].end_s
        return next((span for span in structure.part("result").spans
                     if span.start_s <= end and start <= span.end_s), None)
    terms = list(question.keywords if question else ())
    terms += [t.term for t in (job.terms if job else ())]
    for term in terms:
        found = match_term(term, "keyword", tokens[a : b + 1])
        if found.evidence is not None:
            return found.evidence
    return None
