"""Audio for the review page: a stored recording re-encoded small enough to embed.

The store keeps 16 kHz FLAC (about 1 MB a minute); a page with five two-minute answers
would then weigh over 13 MB once base64-encoded. MP3 at a speech bitrate is a sixth of
that, sounds clear for a voice, and is the one compressed format every current browser
plays, Safari included. PyAV (installed with faster-whisper) brings the LAME encoder.
"""

from __future__ import annotations

import base64
import io
import os

from mockview.speech.audio import SAMPLE_RATE, load_audio

#: Enough for clear speech at 16 kHz mono; about 240 KB a minute.
MP3_BITRATE_KBPS = 32


def mp3_data_uri(path: str | os.PathLike) -> str:
    """The recording at ``path`` as a ``data:audio/mpeg`` URI for an ``<audio>`` element.

    Raises AudioError (from ``load_audio``) when the file cannot be read.
    """
    encoded = base64.b64encode(encode_mp3(load_audio(path))).decode("ascii")
    return f"data:audio/mpeg;base64,{encoded}"


def encode_mp3(audio, *, bitrate_kbps: int = MP3_BITRATE_KBPS) -> bytes:
    """16 kHz mono float audio as MP3 bytes (constant bitrate, mono)."""
    import av
    import numpy as np

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp3") as output:
        stream = output.add_stream("libmp3lame", rate=SAMPLE_RATE)
        stream.layout = "mono"
        stream.bit_rate = bitrate_kbps * 1000
        planar = np.ascontiguousarray(audio, dtype=np.float32)[np.newaxis, :]
        frame = av.AudioFrame.from_ndarray(planar, format="fltp", layout="mono")
        frame.sample_rate = SAMPLE_RATE
        for packet in (*stream.encode(frame), *stream.encode(None)):
            output.mux(packet)
    return buffer.getvalue()
