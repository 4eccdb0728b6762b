"""Recording's failure paths, without hardware: a fake sounddevice drives ``record()``.

The fake's InputStream calls record()'s callback from its own thread with generated blocks
(a sine, or speech-like noise) at the rate and channels record() asked for, paced like a
real device or faster. Each test makes the device or the disk fail at a chosen moment and
checks what the user is left with: the stop reason, the WAV on disk, the message.
Every take runs in a daemon thread joined with a timeout, so a hang fails instead of
blocking the suite.
"""

from __future__ import annotations

import errno
import functools
import logging
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import pytest
import soundfile

from mockview import recording
from mockview.errors import DeviceError
from mockview.recording import BLOCK_S, SAMPLE_RATE

PCM16_STEP = 1 / 32768
TAKE_TIMEOUT_S = 5.0


# --- generated input ----------------------------------------------------------------------


Signal = Callable[[np.ndarray, float], np.ndarray]
"""Sample indices and a rate in, float mono samples out: the same index, the same sample."""


def sine(pitch_hz: float, amplitude: float = 0.5) -> Signal:
    def signal(index: np.ndarray, rate_hz: float) -> np.ndarray:
        return amplitude * np.sin(2 * np.pi * pitch_hz * index / rate_hz)

    return signal


@functools.cache
def _noise(rate_hz: float) -> np.ndarray:
    return np.random.default_rng(7).uniform(-1, 1, int(rate_hz))


def speech_like(index: np.ndarray, rate_hz: float) -> np.ndarray:
    """Noise with a 140 Hz voice in it, swelling and fading four times a second (syllables)."""
    syllables = (0.5 + 0.5 * np.sin(2 * np.pi * 4 * index / rate_hz)) ** 2
    voice = np.sin(2 * np.pi * 140 * index / rate_hz)
    return 0.4 * syllables * (0.6 * voice + 0.4 * _noise(rate_hz)[index % int(rate_hz)])


# --- the fake sounddevice -----------------------------------------------------------------


class FakePortAudioError(Exception):
    """Stands in for sounddevice.PortAudioError: record() must catch the module's own."""


@dataclass
class FakeFlags:
    input_overflow: bool = False


@dataclass
class FakeDevice:
    """One input device and the script its stream follows once started.

    The stream delivers ``audio_s`` of ``signal`` (None: until it is closed) at ``speed``
    times real time, then does ``then``: "silent" keeps the stream active but sends
    nothing (a hung driver), "inactive" also makes ``stream.active`` False (unplugged),
    or a callable is run on the stream's thread.
    """

    name: str = "Fake USB Mic"
    index: int = 3
    channels: int = 2
    default_samplerate: float = 48000.0
    accepts: tuple[float, int] | None = None  # the only (rate, channels) it opens, or any
    signal: Signal = field(default_factory=lambda: sine(440))
    audio_s: float | None = None
    speed: float = 1.0
    then: str | Callable[[], None] = "silent"
    overflow_blocks: frozenset[int] = frozenset()
    open_error: Exception | None = None
    start_error: Exception | None = None
    abort_error: Exception | None = None


