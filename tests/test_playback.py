"""Playback: moments from a report, play() against a fake sounddevice, and real speech
played through the virtual microphone's speaker and recorded back."""

import threading

import numpy as np
import pytest

from mockview.errors import AudioError, DeviceError
from mockview.playback import Moment, moments, play, play_moment
from mockview.speech.audio import SAMPLE_RATE

from .audio_helpers import assert_played, record_while

BLOCK = 800  # 50 ms at 16 kHz


def _report(fillers=(), pauses=()):
    return {"metrics": {"fillers": {"items": list(fillers)}, "pauses": {"items": list(pauses)}}}


def _filler(text, start_s, end_s):
    return {"text": text, "kind": "filled_pause", "start_s": start_s, "end_s": end_s,
            "sentence_start": False}


def _pause(start_s, end_s, long):
    return {"start_s": start_s, "end_s": end_s, "duration_s": round(end_s - start_s, 3),
            "long": long, "very_long": False, "position": "mid_clause"}


# --- moments ------------------------------------------------------------------------------


def test_moments_are_fillers_and_long_pauses_in_time_order():
    report = _report(
        fillers=[_filler("um", 4.0, 4.3), _filler("you know", 0.5, 0.9)],
        pauses=[_pause(2.0, 3.9, True), _pause(5.0, 5.4, False), _pause(6.0, 7.2, True)],
    )
    assert moments(report) == [
        Moment("filler", "you know", 0.5, 0.9),
        Moment("pause", "1.9 s pause", 2.0, 3.9),
        Moment("filler", "um", 4.0, 4.3),
        Moment("pause", "1.2 s pause", 6.0, 7.2),
    ]


def test_moments_of_one_kind():
    report = _report(fillers=[_filler("uh", 3.0, 3.2)], pauses=[_pause(1.0, 2.5, True)])
    assert moments(report, kind="filler") == [Moment("filler", "uh", 3.0, 3.2)]
    assert moments(report, kind="pause") == [Moment("pause", "1.5 s pause", 1.0, 2.5)]
    with pytest.raises(ValueError, match=r"kind must be 'filler', 'pause' or None, not 'word'"):
        moments(report, kind="word")


@pytest.mark.parametrize("report", [
    {},
    {"metrics": {}},
    {"metrics": None},
    {"metrics": {"fillers": {}, "pauses": {"count": 0}}},
    {"metrics": {"fillers": {"items": None}, "pauses": {"items": []}}},
    {"metrics": {"fillers": {"items": [{"text": "um"}]}, "pauses": {"items": [{"long": True}]}}},
])
def test_moments_of_a_report_without_them(report):
    assert moments(report) == []


# --- play() against a fake sounddevice ----------------------------------------------------


def _ramp(seconds):
    """Audio whose every sample is different, so the samples sent show where they came from."""
    return (np.arange(int(seconds * SAMPLE_RATE)) / (seconds * SAMPLE_RATE)).astype(np.float32)


def test_play_sends_exactly_the_samples_of_the_range_in_50_ms_blocks(fake_sd):
    audio = _ramp(3.0)
    positions = []
    reached = play(audio, start_s=0.5, end_s=1.23, on_position=positions.append)
    assert reached == 1.23
    assert np.array_equal(np.concatenate(fake_sd.written), audio[8000:19680])
    assert [block.size for block in fake_sd.written] == [BLOCK] * 14 + [480]
    assert positions[0] == pytest.approx(0.55) and positions[-1] == pytest.approx(1.23)
    assert positions == sorted(positions)
    [stream] = fake_sd.streams
    assert stream.settings == {"device": 2, "samplerate": SAMPLE_RATE, "channels": 1,
                               "dtype": "float32", "blocksize": BLOCK}
    assert stream.calls == ["start", "stop", "abort", "close"]


def test_play_a_file_to_its_end_on_a_device_by_name(fake_sd, tmp_path):
    import soundfile

    audio = _ramp(0.5) - 0.5
    soundfile.write(tmp_path / "take.wav", audio, SAMPLE_RATE, subtype="FLOAT")
    assert play(tmp_path / "take.wav", device="pulse") == 0.5
    assert np.allclose(np.concatenate(fake_sd.written), audio, atol=1e-4)  # via 16 bits
    assert fake_sd.streams[0].settings["device"] == 1


