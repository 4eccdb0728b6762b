"""Filled pauses the model left out, found in the audio: hand-made signals with known answers."""

import json
from pathlib import Path

import numpy as np
import pytest
from scipy.signal import lfilter

from mockview.report import build_report
from mockview.speech.hidden import add_hidden_fillers, find_hidden_fillers
from mockview.words import DroppedWord, Transcript, Word
from tests.audio_helpers import read_clip
from tests.test_voicing import RATE, at_level, noise, room, vowel

SPEECH = read_clip("jfk.flac")
#: "And so, my fellow Americans" before the gap, and speech after it
BEFORE, AFTER = SPEECH[: int(1.6 * RATE)], SPEECH[int(2.3 * RATE) : int(3.9 * RATE)]
LEVEL_DB = 10 * np.log10(np.mean(BEFORE ** 2))


def voiced(seconds: float, *, f0_hz: tuple[float, float], formants: list[tuple[int, int]],
           seed: int = 0) -> np.ndarray:
    """A glottal pulse train whose pitch moves from ``f0_hz[0]`` to ``f0_hz[1]`` through
    three resonances moving from the first to the second formant of each pair: a held
    vowel when they stay put, a syllable when they glide."""
    rng = np.random.default_rng(seed)
    size = int(seconds * RATE)
    source = np.zeros(size)
    at = 0.0
    while at < size:
        source[int(at)] = 1.0
        f0 = np.interp(at, [0, size], f0_hz)
        at += RATE / (f0 * (1 + 0.01 * rng.standard_normal()))
    sound = lfilter([1.0], [1.0, -0.95], source)
    out = np.zeros(size)
    step = RATE // 100  # the resonances move every 10 ms, keeping their state
    radius = np.exp(-np.pi * 80 / RATE)
    for start_hz, end_hz in formants:
        state = np.zeros(2)
        shaped = np.zeros(size)
        for first in range(0, size, step):
            hz = np.interp(first, [0, size], [start_hz, end_hz])
            a = [1, -2 * radius * np.cos(2 * np.pi * hz / RATE), radius ** 2]
            shaped[first : first + step], state = lfilter(
                [1 - radius], a, sound[first : first + step], zi=state)
        sound = shaped
    out = sound
    ramp = np.minimum(1, np.minimum(np.arange(size), np.arange(size)[::-1]) / 480)
    return out * ramp


HELD_UH = [(500, 500), (1500, 1500), (2500, 2500)]


def between_words(sound: np.ndarray, *, silence_s: float = 0.3):
    """JFK's words, ``silence_s`` of a quiet room, ``sound``, the room again, more words;
    with the words' stamps, and where ``sound`` starts."""
    audio = np.concatenate([BEFORE, room(silence_s), sound, room(silence_s), AFTER])
    at_s = 1.6 + silence_s
    next_s = at_s + sound.size / RATE + silence_s
    words = [Word("And", 1.0, 1.55, 0.9), Word("so,", next_s, next_s + 0.3, 0.9),
             Word("my", next_s + 0.35, next_s + 0.5, 0.9)]
    return audio, words, at_s


@pytest.mark.parametrize("f0_hz", [(120.0, 120.0), (130.0, 115.0)],
                         ids=["flat", "slowly-falling"])
def test_a_held_vowel_in_a_gap_is_a_filler_heard_in_the_audio(f0_hz):
    uh = at_level(voiced(0.4, f0_hz=f0_hz, formants=HELD_UH), LEVEL_DB - 10)
    audio, words, at_s = between_words(uh)
    transcript = add_hidden_fillers(Transcript(words=tuple(words), duration_s=5.0), audio)
    found = [w for w in transcript.words if w.source == "audio"]
    assert [w.text for w in found] == ["uh"]
    assert abs(found[0].start_s - at_s) < 0.06 and abs(found[0].end_s - (at_s + 0.4)) < 0.06
    assert [w.text for w in transcript.words] == ["And", "uh", "so,", "my"]


