"""A stretch of voice the model jumped over is read again, once; ordinary speech is not."""

from types import SimpleNamespace

import numpy as np
import pytest

from mockview.speech.audio import SAMPLE_RATE
from mockview.speech.transcription import (
    TranscriptionSettings,
    transcribe_audio,
    unheard_stretches,
)
from mockview.words import Word


def voiced_audio(*, voice_s=(0.5, 12.5), total_s=15.0):
    """A steady tone (voice to the energy check) over room hiss, unique sample by sample.

    The energy check takes its noise floor from the quietest 10% of the audio, so the
    hiss alone lasts longer than that."""
    rng = np.random.default_rng(0)
    audio = rng.normal(0, 0.003, int(total_s * SAMPLE_RATE))
    first, last = (int(t * SAMPLE_RATE) for t in voice_s)
    t = np.arange(last - first) / SAMPLE_RATE
    audio[first:last] += 0.3 * np.sin(2 * np.pi * 150 * t)
    return audio.astype(np.float32)


class ScriptedModel:
    """Answers call n with readings[n]: (text, start_s, end_s) in the answer's time, given
    back relative to the audio it is handed, as faster-whisper would. Records each call's
    span of the answer."""

    def __init__(self, audio, *readings):
        self.audio, self.readings, self.calls = audio, list(readings), []

    def transcribe(self, samples, **options):
        assert options["initial_prompt"] == TranscriptionSettings().filler_prompt
        [first] = [i for i in np.flatnonzero(self.audio == samples[0])
                   if np.array_equal(self.audio[i : i + 16], samples[:16])]
        start_s = first / SAMPLE_RATE
        self.calls.append((round(start_s, 3), round(start_s + samples.size / SAMPLE_RATE, 3)))
        reading = self.readings[min(len(self.calls), len(self.readings)) - 1]
        words = [SimpleNamespace(word=f" {text}", start=s - start_s, end=e - start_s,
                                 probability=0.9) for text, s, e in reading]
        return [SimpleNamespace(words=words, no_speech_prob=0.01, avg_logprob=-0.2,
                                compression_ratio=1.5)], None


def spoken(text, start_s, step_s=0.4, length_s=0.3):
    return [(word, round(start_s + i * step_s, 2), round(start_s + i * step_s + length_s, 2))
            for i, word in enumerate(text.split())]


SENTENCE = spoken("one two three four five six seven eight nine ten eleven twelve "
                  "thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty "
                  "twenty-one twenty-two twenty-three twenty-four twenty-five twenty-six "
                  "twenty-seven twenty-eight", 1.0)  # 1.0 to 12.1 s, words 0.1 s apart


def words_of(transcript):
    return [(w.text, w.start_s) for w in transcript.words]


def test_ordinary_speech_is_read_once():
    audio = voiced_audio()
    model = ScriptedModel(audio, SENTENCE)
    transcript = transcribe_audio(audio, model_loader=lambda: model)
    [(start_s, end_s)] = model.calls  # the chunk: the voice, 0.5-12.5 s, and 0.2 s more
    assert (start_s, end_s) == pytest.approx((0.3, 12.7), abs=0.05)
    assert words_of(transcript) == [(text, start) for text, start, _ in SENTENCE]


def test_a_skipped_stretch_is_read_again_and_its_words_merged():
    audio = voiced_audio()
    # "nine" (4.2 s) to "eighteen" (7.8 s) left out: 4.1 s of voice with no word
    skipped = [w for w in SENTENCE if not 4.2 <= w[1] < 8.2]
    # the second reading hears "eight" and "nineteen" on either side again
    second = [w for w in SENTENCE if 3.8 <= w[1] < 8.4]
    model = ScriptedModel(audio, skipped, second)
    transcript = transcribe_audio(audio, model_loader=lambda: model)
    assert model.calls[1:] == [(3.6, 8.4)]  # from "eight" to "nineteen", 0.2 s either side
    assert words_of(transcript) == [(text, start) for text, start, _ in SENTENCE]
    assert transcript.dropped == ()


