"""Comparisons, trends and patterns on hand-made histories with known answers."""

import json
from dataclasses import replace
from datetime import timedelta, timezone

import pytest

from mockview.errors import MockviewError
from mockview.questions import Question
from mockview.records import SessionRecord, SessionSummary, TakeRecord
from mockview.trends import (
    SESSION_METRICS,
    TAKE_METRICS,
    TakeSpec,
    build_progress,
    compare_sessions,
    compare_takes,
    day_start_utc,
    filler_patterns,
    group_sessions,
    job_coverage,
    judge_change,
    kind_patterns,
    metric_trend,
    never_practised,
    off_target_checks,
    parse_compare_pair,
    parse_since,
    parse_take_spec,
    pause_positions,
    session_metrics,
    word_diff,
    worst_questions,
)

METRIC = {m.key: m for m in SESSION_METRICS + TAKE_METRICS}
_ids = iter(range(1, 1_000_000))


def take(session_id=1, *, answer_no=1, take_no=1, day=None, report=None, **numbers):
    """A take of a fluent 90 s behavioral answer, with ``numbers`` changed."""
    day = session_id if day is None else day
    values = dict(
        question_id="beh-1", question_text="Tell me about a conflict.",
        question_kind="behavioral", question_category="behavioral", audio_path=None,
        analysis_version="0.1.0", duration_s=100.0, speaking_s=80.0, word_count=200,
        words_per_minute=140.0, articulation_wpm=160.0, fillers_count=2,
        fillers_per_minute=1.0, fillers_per_100_words=1.0, long_pause_count=1,
        pause_ratio=0.2, length_verdict="within", within_target=True,
        rambling_flagged=False, top_filler="um",
    )
    values.update(numbers)
    if "length_verdict" in numbers and "within_target" not in numbers:
        verdict = numbers["length_verdict"]
        values["within_target"] = None if verdict is None else verdict == "within"
    return TakeRecord(
        take_id=next(_ids), session_id=session_id, answer_id=session_id * 100 + answer_no,
        answer_no=answer_no, take_no=take_no,
        recorded_at_utc=f"2026-01-{day:02d}T10:{answer_no:02d}:{take_no:02d}Z",
        report=report, **values)


def history(metric_values, **fixed):
    """One take per session, ``metric_values`` a dict of key -> list of per-session values."""
    count = len(next(iter(metric_values.values())))
    return [take(n + 1, **fixed, **{k: v[n] for k, v in metric_values.items()})
            for n in range(count)]


def report(*, pauses=(), words=()):
    return {
        "metrics": {
            "pauses": {"items": [{"long": long, "position": position}
                                 for position, long in pauses]},
        },
        "transcript": {"words": [{"text": w} for w in words]},
    }


def trend_of(progress, key):
    return next(t for t in progress.trends if t.metric.key == key)


# --- judging a change -----------------------------------------------------------------------


@pytest.mark.parametrize("key,a,b,outcome", [
    ("fillers_per_minute", 4.0, 2.0, "better"),
    ("fillers_per_minute", 2.0, 4.0, "worse"),
    ("fillers_per_minute", 4.0, 3.8, "same"),        # -5%: noise
    ("fillers_per_minute", 0.2, 0.5, "same"),        # +150%, but under half a filler a minute
    ("fillers_per_minute", 0.0, 1.0, "worse"),
    ("words_per_minute", 100.0, 130.0, "better"),    # into the 120-160 band
    ("words_per_minute", 150.0, 190.0, "worse"),
    ("words_per_minute", 200.0, 170.0, "better"),    # still fast, but closer
    ("words_per_minute", 150.0, 130.0, "on_target"),  # -13%, both inside the band: not "same"
    ("words_per_minute", 170.0, 160.0, "same"),      # -6%: listeners would not notice
    ("pause_ratio", 0.40, 0.25, "better"),
    ("pause_ratio", 0.10, 0.22, "better"),           # too few pauses is off target too
    ("pause_ratio", 0.20, 0.24, "on_target"),        # +20%, as far from 22% as before
    ("pause_ratio", 0.22, 0.40, "worse"),
    ("within_target_share", 0.5, 1.0, "better"),
    ("within_target_share", 0.5, 0.55, "same"),      # under 10 points
    ("rambling_share", 0.0, 0.5, "worse"),
    ("long_pauses_per_answer", 2.0, 1.0, "better"),
    ("long_pauses_per_answer", 1.0, 0.6, "same"),    # under half a pause per answer
    ("fillers_per_minute", None, 1.0, "not_comparable"),
])
def test_judge_change(key, a, b, outcome):
    assert judge_change(METRIC[key], a, b) == outcome


# --- session aggregates ---------------------------------------------------------------------


