"""Playing an answer back: the whole take, or just the moments worth hearing again.

``moments`` picks the fillers and long pauses out of a report (the JSON schema) and
``play_moment`` plays one with a little context on each side. ``play`` sends 16 kHz mono
audio to the output device in 50 ms blocks, so a stop event or Ctrl-C ends it within a
block. ``take_audio`` loads a stored take's recording (saying where a missing one was
expected) and ``parse_position`` reads a start such as "0:42" (``mockview play --from``).
sounddevice and numpy are imported inside functions so that importing this module costs
nothing on the CLI's start-up path.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from mockview import numbers
from mockview.chatter import captured
from mockview.errors import AudioError, DeviceError
from mockview.recording import _list_devices_again, _sounddevice, device_failure
from mockview.soundsystem import no_device
from mockview.speech.audio import SAMPLE_RATE, load_audio

if TYPE_CHECKING:
    import numpy as np

    from mockview.records import TakeRecord

logger = logging.getLogger("mockview")

BLOCK_S = 0.05
#: Seconds of the answer played before and after a filler or a long pause.
CONTEXT_S = 1.5
MomentKind = Literal["filler", "pause"]
_POSITION = re.compile(r"^(?:(\d+):)?(?:(\d+):)?(\d+(?:\.\d*)?|\.\d+)$")


@dataclass(frozen=True)
class OutputDevice:
    """One output device as PortAudio sees it."""

    index: int
    name: str
    channels: int
    default_samplerate: float
    is_default: bool

    def to_dict(self) -> dict:
        return {"index": self.index, "name": self.name, "channels": self.channels,
                "default_samplerate": self.default_samplerate, "is_default": self.is_default}


def list_output_devices() -> list[OutputDevice]:
    """Every device with at least one output channel, the default one marked."""
    sd = _sounddevice()
    default = _default_output_index(sd)
    return [
        OutputDevice(index=info["index"], name=info["name"],
                     channels=int(info["max_output_channels"]),
                     default_samplerate=float(info["default_samplerate"]),
                     is_default=info["index"] == default)
        for info in sd.query_devices()
        if info["max_output_channels"] > 0
    ]


def check_output_device(device: int | str | None = None) -> OutputDevice:
    """The output device ``device`` names (an index, (part of) a name, None: the default),
    or DeviceError saying which there are; it is not opened."""
    info = _output_device(_sounddevice(), device)
    return next(d for d in list_output_devices() if d.index == info["index"])


@dataclass(frozen=True)
class Moment:
    """A filler or a long pause in an answer; ``label`` is what to call it ("um")."""

    kind: MomentKind
    label: str
    start_s: float
    end_s: float


def moments(report: dict, kind: MomentKind | None = None) -> list[Moment]:
    """Every filler and every long pause of ``report``, in the order they were spoken.

    ``kind`` keeps only fillers or only pauses. A report without those metrics (or an
    item without times) gives no moments rather than an error.
    """
    if kind not in (None, "filler", "pause"):
        raise ValueError(f"kind must be 'filler', 'pause' or None, not {kind!r}")
    metrics = report.get("metrics") or {}
    found = []
    if kind in (None, "filler"):
        for item in _items(metrics, "fillers"):
            found.append(Moment("filler", str(item.get("text", "")),
                                item["start_s"], item["end_s"]))
    if kind in (None, "pause"):
        for item in _items(metrics, "pauses"):
            if item.get("long"):
                duration_s = item.get("duration_s", item["end_s"] - item["start_s"])
                found.append(Moment("pause", f"{numbers.seconds(duration_s)} pause",
                                    item["start_s"], item["end_s"]))
    return sorted(found, key=lambda moment: (moment.start_s, moment.end_s))


def _items(metrics: dict, name: str) -> list[dict]:
    items = (metrics.get(name) or {}).get("items") or []
    return [item for item in items if "start_s" in item and "end_s" in item]


def play(
    path_or_array: str | os.PathLike | np.ndarray,
    *,
    start_s: float = 0.0,
    end_s: float | None = None,
    stop: threading.Event | None = None,
    on_position: Callable[[float], None] | None = None,
    device: int | str | None = None,
) -> float:
    """Play 16 kHz mono audio from ``start_s`` to ``end_s`` (default: its end).

    ``path_or_array`` is a recording (any format ``load_audio`` reads) or an already
    loaded float32 array. Stops early when ``stop`` is set or on Ctrl-C. ``on_position``
    is called with the position in seconds after each block is sent. Returns the position
    reached: ``end_s`` when played to the end.
    """
    import numpy as np

    audio = _as_mono(path_or_array)
    duration_s = audio.size / SAMPLE_RATE
    if not 0 <= start_s < duration_s:
        raise AudioError(f"Cannot play from {start_s:.2f} s: the audio is "
                         f"{duration_s:.2f} s long. Start between 0 and {duration_s:.2f} s.")
    end_s = duration_s if end_s is None else min(end_s, duration_s)
    if end_s <= start_s:
        raise AudioError(f"Nothing to play from {start_s:.2f} s to {end_s:.2f} s. "
                         "Give an end after the start.")
    stop = stop or threading.Event()
    sd = _sounddevice()
    info = _output_device(sd, device)
    first = int(round(start_s * SAMPLE_RATE))
    samples = audio[first:int(round(end_s * SAMPLE_RATE))]
    block = int(SAMPLE_RATE * BLOCK_S)
    name = f"output device {info['index']}: {info['name']}"
    sent = 0
    with captured() as chatter:  # PortAudio and ALSA complain on fd 2
        try:
            stream = sd.OutputStream(device=info["index"], samplerate=SAMPLE_RATE, channels=1,
                                     dtype="float32", blocksize=block)
        except sd.PortAudioError as error:
            raise device_failure(f"Cannot open {name}", error, chatter,
                                 option="--output-device") from None
        try:
            stream.start()
            while sent < samples.size and not stop.is_set():
                chunk = np.ascontiguousarray(samples[sent:sent + block])
                stream.write(chunk)
                sent += chunk.size
                if on_position is not None:
                    on_position((first + sent) / SAMPLE_RATE)
            if sent == samples.size:
                stream.stop()  # let the device play what is buffered
        except KeyboardInterrupt:
            pass
        except sd.PortAudioError as error:
            _list_devices_again()
            raise device_failure(f"Playing on {name} failed", error, chatter,
                                 option="--output-device") from None
        finally:
            try:
                stream.abort()
                stream.close()
            except Exception:  # a lost device can fail to close; the position is still known
                logger.debug("closing the output stream failed", exc_info=True)
    return end_s if sent == samples.size else (first + sent) / SAMPLE_RATE


def play_moment(
    audio: str | os.PathLike | np.ndarray, moment: Moment, *, context_s: float = CONTEXT_S,
    **kwargs
) -> float:
    """Play ``moment`` with ``context_s`` of the answer on each side; returns as ``play``.

    Played to its end, it returns exactly the end of ``moment_span``; less means stopped.
    """
    audio = _as_mono(audio)
    start_s, end_s = moment_span(moment, audio.size / SAMPLE_RATE, context_s=context_s)
    return play(audio, start_s=start_s, end_s=end_s, **kwargs)


def moment_span(moment: Moment, duration_s: float, *,
                context_s: float = CONTEXT_S) -> tuple[float, float]:
    """(start_s, end_s) that ``play_moment`` plays: the moment and its context, clipped."""
    return max(0.0, moment.start_s - context_s), min(duration_s, moment.end_s + context_s)


def parse_position(text: str) -> float:
    """Seconds from a position as people write it: "42", "42.5", "0:42" or "1:02:03".

    Raises ValueError with a message that gives the value and the accepted forms.
    """
    match = _POSITION.match(text.strip())
    if match is None:
        raise ValueError(f"Give seconds (42) or minutes:seconds (0:42), not {text!r}.")
    first, second, seconds = match.groups()
    hours, minutes = (first, second) if second is not None else (None, first)
    if (minutes is not None and float(seconds) >= 60) or (hours is not None
                                                           and int(minutes) >= 60):
        raise ValueError(f"{text!r} is not a time: after a colon, minutes and seconds go "
                         "from 0 to 59 (1:15, not 0:75).")
    return int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds)


def take_audio(take: TakeRecord) -> np.ndarray:
    """The stored recording of ``take`` as 16 kHz mono, or AudioError saying where it
    should have been (the report itself is still in the store)."""
    which = f"session {take.session_id}, answer {take.answer_no}, take {take.take_no}"
    still_there = f"Its report is still there: mockview show {take.session_id}"
    path = take.audio_path
    if path is None:
        raise AudioError(f"There is no recording of {which}: it was saved without audio. "
                         f"{still_there}")
    if not os.path.exists(path):
        raise AudioError(f"The recording of {which} is missing: it was expected at {path}. "
                         f"{still_there}")
    try:
        return load_audio(path)
    except AudioError as error:
        raise AudioError(f"The recording of {which} cannot be played: {error} "
                         f"{still_there}") from None


def _as_mono(path_or_array) -> np.ndarray:
    import numpy as np

    if isinstance(path_or_array, (str, os.PathLike)):
        return load_audio(path_or_array)
    audio = np.asarray(path_or_array, dtype=np.float32)
    if audio.ndim != 1:
        raise AudioError(f"Expected 16 kHz mono audio (one dimension), got an array of shape "
                         f"{audio.shape}. Load it with mockview.speech.audio.load_audio.")
    return audio


def _output_device(sd, device: int | str | None) -> dict:
    """The sounddevice info of the output ``device``: an index, (part of) a name, or None."""
    outputs = [info for info in sd.query_devices() if info["max_output_channels"] > 0]
    if not outputs:
        raise DeviceError(no_device(output=True))
    if device is None or device == "":
        device = _default_output_index(sd)
        if device is None:
            raise DeviceError("No default output device. Set one in your system's sound "
                              "settings, or pick one with --output-device "
                              "(see: mockview devices).")
    if isinstance(device, int) or str(device).strip().isdigit():
        match = [info for info in outputs if info["index"] == int(device)]
    else:
        wanted = str(device).casefold()
        match = ([info for info in outputs if info["name"].casefold() == wanted]
                 or [info for info in outputs if wanted in info["name"].casefold()])
    if len(match) == 1:
        return match[0]
    listed = ", ".join(f"{info['index']}: {info['name']}" for info in match or outputs)
    if not match:
        raise DeviceError(f"No output device {device!r}. Output devices: {listed} "
                          "(see: mockview devices).")
    raise DeviceError(f"{device!r} matches several output devices: {listed}. Give its index "
                      "(see: mockview devices).")


def _default_output_index(sd) -> int | None:
    try:
        index = sd.default.device[1]
    except Exception:  # sounddevice raises PortAudioError or ValueError here
        return None
    return index if isinstance(index, int) and index >= 0 else None
