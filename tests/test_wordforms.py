"""Word forms: the store answers which takes say a job's terms exactly as the analysis of each
answer would, from forms kept at save time, made again for older takes. Real SQLite."""

from __future__ import annotations

import pytest

from mockview import store
from mockview.analysis import analyze_answer
from mockview.analysis.content import JobDescription
from mockview.report import build_report
from mockview.store import Store, migrations, wordforms
from mockview.store.wordforms import term_rules
from mockview.trends import job_coverage

from .analysis_helpers import transcript

FORMS_TABLES = ("take_forms", "take_form_lemmas", "take_form_words")
TEXTS = ["I led the migration to Kubernetes, and I managed our stakeholders.",
         "My stakeholder management got better. I shipped C++ and Go code.",
         "Go home. Then I wrote some Node.js services and a CI/CD pipeline.",
         "I used AWS and Python.", "python, kubernetes, k8s",
         "We built the data. Engineer teams used node js and R daily.",
         "Our data engineer wrote a pipeline in Go; AWS costs fell."]
GIVEN = JobDescription("", terms=("Kubernetes", "stakeholder management", "C++", "Go",
                                  "Node.js", "CI/CD", "AWS", "Python", "manage", "pipeline",
                                  "data engineer", "R"))
# extracted: short names ("Go", "AWS", "R") then match by their spelling only
EXTRACTED = JobDescription("We use Go, AWS, R, C++ and Node.js with CI/CD. Go, R and AWS "
                           "daily, with Kubernetes and Python.")


def save(texts) -> list[int]:
    """One session holding a take of each text; the take ids."""
    with Store.open() as opened:
        session_id = opened.start_session(started_at_utc="2026-03-01T10:00:00Z")
        return [opened.add_take(opened.add_answer(session_id, None), None,
                                build_report(transcript(text)))
                for text in texts]


def coverage_by_store(job):
    rules = term_rules(job)
    with Store.open() as opened:
        return job_coverage(opened.takes(), job.title, rules, opened.takes_saying(rules))


def coverage_by_analysis(job) -> dict[str, int]:
    expected = {r.term: 0 for r in term_rules(job)}
    for text in TEXTS:
        for term in analyze_answer(transcript(text), job=job).content.job.matched:
            expected[term.term] += 1
    return expected


def rows(table: str) -> int:
    with Store.open() as opened:
        return opened._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


@pytest.mark.parametrize("job", [GIVEN, EXTRACTED], ids=["given", "extracted"])
def test_the_store_says_what_the_analysis_of_each_answer_says(job):
    save(TEXTS)
    said = {t.term: t.takes for t in coverage_by_store(job).terms}
    assert said == coverage_by_analysis(job)
    # what makes this bite: "Go home." opens a sentence (a verb, not the language); "data.
    # Engineer" spans two sentences, said only by its spelling; "node js" spells Node.js
    assert (said["Go"], said["Node.js"]) == ((3, 2) if job is GIVEN else (2, 2))
    if job is GIVEN:
        assert said["data engineer"] == 2


def test_forms_are_kept_at_save_and_go_with_their_session():
    save(TEXTS[:3])
    assert [rows(t) > 0 for t in FORMS_TABLES] == [True, True, True]
    with Store.open() as opened:
        versions = {r[0] for r in opened._db.execute("SELECT forms_version FROM take_forms")}
        assert versions == {wordforms.FORMS_VERSION}
        opened.delete_session(1)
    assert [rows(t) for t in (*FORMS_TABLES, "take_reports")] == [0, 0, 0, 0]


def test_a_store_from_before_word_forms_gets_them_when_first_asked(mockview_home):
    save(TEXTS)
    with Store.open() as opened:  # back to the schema of m004, with its data
        for table in reversed(FORMS_TABLES):
            opened._db.execute(f"DROP TABLE {table}")
        opened._db.execute("DELETE FROM _migrations WHERE name = 'm005_word_forms'")
    with Store.open() as opened:
        assert migrations.applied_migrations(opened._db)[-1] == "m005_word_forms"
    assert rows("take_forms") == 0  # the migration makes the tables only
    said = {t.term: t.takes for t in coverage_by_store(EXTRACTED).terms}
    assert said == coverage_by_analysis(EXTRACTED)
    assert rows("take_forms") == len(TEXTS)


def test_forms_of_another_analysis_version_are_made_again(monkeypatch):
    current = wordforms.FORMS_VERSION
    monkeypatch.setattr(wordforms, "FORMS_VERSION", "0.0.1")
    save(TEXTS)
    with Store.open() as opened:  # as if an older analysis had made them wrong
        opened._db.execute("DELETE FROM take_form_words")
        opened._db.execute("DELETE FROM take_form_lemmas")
    monkeypatch.setattr(wordforms, "FORMS_VERSION", current)
    monkeypatch.setattr(store, "FORMS_BATCH", 2)  # and in several transactions
    said = {t.term: t.takes for t in coverage_by_store(GIVEN).terms}
    assert said == coverage_by_analysis(GIVEN)
    with Store.open() as opened:
        versions = [r[0] for r in opened._db.execute("SELECT forms_version FROM take_forms")]
    assert versions == [wordforms.FORMS_VERSION] * len(TEXTS)


def test_words_the_analysis_cannot_use_say_no_term():
    from mockview.words import Word

    assert wordforms.word_forms([Word("Python", float("nan"), 1.0)]) == wordforms.NO_FORMS
    assert wordforms.word_forms([]) == wordforms.NO_FORMS
