"""The terminal report of one answer, drawn with rich from the report dict."""

from __future__ import annotations

from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from mockview import numbers
from mockview.numbers import clock
from mockview.render.content import content_lines
from mockview.render.delivery import delivery_findings
from mockview.render.topics import topic_lines
from mockview.strengths import first_sentence, priorities, strengths, tips
from mockview.words import joins_previous

FILLER_STYLE = {"filled_pause": "bold black on yellow", "discourse_marker": "bold black on cyan"}


def render_report(report: dict, console: Console, *, details: bool = False,
                  header: bool = True, hint: bool = True) -> None:
    """Print one answer's report: what went well, then at most three things to work on.

    With ``details`` every panel follows (transcript, metrics, rambling, content, delivery,
    every tip and the question's own tips). ``header`` prints the question and the
    recording's length first (practice has just shown them); ``hint`` ends the short
    report with a line naming what ``--details`` adds.
    """
    if header:
        console.print(_header(report))
    _print_strengths(report, console)
    if not details:
        _print_priorities(report, console, hint=hint)
        return
    metrics = report["metrics"]
    if not report["transcript"]["words"]:
        console.print(Panel(Text("No speech was found in this recording.", style="bold"),
                            title="Transcript", title_align="left"))
        _print_feedback(report, console)
        return
    console.print(Panel(transcript_text(report), title="Transcript", title_align="left",
                        subtitle=_legend(report), subtitle_align="left"))
    console.print(metrics_table(metrics))
    rambling = metrics["rambling"]
    if rambling["signals"]:
        title = "Rambling: flagged" if rambling["flagged"] else "Rambling signals (not flagged)"
        lines = [Text.assemble(("• ", "dim"), (s["name"].replace("_", " "), "bold"), ": ",
                               s["detail"]) for s in rambling["signals"]]
        console.print(Panel(Group(*lines), title=title, title_align="left",
                            border_style="red" if rambling["flagged"] else "yellow"))
    content = metrics.get("content")
    if content:
        console.print(content_panel(content))
    delivery = metrics.get("delivery")
    if delivery:
        console.print(delivery_panel(delivery))
    talked_about = topic_lines(metrics.get("topics"))
    if talked_about:
        console.print(Panel(Group(*(Text(line) for line in talked_about)),
                            title="What the answer talked about (heuristic)",
                            title_align="left", border_style="cyan"))
    dropped = report["transcript"].get("dropped") or []
    if dropped:
        shown = ", ".join(f"“{d['text']}” at {clock(d['start_s'])}" for d in dropped[:4])
        more = f" and {len(dropped) - 4} more" if len(dropped) > 4 else ""
        console.print(Text(f"Left out {len(dropped)} word(s) the audio did not support: "
                           f"{shown}{more} (see --json for reasons).", style="dim"))
    _print_feedback(report, console)
    _print_follow_ups(report, console)


def _header(report: dict) -> Text:
    question = report.get("question")
    text = Text()
    if question:
        label = f"[{question['id']}] " if question.get("id") else ""
        text.append(f"{label}{question['text']}\n", style="bold")
    audio = report["audio"]
    where = f"{audio['path']}  ·  " if audio.get("path") else ""
    text.append(f"{where}{clock(audio['duration_s'])} recorded", style="dim")
    return text


def _legend(report: dict) -> Text:
    legend = Text.assemble(("filled pause", FILLER_STYLE["filled_pause"]), " ",
                           ("discourse marker", FILLER_STYLE["discourse_marker"]), " ",
                           ("[seconds] long pause", "bold red"))
    if any(w.get("source") == "audio" for w in report["transcript"]["words"]):
        legend.append(" (uh) heard in the audio, not written by the model")
    return legend


def transcript_text(report: dict) -> Text:
    """The transcript with fillers highlighted by kind and long pauses marked in place."""
    fillers = report["metrics"]["fillers"]["items"]
    pauses = [p for p in report["metrics"]["pauses"]["items"] if p.get("long")]
    text = Text()
    pause_index = 0
    after_word = False
    for word in report["transcript"]["words"]:
        while pause_index < len(pauses) and pauses[pause_index]["end_s"] <= word["start_s"] + 0.05:
            text.append(f"[{numbers.seconds(pauses[pause_index]['duration_s'])}] ",
                        style="bold red")
            pause_index += 1
            after_word = False
        kind = _filler_kind(word, fillers)
        if after_word and joins_previous(word["text"]):
            text.right_crop(1)  # "cold" "-hearted" reads "cold-hearted"
        after_word = True
        shown = f"({word['text']})" if word.get("source") == "audio" else word["text"]
        text.append(shown, style=FILLER_STYLE.get(kind, ""))
        text.append(" ")
    return text


def _filler_kind(word: dict, fillers: list[dict]) -> str | None:
    for item in fillers:
        if item["start_s"] - 0.01 <= word["start_s"] and word["end_s"] <= item["end_s"] + 0.01:
            return item["kind"]
    return None


