"""An r-coloured vowel is a word's "-er", not a filled pause: hand-made vowels with known
formants (Peterson and Barney's averages), and the real clip where the model writes one."""

import numpy as np
import pytest

from mockview.speech.formants import formant_tracks, r_coloured
from mockview.speech.transcription import (
    TranscriptionSettings,
    drop_r_coloured_fillers,
    is_filled_pause,
    transcribe_file,
)
from mockview.words import Word
from tests.audio_helpers import DATA
from tests.test_voicing import at_level, room, vowel

#: (pitch, F1, F2, F3, F4): the vowel of "her" and "-er", and those of "uh" and "ah"
R_COLOURED = {"man": (110, 490, 1350, 1690, 3300), "woman": (210, 500, 1640, 1960, 3700)}
PLAIN = {"uh, man": (110, 640, 1190, 2390, 3400), "ah, man": (110, 730, 1090, 2440, 3400),
         "schwa, man": (110, 500, 1500, 2500, 3500), "uh, woman": (210, 760, 1400, 2780, 3900),
         "ah, woman": (210, 850, 1220, 2810, 3900)}


def said(f0_hz, *formants, seconds=0.3):
    return at_level(vowel(seconds, f0_hz=f0_hz, formants=formants), -30)


@pytest.mark.parametrize("speaker", R_COLOURED)
def test_an_r_coloured_vowel_is_found_with_its_formants(speaker):
    f0_hz, f1, f2, f3, f4 = R_COLOURED[speaker]
    found = r_coloured(said(f0_hz, f1, f2, f3, f4))
    assert found is not None
    assert found == pytest.approx((f2, f3), rel=0.08)


@pytest.mark.parametrize("name", PLAIN)
def test_the_vowels_of_filled_pauses_are_not_r_coloured(name):
    f0_hz, *formants = PLAIN[name]
    sound = said(f0_hz, *formants)
    assert r_coloured(sound) is None
    measured = np.median(formant_tracks(sound), axis=0)
    assert measured == pytest.approx(formants[:3], rel=0.1)


def test_too_little_vowel_gives_no_verdict():
    f0_hz, *formants = R_COLOURED["man"]
    assert r_coloured(said(f0_hz, *formants, seconds=0.06)) is None
    assert r_coloured(said(f0_hz, *formants, seconds=0.1)) is not None


def test_a_vowel_filler_on_an_r_coloured_vowel_is_dropped_but_others_are_kept():
    er = said(*R_COLOURED["man"])
    uh = said(*PLAIN["uh, man"])
    audio = np.concatenate([room(0.5), er, room(0.5), uh, room(0.5), er, room(0.5), er])
    words = [Word("er.", 0.5, 0.8, 0.5), Word("uh,", 1.3, 1.6, 0.5),
             Word("um,", 2.1, 2.4, 0.5),  # a nasal: its vowel is not measured
             Word("her", 2.9, 3.2, 0.9)]  # not a filler
    kept, dropped = drop_r_coloured_fillers(words, audio, offset_s=0.0,
                                            settings=TranscriptionSettings())
    assert [w.text for w in kept] == ["uh,", "um,", "her"]
    assert [d.word.text for d in dropped] == ["er."]
    assert dropped[0].reason.startswith("an r-coloured vowel (F2 13")


def test_a_filler_stamped_too_short_to_hold_a_vowel_is_not_measured():
    audio = np.concatenate([room(0.5), said(*R_COLOURED["man"])])
    words = [Word("er", 0.6, 0.65, 0.5)]
    kept, dropped = drop_r_coloured_fillers(words, audio, offset_s=0.0,
                                            settings=TranscriptionSettings())
    assert kept == words and dropped == []


def test_the_samples_are_taken_at_the_words_time_in_the_answer():
    # the chunk starts 10 s into the answer: the stamp is answer time
    audio = np.concatenate([room(0.5), said(*R_COLOURED["man"])])
    kept, dropped = drop_r_coloured_fillers([Word("er", 10.5, 10.8, 0.5)], audio,
                                            offset_s=10.0, settings=TranscriptionSettings())
    assert kept == [] and len(dropped) == 1


@pytest.mark.model
def test_the_last_syllable_of_a_hesitated_word_is_not_reported_as_a_filler():
    # "align... er": the speaker stops 1.4 s inside "aligner" (reference: <hes-aligner>), and
    # the model writes its last syllable as the filler "er"
    transcript = transcribe_file(DATA / "mfa_internalsil.flac")
    assert not [w for w in transcript.words if is_filled_pause(w.text)]
    assert any(d.word.text.startswith("er") and d.reason.startswith("an r-coloured vowel")
               for d in transcript.dropped)
    off = transcribe_file(DATA / "mfa_internalsil.flac",
                          settings=TranscriptionSettings(check_r_colour=False))
    assert [w.text for w in off.words if is_filled_pause(w.text)] == ["er."]
