"""What ``mockview progress`` reads from stored reports, counted by SQLite.

Progress reads two things that only the full reports hold: where the long pauses fell and
which hedges were said, over the most recent takes (``trends.RECENT_REPORTS``). Parsing
those reports in Python (about 22 kB of JSON each) was a fifth of the command's time;
SQLite's JSON functions walk them in C and hand back a few counts. The counts follow
``trends.pause_positions`` and ``trends.hedge_pattern`` exactly (a test holds them equal).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

_FROM = ("FROM takes t JOIN answers a ON a.id = t.answer_id"
         " JOIN take_reports r ON r.take_id = t.id")
# Counted per take as the trends functions skip them: a report whose content was judged
# (``metrics.content.judged`` exactly true).
_JUDGED = "json_type(r.report_json, '$.metrics.content.judged') = 'true'"


@dataclass(frozen=True)
class ReportTallies:
    """Counts over a set of takes' reports.

    ``reports``: the takes whose report was read; ``long_pauses``: long pauses by position
    ("unknown" where none is given), positions in the order first met (takes oldest
    first); ``judged_content``: the reports whose content was judged; ``hedges``: each
    hedge's count in those reports' most-said hedges.
    """

    reports: int
    long_pauses: dict[str, int]
    judged_content: int
    hedges: dict[str, int]


def report_tallies(db: sqlite3.Connection, where: str, params: list) -> ReportTallies:
    """The ``ReportTallies`` of the takes ``where`` (a WHERE clause over ``takes t JOIN
    answers a``, with its leading space, or empty) keeps."""
    also = f"{where} AND" if where else " WHERE"
    reports, judged = db.execute(
        f"SELECT COUNT(*), TOTAL({_JUDGED}) {_FROM}{where}", params).fetchone()
    # the position of the first long pause at each, as (time, take, item): the order met
    pauses = db.execute(
        "SELECT COALESCE(NULLIF(json_extract(p.value, '$.position'), ''), 'unknown') AS at,"
        f" COUNT(*) {_FROM}, json_each(r.report_json, '$.metrics.pauses.items') p"
        f"{also} json_extract(p.value, '$.long')"
        " GROUP BY at ORDER BY MIN(printf('%s %020d %09d', t.recorded_at_utc, t.id, p.key))",
        params)
    long_pauses = dict(pauses.fetchall())
    hedges = db.execute(
        f"SELECT json_extract(h.value, '$.text') AS said, SUM(json_extract(h.value, '$.count'))"
        f" {_FROM}, json_each(r.report_json, '$.metrics.content.hedges.top') h"
        f"{also} {_JUDGED} GROUP BY said", params)
    return ReportTallies(reports, long_pauses, int(judged), dict(hedges.fetchall()))
