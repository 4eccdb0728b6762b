"""``Store.report_tallies``: the counts progress reads from reports, made by SQLite, equal to
what ``trends`` counts in the same reports loaded in Python."""

from __future__ import annotations

import copy
import dataclasses

from mockview.store import Store, tallies
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


def _save_odd_reports(store: Store) -> int:
    session_id = store.start_session(started_at_utc="2026-03-01T09:00:00Z")
    for n, report in enumerate(odd_reports(), 1):
        answer_id = store.add_answer(session_id, WHY)
        store.add_take(answer_id, None, report, recorded_at_utc=f"2026-03-01T09:{n:02d}:00Z")
    return session_id


def _counted(store: Store) -> dict[int, int]:
    """take id -> the rules version its counts were made by."""
    return dict(store._db.execute("SELECT take_id, tallies_version FROM take_tallies"))


def test_each_take_is_counted_when_saved_and_again_when_reanalysed(mockview_home):
    with Store.open() as store:
        session_id = _save_odd_reports(store)
        takes = store.takes()
        assert _counted(store) == {t.take_id: tallies.TALLIES_VERSION for t in takes}
        before = store.report_tallies()
        # the take with two hedges said and pauses at "unknown" gets a report without either
        plain = make_report(FILLERY)
        store.replace_report(takes[1].take_id, plain)
        after = store.report_tallies()
        loaded = store.takes(with_reports=True)
    assert after != before
    assert after.long_pauses == {p: n for p, n in pause_positions(loaded).by_position.items()
                                 if n}
    assert after.hedges == {"maybe": 3, "sort of": 4}
    unloaded = [dataclasses.replace(t, report=None) for t in loaded]
    assert build_progress(unloaded, report_tallies=after).patterns.to_dict() == \
        build_progress(loaded).patterns.to_dict()
    with Store.open() as store:
        store.delete_session(session_id)
        assert _counted(store) == {}


def test_a_store_from_before_the_counts_counts_the_takes_asked_for_once(mockview_home):
    # a real upgrade: the takes are saved, then the store is taken back to migration m007 (no
    # counts table) and opened again, so m008 makes an empty one
    with Store.open() as store:
        _save_odd_reports(store)
        expected = store.report_tallies()
        recent = store.report_tallies(since_utc="2026-03-01T09:05:00Z")
        store._db.execute("DROP TABLE take_tallies")
        store._db.execute("DELETE FROM _migrations WHERE name = 'm008_take_tallies'")
    with Store.open() as store:
        assert _counted(store) == {}
        assert store.report_tallies(since_utc="2026-03-01T09:05:00Z") == recent
        ids = [t.take_id for t in store.takes()]
        assert sorted(_counted(store)) == ids[4:]  # only the takes asked for were counted
        assert store.report_tallies() == expected
        assert sorted(_counted(store)) == ids
        # counts made by other rules (an older mockview's) are made again
        store._db.execute("UPDATE take_tallies SET tallies_version = 0, long_pauses = '[]',"
                          " hedges = '[]', judged = 0")
        assert store.report_tallies() == expected
        assert set(_counted(store).values()) == {tallies.TALLIES_VERSION}