def test_session_metrics_known_values():
    takes = [
        take(answer_no=1, take_no=1, speaking_s=60, fillers_per_minute=4.0, fillers_count=6,
             word_count=150, words_per_minute=150, long_pause_count=2, pause_ratio=0.3,
             length_verdict="too_long", rambling_flagged=True),
        # the retry replaces answer 1 for the shares
        take(answer_no=1, take_no=2, speaking_s=30, fillers_per_minute=1.0, fillers_count=1,
             word_count=50, words_per_minute=100, long_pause_count=0, pause_ratio=0.1,
             length_verdict="within"),
        take(answer_no=2, speaking_s=90, fillers_per_minute=2.0, fillers_count=3,
             word_count=200, words_per_minute=120, long_pause_count=1, pause_ratio=0.2,
             length_verdict="long"),
        take(answer_no=3, word_count=0, words_per_minute=None, speaking_s=0, fillers_count=0,
             fillers_per_minute=0, pause_ratio=None, length_verdict=None),  # silence
    ]
    metrics = session_metrics(takes)
    assert metrics["fillers_per_minute"] == pytest.approx((4 * 60 + 1 * 30 + 2 * 90) / 180)
    assert metrics["words_per_minute"] == pytest.approx((150 + 100 + 120) / 3)
    assert metrics["fillers_per_100_words"] == pytest.approx(10 / 400 * 100)
    assert metrics["long_pauses_per_answer"] == pytest.approx(1.0)
    spans = (60.0, 30.0, 100.0)  # word_count * 60 / wpm
    assert metrics["pause_ratio"] == pytest.approx(
        (0.3 * spans[0] + 0.1 * spans[1] + 0.2 * spans[2]) / sum(spans))
    assert metrics["within_target_share"] == pytest.approx(0.5)  # take 1:2 within, 2 long
    assert metrics["rambling_share"] == 0.0  # the rambling take 1:1 was replaced


def test_a_silent_retry_does_not_replace_the_answer():
    """Issue 13: a retry that found no speech must not hide the answer given before it."""
    takes = [take(answer_no=1, take_no=1, length_verdict="too_long", rambling_flagged=True),
             take(answer_no=1, take_no=2, word_count=0, words_per_minute=None, speaking_s=0,
                  pause_ratio=None, length_verdict=None),
             take(answer_no=2, length_verdict="within")]
    metrics = session_metrics(takes)
    assert (metrics["within_target_share"], metrics["rambling_share"]) == (0.5, 0.5)
    assert metrics["words_per_minute"] == 140.0  # the rates count the first take


def test_session_metrics_without_speech_is_all_none():
    silent = take(word_count=0, words_per_minute=None, speaking_s=0, pause_ratio=None,
                  length_verdict=None)
    assert set(session_metrics([silent]).values()) == {None}
    assert set(session_metrics([]).values()) == {None}


# --- trends -----------------------------------------------------------------------------------


def test_fillers_falling_six_to_one_is_improving():
    takes = history({"fillers_per_minute": [6, 5, 4, 3, 2, 1]})
    trend = trend_of(build_progress(takes), "fillers_per_minute")
    assert trend.window == 3
    assert trend.first == pytest.approx(5.0)   # mean of 6, 5, 4
    assert trend.recent == pytest.approx(2.0)  # mean of 3, 2, 1
    assert trend.relative_change == pytest.approx(-0.6)
    assert trend.direction == "improving"
    assert trend.values == (6, 5, 4, 3, 2, 1)


def test_a_five_percent_change_is_steady_not_progress():
    takes = history({"fillers_per_minute": [4.0, 3.8], "words_per_minute": [100, 105]})
    progress = build_progress(takes)
    assert trend_of(progress, "fillers_per_minute").direction == "steady"
    assert trend_of(progress, "words_per_minute").direction == "steady"
    assert trend_of(progress, "fillers_per_minute").relative_change == pytest.approx(-0.05)


def test_rising_fillers_are_worsening_and_pace_into_band_is_improving():
    takes = history({"fillers_per_minute": [1.0, 1.5, 3.0, 4.0],
                     "words_per_minute": [95, 100, 125, 135]})
    progress = build_progress(takes)
    fillers = trend_of(progress, "fillers_per_minute")
    assert (fillers.window, fillers.first, fillers.recent) == (2, 1.25, 3.5)
    assert fillers.direction == "worsening"
    assert trend_of(progress, "words_per_minute").direction == "improving"


@pytest.mark.parametrize("count,window", [(2, 1), (3, 1), (4, 2), (5, 2), (6, 3), (9, 3)])
def test_trend_window_never_overlaps(count, window):
    trend = metric_trend(METRIC["fillers_per_minute"], [5.0] * count)
    assert trend.window == window
    assert trend.direction == "steady"


def test_trend_skips_sessions_that_did_not_measure_the_metric():
    trend = metric_trend(METRIC["within_target_share"], [0.0, None, 1.0])
    assert (trend.first, trend.recent, trend.direction) == (0.0, 1.0, "improving")
    assert metric_trend(METRIC["within_target_share"], [None, 1.0]).direction == \
        "not_enough_data"


