"""Why no audio device works here, and what to do about it: ``mockview doctor``'s advice.

A failed device check says what failed; the next step depends on why. On Linux the
usual causes are a sound server (PipeWire or PulseAudio) that is not running or not this
user's, sound devices the user may not open (not in the audio group), a microphone that
is not connected, or one busy in another program. ``next_step`` looks at the machine
(the server's socket, ``/dev/snd``) and returns the one step to take.
"""

from __future__ import annotations

import errno
import os
import shutil
import socket
import sys
from pathlib import Path
from typing import Literal

ServerState = Literal["running", "not running", "refused"]
DEV_SND = Path("/dev/snd")
START_SERVER = ("Start the sound server: systemctl --user start pipewire pipewire-pulse "
                "(PipeWire) or pulseaudio --start (PulseAudio), or log in to a desktop "
                "session; then try again.")


def sound_server() -> tuple[ServerState, Path] | None:
    """The state of the PipeWire/PulseAudio server this user would reach, and its socket.

    None where there is none to look for (not Linux, no runtime folder).
    """
    sockets = _server_sockets()
    if not sockets:
        return None
    if not any(path.exists() for path in sockets) and not _server_installed():
        return None  # plain ALSA: there is no server to start
    state: ServerState = "not running"
    for path in sockets:
        found = _connect(path)
        if found == "running":
            return found, path
        if found == "refused":
            state = found
    return state, sockets[0]


def no_device(*, output: bool = False) -> str:
    """The message for no input (or ``output``) device at all, with the step to take."""
    what = "output" if output else "input"
    return f"No {what} device found. {next_step(no_device=True, busy=False, output=output)}"


def next_step(*, no_device: bool, busy: bool, output: bool = False) -> str:
    """The one thing to do when the input (or ``output``) device check failed.

    ``no_device``: PortAudio listed none; ``busy``: the device exists but would not open.
    """
    option = "--output-device" if output else "--device"
    server = sound_server()
    if server is not None and server[0] == "not running":
        return START_SERVER
    if server is not None and server[0] == "refused":
        return (f"The sound server at {server[1]} refuses this user: run mockview as the "
                "user logged in to the desktop (not with sudo).")
    unusable = _unusable_sound_devices()
    if unusable:
        return (f"You may not open the sound devices ({unusable[0]}): add yourself to the "
                "audio group (sudo usermod -aG audio $USER), then log out and in again.")
    if busy:
        what = "speakers" if output else "microphone"
        return (f"Close the program using the {what} (a call or a recorder), or pick "
                f"another with {option} (see: mockview devices).")
    if no_device and output:
        return ("Connect speakers or headphones and unmute them in the system's sound "
                "settings; mockview devices should then list them.")
    if no_device:
        return ("Connect a microphone and unmute it in the system's sound settings; "
                "mockview devices should then list it.")
    return f"Pick another device with {option} (see: mockview devices)."


def _server_sockets() -> list[Path]:
    if not sys.platform.startswith("linux"):
        return []
    named = os.environ.get("PULSE_SERVER", "")
    sockets = [Path(part.removeprefix("unix:")) for part in named.split()
               if part.startswith(("unix:", "/"))]
    if sockets or named:  # a server named over TCP is not ours to probe
        return sockets
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if not runtime:
        return []
    return [Path(runtime) / "pulse" / "native", Path(runtime) / "pipewire-0"]


def _server_installed() -> bool:
    return any(shutil.which(name) for name in ("pipewire", "pulseaudio"))


def _connect(path: Path) -> ServerState:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        try:
            probe.connect(str(path))
        except PermissionError:
            return "refused"
        except OSError as error:
            if error.errno == errno.EACCES:
                return "refused"
            return "not running"
    return "running"


def _unusable_sound_devices() -> list[Path]:
    """The sound device files this user may not open (none when there are none)."""
    try:
        devices = sorted(DEV_SND.iterdir())
    except OSError:
        return []
    return [path for path in devices if not os.access(path, os.R_OK | os.W_OK)]
