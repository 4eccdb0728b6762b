"""A practice plan: which bank questions to practise next, and why (pure).

From the stored takes and the bank questions, ``build_plan`` ranks:

1. **missed targets**: questions whose last answer missed any of the checks that
   ``progress`` scores questions on (``trends.off_target_checks``: fillers, pace, pauses,
   length, rambling), most targets missed first;
2. **never practised**: the first ``NEW_FIRST`` of them, taken in turn from each category so
   the top of the plan is not one kind of question;
3. **due again**: questions whose spaced-repetition interval has run out, most overdue first;
4. the other never-practised questions.

The schedule is a Leitner box system (Sebastian Leitner, *So lernt man lernen*, 1972): a
question starts in box 1; an answer that meets every target moves it up one box (to at most
box 5), one that misses any target sends it back to box 1. A question in box *n* is due
``BOX_INTERVALS_DAYS[n - 1]`` days after it was last answered: 1, 2, 4, 8 and 16 days, so the
interval doubles after each good answer and falls to a day after a poor one.

A question counts once a day (its day's last answer; days in the local time zone): retrying
an answer five times in a row is one review, not five. An answer counts by the take that
stands for it (``records.representative``); an answer with no speech is no review.
The clock is a parameter (``now``), so tests can move it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo

from mockview import numbers
from mockview.analysis.settings import AnalysisSettings
from mockview.records import TakeRecord, representatives
from mockview.trends import OFF_TARGET_CHECKS, off_target_checks

#: Days until a question in box 1, 2, ... 5 is due again.
BOX_INTERVALS_DAYS = (1, 2, 4, 8, 16)
#: How many never-practised questions come before the questions due again.
NEW_FIRST = 3
#: The rule as the plan states it (terminal and JSON).
RULE = ("Leitner boxes (Leitner 1972): an answer that meets every target moves the question "
        "up a box, one that misses any sends it back to box 1; boxes 1-5 come due after "
        "1, 2, 4, 8 and 16 days.")

MISSED = "missed_targets"
NEVER = "never_practised"
DUE = "due"
LATER = "scheduled"


@dataclass(frozen=True)
class Review:
    """One day's answer to a question: the take that stands for it, and what it missed."""

    day: date
    take: TakeRecord
    missed: tuple[str, ...]  # of OFF_TARGET_CHECKS

    @property
    def good(self) -> bool:
        return not self.missed


@dataclass(frozen=True)
class Schedule:
    """Where a question stands in the boxes after its ``reviews``."""

    box: int  # 1..len(BOX_INTERVALS_DAYS)
    reviews: int
    last_day: date
    due_day: date

    @property
    def interval_days(self) -> int:
        return BOX_INTERVALS_DAYS[self.box - 1]


def schedule(reviews: Sequence[Review]) -> Schedule:
    """The box and due day after ``reviews`` (oldest first, at least one)."""
    if not reviews:
        raise ValueError("a schedule needs at least one review")
    box = 1
    for review in reviews:
        box = min(box + 1, len(BOX_INTERVALS_DAYS)) if review.good else 1
    last = reviews[-1].day
    return Schedule(box=box, reviews=len(reviews), last_day=last,
                    due_day=last + timedelta(days=BOX_INTERVALS_DAYS[box - 1]))


@dataclass(frozen=True)
class PlanItem:
    """One question of the plan and why it is there."""

    question_id: str
    text: str
    category: str | None
    kind: str | None
    reason: str  # MISSED, NEVER, DUE or LATER
    why: str  # the reason in one sentence
    missed: tuple[str, ...] = ()  # the checks the last answer missed
    evidence: tuple[str, ...] = ()  # the last answer's numbers for them ("pace: 172 wpm ...")
    last_practised_utc: str | None = None
    box: int | None = None
    due_on: date | None = None
    overdue_days: int | None = None  # days past due (0: due today); None when not due

    def to_dict(self) -> dict:
        return {"question_id": self.question_id, "text": self.text,
                "category": self.category, "kind": self.kind, "reason": self.reason,
                "why": self.why, "missed": list(self.missed), "evidence": list(self.evidence),
                "last_practised_utc": self.last_practised_utc, "box": self.box,
                "interval_days": BOX_INTERVALS_DAYS[self.box - 1] if self.box else None,
                "due_on": self.due_on.isoformat() if self.due_on else None,
                "overdue_days": self.overdue_days}


@dataclass(frozen=True)
class Plan:
    """What to practise next (``items``, first first) and what is scheduled for later."""

    today: date
    items: tuple[PlanItem, ...]
    later: tuple[PlanItem, ...]  # practised, on target and not due yet; soonest first

    def to_dict(self) -> dict:
        return {"today": self.today.isoformat(), "rule": RULE,
                "box_intervals_days": list(BOX_INTERVALS_DAYS),
                "items": [item.to_dict() for item in self.items],
                "later": [item.to_dict() for item in self.later]}


def reviews_by_question(takes: Iterable[TakeRecord], *,
                        tz: tzinfo | None = None) -> dict[str, list[Review]]:
    """Each question id's reviews, oldest first: per day, its last answer with speech."""
    by_day: dict[tuple[str, date], TakeRecord] = {}
    answers = [t for t in representatives(t for t in takes if t.question_id) if t.has_speech]
    for take in sorted(answers, key=lambda t: (t.recorded_at_utc, t.take_id)):
        by_day[(take.question_id, local_day(take.recorded_at_utc, tz))] = take
    reviews: dict[str, list[Review]] = {}
    for (question_id, day), take in sorted(by_day.items(), key=lambda kv: kv[0][1]):
        reviews.setdefault(question_id, []).append(
            Review(day, take, tuple(off_target_checks(take))))
    return reviews


