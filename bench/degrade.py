"""Recording conditions for the robustness benchmark: noise, babble, a room, a telephone line,
a lossy codec, a quiet microphone, applied to 16 kHz mono float arrays.

Pure numpy/scipy functions with the randomness passed in (``rng``), so a condition is the same
on every run. Levels are in dB re full scale: ``10 * log10(mean(x ** 2))``, so a full-scale
square wave is 0 dBFS and a full-scale sine -3 dBFS.

Speech activity (for SNR and speech level) is decided on the clean recording alone, by energy:
20 ms frames count as speech when they are within ``range_db`` (30 dB) of the loud end of the
recording (its 95th-percentile frame) and at least ``floor_margin_db`` (6 dB) above its own
noise floor (its 10th-percentile frame). The first rule keeps the silences of a clean studio
clip out; the second keeps the room tone of a recording made in a noisy room out. Neither the
reference transcripts nor mockview's voice detector are used, so the SNR does not depend on
the system under test.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

SAMPLE_RATE = 16000
#: a 60 dB amplitude decay is a factor of 1000: exp(-ln(1000) * t / rt60)
_LN_1000 = float(np.log(1000.0))


def frame_powers(audio: np.ndarray, *, frame_s: float = 0.02) -> np.ndarray:
    """Mean square of each whole ``frame_s`` frame (a trailing part frame is left out)."""
    size = int(frame_s * SAMPLE_RATE)
    count = max(1, audio.size // size)
    frames = np.resize(audio.astype(np.float64), count * size).reshape(count, size)
    return (frames ** 2).mean(axis=1)


def speech_frames(audio: np.ndarray, *, range_db: float = 30.0,
                  floor_margin_db: float = 6.0) -> np.ndarray:
    """Boolean mask of the 20 ms frames that hold speech (see the module docstring)."""
    levels = 10 * np.log10(frame_powers(audio) + 1e-12)
    loud, floor = np.percentile(levels, [95, 10])
    return (levels >= loud - range_db) & (levels >= floor + floor_margin_db)


def speech_power(audio: np.ndarray) -> float:
    """Mean square of the speech frames: the "S" of the SNR."""
    return _power_over(audio, speech_frames(audio))


def _power_over(audio: np.ndarray, frames: np.ndarray) -> float:
    """Mean square of ``audio`` over the 20 ms ``frames`` marked true; over all of it when
    none is (pure silence or steady noise has no speech frames)."""
    powers = frame_powers(audio)[: frames.size]
    chosen = powers[frames[: powers.size]]
    return float(chosen.mean() if chosen.size else powers.mean())


def level_db(power: float) -> float:
    return float(10 * np.log10(max(power, 1e-20)))


def add_noise(speech: np.ndarray, noise: np.ndarray, *, snr_db: float) -> np.ndarray:
    """``speech`` plus ``noise`` scaled so that speech power / noise power = ``snr_db``:
    speech power over the speech frames of the clean signal, noise power over the whole
    noise signal (it runs through the pauses too)."""
    noise_power = float(np.mean(noise.astype(np.float64) ** 2))
    gain = np.sqrt(speech_power(speech) / (noise_power * 10 ** (snr_db / 10)))
    return speech + gain * noise


def pink_noise(size: int, *, rng: np.random.Generator) -> np.ndarray:
    """Noise with power falling 3 dB per octave (1/f), at unit power: white noise shaped in
    the frequency domain, the nearest thing to fan, air-conditioning and street noise."""
    spectrum = np.fft.rfft(rng.standard_normal(size))
    freqs = np.fft.rfftfreq(size)
    shape = np.zeros_like(freqs)
    shape[1:] = 1 / np.sqrt(freqs[1:])  # amplitude ~ f^-1/2 is power ~ 1/f; no DC
    noise = np.fft.irfft(spectrum * shape, size)
    return noise / np.sqrt(np.mean(noise ** 2))


def mains_hum(size: int, *, fundamental_hz: float = 100.0) -> np.ndarray:
    """Hum at unit power: a fundamental and its 2nd and 3rd harmonics at half and a quarter of
    its amplitude, as a poorly grounded microphone or a transformer picks it up. 100 Hz is the
    rectified hum of 50 Hz mains."""
    t = np.arange(size) / SAMPLE_RATE
    hum = sum(amplitude * np.sin(2 * np.pi * fundamental_hz * harmonic * t)
              for harmonic, amplitude in ((1, 1.0), (2, 0.5), (3, 0.25)))
    return hum / np.sqrt(np.mean(hum ** 2))


def steady_noise(size: int, *, rng: np.random.Generator, hum_db: float = -6.0) -> np.ndarray:
    """Pink noise with mains hum ``hum_db`` below it: the steady background of a home office."""
    return pink_noise(size, rng=rng) + 10 ** (hum_db / 20) * mains_hum(size)


def babble(talkers: list[np.ndarray], size: int, *, rng: np.random.Generator) -> np.ndarray:
    """Other people talking: each talker's speech (silence trimmed from both ends), looped
    from a random point to ``size`` samples, brought to the same speech level, and summed."""
    mix = np.zeros(size)
    for talker in talkers:
        mask = np.repeat(speech_frames(talker), int(0.02 * SAMPLE_RATE))
        voiced = np.flatnonzero(mask)
        speech = talker[voiced[0] : voiced[-1] + 1] if voiced.size else talker
        looped = np.resize(np.roll(speech, -int(rng.integers(speech.size))), size)
        mix += looped / np.sqrt(speech_power(speech))
    return mix


def room_impulse_response(*, rt60_s: float, rng: np.random.Generator,
                          direct_to_reverb_db: float = 0.0) -> np.ndarray:
    """A synthetic room: the direct sound, then a tail of Gaussian noise whose amplitude falls
    60 dB in ``rt60_s``, with the tail's energy ``direct_to_reverb_db`` below the direct
    sound's (0 dB: a laptop microphone an arm's length away in a furnished room)."""
    size = int(rt60_s * SAMPLE_RATE)
    t = np.arange(1, size) / SAMPLE_RATE
    tail = rng.standard_normal(size - 1) * np.exp(-_LN_1000 * t / rt60_s)
    tail *= np.sqrt(10 ** (-direct_to_reverb_db / 10) / np.sum(tail ** 2))
    return np.concatenate([[1.0], tail])


def reverberate(audio: np.ndarray, *, rt60_s: float, rng: np.random.Generator) -> np.ndarray:
    """``audio`` played in a room (see ``room_impulse_response``), same length and speech
    level. The direct sound is at sample 0, so word times do not move."""
    from scipy.signal import fftconvolve

    wet = fftconvolve(audio, room_impulse_response(rt60_s=rt60_s, rng=rng))[: audio.size]
    return match_level(wet, audio)


def telephone(audio: np.ndarray, *, low_hz: float = 300.0, high_hz: float = 3400.0
              ) -> np.ndarray:
    """``audio`` through a narrow-band telephone line: down to 8 kHz, band-passed to
    ``low_hz``-``high_hz``, back up to 16 kHz. The band-pass runs forwards and backwards
    (no phase delay) so word times do not move; the speech level is kept."""
    from scipy.signal import butter, resample_poly, sosfiltfilt

    narrow = resample_poly(audio, 1, 2)
    band = butter(4, [low_hz, high_hz], btype="bandpass", fs=SAMPLE_RATE // 2, output="sos")
    wide = resample_poly(sosfiltfilt(band, narrow), 2, 1)[: audio.size]
    return match_level(wide, audio)


def set_speech_level(audio: np.ndarray, *, level_dbfs: float) -> np.ndarray:
    """``audio`` scaled so that its speech frames are at ``level_dbfs``."""
    return audio * 10 ** ((level_dbfs - level_db(speech_power(audio))) / 20)


def match_level(audio: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """``audio`` (a processed ``reference``, same length) scaled so that its level over the
    speech frames of ``reference`` is the speech level of ``reference``: a condition changes
    the sound, not the loudness."""
    power = _power_over(audio, speech_frames(reference))
    return audio * np.sqrt(speech_power(reference) / max(power, 1e-20))


def overdriven(audio: np.ndarray, *, over_db: float) -> np.ndarray:
    """``audio`` through an input gain set ``over_db`` higher than its loudest peak allows,
    everything past full scale cut flat: a laptop microphone with the speaker close to it."""
    top = float(np.max(np.abs(audio))) if audio.size else 0.0
    if top == 0.0:
        return audio
    return np.clip(audio * (10 ** (over_db / 20) / top), -1.0, 1.0)


def without_clipping(audio: np.ndarray, *, peak: float = 0.99) -> np.ndarray:
    """``audio`` scaled down as a whole when a peak would clip, as a recorder's gain would be
    set; the SNR is unchanged."""
    top = float(np.max(np.abs(audio))) if audio.size else 0.0
    return audio * (peak / top) if top > peak else audio


#: PyAV encoder, container and file suffix of each lossy codec
CODECS = {"mp3": ("libmp3lame", "mp3", ".mp3"), "opus": ("libopus", "ogg", ".opus")}


def write_recording(path: Path, audio: np.ndarray, *, codec: str | None = None,
                    bit_rate: int = 32000) -> Path:
    """Write ``audio`` as a user's recorder would: 16-bit WAV, or through ``codec`` ("mp3",
    "opus") at ``bit_rate`` bits per second. Returns the path written (its suffix set)."""
    audio = without_clipping(np.asarray(audio, dtype=np.float64)).astype(np.float32)
    if codec is None:
        import soundfile

        path = path.with_suffix(".wav")
        soundfile.write(path, audio, SAMPLE_RATE, subtype="PCM_16")
        return path
    import av

    encoder, container, suffix = CODECS[codec]
    path = path.with_suffix(suffix)
    with av.open(str(path), "w", format=container) as output:
        stream = output.add_stream(encoder, rate=SAMPLE_RATE)
        stream.bit_rate = bit_rate
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(audio[np.newaxis, :], format="fltp", layout="mono")
        frame.sample_rate = SAMPLE_RATE
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            output.mux(packet)
    return path
