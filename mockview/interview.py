"""A whole mock interview in the order real ones take, on the practice session's machinery.

An opener ("Tell me about yourself."), three or four questions chosen for the job, the
follow-up each answer earns (``followups``), and a closing question ("Do you have any
questions for us?"); then a scorecard of the whole interview. The questions are chosen here
(``plan_interview``), asked and recorded by ``practice.Practice`` (follow-ups on, session
source "interview"), and the scorecard is read from the stored session (``scorecard``),
so it is pure and testable on hand-made records.

With a job description (``--job``), about half the questions are made from its key terms
(``content.job_terms``), by kind of term: a tool or product name asks for a time it was
used, a noun phrase (a responsibility) how it was handled, a repeated word for experience
with it. The rest come from the banks, one kind of question each (behavioral, strengths,
motivation, situational...), so the interview covers different ground.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from mockview.questions import Question
from mockview.records import SessionRecord, TakeRecord, representative
from mockview.strengths import priorities, strengths

OPENER_ID = "intro-about-yourself"
CLOSING_ID = "close-questions-for-us"
#: Used when no bank holds an opener or a closing question.
OPENER = Question(id="interview-opener", text="Tell me about yourself.", category="interview",
                  kind="intro")
CLOSING = Question(id="interview-closing", text="Do you have any questions for us?",
                   category="interview", kind="closing")
DEFAULT_QUESTIONS = 3
#: Kinds of bank question asked between the opener and the closing.
MIDDLE_KINDS = ("behavioral", "strengths", "situational", "motivation", "technical")
#: The question made from a job term, by the term's kind (``content.JobTerm.kind``): the
#: text, the question's kind, and a tip on what the answer should hold.
TERM_TEMPLATES = {
    "name": ("Tell me about a time you used {term}.", "behavioral",
             "Name the project, what you did with {term} yourself, and what it changed."),
    "phrase": ("How have you handled {term}?", "behavioral",
               "Give one real case of {term}: the situation, what you did, the result."),
    "word": ("Tell me about your experience with {term}.", "strengths",
             "Say where {term} came into your work and what you achieved with it."),
}
TERM_TEMPLATES["given"] = TERM_TEMPLATES["name"]
#: Scorecard: at most this many strengths, and exactly the first three things to work on.
SCORECARD_STRENGTHS = 3
SCORECARD_PRIORITIES = 3


@dataclass(frozen=True)
class InterviewPlan:
    """The questions of one interview, in the order they are asked (follow-ups come later,
    as the answers earn them)."""

    opener: Question
    questions: tuple[Question, ...]
    closing: Question

    @property
    def asked(self) -> list[Question]:
        return [self.opener, *self.questions, self.closing]


def job_questions(job_text: str, *, count: int) -> list[Question]:
    """Up to ``count`` questions made from the job's key terms, one per term, terms of a
    different kind first (``TERM_TEMPLATES``)."""
    from mockview.analysis.content import job_terms

    terms = list(job_terms(job_text))
    # the first term of each kind (a tool, a responsibility...) before a second of any kind
    turn = [sum(t.kind == term.kind for t in terms[:n]) for n, term in enumerate(terms)]
    ranked = sorted(range(len(terms)), key=lambda n: (turn[n], n))
    questions = []
    for term in (terms[n] for n in ranked[:count]):
        text, kind, tip = TERM_TEMPLATES.get(term.kind, TERM_TEMPLATES["word"])
        questions.append(Question(
            id="job-" + (re.sub(r"[^a-z0-9]+", "-", term.term.lower()).strip("-") or "term"),
            text=text.format(term=term.term), category="job", kind=kind,
            tips=(tip.format(term=term.term),), keywords=(term.term,)))
    return questions


def plan_interview(bank_questions: Sequence[Question], *, count: int = DEFAULT_QUESTIONS,
                   job_text: str | None = None,
                   rng: random.Random | None = None) -> InterviewPlan:
    """The opener, ``count`` questions and the closing of an interview.

    With ``job_text``, half the questions (rounded up) come from the job's key terms; the
    rest are bank questions of different kinds, drawn at random (``rng``), and more from the
    job when the banks have too few.
    """
    rng = rng or random.Random()
    opener = _find(bank_questions, OPENER_ID, "intro") or OPENER
    closing = _find(bank_questions, CLOSING_ID, "closing") or CLOSING
    from_job = job_questions(job_text, count=count) if job_text else []
    chosen = from_job[:math.ceil(count / 2)]
    by_kind: dict[str, list[Question]] = {}
    for question in bank_questions:
        if question.kind in MIDDLE_KINDS and question not in (opener, closing):
            by_kind.setdefault(question.kind, []).append(question)
    kinds = [k for k in MIDDLE_KINDS if k in by_kind]
    rng.shuffle(kinds)
    kinds.sort(key=lambda k: any(q.kind == k for q in chosen))  # the job's kinds last
    # one question of each kind in turn, so three questions are of three kinds
    while len(chosen) < count and any(by_kind.values()):
        for kind in kinds:
            if len(chosen) < count and by_kind[kind]:
                chosen.append(by_kind[kind].pop(rng.randrange(len(by_kind[kind]))))
    chosen += [q for q in from_job if q not in chosen][: count - len(chosen)]  # banks ran out
    return InterviewPlan(opener=opener, questions=tuple(chosen), closing=closing)


def _find(questions: Sequence[Question], id: str, kind: str) -> Question | None:
    return next((q for q in questions if q.id == id),
                next((q for q in questions if q.kind == kind), None))


# --- the scorecard --------------------------------------------------------------------------


def answer_numbers(take: TakeRecord) -> dict:
    """The key numbers of an answer, as the scorecard and ``--json`` list them."""
    return {"duration_s": round(take.duration_s, 1), "length_verdict": take.length_verdict,
            "words_per_minute": None if take.words_per_minute is None
            else round(take.words_per_minute),
            "fillers_per_minute": round(take.fillers_per_minute, 1),
            "long_pauses": take.long_pause_count, "rambling": take.rambling_flagged,
            "concrete_results": take.concrete_results}


def scorecard(record: SessionRecord) -> dict:
    """The interview's scorecard, from its stored session: every answer (the take that
    stands for it) with its role and key numbers, the strengths seen most often, and the
    three things to work on first.

    The things to work on are the tips given in most answers (ties: the higher a tip ranked
    in its answers); the closing question is judged lightly: its tips are shown with it,
    not counted among them.
    """
    by_answer: dict[int, list[TakeRecord]] = {}
    for take in record.takes:
        by_answer.setdefault(take.answer_no, []).append(take)
    answers, seen, due = [], {}, {}
    for answer_no, takes in by_answer.items():
        take = representative(takes)
        report = take.report or {}
        link = record.follows(take)
        role = ("follow_up" if link else "closing" if take.question_kind == "closing"
                else "opener" if take.question_kind == "intro" and answer_no == 1
                else "question")
        answers.append({"answer_no": answer_no, "role": role,
                        "question": {"id": take.question_id, "text": take.question_text,
                                     "kind": take.question_kind},
                        "take_no": take.take_no, "follows": link.to_dict() if link else None,
                        "numbers": answer_numbers(take)})
        for found in strengths(report):
            seen.setdefault(found["id"], []).append((answer_no, found))
        if role == "closing":
            continue
        for rank, tip in enumerate(priorities(report)):
            due.setdefault(tip["id"], []).append((answer_no, rank, tip))
    went_well = sorted(seen.values(), key=lambda found: (-len(found), found[0][0]))
    work_on = sorted(due.values(), key=lambda given: (-len(given),
                                                      sum(r for _, r, _ in given) / len(given)))
    return {
        "answers": answers,
        "strengths": [{**found[0][1], "answers": [n for n, _ in found]}
                      for found in went_well[:SCORECARD_STRENGTHS]],
        "work_on": [{**given[0][2], "answers": [n for n, _, _ in given]}
                    for given in work_on[:SCORECARD_PRIORITIES]],
    }


def interview_json(record: SessionRecord, *, page: str | None, store_path: str | None,
                   feedback_s: dict[int, float] | None = None) -> dict:
    """The ``interview --json`` document, from the stored session: the opener, the
    questions, each follow-up with its reason and parent, the closing, the scorecard, and
    where the page and takes are. ``feedback_s`` by take id: from the end of each recording
    to its feedback shown (``practice.Take.feedback_s``), for the takes of this run."""
    card = scorecard(record)
    takes: dict[int, list[dict]] = {}
    for take in record.takes:
        takes.setdefault(take.answer_no, []).append({
            "take_id": take.take_id, "take_no": take.take_no,
            "audio_path": str(take.audio_path) if take.audio_path else None,
            "feedback_s": (feedback_s or {}).get(take.take_id)})
    document: dict = {"session_id": record.summary.session_id, "opener": None,
                      "questions": [], "follow_ups": [], "closing": None}
    question_ids = {a["answer_no"]: a["question"]["id"] for a in card["answers"]}
    for answer in card["answers"]:
        entry = {"answer_no": answer["answer_no"], "question": answer["question"],
                 "numbers": answer["numbers"], "takes": takes.get(answer["answer_no"], [])}
        if answer["follows"]:
            parent = answer["follows"]
            entry.update(reason_id=parent["id"], reason=parent["reason"],
                         evidence=parent["evidence"],
                         parent={"answer_no": parent["answer_no"], "take_no": parent["take_no"],
                                 "question_id": question_ids.get(parent["answer_no"])})
            document["follow_ups"].append(entry)
        elif answer["role"] == "opener" and document["opener"] is None:
            document["opener"] = entry
        elif answer["role"] == "closing":
            document["closing"] = entry
        else:
            document["questions"].append(entry)
    document["scorecard"] = {"strengths": card["strengths"], "work_on": card["work_on"]}
    document["page"] = page
    document["store"] = store_path
    return document


def write_page(store, record: SessionRecord, output: str | None = None):
    """Write the interview's review page (``mockview report``'s page of its session), to
    ``output`` or the default place; returns its path."""
    from mockview.render import html
    from mockview.trends import build_progress

    path = html.check_output_path(output or html.default_output(record.summary.session_id))
    page = html.session_page(record, build_progress(store.takes()))
    html.write_page(page, path)
    return path
