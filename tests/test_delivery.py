"""Delivery from the audio: synthetic voices with known answers, then real speech."""

from __future__ import annotations

import dataclasses
import json
import re

import numpy as np
import pytest

from mockview.analysis.text import clock
from mockview.errors import AnalysisError
from mockview.speech.audio import SAMPLE_RATE
from mockview.speech.delivery import DeliverySettings, analyze_delivery
from mockview.words import Transcript, Word

from .audio_helpers import DATA, read_clip

# numpy and scipy measure pitch and level (librosa the pyin pitch), and the releases of
# them that newer Pythons get (librosa 1.0 on 3.12 and newer) are not the ones here.
pytestmark = pytest.mark.smoke

SR = SAMPLE_RATE


# --- a synthetic voice --------------------------------------------------------------------


def voice(pitch_hz, level_db, *, seed: int = 0) -> np.ndarray:
    """A harmonic "vowel" following a per-sample pitch (Hz) and level (dB re -20 dBFS).

    Five harmonics with falling amplitudes, like a voiced vowel, plus a faint hiss so that
    the room has a noise floor (70 dB below the voice).
    """
    pitch_hz = np.asarray(pitch_hz, dtype=np.float64)
    phase = 2 * np.pi * np.cumsum(pitch_hz) / SR
    wave = sum(np.sin(h * phase) / h for h in range(1, 6))
    wave *= 10 ** ((-20 + np.asarray(level_db)) / 20) / np.sqrt(np.mean(wave**2))
    hiss = np.random.default_rng(seed).normal(0, 10 ** (-90 / 20), wave.size)
    return (wave + hiss).astype(np.float32)


def silence(seconds: float, *, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, 10 ** (-90 / 20), int(seconds * SR)) \
        .astype(np.float32)


def steady(seconds: float, hz: float = 140.0) -> np.ndarray:
    return np.full(int(seconds * SR), hz)


def lively(seconds: float, hz: float = 140.0, swing_st: float = 4.0) -> np.ndarray:
    """Pitch swinging +-``swing_st`` semitones twice a second, as an expressive speaker's."""
    t = np.arange(int(seconds * SR)) / SR
    return hz * 2 ** (swing_st * np.sin(2 * np.pi * 0.5 * t) / 12)


def words_over(start_s: float, end_s: float, *, per_s: float = 2.5,
               end_with: str = ".") -> list[Word]:
    """Evenly spaced words filling a span; the last one carries ``end_with``."""
    count = max(1, int((end_s - start_s) * per_s))
    step = (end_s - start_s) / count
    words = [Word(f"word{i}", start_s + i * step, start_s + (i + 1) * step)
             for i in range(count)]
    words[-1] = dataclasses.replace(words[-1], text=words[-1].text + end_with)
    return words


def transcript(audio: np.ndarray, words: list[Word], regions=None) -> Transcript:
    if regions is None:
        regions = [(words[0].start_s, words[-1].end_s)]
    return Transcript(words=tuple(words), duration_s=audio.size / SR,
                      speech_regions=tuple(regions))


def spoken(pitch_hz, level_db=0.0, *, lead_s: float = 0.5, seed: int = 0):
    """Silence, a voice, silence: (audio, start_s, end_s) of the voice."""
    pitch_hz = np.asarray(pitch_hz)
    level = np.broadcast_to(level_db, pitch_hz.shape)
    audio = np.concatenate([silence(lead_s), voice(pitch_hz, level, seed=seed),
                            silence(lead_s, seed=seed + 1)])
    return audio, lead_s, lead_s + pitch_hz.size / SR


# --- monotone -----------------------------------------------------------------------------


