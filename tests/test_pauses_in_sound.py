"""A pause is the absence of speech, not of sound: real speech with breaths laid in its pauses.

A breath is broadband noise (400-3000 Hz) that swells and fades, here 18 dB above the
recording's quiet frames: loud enough for the energy check to call it sound, as a laptop
microphone hears an inhalation. The pauses of the clean recording must all still be found.
"""

from __future__ import annotations

import numpy as np
import pytest

from mockview.analysis import analyze_answer
from mockview.speech.audio import SAMPLE_RATE
from mockview.speech.transcription import transcribe_audio
from tests.audio_helpers import read_clip

pytestmark = [pytest.mark.model, pytest.mark.slow]


def quiet_level_db(audio: np.ndarray) -> float:
    """The 10th percentile of 25 ms frame levels (dBFS): the room between phrases."""
    frame = SAMPLE_RATE // 40
    frames = audio[: audio.size // frame * frame].reshape(-1, frame)
    return float(np.percentile(10 * np.log10(np.mean(frames ** 2, axis=1) + 1e-12), 10))


def breath(seconds: float, level_dbfs: float, seed: int) -> np.ndarray:
    from scipy.signal import butter, sosfilt

    count = int(seconds * SAMPLE_RATE)
    noise = np.random.default_rng(seed).normal(size=count)
    noise = sosfilt(butter(2, [400, 3000], btype="band", fs=SAMPLE_RATE, output="sos"), noise)
    noise *= 10 ** (level_dbfs / 20) / np.sqrt(np.mean(noise ** 2))
    return (noise * np.sin(np.linspace(0, np.pi, count))).astype(np.float32)


def pauses(audio: np.ndarray) -> list[tuple[float, float]]:
    items = analyze_answer(transcribe_audio(audio)).to_dict()["metrics"]["pauses"]["items"]
    return [(p["start_s"], p["end_s"]) for p in items]


# disfluent clips with fillers beside their pauses, and a fluent one (mfa_uhum has no
# silence of 0.5 s: the sound between its fillers is part of them)
@pytest.mark.parametrize("clip", ["jfk.flac", "mfa_um.flac", "mfa_crossword.flac"])
def test_breaths_in_the_pauses_leave_every_pause_found(clip):
    audio = read_clip(clip)
    # a breath takes 0.3 s or more: pauses of 0.5 s and longer can hold one
    clean = [(start, end) for start, end in pauses(audio) if end - start >= 0.5]
    level = quiet_level_db(audio) + 18.0
    breathing = audio.copy()
    for number, (start, end) in enumerate(clean):
        first, last = int((start + 0.1) * SAMPLE_RATE), int((end - 0.1) * SAMPLE_RATE)
        breathing[first:last] += breath((last - first) / SAMPLE_RATE, level, number)

    found = pauses(breathing)

    assert clean
    for start, end in clean:
        assert any(abs(start - s) <= 0.15 and abs(end - e) <= 0.15 for s, e in found), (
            f"the pause at {start}-{end} s is lost with a breath in it: {found}")
