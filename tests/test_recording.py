"""Recording: pure signal helpers, and real takes through a virtual microphone.

The ``mic`` tests start a PulseAudio daemon with scripts/virtual-mic.sh (the ``virtual_mic``
fixture in conftest.py), play real speech into its null sink with paplay and record it
from the default input, as a user would.
"""

import json
import os
import subprocess
import threading
import time

import numpy as np
import pytest
from click.testing import CliRunner

from mockview.recording import (
    SAMPLE_RATE,
    StreamResampler,
    downmix,
    level_dbfs,
)

JFK_S = 11.0
PHRASE_S = 3.0


# --- pure logic -------------------------------------------------------------------------


def test_downmix_keeps_mono_and_averages_channels():
    mono = np.array([0.1, -0.2], dtype=np.float32)
    assert downmix(mono) is mono or np.array_equal(downmix(mono), mono)
    assert np.array_equal(downmix(mono[:, None]), mono)
    stereo = np.array([[0.2, 0.4], [-1.0, 1.0]], dtype=np.float32)
    assert np.allclose(downmix(stereo), [0.3, 0.0])
    assert downmix(stereo).dtype == np.float32


def test_level_of_a_full_scale_sine_and_silence():
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    rms_dbfs, peak_dbfs = level_dbfs(np.sin(2 * np.pi * 440 * t))
    assert rms_dbfs == pytest.approx(-3.01, abs=0.01)
    assert peak_dbfs == pytest.approx(0.0, abs=0.01)
    assert level_dbfs(0.1 * np.ones(100)) == pytest.approx((-20.0, -20.0))
    assert level_dbfs(np.zeros(100)) == (float("-inf"), float("-inf"))
    assert level_dbfs(np.zeros(0)) == (float("-inf"), float("-inf"))


def test_stream_resampler_in_blocks_keeps_length_and_pitch():
    rate = 48000
    t = np.arange(rate * 2) / rate
    tone = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    resampler = StreamResampler(rate)
    pieces = [resampler.process(tone[i:i + 2400]) for i in range(0, tone.size, 2400)]
    out = np.concatenate([*pieces, resampler.finish()])
    assert out.size == pytest.approx(2 * SAMPLE_RATE, abs=2)
    spectrum = np.abs(np.fft.rfft(out[2000:18000]))
    peak_hz = np.argmax(spectrum) * SAMPLE_RATE / 16000
    assert peak_hz == pytest.approx(440, abs=2)
    assert level_dbfs(out[2000:-2000])[0] == pytest.approx(-9.03, abs=0.1)


def test_stream_resampler_passes_16k_through():
    block = np.ones(10, dtype=np.float32)
    resampler = StreamResampler(SAMPLE_RATE)
    assert resampler.process(block) is block
    assert resampler.finish().size == 0


def test_missing_portaudio_names_the_package(monkeypatch):
    import builtins

    from mockview import recording
    from mockview.errors import DeviceError

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(DeviceError) as raised:
        recording.list_input_devices()
    assert str(raised.value) == (
        "PortAudio is not installed. On Debian/Ubuntu: sudo apt-get install libportaudio2")


def test_no_input_device_is_a_clear_error(monkeypatch):
    from mockview import recording, soundsystem
    from mockview.errors import DeviceError

    monkeypatch.setattr(recording, "list_input_devices", lambda: [])
    monkeypatch.setattr(soundsystem, "sound_server", lambda: None)  # a server that is fine
    with pytest.raises(DeviceError, match=r"^No input device found\. Connect a microphone"):
        recording.resolve_device(None)
    monkeypatch.setattr(soundsystem, "sound_server", lambda: ("not running", "/run/pulse"))
    with pytest.raises(DeviceError, match=r"^No input device found\. Start the sound server"):
        recording.resolve_device(None)


def test_device_by_index_or_name(monkeypatch):
    from mockview import recording
    from mockview.errors import DeviceError

    found = [recording.InputDevice(0, "USB Mic", 1, 48000.0, False),
             recording.InputDevice(3, "default", 32, 44100.0, True)]
    monkeypatch.setattr(recording, "list_input_devices", lambda: found)
    assert recording.resolve_device(None).index == 3
    assert recording.resolve_device("3").name == "default"
    assert recording.resolve_device("usb").index == 0
    with pytest.raises(DeviceError, match=r"No input device 7\. Input devices: 0: USB Mic, "
                                          r"3: default \(see: mockview devices\)\."):
        recording.resolve_device(7)


# --- the virtual microphone ---------------------------------------------------------------


@pytest.fixture(scope="module")
def phrase(virtual_mic):
    """"And so, my fellow Americans": a short phrase for the silence stop."""
    import soundfile

    audio, rate = soundfile.read(virtual_mic, dtype="float32")
    path = virtual_mic.with_name("phrase.wav")
    soundfile.write(path, audio[: int(PHRASE_S * rate)], rate, subtype="PCM_16")
    return path


def _record_in_thread(path, **options):
    from mockview.recording import record

    outcome = {}

    def run():
        try:
            outcome["result"] = record(path, **options)
        except BaseException as error:  # surfaced in the test thread
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _finish(thread, outcome, timeout_s=30):
    thread.join(timeout_s)
    assert not thread.is_alive(), "record() did not return"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def _play(path):
    return subprocess.Popen(["paplay", str(path)])


