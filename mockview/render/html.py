"""The review page of ``mockview report``: one self-contained HTML file.

A session's page holds every answer with its recording embedded (MP3 in a ``data:`` URI,
``media.py``), the transcript as words that follow playback, fillers and long pauses
marked in the text and on a timeline, the feedback beside it, and charts of progress over
sessions (``charts.py``). The progress page holds the charts and trends alone. Styles and
script are inline and nothing is fetched, so the file works offline and can be kept or
shared; its Content-Security-Policy lets the browser enforce that.

Text from the user or a bank (questions, words, tips) reaches the page only through Jinja2
with autoescaping on, so markup in it shows as text. The page's script reads times from
data attributes written from numbers, and never turns text into HTML.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter
from pathlib import Path

from mockview import __version__, numbers
from mockview.analysis.settings import AnalysisSettings
from mockview.analysis.text import clock
from mockview.errors import AudioError, MockviewError
from mockview.followups import follow_ups
from mockview.playback import moments
from mockview.records import (
    FollowUpLink,
    SessionRecord,
    TakeRecord,
    choice_note,
    representative,
    take_mark,
)
from mockview.render.charts import CHARTED, progress_charts
from mockview.render.content import content_lines
from mockview.render.delivery import Finding, delivery_findings
from mockview.render.topics import topic_lines
from mockview.render.trends import format_change, format_value, local_time
from mockview.strengths import strengths
from mockview.trends import SESSION_METRICS, Progress
from mockview.words import joins_previous

_DEFAULTS = AnalysisSettings()
FILLER_LABEL = {"filled_pause": "filled pause", "discourse_marker": "discourse marker"}
#: How far (s) a word may reach outside a filler's times and still be part of it (rounding).
MATCH_SLACK_S = 0.01
#: Marks of the timeline that the arrow keys jump between.
MOMENT_KINDS = ("pause", "filled_pause", "discourse_marker")
#: Delivery findings marked on the timeline: (list in metrics["delivery"], its mark's kind,
#: what its title calls it). Stretches are a band along the bottom, moments a tick on top.
DELIVERY_MARKS = (("pitch", "flat_stretches", "flat", "flat pitch"),
                  ("uptalk", "items", "rise", "rising ending"),
                  ("volume", "fades", "fade", "fading ending"),
                  ("volume", "quiet_stretches", "quiet", "quiet stretch"))


@dataclass(frozen=True)
class Page:
    """A rendered page, and the takes whose recording it could not embed (one line each)."""

    html: str
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Token:
    """A word of the transcript (``kind`` "word" or a filler kind), or a long "pause";
    ``source`` "audio" for a filled pause heard in the sound that the model did not write."""

    text: str
    start_s: float
    end_s: float
    kind: str
    source: str = "model"


@dataclass(frozen=True)
class Mark:
    """A stretch of the timeline bar: speech, a long pause, a filler or a delivery finding,
    placed in percent.

    Pauses and fillers are the moments the arrow keys jump between; delivery findings
    ("flat", "rise", "fade", "quiet") are only shown.
    """

    kind: str  # "speech", "pause", "filled_pause", "discourse_marker", or a delivery kind
    start_s: float
    left_pct: float
    width_pct: float
    label: str

    @property
    def is_moment(self) -> bool:
        return self.kind in MOMENT_KINDS


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    note: str


@dataclass(frozen=True)
class TakeView:
    """One take as the page shows it."""

    take: TakeRecord
    audio_uri: str | None
    audio_note: str | None  # why there is no player, when there is none
    tokens: tuple[Token, ...]
    marks: tuple[Mark, ...]
    facts: tuple[Fact, ...]

    @property
    def report(self) -> dict:
        return self.take.report

    @property
    def strengths(self) -> list[dict]:
        """What went well, with its evidence (``mockview.strengths``), shown first."""
        return strengths(self.take.report)

    @property
    def follow_ups(self) -> list[dict]:
        """What an interviewer might ask next (``mockview.followups``), ranked."""
        return follow_ups(self.take.report)

    @property
    def topics(self) -> list[str]:
        """What the answer talked about, a line each (none before topics were measured)."""
        return topic_lines(self.take.report["metrics"].get("topics"))

    @property
    def content(self) -> list[str]:
        """What the answer says, a line per finding (none for reports older than 0.2.0)."""
        content = self.take.report["metrics"].get("content")
        return content_lines(content) if content else []

    @property
    def delivery(self) -> list[Finding]:
        """How it sounds, a finding per line (none when delivery was not measured)."""
        return delivery_findings(self.take.report["metrics"].get("delivery"))

    @property
    def audio_lost(self) -> bool:
        """The store names a recording for this take that could not be read."""
        return self.take.audio_path is not None and self.audio_uri is None


@dataclass(frozen=True)
class AnswerView:
    takes: tuple[TakeView, ...]  # oldest first; tabs list the latest first
    follows: FollowUpLink | None = None  # a follow-up: what it follows, and why it was asked

    @property
    def shown(self) -> TakeView:
        """The take the page opens on: the one that stands for the answer (its latest with
        speech, ``records.representative``)."""
        chosen = representative([view.take for view in self.takes])
        return next(view for view in self.takes if view.take is chosen)

    def tab_label(self, view: TakeView) -> str:
        """The take's tab: its number and length, "no speech" when none was found, and
        whether it is the latest (or the latest with speech, when that is not the latest)."""
        take = view.take
        mark = take_mark(take, [v.take for v in self.takes])
        label = f"Take {take.take_no} · {clock(take.duration_s)}"
        if mark == "no speech":
            label += " · no speech"
        if take is self.takes[-1].take:
            return label + " (latest)"
        return label + (" (latest with speech)" if mark == "latest with speech" else "")

    @property
    def note(self) -> str | None:
        """Why the page opens on an earlier take, when it does."""
        return choice_note([view.take for view in self.takes])


# --- pages ----------------------------------------------------------------------------------


def session_page(record: SessionRecord, progress: Progress) -> Page:
    """The review page of one stored session.

    ``progress`` covers all sessions, for the charts (this session ringed on them). A take
    whose recording is missing or unreadable gets a note instead of its player, and is
    named in ``Page.problems``.
    """
    summary = record.summary
    if not record.takes:
        raise MockviewError(f"Session {summary.session_id} has no recorded takes, so there is"
                            " nothing to review. See your sessions with: mockview history")
    answers = []
    for _, grouped in groupby(record.takes, key=attrgetter("answer_no")):
        takes = tuple(grouped)
        answers.append(AnswerView(tuple(_take_view(t) for t in takes),
                                  follows=record.follows(takes[0])))
    problems = tuple(f"Answer {view.take.answer_no}, take {view.take.take_no}: "
                     f"{view.audio_note}"
                     for answer in answers for view in answer.takes if view.audio_lost)
    html = _render("session.html", summary=summary, answers=answers,
                   charts=progress_charts(progress, current_session=summary.session_id),
                   pace_target=_DEFAULTS.pace_target_wpm)
    return Page(html, problems)


def progress_page(progress: Progress) -> Page:
    """The progress page: charts, trends and every session's key numbers."""
    if not progress.sessions:
        raise MockviewError("No sessions yet. Start one with: mockview practice (or keep a "
                            "recording with: mockview analyze FILE --save)")
    metrics = [m for m in SESSION_METRICS if m.key in CHARTED]
    return Page(_render("progress.html", progress=progress, metrics=metrics,
                        charts=progress_charts(progress)))