def test_stop_event_ends_playback_and_returns_the_position(fake_sd):
    stop = threading.Event()

    def on_position(position_s):
        if len(fake_sd.written) == 3:
            stop.set()

    reached = play(_ramp(3.0), start_s=1.0, stop=stop, on_position=on_position)
    assert reached == pytest.approx(1.15)
    assert len(fake_sd.written) == 3
    assert fake_sd.streams[0].calls == ["start", "abort", "close"]  # nothing left to drain


def test_ctrl_c_ends_playback_quietly_and_returns_the_position(fake_sd):
    fake_sd.interrupt_at = 4
    reached = play(_ramp(3.0), start_s=0.25)
    assert reached == pytest.approx(0.25 + 4 * 0.05)
    assert fake_sd.streams[0].calls == ["start", "abort", "close"]


def test_play_moment_adds_context_clipped_to_the_audio(fake_sd):
    audio = _ramp(3.0)
    assert play_moment(audio, Moment("filler", "um", 0.5, 0.7)) == pytest.approx(2.2)
    assert np.array_equal(np.concatenate(fake_sd.written), audio[: int(2.2 * SAMPLE_RATE)])
    fake_sd.written.clear()
    assert play_moment(audio, Moment("pause", "1.0 s pause", 1.9, 2.9), context_s=0.5) == 3.0
    assert np.array_equal(np.concatenate(fake_sd.written), audio[int(1.4 * SAMPLE_RATE):])


def test_no_output_device_is_a_clear_error(fake_sd):
    fake_sd.devices = fake_sd.devices[:1]
    with pytest.raises(DeviceError) as raised:
        play(_ramp(1.0))
    assert str(raised.value) == (
        "No output device found. Connect speakers or headphones and unmute them in the "
        "system's sound settings; mockview devices should then list them.")


def test_no_default_output_device_is_a_clear_error(fake_sd):
    fake_sd.default.device = [0, -1]
    with pytest.raises(DeviceError, match=r"^No default output device\. Set one in your "):
        play(_ramp(1.0))


def test_unknown_output_device_names_the_output_devices(fake_sd):
    with pytest.raises(DeviceError) as raised:
        play(_ramp(1.0), device="USB")
    assert str(raised.value) == ("No output device 'USB'. Output devices: 1: pulse, "
                                 "2: default (see: mockview devices).")


def test_an_output_device_that_cannot_open_is_a_clear_error(fake_sd):
    fake_sd.open_error = "Device unavailable [PaErrorCode -9985]"
    with pytest.raises(DeviceError) as raised:
        play(_ramp(1.0))
    assert str(raised.value) == (
        "Cannot open output device 2: default (Device unavailable [PaErrorCode -9985]). It "
        "may be busy in another program: close that program, or pick another with "
        "--output-device (see: mockview devices).")


@pytest.mark.parametrize("start_s", [3.0, 7.5, -0.5])
def test_a_start_outside_the_audio_is_a_clear_error(fake_sd, start_s):
    with pytest.raises(AudioError) as raised:
        play(_ramp(3.0), start_s=start_s)
    assert str(raised.value) == (f"Cannot play from {start_s:.2f} s: the audio is 3.00 s "
                                 "long. Start between 0 and 3.00 s.")
    assert fake_sd.streams == []


def test_an_end_before_the_start_is_a_clear_error(fake_sd):
    with pytest.raises(AudioError, match=r"^Nothing to play from 2\.00 s to 1\.00 s\. "):
        play(_ramp(3.0), start_s=2.0, end_s=1.0)


def test_stereo_arrays_are_refused(fake_sd):
    with pytest.raises(AudioError, match=r"got an array of shape \(16000, 2\)"):
        play(np.zeros((16000, 2), dtype=np.float32))


# --- through the virtual microphone -------------------------------------------------------


@pytest.mark.mic
def test_played_speech_reaches_the_virtual_microphone(virtual_mic, tmp_path):
    """PortAudio's default output is the null sink whose monitor is the virtual mic."""
    from mockview.recording import level_dbfs
    from mockview.speech.audio import load_audio

    start_s, end_s = 1.0, 4.0  # speech, a pause, speech
    clip = load_audio(virtual_mic)[int(start_s * SAMPLE_RATE):int(end_s * SAMPLE_RATE)]
    reached, heard = record_while(lambda: play(virtual_mic, start_s=start_s, end_s=end_s),
                                  tmp_path / "heard.wav", seconds=5.0)
    assert reached == end_s
    played = assert_played(heard, clip)
    assert level_dbfs(played)[0] == pytest.approx(level_dbfs(clip)[0], abs=3)
