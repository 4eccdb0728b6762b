"""Holding back what PortAudio and ALSA print on their own, and telling it in one line.

The C libraries under sounddevice write their diagnostics straight to file descriptor 2,
past Python's ``sys.stderr``: a dozen lines such as ``Expression 'AlsaOpen(...)' failed in
'src/hostapi/alsa/pa_linux_alsa.c', line: 1904`` and ``ALSA lib pulse.c:242:(pulse_connect)
PulseAudio: Unable to connect: Connection refused`` for one device that cannot open.
``captured()`` points fd 2 at a temporary file while devices are opened and used (Python's
own stderr stays on the terminal), and ``Chatter.reason`` picks the one line worth telling.
Whatever else reaches fd 2 meanwhile is passed on when the capture ends.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator

logger = logging.getLogger("mockview")

_ALSA = re.compile(r"^ALSA lib \S+:\d+:\(\w+\) (?P<said>.+)$")
_LIBRARY_LINE = re.compile(
    r"^(ALSA lib |Expression '.*' failed in |PaAlsa|Jack|jack|Cannot connect to server)"
    r"|pa_linux_alsa\.c|JackShm")
#: What the audio libraries say when the sound server (PulseAudio, PipeWire) is gone.
_SERVER_GONE = re.compile(r"Unable to connect|Connection refused|Connection terminated",
                          re.IGNORECASE)

_lock = threading.Lock()
_active: _Capture | None = None


class Chatter:
    """What the audio libraries wrote to fd 2 since this capture began."""

    def __init__(self, capture: _Capture | None):
        self._capture = capture
        self._start = capture.size() if capture else 0
        self._text = ""

    def lines(self) -> list[str]:
        if self._capture is not None:
            return self._capture.read(self._start).splitlines()
        return self._text.splitlines()

    def _keep(self) -> None:
        """Keep what was said so far, to read after the capture has ended."""
        if self._capture is not None:
            self._text = self._capture.read(self._start)
            self._capture = None

    def reason(self) -> str | None:
        """The telling line: ALSA's own words ("PulseAudio: Unable to connect: Connection
        refused") rather than PortAudio's trail of failed expressions; None if silent."""
        said = [match["said"].strip() for line in self.lines()
                if (match := _ALSA.match(line.strip()))]
        return said[0] if said else None

    def server_gone(self) -> bool:
        """True when the libraries said the sound server cannot be reached."""
        reason = self.reason()
        return reason is not None and _SERVER_GONE.search(reason) is not None


@contextlib.contextmanager
def captured() -> Iterator[Chatter]:
    """Hold back the audio libraries' own output on fd 2 for the ``with`` block.

    Nested and concurrent uses share one capture; fd 2 is restored when the last ends.
    Where fd 2 cannot be redirected, nothing is held back and the chatter is empty.
    """
    global _active
    with _lock:
        if _active is None:
            _active = _Capture.start()
        capture = _active
        if capture is not None:
            capture.users += 1
    chatter = Chatter(capture)
    try:
        yield chatter
    finally:
        chatter._keep()
        if capture is not None:
            with _lock:
                capture.users -= 1
                if capture.users == 0:
                    _active = None
                    capture.stop()


class _Capture:
    """fd 2 pointed at a temporary file, and Python's stderr kept on the original."""

    def __init__(self, file, saved_fd: int, python_stderr, ours):
        self.file = file
        self.saved_fd = saved_fd
        self.python_stderr = python_stderr  # the sys.stderr replaced by ``ours``, or None
        self.ours = ours
        self.users = 0

    @classmethod
    def start(cls) -> _Capture | None:
        if not hasattr(os, "pread"):  # not a POSIX system: nothing is held back
            return None
        try:
            sys.stderr.flush()
        except (AttributeError, OSError, ValueError):
            pass
        try:
            file = tempfile.TemporaryFile()
            saved_fd = os.dup(2)
        except OSError:
            logger.debug("cannot capture fd 2", exc_info=True)
            return None
        python_stderr = ours = None
        if _writes_to_fd_2(sys.stderr):
            # Python's own messages (the meter, notices) must still reach the terminal
            python_stderr = sys.stderr
            ours = open(os.dup(saved_fd), "w", buffering=1,  # noqa: SIM115
                        encoding=getattr(python_stderr, "encoding", None) or "utf-8",
                        errors="backslashreplace")
            sys.stderr = ours
        os.dup2(file.fileno(), 2)
        return cls(file, saved_fd, python_stderr, ours)

    def size(self) -> int:
        return os.fstat(self.file.fileno()).st_size

    def read(self, start: int) -> str:
        return os.pread(self.file.fileno(), max(0, self.size() - start),
                        start).decode("utf-8", "replace")

    def stop(self) -> None:
        os.dup2(self.saved_fd, 2)
        os.close(self.saved_fd)
        if self.ours is not None:
            self.ours.flush()
            if sys.stderr is self.ours:  # else someone replaced it since: leave theirs
                sys.stderr = self.python_stderr
                self.ours.close()
        others = [line for line in self.read(0).splitlines()
                  if line.strip() and not _LIBRARY_LINE.search(line)]
        self.file.close()
        if others:  # not the audio libraries' chatter: not ours to hide
            print("\n".join(others), file=sys.stderr)


def _writes_to_fd_2(stream) -> bool:
    try:
        return stream.fileno() == 2
    except (AttributeError, OSError, ValueError):  # pytest's capture, a closed stream
        return False