# --- files ----------------------------------------------------------------------------------


def default_output(session_id: int | None) -> Path:
    """``mockview-session-N.html``, or ``mockview-progress.html``, in the current folder."""
    name = "progress" if session_id is None else f"session-{session_id}"
    return Path(f"mockview-{name}.html")


def check_output_path(path: str | os.PathLike) -> Path:
    """``path`` as a Path, if a page can be written there: checked before any work."""
    path = Path(path)
    folder = path.parent
    if path.is_dir():
        raise MockviewError(f"{path} is a folder. Give a file name, for example "
                            f"{path / 'review.html'}.")
    if not folder.exists():
        raise MockviewError(f"Cannot write {path}: the folder {folder} does not exist. "
                            "Create it first, or give another path with -o.")
    if not folder.is_dir():
        raise MockviewError(f"Cannot write {path}: {folder} is not a folder. "
                            "Give another path with -o.")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise MockviewError(f"Cannot write {path}: permission denied. Give a path in a "
                            "folder you can write to with -o.")
    return path


def write_page(page: Page, path: str | os.PathLike) -> Path:
    """Write the page as UTF-8 to ``path``; returns the path."""
    path = Path(path)
    try:
        path.write_text(page.html, encoding="utf-8")
    except OSError as error:
        raise MockviewError(f"Cannot write {path}: {error.strerror or error}. Give a path in "
                            "a folder you can write to with -o.") from None
    return path


