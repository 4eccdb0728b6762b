"""Recordings in progress, each with a locked note, so one whose process died is found.

A take is recorded straight to disk, ``recordings/unsaved/<id>.wav``. Before its first
sample a sidecar ``<id>.json`` beside it says what it is: the session, answer and question
it answers and when it started (``mockview practice``), or the file being written
(``mockview record``). The recording process holds an exclusive ``flock`` on the sidecar
until the take is saved. The kernel drops the lock when the process ends, however it ends
(SIGKILL, a crash, a power cut), so a sidecar that can be locked belongs to a recording
whose process is gone, and a live recording in another mockview process (two may run at
once) is never taken for a dead one.

``flock`` rather than ``lockf``: POSIX record locks belong to the process, so the store
looking from inside the recording process would get the lock and take its own live
recording for a dead one; ``flock`` locks belong to the open file and conflict there too.
The sidecar is written under a hidden temporary name, locked, then renamed into place, so
no reader ever sees it unlocked while its recording lives.

A WAV whose writer was killed has a stale header: libsndfile writes the sizes only when it
closes the file (its flush does not touch them), so the header of a killed take says the
audio is empty and most players show nothing. ``repair_wav`` sets the sizes from the bytes
on disk; nothing written before the kill is lost.

This module only handles files; ``store.py`` lists and saves unfinished takes, and
``recovery.py`` analyses them.
"""

from __future__ import annotations

import contextlib
import json
import os
import struct
import uuid
from dataclasses import dataclass
from pathlib import Path

from mockview.errors import MockviewError, StoreError
from mockview.files import FILE_MODE, create_private, fsync_dir

SIDECAR_FORMAT = 1
#: What a RIFF/WAVE file starts with, and the size of a chunk header (id + size).
_RIFF, _WAVE = b"RIFF", b"WAVE"
_CHUNK_HEADER = 8


class WavError(MockviewError):
    """A file that is not a WAV this module can repair."""


@dataclass(frozen=True)
class Unfinished:
    """What a sidecar says about one recording; ``problem`` is set when it cannot be read."""

    id: str
    sidecar: Path
    audio_path: Path
    source: str = "practice"  # "practice": a take of a session; "record": mockview record
    started_at_utc: str | None = None
    session: dict | None = None  # {id, started_at_utc, source}
    answer: dict | None = None  # {id, answer_no, question: the snapshot stored on the answer}
    question: dict | None = None  # the QuestionInfo the take answers, for its analysis
    problem: str | None = None

    @property
    def owns_audio(self) -> bool:
        """True when the audio is mockview's own (``unsaved/``), not a file the user named."""
        return self.source == "practice"


