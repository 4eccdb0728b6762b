"""The terminal face of a practice session (``mockview practice``), drawn with rich.

``TerminalUI`` implements ``practice.PracticeUI``. With ``interactive`` it reads single key
presses: Enter stops a recording, and a key picks what to do after the feedback. Without it
(``--no-input``, or standard input not a terminal) it never waits for a key, and with
``--json`` it writes everything for people to standard error so that standard output holds
only the JSON.

Listening back is shared with ``mockview play``: ``play_answer`` plays a recording with a
``FollowView`` showing the words as they are heard, and ``play_moments`` plays each filler
and long pause with a little context, announcing each.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import os
import select
import sys
import threading
import time
from collections.abc import Callable

from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from mockview import numbers
from mockview.analysis.text import clock
from mockview.errors import AudioError
from mockview.playback import CONTEXT_S, Moment, MomentKind
from mockview.practice import Action, Take
from mockview.recording import SILENCE_DBFS, SPEECH_DBFS, LevelReading
from mockview.records import choice_note, representative
from mockview.speech.audio import SAMPLE_RATE
from mockview.words import join_words, joins_previous

logger = logging.getLogger("mockview")

#: Before any speech, a warning appears when no sound has come in for this long; once the
#: answer has started, only after this long a silence (a pause, or the end of the answer
#: before Enter, is no reason to doubt the microphone).
NO_SOUND_WARNING_S = 3.0
LONG_SILENCE_WARNING_S = 10.0
#: The meter's word for the level, from the loudest block of the last ``LEVEL_WINDOW_S``
#: (so it holds between words): "quiet" under ``QUIET_DBFS``, "too loud" from ``LOUD_DBFS``
#: or a peak at ``CLIPPING_DBFS`` (the sound is clipped), "good" between.
LEVEL_WINDOW_S = 1.0
QUIET_DBFS = -35.0
LOUD_DBFS = -10.0
CLIPPING_DBFS = -1.0
METER_FLOOR_DBFS = -60.0
METER_WIDTH = 30
KEYS = {
    "p": Action.PLAY, " ": Action.PLAY,
    "f": Action.MOMENTS,
    "r": Action.RETRY,
    "n": Action.NEXT, "\r": Action.NEXT, "\n": Action.NEXT,
    "q": Action.QUIT,
}
CHOICES = "[p] play  [f] play each filler and long pause  [r] retry  [n/Enter] next  [q] quit"
#: Without a terminal, playback prints a line with the words heard every this many seconds.
PLAIN_LINE_EVERY_S = 5.0
#: How many of the words just heard the live playback line shows.
FOLLOW_WORDS = 12
PROGRESS_WIDTH = 30
MOMENT_NAMES = {"filler": ("filler", "fillers"), "pause": ("long pause", "long pauses")}


class TerminalUI:
    """Shows the session on ``console``; reads keys from the terminal when ``interactive``."""

    def __init__(self, console: Console, *, interactive: bool, details: bool = False,
                 output_device: int | str | None = None):
        self.console = console
        self.interactive = interactive
        self.details = details  # the full report after each answer, and levels in dBFS
        self.output_device = output_device  # where listening back plays; None: the default

    def show_question(self, question, number: int, total: int, take_no: int,
                      time_limit_s: float) -> None:
        retry = f" · take {take_no}" if take_no > 1 else ""
        title = f"Question {number} of {total}{retry}"
        kind = (question.kind if question.kind == question.category
                else f"{question.category} · {question.kind}")
        detail = Text(f"{kind} question · aim for "
                      f"{_span(question.length_target)} · stops at {clock(time_limit_s)}",
                      style="dim")
        why = getattr(question, "reason", None)  # a follow-up says what it probes
        if why:
            title = f"Follow-up to question {number}{retry}"
            detail = Text(f"{why} Aim for {_span(question.length_target)} · stops at "
                          f"{clock(time_limit_s)}", style="dim")
        self.console.print()
        self.console.print(Panel(Group(Text(question.text, style="bold"), detail),
                                 title=title, title_align="left", border_style="cyan"))

    def prepare(self, seconds: float) -> None:
        """The countdown before recording; Enter (read in cbreak mode, so it neither echoes
        nor breaks the line) ends it at once."""
        if seconds <= 0:
            return
        skip, done = threading.Event(), threading.Event()
        keys = None
        if self.interactive:
            keys = threading.Thread(target=_wait_for_enter, args=(skip, done),
                                    name="mockview-prep-keys", daemon=True)
            keys.start()
        how = " (Enter starts it now)" if self.interactive else ""
        try:
            with Live(console=self.console, transient=True, refresh_per_second=8) as live:
                end = time.monotonic() + seconds
                while (left := end - time.monotonic()) > 0 and not skip.is_set():
                    live.update(Text(f"Think about your answer… recording starts in "
                                     f"{left:.0f} s{how}", style="yellow"))
                    skip.wait(min(0.1, left))
        finally:
            done.set()
            if keys is not None:
                keys.join()

    def recording(self, time_limit_s: float) -> _RecordingView:
        return _RecordingView(self.console, time_limit_s, read_keys=self.interactive,
                              dbfs=self.details)

    def show_feedback(self, take: Take) -> None:
        from mockview.render.terminal import render_report

        # the question is on screen above: the report does not repeat it
        render_report(take.report, self.console, details=self.details, header=False,
                      hint=False)
        self.console.print(Text(f"Feedback ready {take.feedback_s:.1f} s after the recording "
                                f"stopped ({take.recording.duration_s:.0f} s recorded).",
                                style="dim"))

    def choose(self, take: Take) -> Action:
        import click

        self.console.print(Text(CHOICES, style="bold"))
        while True:
            key = click.getchar().lower()
            if key in KEYS:
                return KEYS[key]
            self.console.print(Text(f"{key!r} is not a choice. {CHOICES}", style="yellow"))

    def play(self, take: Take, *, moments: bool) -> None:
        from mockview.speech.audio import load_audio

        audio = load_audio(take.audio_path)
        if moments:
            play_moments(self.console, audio, take.report, device=self.output_device)
        else:
            play_answer(self.console, audio, take.report, device=self.output_device)

    def notice(self, message: str) -> None:
        self.console.print(Text(f"Note: {message}", style="yellow"))

    def show_summary(self, session, comparison) -> None:
        from mockview.render.trends import render_comparison

        if session is None:
            self.console.print("No answer was recorded, so nothing was saved.")
            return
        table = Table(title=f"Session {session.summary.session_id}", title_justify="left")
        for name in ("#", "question", "takes", "length", "fillers/min", "wpm", "long pauses"):
            table.add_column(name, justify="left" if name == "question" else "right")
        answers: dict[int, list] = {}
        notes: list[str] = []
        for take in session.takes:
            answers.setdefault(take.answer_no, []).append(take)
        for answer_no, takes in answers.items():
            shown = representative(takes)  # a retry that found no speech does not hide it
            count = str(len(takes))
            if not shown.has_speech:
                count += " (no speech)"
            elif shown is not takes[-1]:
                count += f" (take {shown.take_no} shown)"
                notes.append(f"Answer {answer_no}: {choice_note(takes)}")
            verdict = (shown.length_verdict or "not judged").replace("_", " ")
            pace = "—" if shown.words_per_minute is None else numbers.whole(shown.words_per_minute)
            table.add_row(str(answer_no), Text(_short(shown.question_text or "")), count,
                          f"{clock(shown.duration_s)} ({verdict})",
                          numbers.one_decimal(shown.fillers_per_minute), pace,
                          str(shown.long_pause_count))
        self.console.print(table)
        for note in notes:
            self.console.print(Text(note, style="dim"))
        if comparison is not None:
            self.console.print(Text("Compared with your previous session:", style="bold"))
            render_comparison(comparison, self.console)
        session_id = session.summary.session_id
        full = "" if self.details else " --details"
        self.console.print(Text(f"Saved. Every answer in full: mockview show {session_id}{full}"
                                f" · the review page: mockview report {session_id} --open · "
                                "your trend: mockview progress", style="dim"))


class _RecordingView:
    """The live meter while recording; Enter (read in a thread) sets ``stop``.

    The level reads in words ("quiet", "good", "too loud"); with ``dbfs`` its value in
    dBFS follows.
    """

    def __init__(self, console: Console, time_limit_s: float, *, read_keys: bool,
                 dbfs: bool = False):
        self.console = console
        self.time_limit_s = time_limit_s
        self.stop = threading.Event()
        self.reading: LevelReading | None = None
        self.quiet_since_s = 0.0
        self.spoke = False  # a block as loud as speech has come in
        self._recent: collections.deque[LevelReading] = collections.deque()
        self._dbfs = dbfs
        self._read_keys = read_keys
        self._done = threading.Event()
        self._live = Live(self, console=console, transient=True, refresh_per_second=10)
        self._keys: threading.Thread | None = None
        self._cues: Callable[[float], str] | None = None

    def show_cues(self, cues: Callable[[float], str]) -> None:
        """Show ``cues(seconds recorded)`` under the meter (``--cues``)."""
        self._cues = cues

    def level(self, reading: LevelReading) -> None:
        if reading.rms_dbfs > SILENCE_DBFS:
            self.quiet_since_s = reading.elapsed_s
        if reading.rms_dbfs > SPEECH_DBFS:
            self.spoke = True
        self._recent.append(reading)
        while self._recent[0].elapsed_s < reading.elapsed_s - LEVEL_WINDOW_S:
            self._recent.popleft()
        self.reading = reading

    def __enter__(self) -> _RecordingView:
        self._live.start()
        if self._read_keys:
            self._keys = threading.Thread(target=_wait_for_enter, args=(self.stop, self._done),
                                          name="mockview-keys", daemon=True)
            self._keys.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        if self._keys is not None:
            self._keys.join()
        self._live.stop()

    def __rich__(self) -> Group:
        reading = self.reading
        elapsed = reading.elapsed_s if reading else 0.0
        level = reading.rms_dbfs if reading else float("-inf")
        filled = 0 if level == float("-inf") else round(
            METER_WIDTH * min(1.0, max(0.0, (level - METER_FLOOR_DBFS) / -METER_FLOOR_DBFS)))
        meter = Text.assemble(
            ("● REC ", "bold red"),
            f"{clock(elapsed)} / {clock(self.time_limit_s)}  ",
            ("█" * filled, "green" if level > SILENCE_DBFS else "dim"),
            ("░" * (METER_WIDTH - filled), "dim"),
            " ", self._level_text(level),
        )
        lines = [meter, *self._cue_lines(elapsed),
                 Text("Press Enter to stop." if self._read_keys else
                      "Recording until the time limit or a silence stop.", style="dim")]
        silent_s = elapsed - self.quiet_since_s
        if silent_s >= (LONG_SILENCE_WARNING_S if self.spoke else NO_SOUND_WARNING_S):
            advice = ("press Enter if you have finished, or check that the microphone is "
                      "still on" if self.spoke and self._read_keys
                      else "is the microphone muted or the wrong one?")
            lines.append(Text(f"No sound for {silent_s:.0f} s: {advice} "
                              "(see: mockview devices)", style="bold yellow"))
        return Group(*lines)

    def _cue_lines(self, elapsed_s: float) -> list[Text]:
        """The cue line in the terminal's own colour: it informs, it does not warn."""
        if self._cues is None:
            return []
        try:
            return [Text(self._cues(elapsed_s))]
        except Exception:  # a cue must never stop a recording: it is left out instead
            logger.debug("the live cues failed", exc_info=True)
            self._cues = None
            return []

    def _level_text(self, level: float) -> Text:
        """The level in words, from the loudest of the last moment's blocks."""
        loudest = max((r.rms_dbfs for r in self._recent), default=float("-inf"))
        peak = max((r.peak_dbfs for r in self._recent), default=float("-inf"))
        if loudest <= SILENCE_DBFS:
            word, style = "silence", "dim"
        elif peak >= CLIPPING_DBFS or loudest >= LOUD_DBFS:
            word, style = "too loud", "bold red"
        elif loudest < QUIET_DBFS:
            word, style = "quiet", "yellow"
        else:
            word, style = "good", "green"
        text = Text(word, style=style)
        if self._dbfs and level != float("-inf"):
            text.append(f" ({level:.0f} dBFS)", style="dim")
        return text