def test_one_session_needs_one_more():
    progress = build_progress([take(1), take(1, answer_no=2)])
    assert len(progress.sessions) == 1
    assert progress.sessions_needed == 1
    assert {t.direction for t in progress.trends} == {"not_enough_data"}
    assert build_progress([]).sessions_needed == 2


def test_sessions_are_ordered_by_their_first_take():
    takes = [take(7, day=3), take(2, day=5), take(9, day=1)]
    assert [g[0].session_id for g in group_sessions(takes)] == [9, 7, 2]
    progress = build_progress(takes)
    assert [s.session_id for s in progress.sessions] == [9, 7, 2]
    assert progress.sessions[0].started_at_utc == "2026-01-01T10:01:01Z"


def test_filters_keep_only_matching_takes():
    takes = [take(1, day=1), take(2, day=10, question_id="intro-1", question_kind="intro",
                                  question_category="self-introduction"),
             take(3, day=20)]
    assert build_progress(takes, question_id="beh-1").take_count == 2
    assert build_progress(takes, category="self-introduction").take_count == 1
    since = build_progress(takes, since_utc="2026-01-10T00:00:00Z")
    assert [s.session_id for s in since.sessions] == [2, 3]
    assert since.filters == {"question_id": None, "category": None,
                             "since_utc": "2026-01-10T00:00:00Z"}


# --- patterns ----------------------------------------------------------------------------------


def test_like_was_top_filler_in_seven_of_eight_sessions():
    takes = [take(n, top_filler="like", fillers_count=4) for n in range(1, 8)]
    takes.append(take(8, top_filler="um", fillers_count=3))
    takes.append(take(8, answer_no=2, top_filler=None, fillers_count=0))
    fillers = build_progress(takes).patterns.fillers
    assert [f.to_dict() for f in fillers] == [
        {"text": "like", "sessions_top": 7, "session_count": 8, "takes_top": 7,
         "take_count": 9},
        {"text": "um", "sessions_top": 1, "session_count": 8, "takes_top": 1,
         "take_count": 9},
    ]
    assert build_progress(takes).patterns.top_filler.text == "like"


def test_a_sessions_top_filler_topped_most_of_its_takes():
    session = [take(1, answer_no=1, top_filler="um", fillers_count=2),
               take(1, answer_no=2, top_filler="like", fillers_count=9),
               take(1, answer_no=3, top_filler="um", fillers_count=1)]
    (um, like) = filler_patterns([session])
    assert (um.text, um.sessions_top, um.takes_top) == ("um", 1, 2)
    assert (like.text, like.sessions_top, like.takes_top) == ("like", 0, 1)


def test_a_tie_goes_to_the_filler_whose_takes_held_more_fillers():
    session = [take(1, answer_no=1, top_filler="um", fillers_count=2),
               take(1, answer_no=2, top_filler="so", fillers_count=5)]
    assert filler_patterns([session])[0].text == "so"
    even = [take(1, answer_no=1, top_filler="um", fillers_count=2),
            take(1, answer_no=2, top_filler="so", fillers_count=2)]
    assert filler_patterns([even])[0].text == "um"  # then the one said first


def test_no_fillers_no_filler_pattern():
    progress = build_progress([take(1, top_filler=None, fillers_count=0),
                               take(2, top_filler=None, fillers_count=0)])
    assert progress.patterns.top_filler is None
    assert progress.patterns.fillers == ()


def test_behavioral_answers_run_long_and_intros_do_not():
    takes = [take(1, answer_no=n, length_verdict=v)
             for n, v in enumerate(["too_long", "long", "within", "long"], 1)]
    takes += [take(2, answer_no=n, question_id="intro-1", question_kind="intro",
                   length_verdict=v) for n, v in enumerate(["within", "long", "short"], 1)]
    takes.append(take(3, length_verdict=None))  # no speech: no verdict
    kinds = {k.kind: k for k in kind_patterns(takes)}
    assert kinds["behavioral"].to_dict() == {"kind": "behavioral", "answers": 4,
                                             "over_target": 3, "under_target": 0,
                                             "share_over": 0.75, "runs_long": True}
    assert (kinds["intro"].over_target, kinds["intro"].under_target) == (1, 1)
    assert not kinds["intro"].runs_long
    assert [k.kind for k in kind_patterns(takes)] == ["behavioral", "intro"]


def test_one_long_answer_is_not_a_pattern():
    (kind,) = kind_patterns([take(length_verdict="too_long")])
    assert kind.share_over == 1.0 and not kind.runs_long


def test_long_pauses_counted_by_position():
    takes = [
        take(1, report=report(pauses=[("mid_clause", True), ("mid_clause", True),
                                      ("between_sentences", True),
                                      ("mid_clause", False)])),  # short: not counted
        take(2, report=report(pauses=[("after_filler", True), ("mid_clause", True)])),
        take(3),  # no report: skipped
    ]
    pauses = pause_positions(takes)
    assert pauses.to_dict() == {
        "long_count": 5, "takes_read": 2,
        "by_position": {"between_sentences": 1, "clause_boundary": 0, "mid_clause": 3,
                        "after_filler": 1}}


