"""Follow-up questions recorded as linked takes, and `mockview interview`'s plan and
scorecard: the session loop with a fake microphone and model (tests/test_practice.py's),
the store real (SQLite in the test's MOCKVIEW_HOME). The microphone path is in
test_interview_mic.py."""

from __future__ import annotations

import random
import sqlite3

import pytest

from mockview.followups import FOLLOW_UP_TARGET_S, FollowUpQuestion
from mockview.interview import (
    CLOSING_ID,
    OPENER_ID,
    TERM_TEMPLATES,
    interview_json,
    job_questions,
    plan_interview,
    scorecard,
)
from mockview.practice import Action, Practice, PracticeSettings
from mockview.questions import load_banks, select_questions
from mockview.render.html import session_page
from mockview.render.markdown import session_json, session_markdown
from mockview.store import Store, migrations
from mockview.trends import build_progress
from tests.test_practice import FakeRecorder, FakeTranscriber, FakeUI

#: A behavioral answer with its situation, task and actions, and no result (62 words).
NO_RESULT = ("Last year our team disagreed about the release plan. My task was to get the two "
             "leads to agree on one schedule. I set up a meeting with both of them, I listened "
             "to each side, I wrote down the risks, and I proposed a plan that put the most "
             "important features first. Then I shared the plan with the whole team.")
JOB = """# Backend Engineer

We build scalable data pipelines in Python and run them on Kubernetes.
You will own incident response and improve our data pipelines.
Security: you will review security of every service.
"""


@pytest.fixture
def bank_questions():
    return [q for bank in load_banks() for q in bank.questions]


@pytest.fixture
def store():
    with Store.open() as opened:
        yield opened


class ScriptedTranscriber(FakeTranscriber):
    """Says the next text of ``SCRIPT`` at each take (the last one again when it runs out)."""

    SCRIPT: list[str] = []
    said = 0

    def __init__(self):
        texts = ScriptedTranscriber.SCRIPT
        super().__init__(text=texts[min(ScriptedTranscriber.said, len(texts) - 1)])
        ScriptedTranscriber.said += 1


def scripted(*texts):
    ScriptedTranscriber.SCRIPT, ScriptedTranscriber.said = list(texts), 0
    return ScriptedTranscriber


def run(questions, store, *texts, ui=None, interactive=False, source="practice", **settings):
    session = Practice(questions, store=store, ui=ui or FakeUI(Action.NEXT),
                       settings=PracticeSettings(prep_s=0.0, **settings),
                       record=FakeRecorder((3.0, "silence", 0)), transcriber=scripted(*texts),
                       interactive=interactive, source=source)
    return session, session.run()


# --- questions from the job --------------------------------------------------------------


def test_job_questions_follow_the_template_of_each_kind_of_term():
    questions = job_questions(JOB, count=3)
    # the first term of each kind before a second of any: a name, a phrase, a word
    assert [q.text for q in questions] == [
        "Tell me about a time you used Python.",
        "How have you handled data pipelines?",
        "Tell me about your experience with security.",
    ]
    assert [q.kind for q in questions] == [TERM_TEMPLATES[k][1] for k in ("name", "phrase",
                                                                         "word")]
    assert questions[0].keywords == ("Python",) and questions[0].id == "job-python"
    assert all(q.category == "job" and q.tips for q in questions)


def test_an_interview_opens_and_closes_as_real_ones_do(bank_questions):
    plan = plan_interview(bank_questions, count=3, rng=random.Random(7))
    assert plan.asked[0].id == OPENER_ID and plan.asked[-1].id == CLOSING_ID
    middle = plan.questions
    assert len(middle) == 3 and len({q.kind for q in middle}) == 3  # three kinds
    assert not {q.kind for q in middle} & {"intro", "closing"}


def test_with_a_job_half_the_questions_are_made_from_it(bank_questions):
    plan = plan_interview(bank_questions, count=4, job_text=JOB, rng=random.Random(3))
    made = [q for q in plan.questions if q.category == "job"]
    assert [q.id for q in made] == ["job-python", "job-data-pipelines"]
    banked = [q for q in plan.questions if q.category != "job"]
    assert len(banked) == 2 and len({q.kind for q in banked}) == 2
    # the bank's kinds differ from the job questions' (behavioral) while others are left
    assert "behavioral" not in {q.kind for q in banked}


def test_without_banks_the_interview_still_has_an_opener_and_a_closing():
    plan = plan_interview([], count=3, job_text=JOB)
    assert plan.opener.text == "Tell me about yourself."
    assert plan.closing.text == "Do you have any questions for us?"
    assert len(plan.questions) == 3


