"""Where the audio holds voice: periodic sound clear of the room around it.

A filled pause ("uh", "um", "er", "hmm") is a held vowel or nasal, so the vocal folds
vibrate through it: the sound is periodic. Fricatives ("sss"), clicks, breaths and room
noise are not. Two measures per 10 ms frame tell voice from the rest:

- **periodicity**: the normalised autocorrelation at the best lag of the speaking-voice
  pitch range (0.7-1 for a vowel, under 0.3 for breath and hiss);
- **level against the local background**: the frame's level over the 10th percentile of
  the levels within 1.5 s around it, so a quiet speaker in a quiet room and a loud one
  beside a fan are judged alike, and a hum the room makes all along (periodic as it is)
  is background, not voice; and a frame far below the loud frames of the stretch is not
  the speaker's voice either, however clear of a near-silent floor it stands.

numpy only: the check runs on audio that transcription has already decoded, and nothing
is compiled on first use.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from mockview.speech.audio import SAMPLE_RATE


@dataclass(frozen=True)
class VoicingSettings:
    """How voice is told from other sound. The defaults follow speech acoustics (the
    README's transcription section), not a fit to recordings."""

    #: 40 ms frames hold two periods of a 65 Hz voice; 10 ms hop
    frame_s: float = 0.04
    hop_s: float = 0.01
    #: the speaking-voice pitch range searched for a period
    fmin_hz: float = 65.0
    fmax_hz: float = 400.0
    #: a frame is voiced when the signal one period later correlates with it this much
    min_periodicity: float = 0.5
    #: ... and stands this far above the local background
    min_above_background_db: float = 6.0
    #: ... and no further than this below the loud frames of the stretch measured (its 95th
    #: percentile): a faint hum in a silent room can stand well above the silence, but
    #: voice is within 30 dB of the speaker's own level
    max_below_speech_db: float = 30.0
    #: the local background: the 10th percentile of frame levels this far on each side
    background_s: float = 1.5
    #: runs of voiced frames separated by less than this are one run
    bridge_s: float = 0.03


@dataclass(frozen=True)
class Frames:
    """Frame measures of a stretch of audio; ``times`` are frame centres in seconds from
    the start of the answer."""

    times: np.ndarray
    level_db: np.ndarray
    above_background_db: np.ndarray
    below_speech_db: np.ndarray
    periodicity: np.ndarray

    def voiced(self, settings: VoicingSettings) -> np.ndarray:
        """Frames of voice."""
        return ((self.periodicity >= settings.min_periodicity)
                & (self.above_background_db >= settings.min_above_background_db)
                & (self.below_speech_db <= settings.max_below_speech_db))


def measure(audio: np.ndarray, *, offset_s: float = 0.0,
            within: Iterable[tuple[float, float]] | None = None,
            settings: VoicingSettings = VoicingSettings()) -> Frames:
    """Frame measures of ``audio`` (16 kHz mono) that starts ``offset_s`` into the answer.

    Levels are measured everywhere (the background needs them); periodicity and the
    background, the costly parts, only in the frames inside the spans ``within`` (answer
    time) when given: elsewhere no frame is voiced.
    """
    frame = int(round(settings.frame_s * SAMPLE_RATE))
    hop = int(round(settings.hop_s * SAMPLE_RATE))
    audio = np.asarray(audio, dtype=np.float64).reshape(-1)
    if audio.size < frame:
        audio = np.pad(audio, (0, frame - audio.size))
    count = 1 + (audio.size - frame) // hop
    squares = np.concatenate(([0.0], np.cumsum(audio ** 2)))
    starts = np.arange(count) * hop
    level_db = 10 * np.log10((squares[starts + frame] - squares[starts]) / frame + 1e-12)
    times = offset_s + (starts + frame / 2) / SAMPLE_RATE
    wanted = np.ones(count, dtype=bool)
    if within is not None:
        wanted[:] = False
        for start_s, end_s in within:
            wanted |= (times >= start_s) & (times <= end_s)
    periodicity = np.zeros(count)
    windows = np.lib.stride_tricks.sliding_window_view(audio, frame)
    picked = starts[wanted]
    values = np.empty(picked.size)
    # a block of frames at a time: all of a long answer's spectra at once would hold
    # hundreds of MB for a moment, the peak of a whole analysis
    for first in range(0, picked.size, BLOCK_FRAMES):
        frames = windows[picked[first : first + BLOCK_FRAMES]]
        values[first : first + BLOCK_FRAMES] = _periodicity(
            frames - frames.mean(axis=1, keepdims=True), settings)
    periodicity[wanted] = values
    return Frames(
        times=times,
        level_db=level_db,
        above_background_db=level_db - _local_floor(level_db, wanted, settings),
        below_speech_db=np.percentile(level_db, 95) - level_db,
        periodicity=periodicity,
    )


#: frames whose periodicity is measured together (about 16 MB of spectra)
BLOCK_FRAMES = 1024


def _fft_size(frame: int) -> int:
    return 1 << (2 * frame - 1).bit_length()


def _local_floor(level_db: np.ndarray, wanted: np.ndarray,
                 settings: VoicingSettings) -> np.ndarray:
    """The 10th percentile of levels within ``background_s`` of each ``wanted`` frame
    (the others get no floor: +inf), digital silence left out (padding is not the room)."""
    reach = max(1, int(round(settings.background_s / settings.hop_s)))
    live = np.where(level_db > -100, level_db, np.nan)
    floors = np.full_like(level_db, np.inf)
    # the floor changes slowly: measure it every 10 frames and hold it in between
    for at in range(0, level_db.size, 10):
        if not wanted[at : at + 10].any():
            continue
        around = live[max(0, at - reach) : at + reach + 1]
        floors[at : at + 10] = (np.nanpercentile(around, 10) if np.isfinite(around).any()
                                else -120.0)
    return floors


def _periodicity(frames: np.ndarray, settings: VoicingSettings) -> np.ndarray:
    """The normalised autocorrelation at the best lag in the pitch range, per frame.

    Each lag's product sum is divided by the energies of the two parts that overlap at
    that lag, so a frame that fades or swells is not penalised (1.0: exactly periodic).
    """
    frame = frames.shape[1]
    plain = np.abs(np.fft.rfft(frames, n=_fft_size(frame))) ** 2
    acf = np.fft.irfft(plain, axis=1)[:, :frame]
    shortest = int(SAMPLE_RATE / settings.fmax_hz)
    longest = min(frame // 2, int(np.ceil(SAMPLE_RATE / settings.fmin_hz)))
    energy = np.cumsum(frames ** 2, axis=1)
    total = energy[:, -1:]
    lags = np.arange(shortest, longest + 1)
    head = energy[:, frame - lags - 1]  # samples 0 .. frame-lag-1
    tail = total - energy[:, lags - 1]  # samples lag .. frame-1
    nccf = acf[:, lags] / np.sqrt(head * tail + 1e-20)
    return np.clip(nccf.max(axis=1), 0.0, 1.0)


def runs(mask: np.ndarray, times: np.ndarray, *, settings: VoicingSettings
         ) -> list[tuple[float, float]]:
    """(start_s, end_s) of the runs of true frames, runs closer than ``bridge_s`` joined.
    A frame stands for the hop around its centre."""
    half = settings.hop_s / 2
    spans: list[tuple[float, float]] = []
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    for first, last in edges.reshape(-1, 2):
        start, end = float(times[first] - half), float(times[last - 1] + half)
        if spans and start - spans[-1][1] < settings.bridge_s:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def voiced_spans(audio: np.ndarray, *, offset_s: float = 0.0, min_s: float = 0.06,
                 within: Iterable[tuple[float, float]] | None = None,
                 settings: VoicingSettings = VoicingSettings()
                 ) -> list[tuple[float, float]]:
    """Runs of voice in ``audio`` lasting ``min_s`` or more: periodic sound clear of the
    local background and within reach of the speaker's level (see ``Frames.voiced``);
    only inside ``within`` when given (see ``measure``)."""
    frames = measure(audio, offset_s=offset_s, within=within, settings=settings)
    return [span for span in runs(frames.voiced(settings), frames.times, settings=settings)
            if span[1] - span[0] >= min_s]
