"""The data directory is 0700 and everything in it 0600: checked on every open, repaired,
and the repair told, since the recordings were readable by others until then."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from mockview.cli import cli
from mockview.store import Store

from .test_store import BEHAVIORAL, make_report, write_wav


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture
def store_files(mockview_home, tmp_path_factory):
    """A store with a saved take and an unfinished one; returns the paths that matter."""
    with Store.open() as store:
        store.save_analysis(write_wav(tmp_path_factory.mktemp("in") / "a.wav"), make_report())
        flac = store.takes()[0].audio_path
        answer = store.add_answer(store.start_session(), BEHAVIORAL)
        claim = store.begin_recording(answer, BEHAVIORAL)
        claim.release()
    home = mockview_home
    return {"home": home, "db": home / "mockview.db", "recordings": home / "recordings",
            "unsaved": home / "recordings" / "unsaved", "flac": flac,
            "note": claim.recording.sidecar, "wav": claim.audio_path}


def test_a_fresh_store_is_private_and_says_nothing(mockview_home):
    old = os.umask(0)
    try:
        with Store.open() as store:
            assert store.warnings == []
    finally:
        os.umask(old)
    assert mode(mockview_home) == 0o700 and mode(mockview_home / "mockview.db") == 0o600


def test_modes_found_wrong_are_repaired_with_a_warning_each(store_files):
    loose = {"home": 0o755, "db": 0o644, "recordings": 0o755, "unsaved": 0o711,
             "flac": 0o644, "note": 0o640, "wav": 0o604}
    for name, loose_mode in loose.items():
        os.chmod(store_files[name], loose_mode)

    with Store.open() as store:
        warnings = store.warnings
    expected = {
        name: (f"{store_files[name]} had mode {loose_mode:04o}, so other users could reach "
               f"it; mockview made it {0o700 if store_files[name].is_dir() else 0o600:04o} "
               "(yours only).")
        for name, loose_mode in loose.items()}
    assert sorted(warnings) == sorted(expected.values())
    for name in loose:
        assert mode(store_files[name]) == (0o700 if store_files[name].is_dir() else 0o600)
    with Store.open() as store:
        assert store.warnings == []


def test_every_command_shows_the_repairs(store_files):
    os.chmod(store_files["flac"], 0o644)
    result = CliRunner().invoke(cli, ["history"])
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == (
        f"Warning: {store_files['flac']} had mode 0644, so other users could reach it; "
        "mockview made it 0600 (yours only).")


def test_another_users_file_is_reported_not_changed(store_files):
    flac = store_files["flac"]
    os.chmod(flac, 0o644)
    try:
        os.chown(flac, 65534, 65534)
    except PermissionError:
        pytest.skip("only root can give a file to another user")
    with Store.open() as store:
        assert store.warnings == [
            f"{flac} has mode 0644 and belongs to another user (uid 65534), so mockview "
            f"cannot make it private. Ask its owner to run: chmod 600 {flac}"]
    assert mode(flac) == 0o644


def test_a_link_in_the_recordings_is_not_followed(store_files, tmp_path_factory):
    target = tmp_path_factory.mktemp("elsewhere") / "shared.txt"
    target.write_text("not mockview's")
    os.chmod(target, 0o644)
    (store_files["recordings"] / "link.flac").symlink_to(target)
    with Store.open() as store:
        assert store.warnings == []
    assert mode(target) == 0o644
