"""Where mockview keeps each user's data: one directory, overridable with MOCKVIEW_HOME."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """The user's mockview data directory (banks, recordings, the store).

    ``MOCKVIEW_HOME`` wins when set, so tests and portable setups can point it anywhere.
    The directory is not created here: reading must never leave traces on disk.
    """
    home = os.environ.get("MOCKVIEW_HOME")
    if home:
        return Path(home).expanduser()
    import platformdirs

    return platformdirs.user_data_path("mockview")