def _wait_for_enter(stop: threading.Event, done: threading.Event) -> None:
    """Set ``stop`` when Enter is pressed; return when ``done`` is set."""
    fd = sys.stdin.fileno()
    with _cbreak(fd):
        while not done.is_set():
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready and os.read(fd, 1) in (b"\n", b"\r"):
                stop.set()
                return


@contextlib.contextmanager
def _cbreak(fd: int):
    """Keys arrive one at a time and are not echoed; Ctrl-C still interrupts."""
    try:
        import termios
        import tty
    except ImportError:  # not POSIX: keys arrive as the platform delivers them
        yield
        return
    try:
        saved = termios.tcgetattr(fd)
    except termios.error:  # not a terminal: nothing to set
        yield
        return
    try:
        tty.setcbreak(fd)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def play_answer(console: Console, audio, report: dict, *, start_s: float = 0.0,
                title: str | None = None, live: bool | None = None,
                device: int | str | None = None) -> bool:
    """Play 16 kHz mono ``audio`` from ``start_s`` to its end with the words following.

    Returns True when played to the end, False when stopped with Ctrl-C. ``title`` is
    printed first, once the start is known to be good; ``live`` as for ``FollowView``;
    ``device`` the output device (None: the default). Raises AudioError for a start
    outside the audio, DeviceError when nothing can play.
    """
    from mockview.playback import play

    total_s = audio.size / SAMPLE_RATE
    _check_start(start_s, total_s)
    if title:
        console.print(title, highlight=False, markup=False)
    where = (f"the whole answer ({_at(total_s)})" if start_s == 0
             else f"from {_at(start_s)} to the end ({_at(total_s)})")
    console.print(Text(f"Playing {where}. Ctrl-C stops.", style="dim"))
    follow = FollowView(console, report, total_s=total_s, start_s=start_s, live=live)
    try:
        with follow:
            reached = play(audio, start_s=start_s, on_position=follow.update,
                           device=device)
    except KeyboardInterrupt:  # between blocks, or while the display was drawn
        reached = follow.position
    if reached < total_s:
        console.print(f"Stopped at {_at(reached)} of {_at(total_s)}.", highlight=False)
        return False
    console.print(f"Played to the end ({_at(total_s)}).", highlight=False)
    return True