def test_a_steady_voice_is_monotone():
    audio, start, end = spoken(steady(20.0))
    result = analyze_delivery(audio, transcript(audio, words_over(start, end)))
    assert result.judged, result.note
    pitch = result.pitch
    assert pitch.median_hz == pytest.approx(140, abs=1.5)
    assert pitch.variation_semitones < 0.2
    assert pitch.monotone is True
    assert len(pitch.windows) >= 3 and all(w.variation_semitones < 0.2 for w in pitch.windows)
    (stretch,) = pitch.flat_stretches
    assert stretch.start_s == pytest.approx(start, abs=0.1)
    assert stretch.end_s == pytest.approx(end, abs=0.1)
    assert stretch.suggestion.startswith("Your pitch varied by under 2 semitones from")
    # the times as every renderer writes them (mockview.numbers: halves up)
    assert f"from {clock(stretch.start_s)} to {clock(stretch.end_s)}" in stretch.suggestion
    assert "stress the key word" in stretch.suggestion
    assert stretch.text.startswith("word0 word1")


def test_a_lively_voice_is_not_monotone():
    audio, start, end = spoken(lively(20.0, swing_st=4.0))
    result = analyze_delivery(audio, transcript(audio, words_over(start, end)))
    assert result.judged
    # a sine of amplitude 4 semitones has a standard deviation of 4 / sqrt(2)
    assert result.pitch.variation_semitones == pytest.approx(4 / np.sqrt(2), abs=0.2)
    assert result.pitch.monotone is False
    assert result.pitch.flat_stretches == ()


def test_a_flat_middle_is_a_flat_stretch():
    swing = 6.0  # a window half lively, half flat must not be flat: std 6/2 = 3 semitones
    pitch = np.concatenate([lively(15.0, swing_st=swing), steady(15.0),
                            lively(15.0, swing_st=swing)])
    audio, start, end = spoken(pitch)
    result = analyze_delivery(audio, transcript(audio, words_over(start, end)))
    assert result.pitch.monotone is False
    (stretch,) = result.pitch.flat_stretches
    # windows of 10 s every 5 s: only the one wholly inside the flat 15 s is flat
    assert start + 15 - 0.1 <= stretch.start_s and stretch.end_s <= start + 30 + 0.1
    assert stretch.variation_semitones < 1.0


def test_unvoiced_noise_inside_speech_gives_no_pitch():
    """yin returns a period for every frame; hiss must not become a pitch track."""
    rng = np.random.default_rng(3)
    hiss = rng.normal(0, 0.05, 12 * SR).astype(np.float32)
    audio = np.concatenate([silence(1.0), hiss, silence(1.0)])
    result = analyze_delivery(audio, transcript(audio, words_over(1.0, 13.0)))
    assert result.pitch.voiced_s < 0.5
    assert result.pitch.monotone is None and result.pitch.variation_semitones is None
    assert "had a clear pitch: too little to judge" in result.pitch.note
    assert result.uptalk.statements == 0 and result.suggestions == ()


def test_octave_jumps_of_the_tracker_do_not_count_as_intonation():
    pitch = steady(20.0)
    for second in range(1, 20, 3):  # a 100 ms octave jump every 3 s
        pitch[int(second * SR): int((second + 0.1) * SR)] *= 2
    audio, start, end = spoken(pitch)
    result = analyze_delivery(audio, transcript(audio, words_over(start, end)))
    assert result.pitch.variation_semitones < 0.5
    assert result.pitch.monotone is True


# --- uptalk -------------------------------------------------------------------------------


def statements_with_ending(ending: np.ndarray, *, sentences: int = 5, sentence_s: float = 3.0):
    """``sentences`` statements of lively pitch, each ending on a word of 0.6 s whose pitch
    follows ``ending`` (semitones over the last 300 ms) after a 0.3 s steady start; 0.4 s
    silences between sentences. The third statement has the ending; the rest end flat."""
    pieces, words = [silence(0.5)], []
    t = 0.5
    for number in range(sentences):
        body = lively(sentence_s - 0.6, hz=130.0, swing_st=3.0)
        last_st = ending if number == 2 else np.zeros(ending.size)
        tail = np.concatenate([np.full(int(0.3 * SR), 130.0), 130.0 * 2 ** (last_st / 12)])
        pieces.append(voice(np.concatenate([body, tail]), 0.0, seed=number))
        words += words_over(t, t + sentence_s - 0.6, end_with="")
        words.append(Word(f"end{number}.", t + sentence_s - 0.6, t + sentence_s))
        t += sentence_s
        pieces.append(silence(0.4, seed=10 + number))
        t += 0.4
    audio = np.concatenate(pieces)
    regions = [(w.start_s, w.end_s) for w in words]
    return audio, transcript(audio, words, regions)


