"""The practice plan (``mockview plan``, ``practice --plan``) on a real store, with a fake clock."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

import mockview.plan
from mockview.cli import cli
from mockview.errors import MockviewError
from mockview.plan import BOX_INTERVALS_DAYS, NEW_FIRST, build_plan
from mockview.questions import find_question, load_banks
from mockview.report import build_report
from mockview.store import Store

from .analysis_helpers import CONCISE, transcript
from .test_cli_trends import MESSY

UTC = timezone.utc
# On every target for a motivation question: 47 s at 120 wpm, no fillers, no long pauses.
ON_TARGET = (CONCISE + " Before that I taught maths for three years, so I know what teachers"
             " need from a tool, and I learned to explain data to people who are busy. I would"
             " bring both of those skills here.")
GOOD, POOR = "good", "poor"  # POOR: fillers and length missed


@pytest.fixture(scope="module")
def banks():
    return load_banks()


def question(banks, question_id):
    return find_question(banks, question_id)


def answer_report(kind, q):
    if kind == GOOD:
        return build_report(transcript(ON_TARGET, word_s=0.4), question=q.info())
    return build_report(transcript(MESSY), question=q.info())


def practise(store, when, answers):
    """One session at ``when`` (UTC): per answer (question, [kinds of its takes])."""
    session_id = store.start_session("practice", started_at_utc=_utc(when))
    for n, (q, kinds) in enumerate(answers):
        answer_id = store.add_answer(session_id, q.info(), category=q.category)
        for t, kind in enumerate(kinds):
            store.add_take(answer_id, None, answer_report(kind, q),
                           recorded_at_utc=_utc(when + timedelta(minutes=n, seconds=t)))
    return session_id


def _utc(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


DAY0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def plan_at(store, questions, moment):
    return build_plan(store.takes(), questions, now=moment, tz=UTC)


def entry(plan, question_id):
    for item in (*plan.items, *plan.later):
        if item.question_id == question_id:
            return item
    raise AssertionError(f"{question_id} is not in the plan")


def test_the_takes_used_here_meet_or_miss_their_targets_as_the_plan_assumes(banks):
    from mockview.trends import off_target_checks

    q = question(banks, "fit-why-this-role")
    with Store.open() as store:
        practise(store, DAY0, [(q, [GOOD]), (q, [POOR])])
        good, poor = store.takes()
    assert off_target_checks(good) == []
    assert off_target_checks(poor) == ["fillers", "length"]


def test_intervals_double_after_good_answers_and_fall_to_a_day_after_a_miss(banks):
    q = question(banks, "fit-why-this-role")
    day = DAY0
    expected = []
    with Store.open() as store:
        # five good answers, each on the day it falls due: boxes 2, 3, 4, 5, 5
        for box in (2, 3, 4, 5, 5):
            practise(store, day, [(q, [GOOD])])
            item = entry(plan_at(store, [q], day), q.id)
            assert (item.box, item.reason) == (box, "scheduled")
            interval = BOX_INTERVALS_DAYS[box - 1]
            assert item.due_on == day.date() + timedelta(days=interval)
            expected.append(interval)
            # the day before it is due it waits; on the day it is due it is in the plan
            before = entry(plan_at(store, [q], day + timedelta(days=interval - 1)), q.id)
            assert before.reason == "scheduled"
            due = entry(plan_at(store, [q], day + timedelta(days=interval)), q.id)
            assert (due.reason, due.overdue_days) == ("due", 0)
            late = entry(plan_at(store, [q], day + timedelta(days=interval + 3)), q.id)
            assert (late.reason, late.overdue_days) == ("due", 3)
            assert "3 days overdue" in late.why
            day += timedelta(days=interval)
        assert expected == [2, 4, 8, 16, 16]
        # a miss: back to box 1, due the next day, and first in the plan as missed
        practise(store, day, [(q, [POOR])])
        item = entry(plan_at(store, [q], day), q.id)
        assert (item.box, item.reason, item.due_on) == (1, "missed_targets",
                                                        day.date() + timedelta(days=1))
        # then a good answer climbs again from box 1
        day += timedelta(days=1)
        practise(store, day, [(q, [GOOD])])
        item = entry(plan_at(store, [q], day), q.id)
        assert (item.box, item.due_on) == (2, day.date() + timedelta(days=2))


def test_a_day_counts_once_by_its_last_answer(banks):
    q = question(banks, "fit-why-this-role")
    with Store.open() as store:
        # three sessions in one morning, all on target: one review, not three
        for minutes in (0, 20, 40):
            practise(store, DAY0 + timedelta(minutes=minutes), [(q, [GOOD])])
        assert entry(plan_at(store, [q], DAY0), q.id).box == 2
        # a poor first take retried well in the same answer: the retry stands for it
        practise(store, DAY0 + timedelta(days=2), [(q, [POOR, GOOD])])
        item = entry(plan_at(store, [q], DAY0 + timedelta(days=2)), q.id)
        assert (item.box, item.reason) == (3, "scheduled")
        # a poor answer later the same day replaces that day's good one
        practise(store, DAY0 + timedelta(days=2, hours=3), [(q, [POOR])])
        item = entry(plan_at(store, [q], DAY0 + timedelta(days=2)), q.id)
        assert (item.box, item.reason) == (1, "missed_targets")


@pytest.fixture
def several_sessions(banks):
    """Four sessions over two weeks on four motivation questions; the rest never practised."""
    a, b, c, d = (question(banks, i) for i in ("fit-why-this-role", "fit-why-this-company",
                                               "fit-why-leaving", "fit-five-years"))
    with Store.open() as store:
        practise(store, DAY0, [(a, [GOOD]), (b, [GOOD]), (c, [GOOD])])
        practise(store, DAY0 + timedelta(days=3), [(a, [GOOD]), (c, [POOR])])
        practise(store, DAY0 + timedelta(days=9), [(d, [POOR, POOR])])
        practise(store, DAY0 + timedelta(days=10), [(b, [GOOD])])
    return a, b, c, d


def test_plan_puts_missed_then_a_few_new_then_due_then_the_other_new(banks, several_sessions):
    a, b, c, d = several_sessions
    pool = [q for bank in banks for q in bank.questions]
    with Store.open() as store:
        plan = plan_at(store, pool, DAY0 + timedelta(days=11))
    reasons = [item.reason for item in plan.items]
    # c missed on day 3, d on day 9: both missed fillers and length; the older first
    assert [i.question_id for i in plan.items[:2]] == [c.id, d.id]
    assert reasons[:2] == ["missed_targets"] * 2
    assert plan.items[0].missed == ("fillers", "length")
    assert plan.items[0].why == ("Your last answer (8 days ago) missed 2 targets: fillers and "
                                 "length.")
    assert plan.items[0].evidence[0].startswith("fillers: ")
    assert plan.items[0].evidence[0].endswith(" per 100 words (aim: 3 or fewer)")
    assert plan.items[0].evidence[1].startswith("length: ")
    assert plan.items[0].evidence[1].endswith("(aim: 0:45-1:30)")
    # then NEW_FIRST never-practised questions, each from another category
    new = plan.items[2:2 + NEW_FIRST]
    assert {i.reason for i in new} == {"never_practised"}
    assert len({i.category for i in new}) == NEW_FIRST
    # then a: good on days 0 and 3 (box 3, due day 7), 4 days overdue on day 11
    due = plan.items[2 + NEW_FIRST]
    assert (due.question_id, due.reason, due.box, due.overdue_days) == (a.id, "due", 3, 4)
    assert due.why == ("Due again, 4 days overdue: last answered 8 days ago, on every target "
                       "(box 3: every 4 days).")
    # the rest never practised; b (good on days 0 and 10) waits until day 14
    assert set(reasons[3 + NEW_FIRST:]) == {"never_practised"}
    assert len(plan.items) == len(pool) - 1
    [later] = plan.later
    assert (later.question_id, later.box, later.due_on) == (b.id, 3, date(2026, 3, 16))
    practised = {a.id, b.id, c.id, d.id}
    assert not practised & {i.question_id for i in plan.items if i.reason == "never_practised"}


def run(*args):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def clock(monkeypatch):
    """The CLI's clock, set to the morning of day 11."""
    monkeypatch.setattr(mockview.plan, "now", lambda: DAY0 + timedelta(days=11, hours=3))