BANK = (
    Question("beh-1", "Tell me about a conflict.", "behavioral", "behavioral"),
    Question("beh-2", "Tell me about a failure.", "behavioral", "behavioral"),
    Question("intro-1", "Tell me about yourself.", "self-introduction", "intro"),
    Question("close-1", "Any questions for us?", "closing", "closing"),
)


def test_never_practised_questions_keep_bank_order():
    takes = [take(1, question_id="beh-1"), take(2, question_id="close-1"),
             take(3, question_id=None, question_text="Why us?")]
    assert [q.id for q in never_practised(takes, BANK)] == ["beh-2", "intro-1"]
    progress = build_progress(takes, questions=BANK)
    assert [q.id for q in progress.patterns.never_practised] == ["beh-2", "intro-1"]
    assert progress.patterns.question_pool == 4


def test_never_practised_within_a_category_or_for_one_question():
    takes = [take(1, question_id="beh-1")]
    progress = build_progress(takes, questions=BANK, category="behavioral")
    assert [q.to_dict() for q in progress.patterns.never_practised] == [
        {"id": "beh-2", "text": "Tell me about a failure.", "category": "behavioral",
         "kind": "behavioral"}]
    assert progress.patterns.question_pool == 2
    assert build_progress(takes, questions=BANK, question_id="beh-1") \
        .patterns.never_practised is None
    assert build_progress(takes).patterns.never_practised is None


def test_off_target_checks():
    assert off_target_checks(take()) == []
    bad = take(fillers_per_100_words=5.0, words_per_minute=185.0, pause_ratio=0.4,
               length_verdict="too_long", rambling_flagged=True)
    assert off_target_checks(bad) == ["fillers", "pace", "pauses", "length", "rambling"]
    assert off_target_checks(take(words_per_minute=None, pause_ratio=None,
                                  length_verdict=None)) == []


def test_worst_questions_by_mean_checks_missed():
    takes = [
        # beh-1: 2 and 0 checks missed: mean 1.0
        take(1, fillers_per_100_words=4.0, rambling_flagged=True),
        take(2),
        # intro-1: 3 missed in its one take
        take(3, question_id="intro-1", question_text="Tell me about yourself.",
             words_per_minute=190.0, length_verdict="too_long", rambling_flagged=True),
        # a typed question without a bank id: 1 missed
        take(4, question_id=None, question_text="Why us?", pause_ratio=0.5),
        # close-1 meets every target: not listed
        take(5, question_id="close-1"),
    ]
    worst = worst_questions(takes)
    assert [(s.question_id, s.question_text, s.mean_off_target) for s in worst] == [
        ("intro-1", "Tell me about yourself.", 3.0),
        ("beh-1", "Tell me about a conflict.", 1.0),
        (None, "Why us?", 1.0),
    ]
    assert worst[0].off_target == {"pace": 1, "length": 1, "rambling": 1}
    assert worst[1].to_dict() == {"question_id": "beh-1",
                                  "question_text": "Tell me about a conflict.", "takes": 2,
                                  "mean_off_target": 1.0,
                                  "off_target": {"fillers": 1, "rambling": 1}}
    assert len(worst_questions(takes, limit=1)) == 1


def test_progress_to_dict_is_json():
    takes = [take(n, report=report(pauses=[("mid_clause", True)])) for n in (1, 2, 3)]
    data = json.loads(json.dumps(build_progress(takes, questions=BANK).to_dict()))
    assert set(data) == {"filters", "session_count", "take_count", "sessions_needed",
                         "noise_ratio", "sessions", "trends", "patterns", "notes", "job"}
    assert data["job"] is None
    assert data["session_count"] == 3 and data["sessions_needed"] == 0
    assert set(data["sessions"][0]) == {"session_id", "started_at_utc", "answer_count",
                                        "take_count", "metrics"}
    assert [t["key"] for t in data["trends"]] == [m.key for m in SESSION_METRICS]
    assert set(data["trends"][0]) == {"key", "label", "unit", "goal", "first", "recent",
                                      "window", "change", "relative_change", "direction"}
    assert set(data["patterns"]) == {"top_filler", "fillers", "kinds", "long_pause_positions",
                                     "worst_questions", "never_practised", "question_pool",
                                     "star", "hedges", "voice"}


def test_mixed_analysis_versions_are_noted():
    takes = [take(1), take(2, analysis_version="0.2.0")]
    (note,) = build_progress(takes).notes
    assert "0.1.0, 0.2.0" in note and "mockview reanalyze" in note


# --- specs ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value,spec", [
    ("12", TakeSpec(12)),
    ("12:2", TakeSpec(12, 2)),
    ("12:2:1", TakeSpec(12, 2, 1)),
    (" 7:1 ", TakeSpec(7, 1)),
])
def test_parse_take_spec(value, spec):
    assert parse_take_spec(value) == spec
    assert str(spec) == value.strip()
    assert spec.is_session == (":" not in value)


