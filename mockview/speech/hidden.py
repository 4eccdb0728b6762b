"""Filled pauses the model did not write, found in the audio.

Whisper leaves many "uh"s out even with the filler prompt. A filled pause is a held vowel
or nasal said on its own: the vocal folds vibrate through it at a steady, low, flat or
slowly falling pitch, and the tongue and lips hold still, so the spectrum hardly changes
from one 10 ms frame to the next. It lasts about 0.2-0.6 s, rarely over 1 s. A gap between
two written words that holds such a stretch, clear of both words, is a filler the model
hid. Everything else in a gap (a breath, a click, a fricative, a laugh, a word's drawn-out
tail, a short syllable the model skipped) fails one of those tests.

Precision comes first: an accusation the audio does not support is worse than a miss. So
the stretch must stand apart from its neighbours (a drop in level on both sides, and a
margin from their stamps), and gaps where the model wrote or dropped anything are left to
the transcription's own checks (``mockview.speech.transcription``).

numpy only, on the samples already decoded; only the frames inside gaps are measured.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

import numpy as np

from mockview.speech.audio import SAMPLE_RATE
from mockview.speech.voicing import VoicingSettings, measure, runs
from mockview.words import Transcript, Word

#: the text a filler found in the audio is shown with: the neutral vowel of "uh"
HIDDEN_TEXT = "uh"


@dataclass(frozen=True)
class HiddenFillerSettings:
    """What a hidden filled pause must look like. Each value comes from how filled pauses
    are produced (the README's "How fillers are kept honest"), not from a fit to recordings.
    """

    #: filled pauses typically last about 0.2-0.6 s (the range studies of spontaneous
    #: speech report, e.g. Shriberg 2001), rarely over 1 s; a voiced run under 0.2 s is a
    #: syllable, not a held vowel
    min_s: float = 0.2
    max_s: float = 1.0
    #: the run keeps this far from the stamps of the words either side: the model's word
    #: times are good to about a tenth of a second
    word_margin_s: float = 0.12
    #: voice: periodic (as ``voicing``), and clearly the speaker's: well above the local
    #: background and within reach of the loud frames of the answer
    min_periodicity: float = 0.6
    min_above_background_db: float = 12.0
    max_below_speech_db: float = 25.0
    #: the pitch of a filled pause is flat or slowly falling: frame to frame it moves less
    #: than a semitone (a jump is an octave error or a new syllable), and over the middle
    #: 80 % of the run it spans at most 3 semitones (a pitch accent on a word often moves
    #: that much in 0.2 s)
    max_pitch_step_st: float = 1.0
    max_pitch_span_st: float = 3.0
    #: the articulators hold still: the spectral envelope (band levels in dB) changes this
    #: little, on the median, between frames 20 ms apart. Running speech changes it by
    #: several dB per 20 ms as the formants move between sounds
    max_flux_db: float = 2.5
    #: ... and does not glide: from the first third of the run to the last the envelope
    #: moves less than this (a diphthong or a syllable's vowel moves its formants by
    #: hundreds of hertz: synthetic glides of 150-450 Hz in the first formant measure
    #: 6-14 dB; synthetic held vowels 0.4-1.2 dB)
    max_drift_db: float = 4.0
    #: the run stands apart from the sound on both sides: within ``dip_s`` before and
    #: after it the level falls this far below its own median (a word's drawn-out vowel
    #: runs straight on from the word, with no fall in between)
    min_dip_db: float = 10.0
    dip_s: float = 0.15


def add_hidden_fillers(transcript: Transcript, samples: np.ndarray | None, *,
                       settings: HiddenFillerSettings = HiddenFillerSettings()) -> Transcript:
    """``transcript`` with the filled pauses found in ``samples`` (the whole answer, 16 kHz
    mono) added as words of ``source="audio"``; unchanged without samples."""
    if samples is None or not transcript.words:
        return transcript
    found = find_hidden_fillers(samples, transcript.words,
                                dropped=[d.word for d in transcript.dropped],
                                settings=settings)
    if not found:
        return transcript
    words = sorted([*transcript.words, *found], key=lambda w: (w.start_s, w.end_s))
    return replace(transcript, words=tuple(words))


def find_hidden_fillers(samples: np.ndarray, words: Sequence[Word], *,
                        dropped: Iterable[Word] = (), offset_s: float = 0.0,
                        settings: HiddenFillerSettings = HiddenFillerSettings()
                        ) -> list[Word]:
    """Words for the filled pauses in the gaps between ``words`` that the model did not
    write (see the module docstring). ``samples`` start ``offset_s`` into the answer;
    ``dropped`` are words the checks removed: a gap holding one is not searched."""
    gaps = _open_gaps(words, dropped, settings)
    margin_s = settings.word_margin_s
    return [Word(HIDDEN_TEXT, round(start, 3), round(end, 3), 1.0, source="audio")
            for start, end in held_runs(samples, gaps, offset_s=offset_s, settings=settings)
            if any(gap_start + margin_s <= start and end <= gap_end - margin_s
                   for gap_start, gap_end in gaps)]


def held_runs(samples: np.ndarray, spans: Sequence[tuple[float, float]], *,
              offset_s: float = 0.0,
              settings: HiddenFillerSettings = HiddenFillerSettings()
              ) -> list[tuple[float, float]]:
    """The runs of voice reaching into ``spans`` that are held vowels or nasals standing on
    their own, as a filled pause is: ``min_s`` to ``max_s`` of voice at a steady pitch and
    with a steady spectrum, the level falling on both sides. ``samples`` start ``offset_s``
    into the answer; ``spans`` and the runs are in answer time."""
    if not spans:
        return []
    voicing = _voicing(settings)
    # measured into the sound on either side, so a run that is a word's own sound carries
    # on past the span's edge and is seen to
    reach = settings.word_margin_s + settings.dip_s
    frames = measure(samples, offset_s=offset_s,
                     within=[(start - reach, end + reach) for start, end in spans],
                     settings=voicing)
    voiced = frames.voiced(voicing)
    found = []
    for span_start, span_end in spans:
        inside = (frames.times >= span_start - reach) & (frames.times <= span_end + reach)
        for start, end in runs(voiced & inside, frames.times, settings=voicing):
            if end <= span_start or start >= span_end \
                    or not settings.min_s <= end - start <= settings.max_s:
                continue
            if _is_held(samples, frames, (start, end), offset_s=offset_s,
                        voicing=voicing, settings=settings):
                found.append((start, end))
    return sorted(set(found))


def _voicing(settings: HiddenFillerSettings) -> VoicingSettings:
    """What counts as voice here: stricter than the confirmation of a written filler."""
    return VoicingSettings(min_periodicity=settings.min_periodicity,
                           min_above_background_db=settings.min_above_background_db,
                           max_below_speech_db=settings.max_below_speech_db)


def _open_gaps(words: Sequence[Word], dropped: Iterable[Word],
               settings: HiddenFillerSettings) -> list[tuple[float, float]]:
    """The gaps between consecutive written words long enough to hold a filler clear of
    both, leaving out those where the model wrote or the checks dropped anything."""
    from mockview.speech.transcription import is_filled_pause

    ordered = sorted(words, key=lambda w: (w.start_s, w.end_s))
    taken = sorted((w.start_s, w.end_s) for w in dropped)
    fillers = [(w.start_s, w.end_s) for w in ordered if is_filled_pause(w.text)]
    need_s = settings.min_s + 2 * settings.word_margin_s
    gaps = []
    reach_s = 0.0
    for before, after in pairwise(ordered):
        reach_s = max(reach_s, before.end_s)  # a long word may cover the next ones
        start, end = reach_s, after.start_s
        if end - start < need_s:
            continue
        if any(s < end and e > start for s, e in [*taken, *fillers]):
            continue
        if is_filled_pause(before.text) or is_filled_pause(after.text):
            continue  # a filler beside the gap may be stamped short of its voice
        gaps.append((start, end))
    return gaps


def _is_held(samples: np.ndarray, frames, span: tuple[float, float], *, offset_s: float,
             voicing: VoicingSettings, settings: HiddenFillerSettings) -> bool:
    """Whether the voiced run ``span`` is a held vowel or nasal standing on its own: steady
    pitch, a steady spectrum, and a fall in level on both sides."""
    start, end = span
    times = frames.times
    within = (times >= start) & (times <= end)
    level = np.median(frames.level_db[within])
    before = (times >= start - settings.dip_s) & (times < start)
    after = (times > end) & (times <= end + settings.dip_s)
    if not before.any() or not after.any():
        return False
    if max(frames.level_db[before].min(), frames.level_db[after].min()) \
            > level - settings.min_dip_db:
        return False
    first = int(round((start - offset_s) * SAMPLE_RATE))
    last = int(round((end - offset_s) * SAMPLE_RATE))
    pitch_hz, envelope_db = _pitch_and_envelope(samples[max(0, first) : last], voicing)
    if pitch_hz.size < 3:
        return False
    semitones = 12 * np.log2(pitch_hz)
    low, high = np.percentile(semitones, [10, 90])
    flux_db, drift_db = flux_and_drift(envelope_db)
    return (high - low <= settings.max_pitch_span_st
            and np.percentile(np.abs(np.diff(semitones)), 90) <= settings.max_pitch_step_st
            and flux_db <= settings.max_flux_db and drift_db <= settings.max_drift_db)


#: band edges (Hz) of the spectral envelope over the range of the first three formants,
#: each band at least 300 Hz wide so that it always holds two or more harmonics of a
#: speaking voice (a harmonic crossing a band edge as the pitch moves is not the vowel
#: changing)
_BAND_EDGES_HZ = np.array([250, 550, 850, 1150, 1500, 1900, 2400, 3000, 3700])


def _pitch_and_envelope(audio: np.ndarray, voicing: VoicingSettings
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Per 10 ms frame of ``audio``: the pitch (Hz, from the best autocorrelation lag in
    the speaking range), and the spectral envelope's shape (band levels in dB less their
    mean: the formants, not the loudness, since a held vowel may swell or fade)."""
    frame = int(round(voicing.frame_s * SAMPLE_RATE))
    hop = int(round(voicing.hop_s * SAMPLE_RATE))
    if audio.size < frame + 2 * hop:
        return np.zeros(0), np.zeros((0, _BAND_EDGES_HZ.size - 1))
    starts = np.arange(0, audio.size - frame + 1, hop)
    frames = np.lib.stride_tricks.sliding_window_view(
        np.asarray(audio, dtype=np.float64), frame)[starts]
    frames = frames - frames.mean(axis=1, keepdims=True)
    size = 1 << (2 * frame - 1).bit_length()
    power = np.abs(np.fft.rfft(frames, n=size)) ** 2
    acf = np.fft.irfft(power, axis=1)[:, :frame]
    shortest = int(SAMPLE_RATE / voicing.fmax_hz)
    longest = min(frame // 2, int(np.ceil(SAMPLE_RATE / voicing.fmin_hz)))
    energy = np.cumsum(frames ** 2, axis=1)
    lags = np.arange(shortest, longest + 1)
    head = energy[:, frame - lags - 1]
    tail = energy[:, -1:] - energy[:, lags - 1]
    nccf = acf[:, lags] / np.sqrt(head * tail + 1e-20)
    pitch_hz = SAMPLE_RATE / lags[np.argmax(nccf, axis=1)]
    windowed = np.abs(np.fft.rfft(frames * np.hanning(frame), n=size)) ** 2
    freqs = np.fft.rfftfreq(size, 1 / SAMPLE_RATE)
    band = np.digitize(freqs, _BAND_EDGES_HZ)
    levels = np.stack([windowed[:, band == b].sum(axis=1)
                       for b in range(1, _BAND_EDGES_HZ.size)], axis=1)
    levels_db = 10 * np.log10(levels + 1e-12)
    return pitch_hz, levels_db - levels_db.mean(axis=1, keepdims=True)


def flux_and_drift(envelope_db: np.ndarray) -> tuple[float, float]:
    """How much the envelope changes (RMS over bands, dB): the median change between frames
    20 ms apart (a sound changing), and the change from the first third of the frames to
    the last (a slow glide, as in a diphthong or a syllable's vowel)."""
    flux = np.sqrt(np.mean((envelope_db[2:] - envelope_db[:-2]) ** 2, axis=1))
    third = max(1, len(envelope_db) // 3)
    drift = envelope_db[-third:].mean(axis=0) - envelope_db[:third].mean(axis=0)
    return float(np.median(flux)), float(np.sqrt(np.mean(drift ** 2)))