def glide(semitones: float) -> np.ndarray:
    return np.linspace(0.0, semitones, int(0.3 * SR))


def test_a_statement_rising_six_semitones_at_its_end_is_uptalk():
    audio, tr = statements_with_ending(glide(6.0))
    result = analyze_delivery(audio, tr)
    assert result.judged, result.note
    uptalk = result.uptalk
    assert uptalk.statements == 5
    assert uptalk.rising == 1
    assert uptalk.share == pytest.approx(0.2)
    (item,) = uptalk.items
    assert item.rise_semitones == pytest.approx(6.0, abs=1.0)
    end_of_third = 0.5 + 3 * 3.0 + 2 * 0.4
    assert item.end_s == pytest.approx(end_of_third, abs=0.05)
    assert item.end_s - item.start_s == pytest.approx(0.3)
    assert item.text.endswith("end2.")
    assert item.suggestion.startswith(f"At 0:{round(item.start_s):02d} your statement")
    assert "rose 6" in item.suggestion or "rose 5" in item.suggestion
    assert "let your pitch fall" in item.suggestion


@pytest.mark.parametrize("ending", [glide(-6.0), glide(0.0), glide(2.0)],
                         ids=["falling", "flat", "small rise"])
def test_a_falling_flat_or_slightly_rising_ending_is_not_uptalk(ending):
    audio, tr = statements_with_ending(ending)
    result = analyze_delivery(audio, tr)
    assert result.uptalk.statements == 5
    assert result.uptalk.items == ()
    assert result.uptalk.share == 0.0


def test_a_question_that_rises_is_not_uptalk():
    audio, tr = statements_with_ending(glide(6.0))
    words = [dataclasses.replace(w, text="end2?") if w.text == "end2." else w for w in tr.words]
    result = analyze_delivery(audio, dataclasses.replace(tr, words=tuple(words)))
    assert result.uptalk.statements == 4
    assert result.uptalk.items == ()


# --- volume -------------------------------------------------------------------------------


def sentences_with_last_word_level(last_db: np.ndarray, *, sentences: int = 5):
    """Five 3 s sentences at a steady level; the third's last word (0.6 s) follows
    ``last_db`` (dB, per sample)."""
    pieces, words = [silence(0.5)], []
    t = 0.5
    for number in range(sentences):
        level = np.zeros(int(3.0 * SR))
        if number == 2:
            level[-last_db.size:] = last_db
        pieces.append(voice(lively(3.0, hz=120.0, swing_st=3.0), level, seed=number))
        words += words_over(t, t + 2.4, end_with="")
        words.append(Word(f"end{number}.", t + 2.4, t + 3.0))
        pieces.append(silence(0.4, seed=10 + number))
        t += 3.4
    audio = np.concatenate(pieces)
    return audio, transcript(audio, words, [(w.start_s, w.end_s) for w in words])


def fade_over_last_word(fade_db: float, *, fade_s: float = 0.3, word_s: float = 0.6):
    """A level (dB per sample) over a last word of ``word_s``: gliding down ``fade_db`` over
    its first ``fade_s``, then held there to its end."""
    glide_part = np.linspace(0.0, -fade_db, int(fade_s * SR))
    return np.concatenate([glide_part, np.full(int((word_s - fade_s) * SR), -fade_db)])