# --- one take ---------------------------------------------------------------------------------


def _take_view(take: TakeRecord) -> TakeView:
    uri, note = _audio(take)
    return TakeView(take, uri, note, tokens=tuple(_tokens(take.report)),
                    marks=tuple(_marks(take.report, take.duration_s)),
                    facts=tuple(_facts(take.report)))


def _audio(take: TakeRecord) -> tuple[str | None, str | None]:
    """(data URI, None), or (None, why this take has no player)."""
    from mockview.render.media import mp3_data_uri

    if take.audio_path is None:
        return None, "No recording was kept for this take."
    if not take.audio_path.is_file():
        return None, f"The recording {take.audio_path} is missing."
    try:
        return mp3_data_uri(take.audio_path), None
    except AudioError as error:
        return None, str(error)


def _filler_kind(start_s: float, end_s: float, fillers: list[dict]) -> str | None:
    """The kind of the filler that spans ``start_s``-``end_s`` (a word, or part of "you
    know"), or None."""
    for item in fillers:
        if (item["start_s"] - MATCH_SLACK_S <= start_s
                and end_s <= item["end_s"] + MATCH_SLACK_S):
            return item["kind"]
    return None


def _tokens(report: dict) -> list[Token]:
    """The words, fillers marked by kind, with each long pause placed where it fell."""
    fillers = report["metrics"]["fillers"]["items"]
    words: list[Token] = []
    for w in report["transcript"]["words"]:
        if words and joins_previous(w["text"]):  # "cold" "-hearted": one word on the page
            last = words[-1]
            words[-1] = Token(last.text + w["text"], last.start_s, w["end_s"], last.kind)
            continue
        words.append(Token(w["text"], w["start_s"], w["end_s"],
                           _filler_kind(w["start_s"], w["end_s"], fillers) or "word",
                           w.get("source", "model")))
    pauses = [Token(f"{numbers.seconds(p['duration_s'])} pause", p["start_s"], p["end_s"],
                    "pause")
              for p in report["metrics"]["pauses"]["items"] if p["long"]]
    return sorted(words + pauses, key=lambda token: token.start_s)


def _marks(report: dict, duration_s: float) -> list[Mark]:
    """Speech (first word to last, less every pause), then the long pauses and fillers."""
    fillers = report["metrics"]["fillers"]["items"]
    length_s = max(duration_s, 1e-6)

    def mark(kind: str, start_s: float, end_s: float, label: str) -> Mark:
        return Mark(kind, start_s, round(100 * start_s / length_s, 3),
                    round(100 * max(0.0, end_s - start_s) / length_s, 3), label)

    marks = [mark("speech", start, end, "speech") for start, end in _speech(report)]
    for moment in moments(report):
        kind = ("pause" if moment.kind == "pause"
                else _filler_kind(moment.start_s, moment.end_s, fillers))
        marks.append(mark(kind, moment.start_s, moment.end_s,
                          f"{moment.label} at {clock(moment.start_s)}"))
    delivery = report["metrics"].get("delivery") or {}
    if delivery.get("judged"):
        for part, key, kind, label in DELIVERY_MARKS:
            for item in (delivery.get(part) or {}).get(key) or []:
                marks.append(mark(kind, item["start_s"], item["end_s"],
                                  f"{label} at {clock(item['start_s'])}"))
    return marks


