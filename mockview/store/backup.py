"""Backing up and restoring everything: the database and every recording in one zip file.

A backup (``mockview export --all -o FILE``) holds three kinds of member and nothing else:

- ``mockview-backup.json``, the manifest: its format, the mockview that made it, the counts,
  the recordings it holds and those that were already missing from the store;
- ``mockview.db``, a copy made with SQLite's backup API, so it is one committed state of the
  store even while another mockview process writes;
- ``recordings/<id>.flac``, the audio of every stored take.

A zip rather than a tar: it opens on any system, and its members can be checked one by one
(names, kinds, CRCs) before anything is written. ``import_all`` checks the whole archive
first: a member outside that list, a path that would leave the data directory, a link, a
database that is damaged, foreign or from a newer mockview, or audio the database does not
match, and nothing is imported. It never merges two histories: into a store that holds
anything it imports only with ``replace``, and then moves the old store aside, whole, into
a folder beside it; it deletes nothing that holds data.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sqlite3
import stat
import tempfile
import uuid
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from mockview import __version__
from mockview.errors import StoreError
from mockview.files import create_private, fsync_dir, private_dir
from mockview.store import DB_NAME, RECORDINGS_DIR, Store, default_path
from mockview.store.migrations import unknown_migrations, utc_now

MANIFEST = "mockview-backup.json"
ARCHIVE_FORMAT = 1
_RECORDING = re.compile(rf"{RECORDINGS_DIR}/[A-Za-z0-9_-]{{1,64}}\.flac")
_COPY_CHUNK = 1 << 20


@dataclass(frozen=True)
class Backup:
    """What an archive holds (after ``export_all``, or the one ``import_all`` restored)."""

    path: Path
    session_count: int
    take_count: int
    recordings: tuple[str, ...]  # relative paths of the audio in the archive
    missing: tuple[str, ...] = ()  # audio the database names but the store had lost
    moved_aside: Path | None = None  # import_all(replace=True): where the old store went


# --- export --------------------------------------------------------------------------------


def export_all(store: Store, output: str | os.PathLike) -> Backup:
    """Write the whole store into the zip archive ``output`` (a new file, mode 0600).

    The archive is written under a hidden temporary name and renamed when complete, so an
    interrupted export (a full disk) never leaves a half archive under the name given.
    """
    output = Path(output)
    _check_new_file(output)
    with tempfile.TemporaryDirectory(prefix="mockview-export-") as scratch:
        copy_path = Path(scratch) / DB_NAME
        store.backup_to(copy_path)
        with Store.open(copy_path) as copy:  # the snapshot says which audio belongs with it
            backup = Backup(path=output, session_count=len(copy.sessions()),
                            take_count=len(copy.takes()), recordings=tuple(copy.recording_paths()))
        partial = output.with_name(f".{output.name}.tmp")
        try:
            backup = _write_archive(partial, copy_path, store.path.parent, backup)
            os.replace(partial, output)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise StoreError(f"Could not write the backup {output} ({error.strerror or error}). "
                             "Free some space, or choose another folder with -o.") from None
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    fsync_dir(output.parent)
    return backup


def _check_new_file(output: Path) -> None:
    if output.exists():
        raise StoreError(f"{output} already exists. Give a new file name: a backup is never "
                         "written over another file.")
    if not output.parent.is_dir():
        raise StoreError(f"Cannot write {output}: the folder {output.parent} does not exist. "
                         "Create it, or choose another path with -o.")


def _write_archive(partial: Path, db_copy: Path, data_dir: Path, backup: Backup) -> Backup:
    """Write the archive; audio gone from the store meanwhile is listed as missing."""
    create_private(partial)
    included, missing = [], []
    with zipfile.ZipFile(partial, "w", allowZip64=True) as archive:
        archive.write(db_copy, DB_NAME, compress_type=zipfile.ZIP_DEFLATED)
        for relative in backup.recordings:
            try:  # FLAC is compressed already: stored as it is
                archive.write(data_dir / relative, relative, compress_type=zipfile.ZIP_STORED)
            except FileNotFoundError:
                missing.append(relative)
            else:
                included.append(relative)
        manifest = {"format": ARCHIVE_FORMAT, "made_by": f"mockview {__version__}",
                    "created_at_utc": utc_now(), "sessions": backup.session_count,
                    "takes": backup.take_count, "recordings": included, "missing": missing}
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2), zipfile.ZIP_DEFLATED)
    with open(partial, "rb+") as handle:
        os.fsync(handle.fileno())
    return Backup(path=backup.path, session_count=backup.session_count,
                  take_count=backup.take_count, recordings=tuple(included),
                  missing=tuple(missing))


# --- import --------------------------------------------------------------------------------


def import_all(archive_path: str | os.PathLike, *, store_path: Path | None = None,
               replace: bool = False) -> Backup:
    """Restore the archive into the store at ``store_path`` (default: the data directory).

    The archive is checked and unpacked into a hidden folder of the data directory first;
    only then is the old store (if any) moved aside, with ``replace``, and the new one
    renamed into place, its recordings before its database. Raises StoreError, with
    nothing changed, for an archive that is not a complete backup of this or an older
    mockview, or a store that holds anything when ``replace`` is not given.
    """
    archive_path = Path(archive_path)
    store_path = Path(store_path) if store_path is not None else default_path()
    data_dir = store_path.parent
    with _open_archive(archive_path) as archive:
        manifest = _check_members(archive, archive_path)
        occupied = _check_target(store_path, archive_path, replace)
        private_dir(data_dir, "the mockview data directory")
        staging = data_dir / f".import-{uuid.uuid4().hex}"
        private_dir(staging, "a folder for the import")
        try:
            _unpack(archive, staging, archive_path)
            restored = _check_staged(staging / DB_NAME, manifest, archive_path)
            moved = _move_aside(store_path) if occupied else _remove_empty(store_path)
            (staging / RECORDINGS_DIR).mkdir(mode=0o700, exist_ok=True)
            os.rename(staging / RECORDINGS_DIR, data_dir / RECORDINGS_DIR)
            os.rename(staging / DB_NAME, store_path)  # last: the store is whole from here
            fsync_dir(data_dir)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return Backup(path=archive_path, session_count=restored.session_count,
                  take_count=restored.take_count, recordings=restored.recordings,
                  missing=restored.missing, moved_aside=moved)


@contextlib.contextmanager
def _open_archive(path: Path):
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise StoreError(f"No such file: {path}. Give the path of a backup made with "
                         "mockview export --all.") from None
    except (zipfile.BadZipFile, OSError) as error:
        raise StoreError(f"{path} is not a mockview backup ({error}). Give a file made with "
                         "mockview export --all -o FILE.") from None
    with archive:
        yield archive


def _check_members(archive: zipfile.ZipFile, path: Path) -> dict:
    """Refuse anything a backup never holds; return the manifest."""
    names = [info.filename for info in archive.infolist()]
    for info in archive.infolist():
        _check_member(info, path)
    repeated = sorted(name for name, count in Counter(names).items() if count > 1)
    if repeated:
        raise StoreError(f"{path} holds {repeated[0]!r} twice, so it is not a backup mockview "
                         "made; nothing was imported.")
    if MANIFEST not in names:
        raise StoreError(f"{path} is not a mockview backup: it has no {MANIFEST}. Give a file "
                         "made with mockview export --all.")
    manifest = _manifest(archive, path)
    audio = {n for n in names if _RECORDING.fullmatch(n)}
    if DB_NAME not in names or audio != set(manifest["recordings"]):
        raise StoreError(f"{path} is incomplete: its list of contents does not match what it "
                         "holds, so nothing was imported. Make the backup again with "
                         "mockview export --all.")
    return manifest


def _check_member(info: zipfile.ZipInfo, path: Path) -> None:
    name = info.filename
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or ".." in parts or re.match(r"[A-Za-z]:", name):
        raise StoreError(f"{path} holds {name!r}, a path outside the data directory; nothing "
                         "was imported. Import only backups made by mockview export --all.")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise StoreError(f"{path} holds {name!r} as a link, which a backup never has; "
                         "nothing was imported.")
    if name in (MANIFEST, DB_NAME, f"{RECORDINGS_DIR}/") or _RECORDING.fullmatch(name):
        return
    raise StoreError(f"{path} holds {name!r}, which is not part of a mockview backup; "
                     "nothing was imported. Import only backups made by mockview export --all.")


def _manifest(archive: zipfile.ZipFile, path: Path) -> dict:
    try:
        manifest = json.loads(archive.read(MANIFEST))
        version = manifest["format"]
        recordings, missing = list(manifest["recordings"]), list(manifest["missing"])
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile) as error:
        raise StoreError(f"{path} is not a mockview backup: its {MANIFEST} cannot be read "
                         f"({error}).") from None
    if not isinstance(version, int) or version < 1:
        raise StoreError(f"{path} is not a mockview backup: format {version!r}.")
    if version > ARCHIVE_FORMAT:
        raise StoreError(f"{path} was made by a newer mockview ({manifest.get('made_by')}, "
                         f"backup format {version}). Upgrade mockview: pip install -U mockview")
    return {"recordings": recordings, "missing": missing}


def _check_target(store_path: Path, archive_path: Path, replace: bool) -> bool:
    """True when the store holds data (to move aside); refuse that without ``replace``."""
    if not store_path.exists():
        return _has_files(store_path.parent / RECORDINGS_DIR)
    with Store.open(store_path) as store:
        sessions = len(store.sessions())
        pending = store.has_pending_recordings()
    if pending:
        raise StoreError(f"A recording is in progress or unfinished in {store.unsaved_dir}. "
                         "Let it finish, or run mockview recover, then import.")
    occupied = sessions > 0 or _has_files(store.recordings_dir)
    if occupied and not replace:
        raise StoreError(
            f"The store in {store_path.parent} already holds {sessions} session(s); an "
            "import never mixes two histories. To replace it, run: mockview import "
            f"{archive_path} --replace (the current store is moved aside, not deleted).")
    return occupied


def _has_files(folder: Path) -> bool:
    return folder.is_dir() and any(p.is_file() or p.is_symlink() for p in folder.rglob("*"))


def _unpack(archive: zipfile.ZipFile, staging: Path, path: Path) -> None:
    """Write each member to its checked place (never ``extractall``), CRCs verified."""
    (staging / RECORDINGS_DIR).mkdir(mode=0o700)
    for info in archive.infolist():
        if info.filename in (MANIFEST, f"{RECORDINGS_DIR}/"):
            continue
        target = staging / info.filename
        create_private(target)
        try:
            with archive.open(info) as source, open(target, "wb") as sink:
                shutil.copyfileobj(source, sink, _COPY_CHUNK)
                sink.flush()
                os.fsync(sink.fileno())
        except (zipfile.BadZipFile, RuntimeError, ValueError) as error:  # CRC, encryption
            raise StoreError(f"{path} is damaged: {info.filename} cannot be read ({error}). "
                             "Nothing was imported.") from None
        except OSError as error:
            raise StoreError(f"Could not unpack {path} into {staging.parent} "
                             f"({error.strerror or error}). Free some space and try again; "
                             "nothing was imported.") from None


def _check_staged(db_path: Path, manifest: dict, path: Path) -> Backup:
    """Refuse a foreign, damaged or newer database, or one whose audio does not match."""
    _check_schema(db_path, path)
    try:
        with Store.open(db_path) as staged:  # migrates a backup of an older mockview
            sessions, takes = len(staged.sessions()), len(staged.takes())
            named = set(staged.recording_paths())
    except StoreError as error:
        raise StoreError(f"The database in {path} cannot be used ({error}). Nothing was "
                         "imported.") from None
    held = set(manifest["recordings"])
    expected = held | set(manifest["missing"])
    outside = sorted(n for n in named if not _RECORDING.fullmatch(n))
    if outside or named != expected:
        shown = outside[0] if outside else sorted(named ^ expected)[0]
        raise StoreError(f"{path} is inconsistent: its database and its recordings do not "
                         f"match ({shown}). Nothing was imported.")
    return Backup(path=path, session_count=sessions, take_count=takes,
                  recordings=tuple(sorted(held)), missing=tuple(manifest["missing"]))


def _check_schema(db_path: Path, path: Path) -> None:
    """Read the archive's schema before opening it as a store (which would migrate it)."""
    try:
        db = sqlite3.connect(db_path)
        try:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master"
                                               " WHERE type = 'table'")}
            unknown = unknown_migrations(db) if "_migrations" in tables else None
        finally:
            db.close()
    except sqlite3.DatabaseError as error:
        raise StoreError(f"The database in {path} is damaged ({error}). Nothing was "
                         "imported.") from None
    if unknown is None:
        raise StoreError(f"The database in {path} is not a mockview store. Nothing was "
                         "imported.")
    if unknown:
        raise StoreError(f"{path} was made by a newer mockview (unknown migration "
                         f"'{unknown[0]}'). Upgrade mockview: pip install -U mockview")


def _move_aside(store_path: Path) -> Path:
    """Move the current database and recordings into a new folder beside them."""
    data_dir = store_path.parent
    aside = data_dir / f"replaced-{utc_now().replace(':', '')}-{uuid.uuid4().hex[:6]}"
    private_dir(aside, "a folder for the replaced store")
    for name in (DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", RECORDINGS_DIR):
        if (data_dir / name).exists():
            os.rename(data_dir / name, aside / name)
    fsync_dir(data_dir)
    return aside


def _remove_empty(store_path: Path) -> None:
    """Remove a store that holds nothing (no session, no file), to make room."""
    for name in (DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm"):
        (store_path.parent / name).unlink(missing_ok=True)
    shutil.rmtree(store_path.parent / RECORDINGS_DIR, ignore_errors=True)
