"""What went well in one answer, and the few things to work on first: the short report.

Pure and read from the report dict alone, so a stored report of any age gets them. A
strength is chosen only from a verdict the report judged: pace "good", length "within", the
content's judged findings (concrete results, a complete STAR story, a conclusion, a clear
opening, owned actions, the question's terms, no hedges, no rambling signals) and a lively
pitch. Fillers carry no verdict of their own: they count as a strength when the pace of the
same words was judged and their rate is under the target the report states (3 per 100
words). A metric that was not judged is never a strength, and neither is one that a tip of
the same report asks to work on.
"""

from __future__ import annotations

from mockview import numbers
from mockview.analysis.settings import AnalysisSettings

#: At most this many strengths lead the report, and this many tips follow them.
MAX_STRENGTHS = 2
MAX_PRIORITIES = 3
#: "How you said it" strengths; the rest are about what was said. With two strengths to
#: show, one of each kind is preferred.
DELIVERY = frozenset({"pace", "fillers", "length", "pitch"})
#: The tips that speak against each strength: a strength whose tip is in the report is none.
CONTRARY_TIPS = {
    "pace": {"pace", "thin_evidence"},
    "fillers": {"fillers", "thin_evidence"},
    "length": {"length"},
    "pitch": {"monotone"},
    "results": {"result"},
    "structure": {"structure", "result"},
    "ending": {"ending", "no_ending", "result"},
    "opening": {"opening"},
    "ownership": {"ownership"},
    "keywords": {"keywords"},
    "rambling": {"rambling", "drift", "repetition", "run_on", "restarts", "no_ending",
                 "result", "thin_evidence"},
    "hedges": {"hedging"},
}

_DEFAULTS = AnalysisSettings()


def strengths(report: dict, *, limit: int = MAX_STRENGTHS) -> list[dict]:
    """Up to ``limit`` things that went well: ``{"id", "label", "evidence"}`` each, the
    evidence citing this answer's numbers or words ("142 wpm, in the 120-160 wpm range").

    A report that holds its own list (``report["strengths"]``) is read as it is.
    """
    if "strengths" in report:
        return list(report["strengths"])[:limit]
    found = _candidates(report)
    if not found:
        return []
    chosen = [found[0]]
    rest = found[1:]
    other = [s for s in rest if (s["id"] in DELIVERY) != (found[0]["id"] in DELIVERY)]
    chosen += (other or rest)[: limit - 1]
    return chosen[:limit]


def priorities(report: dict, *, limit: int = MAX_PRIORITIES) -> list[dict]:
    """The first ``limit`` tips of the report (they are ranked): ``{"id", "title",
    "summary"}``, the summary being the tip's first sentence, which cites the numbers. The
    positive note given when nothing needs work (severity 0) is no tip."""
    return [{"id": tip["id"], "title": tip["title"], "summary": first_sentence(tip["detail"])}
            for tip in tips(report)[:limit]]


def tips(report: dict) -> list[dict]:
    """The report's tips that ask for work, ranked."""
    return [tip for tip in report.get("feedback", []) if tip.get("severity", 1) > 0]


def first_sentence(text: str) -> str:
    """``text`` up to its first full stop followed by a space, outside quotes."""
    quoted = False
    for index, char in enumerate(text):
        if char in "\"“”":
            quoted = char == "“" or (char == '"' and not quoted)
        elif char in ".!?" and not quoted and text[index + 1:index + 2] == " ":
            return text[:index + 1]
    return text


def _candidates(report: dict) -> list[dict]:
    """Every strength the report supports, best first."""
    metrics = report.get("metrics") or {}
    if not (report.get("transcript") or {}).get("words"):
        return []
    due = {tip["id"] for tip in tips(report)}
    content = metrics.get("content") or {}
    # measured from the words' timing first; the readings of meaning and voice are hints
    finders = (_pace, _fillers, _length, _results, _structure, _ending, _opening,
               _ownership, _keywords, _pitch, _rambling, _hedges)
    found = []
    for finder in finders:
        strength = finder(metrics, content if content.get("judged") else {})
        if strength and not CONTRARY_TIPS[strength["id"]] & due:
            found.append(strength)
    return found


def _strength(id: str, label: str, evidence: str) -> dict:
    return {"id": id, "label": label, "evidence": evidence}


def _quoted(texts: list[str], limit: int = 3) -> str:
    return ", ".join(f"“{text.rstrip('.,;:')}”" for text in texts[:limit])


def _pace(metrics: dict, content: dict) -> dict | None:
    pace = metrics.get("pace") or {}
    if pace.get("verdict") != "good" or pace.get("words_per_minute") is None:
        return None
    low, high = _DEFAULTS.pace_target_wpm
    return _strength("pace", "Pace", f"{numbers.wpm(pace['words_per_minute'])}, in the "
                                     f"{low:g}-{high:g} wpm range")


