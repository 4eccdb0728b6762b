"""Writing test audio in every supported format, from arrays or real clips."""

from __future__ import annotations

from pathlib import Path

import numpy as np

DATA = Path(__file__).parent / "data"


#: PyAV's encoder and container for each compressed format the tests write.
_ENCODERS = {
    ".mp3": ("libmp3lame", "mp3"),
    ".m4a": ("aac", "mp4"),
    ".aac": ("aac", "adts"),
    ".opus": ("libopus", "ogg"),
    ".webm": ("libopus", "webm"),
}


def write_audio(path: Path, audio: np.ndarray, sample_rate: int) -> Path:
    """Write float audio (samples,) or (samples, channels) in the format of path's suffix.

    Opus takes 8, 12, 16, 24 or 48 kHz only.
    """
    suffix = path.suffix.lower()
    if suffix in (".wav", ".flac", ".ogg"):
        import soundfile as sf

        sf.write(path, audio, sample_rate)
        return path
    import av

    codec, container = _ENCODERS[suffix]
    channels = 1 if audio.ndim == 1 else audio.shape[1]
    planar = np.ascontiguousarray(np.atleast_2d(audio.T if audio.ndim == 2 else audio))
    with av.open(str(path), "w", format=container) as output:
        stream = output.add_stream(codec, rate=sample_rate)
        stream.layout = "mono" if channels == 1 else "stereo"
        frame = av.AudioFrame.from_ndarray(planar.astype(np.float32), format="fltp",
                                           layout=stream.layout.name)
        frame.sample_rate = sample_rate
        for packet in stream.encode(frame):
            output.mux(packet)
        for packet in stream.encode(None):
            output.mux(packet)
    return path


def read_clip(name: str, sample_rate: int = 16000) -> np.ndarray:
    """A real test clip as float mono at ``sample_rate``."""
    import librosa

    audio, _ = librosa.load(DATA / name, sr=sample_rate, mono=True)
    return audio


def record_while(action, path: Path, *, seconds: float):
    """Record the default input (the virtual microphone) to ``path`` while ``action()`` runs.

    Recording starts first, with half a second of silence before ``action``. Returns what
    ``action`` returned and the recorded samples.
    """
    import threading
    import time

    import soundfile

    from mockview.recording import record

    listening = threading.Event()
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = record(path, max_duration_s=seconds,
                                       on_level=lambda reading: listening.set())
        except BaseException as error:  # surfaced in the test thread
            outcome["error"] = error

    recorder = threading.Thread(target=run)
    recorder.start()
    assert listening.wait(5), "the virtual microphone sent no audio"
    time.sleep(0.5)
    returned = action()
    recorder.join(15)
    assert not recorder.is_alive(), "record() did not return"
    if "error" in outcome:
        raise outcome["error"]
    heard, _ = soundfile.read(outcome["result"].path, dtype="float32")
    return returned, heard


def assert_played(heard: np.ndarray, clip: np.ndarray) -> np.ndarray:
    """Check that ``clip`` arrived whole in ``heard`` after a silence; return that stretch."""
    from mockview.recording import level_dbfs

    # Where the clip landed in the recording: the peak of their cross-correlation.
    size = heard.size + clip.size
    correlation = np.fft.irfft(np.fft.rfft(heard, size) * np.conj(np.fft.rfft(clip, size)), size)
    lag = int(np.argmax(correlation[: heard.size - clip.size + 1]))
    assert 0.3 < lag / 16000 < 2.0, lag / 16000
    played = heard[lag:lag + clip.size]
    assert level_dbfs(heard[: lag - 1600])[0] < -60  # silence before it was played
    assert level_dbfs(played)[0] > -30  # well above silence while it played
    assert np.corrcoef(played, clip)[0, 1] > 0.9
    return played
