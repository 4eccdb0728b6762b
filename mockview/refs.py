"""Sessions as the user names them on the command line: ``12``, ``last`` or ``-1``.

A number is a session id (see: mockview history); ``last`` (or ``latest``) and ``-1`` name
the latest session, ``-2`` the one before it, and so on. A name is parsed here into one int,
positive for an id and negative for a place counted back from the latest; the store says
which session that is (``Store.recent_session_id``). No database here: ``compare``'s
``SESSION:ANSWER:TAKE`` parsing uses the same rule.
"""

from __future__ import annotations

import re

from mockview.errors import MockviewError

#: A session name: an id, a place back from the latest, or a word for the latest.
SESSION_PATTERN = r"[0-9]+|-[0-9]+|last|latest"
_SESSION = re.compile(SESSION_PATTERN)
#: What a session name may be, for messages.
SESSION_FORMS = ("a session number (12; see: mockview history), last or -1 for the latest, "
                 "-2 for the one before")


def parse_session_ref(value: str) -> int:
    """``value`` as a session id (12 -> 12) or a place back from the latest (last -> -1,
    -2 -> -2); MockviewError for anything else."""
    text = value.strip().lower()
    if not _SESSION.fullmatch(text) or int(_number(text)) == 0:
        raise MockviewError(f"'{value}' is not a session. Give {SESSION_FORMS}.")
    return int(_number(text))


def _number(text: str) -> str:
    return "-1" if text in ("last", "latest") else text