def play_moments(console: Console, audio, report: dict, *, kind: MomentKind | None = None,
                 start_s: float = 0.0, context_s: float = CONTEXT_S,
                 title: str | None = None, live: bool | None = None,
                 device: int | str | None = None) -> bool:
    """Play each filler and/or long pause of ``report`` with ``context_s`` on each side.

    ``kind`` "filler" or "pause" plays only those; None plays both, in time order. Each is
    announced first ("filler 3 of 9: “um” at 0:42", numbered among its kind in the whole
    answer); with ``start_s`` only those from there on are played. Returns False when
    stopped with Ctrl-C (the rest are skipped), True otherwise, also when there is none.
    ``title``, ``live`` and ``device`` as for ``play_answer``.
    """
    from mockview.playback import moment_span, moments, play

    total_s = audio.size / SAMPLE_RATE
    _check_start(start_s, total_s)
    if title:
        console.print(title, highlight=False, markup=False)
    found = moments(report, kind)
    counts = {name: sum(m.kind == name for m in found) for name in MOMENT_NAMES}
    numbered, seen = [], dict.fromkeys(MOMENT_NAMES, 0)
    for moment in found:
        seen[moment.kind] += 1
        if moment.start_s >= start_s:
            numbered.append((moment, seen[moment.kind], counts[moment.kind]))
    if not numbered:
        what = (MOMENT_NAMES[kind][1] if kind else "fillers or long pauses")
        after = f" from {_at(start_s)} on" if start_s > 0 and found else ""
        console.print(f"No {what}{after} in this answer: nothing to play.", highlight=False)
        return True
    done = 0
    try:
        for moment, number, count in numbered:
            console.print(announcement(moment, number, count), highlight=False)
            begin_s, end_s = moment_span(moment, total_s, context_s=context_s)
            follow = FollowView(console, report, total_s=total_s, start_s=begin_s, live=live)
            with follow:
                reached = play(audio, start_s=begin_s, end_s=end_s, on_position=follow.update,
                               device=device)
            if reached < end_s:
                break
            done += 1
    except KeyboardInterrupt:
        pass
    if done == len(numbered):
        return True
    left = len(numbered) - done - 1
    skipped = {0: "", 1: " Skipped the one after it."}.get(left, f" Skipped the {left} after it.")
    console.print("Stopped." + skipped, highlight=False)
    return False