# --- the follow-up, asked, recorded and linked --------------------------------------------


def test_an_answer_without_a_result_is_followed_up_and_the_take_linked(store):
    questions = select_questions(load_banks(), ids=["beh-disagree", "sw-greatest-strength"])
    ui = FakeUI()
    asked = []
    ui.show_question = lambda q, number, total, take_no, limit: asked.append(
        (q.text, number, total))
    session, result = run(questions, store, NO_RESULT, "We cut the build from forty minutes "
                          "to eight, measured on every merge for a month.", NO_RESULT,
                          ui=ui, follow_ups=True)

    outcome = "What was the outcome, and how did you measure it?"
    assert asked == [(questions[0].text, 1, 2), (outcome, 1, 2),
                     (questions[1].text, 2, 2), (outcome, 2, 2)]
    follow = session.questions[1]
    assert isinstance(follow, FollowUpQuestion) and follow.reason_id == "no_result"
    assert follow.kind == "situational" and follow.target_s == FOLLOW_UP_TARGET_S
    parent = result.takes[0]
    assert result.takes[1].follows == {"answer_no": 1, "take_no": 1,
                                       "take_id": parent.take_id}
    assert result.to_dict()["takes"][1]["follows"]["take_id"] == parent.take_id

    record = store.session(result.session_id)
    assert [t.answer_no for t in record.takes] == [1, 2, 3, 4]
    assert list(record.follow_ups) == [record.takes[1].answer_id, record.takes[3].answer_id]
    link = record.follow_ups[record.takes[1].answer_id]
    assert (link.parent_answer_no, link.parent_take_no, link.reason_id) == (1, 1, "no_result")
    assert link.reason == "The answer states no concrete result."
    assert record.takes[1].question_text == "What was the outcome, and how did you measure it?"
    assert record.takes[1].question_id == "follow-up-no-result"
    assert record.follows(record.takes[0]) is None


def test_no_follow_up_without_the_option_nor_after_a_closing_or_a_follow_up(store):
    questions = select_questions(load_banks(), ids=["beh-disagree"])
    _, result = run(questions, store, NO_RESULT)
    assert [t.answer_no for t in result.takes] == [1]
    # the follow-up's own answer lacks a result too: it is not followed up again
    _, result = run(questions, store, NO_RESULT, NO_RESULT, NO_RESULT, follow_ups=True)
    assert [t.follows is not None for t in result.takes] == [False, True]
    closing = select_questions(load_banks(), ids=["close-questions-for-us"])
    _, result = run(closing, store, "We we we " + NO_RESULT, follow_ups=True)
    assert len(result.takes) == 1


def test_a_retried_answer_is_followed_up_from_its_latest_take(store):
    questions = select_questions(load_banks(), ids=["beh-disagree"])
    ui = FakeUI(Action.RETRY, Action.NEXT, Action.NEXT)
    _, result = run(questions, store, "Um, I led the migration.", NO_RESULT, "Half.",
                    ui=ui, interactive=True, follow_ups=True)
    assert [(t.answer_no, t.take_no) for t in result.takes] == [(1, 1), (1, 2), (2, 1)]
    assert result.takes[2].follows["take_no"] == 2


def test_the_follow_up_is_shown_under_its_parent_in_show_export_and_page(store):
    questions = select_questions(load_banks(), ids=["beh-disagree"])
    _, result = run(questions, store, NO_RESULT, "It shipped two weeks early.",
                    follow_ups=True)
    record = store.session(result.session_id)

    data = session_json(record)
    assert data["answers"][0].get("follow_up_to") is None
    assert data["answers"][1]["follow_up_to"] == {
        "answer_no": 1, "take_no": 1, "id": "no_result",
        "reason": "The answer states no concrete result.",
        "evidence": "no outcome, number or before-and-after stated"}

    text = session_markdown(record)
    parent_at = text.index("## Answer 1, take 1")
    follow_at = text.index("### Follow-up to answer 1")
    assert parent_at < follow_at
    assert "The answer states no concrete result." in text[follow_at:]

    page = session_page(record, build_progress(store.takes())).html
    assert 'class="card answer follow-up"' in page
    assert "Follow-up to answer 1" in page and "The answer states no concrete result." in page


# --- the store ----------------------------------------------------------------------------


def test_the_link_goes_with_its_session(store):
    questions = select_questions(load_banks(), ids=["beh-disagree"])
    _, result = run(questions, store, NO_RESULT, "It shipped.", follow_ups=True)
    assert store._db.execute("SELECT COUNT(*) FROM follow_ups").fetchone()[0] == 1
    store.delete_session(result.session_id)
    assert store._db.execute("SELECT COUNT(*) FROM follow_ups").fetchone()[0] == 0


