"""The quality bars of the analysis on real speech, checked against human references."""

import pytest

from mockview.report import build_report
from mockview.speech.transcription import transcribe_file

from .audio_helpers import DATA

pytestmark = pytest.mark.model


def textgrid_intervals(path):
    """(start_s, end_s, text) of the words tier of a Praat TextGrid (long text format)."""
    lines = [line.strip() for line in path.read_text().splitlines()]
    tier = lines.index('"words"')
    count = int(lines[tier + 3])
    rows = lines[tier + 4 : tier + 4 + 3 * count]
    return [(float(rows[i]), float(rows[i + 1]), rows[i + 2].strip('"'))
            for i in range(0, len(rows), 3)]


@pytest.fixture(scope="module")
def monologue():
    transcript = transcribe_file(DATA / "acoustic_corpus.wav")
    return build_report(transcript, audio_path=DATA / "acoustic_corpus.wav")


@pytest.fixture(scope="module")
def reference():
    intervals = textgrid_intervals(DATA / "acoustic_corpus.TextGrid")
    words = [i for i in intervals if i[2]]
    gaps = [(s, e) for s, e, text in intervals
            if not text and words[0][0] <= s and e <= words[-1][1]]
    return words, gaps


def test_words_per_minute_within_ten_percent_of_the_reference(monologue, reference):
    words, _ = reference
    expected = len(words) / (words[-1][1] - words[0][0]) * 60
    measured = monologue["metrics"]["pace"]["words_per_minute"]
    assert abs(measured - expected) / expected <= 0.10, (measured, expected)


def test_long_pauses_match_the_reference_gaps_within_150_ms(monologue, reference):
    _, gaps = reference
    long_gaps = [g for g in gaps if g[1] - g[0] >= 1.0]
    found = [p for p in monologue["metrics"]["pauses"]["items"] if p["duration_s"] >= 1.0]
    assert len(found) == len(long_gaps) >= 1
    for (start, end), pause in zip(long_gaps, found, strict=True):
        assert abs(pause["start_s"] - start) <= 0.15
        assert abs(pause["end_s"] - end) <= 0.15


def telephone_band(audio):
    """``audio`` (16 kHz) as a narrow-band telephone line carries it: 8 kHz, 300-3400 Hz
    (filtered forwards and backwards, so no word moves in time), back to 16 kHz."""
    from scipy.signal import butter, resample_poly, sosfiltfilt

    band = butter(4, [300, 3400], btype="bandpass", fs=8000, output="sos")
    return resample_poly(sosfiltfilt(band, resample_poly(audio, 1, 2)), 2, 1)[: audio.size]


def test_the_long_pause_is_found_through_a_telephone_band(reference):
    # the speech detector hears little of band-limited speech: the words it misses, and
    # the sound around them, must still bound the pause
    from mockview.analysis import analyze_answer
    from mockview.speech.transcription import transcribe_audio

    from .audio_helpers import read_clip

    _, gaps = reference
    (start, end), = [g for g in gaps if g[1] - g[0] >= 1.0]
    phone = telephone_band(read_clip("acoustic_corpus.wav")).astype("float32")

    pauses = analyze_answer(transcribe_audio(phone)).pauses.items

    assert [(p.start_s, p.end_s) for p in pauses
            if p.long and abs(p.start_s - start) <= 0.15 and abs(p.end_s - end) <= 0.15]


def test_spoken_fillers_are_found(monologue):
    # verbatim reference: "... um ... uh ... um ..." and one "yknow"
    filled = [i["text"].lower().strip(",.") for i in monologue["metrics"]["fillers"]["items"]
              if i["kind"] == "filled_pause"]
    assert filled == ["um", "uh", "um"]


@pytest.mark.parametrize("name", ["jfk.flac", "61-70968-0000.flac"])
def test_no_fillers_on_fluent_read_speech(name):
    report = build_report(transcribe_file(DATA / name))
    assert report["metrics"]["fillers"]["items"] == []


def test_like_as_content_is_not_a_filler():
    # "m f a is like putty": a comparison, not a filler
    report = build_report(transcribe_file(DATA / "mfa_putty.flac"))
    assert [i for i in report["metrics"]["fillers"]["items"] if "like" in i["text"].lower()] == []


def test_every_um_is_timed_on_its_voice(monologue, reference):
    # the model stamps the first "um" with no length at the start of the next word; moved
    # onto its own voice it lies inside the aligner's "um", as the second one does
    words, _ = reference
    spoken = [(start, end) for start, end, text in words if text == "um"]
    found = [(i["start_s"], i["end_s"]) for i in monologue["metrics"]["fillers"]["items"]
             if i["text"].lower().startswith("um")]
    assert len(found) == len(spoken) == 2
    for (start, end), (found_start, found_end) in zip(spoken, found, strict=True):
        assert found_end - found_start >= 0.1
        assert start - 0.15 <= found_start and found_end <= end + 0.15, (found, spoken)