def test_a_voice_fading_twelve_db_over_the_last_word_is_a_fade():
    audio, tr = sentences_with_last_word_level(fade_over_last_word(12.0))
    result = analyze_delivery(audio, tr)
    assert result.judged, result.note
    assert result.volume.sentences_measured == 5
    (fade,) = result.volume.fades
    assert fade.start_s == pytest.approx(0.5 + 2 * 3.4 + 2.4)  # the last word
    assert fade.end_s == pytest.approx(0.5 + 2 * 3.4 + 3.0)
    assert fade.drop_db == pytest.approx(12.0, abs=1.5)
    assert fade.text.endswith("end2.")
    assert fade.suggestion.startswith("At 0:10 your voice faded on the last word of \u201c")
    assert "(12 dB below the rest of the sentence)" in fade.suggestion


@pytest.mark.parametrize("last_db", [np.zeros(int(0.6 * SR)), fade_over_last_word(4.0),
                                     np.full(int(0.6 * SR), 6.0)],
                         ids=["steady", "4 dB softer", "6 dB louder"])
def test_a_steady_slightly_softer_or_louder_last_word_is_not_a_fade(last_db):
    audio, tr = sentences_with_last_word_level(last_db)
    result = analyze_delivery(audio, tr)
    assert result.volume.sentences_measured == 5
    assert result.volume.fades == ()


def test_the_natural_decay_at_the_end_of_a_word_is_not_a_fade():
    """Voicing dies away over the last 100-150 ms of every phrase; that is not trailing off."""
    decay = np.concatenate([np.zeros(int(0.45 * SR)), np.linspace(0.0, -25.0, int(0.15 * SR))])
    audio, tr = sentences_with_last_word_level(decay)
    assert analyze_delivery(audio, tr).volume.fades == ()


def test_a_last_word_with_only_a_scrap_of_voice_is_not_measured():
    """In a rough voice only the quiet end of a word may track as voiced: no fade from that."""
    audio, tr = sentences_with_last_word_level(fade_over_last_word(15.0, fade_s=0.52))
    start = int((0.5 + 2 * 3.4 + 2.4) * SR)
    rng = np.random.default_rng(7)  # the word's first 0.52 s as hiss: loud, but no pitch
    audio[start: start + int(0.52 * SR)] = rng.normal(0, 0.1, int(0.52 * SR))
    result = analyze_delivery(audio, tr)
    assert result.volume.sentences_measured == 4
    assert result.volume.fades == ()
    # the 80 ms scrap, 15 dB down, is what would have been measured
    anything = dataclasses.replace(DeliverySettings(), ending_min_voiced_s=0.0)
    (fade,) = analyze_delivery(audio, tr, settings=anything).volume.fades
    assert fade.drop_db == pytest.approx(15.0, abs=2.0)


def test_a_last_word_whose_time_swallowed_a_silence_is_not_judged():
    audio, tr = sentences_with_last_word_level(fade_over_last_word(12.0))
    words = [dataclasses.replace(w, end_s=w.end_s + 2.0) if w.text == "end2." else w
             for w in tr.words]
    result = analyze_delivery(audio, dataclasses.replace(tr, words=tuple(words)))
    assert result.volume.sentences_measured == 4
    assert result.uptalk.statements == 4


def test_a_long_stretch_far_below_the_median_level_is_found():
    level = np.zeros(int(40 * SR))
    level[int(20 * SR): int(25 * SR)] = -15.0
    audio, start, end = spoken(lively(40.0), level)
    result = analyze_delivery(audio, transcript(audio, words_over(start, end)))
    volume = result.volume
    assert volume.median_dbfs == pytest.approx(-20.0, abs=0.5)
    assert volume.noise_floor_dbfs < -80
    (quiet,) = volume.quiet_stretches
    assert quiet.start_s == pytest.approx(start + 20, abs=0.5)
    assert quiet.end_s == pytest.approx(start + 25, abs=0.5)
    assert quiet.below_median_db == pytest.approx(15.0, abs=1.0)
    assert quiet.suggestion.startswith(
        f"From {clock(quiet.start_s)} to {clock(quiet.end_s)} you spoke 15 dB below")
    assert quiet.text.startswith("word")
    blocks = volume.levels_dbfs
    assert len(blocks) == int(np.ceil(audio.size / SR / volume.block_s))
    assert blocks[0] is None  # the silence before the voice
    assert blocks[10] == pytest.approx(-20.0, abs=0.5)


