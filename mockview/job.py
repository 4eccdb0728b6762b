"""Job descriptions given with ``--job FILE``: a plain-text or Markdown file, read safely.

The file is the user's own (pasted from a job advert), so it is checked like any input:
it must be a regular file of readable UTF-8 text, not empty and not huge. Its key terms
are found by :func:`mockview.analysis.content.job_terms`.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from mockview.analysis.content import JobDescription
from mockview.errors import JobError

#: A job advert is a page or two; a file far larger than this is not one.
MAX_JOB_BYTES = 200_000


def load_job(path: str | os.PathLike) -> JobDescription:
    """Read the job description at ``path``; JobError with the path and a fix otherwise.

    The title is the first non-empty line (without Markdown's leading ``#``).
    """
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise JobError(f"No such job description file: {path}. Check the path, or save the "
                       "job advert as a text file first.") from None
    except OSError as error:
        raise JobError(f"Cannot read {path}: {error.strerror}.") from None
    if stat.S_ISDIR(info.st_mode):
        raise JobError(f"{path} is a directory: give --job the path of a text file holding "
                       "the job description.")
    if not stat.S_ISREG(info.st_mode):  # a FIFO would block the read for ever
        raise JobError(f"{path} is not a regular file: give --job a text file holding the "
                       "job description.")
    if info.st_size > MAX_JOB_BYTES:
        raise JobError(f"{path} is {info.st_size:,} bytes: a job description is expected to "
                       f"be under {MAX_JOB_BYTES:,}. Save just the advert's text to a file.")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise JobError(f"{path} is not UTF-8 text (byte {error.start}). Save the job "
                       "description as plain UTF-8 text (.txt or .md).") from None
    except OSError as error:
        raise JobError(f"Cannot read {path}: {error.strerror}.") from None
    if "\x00" in text:
        raise JobError(f"{path} holds binary data, not text. Copy the advert's text into a "
                       ".txt file and give that.")
    lines = [line.strip().lstrip("#").strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise JobError(f"{path} is empty. Paste the job description into it and try again.")
    return JobDescription(text=text, title=lines[0][:120])