def _speech(report: dict) -> list[tuple[float, float]]:
    """The stretches (start_s, end_s) of speech: the words' span with the pauses cut out."""
    words = report["transcript"]["words"]
    if not words:
        return []
    pauses = sorted(report["metrics"]["pauses"]["items"], key=lambda p: p["start_s"])
    stretches, start_s, last_s = [], words[0]["start_s"], words[-1]["end_s"]
    for pause in pauses:
        if pause["start_s"] > start_s:
            stretches.append((start_s, min(pause["start_s"], last_s)))
        start_s = max(start_s, pause["end_s"])
    if start_s < last_s:
        stretches.append((start_s, last_s))
    return stretches


def _facts(report: dict) -> list[Fact]:
    """The take's key numbers with their targets, as the terminal's metrics table has them."""
    metrics = report["metrics"]
    fillers, pace = metrics["fillers"], metrics["pace"]
    pauses, length = metrics["pauses"], metrics["length"]
    target = length.get("target_s")
    target_text = f"target {numbers.length_target(length)}" if target else "no target"
    low_wpm, high_wpm = _DEFAULTS.pace_target_wpm
    return [
        Fact("Fillers", f"{fillers['count']} · {numbers.one_decimal(fillers['per_minute'])}/min",
             f"{numbers.one_decimal(fillers['per_100_words'])} per 100 words; under "
             f"{_DEFAULTS.fillers_good_per_100_words:g} is good"),
        Fact("Pace", numbers.pace(pace),
             f"{_words(pace['verdict'])}; {low_wpm:g}-{high_wpm:g} is easy to follow"
             if pace.get("verdict") != "not_enough_speech"
             else pace.get("note") or "too little speech to judge"),
        Fact("Long pauses", str(pauses["long_count"]),
             f"longest {numbers.seconds(pauses['longest_s'] or 0)}; {pauses['count']} pauses"
             " in all"),
        Fact("Pause ratio", numbers.percent(pauses["pause_ratio"] or 0),
             f"about {_DEFAULTS.pause_ratio_typical:.0%} is usual; over "
             f"{_DEFAULTS.pause_ratio_flag:.0%} is a lot"),
        Fact("Length", clock(length["duration_s"]),
             f"{_words(length['verdict'])} ({target_text}); {length['word_count']} words,"
             f" {numbers.duration(length['speaking_s'])} speaking"),
    ]


def _words(verdict: str | None) -> str:
    return (verdict or "not judged").replace("_", " ")


# --- templates --------------------------------------------------------------------------------


def _render(template: str, **context) -> str:
    script, digest = _script()
    return _environment().get_template(template).render(
        script=script, script_hash=digest, version=__version__, **context)


@functools.cache
def _environment():
    """The Jinja2 environment: templates from the package, every value autoescaped."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("mockview.render", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters.update(clock=clock, local_time=local_time, duration=numbers.duration,
                       one_decimal=numbers.one_decimal, whole=numbers.whole)
    env.globals.update(format_value=format_value, format_change=format_change,
                       filler_label=FILLER_LABEL)
    return env


@functools.cache
def _script():
    """The page's script as markup, and its SHA-256 for the Content-Security-Policy: only
    this exact script may run, so even text that escaped escaping could not."""
    from markupsafe import Markup

    text = _environment().loader.get_source(_environment(), "report.js")[0]
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return Markup(text), digest
