"""Transcribing an answer while it is being recorded, so its feedback is ready when it ends.

The recorder hands every block of 16 kHz audio to ``LiveTranscriber.feed``. A worker thread
watches the audio not yet transcribed; once there are ``min_piece_s`` of it and a silence
(a breath between phrases) to cut at, it transcribes up to that silence as one piece, the
same way ``transcribe_audio`` reads a whole file. When the recording stops only the audio
since the last cut is left, so ``finish()`` returns the transcript about a second after the
stop instead of after reading the whole answer again.

Pieces are cut only in silence and checked together at the end (``finish_transcript``), so
the transcript means what ``mockview analyze`` would say about the same audio.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from mockview.speech import IN_MEMORY_S
from mockview.speech.audio import SAMPLE_RATE, quietest_moment, speech_regions, voice_regions
from mockview.speech.transcription import (
    Piece,
    TranscriptionSettings,
    finish_transcript,
    transcribe_piece,
)
from mockview.words import Transcript

if TYPE_CHECKING:
    import numpy as np

logger = logging.getLogger("mockview")


#: the silence after a read-ahead's last voice is checked from this far on: the voice's
#: own fading end is not new speech
GUESS_EDGE_S = 0.25


@dataclass(frozen=True)
class LiveSettings:
    """When the worker cuts a piece off the audio recorded so far."""

    #: no piece shorter than this while recording: each model call has a fixed cost, and a
    #: short piece gives the model little context
    min_piece_s: float = 6.0
    #: a silence at least this long between stretches of voice is a place to cut (a pause
    #: between sentences rather than a catch of breath inside a phrase)
    min_gap_s: float = 0.5
    #: the newest audio is not trusted for a cut: the voice detector needs to hear what follows
    settle_s: float = 0.5
    #: speech that runs this long without such a silence is cut at its quietest moment, so
    #: the audio left to read when the recording stops stays short
    max_piece_s: float = 15.0
    #: how often (s of new audio) the worker looks for a place to cut
    poll_s: float = 0.5
    #: a silence this long at the end of the pending audio may be the end of the answer:
    #: the pending audio is transcribed then, and if no more speech comes before the next
    #: cut or the stop, that reading is the piece, so the feedback does not wait for it.
    #: Nothing is cut on it, so it need not wait for ``settle_s`` (0: off)
    guess_after_s: float = 0.5
    #: the answer's samples are kept up to this long, so the delivery is measured on them
    #: without reading the take back from disk
    keep_s: float = IN_MEMORY_S


class LiveTranscriber:
    """Transcribe audio as it arrives; ``finish()`` gives the whole answer's transcript.

    ``feed`` may be called from any thread (the recorder's writer calls it). Use as a
    context manager, or call ``finish()`` or ``close()``, so the worker thread ends.
    """

    def __init__(
        self,
        *,
        model_loader: Callable[[], Any],
        model_name: str | None = None,
        settings: TranscriptionSettings | None = None,
        live: LiveSettings = LiveSettings(),
    ):
        self.model_loader = model_loader
        self.model_name = model_name
        self.settings = settings or TranscriptionSettings()
        self.live = live
        self.pieces: list[Piece] = []
        self._blocks: list[np.ndarray] = []  # audio after the last cut
        self._answer: list[np.ndarray] | None = []  # all of it, up to live.keep_s
        self._pending_frames = 0
        self._offset_frames = 0  # where the audio in _blocks starts in the answer
        self._checked_frames = 0  # pending frames the worker last looked at
        #: the pending audio read ahead at a silence: (where its voice ends, its piece)
        self._guess: tuple[int, Piece] | None = None
        self._closing = False
        self._idle = False  # the worker waits for more audio: all it was given is dealt with
        self._error: BaseException | None = None
        self._transcript: Transcript | None = None
        #: ``transcript_so_far``'s last answer and the pieces it was made of
        self._so_far: tuple[list[Piece], Transcript | None] = ([], None)
        self._lock = threading.Condition()
        self._worker = threading.Thread(target=self._run, name="mockview-live", daemon=True)
        self._worker.start()

    def __enter__(self) -> LiveTranscriber:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def transcribed_s(self) -> float:
        """How much of the answer is transcribed already."""
        return self._offset_frames / SAMPLE_RATE

    @property
    def recorded_s(self) -> float:
        return (self._offset_frames + self._pending_frames) / SAMPLE_RATE

    def feed(self, block: np.ndarray) -> None:
        """Add the next block of 16 kHz mono float32 audio."""
        import numpy as np

        block = np.array(block, dtype=np.float32, copy=True).reshape(-1)
        with self._lock:
            self._blocks.append(block)
            self._pending_frames += block.size
            if self._answer is not None:
                self._answer.append(block)
                if self.recorded_s > self.live.keep_s:
                    self._answer = None
            self._lock.notify_all()

    def audio(self) -> np.ndarray | None:
        """The answer's samples as fed so far; None once it is longer than ``keep_s``."""
        with self._lock:
            if self._answer is None:
                return None
            self._answer = [_joined(self._answer)]
            return self._answer[0]

    def transcript_so_far(self) -> Transcript | None:
        """The words transcribed so far, checked as ``finish()`` checks them: the pieces cut
        off and the reading ahead at the latest silence; None before any.

        The same object until new words come, so a caller can tell when they did. (A
        reading ahead is replaced when the voice comes back before a cut, so a count over
        these words can also go down.) For a display while recording (``--cues``). Once
        finished, the answer's transcript.
        """
        if self._transcript is not None:
            return self._transcript
        with self._lock:
            pieces = list(self.pieces)
            if self._guess is not None:
                pieces.append(self._guess[1])
            duration_s = self.recorded_s
        if not pieces:
            return None
        read, transcript = self._so_far
        if len(read) != len(pieces) or any(a is not b
                                           for a, b in zip(read, pieces, strict=True)):
            transcript = finish_transcript(pieces, duration_s=duration_s,
                                           model_name=self.model_name, settings=self.settings)
            self._so_far = (pieces, transcript)
        return transcript

    def finish(self) -> Transcript:
        """Transcribe what is left and return the answer's transcript."""
        from mockview.speech.hidden import add_hidden_fillers

        if self._transcript is None:
            self.close()
            if self._error is not None:
                raise self._error
            rest = _joined(self._blocks)
            if rest.size:
                piece = self._guessed(rest, heard=speech_regions) or self._transcribe(rest)
                with self._lock:
                    self.pieces.append(piece)
                    self._guess = None  # it is in the pieces now, or was not the rest
            transcript = finish_transcript(
                self.pieces, duration_s=self.recorded_s, model_name=self.model_name,
                settings=self.settings,
            )
            # the fillers the model left out, found in the answer's samples as analyze
            # finds them (none past ``keep_s``, whose samples are not held)
            self._transcript = (add_hidden_fillers(transcript, self.audio())
                                if self.settings.fillers_from_audio else transcript)
        return self._transcript

    def wait_idle(self, timeout_s: float | None = None) -> bool:
        """Wait until the worker has dealt with the audio fed so far (cut, read ahead, or
        left for more); False when ``timeout_s`` ran out first."""
        with self._lock:
            return self._lock.wait_for(lambda: self._closing or (
                self._idle and self._pending_frames - self._checked_frames
                < self.live.poll_s * SAMPLE_RATE), timeout_s)

    def close(self) -> None:
        """Stop the worker after the piece it is transcribing (the audio so far is kept)."""
        with self._lock:
            self._closing = True
            self._lock.notify_all()
        self._worker.join()

    # --- the worker -----------------------------------------------------------------------

    def _run(self) -> None:
        poll_frames = int(self.live.poll_s * SAMPLE_RATE)
        try:
            while True:
                with self._lock:
                    while not self._closing and (
                        self._pending_frames - self._checked_frames < poll_frames
                    ):
                        self._idle = True
                        self._lock.notify_all()
                        self._lock.wait()
                    self._idle = False
                    if self._closing:
                        return
                    audio = _joined(self._blocks)
                    self._checked_frames = audio.size
                regions = voice_regions(audio)
                cut = find_cut(audio, self.live, regions=regions)
                if cut is not None:
                    self._cut(audio, cut)
                else:
                    self._guess_at_silence(audio, regions)
        except BaseException as error:  # raised again by finish(), in the caller's thread
            logger.debug("live transcription failed", exc_info=True)
            self._error = error

    def _cut(self, audio: np.ndarray, cut_s: float) -> None:
        """Transcribe ``audio[:cut_s]`` and drop it from the pending audio."""
        frames = int(cut_s * SAMPLE_RATE)
        piece = (self._guessed(audio[:frames], heard=voice_regions)
                 or self._transcribe(audio[:frames]))
        with self._lock:
            rest = _joined(self._blocks)[frames:]
            self._blocks = [rest] if rest.size else []
            self.pieces.append(piece)
            self._offset_frames += frames
            self._pending_frames = rest.size
            self._checked_frames = 0
            self._guess = None

    def _guess_at_silence(self, audio: np.ndarray,
                          regions: list[tuple[float, float]]) -> None:
        """Read ``audio``, the pending audio whose voice is in ``regions``, ahead when it
        ends in ``guess_after_s`` of silence: the answer may be over. Once per stretch of
        voice."""
        if self.live.guess_after_s <= 0:
            return
        if not regions:
            return
        voice_end = int(regions[-1][1] * SAMPLE_RATE)
        if audio.size - voice_end < self.live.guess_after_s * SAMPLE_RATE:
            return
        if self._guess is not None and self._guess[0] == voice_end:
            return
        self._guess = (voice_end, self._transcribe(audio))

    def _guessed(self, audio: np.ndarray, *,
                 heard: Callable[[np.ndarray], list]) -> Piece | None:
        """The piece read ahead, when ``audio`` (a piece about to be read: up to a cut, or
        what is left at the stop) holds the voice it read and nothing ``heard`` after it:
        reading ``audio`` would read the same voice again.

        Up to a cut any sound counts (``voice_regions``: a soft "um" the speech detector
        misses); at the stop only speech does (``speech_regions``), as the key press that
        stops a recording is loud, but no word.
        """
        if self._guess is None:
            return None
        voice_end, piece = self._guess
        if audio.size < voice_end:
            return None
        after = min(audio.size, voice_end + int(GUESS_EDGE_S * SAMPLE_RATE))
        if after < audio.size and heard(audio[after:]):
            return None
        return piece

    def _transcribe(self, audio: np.ndarray) -> Piece:
        return transcribe_piece(audio, offset_s=self._offset_frames / SAMPLE_RATE,
                                settings=self.settings, model_loader=self.model_loader)


def find_cut(audio: np.ndarray, live: LiveSettings = LiveSettings(), *,
             regions: list[tuple[float, float]] | None = None) -> float | None:
    """Where (s) to end the next piece of ``audio``, the answer since the last cut, or None;
    ``regions`` are its ``voice_regions`` when the caller has them.

    The latest silence of at least ``min_gap_s`` that ends ``min_piece_s`` or more in and
    is settled (``settle_s`` before the newest audio), cut in its middle. Speech that runs
    ``max_piece_s`` without such a silence is cut in the longest shorter silence (between
    ``min_piece_s`` and ``max_piece_s``), or failing that at its quietest moment.
    """
    duration_s = audio.size / SAMPLE_RATE
    if duration_s < live.min_piece_s:
        return None
    settled_s = duration_s - live.settle_s
    if regions is None:
        regions = voice_regions(audio)
    regions = [(s, e) for s, e in regions if s < settled_s]
    if not regions:
        return settled_s  # nothing but silence so far: nothing to transcribe in it
    gaps = [(end, start) for (_, end), (start, _) in pairwise(regions)]
    gaps.append((regions[-1][1], settled_s))
    cuts = [
        (gap_start + gap_end) / 2
        for gap_start, gap_end in gaps
        if gap_end - gap_start >= live.min_gap_s and (gap_start + gap_end) / 2 >= live.min_piece_s
    ]
    if cuts:
        return max(cuts)
    if settled_s < live.max_piece_s:
        return None
    short_gaps = [
        (gap_end - gap_start, (gap_start + gap_end) / 2)
        for gap_start, gap_end in gaps
        if live.min_piece_s <= (gap_start + gap_end) / 2 <= live.max_piece_s
    ]
    if short_gaps:
        return max(short_gaps)[1]
    return quietest_moment(audio, live.max_piece_s * 2 / 3, live.max_piece_s)


def _joined(blocks: list[np.ndarray]) -> np.ndarray:
    import numpy as np

    if len(blocks) == 1:
        return blocks[0]
    return np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.float32)
