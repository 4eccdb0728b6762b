"""Every format mockview says it reads, read on whichever PyAV this interpreter resolved.

PyAV's API moves between major releases (19 dropped ``av.open``'s ``metadata_errors``, and
with it every recording failed to open), so these run in the smoke set on each supported
Python (``noxfile.py``) as well as in the whole suite.
"""

from __future__ import annotations

import struct

import numpy as np
import pytest

from mockview.speech.audio import SAMPLE_RATE, SUPPORTED_SUFFIXES, AudioFile, load_audio
from tests.audio_helpers import read_clip, write_audio

pytestmark = pytest.mark.smoke


def best_correlation(heard: np.ndarray, said: np.ndarray, *, max_lag_s: float = 0.25) -> float:
    """The normalised correlation of two signals at the lag (up to ``max_lag_s`` either way,
    for an encoder's priming samples) where they agree best."""
    size = heard.size + said.size
    spectrum = np.fft.rfft(heard, size) * np.conj(np.fft.rfft(said, size))
    correlation = np.fft.irfft(spectrum, size)
    max_lag = int(max_lag_s * SAMPLE_RATE)
    near = np.concatenate([correlation[: max_lag + 1], correlation[-max_lag:]])
    return float(near.max() / (np.linalg.norm(heard) * np.linalg.norm(said)))


@pytest.fixture(scope="module")
def speech():
    """Real speech (JFK, 11 s) at 48 kHz, a rate every format takes (Opus takes no 44.1)."""
    return read_clip("jfk.flac", 48000)


@pytest.mark.parametrize("suffix", SUPPORTED_SUFFIXES)
def test_each_supported_format_decodes_to_the_speech_it_holds(tmp_path, speech, suffix):
    path = write_audio(tmp_path / f"answer{suffix}", speech, 48000)
    reference = read_clip("jfk.flac", SAMPLE_RATE)

    blocks = list(AudioFile(path).blocks())
    heard = np.concatenate(blocks)

    assert all(block.dtype == np.float32 and block.ndim == 1 for block in blocks)
    # Lossy encoders pad the end to whole frames: at most a few tens of milliseconds.
    assert heard.size / SAMPLE_RATE == pytest.approx(reference.size / SAMPLE_RATE, abs=0.05)
    assert best_correlation(heard, reference) > 0.9
    stated = AudioFile(path).stated_duration_s()
    if suffix == ".aac":  # a raw ADTS stream states no length (FFmpeg's is a guess)
        assert stated is None
    else:
        assert stated == pytest.approx(reference.size / SAMPLE_RATE, rel=0.1)


def wav_titled(path, title: bytes):
    """A one-second 16 kHz WAV whose INFO title holds ``title`` as raw bytes."""
    tone = np.sin(2 * np.pi * 220 * np.arange(SAMPLE_RATE) / SAMPLE_RATE)
    samples = (tone * 8000).astype("<i2").tobytes()
    fmt = struct.pack("<HHIIHH", 1, 1, SAMPLE_RATE, 2 * SAMPLE_RATE, 2, 16)
    text = title + b"\0" + (b"\0" if len(title) % 2 == 0 else b"")
    info = b"INFO" + b"INAM" + struct.pack("<I", len(title) + 1) + text
    body = (b"fmt " + struct.pack("<I", len(fmt)) + fmt
            + b"LIST" + struct.pack("<I", len(info)) + info
            + b"data" + struct.pack("<I", len(samples)) + samples)
    path.write_bytes(b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WAVE" + body)
    return path


def test_a_tag_in_a_foreign_encoding_does_not_stop_the_recording_opening(tmp_path):
    """PyAV up to 18 decodes tags as strict UTF-8 unless told otherwise; 19 cannot be told.
    A recorder that titles its files in Latin-1 must still be read, on both."""
    path = wav_titled(tmp_path / "réponse.wav", "Réponse à la question".encode("latin-1"))

    audio = load_audio(path)

    assert audio.size == SAMPLE_RATE
    assert AudioFile(path).stated_duration_s() == pytest.approx(1.0)