#: sounds in a gap that are not a held vowel, each made by hand
NOT_HELD = [
    ("fricative", lambda: at_level(noise(0.3, band_hz=(2500, 7000), seed=1), LEVEL_DB)),
    ("click", lambda: at_level(np.hanning(48) * np.sign(np.sin(np.arange(48))), LEVEL_DB)),
    ("breath", lambda: at_level(noise(0.6, band_hz=(200, 3000), seed=2)
                                * np.hanning(int(0.6 * RATE)), LEVEL_DB - 15)),
    # a short word the model skipped: voiced, but a syllable, not a held vowel
    ("short voiced burst", lambda: at_level(
        voiced(0.14, f0_hz=(125, 125), formants=HELD_UH), LEVEL_DB)),
    # a word-like syllable: the formants glide ("why") and the pitch rises to an accent
    ("voiced word", lambda: at_level(
        voiced(0.4, f0_hz=(110, 150), formants=[(750, 300), (1200, 2300), (2500, 3000)]),
        LEVEL_DB)),
    # a vowel at a steady pitch whose formants glide from "ah" to "ee"
    ("gliding vowel", lambda: at_level(
        voiced(0.4, f0_hz=(120, 120), formants=[(750, 300), (1200, 2300), (2500, 3000)]),
        LEVEL_DB)),
]


@pytest.mark.parametrize("what,sound", NOT_HELD)
def test_what_is_not_a_held_vowel_is_not_a_filler(what, sound):
    audio, words, _ = between_words(sound())
    assert find_hidden_fillers(audio, words) == [], what


# --- a filler the model was unsure of: an echo of its prompt, or said ----------------------


def checked(audio: np.ndarray, words: list[Word]):
    """``words`` through the transcription's checks, as the whole answer's one chunk."""
    from mockview.speech.transcription import (
        TranscriptionSettings,
        check_words,
        held_in_unsure_fillers,
    )
    from mockview.speech.voicing import voiced_spans

    settings = TranscriptionSettings()
    held = held_in_unsure_fillers(words, audio, offset_s=0.0, settings=settings)
    everywhere = [(0.0, audio.size / RATE)]  # as if the speech detector heard it all
    return check_words(words, everywhere, voiced=voiced_spans(audio), held=held,
                       settings=settings)


def test_an_unsure_filler_on_a_held_vowel_is_kept_and_an_echo_is_not():
    uh = at_level(voiced(0.4, f0_hz=(125, 115), formants=HELD_UH), LEVEL_DB - 10)
    audio, words, at_s = between_words(uh)
    unsure = Word("uh,", at_s - 0.05, at_s + 0.3, 0.02)
    kept, dropped = checked(audio, [words[0], unsure, *words[1:]])
    assert unsure in kept and not dropped
    # the same stamp over a quiet room: nothing was said, so the model echoed its prompt
    audio, words, at_s = between_words(room(0.4, seed=3))
    kept, dropped = checked(audio, [words[0], unsure, *words[1:]])
    assert unsure not in kept
    assert [d.reason for d in dropped] == [
        "filler with probability 0.02: an echo of the prompt"]


@pytest.mark.parametrize("what,sound", NOT_HELD)
def test_an_unsure_filler_on_other_sound_is_an_echo(what, sound):
    audio, words, at_s = between_words(sound())
    unsure = Word("uh,", at_s, at_s + 0.3, 0.03)
    kept, dropped = checked(audio, [words[0], unsure, *words[1:]])
    assert unsure not in kept, what
    assert [d.word for d in dropped] == [unsure]


def test_one_held_vowel_vouches_for_one_unsure_filler():
    uh = at_level(voiced(0.4, f0_hz=(120, 120), formants=HELD_UH), LEVEL_DB - 10)
    audio, words, at_s = between_words(uh)
    twice = [Word("uh,", at_s, at_s + 0.2, 0.03), Word("uh,", at_s + 0.2, at_s + 0.4, 0.02)]
    kept, dropped = checked(audio, [words[0], *twice, *words[1:]])
    assert [w for w in kept if w in twice] == twice[:1]
    assert [d.word for d in dropped] == twice[1:]