def test_a_follow_up_of_a_missing_take_is_refused(store):
    from mockview.errors import StoreError
    from mockview.words import QuestionInfo

    with pytest.raises(StoreError, match="No take with id 99 to follow up"):
        store.add_follow_up(99, QuestionInfo(text="Why?"), {"id": "x", "reason": "y"})


def test_a_store_from_before_follow_ups_upgrades_and_keeps_its_answers(mockview_home):
    path = mockview_home / "mockview.db"
    db = sqlite3.connect(path, isolation_level=None)
    before = [m for m in migrations.MIGRATIONS if m.__name__ != "m007_follow_ups"]
    migrations.migrate(db, migrations=before)
    db.execute("INSERT INTO sessions (started_at_utc, source) VALUES ('2026-01-01T00:00:00Z',"
               " 'practice')")
    db.execute("INSERT INTO answers (session_id, answer_no, question_text) VALUES (1, 1, 'Q')")
    db.close()
    with Store.open(path) as store:
        assert "m007_follow_ups" in migrations.applied_migrations(store._db)
        assert store.follow_up_links(1) == {}
        assert store._db.execute("SELECT question_text FROM answers").fetchall() == [("Q",)]


# --- the scorecard and the --json document --------------------------------------------------


def test_the_scorecard_and_the_document_hold_every_part_of_the_interview(store, bank_questions):
    opener = next(q for q in bank_questions if q.id == OPENER_ID)
    closing = next(q for q in bank_questions if q.id == CLOSING_ID)
    behavioral = next(q for q in bank_questions if q.id == "beh-disagree")
    _, result = run([opener, behavioral, closing], store,
                          "Um, I am a developer.", NO_RESULT, "It shipped early, uh.",
                          "Um, what does the team work on next?", follow_ups=True,
                          source="interview")
    record = store.session(result.session_id)
    assert record.summary.source == "interview"

    card = scorecard(record)
    assert [a["role"] for a in card["answers"]] == ["opener", "question", "follow_up",
                                                    "closing"]
    assert card["answers"][2]["follows"]["answer_no"] == 2
    assert len(card["work_on"]) <= 3
    # the closing is judged lightly: its tips are not among the things to work on
    assert all(4 not in tip["answers"] for tip in card["work_on"])
    from rich.console import Console

    from mockview.render.scorecard import render_scorecard

    console = Console(record=True, width=160)
    render_scorecard(card, console)
    lines = console.export_text().splitlines()
    [row] = [line for line in lines if "↳ follow-up to 2:" in line]
    assert "It shipped early" not in row and "What was the outcome" in row
    assert lines.index(row) > next(n for n, line in enumerate(lines)
                                   if "Tell me about a time you disagreed" in line)

    document = interview_json(record, page="p.html", store_path="s.db")
    assert document["opener"]["question"]["id"] == OPENER_ID
    assert [q["question"]["id"] for q in document["questions"]] == ["beh-disagree"]
    [follow] = document["follow_ups"]
    assert follow["reason_id"] == "no_result" and follow["reason"]
    assert follow["parent"] == {"answer_no": 2, "take_no": 1, "question_id": "beh-disagree"}
    assert document["closing"]["question"]["id"] == CLOSING_ID
    assert all(t["take_id"] for part in (document["opener"], follow, document["closing"])
               for t in part["takes"])


def test_history_and_show_tell_the_follow_up(store):
    import json

    from click.testing import CliRunner

    from mockview.cli import cli

    questions = select_questions(load_banks(), ids=["beh-disagree"])
    _, result = run(questions, store, NO_RESULT, "It shipped two weeks early.",
                    follow_ups=True)
    runner = CliRunner()
    table = runner.invoke(cli, ["history"], terminal_width=120)
    assert table.exit_code == 0, table.output
    assert "2 (1 follow-up)" in table.stdout.splitlines()[2]
    [row] = json.loads(runner.invoke(cli, ["history", "--json"]).stdout)
    assert row["follow_up_count"] == 1 and row["answer_count"] == 2

    shown = runner.invoke(cli, ["show", str(result.session_id)], terminal_width=200)
    assert shown.exit_code == 0, shown.output
    parent_at = shown.stdout.index("Answer 1, take 1")
    follow_at = shown.stdout.index("↳ Follow-up to answer 1: answer 2, take 1")
    assert parent_at < follow_at
    assert "Asked because: The answer states no concrete result." in shown.stdout


