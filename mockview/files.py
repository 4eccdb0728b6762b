"""Private folders and files: the data directory is 0700 and what is in it 0600.

Recordings of someone practising interviews are personal, so nothing mockview keeps may be
readable by other users of the machine, whatever the umask. Modes are set when a file or
folder is made and checked again whenever the store opens: a mode found wrong (a restored
backup, a ``cp -r``, a ``chmod``) is repaired, and the repair is reported, because a
recording was readable by others until then and the user should know.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
from pathlib import Path

from mockview.errors import StoreError

DIR_MODE = 0o700
FILE_MODE = 0o600
DISK_FULL_BELOW_BYTES = 1 << 20
"""A write that fails with less free space than this failed because the disk is full."""


def private_dir(path: Path, what: str) -> str | None:
    """Create ``path`` (and its parents) as a 0700 folder, or check the one there.

    Returns a warning when an existing folder had another mode (see ``make_private``).
    Raises StoreError naming ``what`` when the folder cannot be made.
    """
    try:
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(f"Cannot create {what} {path}: {error.strerror}. Set MOCKVIEW_HOME "
                         "to a folder you can write to.") from None
    return make_private(path)


def make_private(path: Path) -> str | None:
    """Give ``path`` its private mode (0700 for a folder, 0600 for a file) if it lacks it.

    Returns None when the mode was right (or the path is gone), else one line saying what
    was found and what was done, for the user to see: the repair, or why it was not
    possible (another user's file, a read-only disk).
    """
    try:
        info = path.lstat()
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(info.st_mode):
        return None  # chmod would follow the link out of the data directory
    wanted = DIR_MODE if stat.S_ISDIR(info.st_mode) else FILE_MODE
    found = stat.S_IMODE(info.st_mode)
    if found == wanted:
        return None
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return (f"{path} has mode {found:04o} and belongs to another user (uid "
                f"{info.st_uid}), so mockview cannot make it private. Ask its owner to run: "
                f"chmod {wanted:o} {path}")
    try:
        os.chmod(path, wanted)
    except OSError as error:
        return (f"{path} has mode {found:04o} and could not be made private "
                f"({error.strerror}). Run: chmod {wanted:o} {path}")
    return (f"{path} had mode {found:04o}, so other users could reach it; mockview made it "
            f"{wanted:04o} (yours only).")


def create_private(path: Path) -> bool:
    """Create an empty 0600 file unless one exists (whatever the umask); True when created.

    Made before another library (SQLite, libsndfile) opens the path, since those would
    create it with the umask's mode.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return False  # another process created it first
    except OSError as error:
        raise StoreError(f"Cannot create {path}: {error.strerror}. Set MOCKVIEW_HOME to a "
                         "folder you can write to.") from None
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    return True


def why_writing_failed(path: Path, error: Exception) -> str:
    """The reason to give the user for a failed write of ``path``.

    libsndfile reports every failed write as "System error.", which tells nothing; the
    disk itself says more: nearly no space left, or mounted read-only.
    """
    if isinstance(error, OSError) and error.errno is not None:  # its words, not "[Errno 28]"
        return error.strerror or os.strerror(error.errno)
    try:
        free = shutil.disk_usage(path.parent).free
        read_only = bool(os.statvfs(path.parent).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs on this platform
        return str(error)
    if read_only:
        return os.strerror(errno.EROFS)
    if free < DISK_FULL_BELOW_BYTES:
        return f"{os.strerror(errno.ENOSPC)} ({free // 1024} KB free)"
    return str(error)


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in ``path`` durable (where the platform allows it)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return  # not possible on every platform; the files themselves were fsynced
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
