"""The voicing measures of a long answer hold a block of spectra at a time, not all of them."""

import tracemalloc

import numpy as np

from mockview.speech import voicing
from mockview.speech.audio import SAMPLE_RATE


def noisy(seconds: float) -> np.ndarray:
    return (0.1 * np.random.default_rng(0).standard_normal(int(seconds * SAMPLE_RATE))
            ).astype(np.float32)


def test_measuring_a_long_answer_stays_within_a_few_copies_of_its_samples():
    audio = noisy(90.0)  # 5.8 MB of float32: 11.5 MB as float64
    tracemalloc.start()
    try:
        voicing.measure(audio)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # every frame's spectrum at once was 480 MB here; the samples' own copies are ~70 MB
    assert peak < 150e6, f"{peak / 1e6:.0f} MB"


def test_the_blocks_give_the_same_periodicity_as_one_pass(monkeypatch):
    audio = noisy(3.0)
    audio[SAMPLE_RATE:2 * SAMPLE_RATE] += 0.3 * np.sin(
        2 * np.pi * 120 * np.arange(SAMPLE_RATE) / SAMPLE_RATE)
    monkeypatch.setattr(voicing, "BLOCK_FRAMES", 7)
    blocked = voicing.measure(audio, within=[(0.5, 2.5)])
    monkeypatch.setattr(voicing, "BLOCK_FRAMES", 10**9)
    whole = voicing.measure(audio, within=[(0.5, 2.5)])
    assert np.array_equal(blocked.periodicity, whole.periodicity)
    assert blocked.periodicity.max() > 0.8  # the tone is in there (under the noise)
