"""The audio's own evidence for a filled pause, on hand-made signals with known answers."""

import numpy as np
import pytest
from scipy.signal import butter, lfilter, sosfilt

from mockview.speech.transcription import TranscriptionSettings, check_words
from mockview.speech.voicing import VoicingSettings, measure, voiced_spans
from mockview.words import Word
from tests.audio_helpers import read_clip

RATE = 16_000
SETTINGS = VoicingSettings()


def at_level(audio: np.ndarray, dbfs: float) -> np.ndarray:
    """``audio`` scaled so its RMS is ``dbfs`` dB re full scale."""
    return audio * 10 ** (dbfs / 20) / np.sqrt(np.mean(audio ** 2))


def vowel(seconds: float, *, f0_hz: float = 120.0, formants=(500, 1500, 2500),
          seed: int = 0) -> np.ndarray:
    """A held schwa ("uh"): a glottal pulse train with 1 % jitter through three formant
    resonances, the source-filter picture of a vowel."""
    rng = np.random.default_rng(seed)
    source = np.zeros(int(seconds * RATE))
    at = 0.0
    while at < source.size:
        source[int(at)] = 1.0
        at += RATE / (f0_hz * (1 + 0.01 * rng.standard_normal()))
    sound = lfilter([1.0], [1.0, -0.95], source)  # the glottal pulse's falling spectrum
    for formant in formants:
        radius = np.exp(-np.pi * 80 / RATE)  # 80 Hz bandwidth
        angle = 2 * np.pi * formant / RATE
        sound = lfilter([1 - radius], [1, -2 * radius * np.cos(angle), radius ** 2], sound)
    ramp = np.minimum(1, np.minimum(np.arange(sound.size), np.arange(sound.size)[::-1]) / 480)
    return sound * ramp


def noise(seconds: float, *, band_hz: tuple[float, float], seed: int) -> np.ndarray:
    white = np.random.default_rng(seed).standard_normal(int(seconds * RATE))
    return sosfilt(butter(4, band_hz, btype="bandpass", fs=RATE, output="sos"), white)


def room(seconds: float, *, dbfs: float = -65.0, seed: int = 9) -> np.ndarray:
    """A quiet room's hiss, so no frame is digital silence."""
    return at_level(np.random.default_rng(seed).standard_normal(int(seconds * RATE)), dbfs)


def placed(background: np.ndarray, sound: np.ndarray, at_s: float) -> np.ndarray:
    out = background.copy()
    start = int(at_s * RATE)
    out[start : start + sound.size] += sound
    return out


def longest_run_within(spans, start_s: float, end_s: float) -> float:
    return max((max(0.0, min(e, end_s) - max(s, start_s)) for s, e in spans), default=0.0)


def test_a_held_vowel_between_two_words_is_voice_and_keeps_its_filler():
    speech = read_clip("jfk.flac")
    words_before, words_after = speech[: int(1.6 * RATE)], speech[int(2.3 * RATE) : int(3.9 * RATE)]
    level = 10 * np.log10(np.mean(words_before ** 2))
    uh = at_level(vowel(0.45), level - 12)  # fillers are often quieter than words
    audio = np.concatenate([words_before, room(0.15), uh, room(0.15), words_after])
    start_s = 1.6 + 0.15
    spans = voiced_spans(audio)
    assert longest_run_within(spans, start_s, start_s + 0.45) >= 0.35
    # the speech detector heard only the words; the filler stands on the voicing alone
    words = [Word("And", 1.2, 1.5, 0.9), Word("uh,", start_s, start_s, 0.4),
             Word("we", 2.2, 2.4, 0.9)]
    kept, _ = check_words(words, [(0.0, 1.6), (2.2, 3.9)], voiced=spans,
                          settings=TranscriptionSettings())
    assert [w.text for w in kept] == ["And", "uh,", "we"]


@pytest.mark.parametrize("what,sound", [
    ("fricative", lambda: at_level(noise(0.3, band_hz=(2500, 7000), seed=1), -22)),
    ("click", lambda: at_level(np.hanning(48) * np.sign(np.sin(np.arange(48))), -12)),
    ("breath", lambda: at_level(noise(0.6, band_hz=(200, 3000), seed=2)
                                * np.hanning(int(0.6 * RATE)), -38)),
])
def test_a_fricative_a_click_or_a_breath_is_no_voice(what, sound):
    words = at_level(vowel(0.3, formants=(700, 1200, 2600)), -20)
    audio = placed(placed(room(3.0), words, 0.3), sound(), 1.5)
    spans = voiced_spans(audio)
    assert spans, "the vowel before is voice"
    assert longest_run_within(spans, 1.4, 2.2) == 0.0, f"{what} taken for voice: {spans}"


def test_a_hum_the_room_makes_all_along_is_background():
    hum = at_level(np.sin(2 * np.pi * 100 * np.arange(4 * RATE) / RATE), -45)
    audio = placed(hum + room(4.0), at_level(vowel(0.4), -20), 2.0)
    spans = voiced_spans(audio)
    assert spans and all(1.9 <= s and e <= 2.5 for s, e in spans), spans