class Claim:
    """An unfinished recording whose sidecar this process has locked.

    ``start`` returns one for a recording about to be made and ``claim`` one for a dead
    recording being recovered. ``finish()`` when the take is saved (or was empty) removes
    its files; ``release()`` keeps them for a later recovery. Used as a context manager,
    the lock is released on the way out either way.
    """

    def __init__(self, recording: Unfinished, fd: int):
        self.recording = recording
        self._fd: int | None = fd

    @property
    def audio_path(self) -> Path:
        return self.recording.audio_path

    def finish(self) -> None:
        """Remove the recording's own audio (never a user's file) and its sidecar."""
        if self._fd is None:
            return
        if self.recording.owns_audio:
            self.recording.audio_path.unlink(missing_ok=True)
        # the sidecar goes last and while locked: once it is gone nothing points at the take
        self.recording.sidecar.unlink(missing_ok=True)
        self.release()

    def release(self) -> None:
        """Let go of the lock and keep the files: the next run will find the recording."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> Claim:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


# --- making a recording -------------------------------------------------------------------


def start(folder: Path, *, audio_path: Path | None = None, source: str = "practice",
          started_at_utc: str, session: dict | None = None, answer: dict | None = None,
          question: dict | None = None) -> Claim:
    """Register a recording about to start in ``folder`` and hold its lock.

    Without ``audio_path`` the audio is ``folder/<id>.wav``, created empty with mode 0600.
    Raises StoreError when the folder or the sidecar cannot be written (a full or read-only
    disk): better to say so before recording than to lose the take afterwards.
    """
    recording_id = uuid.uuid4().hex
    own_audio = audio_path is None
    recording = Unfinished(
        id=recording_id, sidecar=folder / f"{recording_id}.json",
        audio_path=folder / f"{recording_id}.wav" if own_audio else Path(audio_path),
        source=source, started_at_utc=started_at_utc, session=session, answer=answer,
        question=question)
    note = {"format": SIDECAR_FORMAT, "source": source,
            "audio": recording.audio_path.name if own_audio else str(recording.audio_path),
            "started_at_utc": started_at_utc, "session": session, "answer": answer,
            "question": question, "pid": os.getpid()}
    fd = _write_locked(recording.sidecar, json.dumps(note, ensure_ascii=False).encode())
    try:
        if own_audio:
            create_private(recording.audio_path)
    except BaseException:
        recording.sidecar.unlink(missing_ok=True)
        os.close(fd)
        raise
    return Claim(recording, fd)


def _write_locked(path: Path, data: bytes) -> int:
    """Write ``path`` (0600, fsynced) under a hidden name, lock it, then rename it into place.

    Returns the open descriptor that holds the lock.
    """
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except OSError as error:
        raise StoreError(f"Cannot start a recording in {path.parent}: {error.strerror}. Free "
                         "some space, or check that the folder is yours and writable.") from None
    try:
        _lock(fd, wait=True)
        if hasattr(os, "fchmod"):
            os.fchmod(fd, FILE_MODE)
        written = 0
        while written < len(data):  # a write may be cut short; an error raises
            written += os.write(fd, data[written:])
        os.fsync(fd)
        os.rename(tmp, path)
    except OSError as error:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise StoreError(f"Cannot start a recording in {path.parent}: {error.strerror}. Free "
                         "some space, or check that the folder is yours and writable.") from None
    fsync_dir(path.parent)
    return fd


def _lock(fd: int, *, wait: bool) -> bool:
    """Take the exclusive lock on ``fd``: True when taken (always, with ``wait``)."""
    import fcntl  # POSIX only, like the rest of recording; imported where it is needed

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


# --- finding and claiming dead recordings -------------------------------------------------


def find(folder: Path) -> list[Unfinished]:
    """The recordings in ``folder`` whose process is gone, oldest first.

    A live recording (its sidecar locked by another process, or by another part of this
    one) is left out. Nothing is changed on disk.
    """
    try:
        names = os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = []
    for name in names:
        if not name.endswith(".json") or name.startswith("."):
            continue
        with _locked(folder / name) as fd:
            if fd is not None:
                found.append(_read(folder / name))
    return sorted(found, key=lambda r: (r.started_at_utc or "", r.id))


def claim(recording: Unfinished) -> Claim | None:
    """Lock a dead recording to recover it; None if another process got there first."""
    try:
        fd = os.open(recording.sidecar, os.O_RDONLY)
    except FileNotFoundError:
        return None
    if not _lock(fd, wait=False) or not _same_file(fd, recording.sidecar):
        os.close(fd)  # live again, or recovered and removed by another process meanwhile
        return None
    return Claim(recording, fd)


@contextlib.contextmanager
def _locked(path: Path):
    """The descriptor of ``path`` locked for a moment, or None when it is held or gone."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        yield None
        return
    try:
        yield fd if _lock(fd, wait=False) else None
    finally:
        os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        here, there = os.fstat(fd), os.stat(path)
    except FileNotFoundError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _read(sidecar: Path) -> Unfinished:
    recording_id = sidecar.stem
    own_wav = sidecar.with_suffix(".wav")
    try:
        note = json.loads(sidecar.read_text(encoding="utf-8"))
        if note.get("format") != SIDECAR_FORMAT:
            raise ValueError(f"format {note.get('format')!r}, not {SIDECAR_FORMAT}")
        audio = Path(note["audio"])
        return Unfinished(
            id=recording_id, sidecar=sidecar,
            audio_path=audio if audio.is_absolute() else sidecar.parent / audio,
            source=note["source"], started_at_utc=note["started_at_utc"],
            session=note.get("session"), answer=note.get("answer"),
            question=note.get("question"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        return Unfinished(id=recording_id, sidecar=sidecar, audio_path=own_wav,
                          problem=f"its record {sidecar} cannot be read ({error})")


# --- repairing the audio ------------------------------------------------------------------


def repair_wav(path: Path) -> float:
    """Make the sizes in a WAV header match the audio on disk; return its duration in s.

    The RIFF size and the ``data`` chunk size are rewritten from the file's length, and a
    torn last frame (a write cut short) is cut off. A WAV that was closed properly is left
    as it is. Raises FileNotFoundError when ``path`` is gone, WavError when it is not a
    PCM WAV (RIFF, ``fmt `` then ``data``).
    """
    with open(path, "r+b") as wav:
        size = os.fstat(wav.fileno()).st_size
        rate_hz, block_align, data_at, riff_size, data_size = wav_layout(wav, path)
        if riff_size == size - 8 and data_at + data_size <= size:
            return data_size // block_align / rate_hz  # closed properly: its header is right
        frames = max(0, size - data_at) // block_align
        end = data_at + frames * block_align
        if end != size:
            wav.truncate(end)
        wav.seek(4)
        wav.write(struct.pack("<I", end - 8))
        wav.seek(data_at - 4)
        wav.write(struct.pack("<I", end - data_at))
        wav.flush()
        os.fsync(wav.fileno())
    return frames / rate_hz


def wav_layout(wav, path: Path) -> tuple[int, int, int, int, int]:
    """(sample rate, bytes per frame, offset of the audio, RIFF size, data size)."""
    head = wav.read(12)
    if len(head) < 12 or head[:4] != _RIFF or head[8:] != _WAVE:
        raise WavError(f"{path} is not a WAV file, so mockview cannot repair it.")
    riff_size = struct.unpack("<I", head[4:8])[0]
    rate_hz = block_align = None
    while True:
        chunk = wav.read(_CHUNK_HEADER)
        if len(chunk) < _CHUNK_HEADER:
            raise WavError(f"{path} has no audio data chunk, so mockview cannot repair it.")
        name, length = chunk[:4], struct.unpack("<I", chunk[4:])[0]
        if name == b"data":
            if not (block_align and rate_hz):
                raise WavError(f"{path} has no format chunk before its audio, so mockview "
                               "cannot repair it.")
            return rate_hz, block_align, wav.tell(), riff_size, length
        body = wav.read(length + (length & 1))  # chunks are padded to an even size
        if name == b"fmt " and len(body) >= 14:
            rate_hz, _, block_align = struct.unpack("<IIH", body[4:14])
