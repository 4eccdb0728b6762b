"""How each quantity reads, wherever it is shown: one rule per kind of number.

The report stores each quantity once, rounded (``analysis.text``: times to 2 decimals,
rates to 1, ratios to 3). Every place that shows one (the tips the analysis writes, the
terminal, the review page, Markdown, the practice announcements, history, progress) formats
it here, from that stored precision and rounding halves up, so a 1.05 s pause reads "1.1 s"
whether it comes from the analysis's own float or from the stored 1.05.

Durations (how long something lasted) read "6.9 s" under a minute and "1:42" from a minute
on; places in the recording (when something happened) read as a clock, "0:07".
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

#: digits each kind of quantity is stored with (``analysis.text.r_time`` etc.)
TIME_DIGITS = 2
RATE_DIGITS = 1
RATIO_DIGITS = 3


def _half_up(value: float, stored_digits: int, shown_digits: int) -> Decimal:
    """``value`` as stored (``stored_digits``), then to ``shown_digits`` with halves up."""
    stored = Decimal(repr(round(float(value), stored_digits)))
    return stored.quantize(Decimal(1).scaleb(-shown_digits), rounding=ROUND_HALF_UP)


def clock(seconds: float | None) -> str:
    """A place in the recording, or a length as a clock: 0:07, 1:42 ("-" for None)."""
    if seconds is None:
        return "-"
    whole = max(0, int(_half_up(seconds, TIME_DIGITS, 0)))
    return f"{whole // 60}:{whole % 60:02d}"


def seconds(value: float | None) -> str:
    """A short duration: "1.1 s" (a pause, thinking time, a stretch of speech)."""
    if value is None:
        return "-"
    return f"{_half_up(max(0.0, value), TIME_DIGITS, 1)} s"


def duration(value: float | None) -> str:
    """How long something lasted: "6.9 s" under a minute, "1:42" from a minute on."""
    if value is None:
        return "-"
    if _half_up(max(0.0, value), TIME_DIGITS, 1) < 60:
        return seconds(value)
    return clock(value)


def percent(ratio: float | None) -> str:
    """A share or ratio as a whole percentage: 0.545 -> "55%"."""
    if ratio is None:
        return "-"
    stored = Decimal(repr(round(float(ratio), RATIO_DIGITS))) * 100
    return f"{stored.quantize(Decimal(1), rounding=ROUND_HALF_UP)}%"


def one_decimal(value: float | None) -> str:
    """A rate with one decimal (fillers per minute, per 100 words): "2.3"."""
    if value is None:
        return "-"
    return f"{_half_up(value, RATE_DIGITS, 1)}"


def whole(value: float | None) -> str:
    """A rate to the whole number (words per minute): "142"."""
    if value is None:
        return "-"
    return f"{_half_up(value, RATE_DIGITS, 0)}"


def wpm(value: float | None) -> str:
    """Words per minute: "142 wpm"."""
    return "-" if value is None else f"{whole(value)} wpm"


def semitones(value: float | None) -> str:
    """A pitch variation: "1.7 semitones"."""
    return "-" if value is None else f"{one_decimal(value)} semitones"


def pace(pace_metrics: dict) -> str:
    """A report's pace as every renderer shows it: "142 wpm", or "not judged" when the
    report did not judge it (reports before analysis 0.3.0 kept a rate even then)."""
    if pace_metrics.get("verdict") == "not_enough_speech":
        return "not judged"
    return wpm(pace_metrics.get("words_per_minute"))


def length_target(length: dict) -> str:
    """A report's length target: "0:45-1:30", marked "(general)" when the question's kind
    was not known and the general target was used ("" when it has none)."""
    target = length.get("target_s")
    if not target:
        return ""
    span = f"{clock(target[0])}-{clock(target[1])}"
    return f"{span} (general)" if length.get("target_source") == "general" else span
