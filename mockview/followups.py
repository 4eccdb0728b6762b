"""Follow-up questions an interviewer would ask next, from what the answer lacks (pure).

Read from the report dict alone, like ``strengths``, so a stored report of any age gets
them. Each candidate comes from a finding the report judged; a finding that was not judged
(too little speech, a question of unknown kind) gives none. Ranked as an interviewer probes,
the story before its details:

1. ``no_example``: an answer to a question that asks for an example (``EXAMPLE_KINDS``)
   that tells no action in the past tense ("I led", "we built"), or a behavioral answer
   without its situation or action -> "Can you give me a specific example?"
2. ``we_not_i``: the actions told with "we" dominate -> "What did you personally do?"
3. ``no_result``: an answer to a question that asks for a story (``OUTCOME_KINDS``) that
   states no concrete result, or misses the STAR result -> "What was the outcome, and how
   did you measure it?"
4. ``rambling``: the answer was flagged as rambling -> "In one sentence, what is the
   takeaway?"
5. ``job_term``: a key term of the job description (``--job``) never said -> a question
   about it, by kind of term ("Tell me about a time you used Kubernetes.").
"""

from __future__ import annotations

from dataclasses import dataclass

from mockview import numbers
from mockview.questions import Question

#: At most this many follow-ups are kept in a report.
MAX_FOLLOW_UPS = 5
#: Kinds of question whose answer should give an example of something done: a situational
#: one ("What would you do if...") too, since interviewers probe it with "have you?".
EXAMPLE_KINDS = frozenset({"behavioral", "strengths", "situational"})
#: Kinds of question whose answer is a story with an outcome.
OUTCOME_KINDS = frozenset({"behavioral", "strengths"})

EXAMPLE = "Can you give me a specific example?"
PERSONAL = "What did you personally do?"
OUTCOME = "What was the outcome, and how did you measure it?"
TAKEAWAY = "In one sentence, what is the takeaway?"
#: The question about a job term never said, by the term's kind (``content.JobTerm``).
JOB_TERM_QUESTIONS = {
    "name": "Tell me about a time you used {term}.",
    "phrase": "How have you handled {term} in your work?",
}
JOB_TERM_OTHER = "Where has {term} come into your work so far?"
#: How long a follow-up answer should take: it probes one point of the answer before, so
#: about a third of a main answer (the short-answer rules judge it: a point, not a story).
FOLLOW_UP_TARGET_S = (15.0, 45.0)


@dataclass(frozen=True)
class FollowUpQuestion(Question):
    """A follow-up asked after a take of ``parent``, recorded as an answer of its own."""

    parent_id: str = ""
    reason_id: str = ""  # the candidate's id: no_result, we_not_i...
    reason: str = ""
    evidence: str = ""

    @property
    def candidate(self) -> dict:
        return {"id": self.reason_id, "text": self.text, "reason": self.reason,
                "evidence": self.evidence}


def follow_up_question(parent: Question, candidate: dict) -> FollowUpQuestion:
    """The question to ask for a ``follow_ups`` candidate of an answer to ``parent``.

    It keeps the parent's kind, except that a behavioral one is asked as situational: the
    STAR structure is judged on the whole story, and a follow-up tells one part of it.
    """
    kind = "situational" if parent.kind == "behavioral" else parent.kind
    return FollowUpQuestion(
        id="follow-up-" + candidate["id"].replace("_", "-"), text=candidate["text"],
        category=parent.category, kind=kind, target_s=FOLLOW_UP_TARGET_S, bank=parent.bank,
        parent_id=parent.id, reason_id=candidate["id"], reason=candidate["reason"],
        evidence=candidate.get("evidence") or "")


