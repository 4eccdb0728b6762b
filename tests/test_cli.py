"""The command line: start-up cost, help everywhere, and one clear line for every bad input."""

import json
import re
import subprocess
import sys
import wave

import numpy as np
import pytest
from click.testing import CliRunner

from mockview.cli import cli

from .audio_helpers import DATA, write_audio

HEAVY = ("faster_whisper", "librosa", "sounddevice", "numpy", "ctranslate2", "av")


def run(*args):
    return CliRunner().invoke(cli, list(args))


def run_process(*args):
    """``mockview ARGS`` as its own process: what a user sees on stdout and stderr, warnings
    included (under pytest the logging plugin would take them)."""
    return subprocess.run([sys.executable, "-m", "mockview", *args], capture_output=True,
                          text=True, timeout=300, stdin=subprocess.DEVNULL)


@pytest.mark.smoke
def test_help_does_not_import_heavy_modules():
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from mockview.cli import cli\n"
        "result = CliRunner().invoke(cli, ['--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout
    assert output.strip() == "[]"


@pytest.mark.smoke
def test_every_command_has_help_with_an_example():
    for name, command in cli.commands.items():
        result = run(name, "--help")
        assert result.exit_code == 0, name
        assert "mockview " + name in (command.help or ""), f"{name} help has no example"


@pytest.mark.parametrize("make,message", [
    (lambda p: None, "Error: No such file: {path}. Check the path and try again.\n"),
    (lambda p: p.mkdir(), "Error: {path} is a directory, not an audio file. "
                          "Give the path of a recording.\n"),
    (lambda p: p.write_bytes(b""), "Error: {path} is empty (0 bytes). Record the answer again.\n"),
])
def test_bad_files_give_one_clear_line(tmp_path, make, message):
    path = tmp_path / "answer.wav"
    make(path)
    result = run("analyze", str(path))
    assert result.exit_code == 1
    assert result.output == message.format(path=path)


def test_text_file_named_wav(tmp_path):
    path = tmp_path / "answer.wav"
    path.write_text("not audio at all\n" * 50)
    result = run("analyze", str(path))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {path} cannot be read: it is damaged, cut short or"
                                    " not really WAV (FFmpeg: invalid data found")
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_truncated_file_is_refused_or_read_in_part(tmp_path):
    whole = (DATA / "jfk.flac").read_bytes()
    path = tmp_path / "cut.flac"
    path.write_bytes(whole[:200])  # the header and nothing else
    result = run("analyze", str(path))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.startswith("Error: ")
    assert str(path) in result.output


def test_wav_header_claiming_more_data_than_there_is(tmp_path):
    path = tmp_path / "cut.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(np.zeros(16000, dtype=np.int16).tobytes())
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # header says 1 s, half is there
    result = run_process("analyze", str(path), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["transcript"]["words"] == []
    assert result.stderr == (f"{path} ends at 0.5 s of the 1.0 s its header promises: the rest"
                             " is missing, so only what is there was analysed.\n")


@pytest.mark.model
def test_a_recording_cut_short_is_analysed_for_what_it_holds_with_one_warning(tmp_path):
    whole = DATA / "jfk.flac"  # 11 s
    cut = tmp_path / "cut.flac"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])

    result = run_process("analyze", str(cut), "--json")
    complete = run_process("analyze", str(whole), "--json")

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert 4.0 < report["audio"]["duration_s"] < 7.0
    text = " ".join(word["text"] for word in report["transcript"]["words"])
    assert "fellow Americans" in text, text  # "And so, my fellow Americans, ask not..."
    assert re.fullmatch(rf"{re.escape(str(cut))} ends at 0:0[4-7] of the 0:11 its header "
                        r"promises: the rest is missing, so only what is there was analysed\.\n",
                        result.stderr), result.stderr
    assert complete.returncode == 0 and "header promises" not in complete.stderr


