"""Choosing devices and hearing what is wrong with them: ``devices``, ``--output-device``,
``doctor``'s next steps, and practice checking the microphone before the first question.

A fake sounddevice (tests/fake_sounddevice.py: an input-only "USB Mic", and "pulse" and
"default" with inputs and outputs) stands in for PortAudio where the logic is the point;
the store and the CLI are real.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from rich.console import Console

from mockview import soundsystem
from mockview.cli import cli
from mockview.store import Store
from mockview.ui import TerminalUI

from .analysis_helpers import transcript

SERVER_DOWN = ("Start the sound server: systemctl --user start pipewire pipewire-pulse "
               "(PipeWire) or pulseaudio --start (PulseAudio), or log in to a desktop "
               "session; then try again.")


def run(*args):
    return CliRunner().invoke(cli, [str(arg) for arg in args])


@pytest.fixture
def stored_take(mockview_home):
    """One stored take with a second of audio."""
    import soundfile

    from mockview.report import build_report

    audio = mockview_home / "answer.wav"
    soundfile.write(audio, np.full(16000, 0.1, np.float32), 16000)
    report = build_report(transcript("I led the migration.", duration_s=1.0))
    with Store.open() as store:
        session = store.start_session()
        answer = store.add_answer(session, None)
        store.add_take(answer, audio, report)
        return store.take(session, 1)


@pytest.fixture
def machine(monkeypatch):
    """Set what soundsystem finds: the server's state and the unusable device files."""

    def set_up(server=None, unusable=()):
        monkeypatch.setattr(soundsystem, "sound_server", lambda: server)
        monkeypatch.setattr(soundsystem, "_unusable_sound_devices", lambda: list(unusable))

    set_up()
    return set_up


def test_devices_lists_inputs_and_outputs_with_their_defaults(fake_sd, machine):
    result = run("devices")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Input devices (* the default; pick another with --device INDEX or NAME):",
        "    0  USB Mic  (1 channels, 48000 Hz)",
        "    1  pulse  (32 channels, 44100 Hz)",
        "*   2  default  (32 channels, 44100 Hz)",
        "Output devices (* the default; pick another with --output-device INDEX or NAME):",
        "    1  pulse  (32 channels, 44100 Hz)",
        "*   2  default  (32 channels, 44100 Hz)",
    ]
    listed = json.loads(run("devices", "--json").output)
    assert [d["name"] for d in listed["inputs"]] == ["USB Mic", "pulse", "default"]
    assert [(d["name"], d["is_default"]) for d in listed["outputs"]] == [
        ("pulse", False), ("default", True)]


def test_devices_without_any_says_what_to_do_not_to_ask_doctor(fake_sd, machine):
    fake_sd.devices = []
    machine(server=("not running", "/run/user/1000/pulse/native"))
    result = CliRunner().invoke(cli, ["devices"])
    assert result.exit_code == 0
    assert result.stdout == "Input devices: none.\nOutput devices: none.\n"
    assert result.stderr == (f"No input device found. {SERVER_DOWN}\n"
                             f"No output device found. {SERVER_DOWN}\n")
    assert "doctor" not in result.stderr


@pytest.mark.parametrize("choice", ["pulse", "1"])
def test_play_on_a_chosen_output_device(fake_sd, stored_take, choice):
    result = run("play", "--output-device", choice)
    assert result.exit_code == 0, result.output
    [stream] = fake_sd.streams
    assert stream.settings["device"] == 1


def test_play_on_an_unknown_output_device_names_those_there_are(fake_sd, stored_take):
    result = CliRunner().invoke(cli, ["play", "--output-device", "USB"])
    assert result.exit_code == 1
    assert result.stderr == ("Error: No output device 'USB'. Output devices: 1: pulse, "
                             "2: default (see: mockview devices).\n")


def test_practice_listens_back_on_the_chosen_output_device(fake_sd, stored_take):
    ui = TerminalUI(Console(width=100, record=True), interactive=False, output_device="pulse")
    ui.play(stored_take, moments=False)
    [stream] = fake_sd.streams
    assert stream.settings["device"] == 1


def test_practice_refuses_an_unknown_output_device_before_the_first_question(fake_sd):
    fake_sd.InputStream = lambda **settings: _Opened()
    fake_sd.check_input_settings = lambda **settings: None
    result = CliRunner().invoke(cli, ["practice", "--no-input", "--output-device", "nope"])
    assert result.exit_code == 1
    assert result.stderr == ("Error: No output device 'nope'. Output devices: 1: pulse, "
                             "2: default (see: mockview devices).\n")
    assert "Question" not in result.output


class _Opened:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


# --- doctor's next steps -------------------------------------------------------------------


@pytest.fixture(autouse=True)
def no_model_loading(monkeypatch):
    """doctor's model check is not what these tests are about: skip the loading."""
    from mockview.speech import transcription

    monkeypatch.setattr(transcription, "load_model", lambda *args, **kwargs: None)


def doctor_lines(name: str) -> list[str]:
    result = run("doctor")
    lines = result.output.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(f"✗ {name}:"))
    return lines[at:at + 2]


@pytest.mark.parametrize("server, unusable, devices, step", [
    (("not running", "/run/user/1000/pulse/native"), (), [], SERVER_DOWN),
    (("refused", "/run/user/1000/pulse/native"), (), [],
     "The sound server at /run/user/1000/pulse/native refuses this user: run mockview as "
     "the user logged in to the desktop (not with sudo)."),
    (None, ("/dev/snd/pcmC0D0c",), [],
     "You may not open the sound devices (/dev/snd/pcmC0D0c): add yourself to the audio "
     "group (sudo usermod -aG audio $USER), then log out and in again."),
    (None, (), [],
     "Connect a microphone and unmute it in the system's sound settings; mockview devices "
     "should then list it."),
])
def test_doctor_gives_the_next_step_for_what_it_found(fake_sd, machine, server, unusable,
                                                      devices, step):
    fake_sd.devices = devices
    machine(server=server, unusable=unusable)
    assert doctor_lines("input device") == ["✗ input device: No input device found.",
                                            f"    next: {step}"]


def test_doctor_on_a_busy_microphone_says_to_close_what_uses_it(fake_sd, machine):
    def busy(**settings):
        raise fake_sd.PortAudioError("Device unavailable [PaErrorCode -9985]")

    fake_sd.check_input_settings = lambda **settings: None
    fake_sd.InputStream = busy
    finding, step = doctor_lines("input device")
    assert finding.startswith("✗ input device: Cannot open input device 2: default "
                              "(Device unavailable [PaErrorCode -9985]).")
    assert step == ("    next: Close the program using the microphone (a call or a "
                    "recorder), or pick another with --device (see: mockview devices).")


def test_doctor_without_speakers_says_to_connect_them(fake_sd, machine):
    fake_sd.devices = fake_sd.devices[:1]
    assert doctor_lines("output device") == [
        "✗ output device: No output device found.",
        "    next: Connect speakers or headphones and unmute them in the system's sound "
        "settings; mockview devices should then list them."]


def test_a_stopped_server_is_found_by_its_socket(tmp_path, monkeypatch):
    monkeypatch.setattr(soundsystem.sys, "platform", "linux")
    monkeypatch.delenv("PULSE_SERVER", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    monkeypatch.setattr(soundsystem, "_server_installed", lambda: True)
    assert soundsystem.sound_server() == ("not running", tmp_path / "pulse" / "native")
    monkeypatch.setattr(soundsystem, "_server_installed", lambda: False)
    assert soundsystem.sound_server() is None  # plain ALSA: no server to start