def metrics_table(metrics: dict) -> Table:
    """Each metric with its value, its target and a verdict."""
    fillers, pace, pauses, length = (metrics[k] for k in ("fillers", "pace", "pauses", "length"))
    table = Table(title="Metrics", title_justify="left", show_lines=False)
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("target")
    table.add_column("note")
    top = ", ".join(f"{t['text']} ×{t['count']}" for t in fillers.get("top", [])[:3])
    table.add_row("fillers",
                  f"{fillers['count']} ({numbers.one_decimal(fillers['per_minute'])}/min)",
                  "under 3 per 100 words",
                  f"{numbers.one_decimal(fillers['per_100_words'])} per 100 words"
                  + (f"; {top}" if top else ""))
    judged = pace.get("verdict") != "not_enough_speech"
    table.add_row("pace", numbers.pace(pace), "120-160 wpm",
                  _verdict(pace.get("verdict")) if judged else pace.get("note") or "")
    if judged:
        table.add_row("articulation rate", numbers.wpm(pace.get("articulation_wpm")),
                      "", "pace without the pauses")
    table.add_row("long pauses (≥1 s)", str(pauses["long_count"]), "",
                  f"longest {numbers.seconds(pauses['longest_s'] or 0)};"
                  f" {pauses['count']} pauses in all")
    table.add_row("pause ratio", numbers.percent(pauses["pause_ratio"] or 0), "about 22%",
                  "flag over 35%")
    table.add_row("thinking time", numbers.seconds(pauses["first_word_s"] or 0), "",
                  "from the start to the first word")
    table.add_row("length", clock(length["duration_s"]), numbers.length_target(length),
                  f"{_verdict(length.get('verdict'))}; {length['word_count']} words, "
                  f"{numbers.duration(length['speaking_s'])} speaking")
    return table


def content_panel(content: dict) -> Panel:
    """What the answer says: structure, results, ownership, hedges, coverage, opening, ending."""
    lines = [Text(line) for line in content_lines(content)]
    if not content.get("judged"):
        lines.insert(0, Text(content.get("note") or "Not judged.", style="dim"))
    return Panel(Group(*lines), title="What the answer says (heuristic)", title_align="left",
                 border_style="blue")


def delivery_panel(delivery: dict) -> Panel:
    """How it sounds: pitch variation, uptalk and volume, each finding with its time."""
    lines = []
    for finding in delivery_findings(delivery):
        if finding.kind == "note":
            line = Text(finding.text, style="dim")
        elif finding.kind in ("tip", "more"):
            line = Text(finding.text, style="italic" if finding.kind == "tip" else "dim")
        elif finding.when:
            line = Text.assemble((finding.when, "bold"), " ", finding.text)
        else:
            line = Text(finding.text)
        lines.append(Padding(line, (0, 0, 0, 2)) if finding.detail else line)
    return Panel(Group(*lines), title="How it sounds (heuristic)", title_align="left",
                 border_style="magenta")


def _verdict(verdict: str | None) -> str:
    return (verdict or "").replace("_", " ")


def _print_strengths(report: dict, console: Console) -> None:
    found = strengths(report)
    if not found:
        return
    console.print(Text("What went well", style="bold green"))
    console.print(_list([(Text("✓", style="green"),
                          Text.assemble((strength["label"], "bold"), ": ", strength["evidence"]))
                         for strength in found]))


def _print_follow_ups(report: dict, console: Console) -> None:
    """What an interviewer might ask next, ranked, each with what the answer lacked.

    Imported here, for ``--details`` only: ``followups`` loads the question banks' module,
    which the short report ``mockview show`` prints does not need.
    """
    from mockview.followups import follow_ups

    found = follow_ups(report)
    if not found:
        return
    lines = [Text.assemble((f"{number}. {item['text']}", "bold"), "\n   ", item["reason"],
                           " (", item["evidence"], ")")
             for number, item in enumerate(found, 1)]
    console.print(Panel(Group(*lines), title="Follow-up questions an interviewer might ask",
                        title_align="left", border_style="blue"))


def _print_priorities(report: dict, console: Console, *, hint: bool) -> None:
    """The first tips, a title and the sentence with this answer's numbers each, and what
    ``--details`` would add."""
    chosen = priorities(report)
    if report["feedback"]:
        console.print(Text("What to work on", style="bold"))
    if chosen:
        console.print(_list([(Text(f"{number}."), Text.assemble((tip["title"], "bold"), "\n",
                                                                 tip["summary"]))
                             for number, tip in enumerate(chosen, 1)]))
    elif report["feedback"]:  # the note that nothing needs work
        console.print(_list([(Text(""), Text(first_sentence(report["feedback"][0]["detail"])))]))
    left_out = details_hint(report) if hint else None
    if left_out:
        console.print(Text(left_out, style="dim"))


def details_hint(report: dict) -> str | None:
    """What the short report leaves out, and how to see it; None when nothing is."""
    more = []
    left = len(tips(report)) - len(priorities(report))
    if left > 0:
        more.append(f"{left} more tip{'s' if left > 1 else ''}")
    if (report.get("question") or {}).get("tips"):
        more.append("this question's own tips")
    if report["transcript"]["words"]:
        more += ["the transcript", "every measure"]
    if not more:
        return None
    listed = ", ".join(more[:-1]) + " and " + more[-1] if len(more) > 1 else more[0]
    return f"Add --details for {listed}."


def _list(rows: list[tuple[Text, Text]]) -> Padding:
    """Marked lines, indented, each wrapping under its own text."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=2, justify="right")
    grid.add_column()
    for mark, text in rows:
        grid.add_row(mark, text)
    return Padding(grid, (0, 0, 0, 1))


def _print_feedback(report: dict, console: Console) -> None:
    lines = []
    for number, tip in enumerate(report["feedback"], 1):
        lines.append(Text.assemble((f"{number}. {tip['title']}", "bold"), "\n   ", tip["detail"]))
    question = report.get("question") or {}
    for tip in question.get("tips") or []:
        lines.append(Text.assemble(("• ", "dim"), ("For this question: ", "italic"), tip))
    if lines:
        console.print(Panel(Group(*lines), title="What to work on", title_align="left",
                            border_style="green"))
