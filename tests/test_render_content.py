"""The content findings as the terminal shows them."""

import io

from rich.console import Console

from mockview.analysis import analyze_answer
from mockview.render.content import content_lines
from mockview.render.terminal import content_panel
from mockview.words import QuestionInfo

from .analysis_helpers import transcript

QUESTION = QuestionInfo("Tell me about a time you disagreed with a colleague.",
                        kind="behavioral", keywords=("colleague", "listen", "decision"))
ANSWER = (
    "Last year our team was rebuilding the checkout page before a big sale. "
    "My task was to agree on a release plan with a colleague who wanted one big launch. "
    "So I asked for thirty minutes, I listened to her reasons, and I showed her the data "
    "from our last two releases. I proposed shipping in three stages, and I wrote the plan. "
    "I guess it was kind of a compromise. As a result we cut checkout errors by 40 percent "
    "and launched on time. Our team now ships every large change in stages."
)


def analysed(text: str, question=QUESTION) -> dict:
    return analyze_answer(transcript(text), question).to_dict()["metrics"]["content"]


def test_lines_name_the_star_parts_results_ownership_hedges_and_coverage():
    lines = content_lines(analysed(ANSWER))
    text = "\n".join(lines)
    assert lines[0].startswith("STAR: situation")
    assert "(action: aim for 40%-50%)" in lines[0]
    assert "Results: 3 found, 1 concrete" in text and "“40 percent”" in text
    assert "Ownership: “I” + action" in text
    assert "Hedges: 2" in text and "“i guess” ×1" in text
    assert "Question keywords: " in text and "of 3 mentioned" in text


def test_a_short_answer_says_it_is_not_judged():
    content = analysed("I led the team.")
    console = Console(file=io.StringIO(), width=100)
    console.print(content_panel(content))
    shown = console.file.getvalue()
    assert not content["judged"] and content["note"].split(".")[0] in shown
