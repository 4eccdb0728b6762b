"""Chunks of one recording read side by side: the same words as one after another, in order,
and never more chunks in hand than there are readers."""

import threading
import time
from itertools import pairwise

import numpy as np
import pytest

import mockview.speech.transcription as transcription
from mockview.speech.audio import CHUNK_PAD_S, SAMPLE_RATE, load_audio
from mockview.speech.transcription import (
    MAX_READERS,
    TranscriptionSettings,
    _transcribe_regions,
    chunk_readers,
    transcribe_audio,
)

from .audio_helpers import DATA
from .test_transcription import segment


@pytest.mark.parametrize("budget, readers", [("1", 1), ("2", 2), ("3", 3), ("16", MAX_READERS)])
def test_readers_follow_the_thread_budget(monkeypatch, budget, readers):
    # a batch worker's budget is its share of the cores, set as OMP_NUM_THREADS
    monkeypatch.delenv("MOCKVIEW_CHUNK_READERS", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", budget)
    assert chunk_readers() == readers


@pytest.mark.parametrize("budget", [None, "", "many"])
def test_without_a_budget_there_is_one_reader_per_core(monkeypatch, budget):
    monkeypatch.delenv("MOCKVIEW_CHUNK_READERS", raising=False)
    if budget is None:
        monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    else:
        monkeypatch.setenv("OMP_NUM_THREADS", budget)
    monkeypatch.setattr(transcription.os, "sched_getaffinity", lambda pid: {0, 1, 2},
                        raising=False)
    assert chunk_readers() == 3


@pytest.mark.parametrize("setting, readers", [("1", 1), ("3", 3), (" 2 ", 2),
                                              ("9", MAX_READERS)])
def test_the_setting_chooses_the_readers_whatever_the_cores(monkeypatch, setting, readers):
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    monkeypatch.setenv("MOCKVIEW_CHUNK_READERS", setting)
    assert chunk_readers() == readers


@pytest.mark.parametrize("setting", ["0", "two", "-1", "1.5"])
def test_a_setting_that_is_no_count_is_one_clear_error(tmp_path, setting):
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "mockview", "analyze", str(DATA / "jfk.flac"), "--json"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "MOCKVIEW_CHUNK_READERS": setting,
             "MOCKVIEW_HOME": str(tmp_path)})
    assert result.returncode == 1
    assert result.stderr == (f"Error: MOCKVIEW_CHUNK_READERS must be a whole number of 1 or "
                             f"more, not '{setting}'. Unset it to read one chunk per core.\n")


def _reading(monkeypatch, seconds_per_chunk):
    """A fake model call for each chunk, its words named after the chunk; the calls' spans
    and the most chunks in hand at once are recorded."""
    spans, busy, most = [], [0], [0]
    lock = threading.Lock()

    def read(model, samples, settings):
        index = len(spans)
        with lock:
            spans.append(index)
            busy[0] += 1
            most[0] = max(most[0], busy[0])
        time.sleep(seconds_per_chunk[index])
        with lock:
            busy[0] -= 1
        return [segment([f"chunk{index}a", f"chunk{index}b"], 0.01, -0.2)]

    monkeypatch.setattr(transcription, "_transcribe_chunk", read)
    return most


def test_words_come_in_chunk_order_whichever_chunk_is_read_first(monkeypatch):
    # the first chunk takes longest: the second and third are done before it
    most = _reading(monkeypatch, [0.3, 0.05, 0.05, 0.0])
    regions = [(1.0 + 10 * i, 9.0 + 10 * i) for i in range(4)]
    done = []
    piece = _transcribe_regions(
        np.zeros(40 * SAMPLE_RATE, dtype=np.float32), regions, speech=regions,
        duration_s=40.0, offset_s=0.0,
        settings=TranscriptionSettings(max_chunk_s=9.0, reread_voice_s=0),
        model_loader=lambda: "model", progress=done.append, readers=2)
    assert [w.text for w in piece.words] == [f"chunk{i}{part}" for i in range(4)
                                             for part in "ab"]
    # each chunk's words are timed from its own start: its region's, less the padding
    assert [w.start_s for w in piece.words][::2] == pytest.approx(
        [start - CHUNK_PAD_S for start, _ in regions])
    assert done == sorted(done) and len(done) == 4
    assert most[0] == 2