@pytest.mark.browser
def test_the_page_shows_the_follow_up_under_its_parent_in_the_browser(store, chromium,
                                                                      tmp_path):
    from mockview.render.html import write_page

    questions = select_questions(load_banks(), ids=["beh-disagree", "sw-greatest-strength"])
    _, result = run(questions, store, NO_RESULT, "It shipped two weeks early.",
                    "I keep calm under pressure, and I led the on-call rota for two years.",
                    follow_ups=True)
    record = store.session(result.session_id)
    path = write_page(session_page(record, build_progress(store.takes())),
                      tmp_path / "page.html")
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(path.as_uri())
        answers = page.evaluate("""[...document.querySelectorAll('article.answer')].map(a => ({
            id: a.id, follows: a.dataset.follows ?? null,
            left: a.getBoundingClientRect().left,
            eyebrow: a.querySelector('.eyebrow').textContent.trim(),
            reason: a.querySelector('.follow-up-reason')?.textContent.trim() ?? null,
            shown: !!a.querySelector('.take:not([hidden])')}))""")
        assert [a["id"] for a in answers][:3] == ["answer-1", "answer-2", "answer-3"]
        parent, follow = answers[0], answers[1]
        assert follow["follows"] == "answer-1" and parent["follows"] is None
        assert follow["left"] > parent["left"]  # indented under its parent
        assert follow["eyebrow"].startswith("Follow-up to answer 1")
        assert follow["reason"].startswith("Asked because: The answer states no concrete "
                                           "result.")
        assert follow["shown"] and errors == []
        page.click("#answer-2 .eyebrow a")
        assert page.evaluate("location.hash") == "#answer-1"
    finally:
        page.close()


def test_a_follow_up_that_is_a_question_still_to_come_is_not_asked(store):
    from mockview.analysis.content import JobDescription
    from mockview.followups import follow_ups
    from mockview.report import build_report
    from tests.analysis_helpers import transcript

    job = JobDescription(text=JOB)
    opener = select_questions(load_banks(), ids=["intro-about-yourself"])[0]
    python = job_questions(JOB, count=1)[0]
    # an intro of 60 words that never says Python: its only follow-up asks about Python,
    # which the interview asks next anyway
    intro = ("I am a backend developer with six years in payments. I started in support, "
             "moved into engineering, and for the last three years I have built the billing "
             "service and its reports. I like work where the numbers have to be right, and I "
             "enjoy helping new people on the team find their way around a large system.")
    report = build_report(transcript(intro), question=opener.info(), job=job)
    assert [c["text"] for c in follow_ups(report)] == [python.text]
    session, result = run([opener, python], store, intro, "Half.", job=job, follow_ups=True)
    assert [q.text for q in session.questions] == [opener.text, python.text]
    assert [t.follows for t in result.takes] == [None, None]


@pytest.mark.parametrize("args, code, message", [
    (["--job", "no-such-job.txt"], 1,
     "Error: No such job description file: no-such-job.txt. Check the path, or save the job "
     "advert as a text file first.\n"),
    (["--questions", "0"], 2, "'--questions': 0 is not in the range 1<=x<=8."),
])
def test_bad_interview_options_are_one_clear_message(args, code, message):
    from click.testing import CliRunner

    from mockview.cli import cli

    result = CliRunner().invoke(cli, ["interview", "--no-input", *args])
    assert result.exit_code == code
    assert message in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("command, given, follow", [
    (["practice", "--question", "beh-disagree"], [], False),
    (["practice", "--question", "beh-disagree"], ["--follow-ups"], True),
    (["interview", "--questions", "4"], [], True),
])
def test_follow_ups_are_opt_in_for_practice_and_always_on_in_an_interview(
        monkeypatch, command, given, follow):
    from click.testing import CliRunner

    from mockview.cli import cli
    from mockview.practice import SessionResult

    asked = []

    def run_session(questions, settings, **options):
        asked.append((questions, settings, options))
        return None, SessionResult(session_id=None), None, None

    monkeypatch.setattr("mockview.cli._run_session", run_session)
    result = CliRunner().invoke(cli, [*command, "--no-input", *given])
    [(questions, settings, options)] = asked
    assert settings.follow_ups is follow
    if command[0] == "interview":
        assert result.exit_code == 1
        assert result.output.endswith("Error: No answer was recorded, so nothing was saved "
                                      "and no page was written. Check the microphone (see: "
                                      "mockview doctor).\n")
        assert options["source"] == "interview" and options["voice"] is True
        assert [q.id for q in questions][::5] == [OPENER_ID, CLOSING_ID]
        assert len(questions) == 6
    else:
        assert result.exit_code == 0, result.output