@pytest.mark.parametrize("value", ["12:x", "", "0", "-0", "12:0", "1:2:3:4", "1:-1", "12:",
                                   "a", "1.5", "last:0"])
def test_bad_take_spec_names_the_value_and_the_forms(value):
    with pytest.raises(MockviewError) as error:
        parse_take_spec(value)
    assert str(error.value) == (
        f"'{value}' is not a session, answer or take. Give SESSION (12, or last, -1 for the"
        " latest), SESSION:ANSWER (12:2, its latest take with speech) or SESSION:ANSWER:TAKE"
        " (12:2:1); see: mockview history.")


@pytest.mark.parametrize("value,spec", [("last", TakeSpec(-1)), ("Latest:2", TakeSpec(-1, 2)),
                                        ("-2:1:3", TakeSpec(-2, 1, 3)), ("12", TakeSpec(12))])
def test_take_spec_names_a_session_back_from_the_latest(value, spec):
    assert parse_take_spec(value) == spec


def test_a_session_and_a_take_do_not_compare():
    assert parse_compare_pair("3", "4") == (TakeSpec(3), TakeSpec(4))
    assert parse_compare_pair("3:1", "4:2:2") == (TakeSpec(3, 1), TakeSpec(4, 2, 2))
    with pytest.raises(MockviewError, match=r"^Cannot compare 3 with 4:1: compare two"):
        parse_compare_pair("3", "4:1")


# --- word diff ------------------------------------------------------------------------------


def test_word_diff_ops():
    a = "Um, I led the team and, like, we shipped it.".split()
    b = "I led the team and we shipped it early.".split()
    ops = word_diff(a, b)
    assert [op.to_dict() for op in ops] == [
        {"op": "delete", "a": ["Um,"], "b": []},
        {"op": "equal", "a": ["I", "led", "the", "team", "and,"],
         "b": ["I", "led", "the", "team", "and"]},
        {"op": "delete", "a": ["like,"], "b": []},
        {"op": "equal", "a": ["we", "shipped", "it."], "b": ["we", "shipped", "it"]},
        {"op": "insert", "a": [], "b": ["early."]},
    ]


def test_word_diff_matches_case_and_punctuation_but_not_apostrophes():
    assert [op.op for op in word_diff(["Well,", "I'm", "here."], ["well", "I'm", "here"])] == \
        ["equal"]
    assert [op.op for op in word_diff(["I'm"], ["Im"])] == ["replace"]
    assert word_diff([], []) == ()
    assert [op.to_dict() for op in word_diff([], ["Hi."])] == \
        [{"op": "insert", "a": [], "b": ["Hi."]}]


def test_word_diff_of_long_answers_keeps_common_words():
    # autojunk would drop "the" (over 1% of 200+ words) from matching
    a = ("the cat saw the dog " * 60).split()
    b = ("the cat saw the dog " * 59 + "the cat met the dog").split()
    ops = word_diff(a, b)
    assert sum(len(op.a) for op in ops if op.op == "equal") == len(a) - 1


# --- comparisons ------------------------------------------------------------------------------


def test_compare_takes_directions_and_diff():
    before = take(1, take_no=1, fillers_per_minute=6.0, fillers_per_100_words=4.0,
                  words_per_minute=185.0, long_pause_count=3, pause_ratio=0.4,
                  duration_s=200.0, length_verdict="too_long", rambling_flagged=True,
                  report=report(words="Um, so I led it.".split()))
    after = take(1, take_no=2, fillers_per_minute=1.0, fillers_per_100_words=1.0,
                 words_per_minute=150.0, long_pause_count=3, pause_ratio=0.45,
                 duration_s=110.0, length_verdict="within", rambling_flagged=False,
                 report=report(words="I led it.".split()))
    comparison = compare_takes(before, after)
    outcomes = {m.metric.key: m.outcome for m in comparison.metrics
                if m.metric.group == "speech"}
    # neither take measured content or voice (as with reports from before those analyses)
    assert {m.outcome for m in comparison.metrics if m.metric.group != "speech"} == {
        "not_comparable"}
    assert outcomes == {"fillers_per_minute": "better", "fillers_per_100_words": "better",
                        "words_per_minute": "better", "long_pause_count": "same",
                        "pause_ratio": "worse", "duration_s": "better",
                        "rambling_flagged": "better"}
    length = next(m for m in comparison.metrics if m.metric.key == "duration_s")
    assert (length.a_note, length.b_note, length.change) == ("too_long", "within", -90.0)
    assert comparison.notes == ()
    assert [op.op for op in comparison.diff] == ["delete", "equal"]
    assert comparison.a.spec == "1:1:1" and comparison.b.spec == "1:1:2"


