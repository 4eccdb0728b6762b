"""The scorecard at the end of ``mockview interview``, in the terminal."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from mockview import numbers
from mockview.analysis.text import clock


def render_scorecard(card: dict, console: Console) -> None:
    """Each answer's key numbers (a follow-up indented under its parent), then what went
    well and the three things to work on (``interview.scorecard``)."""
    table = Table(title="Interview scorecard", title_justify="left")
    for name in ("#", "question", "length", "wpm", "fillers/min", "long pauses", "results"):
        table.add_column(name, justify="left" if name == "question" else "right")
    for answer in card["answers"]:
        follows, key = answer["follows"], answer["numbers"]
        text = answer["question"]["text"] or ""
        if follows:
            text = f"  ↳ follow-up to {follows['answer_no']}: {text}"
        verdict = (key["length_verdict"] or "not judged").replace("_", " ")
        table.add_row(str(answer["answer_no"]), Text(text), f"{clock(key['duration_s'])}"
                      f" ({verdict})", numbers.whole(key["words_per_minute"]),
                      numbers.one_decimal(key["fillers_per_minute"]), str(key["long_pauses"]),
                      "-" if key["concrete_results"] is None else str(key["concrete_results"]))
    console.print(table)
    if card["strengths"]:
        console.print(Text("What went well", style="bold green"))
        for found in card["strengths"]:
            console.print(Text(f"  + {found['label']}: {found['evidence']} "
                               f"({_answers(found['answers'])})"))
    if card["work_on"]:
        console.print(Text("The three things to work on", style="bold yellow"))
        for number, tip in enumerate(card["work_on"], 1):
            console.print(Text(f"  {number}. {tip['title']}: {tip['summary']} "
                               f"({_answers(tip['answers'])})"))


def _answers(numbers_: list[int]) -> str:
    if len(numbers_) == 1:
        return f"answer {numbers_[0]}"
    return "answers " + ", ".join(map(str, numbers_[:-1])) + f" and {numbers_[-1]}"
