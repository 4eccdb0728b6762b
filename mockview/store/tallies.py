"""What ``mockview progress`` reads from stored reports, counted by SQLite once per take.

Progress reads two things that only the full reports hold: where the long pauses fell and
which hedges were said, over the most recent takes (``trends.RECENT_REPORTS``). Parsing
those reports in Python (about 22 kB of JSON each) was a fifth of the command's time;
counting them with SQLite's JSON functions on every ``progress`` still parsed 2 MB. So each
take's counts are made once, when it is saved or reanalysed, into ``take_tallies``
(migration m008): its long pauses by position, with the index of the first one of each,
its most-said hedges and whether its content was judged. ``progress`` adds up those small
rows. The counts follow ``trends.pause_positions`` and ``trends.hedge_pattern`` exactly (a
test holds them equal).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

#: The rules below, as stored with each take's row: a take counted by other rules (an
#: older mockview's) is counted again the first time it is asked for.
TALLIES_VERSION = 1
#: Takes counted per statement (SQLite allows 999 parameters in older versions).
FILL_BATCH = 500

# One take's counts from its report. A report's content counts when it was judged:
# ``metrics.content.judged`` exactly true (JSON functions: SQLite's JSON1, built in). A long
# pause without a position is at "unknown". Each position keeps the index of its first long
# pause, so the sum over takes can keep positions in the order first met.
_FILL_SQL = """
    INSERT OR REPLACE INTO take_tallies (take_id, tallies_version, judged, long_pauses, hedges)
    SELECT r.take_id, {version},
           COALESCE(json_type(r.report_json, '$.metrics.content.judged') = 'true', 0),
           (SELECT json_group_array(json_array(at, n, first)) FROM (
                SELECT COALESCE(NULLIF(json_extract(p.value, '$.position'), ''), 'unknown')
                           AS at, COUNT(*) AS n, MIN(p.key) AS first
                FROM json_each(json_extract(r.report_json, '$.metrics.pauses.items')) p
                WHERE json_extract(p.value, '$.long') GROUP BY at)),
           (SELECT json_group_array(json_array(said, n)) FROM (
                SELECT json_extract(h.value, '$.text') AS said,
                       SUM(json_extract(h.value, '$.count')) AS n
                FROM json_each(json_extract(r.report_json, '$.metrics.content.hedges.top')) h
                GROUP BY said))
    FROM take_reports r WHERE r.take_id IN ({marks})"""

# The takes a filter keeps whose counts are missing or were made by other rules.
_STALE_SQL = """
    SELECT kept.id FROM (SELECT t.id FROM takes t JOIN answers a ON a.id = t.answer_id{where})
        kept LEFT JOIN take_tallies x ON x.take_id = kept.id
    WHERE x.take_id IS NULL OR x.tallies_version IS NOT ?"""

# The sum over the takes a filter keeps, in one statement: the takes counted, the long
# pauses by position (with where the first one fell, as (time, take, item), to keep the
# order met) and the hedges said in the reports whose content was judged.
_SUM_SQL = """
    WITH parts AS (
        SELECT t.id, t.recorded_at_utc AS at_utc, x.judged, x.long_pauses, x.hedges
        FROM takes t JOIN answers a ON a.id = t.answer_id
        JOIN take_tallies x ON x.take_id = t.id{where})
    SELECT 'reports', NULL, COUNT(*), TOTAL(judged) FROM parts
    UNION ALL
    SELECT 'pause', json_extract(p.value, '$[0]') AS at, SUM(json_extract(p.value, '$[1]')),
           MIN(printf('%s %020d %09d', parts.at_utc, parts.id, json_extract(p.value, '$[2]')))
    FROM parts, json_each(parts.long_pauses) p GROUP BY at
    UNION ALL
    SELECT 'hedge', json_extract(h.value, '$[0]') AS said, SUM(json_extract(h.value, '$[1]')),
           NULL
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


def count_takes(db: sqlite3.Connection, take_ids: Sequence[int]) -> None:
    """Make (or make again) the counts of these takes from their stored reports; the
    caller holds the write transaction."""
    for first in range(0, len(take_ids), FILL_BATCH):
        batch = list(take_ids[first : first + FILL_BATCH])
        db.execute(_FILL_SQL.format(version=TALLIES_VERSION,
                                    marks=", ".join("?" * len(batch))), batch)


def uncounted(db: sqlite3.Connection, where: str, params: list) -> list[int]:
    """The takes ``where`` keeps (as in ``report_tallies``) that have no counts by these
    rules: saved before migration m008, or counted by another version's rules."""
    return [r[0] for r in db.execute(_STALE_SQL.format(where=where),
                                     [*params, TALLIES_VERSION])]


def report_tallies(db: sqlite3.Connection, where: str, params: list) -> ReportTallies:
    """The ``ReportTallies`` of the takes ``where`` (a WHERE clause over ``takes t JOIN
    answers a``, with its leading space, or empty) keeps, from their counts (``uncounted``
    must be empty for them: a take without counts is left out)."""
    reports = judged = 0
    pauses: list[tuple[str, str, int]] = []
    hedges: dict[str, int] = {}
    for part, name, count, extra in db.execute(_SUM_SQL.format(where=where), params):
        if part == "reports":
            reports, judged = count, int(extra)
        elif part == "pause":
            pauses.append((extra, name, count))
        else:
            hedges[name] = count
    return ReportTallies(reports, {name: n for _, name, n in sorted(pauses)}, judged, hedges)
