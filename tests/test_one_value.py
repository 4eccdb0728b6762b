"""Issue 13, item 1: one value per quantity, read the same in every renderer.

One session is stored in a real SQLite store and rendered through everything that shows it:
the terminal report (``show --details``), the review page, the Markdown export, the live
announcements of ``play``/practice (``ui.announcement``), ``history`` and the progress page's
cards. Each quantity is pulled out of each rendering and must read the same everywhere:
speaking time, the long pause, the STAR shares, the pitch variation, pace and fillers per
minute. The answer is built so the old formatting split them: a 1.05 s pause whose float is
just under 1.05, STAR shares stored with three decimals, and a flat stretch whose windows
varied more than the whole answer.
"""

from __future__ import annotations

import html
import re

import pytest
from click.testing import CliRunner

from mockview.analysis import analyze_answer
from mockview.cli import cli
from mockview.playback import moments
from mockview.report import build_report
from mockview.speech.delivery import DeliveryResult, PitchMetrics, UptalkMetrics, VolumeMetrics
from mockview.store import Store
from mockview.ui import announcement
from mockview.words import QuestionInfo

from .analysis_helpers import transcript
from .test_render_delivery import flat

QUESTION = QuestionInfo("Tell me about a time you fixed a process.", kind="behavioral",
                        id="beh-fix")
#: a long pause mid-sentence ("was [1.05] done"), fillers, and STAR parts of uneven length
ANSWER = ("Um, last year our team was losing a lot of time every week on manual release"
          " checks, and the release calendar kept slipping because nobody owned the checklist"
          " and every step was [1.05] done by hand in a shared spreadsheet that was always out"
          " of date. My task was to make the releases predictable again. Um, I wrote a script."
          " As a result we cut the release time from two days to three hours, and we have"
          " shipped every release on time since then.")

#: word times that put the pause's float and the Situation's share just under a rounding edge
TIMING = {"word_s": 0.315, "gap_s": 0.14, "start_s": 1.5, "duration_s": 95.0}


def delivery() -> DeliveryResult:
    """Monotone at 1.7 semitones, with a flat stretch whose windows varied up to 1.9."""
    pitch = PitchMetrics("yin", 98.6, 1.7, 12.6, (), True,
                         (flat(5.0, 20.0, "our team was losing a lot of time", 1.9),))
    return DeliveryResult(True, None, 30.0, pitch, UptalkMetrics(0, 0, None, ()),
                          VolumeMetrics(-28.2, -46.0, 17.8, 0.5, (), (), 0, ()))


@pytest.fixture
def stored(tmp_path):
    """The session in the store; its report as stored, and every rendering of it."""
    words = transcript(ANSWER, **TIMING)
    report = build_report(words, question=QUESTION, delivery=delivery())
    with Store.open() as store:
        session = store.start_session(started_at_utc="2026-03-01T09:00:00Z")
        answer = store.add_answer(session, QUESTION)
        store.add_take(answer, None, report, recorded_at_utc="2026-03-01T09:01:00Z")
        [take] = store.takes(with_reports=True)
    assert take.report == report
    runner = CliRunner()

    def run(*args) -> str:
        result = runner.invoke(cli, [str(a) for a in args], env={"COLUMNS": "250"})
        assert result.exit_code == 0, result.output
        return result.output

    run("report", session, "-o", tmp_path / "page.html")
    run("report", "--progress", "-o", tmp_path / "progress.html")
    run("export", session, "--format", "md", "-o", tmp_path / "out.md")
    renderings = {
        "terminal": run("show", session, "--details"),
        "page": page_text(tmp_path / "page.html"),
        "markdown": (tmp_path / "out.md").read_text().replace("\\", ""),
        "announcements": "\n".join(announcement(m, n, 1) for n, m in
                                   enumerate(moments(take.report, "pause"), 1)),
        "history": run("history"),
        "progress": page_text(tmp_path / "progress.html"),
    }
    return take.report, renderings


def page_text(path) -> str:
    """The page's text: tags dropped, entities decoded, whitespace collapsed."""
    text = re.sub(r"<script.*?</script>|<style.*?</style>", " ", path.read_text(), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))


def found(pattern: str, *texts: str) -> set[str]:
    values = {m for text in texts for m in re.findall(pattern, text)}
    assert values, f"{pattern!r} not found"
    return values


