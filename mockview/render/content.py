"""What the answer says (``metrics["content"]``) as plain lines, for every renderer."""

from __future__ import annotations

from mockview import numbers
from mockview.numbers import clock

#: the terms not mentioned that a line names before "and N more"
MISSING_SHOWN = 6


def content_lines(content: dict) -> list[str]:
    """One plain line per content finding (the terminal panel and the Markdown export)."""
    lines = []
    structure = content.get("structure")
    if structure:
        parts = []
        for part in structure["parts"]:
            share = f" {numbers.percent(part['share'])}" if part["present"] else " missing"
            verdict = part.get("verdict")
            note = f" ({_words(verdict)})" if verdict not in (None, "ok", "missing") else ""
            parts.append(f"{part['part']}{share}{note}")
        low, high = structure["action_share_target"]
        lines.append(f"STAR: {' · '.join(parts)}  (action: aim for {low:.0%}-{high:.0%})")
    results = content.get("results") or {}
    if results.get("items"):
        shown = _listed([f"“{item['text'].rstrip('.,')}”" for item in results["items"]], 4)
        lines.append(f"Results: {results['count']} found, {results['concrete_count']} concrete "
                     f"({shown})")
    elif results:
        lines.append("Results: none stated (what changed, and by how much?)")
    ownership = content.get("ownership") or {}
    said = [f"“{who}” + action ×{ownership[f'{key}_count']}"
            for who, key in (("I", "i"), ("we", "we")) if ownership.get(f"{key}_count")]
    if said:
        verdict = ownership.get("verdict")
        lines.append(f"Ownership: {', '.join(said)}" + (f" ({_words(verdict)})" if verdict else ""))
    hedges = content.get("hedges") or {}
    if hedges.get("count"):
        top = _listed([f"“{t['text']}” ×{t['count']}" for t in hedges["top"]], 3)
        lines.append(f"Hedges: {hedges['count']} ({top})")
    for key, name in (("keywords", "Question keywords"), ("job", "Job terms")):
        coverage = content.get(key)
        if coverage:
            missing = _listed([m["term"] for m in coverage["missing"]], MISSING_SHOWN)
            lines.append(f"{name}: {coverage['matched_count']} of {coverage['total']} mentioned"
                         + (f"; not mentioned: {missing}" if missing else ""))
    for key in ("opening", "ending"):
        found = content.get(key) or {}
        if found.get("verdict"):
            evidence = found.get("evidence") or {}
            where = f" at {clock(evidence['start_s'])}: “{evidence['text']}”" if evidence else ""
            lines.append(f"{key.capitalize()}: {_words(found['verdict'])}{where}")
    return lines


def _listed(items: list[str], limit: int) -> str:
    """"a, b and c", or "a, b, c and 5 more": the count shown is the count there is."""
    shown, rest = items[:limit], len(items) - limit
    if rest > 0:
        return ", ".join(shown) + f" and {rest} more"
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def _words(verdict: str | None) -> str:
    return (verdict or "").replace("_", " ")