def test_plan_json_through_the_cli(several_sessions, clock):
    a, b, c, d = several_sessions
    result = run("plan", "--json", "--count", "6")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["today"] == "2026-03-13"
    assert data["box_intervals_days"] == [1, 2, 4, 8, 16]
    assert "Leitner" in data["rule"]
    assert len(data["items"]) == 6 and data["total"] > 6
    first = data["items"][0]
    assert (first["question_id"], first["reason"], first["box"]) == (c.id, "missed_targets", 1)
    assert first["missed"] == ["fillers", "length"] and len(first["evidence"]) == 2
    assert data["items"][5]["question_id"] == a.id
    assert data["items"][5]["interval_days"] == 4
    assert [item["question_id"] for item in data["later"]] == [b.id]


def test_plan_in_the_terminal_says_each_reason(several_sessions, clock):
    a, b, c, d = several_sessions
    result = run("plan", "--category", "motivation-and-fit", "--count", "3")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    total = len([q for bank in load_banks() for q in bank.questions
                 if q.category == "motivation-and-fit"]) - 1
    assert lines[0] == (f"Practice plan for 2026-03-13 (the first 3 of {total}; "
                        f"all: mockview plan --count {total})")
    assert lines[2].startswith(f" 1. {c.id}  ")
    assert lines[3] == "    Your last answer (8 days ago) missed 2 targets: fillers and length."
    assert "Never practised." in result.stdout
    assert f"Later: 1 question(s) on target, the next due 2026-03-16 ({b.id})." in lines
    assert "Practise the first 3 with: mockview practice --plan" in result.stderr


