"""How the answer sounds (``metrics["delivery"]``) as findings and plain lines, for every
renderer.

Each finding keeps its time apart from its text, so the review page can make the time a
button that seeks the audio, while the terminal and the Markdown export print one line.
A report without delivery (older than the delivery analysis, or not measured) gives none.
"""

from __future__ import annotations

from dataclasses import dataclass

from mockview import numbers
from mockview.numbers import clock

#: Findings of one kind shown in full; the rest are counted.
SHOWN = 4


@dataclass(frozen=True)
class Finding:
    """One line of the delivery findings.

    ``kind`` is "note" (why nothing was judged), a summary ("pitch", "uptalk", "volume"),
    a timed detail ("flat", "rise", "fade", "quiet"), "tip" (what to do about the details
    above it) or "more" (how many were left out). ``start_s``/``end_s`` are None for lines
    without a time; ``end_s`` is set only when the time shown is a stretch.
    """

    kind: str
    text: str
    start_s: float | None = None
    end_s: float | None = None

    @property
    def detail(self) -> bool:
        """Belongs under the summary line before it."""
        return self.kind not in ("note", "pitch", "uptalk", "volume")

    @property
    def when(self) -> str:
        """The time as feedback reads it: 0:42, or 0:40-0:52 for a stretch; "" for none."""
        if self.start_s is None:
            return ""
        if self.end_s is None:
            return clock(self.start_s)
        return f"{clock(self.start_s)}-{clock(self.end_s)}"

    @property
    def line(self) -> str:
        when = f"{self.when} " if self.when else ""
        return f"{'  ' if self.detail else ''}{when}{self.text}"


def delivery_lines(delivery: dict | None) -> list[str]:
    """One plain line per delivery finding (the terminal panel and the Markdown export);
    details are indented two spaces under their summary. None for an unmeasured answer
    gives no lines."""
    return [finding.line for finding in delivery_findings(delivery)]


def delivery_findings(delivery: dict | None) -> list[Finding]:
    """Pitch variation and monotone stretches, uptalk, then level, fades and quiet stretches.

    When the evidence was too weak (``judged`` false) only the note that says so.
    """
    if not delivery:
        return []
    if not delivery.get("judged"):
        return [Finding("note", delivery.get("note") or "Delivery was not judged.")]
    return [*_pitch(delivery.get("pitch") or {}), *_uptalk(delivery.get("uptalk") or {}),
            *_volume(delivery.get("volume") or {})]


def _pitch(pitch: dict) -> list[Finding]:
    variation, note = pitch.get("variation_semitones"), pitch.get("note")
    if note:  # too little to judge: say why, with what was measured
        varies = "" if variation is None else f"varies {numbers.semitones(variation)}. "
        return [Finding("pitch", f"Pitch: {varies}{note}")]
    if variation is None:
        return [Finding("pitch", "Pitch: too little voiced speech to measure")]
    if pitch.get("monotone") is None:
        verdict = "not judged"
    else:
        verdict = "monotone" if pitch["monotone"] else "lively"
    # Imported here, not at the top: the measuring module is most of a renderer's start-up,
    # and only a judged pitch needs its target.
    from mockview.speech.delivery import DeliverySettings

    line = DeliverySettings.monotone_semitones
    found = [Finding("pitch", f"Pitch: varies {numbers.semitones(variation)}, {verdict} (target "
                              f"{line:g} or more)")]
    stretches = pitch.get("flat_stretches") or []
    # a stretch is named by the line it stayed under, not by a second variation figure: the
    # whole answer's spread and a stretch's windows are measured differently, and "varies
    # 1.7" above "flat (1.9)" reads as a contradiction
    found += [Finding("flat", f"flat (under {line:g} semitones): “{s['text']}”",
                      s["start_s"], s["end_s"])
              for s in stretches[:SHOWN]]
    return found + _more(stretches, "flat stretch", "flat stretches") + _tip(stretches)


def _uptalk(uptalk: dict) -> list[Finding]:
    statements, items = uptalk.get("statements") or 0, uptalk.get("items") or []
    if not statements:
        return [Finding("uptalk", "Uptalk: no statement's ending could be measured")]
    rising = uptalk.get("rising", len(items))
    summary = (f"Uptalk: {_of(rising, statements, 'statement')} rose at the end"
               + (" like a question" if rising else ""))
    found = [Finding("uptalk", summary)]
    found += [Finding("rise", f"“{u['text']}” rose {numbers.semitones(u['rise_semitones'])}",
                      u["start_s"]) for u in items[:SHOWN]]
    return found + _more(items, "rise") + _tip(items)


def _volume(volume: dict) -> list[Finding]:
    level, snr = volume.get("median_dbfs"), volume.get("snr_db")
    if level is None:
        return [Finding("volume", "Volume: not measured")]
    above = f", {snr:.0f} dB above the background" if snr is not None else ""
    fades, quiet = volume.get("fades") or [], volume.get("quiet_stretches") or []
    measured = volume.get("sentences_measured") or 0
    faded = f"; {_of(len(fades), measured, 'sentence ending')} faded" if measured else ""
    found = [Finding("volume", f"Volume: {level:.0f} dBFS{above}{faded}")]
    found += [Finding("fade", f"faded {f['drop_db']:.0f} dB on the last word: “{f['text']}”",
                      f["start_s"]) for f in fades[:SHOWN]]
    found += _more(fades, "fade") + _tip(fades)
    found += [Finding("quiet", f"quiet ({q['below_median_db']:.0f} dB below your level): "
                               f"“{q['text']}”", q["start_s"], q["end_s"])
              for q in quiet[:SHOWN]]
    return found + _more(quiet, "quiet stretch", "quiet stretches") + _tip(quiet)


def _more(items: list[dict], one: str, many: str | None = None) -> list[Finding]:
    extra = len(items) - SHOWN
    what = one if extra == 1 else many or one + "s"
    return [Finding("more", f"and {extra} more {what}")] if extra > 0 else []


def _of(count: int, total: int, noun: str) -> str:
    """"1 of 3 statements", "0 of 1 statement"."""
    return f"{count} of {total} {noun if total == 1 else noun + 's'}"


def _tip(items: list[dict]) -> list[Finding]:
    """What to do, once for findings of one kind: the advice that ends their suggestion.

    Each suggestion restates its time and words before a colon, then gives the advice;
    the advice is fixed text, so the last ": " is never inside the quoted words.
    """
    if not items or not items[0].get("suggestion"):
        return []
    suggestion = items[0]["suggestion"]
    _, colon, advice = suggestion.rpartition(": ")
    advice = advice if colon else suggestion
    return [Finding("tip", f"→ {advice[:1].upper()}{advice[1:]}")]