def test_a_short_dip_is_not_a_quiet_stretch():
    level = np.zeros(int(30 * SR))
    level[int(10 * SR): int(12 * SR)] = -15.0
    audio, start, end = spoken(lively(30.0), level)
    result = analyze_delivery(audio, transcript(audio, words_over(start, end)))
    assert result.volume.quiet_stretches == ()


# --- evidence -----------------------------------------------------------------------------


def test_a_short_answer_is_judged_at_its_endings_but_not_called_monotone():
    """Under 10 s of speech the pitch varies too little to call flat, but each ending can be
    heard: a 6.6 s answer (two statements) with a rising one is measured as such."""
    audio, tr = statements_with_ending(glide(6.0), sentences=3)
    result = analyze_delivery(audio, tr)
    assert result.judged, result.note
    assert result.speech_s == pytest.approx(9.0)
    assert result.pitch.monotone is None and result.pitch.flat_stretches == ()
    assert result.pitch.note == ("Only 9.0 s of speaking: too short to call the pitch monotone"
                                 " or lively (that needs 10 s).")
    assert result.pitch.variation_semitones > 1  # measured and shown, not judged
    assert result.uptalk.statements == 3 and result.uptalk.rising == 1
    assert result.volume.sentences_measured == 3


def test_a_steady_short_answer_is_not_accused_of_monotony():
    audio, start, end = spoken(steady(6.0))
    result = analyze_delivery(audio, transcript(audio, words_over(start, end)))
    assert result.judged, result.note
    assert result.pitch.monotone is None and result.pitch.flat_stretches == ()
    assert result.pitch.note.startswith("Only 6.0 s of speaking: too short to call the pitch")
    assert result.suggestions == ()


def test_too_little_pitch_judges_no_pitch_measure():
    """A speaker's median pitch, which catches the tracker's octave errors, needs some
    seconds of voice: with 2 s of pitch no rise and no variation is reported."""
    audio, tr = statements_with_ending(glide(6.0), sentences=1, sentence_s=2.0)
    result = analyze_delivery(audio, tr)
    assert result.judged, result.note
    assert result.pitch.voiced_s < 3
    assert result.pitch.note.startswith("Only ")
    assert result.pitch.note.endswith(" s of the speech had a clear pitch: too little to judge"
                                      " pitch variation or uptalk (that needs 3 s).")
    assert result.pitch.variation_semitones is None and result.pitch.windows == ()
    assert result.uptalk.statements == 0 and result.uptalk.items == ()


def test_very_quiet_speech_is_not_judged():
    audio, start, end = spoken(lively(15.0), -40.0)  # -60 dBFS
    result = analyze_delivery(audio, transcript(audio, words_over(start, end)))
    assert not result.judged
    assert result.note.startswith("The speech is very quiet (-60 dBFS)")


def test_speech_in_loud_noise_is_not_judged():
    audio, start, end = spoken(lively(15.0))
    audio = audio + np.random.default_rng(5).normal(0, 0.05, audio.size).astype(np.float32)
    result = analyze_delivery(audio, transcript(audio, words_over(start, end)))
    assert not result.judged
    assert re.fullmatch(r"The speech stands only \d+ dB above the background noise \(delivery"
                        r" needs 12 dB; .*", result.note), result.note
    assert result.volume.snr_db < 12


@pytest.mark.parametrize("audio", [np.zeros(0, np.float32), np.zeros(SR, np.float32),
                                   silence(5.0)], ids=["empty", "digital silence", "hiss"])
def test_no_speech_is_not_judged_and_does_not_crash(audio):
    result = analyze_delivery(audio, Transcript(words=(), duration_s=audio.size / SR))
    assert not result.judged
    assert result.note == "No speech was found, so delivery was not judged."
    json.dumps(result.to_dict())


