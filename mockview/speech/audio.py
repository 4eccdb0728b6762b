"""Reading audio files and finding where in them someone is speaking.

Everything here works on 16 kHz mono float32 audio, the rate Whisper expects: whole arrays
for an answer recorded a moment ago, or blocks streamed from a file of any length
(``AudioFile``, ``VoiceRegions``, ``AudioWindow``), which give the same results as the whole
array without ever holding it.
numpy and the decoders are imported inside the functions so that importing this module
costs nothing on the CLI's start-up path.
"""

from __future__ import annotations

import logging
import os
import re
import stat
import struct
from collections.abc import Callable, Iterable, Iterator
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
#: the fix every message about an unreadable recording ends with
GIVE_A_RECORDING = ("Give a WAV, FLAC, MP3, M4A or OGG recording, or convert it with: "
                    "ffmpeg -i INPUT answer.wav")
#: Input samples decoded before each resampling step: faster-whisper's ``decode_audio``
#: uses the same grouping, so the blocks joined are its array to the last bit.
_DECODE_GROUP = 500_000

logger = logging.getLogger("mockview")


class AudioFile:
    """A recording on disk, decoded in blocks each time ``blocks()`` is iterated.

    Memory holds one block (at most about 30 s) however long the file, so a three-hour
    recording is read as easily as a short answer; reading it twice costs a second decode.
    The file is checked when this is made (missing, a directory, empty, unreadable) and
    decoding failures raise AudioError from ``blocks()``.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        _check_readable_file(self.path)

    def stated_duration_s(self) -> float | None:
        """The length the file's header states, read without decoding; None when it states
        none, or cannot be read (``blocks()`` then says what is wrong).

        For a WAV that is the size its ``data`` chunk declares, which FFmpeg would clip to
        what the file holds: a recording cut short still promises its whole length. A raw
        AAC (ADTS) stream states none: FFmpeg's figure for it is a guess from the bit rate.
        """
        import av

        promised = _wav_promise_s(self.path)
        if promised is not None:
            return promised
        try:
            with _open_container(self.path) as container:
                if container.format.name == "aac":
                    return None
                if container.duration is not None:
                    return container.duration / av.time_base
                stream = container.streams.audio[0] if container.streams.audio else None
                if stream is not None and stream.duration is not None and stream.time_base:
                    return float(stream.duration * stream.time_base)
        except Exception:  # PyAV raises many types for undecodable input
            return None
        return None

    def blocks(self) -> Iterator[np.ndarray]:
        """The file as consecutive blocks of 16 kHz mono float32 samples."""
        samples = 0
        try:
            for block in _decode_blocks(self.path):
                samples += block.size
                yield block
        except AudioError:
            raise
        except Exception as error:  # PyAV raises many types for undecodable input
            if samples == 0 and self.path.suffix.lower() in SUPPORTED_SUFFIXES:
                raise AudioError(f"{self.path} cannot be read: it is damaged, cut short or not "
                                 f"really {self.path.suffix[1:].upper()} ({_reason(error)}). "
                                 f"{GIVE_A_RECORDING}") from None
            if samples == 0:
                raise AudioError(f"{self.path} is not an audio file mockview can read "
                                 f"({_reason(error)}). {GIVE_A_RECORDING}") from None
            raise AudioError(f"{self.path} is damaged after {samples / SAMPLE_RATE:.1f} s "
                             f"({_reason(error)}). {GIVE_A_RECORDING}") from None
        if samples == 0:
            raise AudioError(f"{self.path} holds no audio samples. Record the answer again.")


def _wav_promise_s(path: Path) -> float | None:
    """The seconds a PCM WAV's header declares; None for anything else, and for a header
    written before its length was known (0, or 0xFFFFFFFF as streaming writers put it)."""
    from mockview.store.unfinished import WavError, wav_layout

    try:
        with open(path, "rb") as wav:
            rate_hz, block_align, _, _, data_size = wav_layout(wav, path)
    except (OSError, WavError, struct.error):
        return None
    if data_size in (0, 0xFFFFFFFF) or not rate_hz or not block_align:
        return None
    return data_size // block_align / rate_hz


def load_audio(path: str | os.PathLike) -> np.ndarray:
    """Decode any supported file to a 16 kHz mono float32 array.

    Raises AudioError with the path and a fix for every way a file can be unusable:
    missing, a directory or other non-file, empty, not audio, or holding no samples.
    """
    import numpy as np

    path = Path(path)
    audio = np.concatenate(list(AudioFile(path).blocks()))
    if not np.all(np.isfinite(audio)):
        logger.warning("%s holds NaN or infinite samples; they are treated as silence", path)
        audio = np.nan_to_num(audio, nan=0.0, posinf=0.0, neginf=0.0)
    return audio.astype(np.float32, copy=False)


def _decode_blocks(path: Path) -> Iterator[np.ndarray]:
    """PyAV's decode, resampled to 16-bit 16 kHz mono as faster-whisper's ``decode_audio``
    does (so the samples are the same), one resampled frame at a time."""
    import gc
    import itertools

    import av
    import numpy as np

    resampler = av.audio.resampler.AudioResampler(format="s16", layout="mono",
                                                  rate=SAMPLE_RATE)
    try:
        with _open_container(path) as container:
            if not container.streams.audio:
                raise AudioError(f"{path} is not an audio file mockview can read (FFmpeg finds "
                                 f"no audio track in it). {GIVE_A_RECORDING}")
            groups = _grouped(_valid_frames(container.decode(audio=0)))
            for frame in itertools.chain(groups, [None]):  # None flushes the resampler
                for resampled in resampler.resample(frame):
                    yield resampled.to_ndarray().reshape(-1).astype(np.float32) / 32768.0
    finally:
        # PyAV frees a resampler's buffers only on a collection (faster-whisper issue 390)
        del resampler
        gc.collect()


def _open_container(path: Path):
    """PyAV's container for reading ``path``, opened as "file:" + its absolute path: FFmpeg
    reads a bare name as a URL, so a file called "pipe:0.wav" would be standard input and
    "http:x.wav" a web address."""
    import av

    return av.open(f"file:{path.absolute()}", mode="r", **_tolerant_metadata())


def _tolerant_metadata() -> dict:
    """The ``av.open`` options that keep a tag in a foreign encoding from failing the open.

    PyAV up to 18 decodes tags strictly as UTF-8 unless told ``metadata_errors``, so a WAV
    titled in Latin-1 would not open; PyAV 19 dropped that option (and the attribute that
    goes with it) and always reads tags losslessly. Ask the release at hand which it is.
    """
    import av.container

    if hasattr(av.container.Container, "metadata_errors"):
        return {"metadata_errors": "ignore"}
    return {}


def _valid_frames(frames):
    """The frames, skipping those FFmpeg finds invalid (as ``decode_audio`` does)."""
    import av

    iterator = iter(frames)
    while True:
        try:
            yield next(iterator)
        except StopIteration:
            return
        except av.error.InvalidDataError:
            continue


def _grouped(frames):
    """Frames regrouped into frames of ``_DECODE_GROUP`` samples (the last one shorter)."""
    import av

    fifo = av.audio.fifo.AudioFifo()
    for frame in frames:
        frame.pts = None  # the FIFO checks timestamps; a file's own may have gaps
        fifo.write(frame)
        if fifo.samples >= _DECODE_GROUP:
            yield fifo.read()
    if fifo.samples > 0:
        yield fifo.read()


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


def _reason(error: Exception) -> str:
    """FFmpeg's reason in words ("invalid data found when processing input"), without the
    error number and the "file:" URL it adds (the message names the file already)."""
    text = getattr(error, "strerror", None) or _short(error)
    text = re.sub(r"^\[Errno -?\d+\]\s*", "", text).strip().rstrip(".")
    return f"FFmpeg: {text[:1].lower()}{text[1:]}"


class AudioWindow:
    """The recent past of a stream of blocks, sliced like one long array.

    ``window[first:last]`` takes samples by their index in the whole stream, decoding on as
    far as ``last``; only the last ``keep_s`` seconds before the furthest sample asked for
    are kept, so a reader that looks back at most that far (the chunk planner looks back
    one chunk) can walk through hours of audio in a few megabytes.
    """

    def __init__(self, blocks: Iterable[np.ndarray], *, keep_s: float):
        import numpy as np

        self._blocks = iter(blocks)
        self._keep = int(keep_s * SAMPLE_RATE)
        self._buffer = np.zeros(0, dtype=np.float32)
        self._first = 0  # index in the stream of self._buffer[0]
        self._ended = False

    def __getitem__(self, index: slice) -> np.ndarray:
        first, last = index.start or 0, index.stop
        if index.step not in (None, 1) or last is None or first < 0 or last < first:
            raise ValueError(f"AudioWindow takes [first:last] with 0 <= first <= last, "
                             f"not {index}")
        self._decode_to(first, last)
        if first < self._first:
            raise ValueError(f"samples from {first} are gone: the window keeps "
                             f"{self._keep / SAMPLE_RATE:g} s, from {self._first}")
        return self._buffer[first - self._first : last - self._first]

    def _decode_to(self, first: int, last: int) -> None:
        """Decode on to ``last`` (or the end), dropping what is more than ``keep_s`` behind
        it and not asked for now."""
        import numpy as np

        pieces = [self._buffer]
        end = self._first + self._buffer.size
        while end < last and not self._ended:
            block = next(self._blocks, None)
            if block is None:
                self._ended = True
            else:
                pieces.append(block)
                end += block.size
        drop = max(0, min(first, min(last, end) - self._keep) - self._first)
        if len(pieces) > 1 or drop:
            self._buffer = np.concatenate(pieces)[drop:]
            self._first += drop


# --- voice ----------------------------------------------------------------------------------


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


class VoiceRegions:
    """``voice_regions`` of audio fed in consecutive blocks, without holding the audio.

    ``feed`` the blocks in order, then ask for ``regions()``: they equal ``voice_regions`` of
    the blocks joined. What is kept is a batch of the speech detector (64 s of audio) and a
    number per 10 ms: 9 MB for three hours.
    """

    def __init__(self):
        self._speech = _SpeechDetector()
        self._levels = _FrameLevels()

    @property
    def duration_s(self) -> float:
        """How much audio has been fed."""
        return self._speech.samples / SAMPLE_RATE

    def feed(self, block: np.ndarray) -> None:
        self._speech.feed(block)
        self._levels.feed(block)

    def regions(self) -> list[tuple[float, float]]:
        return self.speech_and_voice()[1]

    def speech_and_voice(self) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
        """The speech detector's regions, and the voice regions; call once, at the end."""
        speech = self._speech.regions()
        return speech, _voice(speech, self._levels.sound_regions())


