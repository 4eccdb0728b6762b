"""``Store.take_rows``: the rows ``mockview progress`` reads instead of ``TakeRecord``s hold
the same numbers, and progress made from them is the same, to the last bit."""

from __future__ import annotations

import dataclasses
import json

import pytest
from click.testing import CliRunner

from mockview.cli import cli
from mockview.records import TAKE_ROW_FIELDS, TakeRecord
from mockview.store import Store
from mockview.trends import RECENT_REPORTS, build_progress, off_target_checks, recent_since_utc

from .test_cli_trends import (
    CONCISE,
    FULL,
    INTRO,
    MESSY,
    MONOTONE,
    NO_RESULT,
    WHY,
    save,
    save_behavioral,
)

FILTERS = [{}, {"question_id": WHY.id}, {"category": "behavioral"},
           {"since_utc": "2026-01-08"}, {"question_id": "no-such-question"}]


@pytest.fixture
def history():
    """Retries, two question kinds, behavioral answers with and without content analysis,
    one measured for delivery: every kind of value a row holds."""
    with Store.open() as store:
        save(store, 5, [(WHY, "motivation-and-fit", [MESSY, CONCISE])])
        save(store, 8, [(WHY, "motivation-and-fit", [MESSY]),
                        (INTRO, "self-introduction", [CONCISE, MESSY])])
        save_behavioral(store, 1, NO_RESULT, content=False)
        save_behavioral(store, 3, NO_RESULT)
        save_behavioral(store, 8, FULL, delivery=MONOTONE)
        save_behavioral(store, 10, FULL, delivery={**MONOTONE, "pitch": {
            "variation_semitones": 4.0, "monotone": False}})


def test_take_row_fields_are_take_record_fields_in_their_order():
    names = [f.name for f in dataclasses.fields(TakeRecord)]
    assert list(TAKE_ROW_FIELDS) == [n for n in names if n in TAKE_ROW_FIELDS]


@pytest.mark.parametrize("filters", FILTERS)
def test_rows_hold_what_the_records_hold(history, filters):
    with Store.open() as store:
        rows, records = store.take_rows(**filters), store.takes(**filters)
    assert len(rows) == len(records)
    for row, record in zip(rows, records, strict=True):
        assert row._asdict() == {name: getattr(record, name) for name in TAKE_ROW_FIELDS}
        assert row.report is None
    flags = {(r.within_target, r.rambling_flagged, r.monotone) for r in rows}
    if not filters:  # the flags as stored: 1 or 0 where a record has True or False
        assert {f for flag in flags for f in flag} == {0, 1, None}


@pytest.mark.parametrize("filters", FILTERS)
def test_progress_from_rows_is_progress_from_records(history, filters):
    with Store.open() as store:
        rows, records = store.take_rows(**filters), store.takes(**filters)
        # as the CLI asks: the recent reports' counts, with the same question filters
        since = recent_since_utc(rows, RECENT_REPORTS)
        tallies = None if since is None else store.report_tallies(
            **{k: v for k, v in filters.items() if k != "since_utc"}, since_utc=since)
    by_rows = build_progress(rows, report_tallies=tallies, **filters)
    by_records = build_progress(records, report_tallies=tallies, **filters)
    assert by_rows == by_records  # every float as it was, not only once rounded
    assert json.dumps(by_rows.to_dict()) == json.dumps(by_records.to_dict())
    assert [off_target_checks(r) for r in rows] == [off_target_checks(r) for r in records]


def test_progress_builds_no_take_record(history, monkeypatch):
    def no_record(*args, **kwargs):
        raise AssertionError("progress built a TakeRecord")

    monkeypatch.setattr(Store, "_take", no_record)
    for args in (["progress"], ["progress", "--json"], ["progress", "--category",
                                                        "behavioral"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
    assert json.loads(CliRunner().invoke(cli, ["progress", "--json"]).output)["take_count"] == 9