def test_a_word_stretched_over_a_jump_is_read_again_from_its_start():
    # the model wrote "he might have been" for "he might have been made still more
    # respectable. He might even have been made amiable": "have" lasts to the end of the
    # skip and "been" lands after it, as in a real 28 s chunk
    audio = voiced_audio(voice_s=(0.5, 8.5), total_s=11.0)
    said = spoken("he might have been made still more respectable he might even have "
                  "been made amiable", 2.0)  # 2.0 to 8.3 s
    first = [said[0], said[1], ("have", 2.8, 8.3), ("been", 8.3, 8.3)]
    second = [("might", 2.8, 2.8), ("have", 2.8, 3.1), *said[3:]]  # read from 2.6 s
    model = ScriptedModel(audio, first, second)
    transcript = transcribe_audio(audio, model_loader=lambda: model)
    assert model.calls[1:] == [(2.6, 8.5)]  # from "have"'s start to the end of the voice
    assert words_of(transcript) == [(text, start) for text, start, _ in said]
    assert transcript.words[2].end_s == 3.2  # "have" ends where the next word starts
    assert [(d.word.text, d.word.start_s, d.reason) for d in transcript.dropped] == [
        ("been", 8.3, "a repeat: the model jumped to it over the speech before it")]


def test_a_second_reading_with_no_more_words_changes_nothing():
    audio = voiced_audio()
    skipped = [w for w in SENTENCE if not 4.2 <= w[1] < 8.2]
    model = ScriptedModel(audio, skipped, [w for w in SENTENCE if w[0] == "eight"])
    transcript = transcribe_audio(audio, model_loader=lambda: model)
    assert len(model.calls) == 2
    assert words_of(transcript) == [(text, start) for text, start, _ in skipped]


def test_stretches_need_voice_not_just_time_between_words():
    regions = [(0.0, 2.0), (6.0, 10.0)]
    words = [Word("before", 1.5, 1.9), Word("after", 6.2, 6.5), Word("more", 8.0, 8.3),
             Word("end", 9.5, 9.8)]
    # 4.3 s without a word, but only 0.1 + 0.2 s of it voiced: a pause, not a skip
    assert unheard_stretches(words, regions, chunk=(0.0, 10.2)) == []


@pytest.mark.parametrize("gap_voice_s,read", [(2.9, False), (3.0, True)])
def test_the_threshold_is_voiced_seconds_without_a_word(gap_voice_s, read):
    end_s = 1.6 + gap_voice_s
    words = [Word("a", 1.0, 1.3), Word("b", end_s - 0.3, end_s)]
    stretches = unheard_stretches(words, [(0.8, end_s + 0.1)], chunk=(0.6, end_s + 0.3))
    assert bool(stretches) is read


def test_a_chunk_with_no_word_at_all_is_not_read_again():
    # the same audio read the same way would hear no words again
    assert unheard_stretches([], [(0.5, 9.5)], chunk=(0.3, 9.7)) == []


def test_stretches_are_in_piece_time_for_a_piece_later_in_the_answer():
    words = [Word("a", 101.0, 101.3), Word("b", 106.0, 106.3)]
    [stretch] = unheard_stretches(words, [(0.5, 6.5)], chunk=(0.3, 6.7), offset_s=100.0)
    # read from the start of the word before the gap ("a") to that after it ("b"), padded
    assert (stretch.read_start_s, stretch.read_end_s) == pytest.approx((0.8, 6.2))
    assert (stretch.after_s, stretch.before_s) == pytest.approx((1.0, 6.0))


def test_the_second_reading_can_be_turned_off():
    words = [Word("a", 1.0, 1.3), Word("b", 6.0, 6.3)]
    settings = TranscriptionSettings(reread_voice_s=0)
    assert unheard_stretches(words, [(0.5, 9.5)], chunk=(0.3, 9.7), settings=settings) == []