def test_the_answer_holds_what_split_the_numbers(stored):
    report, _ = stored
    [pause] = [p for p in report["metrics"]["pauses"]["items"] if p["long"]]
    assert pause["duration_s"] == 1.05 and pause["position"] == "mid_clause"
    analysis = analyze_answer(transcript(ANSWER, **TIMING), QUESTION)
    [raw] = [p.duration_s for p in analysis.pauses.items if p.long]
    assert raw < 1.05  # the analysis's own float is just under what the report stores
    [situation] = [p.share for p in analysis.content.structure.parts if p.name == "situation"]
    assert 0.5545 < situation < 0.555  # stored as 0.555
    assert any(t["id"] == "pauses" for t in report["feedback"])
    assert any(t["id"] == "structure" for t in report["feedback"])


def test_speaking_time_reads_the_same_everywhere(stored):
    _, seen = stored
    duration = r"(\d+\.\d s|\d+:\d\d)"
    values = (found(duration + " speaking", seen["terminal"], seen["page"])
              | found(r"\| speaking \| " + duration + r" \|", seen["markdown"])
              | found(r"practice\s+\d+\s+\d+\s+" + duration, seen["history"]))
    assert len(values) == 1, values


def test_the_long_pause_reads_the_same_everywhere(stored):
    _, seen = stored
    values = (found(r"\[(\d+\.\d) ?s\]", seen["terminal"])  # in the transcript
              | found(r"longest (\d+\.\d) s", seen["terminal"], seen["page"], seen["markdown"])
              | found(r"(\d+\.\d) s at \d:\d\d", seen["terminal"], seen["announcements"])
              | found(r"(\d+\.\d) s pause", seen["page"]))
    assert values == {"1.1"}


def test_star_shares_read_the_same_everywhere(stored):
    _, seen = stored
    for part in ("situation", "task", "action", "result"):
        values = found(rf"{part} (\d+%)", seen["terminal"], seen["page"], seen["markdown"])
        assert len(values) == 1, (part, values)


def test_the_pitch_variation_is_one_number(stored):
    _, seen = stored
    assert found(r"(\d+\.\d) semitones", seen["terminal"], seen["page"],
                 seen["markdown"]) == {"1.7"}


#: history's row: ID, date, source, answers, takes, speaking, fillers/min, WPM, ...
HISTORY_ROW = r"practice\s+\d+\s+\d+\s+(?:\d+\.\d s|\d+:\d\d)\s+(\d+\.\d)\s+(\d+)\s"


def test_pace_and_fillers_read_the_same_everywhere(stored):
    _, seen = stored
    [(rate, pace)] = re.findall(HISTORY_ROW, seen["history"])
    paces = (found(r"(?i)pace[\s│|:]+(\d+) wpm", seen["terminal"], seen["page"],
                   seen["markdown"])
             | found(r"(\d+) words / min", seen["page"])  # the session's summary
             | found(r"(\d+) wpm pace", seen["progress"])  # its card
             | {pace})
    assert len(paces) == 1, paces
    rates = found(r"(\d+\.\d) ?(?:/min|fillers / min)", seen["terminal"], seen["page"],
                  seen["markdown"], seen["progress"]) | {rate}
    assert len(rates) == 1, rates


def test_the_delivery_cites_the_speaking_time_the_length_states():
    """An answer too short to call monotone says how much was spoken: the very number the
    report's length shows, though the voice regions start before the first word."""
    from mockview.speech.delivery import analyze_delivery
    from mockview.words import Transcript

    from .test_delivery import glide, statements_with_ending

    audio, words = statements_with_ending(glide(0.0), sentences=3)  # sentences from 0.5 s
    heard = Transcript(words.words, words.duration_s,
                       speech_regions=((0.1, 3.5), (3.9, 6.9), (7.3, 10.3)))
    report = build_report(heard, question=QUESTION, delivery=analyze_delivery(audio, heard))
    speaking = report["metrics"]["length"]["speaking_s"]
    assert report["metrics"]["delivery"]["speech_s"] == speaking == 9.0
    assert report["metrics"]["delivery"]["pitch"]["note"].startswith(
        "Only 9.0 s of speaking: too short")