def _fillers(metrics: dict, content: dict) -> dict | None:
    fillers, pace = metrics.get("fillers") or {}, metrics.get("pace") or {}
    good = _DEFAULTS.fillers_good_per_100_words
    if pace.get("verdict") in (None, "not_enough_speech") or "per_100_words" not in fillers:
        return None  # too few words for a rate to mean anything
    rate = fillers["per_100_words"]
    if rate > good:
        return None
    duration = numbers.clock((metrics.get("length") or {}).get("duration_s"))
    count = fillers["count"]
    if not count:
        return _strength("fillers", "No fillers", f"none in {duration}; under {good:g} per "
                                                  "100 words is good")
    margin = "well under" if rate <= good / 2 else "under"
    return _strength("fillers", "Few fillers",
                     f"{count} in {duration} ({numbers.one_decimal(rate)} per 100 words), "
                     f"{margin} the {good:g} per 100 words target")


def _length(metrics: dict, content: dict) -> dict | None:
    length = metrics.get("length") or {}
    target = length.get("target_s")
    if length.get("verdict") != "within" or not target:
        return None
    return _strength("length", "Length", f"{numbers.clock(length['duration_s'])}, within the "
                                         f"{numbers.length_target(length)} target")


def _pitch(metrics: dict, content: dict) -> dict | None:
    delivery = metrics.get("delivery") or {}
    pitch = delivery.get("pitch") or {}
    if (not delivery.get("judged") or pitch.get("monotone") is not False
            or pitch.get("variation_semitones") is None):
        return None
    from mockview.speech.delivery import DeliverySettings  # only a judged pitch needs it

    return _strength("pitch", "A lively voice",
                     f"your pitch varied {numbers.semitones(pitch['variation_semitones'])}; "
                     f"{DeliverySettings.monotone_semitones:g} or more sounds lively")


def _results(metrics: dict, content: dict) -> dict | None:
    results = content.get("results") or {}
    if results.get("verdict") != "concrete":
        return None
    concrete = [item["text"] for item in results["items"] if item["kind"] != "outcome_verb"]
    count = results["concrete_count"]
    return _strength("results", "Concrete results",
                     f"{count} stated" + (f": {_quoted(concrete)}" if concrete else ""))


def _structure(metrics: dict, content: dict) -> dict | None:
    structure = content.get("structure") or {}
    if structure.get("verdict") != "complete":
        return None
    action = next((p for p in structure["parts"] if p["part"] == "action"), None)
    share = f", the action {numbers.percent(action['share'])} of it" if action and action.get(
        "share") is not None else ""
    return _strength("structure", "A complete STAR story",
                     f"situation, task, action and result all there{share}")


def _ending(metrics: dict, content: dict) -> dict | None:
    ending = content.get("ending") or {}
    evidence = ending.get("evidence")
    if ending.get("verdict") != "conclusion" or not evidence:
        return None
    return _strength("ending", "A clear ending",
                     f"a conclusion at {numbers.clock(evidence['start_s'])}: “{evidence['text']}”")


def _opening(metrics: dict, content: dict) -> dict | None:
    opening = content.get("opening") or {}
    evidence = opening.get("evidence")
    if opening.get("verdict") != "clear" or not evidence:
        return None
    return _strength("opening", "A clear opening",
                     f"your point at {numbers.clock(evidence['start_s'])}: “{evidence['text']}”")


def _ownership(metrics: dict, content: dict) -> dict | None:
    ownership = content.get("ownership") or {}
    if ownership.get("verdict") != "owned":
        return None
    mine, total = ownership["i_count"], ownership["i_count"] + ownership["we_count"]
    examples = [e["text"] for e in ownership.get("i_actions") or []]
    return _strength("ownership", "You owned your part",
                     f"“I” for {mine} of {total} actions"
                     + (f", such as {_quoted(examples, 1)}" if examples else ""))


def _keywords(metrics: dict, content: dict) -> dict | None:
    keywords = content.get("keywords") or {}
    if keywords.get("verdict") != "good":
        return None
    said = [m["term"] for m in keywords["matched"]]
    return _strength("keywords", "Answered the question asked",
                     f"{keywords['matched_count']} of its {keywords['total']} key terms"
                     + (f": {_quoted(said)}" if said else ""))


def _rambling(metrics: dict, content: dict) -> dict | None:
    rambling = metrics.get("rambling") or {}
    if not rambling.get("judged") or rambling.get("flagged") or rambling.get("signals"):
        return None
    return _strength("rambling", "Stayed on point", "no sign of rambling: no drift, "
                                                    "repetition, run-ons or restarts")


def _hedges(metrics: dict, content: dict) -> dict | None:
    hedges = content.get("hedges") or {}
    if hedges.get("verdict") != "none":
        return None
    return _strength("hedges", "Said it plainly", "no hedges such as “I think” or “maybe”")