def build_plan(takes: Iterable[TakeRecord], questions: Sequence, *, now: datetime,
               tz: tzinfo | None = None) -> Plan:
    """The plan for the bank ``questions`` (``questions.Question``s, bank order) from every
    stored take, on the day of ``now`` (an aware datetime) in ``tz`` (local when None).

    Takes of questions not among ``questions`` (another bank, a question given as text)
    are left out: the plan only names questions ``practice`` can ask.
    """
    today = now.astimezone(tz).date()
    reviews = reviews_by_question(takes, tz=tz)
    missed, due, later, never = [], [], [], []
    for question in questions:
        done = reviews.get(question.id)
        if not done:
            never.append(_item(question, NEVER, "Never practised."))
            continue
        plan = schedule(done)
        last = done[-1]
        common = {"last_practised_utc": last.take.recorded_at_utc, "box": plan.box,
                  "due_on": plan.due_day}
        overdue = (today - plan.due_day).days
        if not last.good:
            missed.append(_item(
                question, MISSED, _missed_sentence(last, today), missed=last.missed,
                evidence=tuple(_evidence(last.take, check, question) for check in last.missed),
                overdue_days=overdue if overdue >= 0 else None, **common))
        elif overdue >= 0:
            late = f", {_days(overdue)} overdue" if overdue else ""
            due.append(_item(
                question, DUE, f"Due again{late}: last answered {_when(last.day, today)}, "
                f"on every target (box {plan.box}: every {_days(plan.interval_days)}).",
                overdue_days=overdue, **common))
        else:
            later.append(_item(
                question, LATER, f"Met every target {_when(last.day, today)}; due again "
                f"{_on(plan.due_day, today)} (box {plan.box}: every "
                f"{_days(plan.interval_days)}).", **common))
    missed.sort(key=lambda i: (-len(i.missed), i.last_practised_utc))
    due.sort(key=lambda i: (-i.overdue_days, i.box))
    later.sort(key=lambda i: i.due_on)
    never = _by_category_in_turn(never)
    items = [*missed, *never[:NEW_FIRST], *due, *never[NEW_FIRST:]]
    return Plan(today=today, items=tuple(items), later=tuple(later))


def now() -> datetime:
    """The clock the CLI reads the plan's day from (tests replace it)."""
    return datetime.now(timezone.utc)


def local_day(utc: str, tz: tzinfo | None = None) -> date:
    """The day (in ``tz``, local when None) of a stored UTC time ("2026-01-05T09:00:00Z")."""
    moment = datetime.fromisoformat(utc.replace("Z", "+00:00"))
    return moment.astimezone(tz).date()


def _item(question, reason: str, why: str, **fields) -> PlanItem:
    return PlanItem(question_id=question.id, text=question.text,
                    category=getattr(question, "category", None),
                    kind=getattr(question, "kind", None), reason=reason, why=why, **fields)


def _by_category_in_turn(items: list[PlanItem]) -> list[PlanItem]:
    """``items`` taken one from each category in turn (categories and items in their order)."""
    groups: dict[str | None, list[PlanItem]] = {}
    for item in items:
        groups.setdefault(item.category, []).append(item)
    ordered = []
    while any(groups.values()):
        for group in groups.values():
            if group:
                ordered.append(group.pop(0))
    return ordered


def _missed_sentence(last: Review, today: date) -> str:
    names = [c for c in OFF_TARGET_CHECKS if c in last.missed]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"
    targets = "target" if len(names) == 1 else "targets"
    return f"Your last answer ({_when(last.day, today)}) missed {len(names)} {targets}: {listed}."


def _evidence(take: TakeRecord, check: str, question) -> str:
    """The last answer's number for a missed check, with its aim."""
    settings = AnalysisSettings()
    if check == "fillers":
        return (f"fillers: {numbers.one_decimal(take.fillers_per_100_words)} per 100 words "
                f"(aim: {settings.fillers_good_per_100_words:g} or fewer)")
    if check == "pace":
        low, high = settings.pace_target_wpm
        return f"pace: {numbers.wpm(take.words_per_minute)} (aim: {low:g}-{high:g})"
    if check == "pauses":
        return (f"pauses: {numbers.percent(take.pause_ratio)} of the answer "
                f"(aim: {numbers.percent(settings.pause_ratio_flag)} or less)")
    if check == "length":
        target = question.length_target
        return (f"length: {numbers.duration(take.duration_s)} "
                f"(aim: {numbers.clock(target.min_s)}-{numbers.clock(target.max_s)})")
    return "rambling: the answer was flagged as rambling"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _when(day: date, today: date) -> str:
    """When an answer was given, from ``today``: "today", "yesterday", "5 days ago"."""
    ago = (today - day).days
    if ago <= 0:
        return "today"
    return "yesterday" if ago == 1 else f"{ago} days ago"


def _on(day: date, today: date) -> str:
    ahead = (day - today).days
    if ahead == 1:
        return "tomorrow"
    return f"in {ahead} days ({day.isoformat()})"
