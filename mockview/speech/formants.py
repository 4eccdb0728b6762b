"""Whether a vowel is r-coloured: the "-er" of a word, not a filled pause.

English filled pauses are said with a neutral or open vowel: "uh" [ə]/[ʌ], "ah" [ɑ], and
the British "er" [ɜː], which has no r in it. An r-coloured vowel [ɚ], as in the "-er" of
"aligner" or in "her", is made by bunching or curling the tongue, and that lowers the third
formant (F3) until it nearly meets the second: F3 - F2 is about 300-400 Hz for men, women
and children alike, against 1,000-1,400 Hz for the vowels of "uh" and "ah" (Peterson and
Barney 1952; Hagiwara 1995). So when the model writes a vowel filler over an r-coloured
vowel, it heard a word's last syllable said after a pause ("align... er"), and the filler
is not one.

The formants come from linear prediction (autocorrelation method), frame by frame over the
loudest part of the span; numpy only, on samples already decoded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mockview.speech.audio import SAMPLE_RATE


@dataclass(frozen=True)
class RColourSettings:
    """How an r-coloured vowel is told from a filled pause's. The defaults come from
    phonetics (the module docstring), not from a fit to recordings."""

    #: F3 - F2 below this is r-colouring: halfway between [ɚ] (300-400 Hz) and the
    #: filler vowels (1,000 Hz and more)
    max_f3_f2_hz: float = 600.0
    #: 25 ms frames, 10 ms apart; linear prediction of order 16 at 16 kHz (a pole pair
    #: for each of about eight formants under 8 kHz)
    frame_s: float = 0.025
    hop_s: float = 0.01
    order: int = 16
    #: only frames within this of the span's loudest: the vowel, not its edges
    within_loudest_db: float = 6.0
    #: a formant is a pole with a bandwidth under this, above this frequency
    max_bandwidth_hz: float = 500.0
    min_formant_hz: float = 200.0
    #: frames needed for a verdict (50 ms of vowel)
    min_frames: int = 5


def r_coloured(audio: np.ndarray, settings: RColourSettings = RColourSettings()
               ) -> tuple[float, float] | None:
    """(F2, F3) in Hz, the medians over the vowel in ``audio`` (16 kHz mono), when the vowel
    is r-coloured; None when it is not, or when there is too little vowel to tell."""
    tracks = formant_tracks(audio, settings)
    if len(tracks) < settings.min_frames:
        return None
    f2, f3 = np.median(tracks[:, 1]), np.median(tracks[:, 2])
    return (float(f2), float(f3)) if f3 - f2 < settings.max_f3_f2_hz else None


def formant_tracks(audio: np.ndarray, settings: RColourSettings = RColourSettings()
                   ) -> np.ndarray:
    """F1, F2, F3 (Hz) of each frame of ``audio``'s loudest part where three formants are
    found: an array of shape (frames, 3)."""
    frame = int(round(settings.frame_s * SAMPLE_RATE))
    hop = int(round(settings.hop_s * SAMPLE_RATE))
    audio = np.asarray(audio, dtype=np.float64).reshape(-1)
    if audio.size < frame:
        return np.zeros((0, 3))
    emphasised = np.append(audio[0], audio[1:] - 0.97 * audio[:-1])
    frames = np.lib.stride_tricks.sliding_window_view(emphasised, frame)[::hop]
    level_db = 10 * np.log10(np.mean(frames ** 2, axis=1) + 1e-20)
    loud = frames[level_db >= level_db.max() - settings.within_loudest_db]
    tracks = [found[:3] for found in (_formants(f * np.hamming(frame), settings) for f in loud)
              if len(found) >= 3]
    return np.array(tracks) if tracks else np.zeros((0, 3))


def _formants(frame: np.ndarray, settings: RColourSettings) -> list[float]:
    """The formant frequencies of one windowed frame, lowest first."""
    poles = np.roots(_lpc(frame, settings.order))
    poles = poles[np.imag(poles) > 0]
    frequencies = np.angle(poles) * SAMPLE_RATE / (2 * np.pi)
    bandwidths = -np.log(np.abs(poles)) * SAMPLE_RATE / np.pi
    keep = (frequencies > settings.min_formant_hz) & (bandwidths < settings.max_bandwidth_hz)
    return sorted(frequencies[keep].tolist())


def _lpc(frame: np.ndarray, order: int) -> np.ndarray:
    """Linear-prediction coefficients [1, a1, ..., a_order] of ``frame``: the Levinson-Durbin
    recursion on its autocorrelation."""
    full = np.correlate(frame, frame, mode="full")
    r = full[frame.size - 1 : frame.size + order]
    a = np.zeros(order + 1)
    a[0] = 1.0
    error = r[0] * (1 + 1e-9) + 1e-20  # a hair of white noise keeps a silent frame stable
    for i in range(1, order + 1):
        k = -(r[i] + a[1:i] @ r[i - 1 : 0 : -1]) / error
        a[1:i] = a[1:i] + k * a[i - 1 : 0 : -1]
        a[i] = k
        error *= 1 - k * k
    return a