class FakeInputStream:
    def __init__(self, sd: FakeSounddevice, *, device, samplerate, channels, dtype,
                 blocksize=0, callback=None, **unused):
        sd.check_input_settings(device=device, samplerate=samplerate, channels=channels,
                                dtype=dtype)
        script = sd.device
        if script.open_error is not None:
            raise script.open_error
        self.script = script
        self.device = device
        self.samplerate, self.channels, self.dtype = samplerate, channels, dtype
        self.blocksize = blocksize or int(samplerate * BLOCK_S)
        self.callback = callback
        self.delivered_frames = 0
        self.closed = False
        self._active = False
        self._closing = threading.Event()
        self._thread: threading.Thread | None = None
        sd.streams.append(self)

    @property
    def active(self) -> bool:
        return self._active

    def start(self) -> None:
        if self.script.start_error is not None:
            raise self.script.start_error
        self._active = True
        self._thread = threading.Thread(target=self._run, name="fake-portaudio", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        script = self.script
        total = None if script.audio_s is None else round(script.audio_s * self.samplerate)
        block_wall_s = self.blocksize / self.samplerate / script.speed
        started = time.monotonic()
        number = 0
        while total is None or self.delivered_frames < total:
            due = started + number * block_wall_s
            if self._closing.wait(max(0.0, due - time.monotonic())):
                return
            frames = self.blocksize if total is None else min(self.blocksize,
                                                              total - self.delivered_frames)
            index = np.arange(self.delivered_frames, self.delivered_frames + frames)
            mono = script.signal(index, self.samplerate).astype(np.float32)
            block = np.repeat(mono[:, None], self.channels, axis=1)
            if self.callback is not None:  # a stream opened without one reads by blocking
                self.callback(block, frames, None, FakeFlags(number in script.overflow_blocks))
            self.delivered_frames += frames
            number += 1
        if script.then == "inactive":
            self._active = False
        elif callable(script.then):
            script.then()

    def _halt(self) -> None:
        """Like PortAudio: no callback runs once this returns."""
        self._closing.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        self._active = False

    def abort(self) -> None:
        self._halt()
        if self.script.abort_error is not None:
            raise self.script.abort_error

    stop = abort

    def close(self) -> None:
        """Like sounddevice's close(): discards what is pending, as abort() would."""
        self._halt()
        self.closed = True

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.close()


class FakeSounddevice:
    """The part of sounddevice that mockview.recording uses, with one input device."""

    PortAudioError = FakePortAudioError
    CallbackFlags = FakeFlags

    def __init__(self, device: FakeDevice):
        self.device = device  # the one plugged in now; set it to plug in another
        self.streams: list[FakeInputStream] = []
        self.checked: list[tuple[float, int]] = []
        self._initialize()

    def _initialize(self):
        """Like PortAudio's start: the device list is read now, and kept until a restart."""
        self.listed = self.device
        self.default = SimpleNamespace(device=[self.listed.index, 0])

    def _terminate(self):
        pass

    def query_devices(self):
        speakers = {"index": 0, "name": "Fake Speakers", "max_input_channels": 0,
                    "max_output_channels": 2, "default_samplerate": 48000.0}
        mic = {"index": self.listed.index, "name": self.listed.name,
               "max_input_channels": self.listed.channels, "max_output_channels": 0,
               "default_samplerate": self.listed.default_samplerate}
        return [speakers, mic]

    def check_input_settings(self, device=None, samplerate=None, channels=None, dtype=None,
                             **unused):
        self.checked.append((samplerate, channels))
        if device != self.device.index or channels > self.device.channels:
            raise FakePortAudioError("Invalid number of channels [PaErrorCode -9998]")
        accepts = self.device.accepts
        if accepts is not None and (samplerate, channels) != accepts:
            raise FakePortAudioError("Invalid sample rate [PaErrorCode -9997]")

    def InputStream(self, **settings) -> FakeInputStream:  # noqa: N802 (sounddevice's name)
        return FakeInputStream(self, **settings)

    def get_portaudio_version(self):
        return 1246976, "PortAudio V19.7.0-devel (fake)"

    @property
    def stream(self) -> FakeInputStream:
        assert len(self.streams) == 1, self.streams
        return self.streams[0]


@pytest.fixture
def fake_device(monkeypatch):
    """Install a fake sounddevice for ``device``; returns it for inspection."""

    def install(device: FakeDevice) -> FakeSounddevice:
        sd = FakeSounddevice(device)
        monkeypatch.setitem(sys.modules, "sounddevice", sd)
        monkeypatch.setattr(recording, "_rescan", False, raising=False)
        return sd

    yield install
    stuck = [t.name for t in threading.enumerate() if t.name == "mockview-writer"]
    assert not stuck, "a writer thread outlived its take"


def record_take(path, timeout_s: float = TAKE_TIMEOUT_S, **options):
    """record() in a daemon thread: its result, or its exception raised here."""
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = recording.record(path, **options)
        except BaseException as error:  # KeyboardInterrupt too: surfaced in the test
            outcome["error"] = error

    thread = threading.Thread(target=run, name="take", daemon=True)
    thread.start()
    thread.join(timeout_s)
    assert not thread.is_alive(), f"record() did not return within {timeout_s} s"
    error = outcome.get("error")
    if isinstance(error, KeyboardInterrupt):  # re-raised here it would end the whole run
        pytest.fail("KeyboardInterrupt escaped record()")
    if error is not None:
        raise error
    return outcome["result"]


def assert_holds(path, signal: Signal, frames: int) -> None:
    """The WAV at ``path`` is 16 kHz mono PCM_16 and holds ``frames`` of ``signal``."""
    info = soundfile.info(path)
    assert (info.samplerate, info.channels, info.subtype) == (SAMPLE_RATE, 1, "PCM_16")
    audio, _ = soundfile.read(path, dtype="float32")
    assert audio.size == frames
    expected = signal(np.arange(frames), SAMPLE_RATE)
    assert np.max(np.abs(audio - expected), initial=0) <= 2 * PCM16_STEP


# --- 1. device lost -----------------------------------------------------------------------


@pytest.mark.parametrize("how", ["inactive", "silent"])
def test_device_lost_mid_answer_keeps_the_audio_and_names_the_device(
        fake_device, tmp_path, caplog, monkeypatch, how):
    """Unplugged (the stream goes inactive) or hung (still active but silent for
    DEVICE_LOST_AFTER_S): the take ends as device_lost with every block kept."""
    monkeypatch.setattr(recording, "DEVICE_LOST_AFTER_S", 0.5)
    unplugged = how == "inactive"
    sd = fake_device(FakeDevice(signal=speech_like, audio_s=1.0, then=how))
    out = tmp_path / "lost.wav"
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="mockview"):
        result = record_take(out, max_duration_s=10)
    elapsed_s = time.monotonic() - started

    assert result.stopped_by == "device_lost"
    assert result.duration_s == pytest.approx(1.0)
    assert sd.stream.delivered_frames == SAMPLE_RATE
    assert_holds(out, speech_like, SAMPLE_RATE)
    assert sd.stream.closed
    last_block_s = 1.0 - BLOCK_S  # the first block arrives at 0 s
    if unplugged:
        assert elapsed_s < last_block_s + 0.4, "an inactive stream is noticed at once"
    else:
        assert last_block_s + 0.5 <= elapsed_s < last_block_s + 0.5 + 0.5, (
            "a silent stream is given DEVICE_LOST_AFTER_S, and no more")
    # told once, by the caller (practice, mockview record), not also in a log warning
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_device_lost_gives_the_duration_kept(fake_device, tmp_path):
    fake_device(FakeDevice(audio_s=1.0, then="inactive"))
    stalled = []

    def slow_meter(reading):  # the writer falls behind near the end, as on a slow disk
        if reading.elapsed_s >= 0.8 and not stalled:
            stalled.append(reading)
            time.sleep(0.5)

    result = record_take(tmp_path / "lost.wav", max_duration_s=10, on_level=slow_meter)
    # counted after the writer has written all it was sent
    assert (result.stopped_by, result.duration_s) == ("device_lost", 1.0)


