"""What the user sees when real audio devices fail: one line of ours, none of PortAudio's.

PortAudio and ALSA print their own diagnostics straight to file descriptor 2 ("Expression
'AlsaOpen(...)' failed in 'src/hostapi/alsa/pa_linux_alsa.c'"). Each test starts a sound
server of its own (scripts/virtual-mic.sh in a private folder, so the shared virtual
microphone of the other tests is not touched), lets mockview find its devices, stops the
server, and checks what reached the real stderr of a mockview process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from mockview.chatter import captured

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "virtual-mic.sh"
LIBRARY_CHATTER = ("Expression '", "pa_linux_alsa.c", "ALSA lib")


@pytest.fixture
def own_server(tmp_path):
    """A sound server of this test's own: the environment to reach it, and how to stop it."""
    daemon_env = {**os.environ, "VMIC_DIR": str(tmp_path / "vmic")}
    started = subprocess.run(["bash", str(SCRIPT), "start"], capture_output=True, text=True,
                             env=daemon_env)
    if started.returncode != 0:
        pytest.fail(f"The sound server did not start:\n{started.stderr}")
    env = dict(daemon_env)
    for line in started.stdout.splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        env[name] = value.strip('"')
    yield env
    subprocess.run(["bash", str(SCRIPT), "stop"], check=False, env=daemon_env)


def run_python(code: str, env: dict) -> subprocess.CompletedProcess:
    """``code`` in a fresh Python with mockview, as its own process (its own fd 2)."""
    prelude = textwrap.dedent(f"""
        import subprocess, sys
        from mockview.errors import DeviceError
        SCRIPT = {str(SCRIPT)!r}

        def stop_server():
            subprocess.run(["bash", SCRIPT, "stop"], check=True)
    """)
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=120)


def assert_no_chatter(stderr: str) -> None:
    assert not any(marker in stderr for marker in LIBRARY_CHATTER), stderr


@pytest.mark.mic
@pytest.mark.parametrize("opening", [
    "from mockview.playback import play; import numpy; play(numpy.zeros(16000, 'float32'))",
    "from mockview.recording import record; record('/dev/null', max_duration_s=1)",
    "from mockview.recording import check_input_device; check_input_device()",
])
def test_a_device_on_a_stopped_server_is_one_line_of_ours(own_server, opening):
    done = run_python(f"""
        from mockview.recording import list_input_devices
        list_input_devices()  # PortAudio lists the devices while the server runs
        stop_server()
        try:
            {opening}
        except DeviceError as error:
            print(error)
    """, own_server)
    assert_no_chatter(done.stderr)
    assert done.stderr == ""
    [message] = done.stdout.splitlines()
    assert message.endswith(": the sound server is not running (PulseAudio: Unable to connect: "
                            "Connection refused). Start the sound server: systemctl --user "
                            "start pipewire pipewire-pulse (PipeWire) or pulseaudio --start "
                            "(PulseAudio), or log in to a desktop session; then try again."), \
        message


@pytest.mark.mic
def test_a_server_stopped_while_recording_ends_the_take_quietly(own_server, tmp_path):
    wav = tmp_path / "lost.wav"
    done = run_python(f"""
        import threading, time
        from mockview.recording import record

        def stop_later():
            time.sleep(1.0)
            stop_server()

        threading.Thread(target=stop_later).start()
        result = record({str(wav)!r}, max_duration_s=10)
        print(result.stopped_by, round(result.duration_s, 1))
    """, own_server)
    assert_no_chatter(done.stderr)
    assert done.stderr == ""
    stopped_by, duration_s = done.stdout.split()
    assert stopped_by == "device_lost" and 0.5 <= float(duration_s) <= 3.0
    assert wav.stat().st_size > 44


