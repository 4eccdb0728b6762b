"""Writing test audio in every supported format, from arrays or real clips."""

from __future__ import annotations

from pathlib import Path

import numpy as np

DATA = Path(__file__).parent / "data"


def write_audio(path: Path, audio: np.ndarray, sample_rate: int) -> Path:
    """Write float audio (samples,) or (samples, channels) in the format of path's suffix."""
    suffix = path.suffix.lower()
    if suffix in (".wav", ".flac", ".ogg"):
        import soundfile as sf

        sf.write(path, audio, sample_rate)
        return path
    import av

    codec, container = {".mp3": ("libmp3lame", "mp3"), ".m4a": ("aac", "mp4")}[suffix]
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
