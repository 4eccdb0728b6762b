"""What an answer talked about (``metrics.topics``), as lines every renderer shows."""

from __future__ import annotations

from mockview import numbers


def topic_lines(topics: dict | None) -> list[str]:
    """The talking points covered (with where) and missed, the most-used words and the
    repeated phrases; none for a report without topics (before they were measured) or
    without speech."""
    if not topics or not topics.get("points"):
        return []
    points = topics["points"]
    covered = [p for p in points if p["covered"]]
    missing = [p.get("label") or p["point"] for p in points if not p["covered"]]
    lines = [f"Talking points covered: {_listed([p['label'] for p in covered]) or 'none'}"
             + (f"; not mentioned: {_listed(missing)}." if missing else ".")]
    for point in covered:
        quote = point["evidence"]
        lines.append(f"{point['label'].capitalize()} at {numbers.clock(quote['start_s'])}: "
                     f"“{quote['text']}”")
    if topics.get("top_words"):
        lines.append("Most-used words: " + ", ".join(f"{w['text']} ×{w['count']}"
                                                     for w in topics["top_words"]) + ".")
    for phrase in topics.get("repeated_phrases") or []:
        when = ", ".join(numbers.clock(s) for s in phrase["starts_s"][:4])
        lines.append(f"Said {phrase['count']} times: “{phrase['text']}” ({when}).")
    return lines


def _listed(names: list[str]) -> str:
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + f" and {names[-1]}"