def test_a_quiet_speaker_in_a_quiet_room_is_voice():
    loud = at_level(vowel(0.4, f0_hz=110), -18)
    quiet = at_level(vowel(0.3, f0_hz=190, formants=(600, 1700, 2700)), -44)
    audio = placed(placed(room(4.0), loud, 0.5), quiet, 2.5)
    assert longest_run_within(voiced_spans(audio), 2.5, 2.8) >= 0.2


def test_a_filler_the_speech_detector_missed_is_kept_where_the_audio_has_voice():
    quiet = at_level(vowel(0.3, f0_hz=190), -44)
    audio = placed(placed(room(4.0), at_level(vowel(0.4), -18), 0.5), quiet, 2.5)
    words = [Word("Well,", 0.5, 0.9, 0.95), Word("uh,", 2.5, 2.8, 0.6),
             Word("uh,", 3.6, 3.6, 0.6)]  # the second: nothing but room there
    detector_heard = [(0.45, 0.95)]
    kept, dropped = check_words(words, detector_heard, voiced=voiced_spans(audio),
                                settings=TranscriptionSettings())
    assert [w.start_s for w in kept] == [0.5, 2.5]
    assert [(d.word.start_s, d.reason) for d in dropped] == [
        (3.6, "no speech in the audio at this time")]
    # without the audio's evidence the detector alone decides, as before
    kept, _ = check_words(words, detector_heard, settings=TranscriptionSettings())
    assert [w.start_s for w in kept] == [0.5]


def test_a_filler_stamped_with_no_length_is_heard_by_its_voice_in_the_gap():
    # "so [uh, held 0.4 s] we": the model stamps the "uh" with no length, 0.3 s after its
    # voice ends; in the second recording the gap holds nothing but the room
    so, we = at_level(vowel(0.3), -18), at_level(vowel(0.3, f0_hz=140), -18)
    audio = placed(placed(placed(room(4.0), so, 0.5), at_level(vowel(0.4, f0_hz=105), -26),
                          1.0), we, 2.2)
    silent_gap = placed(placed(room(4.0), so, 0.5), we, 2.2)
    words = [Word("so", 0.5, 0.8, 0.9), Word("uh,", 1.7, 1.7, 0.6),
             Word("we", 2.2, 2.5, 0.9)]
    detector_heard = [(0.45, 0.85), (2.15, 2.55)]

    kept, dropped = check_words(words, detector_heard, voiced=voiced_spans(audio),
                                settings=TranscriptionSettings())
    assert [w.text for w in kept] == ["so", "uh,", "we"] and dropped == []

    kept, dropped = check_words(words, detector_heard, voiced=voiced_spans(silent_gap),
                                settings=TranscriptionSettings())
    assert [w.text for w in kept] == ["so", "we"]
    assert dropped[0].reason == "no speech in the audio at this time"


def test_breath_in_a_gap_gives_a_filler_no_support():
    breath = at_level(noise(0.6, band_hz=(200, 3000), seed=4) * np.hanning(int(0.6 * RATE)),
                      -36)
    audio = placed(placed(room(3.0), at_level(vowel(0.4), -18), 0.3), breath, 1.6)
    kept, dropped = check_words([Word("um,", 1.7, 2.1, 0.5)], [(0.25, 0.75)],
                                voiced=voiced_spans(audio), settings=TranscriptionSettings())
    assert kept == [] and dropped[0].reason == "no speech in the audio at this time"


def test_measure_handles_audio_shorter_than_a_frame_and_digital_silence():
    frames = measure(np.zeros(100))
    assert frames.times.size == 1 and not frames.voiced(SETTINGS).any()
    assert voiced_spans(np.zeros(RATE)) == []


def test_a_faint_buzz_far_below_the_speaker_is_not_voice():
    # a near-silent recording (as the MFA clips are: -90 dBFS between words) where a
    # periodic buzz 60 dB under the voice stands clear of that silence
    buzz = at_level(vowel(0.5, f0_hz=100), -82)
    audio = placed(placed(room(3.0, dbfs=-95), at_level(vowel(0.4), -20), 0.3), buzz, 1.5)
    spans = voiced_spans(audio)
    assert spans and longest_run_within(spans, 1.4, 2.1) == 0.0, spans


def test_voice_measured_only_where_asked_matches_the_whole_measure():
    audio = placed(placed(room(4.0), at_level(vowel(0.4), -20), 0.5),
                   at_level(vowel(0.3, f0_hz=180), -26), 2.5)
    everywhere = voiced_spans(audio)
    assert len(everywhere) == 2
    assert voiced_spans(audio, within=[(2.3, 3.0)]) == everywhere[1:]
    assert voiced_spans(audio, within=[]) == []


