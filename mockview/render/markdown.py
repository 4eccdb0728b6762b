"""A stored session as Markdown or JSON, for `mockview export`."""

from __future__ import annotations

import re
from dataclasses import asdict

from mockview import numbers
from mockview.analysis.text import clock
from mockview.followups import follow_ups
from mockview.records import (
    FollowUpLink,
    SessionRecord,
    TakeRecord,
    representative,
    take_mark,
)
from mockview.render.content import content_lines
from mockview.render.delivery import delivery_lines
from mockview.render.topics import topic_lines
from mockview.strengths import strengths
from mockview.words import join_words

#: what starts markup wherever it stands: code, emphasis, links, HTML, a table's cells, an
#: entity; "_" only at a word's edge ("snake_case" is no emphasis)
_INLINE_MARKUP = re.compile(r"[\\`*\[\]<>|~]|_(?![^\W_])|(?<![^\W_])_|&(?=#?\w+;)")
#: what starts a block at the beginning of a line: a heading, a list item ("- ", "1. ")
_LINE_MARKUP = re.compile(r"^(#{1,6}|[-+])(?=\s|$)|^(\d{1,9})([.)])(?=\s|$)")


def escape(text: str) -> str:
    """Text from a user or a bank, made inert in Markdown (and in HTML inside Markdown).

    Only what would start markup where it stands is escaped, so "9.9" and "-29 dBFS" read
    as written: the text is put on one line, after a marker of its own ("- ", "> ").
    """
    text = _INLINE_MARKUP.sub(r"\\\g<0>", " ".join(str(text).split()))
    return _LINE_MARKUP.sub(lambda m: "\\" + m[0] if m[1] else f"{m[2]}\\{m[3]}", text)


def session_json(record: SessionRecord) -> dict:
    """The session as one JSON-ready dict: its summary and, per answer, every take's report.

    Each answer names the take that stands for it (``representative_take_no``: its latest
    take with speech); each take says whether speech was found in it. A follow-up answer
    names the answer and take it follows and why it was asked (``follow_up_to``).
    """
    answers: dict[int, dict] = {}
    for take in record.takes:
        link = record.follows(take)
        answer = answers.setdefault(take.answer_no, {
            "answer_no": take.answer_no,
            "question": {"id": take.question_id, "text": take.question_text,
                         "kind": take.question_kind, "category": take.question_category},
            "follow_up_to": link.to_dict() if link else None,
            "representative_take_no": representative(_answer_takes(record, take)).take_no,
            "takes": [],
        })
        answer["takes"].append({
            "take_no": take.take_no,
            "recorded_at_utc": take.recorded_at_utc,
            "has_speech": take.has_speech,
            "audio_path": str(take.audio_path) if take.audio_path else None,
            "report": take.report,
        })
    return {"session": asdict(record.summary), "answers": list(answers.values())}


def _answer_takes(record: SessionRecord, take: TakeRecord) -> list[TakeRecord]:
    return [t for t in record.takes if t.answer_id == take.answer_id]


def session_markdown(record: SessionRecord) -> str:
    """The session as a Markdown document: a summary, then every take with its feedback."""
    summary = record.summary
    lines = [
        f"# mockview session {summary.session_id}",
        "",
        f"{summary.started_at_utc} · {summary.source} · {summary.answer_count} answer(s), "
        f"{summary.take_count} take(s), {numbers.duration(summary.speaking_s)} speaking",
        "",
    ]
    for take in record.takes:
        lines += _take_markdown(take, take_mark(take, _answer_takes(record, take)),
                                follows=record.follows(take))
    return "\n".join(lines).rstrip() + "\n"


def _take_markdown(take: TakeRecord, mark: str | None = None, *,
                   follows: FollowUpLink | None = None) -> list[str]:
    question = escape(take.question_text) if take.question_text else "(no question)"
    marked = f" ({mark})" if mark else ""
    lines = [f"## Answer {take.answer_no}, take {take.take_no}{marked}: {question}", ""]
    if follows:  # a heading a level down, so the follow-up reads as part of its parent
        lines = [f"### Follow-up to answer {follows.parent_answer_no} (answer "
                 f"{take.answer_no}, take {take.take_no}{marked}): {question}", "",
                 f"Asked because: {escape(follows.reason)}"
                 + (f" ({escape(follows.evidence)})" if follows.evidence else ""), ""]
    report = take.report or {}
    metrics = report.get("metrics", {})
    fillers, pace = metrics.get("fillers", {}), metrics.get("pace", {})
    pauses, length = metrics.get("pauses", {}), metrics.get("length", {})
    went_well = strengths(report) if report.get("transcript") else []
    if went_well:
        lines += ["**What went well**", "",
                  *(f"- **{escape(s['label'])}**: {escape(s['evidence'])}" for s in went_well),
                  ""]
    lines += [
        "| metric | value |",
        "| --- | --- |",
        f"| length | {clock(take.duration_s)} ({escape(take.length_verdict or '-')}) |",
        f"| words | {take.word_count} |",
        f"| speaking | {numbers.duration(length.get('speaking_s'))} |",
        f"| pace | {numbers.pace(pace)} |",
        f"| fillers | {fillers.get('count', 0)}"
        f" ({numbers.one_decimal(fillers.get('per_minute'))}/min) |",
        f"| long pauses | {pauses.get('long_count', 0)}"
        f" (longest {numbers.seconds(pauses.get('longest_s'))}) |",
        f"| pause ratio | {numbers.percent(pauses.get('pause_ratio'))} |",
        f"| rambling | {'flagged' if take.rambling_flagged else 'no'} |",
        "",
    ]
    said = report.get("transcript") or {}
    # from the words, so a report stored before words were joined as spoken reads right
    transcript = (join_words(w["text"] for w in said["words"]) if said.get("words")
                  else said.get("text"))
    if transcript:
        lines += ["**Transcript**", "", "> " + escape(transcript), ""]
    content = metrics.get("content")
    if content:
        found = content_lines(content)
        if not content.get("judged") and content.get("note"):
            found.insert(0, content["note"])
        lines += _findings("What the answer says (heuristic)", found)
    lines += _findings("How it sounds (heuristic)", delivery_lines(metrics.get("delivery")))
    lines += _findings("What the answer talked about (heuristic)",
                       topic_lines(metrics.get("topics")))
    tips = report.get("feedback") or []
    if tips:
        lines += ["**What to work on**", ""]
        lines += [f"{n}. **{escape(t['title'])}**: {escape(t['detail'])}"
                  for n, t in enumerate(tips, 1)]
        lines.append("")
    asked = follow_ups(report)
    if asked:
        lines += ["**Follow-up questions an interviewer might ask**", ""]
        lines += [f"{n}. **{escape(f['text'])}** {escape(f['reason'])} ({escape(f['evidence'])})"
                  for n, f in enumerate(asked, 1)]
        lines.append("")
    if length.get("target_s"):
        lines += [f"Target length: {numbers.length_target(length)}.", ""]
    return lines


def _findings(title: str, found: list[str]) -> list[str]:
    """A bold title and a list; a line indented in ``found`` is nested under the one before."""
    if not found:
        return []
    items = [f"{'  ' if line.startswith(' ') else ''}- {escape(line)}" for line in found]
    return [f"**{title}**", "", *items, ""]

