"""A fake sounddevice output for playback tests: it keeps every block each stream is sent."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import numpy as np
import pytest


class FakeStream:
    def __init__(self, owner: FakeSoundDevice, settings: dict):
        self.owner = owner
        self.settings = settings
        self.calls: list[str] = []
        self.blocks: list[np.ndarray] = []

    def start(self):
        self.calls.append("start")

    def write(self, block):
        if len(self.owner.written) == self.owner.interrupt_at:
            raise KeyboardInterrupt
        assert block.dtype == np.float32 and block.flags.c_contiguous
        self.owner.written.append(block.copy())
        self.blocks.append(block.copy())

    def stop(self):
        self.calls.append("stop")

    def abort(self):
        self.calls.append("abort")

    def close(self):
        self.calls.append("close")

    @property
    def samples(self) -> np.ndarray:
        return np.concatenate(self.blocks) if self.blocks else np.zeros(0, np.float32)


class FakeSoundDevice:
    """The parts of sounddevice that playback uses: an input-only device and two outputs."""

    class PortAudioError(Exception):
        pass

    def __init__(self):
        self.devices = [
            {"index": 0, "name": "USB Mic", "max_input_channels": 1, "max_output_channels": 0,
             "default_samplerate": 48000.0},
            {"index": 1, "name": "pulse", "max_input_channels": 32, "max_output_channels": 32,
             "default_samplerate": 44100.0},
            {"index": 2, "name": "default", "max_input_channels": 32, "max_output_channels": 32,
             "default_samplerate": 44100.0},
        ]
        self.default = SimpleNamespace(device=[2, 2])
        self.written: list[np.ndarray] = []  # every block sent, over all streams
        self.streams: list[FakeStream] = []
        self.interrupt_at: int | None = None  # raise KeyboardInterrupt at this block
        self.open_error: str | None = None

    def query_devices(self):
        return self.devices

    def OutputStream(self, **settings):  # noqa: N802 (sounddevice's name)
        if self.open_error is not None:
            raise self.PortAudioError(self.open_error)
        self.streams.append(FakeStream(self, settings))
        return self.streams[-1]


@pytest.fixture
def fake_sd(monkeypatch):
    """The fake in place of sounddevice, on a machine whose sound server and device files
    are fine (so advice does not depend on the machine running the tests)."""
    from mockview import soundsystem

    fake = FakeSoundDevice()
    monkeypatch.setitem(sys.modules, "sounddevice", fake)
    monkeypatch.setattr(soundsystem, "sound_server", lambda: None)
    monkeypatch.setattr(soundsystem, "_unusable_sound_devices", lambda: [])
    return fake