@pytest.mark.smoke
@pytest.mark.mic
@pytest.mark.model
@pytest.mark.slow
def test_recording_played_speech_writes_as_it_goes_and_transcribes(virtual_mic, tmp_path):
    from mockview.speech.transcription import transcribe_file

    out = tmp_path / "take.wav"
    levels = []
    thread, outcome = _record_in_thread(out, max_duration_s=JFK_S + 1.5, on_level=levels.append)
    time.sleep(0.5)
    player = _play(virtual_mic)
    sizes = []
    while thread.is_alive() and len(sizes) < 40:
        time.sleep(0.25)
        sizes.append(out.stat().st_size if out.exists() else 0)
    player.wait(timeout=20)
    result = _finish(thread, outcome)
    growing = [s for s in sizes if s > 0]
    assert len(set(growing)) >= 5, f"the file did not grow while recording: {sizes}"
    assert result.stopped_by == "time_limit"
    assert result.duration_s == pytest.approx(JFK_S + 1.5, abs=0.01)
    import soundfile

    info = soundfile.info(out)
    assert (info.samplerate, info.channels, info.subtype) == (SAMPLE_RATE, 1, "PCM_16")
    assert info.duration == pytest.approx(JFK_S + 1.5, abs=0.01)
    assert result.overflow_count == 0
    assert -20 < result.peak_dbfs <= 0
    assert max(reading.rms_dbfs for reading in levels) > -30
    text = " ".join(w.text for w in transcribe_file(out).words).lower()
    assert "your country" in text, text


@pytest.mark.mic
def test_time_limit_stops(virtual_mic, tmp_path):
    from mockview.recording import record

    started = time.monotonic()
    result = record(tmp_path / "short.wav", max_duration_s=1.0)
    assert result.stopped_by == "time_limit"
    assert result.duration_s == pytest.approx(1.0, abs=0.01)
    assert time.monotonic() - started < 4


@pytest.mark.mic
def test_stop_event_stops_and_keeps_the_take(virtual_mic, tmp_path):
    stop = threading.Event()
    thread, outcome = _record_in_thread(tmp_path / "stopped.wav", max_duration_s=30, stop=stop)
    time.sleep(1.5)
    stop.set()
    result = _finish(thread, outcome, timeout_s=5)
    assert result.stopped_by == "stop"
    assert 1.0 < result.duration_s < 2.5
    import soundfile

    assert soundfile.info(result.path).duration == pytest.approx(result.duration_s, abs=0.01)


@pytest.mark.mic
@pytest.mark.slow
def test_silence_stop_after_speech(phrase, tmp_path):
    thread, outcome = _record_in_thread(tmp_path / "silence.wav", max_duration_s=30,
                                        silence_stop_s=1.5)
    time.sleep(1.0)  # silence before speech must not stop the take
    assert thread.is_alive()
    player = _play(phrase)
    result = _finish(thread, outcome, timeout_s=30)
    player.wait(timeout=20)
    assert result.stopped_by == "silence"
    # 1 s of waiting + the phrase + 1.5 s of silence, give or take its own pauses
    assert 1.0 + PHRASE_S < result.duration_s < 1.0 + PHRASE_S + 3


@pytest.mark.mic
def test_unknown_device_names_the_devices(virtual_mic, tmp_path):
    from mockview.errors import DeviceError
    from mockview.recording import record

    with pytest.raises(DeviceError, match=r"No input device 'nope'\. Input devices: .*default"
                                          r".*\(see: mockview devices\)\."):
        record(tmp_path / "x.wav", device="nope", max_duration_s=1)


@pytest.mark.mic
def test_devices_lists_the_virtual_mic_as_default(virtual_mic):
    from mockview.cli import cli

    result = CliRunner().invoke(cli, ["devices"])
    assert result.exit_code == 0, result.output
    marked = [line for line in result.output.splitlines() if line.startswith("*")]
    assert len(marked) == 2 and all("default" in line for line in marked), result.output
    listed = json.loads(CliRunner().invoke(cli, ["devices", "--json"]).output)
    assert [d["name"] for d in listed["inputs"] if d["is_default"]] == ["default"]
    assert [d["name"] for d in listed["outputs"] if d["is_default"]] == ["default"]


@pytest.mark.mic
@pytest.mark.model
def test_doctor_passes(virtual_mic):
    from mockview.cli import cli

    result = CliRunner().invoke(cli, ["doctor"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "✓ PortAudio", "✓ input device", "✓ output device", "✓ speech model",
        "✓ data directory"]


@pytest.mark.mic
def test_doctor_reports_an_unwritable_data_directory(virtual_mic, monkeypatch, tmp_path):
    from mockview.cli import cli

    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    monkeypatch.setenv("MOCKVIEW_HOME", str(locked / "home"))
    if os.access(locked, os.W_OK):  # root ignores permissions: use a path under a file
        (tmp_path / "file").write_text("")
        monkeypatch.setenv("MOCKVIEW_HOME", str(tmp_path / "file" / "home"))
    result = CliRunner().invoke(cli, ["doctor"])
    assert result.exit_code == 1
    assert "✗ data directory" in result.output
    assert "set MOCKVIEW_HOME to a writable directory" in result.output


@pytest.mark.mic
def test_record_command(virtual_mic, tmp_path):
    from mockview.cli import cli

    out = tmp_path / "cli.wav"
    result = CliRunner().invoke(cli, ["record", str(out), "--seconds", "0.5"])
    assert result.exit_code == 0, result.output
    assert "Recorded 0.5 s" in result.output
    assert out.stat().st_size > 0
