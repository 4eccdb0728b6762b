"""Issue 13, item 4: a take in which no speech was found never stands for its answer.

The answer is represented by its latest take with speech (``records.representative``, and
the same rule in SQL, ``store.REPRESENTATIVE_SQL``): history, the practice summary,
``play``, ``compare``, ``progress`` and ``export`` all use it; empty takes are kept and
marked "no speech". The page's choice is checked in a browser in ``test_report_page.py``.

The store is a real one in the temp data directory. Answer 1 is the case seen in the issue:
take 1 a real answer (the 27 s monologue, two "um"), takes 2 and 3 found no speech (4 s of
silence each). Answer 2 has only empty takes, so its latest stands for it, marked.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner
from rich.console import Console

from mockview.cli import cli
from mockview.records import TakeRecord, choice_note, representative, take_mark
from mockview.report import build_report
from mockview.speech.audio import SAMPLE_RATE, load_audio
from mockview.store import Store
from mockview.trends import session_metrics
from mockview.ui import TerminalUI
from mockview.words import Transcript

from .analysis_helpers import MOTIVATION
from .audio_helpers import DATA
from .test_play_command import monologue_report, span
from .test_store import shaped_report

SILENCE_S = 4.0
MONOLOGUE = DATA / "acoustic_corpus.wav"
NOTE = "Takes 2 and 3 found no speech, so take 1 stands for this answer."


def run(*args):
    return CliRunner().invoke(cli, [str(arg) for arg in args])


def empty_report(question=MOTIVATION) -> dict:
    """What the analysis reports for a take in which no speech was found."""
    return build_report(Transcript(words=(), duration_s=SILENCE_S), question=question)


@pytest.fixture
def silence(tmp_path):
    path = tmp_path / "silence.wav"
    sf.write(path, np.zeros(int(SILENCE_S * SAMPLE_RATE), dtype=np.float32), SAMPLE_RATE)
    return path


@pytest.fixture
def retried(silence):
    """Session 1: answer 1 answered in take 1, then two retries that found no speech;
    answer 2 two takes that found none."""
    with Store.open() as store:
        session = store.start_session(started_at_utc="2026-03-01T09:00:00Z")
        first = store.add_answer(session, MOTIVATION)
        store.add_take(first, MONOLOGUE, monologue_report(),
                       recorded_at_utc="2026-03-01T09:01:00Z")
        for minute in (2, 3):
            store.add_take(first, silence, empty_report(),
                           recorded_at_utc=f"2026-03-01T09:0{minute}:00Z")
        second = store.add_answer(session, None)
        for minute in (4, 5):
            store.add_take(second, silence, empty_report(None),
                           recorded_at_utc=f"2026-03-01T09:0{minute}:00Z")
    return session


# --- the rule ---------------------------------------------------------------------------------


def record(take_no: int, spoken: bool) -> TakeRecord:
    return TakeRecord(
        take_id=take_no, session_id=1, answer_id=1, answer_no=1, take_no=take_no,
        recorded_at_utc="2026-03-01T09:00:00Z", question_id=None, question_text=None,
        question_kind=None, question_category=None, audio_path=None, analysis_version="0",
        duration_s=4.0, speaking_s=3.0 if spoken else 0.0, word_count=9 if spoken else 0,
        words_per_minute=150.0 if spoken else None, articulation_wpm=None, fillers_count=0,
        fillers_per_minute=0.0, fillers_per_100_words=0.0, long_pause_count=0,
        pause_ratio=None, length_verdict=None, within_target=None, rambling_flagged=False,
        top_filler=None)


@pytest.mark.parametrize("spoken,chosen", [
    ((True, False, False), 1),   # the issue: two failed retries after a real answer
    ((True, True, False), 2),
    ((False, True, False), 2),
    ((True, False, True), 3),    # a retry with speech replaces the answer, as before
    ((False, False, False), 3),  # nothing said in any take: the latest, marked
    ((False,), 1),
])
def test_the_answer_is_its_latest_take_with_speech(spoken, chosen):
    takes = [record(n, s) for n, s in enumerate(spoken, 1)]
    assert representative(takes).take_no == chosen
    assert representative(list(reversed(takes))).take_no == chosen
    marks = [take_mark(t, takes) for t in takes]
    assert [m == "no speech" for m in marks] == [not s for s in spoken]
    assert [m == "latest with speech" for m in marks] == [
        t.take_no == chosen and chosen < len(takes) for t in takes]


def test_the_note_names_the_takes_that_found_no_speech():
    assert choice_note([record(1, True), record(2, False), record(3, False)]) == NOTE
    assert choice_note([record(1, True), record(2, False)]) == (
        "Take 2 found no speech, so take 1 stands for this answer.")
    assert choice_note([record(1, False), record(2, True)]) is None
    assert choice_note([record(1, False), record(2, False)]) is None


def test_the_store_picks_the_take_the_rule_picks():
    """Every pattern of speech and silence over one to three takes: ``Store.take`` (SQL)
    and the history summary choose what ``records.representative`` chooses."""
    patterns = [p for n in (1, 2, 3) for p in itertools.product((True, False), repeat=n)]
    # a take with speech is within its target and not rambling as take 1, the opposite
    # later: which take is chosen shows in the summary
    spoken = {n: shaped_report(speaking_s=20, fillers_per_minute=1, words_per_minute=140,
                               verdict="within" if n == 1 else "long", rambling=n > 1)
              for n in (1, 2, 3)}
    with Store.open() as store:
        session = store.start_session()
        for pattern in patterns:
            answer = store.add_answer(session, MOTIVATION)
            for take_no, said in enumerate(pattern, 1):
                store.add_take(answer, None, spoken[take_no] if said else empty_report())
        takes = store.session(session).takes
        for answer_no, pattern in enumerate(patterns, 1):
            answer_takes = [t for t in takes if t.answer_no == answer_no]
            expected = representative(answer_takes).take_no
            assert store.take(session, answer_no).take_no == expected, pattern
        [summary] = store.sessions()
    chosen = [representative([t for t in takes if t.answer_no == n])
              for n in range(1, len(patterns) + 1)]
    judged = [t for t in chosen if t.has_speech]
    share = sum(t.take_no == 1 for t in judged) / len(judged)  # the store rounds to 0.001
    assert summary.within_target_share == pytest.approx(share, abs=0.0005)
    assert summary.rambling_count == sum(t.take_no > 1 for t in judged)
    assert session_metrics(takes)["within_target_share"] == pytest.approx(share)


# --- where an answer is summed up ---------------------------------------------------------------


def test_history_counts_the_take_with_speech(retried):
    [session] = json.loads(run("history", "--json").stdout)
    # take 1 (27 s for a 45-90 s question) is judged; the empty takes 2 and 3 are not
    assert session["within_target_share"] == 0.0
    assert session["take_count"] == 5


def test_progress_counts_the_take_with_speech(retried):
    result = run("progress", "--json")
    assert result.exit_code == 0, result.output
    [session] = json.loads(result.stdout)["sessions"]
    assert session["metrics"]["within_target_share"] == 0.0


def test_the_practice_summary_shows_the_take_with_speech(retried):
    console = Console(record=True, width=140)
    with Store.open() as store:
        TerminalUI(console, interactive=False).show_summary(store.session(retried), None)
    lines = console.export_text().splitlines()
    [first] = [line for line in lines if line.strip().startswith("│ 1 ")]
    cells = [cell.strip() for cell in first.split("│")[1:-1]]
    assert cells[2:4] == ["3 (take 1 shown)", "0:27 (short)"]
    [second] = [line for line in lines if line.strip().startswith("│ 2 ")]
    assert [cell.strip() for cell in second.split("│")[1:-1]][2:4] == [
        "2 (no speech)", "0:04 (not judged)"]
    assert f"Answer 1: {NOTE}" in lines


# --- play, show, compare, export ------------------------------------------------------------


def test_play_plays_the_take_with_speech(fake_sd, retried):
    result = run("play", retried, "--fillers")
    assert result.exit_code == 0, result.output
    audio = load_audio(MONOLOGUE)
    first, second = fake_sd.streams
    assert first.samples.size == span(audio, 8.02 - 1.5, 8.57 + 1.5).size
    assert second.samples.size == span(audio, 22.9 - 1.5, 23.53 + 1.5).size
    assert result.stdout.splitlines()[:2] == [
        "Session 1, answer 1, take 1 · 0:27 · Why do you want this role?",
        "filler 1 of 2: “um” at 0:08"]
    assert result.stderr == NOTE + "\n"


def test_an_empty_take_still_plays_when_asked_for(fake_sd, retried):
    result = run("play", retried, "--take", 3, "--fillers")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == ["No fillers in this answer: nothing to play."]
    assert result.stderr == ""


def test_an_answer_with_only_empty_takes_plays_its_latest(fake_sd, retried):
    result = run("play", retried, 2)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Session 1, answer 2, take 2 · 0:04 · no question given\n")
    assert result.stderr == ""


def test_show_marks_the_empty_takes_and_keeps_them(retried):
    result = CliRunner().invoke(cli, ["show", str(retried)], terminal_width=200)
    assert result.exit_code == 0, result.output
    headings = [line.strip("─ ") for line in result.stdout.splitlines()
                if line.startswith("Answer ")]
    assert headings == [
        "Answer 1, take 1 (latest with speech)",
        "Answer 1, take 2 (no speech)",
        "Answer 1, take 3 (no speech)",
        "Answer 2, take 1 (no speech)",
        "Answer 2, take 2 (no speech)",
    ]
    lines = result.stdout.splitlines()
    assert lines.count("Why do you want this role?") == 3  # under each take, once
    assert lines.count("No question given") == 2
    assert [line for line in lines if line.endswith(" recorded")] == [
        "0:27 recorded", "0:04 recorded", "0:04 recorded", "0:04 recorded", "0:04 recorded"]


def test_compare_of_an_answer_uses_its_take_with_speech(retried):
    result = run("compare", f"{retried}:1", f"{retried}:1:1", "--json")
    assert result.exit_code == 0, result.output
    comparison = json.loads(result.stdout)
    assert (comparison["a"]["take_no"], comparison["b"]["take_no"]) == (1, 1)
    assert "A and B are the same take." in comparison["notes"]


def test_export_names_the_take_that_stands_for_each_answer(retried):
    exported = json.loads(run("export", retried, "--format", "json").stdout)
    first, second = exported["answers"]
    assert first["representative_take_no"] == 1
    assert [t["has_speech"] for t in first["takes"]] == [True, False, False]
    assert second["representative_take_no"] == 2
    assert [t["has_speech"] for t in second["takes"]] == [False, False]
    markdown = run("export", retried, "--format", "md").stdout
    headings = [line for line in markdown.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Answer 1, take 1 (latest with speech): Why do you want this role?",
        "## Answer 1, take 2 (no speech): Why do you want this role?",
        "## Answer 1, take 3 (no speech): Why do you want this role?",
        "## Answer 2, take 1 (no speech): (no question)",
        "## Answer 2, take 2 (no speech): (no question)",
    ]
