"""The Markdown export carries each take's follow-up questions and what it talked about
(talking points, most-used words, repeated phrases), escaped like the rest of the export."""

from __future__ import annotations

import html
import re

from click.testing import CliRunner
from markdown_it import MarkdownIt

from mockview.cli import cli
from mockview.render.topics import topic_lines
from mockview.report import build_report
from mockview.store import Store

from .analysis_helpers import transcript
from .test_analysis_content import BEHAVIORAL, STAR, WE

#: an answer told with "we", with markup in its words: the follow-up's evidence and a
#: talking point's quote carry it
MARKED = (WE.replace("we wrote a checklist", "we wrote a <b>checklist</b> [x](y)")
          + " I learned that `small` checklists beat *big* plans. The nightly pipeline and"
          " the nightly pipeline tests matter.")


def exported(report, tmp_path) -> str:
    with Store.open() as store:
        session_id = store.save_analysis(None, report, question=BEHAVIORAL)
    out = tmp_path / "session.md"
    result = CliRunner().invoke(cli, ["export", str(session_id), "--format", "md",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_text()


def rendered_list(markdown: str, title: str) -> list[str]:
    """The items of the list under ``title`` as a CommonMark reader shows them (HTML)."""
    page = MarkdownIt("commonmark").enable(["table"]).render(markdown)
    after = page[page.index(f"<strong>{title}</strong>"):]
    block = re.search(r"<(ol|ul)>(.*?)</\1>", after, re.S).group(2)
    return [item.strip() for item in re.findall(r"<li>(.*?)</li>", block, re.S)]


def test_the_export_lists_the_follow_ups_with_reason_and_evidence_escaped(tmp_path):
    report = build_report(transcript(MARKED), question=BEHAVIORAL)
    [asked] = report["follow_ups"]
    assert "<b>checklist</b>" in asked["evidence"]  # the words as said reach the evidence
    text = exported(report, tmp_path)
    assert "<b>" not in text.replace(r"\<b\>", "")
    items = rendered_list(text, "Follow-up questions an interviewer might ask")
    assert items == [f"<strong>{html.escape(asked['text'], quote=False)}</strong> "
                     f"{html.escape(asked['reason'], quote=False)} "
                     f"({html.escape(asked['evidence'], quote=False)})"]
    assert "“we wrote a &lt;b&gt;checklist&lt;/b&gt;”" in items[0]
    assert items[0].startswith("<strong>What did you personally do?</strong> The actions are "
                               "told with “we”, not “I”. (“we” for 5 of 6 actions")


def test_the_export_lists_what_the_answer_talked_about_escaped(tmp_path):
    report = build_report(transcript(MARKED), question=BEHAVIORAL)
    lines = topic_lines(report["metrics"]["topics"])
    assert any(line.startswith("Said 2 times: “the nightly pipeline”") for line in lines)
    assert any(line.startswith("Most-used words: ") for line in lines)
    text = exported(report, tmp_path)
    items = rendered_list(text, "What the answer talked about (heuristic)")
    assert items == [html.escape(line, quote=False) for line in lines]
    assert ("Lessons learned at 0:31: “I learned that `small` checklists beat *big* plans.”"
            in [html.unescape(item) for item in items])


def test_a_complete_answer_has_no_follow_up_section(tmp_path):
    report = build_report(transcript(STAR), question=BEHAVIORAL)
    assert report["follow_ups"] == []
    text = exported(report, tmp_path)
    assert "Follow-up questions" not in text
    assert "**What the answer talked about (heuristic)**" in text


def test_a_report_stored_before_follow_ups_and_topics_exports_without_them(tmp_path):
    report = build_report(transcript(WE), question=BEHAVIORAL)
    del report["metrics"]["topics"]
    older = {key: value for key, value in report.items() if key != "follow_ups"}
    text = exported(older, tmp_path)
    # the follow-ups are read from the stored findings; topics were never measured
    assert "1. **What did you personally do?** The actions are told with" in text
    assert "talked about" not in text