def announcement(moment: Moment, number: int, count: int) -> str:
    """"filler 3 of 9: “um” at 0:42", "long pause 1 of 2: 1.9 s at 1:05"."""
    name = MOMENT_NAMES[moment.kind][0]
    # a pause's label carries its stored duration, as the transcript and tips show it
    what = (f"“{moment.label.strip(' ,.;:!?').lower()}”" if moment.kind == "filler"
            else moment.label.removesuffix(" pause"))
    return f"{name} {number} of {count}: {what} at {clock(moment.start_s)}"


class FollowView:
    """The playback position and the words being heard; pass ``update`` as ``on_position``.

    ``live`` (default: whether ``console`` is a terminal) redraws one display in place: the
    position against ``total_s`` with a bar, and the last few words heard, the newest in
    bold and fillers in yellow. Without it, a plain line is printed every
    ``PLAIN_LINE_EVERY_S`` seconds of playback and when it closes, with the words heard
    since the line before ("0:05 / 1:20  so I started out in college"), so a log or a
    pipe gets the transcript with its times rather than redraw codes.
    """

    def __init__(self, console: Console, report: dict, *, total_s: float,
                 start_s: float = 0.0, live: bool | None = None):
        self.console = console
        self.total_s = total_s
        self.start_s = start_s
        self.position = start_s
        self.live = console.is_terminal if live is None else live
        transcript = report.get("transcript") or {}
        # Words that end before the start are not heard; one cut by the start partly is.
        self.words = [w for w in transcript.get("words") or [] if w["end_s"] > start_s]
        fillers = ((report.get("metrics") or {}).get("fillers") or {}).get("items") or []
        self._filler_spans = [(f["start_s"], f["end_s"]) for f in fillers
                              if "start_s" in f and "end_s" in f]
        self._shown = 0  # plain lines: words[:_shown] are printed
        self._line_at_s = start_s  # the position of the last plain line
        self._next_line_s = start_s + PLAIN_LINE_EVERY_S
        self._live = (Live(self, console=console, transient=True, refresh_per_second=10)
                      if self.live else None)

    def update(self, position_s: float) -> None:
        self.position = position_s
        if not self.live and position_s >= self._next_line_s:
            self._print_line()
            while self._next_line_s <= position_s:
                self._next_line_s += PLAIN_LINE_EVERY_S

    def heard(self) -> list[dict]:
        """The words that have started playing, in order."""
        return [w for w in self.words if w["start_s"] <= self.position]

    def __enter__(self) -> FollowView:
        if self._live is not None:
            self._live.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._live is not None:
            self._live.stop()
        elif self.position > self._line_at_s:  # what was heard since the last line
            self._print_line()

    def _print_line(self) -> None:
        heard = self.heard()
        words = join_words(w["text"] for w in heard[self._shown:])
        self._shown = len(heard)
        self._line_at_s = self.position
        self.console.print(f"{_at(self.position)} / {_at(self.total_s)}  {words}".rstrip(),
                           highlight=False, markup=False, soft_wrap=True)

    def __rich__(self) -> Group:
        share = min(1.0, self.position / self.total_s) if self.total_s else 1.0
        done = round(PROGRESS_WIDTH * share)
        status = Text.assemble(("▶ ", "green"), f"{_at(self.position)} / {_at(self.total_s)} ",
                               ("━" * done, "green"), ("─" * (PROGRESS_WIDTH - done), "dim"))
        heard = self.heard()[-FOLLOW_WORDS:]
        words = Text("  ")
        for number, word in enumerate(heard):
            newest = number == len(heard) - 1 and word["end_s"] + 0.3 >= self.position
            style = ("yellow" if self._is_filler(word) else "") + (" bold" if newest else "")
            words.append((" " if number and not joins_previous(word["text"]) else "")
                         + word["text"])
            words.stylize(style.strip(), len(words) - len(word["text"]))
        return Group(status, words)

    def _is_filler(self, word: dict) -> bool:
        return any(start - 0.01 <= word["start_s"] < end for start, end in self._filler_spans)


def _check_start(start_s: float, total_s: float) -> None:
    if not 0 <= start_s < total_s:
        raise AudioError(f"Cannot start at {_at(start_s)}: the recording is {_at(total_s)} "
                         f"long. Start between 0:00 and {_at(total_s)}.")


def _at(seconds: float) -> str:
    """0:42 for whole seconds, 0:42.5 otherwise: a position precise enough to act on."""
    tenths = round(seconds, 1)
    if tenths == int(tenths):
        return clock(tenths)
    return f"{int(tenths // 60)}:{tenths % 60:04.1f}"


def _span(target) -> str:
    return f"{clock(target.min_s)}–{clock(target.max_s)}"


def _short(text: str, limit: int = 50) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
