"""Question kinds and the answer length each one calls for.

Targets are practitioner consensus, not research (see the README's metrics section):
a question may override its target with ``target_s`` in its bank.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LengthTarget:
    """The comfortable range of an answer and the limits past which it is flagged."""

    min_s: float
    max_s: float
    flag_under_s: float | None
    flag_over_s: float


LENGTH_TARGETS: dict[str, LengthTarget] = {
    "intro": LengthTarget(60, 90, None, 120),
    "behavioral": LengthTarget(90, 120, 45, 180),
    "motivation": LengthTarget(45, 90, None, 120),
    "strengths": LengthTarget(45, 90, None, 120),
    "situational": LengthTarget(45, 90, None, 120),
    "technical": LengthTarget(30, 60, None, 120),
    "closing": LengthTarget(30, 60, None, 120),
}

KINDS: tuple[str, ...] = tuple(LENGTH_TARGETS)


def length_target(kind: str | None, target_s: tuple[float, float] | None = None) -> LengthTarget:
    """The length target for a question: its own ``target_s`` if set, else its kind's.

    A question with its own range is flagged past twice its maximum (or half its minimum
    for behavioral questions, which must not be skimped), mirroring the kind defaults.
    An unknown question (``kind`` None) is judged as a motivation-style answer.
    """
    base = LENGTH_TARGETS.get(kind or "motivation", LENGTH_TARGETS["motivation"])
    if target_s is None:
        return base
    low, high = float(target_s[0]), float(target_s[1])
    ratio_over = base.flag_over_s / base.max_s
    flag_under = low * base.flag_under_s / base.min_s if base.flag_under_s else None
    return LengthTarget(low, high, flag_under, round(high * ratio_over, 1))