def test_word_spans_stand_in_for_missing_speech_regions():
    audio, start, end = spoken(steady(20.0))
    words = words_over(start, end)
    result = analyze_delivery(audio, Transcript(words=tuple(words), duration_s=audio.size / SR))
    assert result.judged and result.pitch.monotone is True


def test_integer_pcm_is_read_relative_to_full_scale():
    audio, start, end = spoken(lively(12.0))
    tr = transcript(audio, words_over(start, end))
    pcm = np.round(audio * 32767).astype(np.int16)
    as_float = analyze_delivery(audio, tr).volume.median_dbfs
    assert analyze_delivery(pcm, tr).volume.median_dbfs == pytest.approx(as_float, abs=0.1)


def test_importing_the_module_imports_nothing_heavy():
    import subprocess
    import sys

    code = ("import sys, mockview.speech.delivery; "
            "print(sorted(m for m in ('numpy', 'scipy', 'librosa') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_stereo_audio_is_refused_with_the_fix():
    with pytest.raises(AnalysisError, match="mono audio as a 1-D array.*load_audio"):
        analyze_delivery(np.zeros((SR, 2), np.float32), Transcript(words=(), duration_s=1.0))


def test_settings_are_checked():
    with pytest.raises(AnalysisError, match="fmin_hz < fmax_hz"):
        DeliverySettings(fmin_hz=500.0)
    with pytest.raises(AnalysisError, match="two periods of fmin_hz"):
        DeliverySettings(frame_ms=20)
    with pytest.raises(AnalysisError, match="monotone_semitones is -1"):
        DeliverySettings(monotone_semitones=-1)


def test_settings_change_the_verdicts():
    audio, start, end = spoken(steady(20.0))
    tr = transcript(audio, words_over(start, end))
    relaxed = dataclasses.replace(DeliverySettings(), monotone_semitones=0.0)
    assert analyze_delivery(audio, tr, settings=relaxed).pitch.monotone is False


# --- the JSON shape -----------------------------------------------------------------------


def test_to_dict_has_the_documented_keys_and_is_json():
    audio, tr = statements_with_ending(glide(6.0))
    data = analyze_delivery(audio, tr).to_dict()
    json.dumps(data)
    assert list(data) == ["judged", "note", "speech_s", "pitch", "uptalk", "volume"]
    assert list(data["pitch"]) == ["method", "median_hz", "variation_semitones", "voiced_s",
                                   "windows", "monotone", "flat_stretches", "note"]
    assert list(data["pitch"]["windows"][0]) == ["start_s", "end_s", "variation_semitones",
                                                 "voiced_s"]
    assert list(data["uptalk"]) == ["statements", "rising", "share", "items"]
    assert list(data["uptalk"]["items"][0]) == ["text", "start_s", "end_s", "rise_semitones",
                                                "suggestion"]
    assert list(data["volume"]) == ["median_dbfs", "noise_floor_dbfs", "snr_db", "block_s",
                                    "levels_dbfs", "fades", "sentences_measured",
                                    "quiet_stretches"]
    assert data["pitch"]["method"] == "yin"


# --- pyin ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_accurate_pitch_uses_pyin_and_agrees_with_yin():
    audio, tr = statements_with_ending(glide(6.0))
    fast = analyze_delivery(audio, tr)
    accurate = analyze_delivery(audio, tr, accurate_pitch=True)
    assert accurate.pitch.method == "pyin"
    assert accurate.pitch.median_hz == pytest.approx(fast.pitch.median_hz, rel=0.02)
    assert accurate.pitch.variation_semitones == pytest.approx(
        fast.pitch.variation_semitones, abs=0.3)
    assert accurate.uptalk.rising == 1


# --- real speech --------------------------------------------------------------------------


def textgrid_words(path) -> list[Word]:
    """The words tier of a Praat TextGrid (long text format) as Words (no punctuation)."""
    lines = [line.strip() for line in path.read_text().splitlines()]
    tier = lines.index('"words"')
    count = int(lines[tier + 3])
    rows = lines[tier + 4: tier + 4 + 3 * count]
    return [Word(rows[i + 2].strip('"'), float(rows[i]), float(rows[i + 1]))
            for i in range(0, len(rows), 3) if rows[i + 2].strip('"')]


@pytest.fixture(scope="module")
def monologue():
    from mockview.speech.audio import voice_regions

    audio = read_clip("acoustic_corpus.wav")
    words = textgrid_words(DATA / "acoustic_corpus.TextGrid")
    tr = Transcript(words=tuple(words), duration_s=audio.size / SR,
                    speech_regions=tuple(voice_regions(audio)))
    return audio, tr


def test_a_real_speaker_is_not_monotone(monologue):
    audio, tr = monologue
    result = analyze_delivery(audio, tr)
    assert result.judged, result.note
    pitch = result.pitch
    assert 80 < pitch.median_hz < 180  # an adult male voice
    assert 2.0 < pitch.variation_semitones < 6.0
    assert pitch.monotone is False
    assert 8.0 < pitch.voiced_s < 20.0
    assert len(pitch.windows) >= 3
    volume = result.volume
    assert -40 < volume.median_dbfs < -10
    assert volume.snr_db > 10  # a laptop in a room: about 14 dB
    assert volume.quiet_stretches == ()


def test_the_default_pitch_tracker_compiles_nothing(monologue, tmp_path):
    """yin is numpy alone: analysing delivery imports neither librosa nor numba, whose code
    is compiled on its first use after an install (some 10 s on the user's first answer)."""
    import pickle
    import subprocess
    import sys

    audio, tr = monologue
    np.save(tmp_path / "audio.npy", audio)
    (tmp_path / "transcript.pkl").write_bytes(pickle.dumps(tr))
    code = ("import pickle, sys\n"
            "import numpy as np\n"
            "from mockview.speech.delivery import analyze_delivery\n"
            "audio = np.load(sys.argv[1])\n"
            "transcript = pickle.loads(open(sys.argv[2], 'rb').read())\n"
            "result = analyze_delivery(audio, transcript)\n"
            "assert result.judged and result.pitch.voiced_s > 8, result.note\n"
            "print(sorted(m for m in ('librosa', 'numba') if m in sys.modules))\n")
    run = subprocess.run([sys.executable, "-c", code, str(tmp_path / "audio.npy"),
                          str(tmp_path / "transcript.pkl")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


@pytest.mark.slow
def test_yin_gives_the_periods_of_librosa_yin(monologue):
    """The numpy YIN computes what ``librosa.yin`` computes, frame by frame (it replaced it;
    slow because librosa.yin is compiled on its first use). librosa 0.11 changed how yin
    normalises its difference function (librosa pull request 1882); before it, 11% of
    this recording's voiced frames come out a semitone or more apart: the numpy YIN
    follows 0.11."""
    import librosa

    if tuple(int(part) for part in librosa.__version__.split(".")[:2]) < (0, 11):
        pytest.skip(f"librosa {librosa.__version__}'s yin predates its 0.11 normalisation")

    from mockview.speech.delivery import _yin_f0

    audio, _ = monologue
    settings = DeliverySettings()
    ours = _yin_f0(audio, settings)
    theirs = librosa.yin(audio, fmin=settings.fmin_hz, fmax=settings.fmax_hz, sr=SR,
                         frame_length=settings.frame, hop_length=settings.hop, center=False)
    assert ours.shape == theirs.shape
    cents = 1200 * np.abs(np.log2(ours / theirs))
    assert np.mean(cents < 100) > 0.995
    assert np.median(cents) < 1.0


@pytest.mark.slow
def test_real_speech_pitch_agrees_between_yin_and_pyin(monologue):
    audio, tr = monologue
    fast = analyze_delivery(audio, tr).pitch
    accurate = analyze_delivery(audio, tr, accurate_pitch=True).pitch
    assert accurate.median_hz == pytest.approx(fast.median_hz, rel=0.05)
    assert accurate.variation_semitones == pytest.approx(fast.variation_semitones, abs=0.6)


@pytest.mark.parametrize("name", ["jfk.flac", "61-70968-0000.flac", "mfa_um.flac",
                                  "mfa_longstop.flac"])
def test_short_real_clips_do_not_crash_and_are_sane(name):
    from mockview.speech.audio import voice_regions

    audio = read_clip(name)
    regions = voice_regions(audio)
    words = [Word("word.", s, e) for s, e in regions]
    result = analyze_delivery(audio, Transcript(tuple(words), audio.size / SR, tuple(regions)))
    json.dumps(result.to_dict())
    if result.pitch.median_hz is not None:
        assert 65 < result.pitch.median_hz < 300
    assert result.volume.median_dbfs is None or -60 < result.volume.median_dbfs < 0
    if not result.judged:
        assert result.note


@pytest.mark.model
def test_fluent_real_speech_with_its_real_transcript_is_not_accused():
    """The monologue through the real pipeline: sentences from the model's punctuation."""
    from mockview.speech.transcription import transcribe_audio

    audio = read_clip("acoustic_corpus.wav")
    result = analyze_delivery(audio, transcribe_audio(audio))
    assert result.judged, result.note
    assert result.pitch.monotone is False
    assert result.uptalk.statements >= 4
    assert result.uptalk.items == ()
    assert result.volume.sentences_measured >= 4
    assert result.volume.fades == ()
    assert result.volume.quiet_stretches == ()
    assert result.suggestions == ()


def room_noise(size: int, seed: int = 3) -> np.ndarray:
    """Steady room noise of unit power: pink from 50 Hz up (a fan, air conditioning) with
    a 100 Hz mains hum."""
    spectrum = np.fft.rfft(np.random.default_rng(seed).normal(size=size))
    frequency = np.fft.rfftfreq(size, 1 / SR)
    spectrum[frequency < 50] = 0
    spectrum[frequency >= 50] /= np.sqrt(frequency[frequency >= 50])
    noise = np.fft.irfft(spectrum, size)
    noise = noise / np.sqrt(np.mean(noise ** 2)) + 0.3 * np.sin(2 * np.pi * 100 * np.arange(size)
                                                                 / SR)
    return noise / np.sqrt(np.mean(noise ** 2))


def with_noise_at(audio: np.ndarray, snr_db: float) -> np.ndarray:
    """``audio`` with room noise whose power is ``snr_db`` below the speech's own power (over
    the spans the speech detector hears in the clean audio)."""
    from mockview.speech.audio import speech_regions

    speech = np.concatenate([audio[int(s * SR):int(e * SR)] for s, e in speech_regions(audio)])
    scale = np.sqrt(np.mean(speech.astype(np.float64) ** 2) / 10 ** (snr_db / 10))
    return (audio + scale * room_noise(audio.size)).astype(np.float32)


@pytest.mark.model
@pytest.mark.parametrize("snr_db", [25.0, 15.0, 8.0])
def test_the_snr_of_a_clean_recording_in_added_room_noise_is_measured(snr_db):
    """A studio clip (its own noise some 60 dB down) in noise of known level: the measure
    reads what was mixed, to within 2 dB (it sees speech and pauses, not the mixing)."""
    from mockview.speech.transcription import transcribe_audio

    audio = with_noise_at(read_clip("mfa_uhum.flac"), snr_db)
    result = analyze_delivery(audio, transcribe_audio(audio))
    assert result.volume.snr_db == pytest.approx(snr_db, abs=2.0)


@pytest.mark.model
def test_an_answer_in_an_ordinary_room_is_judged_and_one_in_a_cafe_is_not():
    from mockview.speech.transcription import transcribe_audio

    monologue = read_clip("acoustic_corpus.wav")  # a laptop in a room, about 19 dB
    for snr_db, judged in ((30.0, True), (20.0, True), (6.0, False)):
        audio = with_noise_at(monologue, snr_db)
        result = analyze_delivery(audio, transcribe_audio(audio))
        assert result.judged is judged, (snr_db, result.volume.snr_db, result.note)
        if not judged:
            assert result.note.startswith("The speech stands only ")
