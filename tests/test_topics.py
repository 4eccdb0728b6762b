"""What an answer talked about: talking points, most-used words, repeated phrases; in the
report, the terminal's --details and the review page."""

from __future__ import annotations

import re
from html import unescape

import pytest
from click.testing import CliRunner

from mockview.analysis import analyze_answer
from mockview.cli import cli
from mockview.render.topics import topic_lines
from mockview.report import build_report
from mockview.store import Store

from .analysis_helpers import MOTIVATION, transcript
from .test_analysis_content import BEHAVIORAL, STAR


def topics_of(text, question=BEHAVIORAL):
    return analyze_answer(transcript(text), question=question).to_dict()["metrics"]["topics"]


def point(topics, name):
    return next(p for p in topics["points"] if p["point"] == name)


@pytest.mark.parametrize("name,sentence,cue", [
    ("experience", "At my last job I ran the support desk.", "at my last job"),
    ("experience", "Last spring I migrated our billing to a new system.", "i migrated"),
    ("skills", "I'm good at turning vague requests into clear plans.", "im good at"),
    ("goals", "Next I'd like to lead a small platform team.", "id like to"),
    ("lessons", "Looking back, I should have asked for help sooner.", "looking back"),
    ("lessons", "That project taught me to write things down.", "taught me"),
])
def test_each_talking_point_is_found_by_its_cue_with_the_sentence_that_says_it(name, sentence,
                                                                             cue):
    topics = topics_of("The weather was fine that week. " + sentence + " Then we went home.")
    found = point(topics, name)
    assert (found["covered"], found["cue"]) == (True, cue)
    assert found["evidence"]["text"] == sentence
    assert found["evidence"]["start_s"] == pytest.approx(0.4 * 6)
    assert topics["covered"] == [name]


def test_no_cue_no_talking_point():
    topics = topics_of("I used to think meetings were a waste. I needed a break. We went home.")
    assert topics["covered"] == []
    assert all(p["evidence"] is None for p in topics["points"])


def test_most_used_words_are_counted_by_stem_without_fillers_or_stop_words():
    text = ("Um, the pipeline was slow. Um, pipelines everywhere were slow. Um, I fixed the"
            " pipeline, and the team was happy.")
    words = topics_of(text)["top_words"]
    assert [(w["text"], w["count"]) for w in words] == [("pipeline", 3), ("slow", 2)]
    assert words[0]["starts_s"] == pytest.approx([0.8, 2.4, 5.6])


def test_repeated_phrases_are_the_longest_runs_said_more_than_once():
    text = ("The nightly build failed. We fixed the nightly build. Then the nightly build"
            " passed. The words words words words were fine. And so on and so on.")
    phrases = topics_of(text)["repeated_phrases"]
    # "the nightly build" three times; "nightly build" inside it is no second phrase;
    # "words words words words" is one run, not two overlapping ones; "and so on" has no
    # content word
    assert [(p["text"], p["count"]) for p in phrases] == [("the nightly build", 3)]


def test_a_sentence_boundary_breaks_a_phrase():
    topics = topics_of("We shipped the code. Review found bugs. We shipped the code. Review"
                       " found more.")
    assert [p["text"] for p in topics["repeated_phrases"]] == ["we shipped the code"]


def test_no_speech_has_no_topics():
    report = build_report(transcript(""), question=MOTIVATION)
    assert "topics" not in report["metrics"]
    assert topic_lines(report["metrics"].get("topics")) == []


STORY = STAR + (" I learned that small checklists beat big plans. Next I want to lead a platform"
                " team. The nightly pipeline and the nightly pipeline tests matter.")
LINES = [
    "Talking points covered: experience, goals and lessons learned; not mentioned: skills.",
    "Experience at 0:00: “At my last job, our release process took three days of manual …”",
    "Goals at 0:40: “Next I want to lead a platform team.”",
    "Lessons learned at 0:37: “I learned that small checklists beat big plans.”",
]


def test_the_lines_every_renderer_shows():
    lines = topic_lines(topics_of(STORY))
    assert lines[:4] == LINES
    assert lines[4].startswith("Most-used words: pipeline ×4, releases ×3, nightly ×3, ")
    assert lines[5] == "Said 2 times: “the nightly pipeline” (0:43, 0:45)."


def test_details_and_the_review_page_show_what_the_answer_talked_about(tmp_path):
    report = build_report(transcript(STORY), question=BEHAVIORAL)
    with Store.open() as store:
        session_id = store.save_analysis(None, report, question=BEHAVIORAL)
    shown = CliRunner().invoke(cli, ["show", str(session_id), "--details"],
                               env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert "What the answer talked about (heuristic)" in shown.output
    for line in LINES:
        assert line in shown.output
    page = tmp_path / "page.html"
    written = CliRunner().invoke(cli, ["report", str(session_id), "-o", str(page)])
    assert written.exit_code == 0, written.output
    block = re.search(r'<div class="topics">(.*?)</div>', page.read_text(), re.S)
    assert block, "no topics on the page"
    items = [unescape(li).strip() for li in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)]
    assert items[:4] == LINES