def test_python_messages_still_reach_the_terminal_while_c_output_is_held():
    done = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import os, sys
        from mockview.chatter import captured

        with captured() as chatter:  # os.write: to fd 2 directly, as the C libraries do
            os.write(2, b"ALSA lib pulse.c:242:(pulse_connect) PulseAudio: gone\\n")
            os.write(2, b"Expression 'x' failed in 'src/hostapi/alsa/pa_linux_alsa.c'\\n")
            print("the meter", file=sys.stderr)
            os.write(2, b"something else\\n")
        print(chatter.reason())
    """)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout == "PulseAudio: gone\n"
    assert done.stderr == "the meter\nsomething else\n"


def test_a_capture_without_a_real_fd_2_still_works():
    with captured() as chatter:
        pass
    assert chatter.lines() == [] and chatter.reason() is None


# --- practice -----------------------------------------------------------------------------


def practice(*args: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "mockview", "practice", "--no-input", "--json", *args],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def test_practice_without_a_sound_server_stops_before_the_first_question(tmp_path):
    """No microphone to be had: said at once, with the step to take, and no empty session."""
    env = {**os.environ, "XDG_RUNTIME_DIR": str(tmp_path),
           "PULSE_SERVER": f"unix:{tmp_path / 'pulse' / 'native'}"}
    process = practice("--question", "beh-disagree", "--prep", "0", env=env)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 1
    assert err == ("Error: No input device found. Start the sound server: systemctl --user "
                   "start pipewire pipewire-pulse (PipeWire) or pulseaudio --start "
                   "(PulseAudio), or log in to a desktop session; then try again.\n")
    assert out == ""
    history = subprocess.run([sys.executable, "-m", "mockview", "history", "--json"], cwd=ROOT,
                             capture_output=True, text=True, env=env, check=True)
    assert json.loads(history.stdout) == []


@pytest.mark.mic
@pytest.mark.model
@pytest.mark.slow
def test_a_microphone_lost_mid_answer_is_told_once_and_the_next_question_records(
        own_server, mockview_home, tmp_path):
    import soundfile

    from mockview.speech.audio import SAMPLE_RATE, load_audio

    speech = tmp_path / "jfk16.wav"
    soundfile.write(speech, load_audio(ROOT / "tests" / "data" / "jfk.flac"), SAMPLE_RATE,
                    subtype="PCM_16")
    process = practice("--question", "beh-disagree", "--question", "intro-three-words",
                       "--prep", "3", "--time-limit", "4", env=own_server)
    unsaved = mockview_home / "recordings" / "unsaved"
    deadline = time.monotonic() + 60
    while not (unsaved.is_dir() and any(unsaved.glob("*.wav"))):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "practice never started recording"
        time.sleep(0.05)
    player = subprocess.Popen(["paplay", str(speech)], env=own_server)
    time.sleep(2.5)
    stop = subprocess.run(["bash", str(SCRIPT), "stop"], env=own_server)
    assert stop.returncode == 0
    player.wait(timeout=10)
    restart = subprocess.run(["bash", str(SCRIPT), "start"], env=own_server,
                             capture_output=True, text=True)
    assert restart.returncode == 0, restart.stderr
    out, err = process.communicate(timeout=180)

    assert process.returncode == 0, err
    assert_no_chatter(err)
    assert err.count("stopped sending audio") == 1, err
    assert "Check that it is connected: the next take tries it again." in err
    first, second = json.loads(out)["takes"]
    assert first["stopped_by"] == "device_lost" and 1.0 <= first["duration_s"] <= 4.0
    assert Path(first["audio_path"]).is_file()
    assert first["report"]["transcript"]["text"].strip()  # what was heard is analysed
    assert second["answer_no"] == 2 and second["stopped_by"] == "time_limit"


@pytest.mark.mic
@pytest.mark.model
@pytest.mark.slow
def test_in_a_terminal_listening_back_with_the_server_gone_is_told_and_the_session_goes_on(
        own_server):
    import io

    import pexpect

    seen = io.StringIO()
    child = pexpect.spawn(sys.executable, ["-m", "mockview", "practice", "--question",
                                           "intro-three-words", "--prep", "0",
                                           "--time-limit", "2"],
                          cwd=ROOT, env=own_server, encoding="utf-8", timeout=120,
                          dimensions=(50, 120))
    child.logfile_read = seen
    child.expect_exact("[q] quit")  # the take is recorded and its feedback shown
    subprocess.run(["bash", str(SCRIPT), "stop"], env=own_server, check=True)
    child.send("p")
    child.expect_exact("[q] quit")  # asked again: the session goes on
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()

    shown = seen.getvalue()
    assert child.exitstatus == 0, shown
    assert_no_chatter(shown)
    assert shown.count("Cannot open output device") == 1, shown
    assert "the sound server is not running" in shown and "The session goes on" in shown