@pytest.mark.parametrize("signal", ["silence", "noise"])
def test_silence_and_noise_report_no_speech(tmp_path, signal):
    rng = np.random.default_rng(1)
    audio = np.zeros(16000 * 4) if signal == "silence" else rng.normal(0, 0.1, 16000 * 4)
    path = write_audio(tmp_path / f"{signal}.wav", audio.astype(np.float32), 16000)
    result = run("analyze", str(path))
    assert result.exit_code == 0, result.output
    assert "No speech was found" in result.output
    report = json.loads(run("analyze", str(path), "--json").output)
    assert report["transcript"]["words"] == []
    assert report["metrics"]["fillers"]["count"] == 0


def test_question_and_question_text_together_is_a_usage_error():
    result = run("analyze", str(DATA / "jfk.flac"), "--question", "x", "--question-text", "y")
    assert result.exit_code == 2
    assert "Give either --question or --question-text, not both." in result.output


@pytest.mark.smoke
@pytest.mark.model
def test_analyze_json_has_the_documented_shape():
    result = run("analyze", str(DATA / "acoustic_corpus.wav"), "--json",
                 "--question-text", "Tell me about a recent project.")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["schema_version"] == 4
    assert set(report) >= {"analysis_version", "audio", "question", "job", "transcript",
                           "metrics", "feedback", "strengths"}
    assert all(set(s) == {"id", "label", "evidence"} for s in report["strengths"])
    assert report["job"] is None
    assert report["question"]["text"] == "Tell me about a recent project."
    assert report["audio"]["duration_s"] == pytest.approx(26.72, abs=0.01)
    word = report["transcript"]["words"][0]
    assert set(word) == {"text", "start_s", "end_s", "probability", "source"}
    assert {w["source"] for w in report["transcript"]["words"]} <= {"model", "audio"}
    metrics = report["metrics"]
    assert set(metrics["fillers"]) >= {"count", "per_minute", "per_100_words", "items"}
    assert {i["kind"] for i in metrics["fillers"]["items"]} <= {"filled_pause",
                                                                  "discourse_marker"}
    assert set(metrics["pace"]) >= {"words_per_minute", "articulation_wpm", "windows"}
    assert set(metrics["pauses"]) >= {"items", "long_count", "longest_s", "first_word_s",
                                      "pause_ratio"}
    assert set(metrics["length"]) >= {"duration_s", "speaking_s", "word_count", "target_s",
                                      "verdict"}
    assert set(metrics["rambling"]) >= {"flagged", "signals"}
    assert set(metrics["content"]) >= {"judged", "structure", "results", "ownership",
                                       "hedges", "keywords", "job", "opening", "ending"}
    delivery = metrics["delivery"]
    assert delivery["judged"] is True and delivery["pitch"]["method"] == "yin"
    assert set(delivery) >= {"note", "speech_s", "pitch", "uptalk", "volume"}
    assert isinstance(report["feedback"], list) and report["feedback"]


@pytest.mark.model
def test_analyze_terminal_report_marks_fillers_and_pauses():
    result = run("analyze", str(DATA / "acoustic_corpus.wav"), "--details")
    assert result.exit_code == 0, result.output
    assert "Transcript" in result.output
    assert "[1.1 s]" in result.output  # the monologue's one long pause, marked in place
    assert "Metrics" in result.output
    assert "What to work on" in result.output


def test_unknown_model_is_one_clear_line():
    result = run("analyze", str(DATA / "jfk.flac"), "--model", "tiny-typo")
    assert result.exit_code == 1
    assert result.output.startswith("Error: Unknown model 'tiny-typo': not a directory")
    assert len(result.output.strip().splitlines()) == 1


def test_unknown_question_id_suggests_the_closest():
    result = run("analyze", str(DATA / "jfk.flac"), "--question", "intro-yourself")
    assert result.exit_code == 1
    assert result.output == ("Error: No question with id 'intro-yourself'. Did you mean "
                             "intro-about-yourself? List the ids with: mockview questions\n")
