"""Reading audio files and finding where in them someone is speaking.

Everything here works on 16 kHz mono float32 arrays, the rate Whisper expects.
numpy and the decoders are imported inside the functions so that importing this module
costs nothing on the CLI's start-up path.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mockview.errors import AudioError

if TYPE_CHECKING:
    import numpy as np

SAMPLE_RATE = 16000
#: Frames quieter than this (dB of mean square) are digital silence, not a room.
DIGITAL_SILENCE_DB = -100.0
SUPPORTED_SUFFIXES = (".wav", ".flac", ".mp3", ".m4a", ".ogg", ".opus", ".aac", ".webm")

logger = logging.getLogger("mockview")


def load_audio(path: str | os.PathLike) -> np.ndarray:
    """Decode any supported file to a 16 kHz mono float32 array.

    Raises AudioError with the path and a fix for every way a file can be unusable:
    missing, a directory or other non-file, empty, not audio, or holding no samples.
    """
    import numpy as np

    path = Path(path)
    _check_readable_file(path)
    try:
        from faster_whisper.audio import decode_audio

        audio = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except Exception as error:  # PyAV raises many types for undecodable input
        raise AudioError(
            f"Could not decode {path} as audio ({_short(error)}). "
            f"Check that it is a complete {', '.join(s[1:] for s in SUPPORTED_SUFFIXES[:5])} "
            "recording, or convert it with: ffmpeg -i INPUT answer.wav"
        ) from None
    if audio.size == 0:
        raise AudioError(f"{path} holds no audio samples. Record the answer again.")
    if not np.all(np.isfinite(audio)):
        logger.warning("%s holds NaN or infinite samples; they are treated as silence", path)
        audio = np.nan_to_num(audio, nan=0.0, posinf=0.0, neginf=0.0)
    return audio.astype(np.float32, copy=False)


def _check_readable_file(path: Path) -> None:
    try:
        info = path.stat()
    except FileNotFoundError:
        raise AudioError(f"No such file: {path}. Check the path and try again.") from None
    except OSError as error:
        raise AudioError(f"Cannot read {path}: {error.strerror}.") from None
    if stat.S_ISDIR(info.st_mode):
        raise AudioError(f"{path} is a directory, not an audio file. Give the path of a recording.")
    if not stat.S_ISREG(info.st_mode):
        raise AudioError(f"{path} is not a regular file. Give the path of a recording.")
    if info.st_size == 0:
        raise AudioError(f"{path} is empty (0 bytes). Record the answer again.")
    if not os.access(path, os.R_OK):
        raise AudioError(f"Cannot read {path}: permission denied.")


def _short(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:160]


@dataclass(frozen=True)
class VadSettings:
    """Voice-activity settings, much finer than faster-whisper's transcription defaults.

    Pause metrics need silences of 250 ms to be visible, so the minimum silence is well
    below that and the padding small (faster-whisper's 2000 ms / 400 ms would hide them).
    """

    threshold: float = 0.5
    min_speech_ms: int = 60
    min_silence_ms: int = 100
    speech_pad_ms: int = 30


def speech_regions(
    audio: np.ndarray, *, settings: VadSettings = VadSettings()
) -> list[tuple[float, float]]:
    """Spans (start_s, end_s) of ``audio`` where the Silero VAD hears voice."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    if audio.size == 0:
        return []
    options = VadOptions(
        threshold=settings.threshold,
        min_speech_duration_ms=settings.min_speech_ms,
        min_silence_duration_ms=settings.min_silence_ms,
        speech_pad_ms=settings.speech_pad_ms,
    )
    stamps = get_speech_timestamps(audio, options, sampling_rate=SAMPLE_RATE)
    return [(s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in stamps]


def sound_regions(
    audio: np.ndarray, *, above_floor_db: float = 12.0, min_gap_s: float = 0.1,
    min_sound_s: float = 0.05, frame_s: float = 0.025, hop_s: float = 0.01,
) -> list[tuple[float, float]]:
    """Spans (start_s, end_s) where the level is ``above_floor_db`` over the noise floor.

    The speech detector does not hear hums ("mmm") or whispers as speech, yet neither is a
    silence: this energy check catches them. The floor is the 10th percentile of the levels
    of frames that are not digital silence, so it adapts to the room; gaps shorter than
    ``min_gap_s`` are bridged.
    """
    import numpy as np

    frame, hop = int(frame_s * SAMPLE_RATE), int(hop_s * SAMPLE_RATE)
    if audio.size < frame:
        return []
    count = 1 + (audio.size - frame) // hop
    frames = np.lib.stride_tricks.as_strided(
        audio, shape=(count, frame), strides=(audio.strides[0] * hop, audio.strides[0])
    )
    level_db = 10 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-12)
    # Digital silence (a muted or virtual input, padding) is not the room's noise floor:
    # taking it as one would make the hiss between phrases count as sound. Where the rest
    # has no quieter background (a clean synthetic signal), the silence is the floor.
    live = level_db[level_db > DIGITAL_SILENCE_DB]
    floor_db = float(np.percentile(level_db, 10))
    if live.size and np.percentile(live, 90) - np.percentile(live, 10) >= above_floor_db:
        floor_db = float(np.percentile(live, 10))
    active = level_db > max(floor_db + above_floor_db, -70.0)
    spans = _runs(active, hop_s, frame_s)
    return [s for s in merge_regions(spans, min_gap_s=min_gap_s) if s[1] - s[0] >= min_sound_s]


def _runs(active, hop_s: float, frame_s: float) -> list[tuple[float, float]]:
    import numpy as np

    edges = np.flatnonzero(np.diff(np.concatenate(([0], active.astype(np.int8), [0]))))
    return [
        (float(start * hop_s), float((end - 1) * hop_s + frame_s))
        for start, end in edges.reshape(-1, 2)
    ]


def merge_regions(
    regions: list[tuple[float, float]], *, min_gap_s: float = 0.0
) -> list[tuple[float, float]]:
    """Sorted union of spans, joining those less than ``min_gap_s`` apart."""
    merged: list[tuple[float, float]] = []
    for start, end in sorted(regions):
        if merged and start - merged[-1][1] < min_gap_s or merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def voice_regions(audio: np.ndarray) -> list[tuple[float, float]]:
    """Where someone is making sound with their voice: speech, hums and whispers.

    The union of the speech detector and the energy check, with gaps under 100 ms bridged.
    """
    return merge_regions(speech_regions(audio) + sound_regions(audio), min_gap_s=0.1)


def chunk_regions(
    regions: list[tuple[float, float]],
    *,
    max_chunk_s: float,
    duration_s: float = float("inf"),
    pad_s: float = 0.2,
    quietest: Callable[[float, float], float] | None = None,
) -> list[tuple[float, float]]:
    """Group speech regions into chunks no longer than ``max_chunk_s``, cut at silences.

    Chunks start and end in silence, so no word is cut in two. A region of continuous
    speech longer than the limit (the model reads 30 s at a time) is cut at
    ``quietest(from_s, to_s)``, the quietest moment of the window's last third (the
    likeliest breath), or at the limit itself when no such function is given.
    """
    chunks: list[tuple[float, float]] = []
    for start, end in regions:
        start, end = max(0.0, start - pad_s), min(duration_s, end + pad_s)
        if chunks and end - chunks[-1][0] <= max_chunk_s:
            chunks[-1] = (chunks[-1][0], end)
            continue
        while end - start > max_chunk_s:
            cut = start + max_chunk_s
            if quietest is not None:
                cut = quietest(start + max_chunk_s * 2 / 3, cut)
            chunks.append((start, cut))
            start = cut
        chunks.append((start, end))
    return chunks


def quietest_moment(
    audio: np.ndarray, from_s: float, to_s: float, *, frame_s: float = 0.1
) -> float:
    """The centre (s) of the quietest ``frame_s`` stretch of ``audio`` between two times."""
    import numpy as np

    frame = int(frame_s * SAMPLE_RATE)
    first, last = int(from_s * SAMPLE_RATE), int(to_s * SAMPLE_RATE)
    piece = audio[first:last]
    count = piece.size // frame
    if count < 1:
        return to_s
    energy = np.square(piece[: count * frame].reshape(count, frame)).mean(axis=1)
    return (first + (int(np.argmin(energy)) + 0.5) * frame) / SAMPLE_RATE