def follow_ups(report: dict, *, limit: int = MAX_FOLLOW_UPS) -> list[dict]:
    """The follow-up questions this answer calls for, ranked: ``{"id", "text", "reason",
    "evidence"}`` each (``reason`` says what the answer lacks, ``evidence`` cites its words
    or numbers). Empty when nothing judged calls for one.

    A report that holds its own list (``report["follow_ups"]``) is read as it is.
    """
    if "follow_ups" in report:
        return list(report["follow_ups"])[:limit]
    metrics = report.get("metrics") or {}
    if not (report.get("transcript") or {}).get("words"):
        return []
    content = metrics.get("content") or {}
    content = content if content.get("judged") else {}
    kind = content.get("kind")
    example = _example(content) if kind in EXAMPLE_KINDS else None
    # with no story told, its outcome is no question yet
    outcome = _outcome(content) if kind in OUTCOME_KINDS and not example else None
    found = [example, _personal(content), outcome, _takeaway(metrics), _job_term(content)]
    return [f for f in found if f][:limit]


def _follow_up(id: str, text: str, reason: str, evidence: str) -> dict:
    return {"id": id, "text": text, "reason": reason, "evidence": evidence}


def _quoted(texts: list[str], limit: int = 2) -> str:
    return ", ".join(f"“{text.rstrip('.,;:')}”" for text in texts[:limit])


def _actions(content: dict) -> tuple[int, int]:
    ownership = content.get("ownership") or {}
    return ownership.get("i_count") or 0, ownership.get("we_count") or 0


def _missing_parts(content: dict) -> list[str]:
    structure = content.get("structure") or {}
    return list(structure.get("missing") or []) if structure.get("verdict") else []


def _example(content: dict) -> dict | None:
    ownership = content.get("ownership") or {}
    missing = [p for p in _missing_parts(content) if p in ("situation", "action")]
    if missing:
        return _follow_up("no_example", EXAMPLE, "The story has no "
                          + " and no ".join(missing) + ".",
                          "no " + " or ".join(missing) + " found in the STAR structure")
    if ownership.get("verdict") == "no_actions":
        return _follow_up("no_example", EXAMPLE, "The answer tells of nothing you did.",
                          "no action told in the past tense (such as “I led” or “we built”)")
    return None


def _personal(content: dict) -> dict | None:
    ownership = content.get("ownership") or {}
    if ownership.get("verdict") != "we_dominates":
        return None
    mine, ours = _actions(content)
    examples = [e["text"] for e in ownership.get("we_actions") or []]
    return _follow_up("we_not_i", PERSONAL, "The actions are told with “we”, not “I”.",
                      f"“we” for {ours} of {mine + ours} actions"
                      + (f", such as {_quoted(examples)}" if examples else ""))


def _outcome(content: dict) -> dict | None:
    results = content.get("results") or {}
    no_star_result = "result" in _missing_parts(content)
    if results.get("verdict") is None or (results["verdict"] == "concrete"
                                          and not no_star_result):
        return None
    vague = [i["text"] for i in results.get("items") or [] if i.get("kind") == "outcome_verb"]
    if results["verdict"] == "vague" and vague:
        evidence = f"only a vague outcome: {_quoted(vague)}, with no number or measure"
    elif results["verdict"] == "concrete":
        evidence = "the STAR structure found no result part"
    else:
        evidence = "no outcome, number or before-and-after stated"
    return _follow_up("no_result", OUTCOME, "The answer states no concrete result.", evidence)


def _takeaway(metrics: dict) -> dict | None:
    rambling = metrics.get("rambling") or {}
    if not rambling.get("judged") or not rambling.get("flagged"):
        return None
    names = [s["name"].replace("_", " ") for s in rambling.get("signals") or []]
    length = metrics.get("length") or {}
    return _follow_up("rambling", TAKEAWAY, "The answer rambled.",
                      f"{numbers.duration(length.get('duration_s'))} long, with "
                      f"{len(names)} rambling signals: {', '.join(names)}")


def _job_term(content: dict) -> dict | None:
    job = content.get("job") or {}
    missing = job.get("missing") or []
    if job.get("verdict") is None or not missing:
        return None
    term = missing[0]
    text = JOB_TERM_QUESTIONS.get(term.get("kind"), JOB_TERM_OTHER).format(term=term["term"])
    said = job.get("matched_count", 0)
    return _follow_up("job_term", text, f"The answer never mentions “{term['term']}”, a key "
                      "term of the job.",
                      f"{said} of the job's {job.get('total', 0)} key terms said; not "
                      + _quoted([m["term"] for m in missing], 3))