def test_compare_takes_of_different_questions_says_so():
    a = take(1, report=report(words=["Hi."]))
    b = take(2, question_id="intro-1", report=report(words=["Hi."]))
    (note,) = compare_takes(a, b).notes
    assert note == ("A and B answer different questions (beh-1 and intro-1): the numbers and"
                    " the word diff compare two different answers.")
    typed = take(3, question_id=None, question_text="Why us?", report=report())
    assert "(beh-1 and “Why us?”)" in compare_takes(a, typed).notes[0]


def test_compare_a_take_with_itself_and_without_transcripts():
    a = take(1, report=report(words=["Hi."]))
    assert compare_takes(a, a).notes == ("A and B are the same take.",)
    assert {m.outcome for m in compare_takes(a, a).metrics
            if m.metric.group == "speech"} == {"same"}
    bare = take(1, take_no=2)
    comparison = compare_takes(a, bare)
    assert comparison.diff is None
    assert comparison.notes == ("No stored transcript for B: no word diff.",)


def test_compare_takes_without_speech_is_not_comparable():
    silent = take(1, take_no=2, word_count=0, words_per_minute=None, pause_ratio=None,
                  length_verdict=None, report=report())
    outcomes = {m.metric.key: m.outcome
                for m in compare_takes(take(1, report=report()), silent).metrics}
    assert outcomes["words_per_minute"] == "not_comparable"
    assert outcomes["duration_s"] == "not_comparable"


def summary(session_id, takes):
    return SessionSummary(session_id=session_id, started_at_utc=takes[0].recorded_at_utc,
                          source="practice", answer_count=len({t.answer_id for t in takes}),
                          take_count=len(takes), speaking_s=0.0, fillers_per_minute=None,
                          words_per_minute=None, within_target_share=None, rambling_count=0)


def test_compare_sessions():
    first = [take(1, answer_no=1, fillers_per_minute=5.0, length_verdict="too_long",
                  rambling_flagged=True),
             take(1, answer_no=2, fillers_per_minute=3.0, length_verdict="within")]
    second = [take(2, answer_no=1, fillers_per_minute=2.0, length_verdict="within"),
              take(2, answer_no=2, fillers_per_minute=2.0, length_verdict="within")]
    comparison = compare_sessions(SessionRecord(summary(1, first), tuple(first)),
                                  SessionRecord(summary(2, second), tuple(second)))
    rows = {m.metric.key: m for m in comparison.metrics}
    assert [m.metric.key for m in comparison.metrics] == [m.key for m in SESSION_METRICS]
    assert (rows["fillers_per_minute"].a, rows["fillers_per_minute"].b) == (4.0, 2.0)
    assert rows["fillers_per_minute"].relative_change == pytest.approx(-0.5)
    assert rows["fillers_per_minute"].outcome == "better"
    assert rows["within_target_share"].outcome == "better"
    assert rows["rambling_share"].outcome == "better"
    assert rows["words_per_minute"].outcome == "same"
    data = json.loads(json.dumps(comparison.to_dict()))
    assert data["kind"] == "sessions" and data["diff"] is None
    assert data["a"]["spec"] == "1" and data["a"]["answer_count"] == 2
    assert set(data["metrics"][0]) == {"key", "label", "unit", "goal", "a", "b", "change",
                                       "relative_change", "outcome", "a_note", "b_note"}


# --- dates --------------------------------------------------------------------------------------


def test_day_start_is_the_start_of_the_local_day_in_utc():
    assert day_start_utc("2026-03-01", tz=timezone.utc) == "2026-03-01T00:00:00Z"
    east, west = timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))
    assert day_start_utc("2026-03-01", tz=east) == "2026-02-28T22:00:00Z"
    assert day_start_utc("2026-03-01", tz=west) == "2026-03-01T05:00:00Z"
    assert day_start_utc("2026-03-01").endswith("Z")


@pytest.mark.parametrize("value", ["2026-13-01", "01/03/2026", "2026-3-1", "yesterday", ""])
def test_bad_since(value):
    with pytest.raises(MockviewError) as error:
        parse_since(value)
    assert str(error.value) == (f"--since '{value}' is not a date. Give it as YYYY-MM-DD,"
                                " for example 2026-01-31.")


def test_history_helper_is_sane():
    # the helper the tests above rely on: one session per value, dates in order
    takes = history({"fillers_per_minute": [3, 2]})
    assert [t.session_id for t in takes] == [1, 2]
    assert replace(takes[0], take_no=2).take_no == 2


# --- what the answer says and how it sounded --------------------------------------------------


CONTENT = dict(star_missing="", star_missing_count=0, action_share=0.45, concrete_results=2,
               we_share=0.2, hedges_count=1, hedges_per_100_words=0.5, keyword_coverage=0.5,
               opening_verdict="clear", ending_verdict="conclusion")
VOICE = dict(pitch_variation_semitones=3.0, monotone=False, uptalk_share=0.0, fades_count=0)