def retimed(words, voiced):
    from mockview.speech.transcription import retime_fillers

    return [(w.text, w.start_s, w.end_s) for w in
            retime_fillers(words, voiced, settings=TranscriptionSettings())]


def test_a_filler_stamped_with_no_length_moves_onto_its_voice_in_the_gap():
    words = [Word("cares.", 7.0, 7.5), Word("Um,", 8.64, 8.64), Word("this", 8.66, 8.8)]
    # the um's voice, and the next word's onset, which is not the um's
    voiced = [(7.1, 7.45), (8.1, 8.43), (8.62, 8.7)]
    assert retimed(words, voiced)[1] == ("Um,", 8.1, 8.43)


def test_fillers_in_one_gap_take_a_run_each_in_order_and_one_too_many_keeps_its_stamp():
    words = [Word("so", 1.0, 1.2), Word("uh,", 3.0, 3.0), Word("um,", 3.0, 3.0),
             Word("uh,", 3.0, 3.0), Word("we", 3.5, 3.7)]
    voiced = [(1.25, 1.5), (2.2, 2.5), (2.7, 2.95)]  # the first: the end of "so"
    assert retimed(words, voiced)[1:4] == [("uh,", 2.2, 2.5), ("um,", 2.7, 2.95),
                                           ("uh,", 3.0, 3.0)]


@pytest.mark.parametrize("voiced", [
    [],  # no voice at all
    [(5.5, 5.9)],  # voice, but further than a second away
    [(2.9, 3.12)],  # voice running into the next word: its onset
    [(2.5, 2.56)],  # too short for a filled pause
])
def test_a_filler_without_voice_of_its_own_keeps_its_stamp(voiced):
    words = [Word("so", 1.0, 2.0), Word("um,", 3.1, 3.1), Word("we", 3.15, 3.4)]
    assert retimed(words, voiced)[1] == ("um,", 3.1, 3.1)


def test_a_filler_with_a_plausible_length_is_left_alone():
    words = [Word("so", 1.0, 1.2), Word("um,", 2.0, 2.4), Word("we", 3.5, 3.7)]
    assert retimed(words, [(2.6, 3.1)])[1] == ("um,", 2.0, 2.4)


def doubled(words, audio):
    from mockview.speech.transcription import drop_doubled_fillers

    kept, dropped = drop_doubled_fillers(words, voiced_spans(audio),
                                         settings=TranscriptionSettings())
    return [w.text for w in kept], [d.word.start_s for d in dropped]


# "so ... we" with the gap between them holding one or two held vowels
CHAIN = [Word("so", 0.5, 0.9), Word("uh,", 1.3, 1.6, 0.9), Word("uh,", 1.62, 1.62, 0.8),
         Word("we", 2.8, 3.2)]


def words_around(gap: np.ndarray) -> np.ndarray:
    audio = placed(room(3.6), at_level(vowel(0.4, formants=(300, 2200, 2900)), -22), 0.5)
    audio = placed(audio, gap, 0.0)
    return placed(audio, at_level(vowel(0.4, formants=(350, 900, 2400), seed=3), -22), 2.8)


def test_two_separate_uhs_are_two():
    gap = placed(placed(np.zeros(int(2.5 * RATE)), at_level(vowel(0.3), -25), 1.3),
                 at_level(vowel(0.3, seed=1), -25), 2.0)
    assert doubled(CHAIN, words_around(gap)) == (["so", "uh,", "uh,", "we"], [])


def test_one_uh_written_twice_is_one():
    gap = placed(np.zeros(int(2.5 * RATE)), at_level(vowel(0.4), -25), 1.3)
    # the one the model gave no time is the echo
    assert doubled(CHAIN, words_around(gap)) == (["so", "uh,", "we"], [1.62])


def test_a_held_uh_longer_than_a_filled_pause_holds_two():
    gap = placed(np.zeros(int(2.5 * RATE)), at_level(vowel(1.3), -25), 1.2)
    assert doubled(CHAIN, words_around(gap))[0] == ["so", "uh,", "uh,", "we"]


def test_fillers_whose_gap_shows_no_voice_are_left_to_the_other_checks():
    # a breath-like hiss where the fillers are: no burst counted, nothing decided here
    gap = placed(np.zeros(int(2.5 * RATE)),
                 at_level(noise(0.6, band_hz=(500, 4000), seed=4), -35), 1.3)
    assert doubled(CHAIN, words_around(gap)) == (["so", "uh,", "uh,", "we"], [])


def test_voice_is_measured_over_the_whole_gap_of_a_chain_of_fillers():
    from mockview.speech.transcription import _around_fillers

    # the model stamps a chain at one instant, far from where the "uh"s were said
    words = [Word("so", 0.5, 0.9), Word("uh,", 4.0, 4.0), Word("uh,", 4.0, 4.0),
             Word("we", 4.1, 4.4)]
    windows = _around_fillers(words, TranscriptionSettings())
    assert any(start <= 0.9 and 4.1 <= end for start, end in windows)
