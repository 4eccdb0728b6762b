"""Bad input, made on purpose: broken recordings, question banks and session stores.

Every maker writes into a folder it is given (a test's ``tmp_path``) and returns what it
made, so nothing broken is committed and every test starts from fresh files. The
catalogues (``BROKEN_AUDIO``, ``BROKEN_BANKS``, ``BROKEN_STORES``) name each case, so the
tests can run every entry point over all of them. Recordings are quiet noise unless they
need speech: noise decodes like any recording but holds no voice, so analysing it never
loads the speech model.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from .audio_helpers import DATA, write_audio

FORMATS = ("wav", "flac", "mp3", "m4a", "ogg")
RATE = 16000


# --- recordings ------------------------------------------------------------------------------


def quiet_noise(seconds: float = 2.0) -> np.ndarray:
    """Room hiss, the same every run: audio with no voice in it."""
    return np.random.default_rng(7).normal(0, 0.01, int(seconds * RATE)).astype(np.float32)


def good_recording(folder: Path, fmt: str, *, name: str = "good") -> Path:
    """Two seconds of quiet noise in format ``fmt``, written as any encoder would."""
    return write_audio(folder / f"{name}.{fmt}", quiet_noise(), RATE)


def zero_bytes(folder: Path, fmt: str) -> Path:
    path = folder / f"zero-bytes.{fmt}"
    path.write_bytes(b"")
    return path


def cut_to_header(folder: Path, fmt: str) -> Path:
    """The first 100 bytes: the container's header and hardly a sample."""
    whole = good_recording(folder, fmt).read_bytes()
    path = folder / f"header-only.{fmt}"
    path.write_bytes(whole[:100])
    return path