def test_plan_on_an_empty_store_starts_with_questions_of_different_categories(clock):
    result = run("plan", "--json", "--count", "3")
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)["items"]
    assert [i["reason"] for i in items] == ["never_practised"] * 3
    assert len({i["category"] for i in items}) == 3


def test_plan_with_an_unknown_category_says_which_exist(clock):
    result = run("plan", "--category", "nope")
    assert result.exit_code == 1
    assert result.output.startswith("Error: No category 'nope'.")


def test_practice_plan_asks_the_first_n_of_the_plan(several_sessions, clock, monkeypatch):
    """The questions practice is given: the plan's first two (devices and model faked)."""
    import mockview.practice
    import mockview.recording
    import mockview.speech.transcription

    a, b, c, d = several_sessions
    asked = []

    class StopHere(MockviewError):
        pass

    class FakePractice:
        def __init__(self, questions, **kwargs):
            asked.extend(q.id for q in questions)

        def run(self):
            raise StopHere("stopped before recording")

    monkeypatch.setattr(mockview.recording, "check_input_device", lambda device: None)
    monkeypatch.setattr(mockview.speech.transcription, "load_model", lambda name: None)
    monkeypatch.setattr(mockview.practice, "Practice", FakePractice)
    result = run("practice", "--plan", "2", "--no-input")
    assert result.exit_code == 1 and "stopped before recording" in result.output
    assert asked == [c.id, d.id]
    assert f"From your plan: {c.id}: Your last answer (8 days ago) missed 2 targets" \
        in result.stderr


def test_practice_plan_refuses_question_and_count():
    result = run("practice", "--plan", "--question", "beh-disagree")
    assert result.exit_code == 2
    assert "--plan chooses the questions: give it without --question and --count" \
        in result.output
