"""The mockview command line: thin click commands over the core modules."""

from __future__ import annotations

import click

from mockview import __version__


@click.group()
@click.version_option(__version__, prog_name="mockview")
def cli():
    """Practise job interview answers out loud and get honest feedback.

    Everything runs locally: recordings and transcripts never leave this machine.

    Example:

        mockview analyze samples/rambling_intro.flac --question intro-about-yourself
    """


# --- questions and banks (owned by questions work) ---------------------------------------


@cli.command()
@click.option("--bank", metavar="NAME|PATH",
              help="Only this bank: a bank name (see: mockview banks) or a .toml file.")
@click.option("--category", metavar="CATEGORY",
              help="Only this category, for example teamwork-and-conflict.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
def questions(bank, category, as_json):
    """List the interview questions you can practise.

    Shows each question's id (for analyze --question), category, kind and answer length
    target. Your own banks in the data directory's banks/ folder are included.

    Examples:

        mockview questions --category failure-and-resilience

        mockview questions --bank ./my_questions.toml --json
    """
    from mockview.errors import MockviewError
    from mockview.questions import load_banks, select_questions

    try:
        selected = select_questions(load_banks(), bank=bank, category=category)
    except MockviewError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        import json

        click.echo(json.dumps([q.to_dict() for q in selected], indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("ID", "Category", "Kind", "Target", "Question", box=None)
    for question in selected:
        target = question.length_target
        table.add_row(question.id, question.category, question.kind,
                      f"{target.min_s:g}-{target.max_s:g} s", question.text)
    table.columns[0].no_wrap = True
    Console().print(table)
    click.echo(f"{len(selected)} questions. Practise one with: "
               f"mockview analyze ANSWER.wav --question ID", err=True)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
def banks(as_json):
    """List the question banks: the bundled ones and your own.

    To add a bank, put a .toml file in the banks/ folder of the data directory
    (set MOCKVIEW_HOME to move it); its path is printed below the list.

    Examples:

        mockview banks

        mockview banks --json
    """
    from mockview.errors import MockviewError
    from mockview.questions import load_banks, user_banks_dir

    try:
        loaded = load_banks()
    except MockviewError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        import json

        click.echo(json.dumps([b.to_dict() for b in loaded], indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("Name", "Title", "Questions", "Path", box=None)
    for bank in loaded:
        table.add_row(bank.name, bank.title, str(len(bank.questions)), str(bank.path))
    table.columns[0].no_wrap = True
    table.columns[2].justify = "right"
    table.columns[3].overflow = "fold"  # a path is only useful whole
    Console().print(table)
    click.echo(f"Your own banks go in {user_banks_dir()} (one .toml file per bank).", err=True)


# --- analyze -----------------------------------------------------------------------------


@cli.command()
@click.argument("audio", type=click.Path(path_type=str))
@click.option("--question", "question_id", metavar="ID",
              help="The bank question this answers (sets the length target and tips).")
@click.option("--question-text", metavar="TEXT",
              help="The question as asked, when it is not in a bank.")
@click.option("--bank", "bank_paths", multiple=True, metavar="PATH",
              help="An extra question bank file to look the question up in.")
@click.option("--model", "model_name", metavar="NAME",
              help="faster-whisper model name or local model directory (default: bundled tiny.en).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
def analyze(audio, question_id, question_text, bank_paths, model_name, as_json):
    """Analyse a recorded answer: fillers, pace, pauses, length and rambling.

    Reads wav, flac, mp3, m4a and ogg at any sample rate. Transcription is local.

    Examples:

        mockview analyze samples/concise_teamwork.flac --question beh-disagree

        mockview analyze answer.m4a --question-text "Why this role?" --json
    """
    from mockview.errors import MockviewError

    try:
        question = _question_info(question_id, question_text, bank_paths)
        report = _analyze_with_progress(audio, question, model_name)
    except MockviewError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        import json

        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        from rich.console import Console

        from mockview.render.terminal import render_report

        render_report(report, Console())


def _question_info(question_id, question_text, bank_paths):
    if question_id and question_text:
        raise click.UsageError("Give either --question or --question-text, not both.")
    if question_text is not None:
        from mockview.words import QuestionInfo

        if not question_text.strip():
            raise click.UsageError("--question-text is empty. Give the question as asked.")
        return QuestionInfo(text=question_text.strip())
    if question_id:
        from mockview.questions import find_question, load_banks

        return find_question(load_banks(extra=bank_paths), question_id).info()
    return None


def _analyze_with_progress(audio, question, model_name):
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from mockview.report import analyze_recording

    stderr = Console(stderr=True)
    with Progress(TextColumn("[dim]Transcribing locally"), BarColumn(), TimeElapsedColumn(),
                  console=stderr, transient=True, disable=not stderr.is_terminal) as bar:
        task = bar.add_task("transcribe", total=1.0)

        def progress(done_s, total_s):
            bar.update(task, completed=done_s / total_s if total_s else 1.0)

        return analyze_recording(audio, question=question, model_name=model_name,
                                 progress=progress)
