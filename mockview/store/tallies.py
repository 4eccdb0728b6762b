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

# One statement, so that each report is parsed once (SQLite 3.35 and later make a CTE used
# twice only once; older ones are slower, not wrong): the takes read, the long pauses by
# position (with where the first one fell, as (time, take, item), to keep the order met)
# and the hedges said. A report's content counts when it was judged:
# ``metrics.content.judged`` exactly true (JSON functions: SQLite's JSON1, built in).
_TALLIES_SQL = """
    WITH parts AS (
        SELECT t.id, t.recorded_at_utc AS at_utc,
               json_extract(r.report_json, '$.metrics.pauses.items') AS pauses,
               json_type(r.report_json, '$.metrics.content.judged') = 'true' AS judged,
               json_extract(r.report_json, '$.metrics.content.hedges.top') AS hedges
        FROM takes t JOIN answers a ON a.id = t.answer_id
        JOIN take_reports r ON r.take_id = t.id{where})
    SELECT 'reports', NULL, COUNT(*), TOTAL(judged) FROM parts
    UNION ALL
    SELECT 'pause', COALESCE(NULLIF(json_extract(p.value, '$.position'), ''), 'unknown') AS at,
           COUNT(*), MIN(printf('%s %020d %09d', parts.at_utc, parts.id, p.key))
    FROM parts, json_each(parts.pauses) p WHERE json_extract(p.value, '$.long') GROUP BY at
    UNION ALL
    SELECT 'hedge', json_extract(h.value, '$.text') AS said,
           SUM(json_extract(h.value, '$.count')), NULL
    FROM parts, json_each(parts.hedges) h WHERE parts.judged GROUP BY said"""


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
    reports = judged = 0
    pauses: list[tuple[str, str, int]] = []
    hedges: dict[str, int] = {}
    for part, name, count, extra in db.execute(_TALLIES_SQL.format(where=where), params):
        if part == "reports":
            reports, judged = count, int(extra)
        elif part == "pause":
            pauses.append((extra, name, count))
        else:
            hedges[name] = count
    return ReportTallies(reports, {name: n for _, name, n in sorted(pauses)}, judged, hedges)