def test_a_held_vowel_inside_another_words_stamp_is_that_words_sound():
    uh = at_level(voiced(0.4, f0_hz=(120, 120), formants=HELD_UH), LEVEL_DB - 10)
    audio, words, at_s = between_words(uh)
    # "oh" said and written, and the model's unsure "uh" over the same sound
    said = Word("oh,", at_s - 0.1, at_s + 0.5, 0.9)
    unsure = Word("uh,", at_s + 0.1, at_s + 0.3, 0.02)
    kept, dropped = checked(audio, [words[0], said, unsure, *words[1:]])
    assert said in kept and unsure not in kept


def test_a_drawn_out_word_is_not_a_filler():
    # the vowel runs straight on from the word the model stamped short: no fall in level
    # between them, so it is the word's own sound
    held = at_level(vowel(0.5), LEVEL_DB - 3)
    audio = np.concatenate([BEFORE, held, room(0.5), AFTER])
    next_s = 1.6 + 0.5 + 0.5
    words = [Word("Americans", 1.0, 1.6, 0.9), Word("ask", next_s, next_s + 0.3, 0.9)]
    assert find_hidden_fillers(audio, words) == []


def test_a_vowel_with_no_fall_in_level_before_it_is_part_of_a_word():
    # "s" then a held vowel, with no silence between: a word the model skipped ("saw"),
    # not a filled pause, however steady its vowel
    fricative = at_level(noise(0.15, band_hz=(2500, 7000), seed=1), LEVEL_DB - 6)
    held = at_level(vowel(0.4), LEVEL_DB - 6)
    audio, words, _ = between_words(np.concatenate([fricative, held]))
    assert find_hidden_fillers(audio, words) == []
    # the same vowel after a moment's silence stands on its own
    audio, words, _ = between_words(np.concatenate([room(0.15), held]))
    assert len(find_hidden_fillers(audio, words)) == 1


def test_a_gap_where_the_model_wrote_or_dropped_a_filler_is_left_to_its_checks():
    uh = at_level(vowel(0.4), LEVEL_DB - 10)
    audio, words, at_s = between_words(uh)
    assert len(find_hidden_fillers(audio, words)) == 1
    written = sorted([*words, Word("uh,", at_s + 0.4, at_s + 0.4, 0.3)],
                     key=lambda w: w.start_s)
    assert find_hidden_fillers(audio, written) == []
    assert find_hidden_fillers(audio, words, dropped=[Word("um", at_s, at_s + 0.1, 0.01)]) == []


def report_of(transcript: Transcript) -> dict:
    return json.loads(json.dumps(build_report(transcript)))


def test_each_filler_says_whether_the_model_wrote_it_or_the_audio_showed_it():
    uh = at_level(vowel(0.4), LEVEL_DB - 10)
    audio, words, _ = between_words(uh)
    words = [Word("Um,", 0.3, 0.6, 0.8), *words]
    transcript = add_hidden_fillers(
        Transcript(words=tuple(words), duration_s=5.0,
                   dropped=(DroppedWord(Word("uh", 4.9, 4.9, 0.01), "an echo"),)), audio)
    report = report_of(transcript)
    items = report["metrics"]["fillers"]["items"]
    assert [(i["text"], i["source"]) for i in items] == [("um", "model"), ("uh", "audio")]
    said = {w["text"]: w for w in report["transcript"]["words"]}
    assert said["Um,"]["source"] == "model" and said["Um,"]["probability"] == 0.8
    assert said["uh"]["source"] == "audio" and said["uh"]["probability"] is None


def test_a_filler_the_model_wrote_carries_source_model():
    words = (Word("So,", 0.0, 0.3), Word("uh,", 0.5, 0.8, 0.6), Word("we", 1.0, 1.2))
    report = report_of(Transcript(words=words, duration_s=1.5))
    assert [(i["text"], i["source"]) for i in report["metrics"]["fillers"]["items"]] == [
        ("so", "model"), ("uh", "model")]