def test_a_microphone_plugged_back_in_is_found_by_the_next_take(fake_device, tmp_path):
    sd = fake_device(FakeDevice(audio_s=0.5, then="inactive"))
    assert record_take(tmp_path / "1.wav", max_duration_s=10).stopped_by == "device_lost"
    sd.device = FakeDevice(index=5, audio_s=0.5, then="inactive")  # back, at a new index
    again = record_take(tmp_path / "2.wav", max_duration_s=10)
    assert again.duration_s == pytest.approx(0.5)
    assert sd.streams[-1].device == 5


def test_unplugged_device_whose_abort_fails_is_still_closed(fake_device, tmp_path):
    sd = fake_device(FakeDevice(
        audio_s=0.5, then="inactive",
        abort_error=FakePortAudioError("Unanticipated host error [PaErrorCode -9999]")))
    result = record_take(tmp_path / "unplugged.wav", max_duration_s=10)
    assert result.stopped_by == "device_lost"
    assert_holds(result.path, sine(440), SAMPLE_RATE // 2)
    assert sd.stream.closed, "the stream must be closed even when abort() fails"


# --- 2. input overflow --------------------------------------------------------------------


def test_input_overflows_are_counted_and_their_blocks_kept(fake_device, tmp_path):
    sd = fake_device(FakeDevice(overflow_blocks=frozenset({2, 3, 9}), speed=2.0))
    result = record_take(tmp_path / "overflow.wav", max_duration_s=1.0)

    assert result.overflow_count == 3
    assert result.stopped_by == "time_limit"
    assert sd.stream.samplerate == SAMPLE_RATE and sd.stream.channels == 1
    assert_holds(result.path, sine(440), SAMPLE_RATE)


def test_a_clean_take_has_no_overflows(fake_device, tmp_path):
    fake_device(FakeDevice(speed=4.0))
    result = record_take(tmp_path / "clean.wav", max_duration_s=1.0)
    assert (result.overflow_count, result.stopped_by) == (0, "time_limit")


# --- 3. Ctrl-C ----------------------------------------------------------------------------


class CtrlCAfter(threading.Event):
    """A stop event whose wait() raises KeyboardInterrupt once, ``after_s`` into the take."""

    def __init__(self, after_s: float):
        super().__init__()
        self.after_s = after_s
        self.first_wait: float | None = None
        self.raised = False

    def wait(self, timeout=None):
        now = time.monotonic()
        self.first_wait = self.first_wait or now
        if not self.raised and now - self.first_wait >= self.after_s:
            self.raised = True
            raise KeyboardInterrupt
        return super().wait(timeout)


def test_ctrl_c_while_recording_ends_the_take_and_keeps_the_audio(fake_device, tmp_path):
    sd = fake_device(FakeDevice(signal=speech_like))
    stop = CtrlCAfter(0.6)
    result = record_take(tmp_path / "ctrl-c.wav", max_duration_s=10, stop=stop)

    assert stop.raised
    assert result.stopped_by == "interrupted"
    assert sd.stream.closed
    frames = sd.stream.delivered_frames
    assert 0.4 * SAMPLE_RATE < frames < 1.2 * SAMPLE_RATE
    assert result.duration_s == frames / SAMPLE_RATE
    assert_holds(result.path, speech_like, frames)


# --- 4. device busy -----------------------------------------------------------------------


BUSY = FakePortAudioError("Error opening InputStream: Device unavailable [PaErrorCode -9985]")


@pytest.mark.parametrize("when", ["open", "start"])
def test_busy_device_says_it_may_be_busy_and_points_to_device(fake_device, tmp_path, when):
    sd = fake_device(FakeDevice(open_error=BUSY if when == "open" else None,
                                start_error=BUSY if when == "start" else None))
    with pytest.raises(DeviceError) as raised:
        record_take(tmp_path / "busy.wav", max_duration_s=1.0)

    message = str(raised.value)
    assert "Fake USB Mic" in message
    assert "Device unavailable [PaErrorCode -9985]" in message
    assert "may be busy in another program" in message
    assert "--device (see: mockview devices)" in message
    if when == "start":
        assert sd.stream.closed
        assert sd.stream.delivered_frames == 0


# --- 5. the writer failing ----------------------------------------------------------------


def test_disk_write_failing_is_a_device_error_naming_the_path(fake_device, tmp_path,
                                                              monkeypatch):
    sd = fake_device(FakeDevice())
    real_write = soundfile.SoundFile.write
    writes = []

    def write_until_the_disk_fills(self, data):
        writes.append(len(data))
        if len(writes) > 4:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, data)

    monkeypatch.setattr(soundfile.SoundFile, "write", write_until_the_disk_fills)
    out = tmp_path / "full.wav"
    started = time.monotonic()
    with pytest.raises(DeviceError) as raised:
        record_take(out, max_duration_s=10)

    assert time.monotonic() - started < 1.5, "record() must stop at the failure, not later"
    assert str(raised.value) == (
        f"Writing the recording to {out} failed: No space left on device.")
    assert sd.stream.closed
    assert soundfile.info(out).frames == 4 * int(SAMPLE_RATE * BLOCK_S)


