"""``Store.report_tallies``: the counts progress reads from reports, made by SQLite, equal to
what ``trends`` counts in the same reports loaded in Python."""

from __future__ import annotations

import copy
import dataclasses

from mockview.store import Store
from mockview.trends import build_progress, hedge_pattern, pause_positions

from .test_cli_trends import MESSY, WHY
from .test_store import FILLERY, behavioral_report, make_report, old_report


def _long_pauses(report: dict) -> list[dict]:
    return [p for p in report["metrics"]["pauses"]["items"] if p.get("long")]


def odd_reports() -> list[dict]:
    """Reports with every case the counts must treat as trends does."""
    unplaced = make_report(MESSY, question=WHY)
    pauses = _long_pauses(unplaced)
    assert len(pauses) >= 2
    pauses[0]["position"] = None  # counted as "unknown"
    pauses[1]["position"] = "after_a_breath"  # a position trends does not name
    blank = make_report(MESSY, question=WHY)
    _long_pauses(blank)[0]["position"] = ""
    hedged = behavioral_report()
    hedged["metrics"]["content"]["hedges"]["top"] = [{"text": "maybe", "count": 2},
                                                      {"text": "I think", "count": 1}]
    unjudged = copy.deepcopy(hedged)  # hedges of content that was not judged do not count
    unjudged["metrics"]["content"]["judged"] = False
    no_content = make_report(FILLERY)
    no_content["metrics"]["content"] = None
    more = behavioral_report()
    more["metrics"]["content"]["hedges"]["top"] = [{"text": "maybe", "count": 3},
                                                    {"text": "sort of", "count": 4}]
    no_pauses = make_report()
    del no_pauses["metrics"]["pauses"]["items"]
    return [unplaced, hedged, old_report(), blank, unjudged, no_content, more, no_pauses]


def test_tallies_count_as_trends_counts_the_loaded_reports(mockview_home):
    with Store.open() as store:
        session_id = store.start_session(started_at_utc="2026-03-01T09:00:00Z")
        for n, report in enumerate(odd_reports(), 1):
            answer_id = store.add_answer(session_id, WHY)
            store.add_take(answer_id, None, report, recorded_at_utc=f"2026-03-01T09:{n:02d}:00Z")
        loaded = store.takes(with_reports=True)
        tallies = store.report_tallies()
        recent = store.report_tallies(since_utc="2026-03-01T09:05:00Z")
        none = store.report_tallies(question_id="no-such-question")
    expected = pause_positions(loaded)
    assert sorted(tallies.long_pauses.items()) == sorted(
        (p, n) for p, n in expected.by_position.items() if n)
    assert expected.by_position["unknown"] == 2 and expected.by_position["after_a_breath"] == 1
    takes = [dataclasses.replace(t, report=None) for t in loaded]
    by_tallies = build_progress(takes, report_tallies=tallies).patterns
    by_reports = build_progress(loaded).patterns
    assert by_tallies.pauses == expected
    assert list(by_tallies.pauses.by_position) == list(expected.by_position)
    assert by_tallies.hedges == hedge_pattern(loaded, loaded)
    # the copy whose content was not judged (maybe 2, I think 1) does not count
    assert by_tallies.hedges.top == (("maybe", 5), ("sort of", 4), ("I think", 1))
    assert by_tallies.to_dict() == by_reports.to_dict()
    assert pause_positions(loaded[4:]) == build_progress(
        takes, report_tallies=recent, since_utc="2026-03-01T09:05:00Z").patterns.pauses
    assert (none.reports, none.long_pauses, none.judged_content, none.hedges) == (0, {}, 0, {})