def voice_regions(audio: np.ndarray) -> list[tuple[float, float]]:
    """Where someone is making sound with their voice: speech, hums and whispers.

    The union of the speech detector and the energy check, with gaps under 100 ms bridged.
    """
    return speech_and_voice(audio)[1]


def speech_and_voice(audio: np.ndarray
                     ) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """``speech_regions`` and ``voice_regions`` of ``audio``, the detector run once.

    The voice regions hold every sound above the room's level (so hums and whispers the
    detector misses, but breaths and lip noise too); the speech regions only what the
    detector takes for speech. Pauses need both (``mockview.analysis.pauses``).
    """
    speech = speech_regions(audio)
    return speech, _voice(speech, sound_regions(audio))


def _voice(speech: list, sound: list) -> list[tuple[float, float]]:
    return merge_regions(speech + sound, min_gap_s=0.1)


def speech_regions(
    audio: np.ndarray, *, settings: VadSettings = VadSettings()
) -> list[tuple[float, float]]:
    """Spans (start_s, end_s) of ``audio`` where the Silero VAD hears voice."""
    detector = _SpeechDetector(settings)
    detector.feed(audio)
    return detector.regions()


class _SpeechDetector:
    """faster-whisper's ``get_speech_timestamps``, fed in blocks.

    The Silero model reads windows of 512 samples, each with the 64 samples before it, and
    carries its state from one window to the next. faster-whisper runs it over a whole
    array in batches of 10,000 windows; here batches of 2,000 (64 s) are run as the audio
    arrives, which needs a fifth of the memory and gives the same probabilities (a test
    checks it), so the regions are those of the whole array.

    The last batch is run padded with silence to a whole number of seconds (the model
    looks only back, so the padding changes nothing before it) and its extra
    probabilities dropped: ONNX Runtime keeps memory for every input shape it meets, and
    the pieces cut while recording would each bring a new one (a 30-minute recording
    grew by 100 MB).
    """

    WINDOW = 512
    CONTEXT = 64
    BATCH = 2_000 * WINDOW
    ROUND = 32  # windows (1.024 s): the last batch's length is a multiple of this

    def __init__(self, settings: VadSettings = VadSettings()):
        import numpy as np

        self.settings = settings
        self.samples = 0
        self._pending: list[np.ndarray] = []
        self._pending_samples = 0
        self._context = np.zeros(self.CONTEXT, dtype=np.float32)
        self._state = (np.zeros((1, 1, 128), dtype=np.float32),) * 2
        self._probabilities: list[np.ndarray] = []

    def feed(self, block: np.ndarray) -> None:
        import numpy as np

        block = np.asarray(block, dtype=np.float32).reshape(-1)
        self.samples += block.size
        while block.size:
            take = min(block.size, self.BATCH - self._pending_samples)
            self._pending.append(block[:take])
            self._pending_samples += take
            block = block[take:]
            if self._pending_samples == self.BATCH:
                self._run(self._take_pending())

    def regions(self) -> list[tuple[float, float]]:
        """The speech spans (s) of everything fed; call once, after the last block."""
        import numpy as np

        if self.samples == 0:
            return []
        rest = self._take_pending()
        # Padded to whole windows as get_speech_timestamps pads: always at least one sample.
        windows = rest.size // self.WINDOW + 1
        end = windows * self.WINDOW
        padded = np.zeros(-(-windows // self.ROUND) * self.ROUND * self.WINDOW,
                          dtype=np.float32)
        padded[: rest.size] = rest
        # faster-whisper's model call zeroes the last window's final 64 samples in place
        # (a side effect of building the contexts); done here too, for the same result.
        padded[end - self.CONTEXT : end] = 0.0
        self._run(padded)
        probabilities = np.concatenate(self._probabilities)[: self.samples // self.WINDOW + 1]
        return _speech_spans(probabilities, self.samples, self.settings)

    def _take_pending(self) -> np.ndarray:
        import numpy as np

        pending = (np.concatenate(self._pending) if self._pending
                   else np.zeros(0, dtype=np.float32))
        self._pending, self._pending_samples = [], 0
        return pending

    def _run(self, audio: np.ndarray) -> None:
        import numpy as np
        from faster_whisper.vad import get_vad_model

        windows = audio.reshape(-1, self.WINDOW)
        contexts = np.concatenate([self._context[None], windows[:-1, -self.CONTEXT:]])
        self._context = windows[-1, -self.CONTEXT:].copy()
        h, c = self._state
        probabilities, h, c = get_vad_model().session.run(
            None, {"input": np.concatenate([contexts, windows], axis=1), "h": h, "c": c})
        self._state = (h, c)
        self._probabilities.append(np.asarray(probabilities).reshape(-1))


def _speech_spans(
    probabilities: np.ndarray, samples: int, settings: VadSettings
) -> list[tuple[float, float]]:
    """Speech spans from the model's probability per window, decided as faster-whisper's
    ``get_speech_timestamps`` decides them (with no maximum speech length)."""
    window = _SpeechDetector.WINDOW
    threshold = settings.threshold
    below = max(threshold - 0.15, 0.01)  # a window under this is silence for sure
    min_speech = SAMPLE_RATE * settings.min_speech_ms / 1000
    min_silence = SAMPLE_RATE * settings.min_silence_ms / 1000
    pad = SAMPLE_RATE * settings.speech_pad_ms / 1000
    # Compared as float32 arrays, as faster-whisper compares each float32 probability.
    speech = (probabilities >= threshold).tolist()
    silent = (probabilities < below).tolist()
    spans: list[list[int]] = []
    start: int | None = None  # sample where the speech being followed began
    silence_from = 0  # sample where the silence after it began (0: none yet)
    for i, (is_speech, is_silent) in enumerate(zip(speech, silent, strict=True)):
        at = window * i
        if is_speech:
            silence_from = 0
            if start is None:
                start = at
                continue
        if is_silent and start is not None:
            silence_from = silence_from or at
            if at - silence_from < min_silence:
                continue
            if silence_from - start > min_speech:
                spans.append([start, silence_from])
            start, silence_from = None, 0
    if start is not None and samples - start > min_speech:
        spans.append([start, samples])
    # Pad each span, sharing a silence shorter than two paddings between its neighbours.
    for i, span in enumerate(spans):
        if i == 0:
            span[0] = int(max(0, span[0] - pad))
        if i + 1 < len(spans):
            following = spans[i + 1]
            silence = following[0] - span[1]
            if silence < 2 * pad:
                span[1] += int(silence // 2)
                following[0] = int(max(0, following[0] - silence // 2))
            else:
                span[1] = int(min(samples, span[1] + pad))
                following[0] = int(max(0, following[0] - pad))
        else:
            span[1] = int(min(samples, span[1] + pad))
    return [(start / SAMPLE_RATE, end / SAMPLE_RATE) for start, end in spans]


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
    levels = _FrameLevels(frame_s=frame_s, hop_s=hop_s)
    levels.feed(audio)
    return levels.sound_regions(above_floor_db=above_floor_db, min_gap_s=min_gap_s,
                                min_sound_s=min_sound_s)


class _FrameLevels:
    """The level (dB of mean square) of every ``frame_s`` frame, one each ``hop_s``, of
    audio fed in blocks: frames that straddle two blocks are measured whole."""

    def __init__(self, *, frame_s: float = 0.025, hop_s: float = 0.01):
        import numpy as np

        self.frame_s, self.hop_s = frame_s, hop_s
        self._frame, self._hop = int(frame_s * SAMPLE_RATE), int(hop_s * SAMPLE_RATE)
        self._carry = np.zeros(0, dtype=np.float32)  # samples of frames not yet measured
        self._levels: list[np.ndarray] = []

    #: audio measured at a time: the frames are copied as float64, 20 times its size
    STEP = 30 * SAMPLE_RATE

    def feed(self, block: np.ndarray) -> None:
        import numpy as np

        block = np.asarray(block, dtype=np.float32).reshape(-1)
        for at in range(0, block.size, self.STEP):
            self._measure(block[at : at + self.STEP])

    def _measure(self, block: np.ndarray) -> None:
        import numpy as np

        audio = np.concatenate([self._carry, block])
        if audio.size < self._frame:
            self._carry = audio
            return
        count = 1 + (audio.size - self._frame) // self._hop
        frames = np.lib.stride_tricks.as_strided(
            audio, shape=(count, self._frame),
            strides=(audio.strides[0] * self._hop, audio.strides[0]),
        )
        self._levels.append(
            10 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-12))
        self._carry = audio[count * self._hop:].copy()

    def sound_regions(self, *, above_floor_db: float = 12.0, min_gap_s: float = 0.1,
                      min_sound_s: float = 0.05) -> list[tuple[float, float]]:
        """``sound_regions`` of everything fed so far."""
        import numpy as np

        if not self._levels:
            return []
        level_db = np.concatenate(self._levels)
        # Digital silence (a muted or virtual input, padding) is not the room's noise floor:
        # taking it as one would make the hiss between phrases count as sound. Where the
        # rest has no quieter background (a clean synthetic signal), the silence is the floor.
        live = level_db[level_db > DIGITAL_SILENCE_DB]
        floor_db = float(np.percentile(level_db, 10))
        if live.size and np.percentile(live, 90) - np.percentile(live, 10) >= above_floor_db:
            floor_db = float(np.percentile(live, 10))
        active = level_db > max(floor_db + above_floor_db, -70.0)
        spans = _runs(active, self.hop_s, self.frame_s)
        return [s for s in merge_regions(spans, min_gap_s=min_gap_s)
                if s[1] - s[0] >= min_sound_s]


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


# --- chunks ---------------------------------------------------------------------------------


#: silence kept on each side of the speech a chunk holds
CHUNK_PAD_S = 0.2


def chunk_regions(
    regions: Iterable[tuple[float, float]],
    *,
    max_chunk_s: float,
    duration_s: float = float("inf"),
    pad_s: float = CHUNK_PAD_S,
    quietest: Callable[[float, float], float] | None = None,
) -> Iterator[tuple[float, float]]:
    """Group sorted speech regions into chunks no longer than ``max_chunk_s``, cut at silences.

    Chunks start and end in silence, so no word is cut in two. A region of continuous
    speech longer than the limit (the model reads 30 s at a time) is cut at
    ``quietest(from_s, to_s)``, the quietest moment of the window's last third (the
    likeliest breath), or at the limit itself when no such function is given.

    Each chunk is yielded as soon as it is final, before the next is planned, so
    ``quietest`` never looks more than ``max_chunk_s`` past the start of a chunk not yet
    yielded (what lets ``AudioWindow`` stream a file under the planner).
    """
    pending: tuple[float, float] | None = None  # may still grow by the next region
    for start, end in regions:
        start, end = max(0.0, start - pad_s), min(duration_s, end + pad_s)
        if pending and end - pending[0] <= max_chunk_s:
            pending = (pending[0], end)
            continue
        if pending:
            yield pending
        while end - start > max_chunk_s:
            cut = start + max_chunk_s
            if quietest is not None:
                cut = quietest(start + max_chunk_s * 2 / 3, cut)
            yield start, cut
            start = cut
        pending = (start, end)
    if pending:
        yield pending


def quietest_moment(
    audio: np.ndarray | AudioWindow, from_s: float, to_s: float, *, frame_s: float = 0.1
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