def test_unwritable_path_is_a_device_error_naming_the_path(fake_device, tmp_path):
    sd = fake_device(FakeDevice())
    out = tmp_path / "no such folder" / "take.wav"
    with pytest.raises(DeviceError, match=r"^Cannot write the recording to ") as raised:
        record_take(out, max_duration_s=1.0)
    assert str(out) in str(raised.value)
    assert sd.stream.closed


def test_failing_final_write_does_not_hang(fake_device, tmp_path, monkeypatch):
    """48 kHz input leaves a resampler tail to write after the stream is closed; if that
    last write fails, the writer waits for an end marker it has already taken."""
    stop = threading.Event()

    def stop_once_written():  # on the fake's thread, once every block has been written
        time.sleep(0.3)
        stop.set()

    sd = fake_device(FakeDevice(accepts=(48000.0, 2), audio_s=0.3, then=stop_once_written))
    real_write = soundfile.SoundFile.write

    def write_until_closed(self, data):
        if sd.stream.closed:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, data)

    queues = []
    real_writer = recording._write_blocks

    def writer(blocks, *args):
        queues.append(blocks)
        real_writer(blocks, *args)

    monkeypatch.setattr(soundfile.SoundFile, "write", write_until_closed)
    monkeypatch.setattr(recording, "_write_blocks", writer)
    out = tmp_path / "tail.wav"
    try:
        with pytest.raises(DeviceError, match="No space left on device") as raised:
            record_take(out, timeout_s=2.0, max_duration_s=10, stop=stop)
        assert str(out) in str(raised.value)
    finally:
        for blocks in queues:  # let a stuck writer, and so record(), finish
            blocks.put(None)
        deadline = time.monotonic() + 2
        while any(t.name in ("take", "mockview-writer") for t in threading.enumerate()):
            assert time.monotonic() < deadline, "the released take did not finish"
            time.sleep(0.01)