def cut_in_half(folder: Path, fmt: str) -> Path:
    """A recording that stops halfway: a copy interrupted, a disk that filled up."""
    whole = good_recording(folder, fmt).read_bytes()
    path = folder / f"cut-in-half.{fmt}"
    path.write_bytes(whole[: len(whole) // 2])
    return path


def corrupted_header(folder: Path, fmt: str) -> Path:
    """The first 64 bytes overwritten with random ones; the audio after them intact."""
    whole = good_recording(folder, fmt).read_bytes()
    noise = np.random.default_rng(11).integers(0, 256, 64, dtype=np.uint8).tobytes()
    path = folder / f"corrupted-header.{fmt}"
    path.write_bytes(noise + whole[64:])
    return path


BROKEN_AUDIO: dict[str, Callable[[Path, str], Path]] = {
    "zero bytes": zero_bytes,
    "header only": cut_to_header,
    "cut in half": cut_in_half,
    "corrupted header": corrupted_header,
}


def speech(folder: Path, *, rate: int = RATE, channels: int = 1, name: str = "speech",
           poison: bool = False) -> Path:
    """Real speech (JFK, 11 s) as a float WAV at ``rate`` with ``channels`` channels.

    With ``poison`` some samples are NaN or infinite, as a buggy recorder or editor writes.
    """
    import librosa
    import soundfile as sf

    audio, _ = librosa.load(DATA / "jfk.flac", sr=rate, mono=True)
    if poison:
        audio = audio.copy()
        audio[rate : rate + 50] = np.nan
        audio[2 * rate : 2 * rate + 50] = np.inf
        audio[3 * rate : 3 * rate + 50] = -np.inf
    frames = np.repeat(audio[:, None], channels, axis=1) if channels > 1 else audio
    path = folder / f"{name}.wav"
    sf.write(path, frames, rate, subtype="FLOAT")
    return path


def directory(folder: Path, name: str = "answer.wav") -> Path:
    path = folder / name
    path.mkdir()
    return path


def fifo(folder: Path, name: str = "answer.wav") -> Path:
    """A named pipe: opening it for reading waits forever for a writer."""
    path = folder / name
    os.mkfifo(path)
    return path


#: file names a shell or a decoder may take for something else
ODD_NAMES = ("with spaces.wav", "ünï cödé 日本語.wav", "-x.wav")
#: names FFmpeg would read as a protocol ("pipe:" reads a file descriptor, "http:" the net)
PROTOCOL_NAMES = ("pipe:0.wav", "http:example.wav")


# --- question banks --------------------------------------------------------------------------


def question(**fields: str | None) -> str:
    """One ``[[questions]]`` table; a field given as None is left out, others replace the
    default's TOML value."""
    values = {"id": '"q-one"', "text": '"Why this role?"', "category": '"motivation"',
              "kind": '"motivation"', **fields}
    lines = [f"{key} = {value}" for key, value in values.items() if value is not None]
    return "[[questions]]\n" + "\n".join(lines) + "\n"


def nested(depth: int, open_: str, close: str, inner: str = "") -> str:
    """``x = [[[...]]]``: a value nested ``depth`` levels deep."""
    return "x = " + open_ * depth + inner + close * depth + "\n"


#: name: (file content, what the one-line message must say)
BROKEN_BANKS: dict[str, tuple[str | bytes, str]] = {
    "empty file": ("", "no questions"),
    "missing id": (question(id=None), "missing 'id'"),
    "missing text": (question(text=None), "missing 'text'"),
    "missing category": (question(category=None), "missing 'category'"),
    "missing kind": (question(kind=None), "missing 'kind'"),
    "id a number": (question(id="7"), "'id' must be a string (got integer 7)"),
    "text an array": (question(text='["Why?"]'), "'text' must be a string (got array"),
    "category a table": (question(category="{ a = 1 }"), "'category' must be a string"),
    "kind a boolean": (question(kind="true"), "'kind' must be a string (got boolean true)"),
    "target a string": (question(target_s='"90"'), "'target_s' must be [min, max]"),
    "target infinite": (question(target_s="[nan, inf]"), "'target_s' must have 0 < min"),
    "tips a string": (question(tips='"Be brief."'), "'tips' must be an array of strings"),
    "tip a number": (question(tips="[1]"), "'tips' item #1 must be a non-empty string"),
    "keywords a date": (question(keywords="1979-05-27"), "'keywords' must be an array"),
    "bank a string": ('bank = "mine"\n' + question(), "'bank' must be a table"),
    "questions a number": ("questions = 5\n", "'questions' must be an array of tables"),
    "duplicate ids": (question() + question(text='"Why us?"'), "'q-one' appears twice"),
    "an id of a bundled bank": (question(id='"beh-disagree"'), "id already used in"),
    "huge text": (question(text='"' + "x" * 5000 + '"'), "'text' is 5000 characters long"),
    "huge tip": (question(tips='["' + "t" * 5000 + '"]'), "'tips' item #1 is 5000 characters"),
    "a thousand tips": (question(tips="[" + ", ".join(['"Tip."'] * 1000) + "]"),
                        "'tips' has 1000 items; the limit is 50"),
    "escape sequence in text": (question(text='"Why \\u001b[2J this role?"'),
                                "'text' holds the control character U+001B"),
    "NUL in a tip": (question(tips='["Be \\u0000 brief."]'),
                     "'tips' item #1 holds the control character U+0000"),
    "invalid UTF-8": (question(text='"caf\xe9"').encode("latin-1"), "not valid UTF-8"),
    "deeply nested arrays": (nested(100_000, "[", "]"), "nested too deeply"),
    "deeply nested inline tables": (nested(5_000, "{a=", "}", inner="1"), "nested too deeply"),
    "deeply nested table headers": ("[" + ".".join(["a"] * 5_000) + "]\n",
                                    "unknown top-level key 'a'"),
    "huge array": ("x = [" + ", ".join(["1"] * 500_000) + "]\n", "the file is over 1 MB"),
    "long string": ('x = "' + "a" * 2_000_000 + '"\n', "the file is over 1 MB"),
    "ten thousand questions": ("".join(question(id=f'"q-{n}"', text='"' + "w" * 100 + '"')
                                       for n in range(10_000)), "the file is over 1 MB"),
}


def bank_file(folder: Path, content: str | bytes, name: str = "bank.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# --- the session store -----------------------------------------------------------------------


def saved_store(home: Path) -> Path:
    """A sound store with one saved session (no audio), as ``mockview analyze --save`` leaves."""
    from mockview.report import build_report
    from mockview.store import Store
    from mockview.words import Transcript, Word

    words = tuple(Word(w, n * 0.4, n * 0.4 + 0.3)
                  for n, w in enumerate("I like building tools for teams.".split()))
    with Store.open(home / "mockview.db") as store:
        store.save_analysis(None, build_report(Transcript(words, duration_s=3.0)))
    return home / "mockview.db"


def text_for_a_database(home: Path) -> Path:
    path = home / "mockview.db"
    path.write_text("notes I keep: not a database\n" * 20)
    return path


def wrecked_pages(home: Path) -> Path:
    """A store whose header is fine but whose pages after the third are garbage."""
    path = saved_store(home)
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    data[page_size * 2 :] = b"\x5a" * (len(data) - page_size * 2)
    path.write_bytes(bytes(data))
    return path


def another_programs_database(home: Path) -> Path:
    path = home / "mockview.db"
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE notes (text)")
        db.commit()
    return path


def from_a_newer_mockview(home: Path) -> Path:
    path = saved_store(home)
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("INSERT INTO _migrations VALUES ('m999_from_the_future', "
                   "'2030-01-01T00:00:00Z')")
        db.commit()
    return path


def directory_for_a_database(home: Path) -> Path:
    path = home / "mockview.db"
    path.mkdir()
    return path


#: name: (maker, what the one-line message must say)
BROKEN_STORES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "text file": (text_for_a_database, "is not a mockview database or is damaged"),
    "wrecked pages": (wrecked_pages, "is not a mockview database or is damaged"),
    "another program's": (another_programs_database, "holds tables mockview did not make"),
    "newer mockview": (from_a_newer_mockview, "was written by a newer mockview"),
    "a directory": (directory_for_a_database, "it is a directory"),
}


@contextlib.contextmanager
def exclusive_lock(path: Path) -> Iterator[subprocess.Popen]:
    """Another process holding ``BEGIN EXCLUSIVE`` on the database until the block ends."""
    code = ("import sqlite3, sys\n"
            "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "db.execute('BEGIN EXCLUSIVE')\n"
            "print('locked', flush=True)\n"
            "sys.stdin.read()\n")
    holder = subprocess.Popen([sys.executable, "-c", code, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "locked\n"
        yield holder
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)


def can_mount_read_only() -> bool:
    """Whether this process may make private read-only mounts (root with unshare)."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "true"],
                           capture_output=True)
    return probe.returncode == 0


def read_only(command: list[str], paths: list[Path]) -> list[str]:
    """``command`` run with ``paths`` read-only.

    Root ignores file modes, so as root the paths are bind-mounted read-only in a mount
    namespace of the command's own (nothing outside it sees the mounts, and they end with
    it); otherwise the paths lose their write bits, and the caller restores them.
    """
    if os.geteuid() != 0:
        for path in paths:
            path.chmod(path.stat().st_mode & ~0o222)
        return command
    mounts = " && ".join(f'mount --bind "{p}" "{p}" && mount -o remount,bind,ro "{p}" "{p}"'
                         for p in paths)
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c",
            f'{mounts} && exec "$@"', "read-only", *command]
