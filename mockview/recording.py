"""Recording an answer from the microphone straight to a 16 kHz mono WAV file.

The PortAudio callback only copies each block into a queue; a writer thread converts the
blocks to mono at the model's rate and writes them to disk as they arrive, flushing at
least once a second, so a crash loses at most a second and memory stays flat however long
the answer. sounddevice, numpy and soundfile are imported inside functions so that
importing this module costs nothing on the CLI's start-up path.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from mockview.chatter import Chatter, captured
from mockview.errors import DeviceError, RecordingWriteError
from mockview.files import why_writing_failed
from mockview.soundsystem import START_SERVER, no_device
from mockview.speech.audio import SAMPLE_RATE

if TYPE_CHECKING:
    import numpy as np

logger = logging.getLogger("mockview")

StoppedBy = Literal["stop", "time_limit", "silence", "device_lost", "interrupted"]

SILENCE_DBFS = -50.0
"""A block quieter than this is silence (a quiet room with a laptop microphone is ~-60)."""
SPEECH_DBFS = -40.0
"""A block louder than this counts as speech having started, for the silence stop."""
FLUSH_INTERVAL_S = 0.5
DEVICE_LOST_AFTER_S = 2.0
"""No block for this long from a running stream means the device went away."""
BLOCK_S = 0.05
PORTAUDIO_MISSING = (
    "PortAudio is not installed. On Debian/Ubuntu: sudo apt-get install libportaudio2"
)


@dataclass(frozen=True)
class InputDevice:
    """One input device as PortAudio sees it."""

    index: int
    name: str
    channels: int
    default_samplerate: float
    is_default: bool

    def to_dict(self) -> dict:
        return {"index": self.index, "name": self.name, "channels": self.channels,
                "default_samplerate": self.default_samplerate, "is_default": self.is_default}


@dataclass(frozen=True)
class LevelReading:
    """The level of one block of input, for a meter: ``elapsed_s`` into the take."""

    elapsed_s: float
    rms_dbfs: float
    peak_dbfs: float


@dataclass(frozen=True)
class RecordingResult:
    """What a finished take produced: the WAV file and how the recording went."""

    path: Path
    duration_s: float
    overflow_count: int
    peak_dbfs: float
    stopped_by: StoppedBy
    lost_reason: str | None = None  # for "device_lost": what the audio libraries said


# --- pure signal helpers (no devices) -----------------------------------------------------


def downmix(block: np.ndarray) -> np.ndarray:
    """A (frames,) or (frames, channels) block as mono float32: the mean of the channels."""
    import numpy as np

    block = np.asarray(block, dtype=np.float32)
    if block.ndim == 1:
        return block
    if block.shape[1] == 1:
        return block[:, 0]
    return block.mean(axis=1, dtype=np.float32)


def level_dbfs(block: np.ndarray) -> tuple[float, float]:
    """(rms_dbfs, peak_dbfs) of a float block in [-1, 1]; -inf for digital silence."""
    import numpy as np

    if block.size == 0:
        return float("-inf"), float("-inf")
    samples = np.asarray(block, dtype=np.float64)
    rms = float(np.sqrt(np.mean(samples**2)))
    peak = float(np.max(np.abs(samples)))
    return _db(rms), _db(peak)


def _db(amplitude: float) -> float:
    import math

    return 20 * math.log10(amplitude) if amplitude > 0 else float("-inf")


class StreamResampler:
    """Resample consecutive blocks from ``from_hz`` to ``to_hz`` without seams.

    soxr keeps its filter state between blocks, so the joined output equals resampling
    the whole signal at once (up to the filter delay flushed by ``finish``).
    """

    def __init__(self, from_hz: float, to_hz: float = SAMPLE_RATE):
        self.passthrough = int(round(from_hz)) == int(to_hz)
        if not self.passthrough:
            import soxr

            self._stream = soxr.ResampleStream(from_hz, to_hz, 1, dtype="float32")

    def process(self, mono: np.ndarray) -> np.ndarray:
        if self.passthrough:
            return mono
        return self._stream.resample_chunk(mono)

    def finish(self) -> np.ndarray:
        import numpy as np

        if self.passthrough:
            return np.zeros(0, dtype=np.float32)
        return self._stream.resample_chunk(np.zeros(0, dtype=np.float32), last=True)


# --- devices ------------------------------------------------------------------------------


_rescan = False  # a device went away: list the devices afresh before the next use


def _sounddevice():
    """Import sounddevice, turning a missing PortAudio library into a DeviceError.

    After a device was lost, PortAudio is restarted so that its list of devices is read
    again: a microphone plugged back in (or a restarted sound server) is found.
    """
    global _rescan
    with captured():  # PortAudio opens every device to list it, and complains on fd 2
        try:
            import sounddevice
        except OSError:
            raise DeviceError(PORTAUDIO_MISSING) from None
        if _rescan:
            _rescan = False
            try:
                sounddevice._terminate()
                sounddevice._initialize()
            except Exception:  # an old list is better than none; opening will tell
                logger.debug("restarting PortAudio failed", exc_info=True)
    return sounddevice


def _list_devices_again() -> None:
    global _rescan
    _rescan = True


def device_failure(doing: str, error: Exception | None, chatter: Chatter, *,
                   option: str) -> DeviceError:
    """One DeviceError for a device that failed while ``doing`` ("Cannot open input device
    3: USB Mic"): in the audio libraries' own words when they gave any, with what to do."""
    said = chatter.reason() or (str(error) if error is not None else None)
    reason = f" ({said})" if said else ""
    if chatter.server_gone():
        return DeviceError(f"{doing}: the sound server is not running{reason}. {START_SERVER}")
    return DeviceError(f"{doing}{reason}. It may be busy in another program: close that "
                       f"program, or pick another with {option} (see: mockview devices).")


def list_input_devices() -> list[InputDevice]:
    """Every device with at least one input channel, the default one marked."""
    sd = _sounddevice()
    default = _default_input_index(sd)
    return [
        InputDevice(index=info["index"], name=info["name"],
                    channels=int(info["max_input_channels"]),
                    default_samplerate=float(info["default_samplerate"]),
                    is_default=info["index"] == default)
        for info in sd.query_devices()
        if info["max_input_channels"] > 0
    ]


def _default_input_index(sd) -> int | None:
    try:
        index = sd.default.device[0]
    except Exception:  # sounddevice raises PortAudioError or ValueError here
        return None
    return index if isinstance(index, int) and index >= 0 else None


def resolve_device(device: int | str | None) -> InputDevice:
    """The input device for ``--device``: an index, (part of) a name, or None for default."""
    devices = list_input_devices()
    if not devices:
        raise DeviceError(no_device())
    if device is None or device == "":
        chosen = next((d for d in devices if d.is_default), None)
        if chosen is None:
            raise DeviceError(
                "No default input device. Pick one with --device (see: mockview devices)."
            )
        return chosen
    if isinstance(device, int) or str(device).strip().isdigit():
        index = int(device)
        match = [d for d in devices if d.index == index]
    else:
        wanted = str(device).casefold()
        exact = [d for d in devices if d.name.casefold() == wanted]
        match = exact or [d for d in devices if wanted in d.name.casefold()]
    if len(match) == 1:
        return match[0]
    known = ", ".join(f"{d.index}: {d.name}" for d in devices)
    if not match:
        raise DeviceError(f"No input device {device!r}. Input devices: {known} "
                          "(see: mockview devices).")
    raise DeviceError(f"{device!r} matches several input devices: "
                      f"{', '.join(f'{d.index}: {d.name}' for d in match)}. "
                      "Give its index (see: mockview devices).")


def _open_settings(sd, device: InputDevice) -> tuple[float, int]:
    """(rate_hz, channels) to open ``device`` with: 16 kHz mono where it allows."""
    channel_options = [1] + ([min(device.channels, 2)] if device.channels > 1 else [])
    with captured() as chatter:
        for rate in (SAMPLE_RATE, device.default_samplerate):
            for channels in channel_options:
                try:
                    sd.check_input_settings(device=device.index, samplerate=rate,
                                            channels=channels, dtype="float32")
                except Exception:  # PortAudioError or ValueError for an unsupported setting
                    continue
                return rate, channels
    if chatter.server_gone():  # the device is listed, but nothing can reach it
        raise device_failure(f"Cannot open input device {device.index}: {device.name}", None,
                             chatter, option="--device")
    raise DeviceError(
        f"Input device {device.index}: {device.name} cannot record at {SAMPLE_RATE} Hz or "
        f"{device.default_samplerate:g} Hz. Pick another with --device (see: mockview devices)."
    )


# --- recording ----------------------------------------------------------------------------


def record(
    path: str | os.PathLike,
    *,
    device: int | str | None = None,
    max_duration_s: float | None = None,
    stop: threading.Event | None = None,
    on_level: Callable[[LevelReading], None] | None = None,
    silence_stop_s: float | None = None,
    on_audio: Callable[[np.ndarray], None] | None = None,
) -> RecordingResult:
    """Record from ``device`` into a 16 kHz mono PCM_16 WAV at ``path`` until stopped.

    Stops when ``stop`` is set, after ``max_duration_s`` of audio, after ``silence_stop_s``
    of silence once speech has started, when the device goes away, or on Ctrl-C; in every
    case the take recorded so far is kept. ``on_level`` is called (from the writer thread)
    with the level of each block, and ``on_audio`` with each block of 16 kHz mono audio as it
    is written (the live transcriber listens there).
    """
    import soundfile

    sd = _sounddevice()
    chosen = resolve_device(device)
    rate_hz, channels = _open_settings(sd, chosen)
    path = Path(path)
    stop = stop or threading.Event()
    blocks: queue.Queue = queue.Queue()
    state = _TakeState()

    def callback(indata, frames, time_info, status):  # PortAudio thread: copy, count, go
        # stamped here, not by the writer: a writer held up by a slow disk is not a lost device
        state.last_block_at = time.monotonic()
        if status.input_overflow:
            state.overflow_count += 1
        blocks.put(indata.copy())

    with captured() as chatter:  # PortAudio and ALSA complain on fd 2
        try:
            stream = sd.InputStream(device=chosen.index, samplerate=rate_hz, channels=channels,
                                    dtype="float32", blocksize=int(rate_hz * BLOCK_S),
                                    callback=callback)
        except sd.PortAudioError as error:
            raise device_failure(f"Cannot open input device {chosen.index}: {chosen.name}",
                                 error, chatter, option="--device") from None
        try:
            output = soundfile.SoundFile(path, "w", samplerate=SAMPLE_RATE, channels=1,
                                         subtype="PCM_16", format="WAV")
        except (OSError, RuntimeError) as error:
            stream.close()
            raise DeviceError(f"Cannot write the recording to {path}: "
                              f"{why_writing_failed(path, error)}.") from None
        writer = threading.Thread(
            target=_write_blocks, name="mockview-writer", daemon=True,
            args=(blocks, output, StreamResampler(rate_hz), state, on_level, on_audio,
                  max_duration_s, silence_stop_s),
        )
        writer.start()
        stopped_by: StoppedBy | None = None
        try:
            try:
                stream.start()
            except sd.PortAudioError as error:
                raise device_failure(f"Cannot start recording from {chosen.name}", error,
                                     chatter, option="--device") from None
            started = time.monotonic()
            while stopped_by is None:
                if stop.wait(0.02):
                    stopped_by = "stop"
                elif state.stop_reason is not None:
                    stopped_by = state.stop_reason
                elif not stream.active or _silent_device(state, started):
                    stopped_by = "device_lost"
        except KeyboardInterrupt:
            stopped_by = "interrupted"
        finally:
            for close in (stream.abort, stream.close):  # close even when abort fails
                try:
                    close()
                except Exception:  # a lost device can fail to stop or close; the take is kept
                    logger.debug("%s of the input stream failed", close.__name__, exc_info=True)
            blocks.put(None)
            writer.join()
            _close(output, state)
    if state.error is not None:
        raise RecordingWriteError(
            f"Writing the recording to {path} failed: {why_writing_failed(path, state.error)}.",
            path=path, duration_s=state.duration_s)
    lost_reason = None
    if stopped_by == "device_lost":  # the caller tells the user, once
        _list_devices_again()
        lost_reason = chatter.reason()
        logger.debug("The input device %s stopped sending audio after %.1f s (%s).",
                     chosen.name, state.duration_s, lost_reason)
    return RecordingResult(path=path, duration_s=state.duration_s,
                           overflow_count=state.overflow_count,
                           peak_dbfs=state.peak_dbfs, stopped_by=stopped_by,
                           lost_reason=lost_reason)


def _close(output, state: _TakeState) -> None:
    """Close the WAV (libsndfile writes its header sizes now); a failure is the take's error."""
    try:
        output.close()
    except (OSError, RuntimeError) as error:  # the disk filled or went away
        state.error = state.error or error


def _silent_device(state: _TakeState, started: float) -> bool:
    last = state.last_block_at or started
    return time.monotonic() - last > DEVICE_LOST_AFTER_S


class _TakeState:
    """Shared between the callback, the writer thread and the caller's loop."""

    def __init__(self):
        self.overflow_count = 0
        self.frames_written = 0
        self.peak_dbfs = float("-inf")
        self.last_block_at: float | None = None
        self.stop_reason: StoppedBy | None = None
        self.error: Exception | None = None

    @property
    def duration_s(self) -> float:
        return self.frames_written / SAMPLE_RATE


def _write_blocks(blocks, output, resampler, state, on_level, on_audio, max_duration_s,
                  silence_stop_s):
    """Writer thread: mono, 16 kHz, to disk, flushed often; decides time and silence stops."""
    max_frames = None if max_duration_s is None else int(round(max_duration_s * SAMPLE_RATE))
    last_flush = time.monotonic()
    speech_started = False
    silent_frames = 0
    ended = False  # the caller's end marker (None) has been taken
    try:
        while True:
            block = blocks.get()
            if block is None:
                ended = True
                tail = resampler.finish()
                if max_frames is not None:
                    tail = tail[: max(0, max_frames - state.frames_written)]
                _write(output, tail, state, on_audio)
                break
            if state.stop_reason is not None:
                continue  # the caller is closing the stream; drop what is past the stop
            mono = resampler.process(downmix(block))
            if max_frames is not None:
                mono = mono[: max_frames - state.frames_written]
            _write(output, mono, state, on_audio)
            rms_dbfs, peak_dbfs = level_dbfs(mono)
            state.peak_dbfs = max(state.peak_dbfs, peak_dbfs)
            if on_level is not None and mono.size:
                on_level(LevelReading(state.duration_s, rms_dbfs, peak_dbfs))
            if rms_dbfs > SPEECH_DBFS:
                speech_started = True
            silent_frames = silent_frames + mono.size if rms_dbfs < SILENCE_DBFS else 0
            if max_frames is not None and state.frames_written >= max_frames:
                state.stop_reason = "time_limit"
            elif (silence_stop_s is not None and speech_started
                  and silent_frames >= silence_stop_s * SAMPLE_RATE):
                state.stop_reason = "silence"
            if time.monotonic() - last_flush >= FLUSH_INTERVAL_S:
                output.flush()
                last_flush = time.monotonic()
    except Exception as error:  # reported by record(); the thread must not die silently
        state.error = error
        state.stop_reason = state.stop_reason or "device_lost"
        # drain to the end marker so the caller's join returns; once it is taken nothing
        # more will come, and waiting for another would hang record() for ever
        while not ended and blocks.get() is not None:
            pass


def _write(output, mono, state, on_audio) -> None:
    if mono.size:
        output.write(mono)
        state.frames_written += mono.size
        if on_audio is not None:
            on_audio(mono)


def portaudio_version() -> str:
    """The PortAudio library's version text; raises DeviceError when it is missing."""
    return _sounddevice().get_portaudio_version()[1]


def check_input_device(device: int | str | None = None) -> InputDevice:
    """Open ``device`` (default: the default input) briefly to prove it can record."""
    sd = _sounddevice()
    chosen = resolve_device(device)
    rate_hz, channels = _open_settings(sd, chosen)
    with captured() as chatter:
        try:
            with sd.InputStream(device=chosen.index, samplerate=rate_hz, channels=channels,
                                dtype="float32"):
                pass
        except sd.PortAudioError as error:
            raise device_failure(f"Cannot open input device {chosen.index}: {chosen.name}",
                                 error, chatter, option="--device") from None
    return chosen