def test_slow_disk_is_not_taken_for_a_lost_device(fake_device, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(recording, "DEVICE_LOST_AFTER_S", 0.5)
    fake_device(FakeDevice())
    real_write = soundfile.SoundFile.write
    writes = []

    def write_with_one_stall(self, data):
        writes.append(len(data))
        if len(writes) == 5:
            time.sleep(1.0)  # a USB stick waking up, a network home directory
        return real_write(self, data)

    monkeypatch.setattr(soundfile.SoundFile, "write", write_with_one_stall)
    with caplog.at_level(logging.WARNING, logger="mockview"):
        result = record_take(tmp_path / "slow.wav", max_duration_s=1.5)
    assert result.stopped_by == "time_limit"
    assert result.duration_s == pytest.approx(1.5)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


# --- 6. native rate and channels ----------------------------------------------------------


def test_48k_stereo_only_device_is_recorded_as_16k_mono(fake_device, tmp_path):
    stop = threading.Event()
    sd = fake_device(FakeDevice(accepts=(48000.0, 2), signal=sine(440, 0.5), audio_s=1.5,
                                speed=2.0, then=stop.set))
    result = record_take(tmp_path / "native.wav", max_duration_s=10, stop=stop)

    assert sd.checked[0] == (SAMPLE_RATE, 1), "16 kHz mono is asked for first"
    stream = sd.stream
    assert (stream.samplerate, stream.channels, stream.dtype) == (48000.0, 2, "float32")
    assert stream.delivered_frames == 72000
    assert result.stopped_by == "stop"
    assert result.overflow_count == 0
    info = soundfile.info(result.path)
    assert (info.samplerate, info.channels, info.subtype) == (SAMPLE_RATE, 1, "PCM_16")
    assert info.duration == pytest.approx(1.5, rel=0.01)
    assert result.duration_s == pytest.approx(info.duration, abs=1e-9)
    audio, _ = soundfile.read(result.path, dtype="float32")
    middle = audio[SAMPLE_RATE // 4: SAMPLE_RATE // 4 + SAMPLE_RATE]  # 1 s: 1 Hz bins
    spectrum = np.abs(np.fft.rfft(middle * np.hanning(middle.size)))
    peak_hz = np.argmax(spectrum) * SAMPLE_RATE / middle.size
    assert peak_hz == pytest.approx(440, abs=1)
    assert np.sqrt(np.mean(middle**2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.01)
    assert result.peak_dbfs == pytest.approx(20 * np.log10(0.5), abs=0.1)


# --- 7. written as it goes, in flat memory ------------------------------------------------


def test_long_take_grows_on_disk_while_recording_in_flat_memory(fake_device, tmp_path,
                                                                monkeypatch):
    """60 s of 48 kHz stereo (23 MB as float32) at 20x real time: the file on disk grows
    and is flushed at least once a second before record() returns, and the take never
    holds more than a few blocks in memory."""
    audio_s = 60.0
    fake_device(FakeDevice(speed=20.0))
    flushes = []
    real_flush = soundfile.SoundFile.flush

    def timed_flush(self):
        if self.mode != "r":  # closing the reader soundfile.info opens flushes too
            flushes.append(time.monotonic())
        return real_flush(self)

    monkeypatch.setattr(soundfile.SoundFile, "flush", timed_flush)
    out = tmp_path / "long.wav"
    outcome = {}

    def run():
        try:
            outcome["result"] = recording.record(out, max_duration_s=audio_s)
        except Exception as error:  # surfaced below
            outcome["error"] = error

    take = threading.Thread(target=run, name="take", daemon=True)
    tracemalloc.start()
    try:
        started = time.monotonic()
        take.start()
        frames_seen = []
        while take.is_alive() and time.monotonic() - started < TAKE_TIMEOUT_S:
            if out.exists() and out.stat().st_size > 44:
                frames_seen.append(soundfile.info(out).frames)
            time.sleep(0.1)
        take.join(0.1)
        ended = time.monotonic()
        _, peak_bytes = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not take.is_alive(), "record() did not return"
    if "error" in outcome:
        raise outcome["error"]
    result = outcome["result"]

    assert result.stopped_by == "time_limit"
    assert result.duration_s == audio_s
    assert soundfile.info(out).frames == audio_s * SAMPLE_RATE
    assert frames_seen == sorted(frames_seen), "the file on disk must only grow"
    partial = {frames for frames in frames_seen if 0 < frames < audio_s * SAMPLE_RATE}
    assert len(partial) >= 10, f"the file did not grow while recording: {frames_seen}"
    gaps = np.diff([started, *flushes, ended])
    assert len(flushes) >= 2 and max(gaps) <= 1.0, f"flushed at {gaps}"
    whole_take_bytes = audio_s * SAMPLE_RATE * 4  # the take as 16 kHz mono float32
    assert peak_bytes < whole_take_bytes / 4, f"peak {peak_bytes / 1e6:.1f} MB"
