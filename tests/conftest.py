"""Fixtures shared by every test module."""

import pytest


@pytest.fixture(autouse=True)
def mockview_home(tmp_path, monkeypatch):
    """Point the user's data directory at a temp dir, so no test reads or writes the real one."""
    monkeypatch.setenv("MOCKVIEW_HOME", str(tmp_path))
    return tmp_path