@pytest.mark.parametrize("key,a,b,outcome", [
    ("star_missing_per_answer", 2.0, 1.0, "better"),
    ("star_missing_per_answer", 1.0, 0.6, "same"),     # under half a part per answer
    ("action_share", 0.20, 0.45, "better"),             # into the 40-50% band
    ("action_share", 0.42, 0.48, "on_target"),          # +14%, inside the band either way
    ("concrete_results_per_answer", 0.5, 2.0, "better"),
    ("we_share", 0.8, 0.4, "better"),
    ("we_share", 0.50, 0.42, "same"),                  # under 10 points
    ("hedges_per_100_words", 3.0, 1.0, "better"),
    ("hedges_per_100_words", 1.0, 1.3, "same"),        # under half a hedge per 100 words
    ("clear_opening_share", 0.5, 1.0, "better"),
    ("pitch_variation_semitones", 1.5, 3.0, "better"),
    ("pitch_variation_semitones", 3.0, 2.7, "same"),   # -10%, but under half a semitone
    ("monotone_share", 0.0, 1.0, "worse"),
    ("uptalk_share", 0.5, 0.1, "better"),
    ("fades_per_answer", 1.0, 3.0, "worse"),
])
def test_judge_change_of_content_and_voice(key, a, b, outcome):
    assert judge_change(METRIC[key], a, b) == outcome


def test_content_and_voice_session_metrics_known_values():
    takes = [
        # answer 1 retried: its first take counts for means, not for the answer's verdicts
        take(answer_no=1, take_no=1, word_count=100, **{
            **CONTENT, "star_missing": "task,result", "star_missing_count": 2,
            "hedges_count": 4, "opening_verdict": "throat_clearing",
            "ending_verdict": "trails_off", "action_share": 0.2, "concrete_results": 0},
            **{**VOICE, "monotone": True, "uptalk_share": 0.5, "fades_count": 2}),
        take(answer_no=1, take_no=2, word_count=200, **CONTENT, **VOICE),
        # an old take of answer 2: none of it measured
        take(answer_no=2, word_count=300),
    ]
    m = session_metrics(takes)
    assert m["star_missing_per_answer"] == 0.0  # answer 1's latest take; answer 2 unjudged
    assert m["action_share"] == pytest.approx((0.2 + 0.45) / 2)
    assert m["concrete_results_per_answer"] == pytest.approx(1.0)
    assert m["we_share"] == pytest.approx(0.2)
    assert m["hedges_per_100_words"] == pytest.approx(5 / 300 * 100)  # pooled: 5 in 300
    assert m["keyword_coverage"] == pytest.approx(0.5)
    assert m["clear_opening_share"] == 1.0 and m["conclusion_share"] == 1.0
    assert m["pitch_variation_semitones"] == pytest.approx(3.0)
    assert m["monotone_share"] == pytest.approx(0.5)
    assert m["uptalk_share"] == pytest.approx(0.25)
    assert m["fades_per_answer"] == pytest.approx(1.0)


def test_old_takes_measure_no_content_or_voice():
    progress = build_progress([take(n) for n in (1, 2, 3, 4)])
    groups = {m.key: m.group for m in SESSION_METRICS}
    for trend in progress.trends:
        if groups[trend.metric.key] != "speech":
            assert trend.values == (None,) * 4 and trend.direction == "not_enough_data"
    patterns = progress.patterns
    assert (patterns.star.judged_takes, patterns.star.most_missing) == (0, None)
    assert (patterns.hedges.takes, patterns.hedges.per_100_words) == (0, None)
    assert patterns.voice.sessions == 0
    data = json.loads(json.dumps(progress.to_dict()))
    assert data["patterns"]["star"] == {"judged_takes": 0, "most_missing": None, "missing": {
        "situation": 0, "task": 0, "action": 0, "result": 0}}


def test_content_trends_start_where_the_analysis_started():
    old = [take(1), take(2)]
    new = [take(n, **{**CONTENT, "hedges_count": h}) for n, h in ((3, 8), (4, 6), (5, 2),
                                                                   (6, 1))]
    progress = build_progress(old + new)
    hedges = trend_of(progress, "hedges_per_100_words")
    assert hedges.values == (None, None, 4.0, 3.0, 1.0, 0.5)
    assert (hedges.window, hedges.first, hedges.recent) == (2, 3.5, 0.75)
    assert hedges.direction == "improving"
    assert trend_of(progress, "fillers_per_minute").window == 3


def test_we_share_within_its_floor_is_steady():
    takes = [take(n, **{**CONTENT, "we_share": v}) for n, v in ((1, 0.50), (2, 0.45))]
    assert trend_of(build_progress(takes), "we_share").direction == "steady"


