"""Transcription while recording: where pieces are cut, and that the result matches a file's."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from mockview.errors import ModelError
from mockview.speech.audio import SAMPLE_RATE, load_audio
from mockview.speech.live import LiveSettings, LiveTranscriber, find_cut
from mockview.speech.transcription import is_filled_pause, load_model, transcribe_audio

DATA = Path(__file__).parent / "data"


def tone(seconds: float, hz: float = 220.0) -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return (0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32)


def joined(*parts) -> np.ndarray:
    return np.concatenate(parts)


# Each signal starts with silence: the energy check measures sound against the quietest
# tenth of the audio, as a real room's noise floor.


def test_too_little_audio_is_not_cut():
    assert find_cut(joined(silence(1.0), tone(2.0), silence(1.0), tone(1.0))) is None


def test_cut_in_the_middle_of_the_latest_silence_past_the_minimum():
    audio = joined(silence(1.0), tone(2.0), silence(0.8), tone(3.0), silence(0.8), tone(1.0))
    assert find_cut(audio) == pytest.approx(7.2, abs=0.1)  # 3.0-3.8 s is too early


def test_a_short_catch_of_breath_is_not_a_cut():
    audio = joined(silence(1.0), tone(4.0), silence(0.2), tone(3.0))
    assert find_cut(audio) is None


def test_the_newest_audio_is_not_trusted():
    # silence has only just begun: the speaker may be mid-word
    assert find_cut(joined(silence(1.0), tone(6.0), silence(0.4))) is None
    assert find_cut(joined(silence(1.0), tone(6.0), silence(1.2))) == pytest.approx(
        7.35, abs=0.1)


def test_long_unbroken_speech_is_cut_before_the_maximum():
    settings = LiveSettings()
    audio = joined(silence(2.0), tone(8.0), silence(0.15), tone(9.0))
    assert find_cut(audio, settings) == pytest.approx(10.07, abs=0.1)  # the one short gap
    steady = joined(silence(2.0), tone(settings.max_piece_s))
    cut = find_cut(steady, settings)
    assert settings.max_piece_s * 2 / 3 <= cut <= settings.max_piece_s


def test_silence_alone_is_passed_over():
    assert find_cut(silence(7.0)) == pytest.approx(6.5)


def test_a_worker_failure_is_raised_by_finish():
    def broken():
        raise ModelError("The model could not load.")

    live = LiveTranscriber(model_loader=broken)
    audio = joined(tone(4.0), silence(0.8), tone(3.0), silence(1.5))
    for start in range(0, audio.size, 800):
        live.feed(audio[start:start + 800])
    with pytest.raises(ModelError, match="could not load"):
        deadline = time.monotonic() + 10
        while live.transcribed_s == 0 and live._error is None and time.monotonic() < deadline:
            time.sleep(0.05)
        live.finish()


def test_only_silence_never_loads_the_model():
    def unexpected():
        raise AssertionError("the model was loaded for silence")

    with LiveTranscriber(model_loader=unexpected) as live:
        live.feed(silence(8.0))
        transcript = live.finish()
    assert transcript.words == () and transcript.duration_s == pytest.approx(8.0)


def test_the_answer_is_kept_for_the_delivery_up_to_its_limit():
    blocks = [silence(0.5) + np.float32(i) for i in range(4)]
    with LiveTranscriber(model_loader=lambda: None) as live:
        for block in blocks:
            live.feed(block)
        assert np.array_equal(live.audio(), np.concatenate(blocks))
        live.feed(blocks[0])  # fed after it was asked for: still kept
        assert live.audio().size == 5 * blocks[0].size
    with LiveTranscriber(model_loader=lambda: None, live=LiveSettings(keep_s=1.2)) as live:
        for block in blocks:
            live.feed(block)
        assert live.audio() is None  # over 1.2 s: the caller reads the take from disk


@pytest.mark.model
@pytest.mark.slow
def test_live_transcript_matches_the_whole_file():
    """Real speech fed in blocks faster than real time: the words and fillers analyze finds."""
    audio = load_audio(DATA / "acoustic_corpus.wav")  # 27 s, with um, uh and "you know"
    model = load_model()
    whole = transcribe_audio(audio)
    with LiveTranscriber(model_loader=lambda: model) as live:
        block = int(0.05 * SAMPLE_RATE)
        for start in range(0, audio.size, block):
            live.feed(audio[start:start + block])
            time.sleep(0.05 / 4)  # four times real time: the worker cuts as it goes
        transcript = live.finish()

    assert len(live.pieces) >= 2, "no piece was transcribed while recording"
    assert transcript.duration_s == pytest.approx(audio.size / SAMPLE_RATE)
    assert abs(len(transcript.words) - len(whole.words)) <= 0.03 * len(whole.words)
    # No filler the whole-file transcription does not also find, at the same time. (Recall
    # is not equal: a piece can lose a filler the file keeps; bench/bench_live.py measures it.)
    found = [(_form(w.text), w.start_s) for w in transcript.words if is_filled_pause(w.text)]
    expected = [(_form(w.text), w.start_s) for w in whole.words if is_filled_pause(w.text)]
    assert found, "no filler found in a monologue with three"
    for form, start_s in found:
        assert any(form == f and abs(start_s - s) <= 1.0 for f, s in expected), (form, start_s)
    assert [w.start_s for w in transcript.words] == sorted(w.start_s for w in transcript.words)


def _form(text: str) -> str:
    return text.strip(",.!?").lower()


class CountingModel:
    """The real model, counting the readings asked of it."""

    def __init__(self, model):
        self.model, self.readings = model, 0

    def transcribe(self, *args, **kwargs):
        self.readings += 1
        return self.model.transcribe(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.model, name)


def speak(live: LiveTranscriber, audio: np.ndarray, *, speed: float = 4.0) -> None:
    """Feed ``audio`` in 50 ms blocks at ``speed`` times real time."""
    block = int(0.05 * SAMPLE_RATE)
    for start in range(0, audio.size, block):
        live.feed(audio[start:start + block])
        time.sleep(0.05 / speed)


def read_ahead(live: LiveTranscriber) -> None:
    """Wait until the worker has dealt with everything fed: at the silence that ends it,
    the audio not yet cut off is read ahead."""
    assert live.wait_idle(60.0), "the worker did not finish with the audio fed"


@pytest.mark.model
def test_an_answer_that_ends_in_silence_is_read_before_the_stop():
    """A second of silence after the last word: the rest is read then, so the stop finds
    nothing left to read, and the transcript is the one reading it at the stop gives."""
    speech = load_audio(DATA / "jfk.flac")
    answer = joined(speech, silence(2.0))
    model = CountingModel(load_model())
    with LiveTranscriber(model_loader=lambda: model) as live:
        speak(live, answer)
        read_ahead(live)
        read_before_stop = model.readings
        transcript = live.finish()
    assert model.readings == read_before_stop  # nothing read after the stop
    with LiveTranscriber(model_loader=load_model, live=LiveSettings(guess_after_s=0)) as plain:
        speak(plain, answer)
        expected = plain.finish()
    # the same words at the same times; the recorder's pieces are cut as the audio arrives,
    # so a piece may start a few milliseconds apart in the two runs and move a word's stamp
    # by less than its 20 ms step
    assert [w.text for w in transcript.words] == [w.text for w in expected.words]
    for word, other in zip(transcript.words, expected.words, strict=True):
        assert word.start_s == pytest.approx(other.start_s, abs=0.02), (word, other)
        assert word.end_s == pytest.approx(other.end_s, abs=0.02), (word, other)
    assert "your country" in transcript.text.lower()


@pytest.mark.model
def test_speech_after_the_silence_is_read_at_the_stop():
    speech = load_audio(DATA / "jfk.flac")
    model = CountingModel(load_model())
    with LiveTranscriber(model_loader=lambda: model,
                         live=LiveSettings(min_piece_s=30.0, max_piece_s=60.0)) as live:
        speak(live, joined(speech[: 3 * SAMPLE_RATE], silence(1.5)))
        read_ahead(live)
        readings = model.readings
        speak(live, speech[3 * SAMPLE_RATE:])  # the voice comes back: no cut, no new guess
        transcript = live.finish()
    assert readings >= 1 and model.readings > readings
    assert "ask not what your country can do for you" in transcript.text.lower().replace(",", "")