def test_one_reader_reads_in_the_calling_thread(monkeypatch):
    threads = []
    monkeypatch.setattr(transcription, "_transcribe_chunk",
                        lambda model, samples, settings: threads.append(
                            threading.current_thread()) or [])
    regions = [(1.0, 9.0), (11.0, 19.0)]
    _transcribe_regions(np.zeros(20 * SAMPLE_RATE, dtype=np.float32), regions,
                        speech=regions, duration_s=20.0, offset_s=0.0,
                        settings=TranscriptionSettings(max_chunk_s=9.0),
                        model_loader=lambda: "model", progress=None, readers=1)
    assert threads == [threading.current_thread()] * 2


def test_a_failing_chunk_fails_the_reading(monkeypatch):
    def read(model, samples, settings):
        raise RuntimeError("the model broke")

    monkeypatch.setattr(transcription, "_transcribe_chunk", read)
    regions = [(1.0, 9.0), (11.0, 19.0), (21.0, 29.0)]
    with pytest.raises(RuntimeError, match="the model broke"):
        _transcribe_regions(np.zeros(30 * SAMPLE_RATE, dtype=np.float32), regions,
                            speech=regions, duration_s=30.0, offset_s=0.0,
                            settings=TranscriptionSettings(max_chunk_s=9.0),
                            model_loader=lambda: "model", progress=None, readers=2)


@pytest.mark.model
def test_real_speech_read_two_chunks_at_a_time_gives_the_same_transcript(monkeypatch):
    # 60 s of real speech (the monologue, JFK, a LibriSpeech sentence and disfluent MFA
    # clips): three chunks, with fillers and their voiced runs
    gap = np.zeros(SAMPLE_RATE // 2, dtype=np.float32)
    clips = ["acoustic_corpus.wav", "jfk.flac", "61-70968-0000.flac", "mfa_uhum.flac",
             "mfa_crossword.flac", "mfa_uh.flac", "mfa_um.flac", "mfa_longstop.flac"]
    audio = np.concatenate([part for name in clips for part in (load_audio(DATA / name), gap)])
    transcripts, overlapped = {}, {}
    original = transcription._transcribe_chunk
    for readers in (1, 2):
        spans = []

        def timed(model, samples, settings, spans=spans):
            start = time.monotonic()
            segments = original(model, samples, settings)
            spans.append((start, time.monotonic()))
            return segments

        monkeypatch.setattr(transcription, "_transcribe_chunk", timed)
        monkeypatch.setattr(transcription, "chunk_readers", lambda readers=readers: readers)
        transcripts[readers] = transcribe_audio(audio)
        spans.sort()
        overlapped[readers] = any(later[0] < earlier[1]
                                  for earlier, later in pairwise(spans))
    assert len(spans) >= 3
    assert overlapped == {1: False, 2: True}
    assert transcripts[2] == transcripts[1]
    assert any(transcription.is_filled_pause(w.text) for w in transcripts[2].words)


class _Loaded(Exception):
    """Stops a transcription once its model is asked for."""


@pytest.mark.parametrize("seconds, readers", [(11.0, 1), (28.0, 1), (40.0, 3)])
def test_a_recording_of_one_chunk_is_read_on_all_the_threads(monkeypatch, tmp_path, seconds,
                                                             readers):
    # one chunk has nothing to read beside it: it goes fastest on CTranslate2's own threads
    from .audio_helpers import write_audio

    asked = []

    def load(name=None, **options):
        asked.append(options["readers"])
        raise _Loaded

    monkeypatch.setattr(transcription, "load_model", load)
    monkeypatch.setattr(transcription, "chunk_readers", lambda: 3)
    speech = load_audio(DATA / "jfk.flac")
    audio = np.resize(speech, int(seconds * SAMPLE_RATE))  # speech all through
    path = write_audio(tmp_path / "answer.wav", audio, SAMPLE_RATE)
    for transcribe in (lambda: transcription.decode_and_transcribe(path),
                       lambda: transcribe_audio(audio)):
        with pytest.raises(_Loaded):
            transcribe()
    assert asked == [readers, readers]