def test_the_result_is_the_star_part_most_often_missing():
    missing = ["result", "task,result", "", "result", None, "situation"]
    takes = [take(n, star_missing=m, star_missing_count=None if m is None else
                  len([p for p in m.split(",") if p])) for n, m in enumerate(missing, 1)]
    star = build_progress(takes).patterns.star
    assert star.judged_takes == 5  # take 5 was not judged
    assert star.missing == {"situation": 1, "task": 1, "action": 0, "result": 3}
    assert star.most_missing == ("result", 3)
    assert star.to_dict()["most_missing"] == {"part": "result", "takes": 3}


def test_hedging_pattern_counts_takes_that_hedge_often_and_what_they_say():
    def hedged(n, count, words, top=()):
        content = {"judged": True, "hedges": {"top": [{"text": t, "count": c}
                                                      for t, c in top]}}
        return take(n, hedges_count=count, word_count=words,
                    report={"metrics": {"content": content}})

    takes = [hedged(1, 3, 100, [("i guess", 2), ("maybe", 1)]),   # 3 per 100: often
             hedged(2, 4, 400, [("kind of", 4)]),                  # 1 per 100: not
             hedged(3, 2, 50, [("i guess", 2)]),                   # 4 per 100, but only 2
             take(4, report={"metrics": {"content": {"judged": False}}})]
    hedges = build_progress(takes).patterns.hedges
    assert (hedges.takes, hedges.takes_often) == (3, 1)
    assert hedges.per_100_words == pytest.approx(9 / 550 * 100)
    assert hedges.top == (("i guess", 4), ("kind of", 4), ("maybe", 1))
    assert hedges.reports_read == 3


def test_monotone_and_uptalk_in_recent_sessions_measured_for_delivery():
    voice = [None, None,  # sessions 1-2 before delivery analysis
             (True, 0.0), (False, 0.5), (True, 0.3), (False, 0.0), (True, 0.1), (False, 0.1)]
    takes = [take(n) if v is None else take(n, monotone=v[0], uptalk_share=v[1])
             for n, v in enumerate(voice, 1)]
    # session 5 has a second take: monotone in 1 of its 2 measured takes still counts
    takes.append(take(5, answer_no=2, monotone=False, uptalk_share=0.3))
    pattern = build_progress(takes).patterns.voice
    # the last 5 measured: sessions 4-8
    assert (pattern.sessions, pattern.monotone_sessions, pattern.uptalk_sessions) == (5, 2, 2)


# --- job coverage -----------------------------------------------------------------------------


JOB = "\n".join([
    "# Data Engineer",
    "We need Python, data pipelines, Kubernetes and stakeholder management.",
    "You will build data pipelines in Python and run Kubernetes.",
])


def test_job_coverage_counts_takes_and_the_latest_one():
    from mockview.analysis.content import JobDescription
    from mockview.store.wordforms import term_rules

    takes = [take(1), take(2), take(3, answer_no=2), take(4)]
    rules = term_rules(JobDescription(JOB))
    terms = [r.term for r in rules]
    assert terms == ["Python", "data pipelines", "Kubernetes", "data engineer",
                     "stakeholder management"]
    filtered_out = max(t.take_id for t in takes) + 1  # a take progress was not asked about
    said = [{takes[0].take_id, takes[1].take_id, filtered_out},
            {takes[0].take_id, takes[2].take_id}, set(), set(), {filtered_out}]
    coverage = job_coverage(takes, "Data Engineer", rules, said)
    used = {t.term: (t.takes, t.last_take, t.last_at_utc) for t in coverage.terms}
    assert used["Python"] == (2, "2:1:1", "2026-01-02T10:01:01Z")
    assert used["data pipelines"] == (2, "3:2:1", "2026-01-03T10:02:01Z")
    assert used["Kubernetes"] == used["stakeholder management"] == (0, None, None)
    assert [t.term for t in coverage.never] == ["Kubernetes", "data engineer",
                                                "stakeholder management"]
    assert [t.term for t in coverage.mentioned] == ["Python", "data pipelines"]
    assert coverage.take_count == 4
    data = coverage.to_dict()
    assert (data["title"], data["term_count"], data["mentioned_count"]) == (
        "Data Engineer", 5, 2)
    assert data["never"] == ["Kubernetes", "data engineer", "stakeholder management"]


def test_job_terms_come_from_the_text_when_not_given():
    from mockview.analysis.content import JobDescription, job_terms, term_lemmas
    from mockview.store.wordforms import term_rules

    rules = term_rules(JobDescription(JOB))
    assert [(r.term, r.kind) for r in rules] == [(t.term, t.kind) for t in job_terms(JOB)]
    # a short name found in the text matches by its spelling only; a given term by both
    names = term_rules(JobDescription("We use Go and AWS. Go and AWS daily."))
    assert [(r.term, r.kind, r.lemmas, r.short_word) for r in names] == [
        ("AWS", "name", (), "AWS"), ("Go", "name", (), "Go")]
    given = term_rules(JobDescription(JOB, terms=("AWS",)))
    assert [(r.term, r.kind, r.lemmas) for r in given] == [
        ("AWS", "given", term_lemmas("AWS"))]
