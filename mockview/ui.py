"""The terminal face of a practice session (``mockview practice``), drawn with rich.

``TerminalUI`` implements ``practice.PracticeUI``. With ``interactive`` it reads single key
presses: Enter stops a recording, and a key picks what to do after the feedback. Without it
(``--no-input``, or standard input not a terminal) it never waits for a key, and with
``--json`` it writes everything for people to standard error so that standard output holds
only the JSON.
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
import threading
import time

from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from mockview.analysis.text import clock
from mockview.practice import Action, Take
from mockview.recording import SILENCE_DBFS, LevelReading

#: A warning appears when no sound has come in for this long.
NO_SOUND_WARNING_S = 3.0
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


class TerminalUI:
    """Shows the session on ``console``; reads keys from the terminal when ``interactive``."""

    def __init__(self, console: Console, *, interactive: bool):
        self.console = console
        self.interactive = interactive

    def show_question(self, question, number: int, total: int, take_no: int,
                      time_limit_s: float) -> None:
        retry = f" · take {take_no}" if take_no > 1 else ""
        title = f"Question {number} of {total}{retry}"
        kind = (question.kind if question.kind == question.category
                else f"{question.category} · {question.kind}")
        detail = Text(f"{kind} question · aim for "
                      f"{_span(question.length_target)} · stops at {clock(time_limit_s)}",
                      style="dim")
        self.console.print()
        self.console.print(Panel(Group(Text(question.text, style="bold"), detail),
                                 title=title, title_align="left", border_style="cyan"))

    def prepare(self, seconds: float) -> None:
        if seconds <= 0:
            return
        with Live(console=self.console, transient=True, refresh_per_second=8) as live:
            end = time.monotonic() + seconds
            while (left := end - time.monotonic()) > 0:
                live.update(Text(f"Think about your answer… recording starts in {left:.0f} s",
                                 style="yellow"))
                time.sleep(min(0.1, left))

    def recording(self, time_limit_s: float) -> _RecordingView:
        return _RecordingView(self.console, time_limit_s, read_keys=self.interactive)

    def show_feedback(self, take: Take) -> None:
        from mockview.render.terminal import render_report

        render_report(take.report, self.console)
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
        from mockview.audio import load_audio
        from mockview.playback import moments as find_moments
        from mockview.playback import play, play_moment

        audio = load_audio(take.audio_path)
        if not moments:
            self.console.print(Text(f"Playing the whole answer ({clock(audio.size / 16000)}). "
                                    "Ctrl-C stops.", style="dim"))
            with _Follow(self.console, take.report) as follow:
                play(audio, on_position=follow.update)
            return
        found = find_moments(take.report)
        if not found:
            self.console.print("No fillers or long pauses to play: well done.")
            return
        for number, moment in enumerate(found, start=1):
            self.console.print(f"{moment.kind} {number} of {len(found)}: "
                               f"“{moment.label}” at {clock(moment.start_s)}")
            reached = play_moment(audio, moment)
            if reached < min(moment.end_s, audio.size / 16000) - 0.01:
                break  # stopped with Ctrl-C: skip the rest

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
        latest: dict[int, list] = {}
        for take in session.takes:
            latest.setdefault(take.answer_no, []).append(take)
        for answer_no, takes in latest.items():
            last = takes[-1]
            verdict = (last.length_verdict or "not judged").replace("_", " ")
            pace = "—" if last.words_per_minute is None else f"{last.words_per_minute:.0f}"
            table.add_row(str(answer_no), _short(last.question_text or ""), str(len(takes)),
                          f"{clock(last.duration_s)} ({verdict})",
                          f"{last.fillers_per_minute:.1f}", pace, str(last.long_pause_count))
        self.console.print(table)
        if comparison is not None:
            self.console.print(Text("Compared with your previous session:", style="bold"))
            render_comparison(comparison, self.console)
        self.console.print(Text(f"Saved. See it again with: mockview show "
                                f"{session.summary.session_id} · your trend: mockview progress",
                                style="dim"))


class _RecordingView:
    """The live meter while recording; Enter (read in a thread) sets ``stop``."""

    def __init__(self, console: Console, time_limit_s: float, *, read_keys: bool):
        self.console = console
        self.time_limit_s = time_limit_s
        self.stop = threading.Event()
        self.reading: LevelReading | None = None
        self.quiet_since_s = 0.0
        self._read_keys = read_keys
        self._done = threading.Event()
        self._live = Live(self, console=console, transient=True, refresh_per_second=10)
        self._keys: threading.Thread | None = None

    def level(self, reading: LevelReading) -> None:
        if reading.rms_dbfs > SILENCE_DBFS:
            self.quiet_since_s = reading.elapsed_s
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
            f" {'silence' if level == float('-inf') else f'{level:.0f} dBFS'}",
        )
        lines = [meter, Text("Press Enter to stop." if self._read_keys else
                             "Recording until the time limit or a silence stop.", style="dim")]
        if elapsed - self.quiet_since_s >= NO_SOUND_WARNING_S:
            lines.append(Text(f"No sound for {elapsed - self.quiet_since_s:.0f} s: is the "
                              "microphone muted or the wrong one? (see: mockview devices)",
                              style="bold yellow"))
        return Group(*lines)


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


class _Follow:
    """Shows the playback position and the words being played."""

    def __init__(self, console: Console, report: dict):
        self.words = report["transcript"]["words"]
        self.position = 0.0
        self._live = Live(self, console=console, transient=True, refresh_per_second=10)

    def update(self, position_s: float) -> None:
        self.position = position_s

    def __enter__(self) -> _Follow:
        self._live.start()
        return self

    def __exit__(self, *exc) -> None:
        self._live.stop()

    def __rich__(self) -> Text:
        spoken = [w for w in self.words if w["start_s"] <= self.position]
        recent = " ".join(w["text"] for w in spoken[-12:])
        return Text.assemble(("▶ ", "green"), f"{clock(self.position)}  ", (recent, "bold"))


def _span(target) -> str:
    return f"{clock(target.min_s)}–{clock(target.max_s)}"


def _short(text: str, limit: int = 50) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
