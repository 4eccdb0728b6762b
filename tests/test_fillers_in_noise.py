"""Fillers the audio supports are kept when the model stamps them far from their vowel, as
it does in noise; on hand-made signals with known answers."""

import numpy as np
import pytest

from mockview.speech.transcription import TranscriptionSettings, check_words
from mockview.speech.voicing import voiced_spans
from mockview.words import Word
from tests.test_voicing import RATE, at_level, placed, room, vowel

SETTINGS = TranscriptionSettings()


def steady_noise(seconds: float, *, dbfs: float, seed: int = 5) -> np.ndarray:
    """A fan or an air conditioner: pink noise (power falling 3 dB an octave) with a 100 Hz
    mains hum 6 dB below it."""
    size = int(seconds * RATE)
    spectrum = np.fft.rfft(np.random.default_rng(seed).standard_normal(size))
    freqs = np.fft.rfftfreq(size, 1 / RATE)
    spectrum[1:] /= np.sqrt(freqs[1:])
    spectrum[0] = 0
    pink = at_level(np.fft.irfft(spectrum, size), 0.0)
    hum = at_level(np.sin(2 * np.pi * 100 * np.arange(size) / RATE), -6.0)
    return at_level(pink + hum, dbfs)


def answer(*sounds: tuple[float, np.ndarray], seconds: float = 4.0,
           background: np.ndarray | None = None) -> np.ndarray:
    """Room tone (or ``background``) with each (start_s, sound) placed in it."""
    audio = room(seconds) if background is None else background
    for at_s, sound in sounds:
        audio = placed(audio, sound, at_s)
    return audio


def word_sound(seconds: float, *, seed: int) -> np.ndarray:
    return at_level(vowel(seconds, formants=(350, 900, 2400), seed=seed), -20)


def checked(words, audio, *, speech=((0.45, 0.95), (2.95, 3.45))):
    kept, dropped = check_words(words, list(speech), voiced=voiced_spans(audio),
                                settings=SETTINGS)
    return [w.text for w in kept], [d.reason for d in dropped]


@pytest.mark.parametrize("background", [
    None,
    # the words 10 dB above a steady noise, the "uh" 8 dB quieter than the words
    steady_noise(4.0, dbfs=-30.0),
], ids=["quiet room", "steady noise at 10 dB SNR"])
def test_a_filler_stamped_with_no_length_far_from_its_vowel_is_kept(background):
    # the model stamps the "uh" late in its gap; it was said 0.6 s before, out of reach of
    # the stamp's own tolerance but inside the gap
    audio = answer((0.5, word_sound(0.4, seed=1)), (1.6, at_level(vowel(0.35), -28)),
                   (3.0, word_sound(0.4, seed=2)), background=background)
    words = [Word("So", 0.5, 0.9, 0.9), Word("uh,", 2.5, 2.5, 0.6),
             Word("we", 3.0, 3.4, 0.9)]
    assert checked(words, audio, speech=[(0.45, 0.95)]) == (["So", "uh,", "we"], [])


def test_a_stamped_filler_whose_gap_holds_only_room_tone_is_dropped():
    audio = answer((0.5, word_sound(0.4, seed=1)), (3.0, word_sound(0.4, seed=2)))
    words = [Word("So", 0.5, 0.9, 0.9), Word("uh,", 2.5, 2.5, 0.6),
             Word("we", 3.0, 3.4, 0.9)]
    assert checked(words, audio, speech=[(0.45, 0.95)]) == (
        ["So", "we"], ["no speech in the audio at this time"])


def test_a_stamped_filler_whose_gap_holds_only_a_blip_of_voice_is_dropped():
    # 80 ms of voice: shorter than any filled pause
    audio = answer((0.5, word_sound(0.4, seed=1)), (1.6, at_level(vowel(0.08), -28)),
                   (3.0, word_sound(0.4, seed=2)))
    words = [Word("So", 0.5, 0.9, 0.9), Word("uh,", 2.5, 2.5, 0.6),
             Word("we", 3.0, 3.4, 0.9)]
    assert checked(words, audio, speech=[(0.45, 0.95)])[0] == ["So", "we"]