def test_the_terminal_marks_a_filler_heard_in_the_audio():
    from rich.console import Console

    from mockview.render.terminal import render_report

    uh = at_level(vowel(0.4), LEVEL_DB - 10)
    audio, words, _ = between_words(uh)
    report = report_of(add_hidden_fillers(Transcript(words=tuple(words), duration_s=5.0),
                                          audio))
    console = Console(width=120, record=True)
    render_report(report, console, details=True)
    shown = console.export_text()
    assert "And (uh) so, my" in shown
    assert "(uh) heard in the audio, not written by the model" in shown
    # a report with only model-written words says nothing of it (old reports alike)
    for word in report["transcript"]["words"]:
        word.pop("source")
    console = Console(width=120, record=True)
    render_report(report, console, details=True)
    assert "heard in the audio" not in console.export_text()


def test_the_page_says_which_filler_was_heard_in_the_audio(tmp_path):
    from tests.test_report_page import CORPUS, INTRO, save_session, write_report

    words = (Word("So,", 0.2, 0.5), Word("um,", 0.6, 0.9, 0.7), Word("we", 1.0, 1.2),
             Word("uh", 1.5, 1.9, 1.0, source="audio"), Word("shipped", 2.2, 2.6))
    report = build_report(Transcript(words=words, duration_s=3.0))
    page = write_report(tmp_path, str(save_session([(INTRO, [(CORPUS, report)])]))).read_text()
    assert page.count("heard in the audio, not written by the model") == 1
    assert ('title="filled pause: heard in the audio, not written by the model">uh</span>'
            in page)
    assert 'title="filled pause">um,</span>' in page


def test_practice_finds_the_fillers_the_model_hid_as_analyze_does():
    from mockview.speech.live import LiveSettings, LiveTranscriber
    from mockview.speech.transcription import Piece, TranscriptionSettings

    uh = at_level(vowel(0.4), LEVEL_DB - 10)
    audio, words, at_s = between_words(uh)
    # no piece is cut while recording; the model's reading at the stop is the words above
    never = LiveSettings(min_piece_s=1e6, max_piece_s=2e6, guess_after_s=1e6)
    with LiveTranscriber(model_loader=lambda: None, live=never,
                         settings=TranscriptionSettings(fillers_from_audio=True)) as live:
        live._transcribe = lambda rest: Piece(words=tuple(words), dropped=(),
                                              regions=((0.0, rest.size / RATE),))
        live.feed(audio.astype(np.float32))
        transcript = live.finish()
    found = [w for w in transcript.words if w.source == "audio"]
    assert [(w.text, round(w.start_s, 1)) for w in found] == [("uh", round(at_s, 1))]


def test_fillers_from_the_audio_are_looked_for_only_when_asked(monkeypatch):
    # off by default: on the dev answers it found no filler the model had not written,
    # and it accused one silence before a sentence (README)
    from mockview.speech import transcription
    from mockview.speech.transcription import Piece, TranscriptionSettings

    uh = at_level(vowel(0.4), LEVEL_DB - 10)
    audio, words, _ = between_words(uh)
    piece = Piece(words=tuple(words), dropped=(), regions=((0.0, audio.size / RATE),))
    monkeypatch.setattr(transcription, "transcribe_piece", lambda *a, **k: piece)
    plain = transcription.transcribe_audio(audio.astype(np.float32), model_loader=object)
    asked = transcription.transcribe_audio(
        audio.astype(np.float32), model_loader=object,
        settings=TranscriptionSettings(fillers_from_audio=True))
    assert [w.source for w in plain.words] == ["model"] * 3
    assert [w.text for w in asked.words if w.source == "audio"] == ["uh"]


@pytest.mark.parametrize("given,asked", [([], False), (["--fillers-from-audio"], True)])
def test_analyze_asks_for_fillers_from_the_audio_with_its_option(monkeypatch, given, asked):
    from click.testing import CliRunner

    from mockview.cli import cli

    seen = []

    def analyze_recording(path, **options):
        seen.append(options["fillers_from_audio"])
        return build_report(Transcript(words=(Word("Hi.", 0.1, 0.4),), duration_s=1.0))

    monkeypatch.setattr("mockview.report.analyze_recording", analyze_recording)
    sample = Path(__file__).parents[1] / "samples" / "short_strength.flac"
    result = CliRunner().invoke(cli, ["analyze", str(sample), "--json", *given])
    assert result.exit_code == 0, result.output
    assert seen == [asked]
