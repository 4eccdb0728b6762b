"""The mockview command line: thin click commands over the core modules."""

from __future__ import annotations

import contextlib
import re

import click

from mockview import __version__

#: What to do on an empty store: the command a new user most likely wants first.
NO_SESSIONS = ("No sessions yet. Start one with: mockview practice (or keep a recording with: "
               "mockview analyze FILE --save)")
#: Other spellings of commands: British English, as the README writes them.
ALIASES = {"practise": "practice", "analyse": "analyze"}


class _Group(click.Group):
    """The command group; ``practise`` runs ``practice`` (and ``analyse``, ``analyze``)."""

    def get_command(self, ctx, cmd_name):
        return super().get_command(ctx, ALIASES.get(cmd_name, cmd_name))

    def resolve_command(self, ctx, args):
        name, command, rest = super().resolve_command(ctx, args)
        return (command.name if command else name), command, rest


class _SessionType(click.ParamType):
    """A session on the command line: its number, or ``last``/``-1`` for the latest
    (``-2`` the one before...), as a negative int until ``_session_id`` resolves it."""

    name = "session"

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        from mockview.errors import MockviewError
        from mockview.refs import parse_session_ref

        try:
            return parse_session_ref(value)
        except MockviewError as error:
            self.fail(str(error), param, ctx)


SESSION = _SessionType()
#: A word that click would read as an option but names a session back from the latest
#: (-1), or an answer or take of it for compare (-1:2:1).
_BACK_FROM_LATEST = re.compile(r"-[0-9]+(?::[0-9]+){0,2}")


class _SessionCommand(click.Command):
    """A command whose session may be written ``-1`` (the latest), ``-2``, ...

    click reads any word starting with "-" as an option. These commands hand such a word on
    as an argument instead (``ignore_unknown_options``); every other word that is not one of
    their options is still refused, as click refuses it.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("context_settings", {})["ignore_unknown_options"] = True
        super().__init__(*args, **kwargs)

    def parse_args(self, ctx, args):
        options = [p for p in self.get_params(ctx) if isinstance(p, click.Option)]
        known = {name for p in options for name in (*p.opts, *p.secondary_opts)}
        with_value = {name for p in options if not p.is_flag and not p.count
                      for name in p.opts}
        words = iter(args)
        for word in words:
            if word == "--":
                break
            if word in with_value:
                next(words, None)  # its value, whatever it looks like
            elif (word.startswith("-") and len(word) > 1 and word not in known
                  and not _BACK_FROM_LATEST.fullmatch(word)
                  and word.split("=", 1)[0] not in known and word[:2] not in with_value):
                import difflib

                raise click.NoSuchOption(
                    word, possibilities=difflib.get_close_matches(word, sorted(known)),
                    ctx=ctx)
        return super().parse_args(ctx, args)


def _session_id(store, ref: int | None) -> int:
    """The id of the session ``ref`` names: itself when positive; the latest session with
    a recorded answer for None or -1, the one before for -2, and so on."""
    return ref if ref is not None and ref > 0 else store.recent_session_id(-(ref or -1))


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="mockview")
def cli():
    """Practise job interview answers out loud and get honest feedback.

    Everything runs locally: recordings and transcripts never leave this machine.

    Examples:

        mockview practice

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
    from rich.text import Text

    table = Table("ID", "Category", "Kind", "Target", "Question", box=None)
    for question in selected:
        target = question.length_target
        # Text, not a str: rich would read "[...]" in a bank's question as markup
        table.add_row(question.id, question.category, question.kind,
                      f"{target.min_s:g}-{target.max_s:g} s", Text(question.text))
    table.columns[0].no_wrap = True
    Console().print(table)
    click.echo(f"{len(selected)} questions. Practise one with: "
               f"mockview practice --question ID", err=True)


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
    from rich.text import Text

    table = Table("Name", "Title", "Questions", "Path", box=None)
    for bank in loaded:  # Text: "[...]" in a title or a path is not markup
        table.add_row(bank.name, Text(bank.title), str(len(bank.questions)),
                      Text(str(bank.path)))
    table.columns[0].no_wrap = True
    table.columns[2].justify = "right"
    table.columns[3].overflow = "fold"  # a path is only useful whole
    Console().print(table)
    click.echo(f"Your own banks go in {user_banks_dir()} (one .toml file per bank).", err=True)


# --- analyze -----------------------------------------------------------------------------


_download_option = click.option(
    "--download", is_flag=True,
    help="Download the --model if it is not on this machine, without asking (only the "
         "model comes over the network; recordings never leave it).")


_job_option = click.option(
    "--job", "job_path", metavar="FILE", type=click.Path(path_type=str),
    help="A job description (plain text or Markdown): its key skills and terms are looked "
         "for in each answer.")
_accurate_pitch_option = click.option(
    "--accurate-pitch", is_flag=True,
    help="Track pitch with pyin instead of yin: steadier on rough voices, about 30 times "
         "slower.")
_output_device_option = click.option(
    "--output-device", metavar="INDEX|NAME",
    help="Play answers back on this output device (default: the system's; see: mockview "
         "devices).")
_details_option = click.option(
    "--details", is_flag=True,
    help="The full report of each answer: transcript, every measure and every tip (by "
         "default: what went well and the three things to work on first).")
_cues_option = click.option(
    "--cues", is_flag=True,
    help="While you speak, show the fillers so far, your pace over the last 15 s and the "
         "time against the question's target (from the live transcript, a few seconds "
         "behind).")


def _session_options(command):
    """The options ``practice`` and ``interview`` share: how each answer is recorded,
    transcribed and shown."""
    options = [
        click.option("--time-limit", type=click.FloatRange(min=1.0), metavar="S",
                     help="Stop each answer after S seconds (default: from the question's "
                          "kind)."),
        click.option("--prep", type=click.FloatRange(min=0.0), default=5.0, show_default=True,
                     metavar="S", help="Seconds to think before recording starts (0 skips)."),
        click.option("--silence-stop", type=click.FloatRange(min=0.5), metavar="S",
                     help="Stop an answer after S seconds of silence once you have started "
                          "speaking."),
        click.option("--device", metavar="INDEX|NAME",
                     help="Input device (see: mockview devices)."),
        _output_device_option,
        click.option("--model", "model_name", metavar="NAME",
                     help="faster-whisper model name or local model directory (default: "
                          "bundled tiny.en)."),
        _download_option,
        _accurate_pitch_option,
        _details_option,
        _cues_option,
        click.option("--no-input", is_flag=True,
                     help="Never wait for a key: each answer records until the time limit or "
                          "the silence stop (also when standard input is not a terminal)."),
    ]
    for option in reversed(options):  # the first listed is the first shown in --help
        command = option(command)
    return command


def _load_job(job_path):
    """The JobDescription of --job, or None (JobError, one line, for a bad file)."""
    if job_path is None:
        return None
    from mockview.job import load_job

    return load_job(job_path)


def _ensure_model(model_name, download, *, ask=None):
    """Have a named model on this machine before any work, downloading it only with
    consent: --download, or a yes at the prompt. ``ask`` (default: whether standard input
    is a terminal) says whether a prompt may be shown."""
    if not model_name:
        return  # the bundled model is installed with mockview
    from mockview.errors import ModelDownloadNeeded
    from mockview.speech.transcription import load_model

    try:
        load_model(model_name)
    except ModelDownloadNeeded:
        if not download:
            if not (_stdin_is_interactive() if ask is None else ask):
                raise
            click.confirm(f"Model '{model_name}' is not on this machine. Download it from "
                          "Hugging Face? (Your recordings are never sent.)", abort=True,
                          err=True)
        load_model(model_name, download=True)


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
@_download_option
@_job_option
@_accurate_pitch_option
@_details_option
@click.option("--fillers-from-audio", is_flag=True,
              help="Also look between the words for filled pauses the model left out "
                   "(experimental: marked as heard in the audio; see the README).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@click.option("--save", is_flag=True,
              help="Keep the recording and its report in your history (see: mockview history).")
def analyze(audio, question_id, question_text, bank_paths, model_name, download, job_path,
            accurate_pitch, details, fillers_from_audio, as_json, save):
    """Analyse a recorded answer: fillers, pace, pauses, length, rambling, what the answer
    says (structure, results, ownership, hedges, keywords) and how it sounds (pitch,
    uptalk, volume).

    The report leads with what went well and the three things to work on first;
    --details adds the transcript, every measure and every tip.

    Reads wav, flac, mp3, m4a and ogg at any sample rate. Transcription is local.
    With --save the audio and the report are kept as a new session; with --json the
    object then also holds "saved": {"session_id": N}.

    Examples:

        mockview analyze samples/concise_teamwork.flac --question beh-disagree

        mockview analyze answer.m4a --question-text "Why this role?" --json

        mockview analyze answer.wav --question intro-about-yourself --save

        mockview analyze answer.wav --question beh-disagree --job backend-engineer.txt
    """
    from mockview.errors import MockviewError

    session_id = None
    try:
        question = _question_info(question_id, question_text, bank_paths)
        job = _load_job(job_path)
        store = _open_store() if save else None  # a broken store fails before transcribing
        try:
            _ensure_model(model_name, download)
            report = _analyze_with_progress(audio, question, model_name, job=job,
                                            accurate_pitch=accurate_pitch,
                                            fillers_from_audio=fillers_from_audio)
            session_id, save_error = (_save_analysis(store, audio, report, question)
                                      if store else (None, None))
        finally:
            if store:
                store.close()
    except MockviewError as error:
        raise click.ClickException(str(error)) from None
    except KeyboardInterrupt:
        click.echo("\nStopped: nothing was saved." if session_id is None else
                   f"\nStopped. The answer was saved as session {session_id}.", err=True)
        raise SystemExit(130) from None
    if session_id is not None and as_json:
        report = {**report, "saved": {"session_id": session_id}}
    if as_json:
        import json

        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        from rich.console import Console

        from mockview.render.terminal import render_report

        render_report(report, Console(), details=details)
    if save_error:  # the report is shown all the same: the user waited for it
        raise click.ClickException(save_error)
    if session_id is not None:
        click.echo(f"Saved as session {session_id}. See it again with: "
                   f"mockview show {session_id}", err=True)


def _question_info(question_id, question_text, bank_paths):
    if question_id and question_text:
        raise click.UsageError("Give either --question or --question-text, not both.")
    if bank_paths and not question_id:
        raise click.UsageError("--bank is where --question ID is looked up: give --question "
                               "too, or leave --bank out.")
    if question_text is not None:
        from mockview.words import QuestionInfo

        if not question_text.strip():
            raise click.UsageError("--question-text is empty. Give the question as asked.")
        return QuestionInfo(text=question_text.strip())
    from mockview.api import question_info

    return question_info(question_id or None, bank_paths)


def _analyze_with_progress(audio, question, model_name, *, job=None, accurate_pitch=False,
                           fillers_from_audio=False):
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from mockview.api import analyze_file

    stderr = Console(stderr=True)
    with Progress(TextColumn("[dim]Transcribing locally"), BarColumn(), TimeElapsedColumn(),
                  console=stderr, transient=True, disable=not stderr.is_terminal) as bar:
        task = bar.add_task("transcribe", total=1.0)

        def progress(done_s, total_s):
            bar.update(task, completed=done_s / total_s if total_s else 1.0)

        return analyze_file(audio, question=question, model=model_name, progress=progress,
                            job=job, accurate_pitch=accurate_pitch,
                            fillers_from_audio=fillers_from_audio).to_dict()


# --- batch -------------------------------------------------------------------------------


@cli.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...",
                type=click.Path(path_type=str))
@click.option("--jobs", "-j", type=click.IntRange(min=1), metavar="N",
              help="Worker processes, each with its own model (default: the number of cores).")
@click.option("--out", "out_dir", default="mockview-batch", show_default=True, metavar="DIR",
              type=click.Path(file_okay=False, path_type=str),
              help="Where the reports, summary.csv and errors.csv go.")
@click.option("--question", "question_id", metavar="ID",
              help="The bank question every recording answers.")
@click.option("--questions", "questions_csv", metavar="FILE.csv",
              type=click.Path(dir_okay=False, path_type=str),
              help="A CSV with columns file,question: each recording's question id.")
@click.option("--bank", "bank_paths", multiple=True, metavar="PATH",
              help="An extra question bank file to look the question ids up in.")
@click.option("--model", "model_name", metavar="NAME",
              help="faster-whisper model name or local model directory (default: bundled tiny.en).")
@_download_option
@click.option("--summary-by", "summary_by", metavar="PATTERN",
              help="Group the summary by person: a regular expression over file names with a "
                   "group named person, e.g. '(?P<person>[^_]+)_'. Writes DIR/people.csv.")
@click.option("--jsonl", is_flag=True, help="Also print each report on stdout, one per line.")
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="Analyse on this Dask cluster's workers (tcp://host:8786) instead of "
                   "here; needs: pip install 'mockview[cluster]'.")
@click.option("--send-audio", is_flag=True,
              help="With --dask: send each recording's bytes to the workers, for workers "
                   "that do not share this machine's storage.")
def batch(paths, jobs, out_dir, question_id, questions_csv, bank_paths, model_name, download,
          summary_by, jsonl, dask_address, send_audio):
    """Analyse many recordings: files, or folders searched for audio (wav, flac, mp3, m4a,
    ogg, opus), on every core.

    Each report goes to DIR/<name>.json (the JSON of analyze --json), one row per recording
    to DIR/summary.csv, and each file that could not be analysed, with the reason, to
    DIR/errors.csv. Run it again to resume: a recording whose report was made from the same
    content, analysis version, model and question is skipped. Exits 1 when any file failed.

    Examples:

        mockview batch answers/ --out reports

        mockview batch answers/ --questions questions.csv --summary-by '(?P<person>[^_]+)_'

        mockview batch a.wav b.m4a --question beh-disagree --jobs 2 --jsonl > reports.jsonl

        mockview batch /shared/answers --out /shared/reports --dask tcp://scheduler:8786
    """
    import json
    import os
    from pathlib import Path

    from mockview import batch as batches
    from mockview.errors import MockviewError

    if question_id and questions_csv:
        raise click.UsageError("Give either --question or --questions, not both.")
    if dask_address and jobs:
        raise click.UsageError("--jobs is for this machine: with --dask the cluster's "
                               "workers set how many files run at once. Leave --jobs out.")
    if send_audio and not dask_address:
        raise click.UsageError("--send-audio is for --dask workers: give --dask ADDRESS too, "
                               "or leave --send-audio out.")
    if bank_paths and not (question_id or questions_csv):
        raise click.UsageError("--bank is where question ids are looked up: give --question "
                               "or --questions too, or leave --bank out.")
    out = Path(out_dir)
    try:
        cohorts = batches.Cohorts(summary_by) if summary_by else None
        mapping = batches.read_question_map(questions_csv) if questions_csv else {}
        questions = _batch_questions({question_id} if question_id else set(mapping.values()),
                                     bank_paths, questions_csv)
        files = batches.find_recordings(paths, skip=out)
        if not files:
            raise click.ClickException(f"No audio files in {' '.join(paths)}. Give recordings "
                                       "or folders holding .wav, .flac, .mp3, .m4a or .ogg files.")
        _ensure_model(model_name, download)
        out.mkdir(parents=True, exist_ok=True)
        if batches.remove_leftovers(out):
            click.echo(f"Removed the half-written files of a batch that was stopped in {out}.",
                       err=True)
        recordings = batches.plan(
            files, batches.read_index(out),
            (lambda _: question_id) if question_id
            else (lambda path: batches.question_for(path, mapping)))
        if mapping:
            unmapped = sum(1 for r in recordings if r.question_id is None)
            if unmapped:
                click.echo(f"{_plural(unmapped, 'recording')} not in {questions_csv}: analysed "
                           "without a question.", err=True)
        workers = None
        if dask_address:
            from mockview.cluster import DaskWorkers

            workers = DaskWorkers(dask_address, model_name, send_audio=send_audio)
            if workers.warning:
                click.echo(workers.warning, err=True)
        options = batches.BatchOptions(out_dir=out, jobs=jobs or os.cpu_count() or 1,
                                       model_name=model_name, questions=questions,
                                       summary_by=cohorts, workers=workers)
        result = batches.run_batch(
            recordings, options,
            on_outcome=lambda outcome, result: click.echo(
                batches.progress_line(outcome, result), err=True),
            on_report=(lambda report: click.echo(json.dumps(report, ensure_ascii=False)))
            if jsonl else None)
    except MockviewError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"Cannot write to {out}: {error.strerror or error}. "
                                   "Give another --out folder.") from None
    except KeyboardInterrupt:
        click.echo("\nStopped. The reports written so far are kept: run the same command "
                   "again to go on.", err=True)
        raise SystemExit(130) from None
    click.echo(f"{_plural(result.total, 'recording')}: {result.analysed} analysed, "
               f"{result.skipped} already done, {result.failed} failed"
               f"{batches.pace_text(result)}. Reports and summary.csv in {out}.", err=True)
    if cohorts is not None:
        people = len(result.people)
        click.echo(f"People: {out / batches.PEOPLE_NAME} ({people} "
                   f"{'person' if people == 1 else 'people'}"
                   + (f"; {_plural(cohorts.unmatched, 'file')} did not match the pattern)"
                      if cohorts.unmatched else ")"), err=True)
    if result.failed:
        raise click.ClickException(f"{result.failed} of {_plural(result.total, 'recording')} "
                                   f"could not be analysed: see {out / batches.ERRORS_NAME}.")


def _batch_questions(ids, bank_paths, source):
    """Each question id of a batch resolved once: {id: QuestionInfo}."""
    from mockview.api import question_info
    from mockview.errors import BankError

    questions = {}
    for question_id in sorted(ids):
        try:
            questions[question_id] = question_info(question_id, bank_paths)
        except BankError as error:
            raise BankError(f"{source}: {error}" if source else str(error)) from None
    return questions



# --- store: history, show, delete (owned by store work) ---


def _open_store(*, tell_unfinished: bool = True):
    """Open the session store; what it found on opening is told on stderr.

    That is recordings re-attached after a crash, folders or files that were readable by
    others (made private), and takes cut short while recorded or analysed, which
    ``mockview recover`` finishes (practice and recover finish them themselves, so they
    pass ``tell_unfinished=False``).
    """
    from mockview.store import Store

    store = Store.open()
    for message in store.recovered:
        click.echo(message, err=True)
    for warning in store.warnings:
        click.echo(f"Warning: {warning}", err=True)
    if store.unfinished and tell_unfinished:
        click.echo(f"{_plural(len(store.unfinished), 'unfinished recording')}: mockview "
                   "stopped while recording or analysing them. Run mockview recover to "
                   "keep them.", err=True)
    return store


def _save_analysis(store, audio, report, question):
    """Store one analysed recording: (session id, None), or (None, why it was not saved)."""
    from mockview.errors import MockviewError

    try:
        return store.save_analysis(audio, report, question=question), None
    except MockviewError as error:
        return None, f"The report was not saved: {error}"


@cli.command()
@click.option("--limit", type=click.IntRange(min=1), metavar="N",
              help="Only the N most recent sessions.")
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON array (times in UTC) instead of a table.")
def history(limit, as_json):
    """List your stored sessions, newest first, with their key numbers.

    For each session: when, how it was recorded (practice, interview, analyze), the answers
    (with how many of them were follow-up questions), total speaking time, fillers
    per minute, words per minute, the share of answers within their length target and the
    answers flagged as rambling (for those two, each answer counts by its latest take with
    speech: a retry in which no speech was found does not replace it).

    Examples:

        mockview history --limit 10

        mockview history --json
    """
    from mockview.errors import MockviewError

    try:
        with _open_store() as store:
            sessions = store.sessions(limit=limit)
            follow_ups = store.follow_up_counts()
    except MockviewError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        import json
        from dataclasses import asdict

        click.echo(json.dumps([{**asdict(s), "follow_up_count": follow_ups.get(s.session_id, 0)}
                               for s in sessions], indent=2, ensure_ascii=False))
        return
    if not sessions:
        click.echo(NO_SESSIONS)
        return
    # Plain columns rather than a rich Table: rich takes most of a second to lay out a
    # thousand rows, and this listing needs no wrapping.
    from mockview import numbers  # the reports' formatting rule (and quick to import)

    rows = [[str(s.session_id), _local_time(s.started_at_utc), s.source,
             str(s.answer_count) + (f" ({_plural(follow_ups[s.session_id], 'follow-up')})"
                                    if s.session_id in follow_ups else ""),
             str(s.take_count), numbers.duration(s.speaking_s),
             numbers.one_decimal(s.fillers_per_minute), numbers.whole(s.words_per_minute),
             numbers.percent(s.within_target_share), str(s.rambling_count)] for s in sessions]
    headers = [("", "ID"), ("", "Date"), ("", "Source"), ("", "Answers"), ("", "Takes"),
               ("", "Speaking"), ("Fillers", "/min"), ("", "WPM"), ("Within", "target"),
               ("", "Rambling")]
    lines = _columns(headers, rows, right_from=3)
    # one write for the whole table, not one per session
    click.echo("\n".join([*(click.style(line, bold=True) for line in lines[:2]), *lines[2:]]))
    click.echo(f"{len(sessions)} session(s). See the latest with: mockview show (another: "
               "mockview show ID)", err=True)


@cli.command(cls=_SessionCommand)
@click.argument("session_id", metavar="[SESSION]", type=SESSION, required=False)
@_details_option
@click.option("--json", "as_json", is_flag=True, help="Print the session as one JSON object.")
def show(session_id, details, as_json):
    """Show a stored session: what went well and what to work on in every answer and take
    (with --details, the full report of each).

    SESSION is its number (see: mockview history), or last, -1 (the latest), -2 (the one
    before)...; without it, the latest session. A take in which no speech was found is
    marked "no speech".

    Examples:

        mockview show

        mockview show 12 --details

        mockview show 12 --json

        mockview show -2
    """
    from mockview.errors import MockviewError

    try:
        with _open_store() as store:
            record = store.session(_session_id(store, session_id))
    except MockviewError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        import json

        from mockview.render.markdown import session_json

        click.echo(json.dumps(session_json(record), indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.text import Text

    from mockview.records import take_mark
    from mockview.render.terminal import render_report

    console = Console()
    summary = record.summary
    console.print(f"[bold]Session {summary.session_id}[/]  ·  "
                  f"{_local_time(summary.started_at_utc)}  ·  {summary.source}  ·  "
                  f"{_plural(summary.answer_count, 'answer')}, "
                  f"{_plural(summary.take_count, 'take')}", highlight=False)
    if not record.takes:
        console.print("This session has no recorded takes.")
    for take in record.takes:
        mark = take_mark(take, [t for t in record.takes if t.answer_id == take.answer_id])
        follows = record.follows(take)
        lead = f"  ↳ Follow-up to answer {follows.parent_answer_no}: answer " if follows \
            else "Answer "
        console.rule(Text(f"{lead}{take.answer_no}, take {take.take_no}"
                          f"{f' ({mark})' if mark else ''}"), align="left")
        if follows:
            console.print(Text(f"Asked because: {follows.reason}", style="dim"))
        if not (take.report.get("question") or {}).get("text"):
            console.print(Text(take.question_text or "No question given", style="bold"))
        render_report(take.report, console, details=details, hint=False)
    if record.takes and not details:
        console.print(Text(f"The transcript, every measure and every tip of each take: "
                           f"mockview show {summary.session_id} --details", style="dim"))


@cli.command(cls=_SessionCommand)
@click.argument("session_id", metavar="SESSION", type=SESSION)
@click.option("--yes", "-y", is_flag=True, help="Delete without asking.")
def delete(session_id, yes):
    """Delete a stored session: its answers, takes, reports and audio files.

    SESSION is its number (see: mockview history), or last (-1) for the latest, -2 for
    the one before. Asks first, unless --yes is given (needed when there is no terminal
    to ask in); the question and the message name the session by its number.

    Examples:

        mockview delete 12

        mockview delete last --yes
    """
    from mockview.errors import MockviewError

    try:
        with _open_store() as store:
            session_id = _session_id(store, session_id)
            summary = store.session(session_id).summary
            what = (f"session {session_id} ({_local_time(summary.started_at_utc)}, "
                    f"{summary.source}: {_plural(summary.answer_count, 'answer')}, "
                    f"{_plural(summary.take_count, 'take')})")
            if not yes:
                if not _stdin_is_interactive():
                    raise click.ClickException(
                        f"Not deleting {what}: there is no terminal to confirm it in. To "
                        f"delete it, run: mockview delete {session_id} --yes")
                click.confirm(f"Delete {what} and its audio files?", abort=True, err=True)
            removed = store.delete_session(session_id)
    except MockviewError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Deleted {what} and {_plural(len(removed), 'audio file')}.")
    for path in removed:
        click.echo(f"  removed {path}", err=True)


def _stdin_is_interactive() -> bool:
    import sys

    return sys.stdin is not None and not sys.stdin.closed and sys.stdin.isatty()


def _local_time(utc: str) -> str:
    """A stored UTC time (2026-01-05T10:00:00Z, the only form the store writes) as the
    user's local 2026-01-05 11:00.

    Read by ``fromisoformat`` and written field by field: ``strptime`` and ``strftime`` took
    three times as long, which ``history`` paid once per session.
    """
    from datetime import datetime, timezone

    if not utc.endswith("Z"):
        raise ValueError(f"not a stored UTC time: {utc!r}")
    moment = datetime.fromisoformat(utc[:-1]).replace(tzinfo=timezone.utc).astimezone()
    return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} "
            f"{moment.hour:02d}:{moment.minute:02d}")


def _columns(headers: list[tuple[str, ...]], rows: list[list[str]], *,
             right_from: int) -> list[str]:
    """Header lines and rows as aligned text; columns from ``right_from`` on right-aligned."""
    table = [list(lines) for lines in zip(*headers, strict=True)] + rows
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    return [" ".join(cell.rjust(w) if i >= right_from else cell.ljust(w)
                     for i, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip()
            for row in table]


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


# --- export and reanalyze ---------------------------------------------------------------


@cli.command(cls=_SessionCommand)
@click.argument("session_id", metavar="[SESSION]", type=SESSION, required=False)
@click.option("--format", "fmt", type=click.Choice(["json", "md"]), default="md",
              show_default=True, help="JSON (every report in full) or Markdown (to read).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), metavar="FILE",
              help="Write to FILE instead of standard output.")
@click.option("--all", "everything", is_flag=True,
              help="Back up everything (the database and every recording) into one zip "
                   "archive, -o FILE; mockview import FILE restores it.")
def export(session_id, fmt, output, everything):
    """Export a stored session as JSON or Markdown, or back up everything with --all.

    SESSION is its number, or last, -1 (the latest), -2...; without it, the latest session.

    Examples:

        mockview export --format md -o session.md

        mockview export 12 --format md -o session-12.md

        mockview export 12 --format json > session-12.json

        mockview export --all -o mockview-backup.zip
    """
    import json

    from mockview.errors import MockviewError
    from mockview.render.markdown import session_json, session_markdown

    if everything:
        _export_everything(session_id, output)
        return
    try:
        with _open_store() as store:
            record = store.session(_session_id(store, session_id))
    except MockviewError as error:
        raise click.ClickException(str(error)) from None
    if fmt == "json":
        text = json.dumps(session_json(record), indent=2, ensure_ascii=False) + "\n"
    else:
        text = session_markdown(record)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        with open(output, "w", encoding="utf-8") as file:
            file.write(text)
    except OSError as error:
        raise click.ClickException(f"Cannot write {output}: {error.strerror}. Check that its "
                                   "folder exists and is yours, or choose another path with "
                                   "-o.") from None
    click.echo(f"Wrote session {record.summary.session_id} to {output}.", err=True)


@cli.command(cls=_SessionCommand)
@click.argument("session_id", metavar="SESSION", type=SESSION, required=False)
@click.option("--all", "every", is_flag=True, help="Reanalyse every stored take.")
@click.option("--model", "model_name", metavar="NAME",
              help="faster-whisper model name or local model directory (default: bundled tiny.en).")
@_download_option
def reanalyze(session_id, every, model_name, download):
    """Recompute stored takes from their audio with the current analysis.

    SESSION is its number (see: mockview history), or last (-1) for the latest, -2 for
    the one before. The previous result of each take is kept, with its analysis version,
    in the store.

    Examples:

        mockview reanalyze 12

        mockview reanalyze last

        mockview reanalyze --all --model base.en
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from mockview.errors import MockviewError
    from mockview.reanalysis import reanalyze as reanalyze_takes

    if (session_id is None) == (not every):
        raise click.UsageError("Give a session id, or --all to reanalyse every stored take.")
    stderr = Console(stderr=True)
    try:
        _ensure_model(model_name, download)
        with _open_store() as store:
            takes = (store.takes(with_reports=True) if every
                     else store.session(_session_id(store, session_id)).takes)
            with Progress(TextColumn("[dim]Reanalysing"), BarColumn(), MofNCompleteColumn(),
                          console=stderr, transient=True,
                          disable=not stderr.is_terminal) as bar:
                task = bar.add_task("reanalyze", total=len(takes))
                result = reanalyze_takes(store, takes, model_name=model_name,
                                         progress=lambda take: bar.advance(task))
    except MockviewError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Reanalysed {result.updated} take(s).")
    for take, reason in result.skipped:
        click.echo(f"Session {take.session_id}, answer {take.answer_no}, take {take.take_no} "
                   f"skipped: {reason}.")


# --- trends: compare, progress (owned by trends work) ---


@cli.command(cls=_SessionCommand)
@click.argument("a", metavar="[A]", required=False)
@click.argument("b", metavar="[B]", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as one JSON object.")
def compare(a, b, as_json):
    """Compare two sessions, or two takes of an answer, metric by metric.

    A and B are each a session (12), an answer (12:2, its latest take with speech) or a
    take (12:2:1): see the numbers with mockview history and mockview show. A session may
    be last or -1 (the latest), -2 (the one before)...: -1:2:1 is take 1 of answer 2 of the
    latest session. Without B, A is compared with the latest session; without either, the
    latest session with the one before it. Each metric gets its change and whether it got
    better or worse (changes under 10% count as the same); takes also get a word-level
    diff of their transcripts.

    Examples:

        mockview compare

        mockview compare 12 15

        mockview compare 12:2:1 12:2:2 --json
    """
    from mockview.errors import MockviewError
    from mockview.trends import parse_compare_pair

    if a is not None and b is None and ":" in a:
        raise click.UsageError(f"Give a second answer or take to compare {a} with, for "
                               f"example: mockview compare {a} last:1")
    try:
        spec_a, spec_b = parse_compare_pair(a or "-2", b or "-1")
        with _open_store() as store:
            if a is None:
                spec_a = _previous_session(store)
            comparison = _compare_stored(store, _resolved(store, spec_a),
                                         _resolved(store, spec_b))
    except MockviewError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        import json

        click.echo(json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False))
        return
    from rich.console import Console

    from mockview.render.trends import render_comparison

    render_comparison(comparison, Console())


def _previous_session(store):
    """The session before the latest, as a TakeSpec, for compare without arguments."""
    from mockview.errors import StoreError
    from mockview.trends import TakeSpec

    latest = store.recent_session_id(1)
    try:
        return TakeSpec(store.recent_session_id(2))
    except StoreError:
        raise StoreError(f"Session {latest} is your only session with recorded answers, so "
                         "there is nothing to compare it with yet. Practise again with: "
                         "mockview practice") from None


def _resolved(store, spec):
    """``spec`` with a session named back from the latest (-1, last) made its id."""
    import dataclasses

    return dataclasses.replace(spec, session_id=_session_id(store, spec.session_id))


def _compare_stored(store, spec_a, spec_b):
    from mockview.trends import compare_sessions, compare_takes

    if spec_a.is_session:
        return compare_sessions(store.session(spec_a.session_id),
                                store.session(spec_b.session_id))
    return compare_takes(store.take(spec_a.session_id, spec_a.answer_no, spec_a.take_no),
                         store.take(spec_b.session_id, spec_b.answer_no, spec_b.take_no))


@cli.command()
@click.option("--question", "question_id", metavar="ID",
              help="Only your answers to this question (see: mockview questions).")
@click.option("--category", metavar="CATEGORY",
              help="Only your answers to questions of this category.")
@click.option("--since", metavar="DATE", help="Only from this day on: YYYY-MM-DD (local time).")
@click.option("--json", "as_json", is_flag=True,
              help="Print the trends and patterns as one JSON object.")
@click.option("--plot", "plot_path", metavar="FILE.png",
              help="Also draw each metric over your sessions as a PNG chart.")
@click.option("--job", "job_path", metavar="FILE", type=click.Path(path_type=str),
              help="Also show which key terms of this job description (a text file) your "
                   "answers say, in how many takes, and which they never say.")
def progress(question_id, category, since, as_json, plot_path, job_path):
    """Show how you are doing over your sessions, and what keeps recurring.

    Each metric's trend compares your first sessions with your recent ones (the mean of 3
    at each end, fewer with under 6 sessions); a change under 10% is steady, not progress.
    Metrics cover fillers, pace and pauses, what you said (STAR parts, results, "we",
    hedges, keywords, openings and endings) and how it sounded (pitch, uptalk, fades).
    Patterns: your top filler, question kinds that run long, where long pauses fall, the
    questions you score worst on (targets missed per take), those never practised, the
    STAR part you miss most, hedging, and monotone or rising delivery.

    Examples:

        mockview progress --since 2026-01-01 --plot progress.png

        mockview progress --category behavioral --json

        mockview progress --job job.txt
    """
    from mockview.errors import MockviewError
    from mockview.trends import build_progress, day_start_utc

    if question_id and category:
        raise click.UsageError("Give either --question or --category, not both.")
    try:
        since_at = day_start_utc(since) if since is not None else None
        if plot_path:
            from mockview.render.plot import check_png_path

            check_png_path(plot_path)
        job = _load_job(job_path)  # before the store: a wrong path fails at once
        # the banks are read for the never-practised questions, which --question leaves out
        questions = _progress_bank_questions() if question_id is None else None
        with _open_store() as store:
            takes, tallies = _progress_takes(store, question_id, category, since_at)
            coverage = _job_coverage(store, takes, job) if job is not None else None
        result = build_progress(takes, questions=questions, question_id=question_id,
                                category=category, since_utc=since_at,
                                report_tallies=tallies, job=coverage)
        written = None
        if plot_path and result.sessions:
            from mockview.render.plot import write_progress_plot

            written = write_progress_plot(result, plot_path)
    except MockviewError as error:
        raise click.ClickException(str(error)) from None
    if not result.sessions:
        filters = " ".join(f"--{name} {value}" for name, value in
                           (("question", question_id), ("category", category), ("since", since))
                           if value)
        message = (f"No saved answers match {filters}. See what is stored with: "
                   "mockview history" if filters else
                   NO_SESSIONS)
        click.echo(message, err=as_json)
    if as_json:
        import json

        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    elif result.sessions:
        from rich.console import Console

        from mockview.render.trends import render_progress

        render_progress(result, Console())
    if written is not None:
        click.echo(f"Wrote the chart to {written}", err=True)
    elif plot_path:
        click.echo("No chart written: there are no sessions to draw.", err=True)


def _progress_takes(store, question_id, category, since_at):
    """Every matching take (as the ``TakeRow`` progress reads), and what progress reads in
    the most recent ones' reports (where long pauses fall, the hedges said), as the store
    counts it (None: no takes).

    Only the recent reports are read: a long history's would take seconds.
    """
    from mockview.trends import RECENT_REPORTS, recent_since_utc

    filters = {"question_id": question_id, "category": category}
    takes = store.take_rows(**filters, since_utc=since_at)
    recent_from = recent_since_utc(takes, RECENT_REPORTS)
    if recent_from is None:
        return takes, None
    return takes, store.report_tallies(**filters, since_utc=recent_from)


def _job_coverage(store, takes, job):
    """Which of the job's key terms ``takes`` say (from the store's word forms)."""
    from mockview.store.wordforms import term_rules
    from mockview.trends import job_coverage

    rules = term_rules(job)
    return job_coverage(takes, job.title, rules, store.takes_saying(rules))


def _progress_bank_questions():
    """The bank questions, to find the never-practised ones; None if a bank is broken."""
    from mockview.errors import BankError
    from mockview.questions import load_banks

    try:
        return [q for bank in load_banks(cached=True) for q in bank.questions]
    except BankError as error:
        click.echo(f"Not listing never-practised questions: {error}", err=True)
        return None


# --- speak -------------------------------------------------------------------------------


@cli.command()
@click.argument("text", required=False)
@click.option("--question", "question_id", metavar="ID",
              help="Say this bank question (see: mockview questions) instead of a text.")
@click.option("-o", "--output", metavar="FILE.wav", type=click.Path(path_type=str),
              help="Write the speech to this WAV file instead of playing it.")
@click.option("--engine", type=click.Choice(["piper", "espeak-ng"]),
              help="Speak with this engine (default: Piper when installed, else espeak-ng).")
@click.option("--output-device", metavar="INDEX|NAME",
              help="Play on this output device (default: the system's; see: mockview devices).")
def speak(text, question_id, output, engine, output_device):
    """Say a question aloud, offline, or write it to a WAV file.

    The voice is Piper's "joe" when mockview[voice] is installed (pip install
    'mockview[voice]'), else the system's espeak-ng; with neither, the text is shown only.
    Standard error says which.

    Examples:

        mockview speak --question beh-disagree

        mockview speak "Tell me about yourself." -o question.wav
    """
    from mockview.errors import MockviewError
    from mockview.voice import ENGINE_NAMES, INSTALL_HINT, find_engine, why_not_piper

    if text is None and question_id is None:
        raise click.UsageError("Give a TEXT to say, or --question ID.")
    if text is not None and question_id is not None:
        raise click.UsageError("Give a TEXT to say or --question ID, not both.")
    if output is not None and output_device is not None:
        raise click.UsageError("-o writes the speech to a file and --output-device plays "
                               "it: give one of them.")
    try:
        if question_id is not None:
            from mockview.questions import find_question, load_banks

            text = find_question(load_banks(), question_id).text
        from mockview.voice import check_text, say, write_speech

        text = check_text(text)
        chosen = find_engine(engine)
        if chosen is None:
            if output is not None:
                raise click.ClickException(f"No voice to write {output} with. Install one: "
                                           f"{INSTALL_HINT}.")
            click.echo(text)
            click.echo(f"Text only: no voice is installed ({INSTALL_HINT}).", err=True)
            return
        fallback = f" ({why_not_piper()})" if chosen != "piper" and engine is None else ""
        if output is not None:
            spoken = write_speech(text, output, engine=chosen)
            click.echo(f"Wrote {spoken.duration_s:.1f} s of speech to {spoken.path}, "
                       f"spoken by {ENGINE_NAMES[chosen]}{fallback}.", err=True)
        else:
            click.echo(f"Speaking with {ENGINE_NAMES[chosen]}{fallback}.", err=True)
            say(text, engine=chosen, device=_device_arg(output_device))
    except MockviewError as error:
        raise click.ClickException(str(error)) from None


# --- plan --------------------------------------------------------------------------------


@cli.command()
@click.option("--bank", metavar="NAME|PATH", help="Plan from this bank only (see: mockview banks).")
@click.option("--category", metavar="CATEGORY", help="Plan from this category only.")
@click.option("--count", type=click.IntRange(min=1), default=10, show_default=True,
              metavar="N", help="How many questions of the plan to show.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the plan (the first N) and what is scheduled later as JSON.")
def plan(bank, category, count, as_json):
    """Show what to practise next, and why.

    First the questions whose last answer missed a target (fillers, pace, pauses, length,
    rambling: what progress scores), then a few never practised, then those due again by
    a spaced-repetition schedule (Leitner boxes: an answer on every target moves a question
    up a box, a miss sends it back to box 1; boxes 1-5 come due after 1, 2, 4, 8 and 16
    days), then the other never-practised questions. Ask them with: mockview practice --plan

    Examples:

        mockview plan

        mockview plan --category behavioral --count 5 --json
    """
    from mockview.errors import MockviewError
    from mockview.plan import now

    try:
        _, chosen = _planned(bank, category, now())
    except MockviewError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        import json

        data = chosen.to_dict()
        data["total"], data["items"] = len(data["items"]), data["items"][:count]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    from mockview.render.plan import plan_lines

    for line in plan_lines(chosen, count=count):
        click.echo(line)
    if chosen.items:
        click.echo(f"Practise the first {min(3, len(chosen.items))} with: "
                   "mockview practice --plan", err=True)


def _planned(bank, category, at):
    """The bank questions in scope and the practice plan for them on the day of ``at``."""
    from mockview.plan import build_plan
    from mockview.questions import load_banks, select_questions

    questions = select_questions(load_banks(), bank=bank, category=category)
    with _open_store() as store:
        takes = store.takes()
    return questions, build_plan(takes, questions, now=at)


# --- practice ----------------------------------------------------------------------------


@cli.command()
@click.option("--bank", metavar="NAME|PATH", help="Ask from this bank only (see: mockview banks).")
@click.option("--category", metavar="CATEGORY", help="Ask from this category only.")
@click.option("--question", "question_ids", multiple=True, metavar="ID",
              help="Ask this question (repeat for several, asked in the order given).")
@click.option("--count", type=click.IntRange(min=1), metavar="N",
              help="How many questions to ask (default 3; with --question, all of them).")
@click.option("--plan", "plan_count", type=click.IntRange(min=1), is_flag=False, flag_value=3,
              metavar="[N]", help="Ask the first N questions of your practice plan "
                                  "(default 3; see: mockview plan).")
@_session_options
@_job_option
@click.option("--json", "as_json", is_flag=True,
              help="Print the session (every take's report, the comparison) as JSON.")
@click.option("--voice/--no-voice", default=False, show_default=True,
              help="Read each question aloud before the countdown (see: mockview speak).")
@click.option("--follow-ups", "follow_ups", is_flag=True,
              help="After an answer, ask the follow-up question it earned (\"What was the "
                   "outcome?\"), recorded as an answer of its own.")
def practice(bank, category, question_ids, count, plan_count, time_limit, prep, silence_stop,
             device, output_device, model_name, download, job_path, accurate_pitch, details,
             cues, no_input, as_json, voice, follow_ups):
    """Practise answering interview questions out loud, with feedback after each answer.

    For each question: a few seconds to think, then recording with a live level meter
    (Enter stops; so do the time limit and --silence-stop; Enter also starts it before
    the countdown ends). Feedback follows at once: what went well and the three things to
    work on first (--details: the full report); then play the answer back, play each
    filler and long pause, retry, go on, or quit. Every take is saved as it is made.

    Examples:

        mockview practice

        mockview practice --category behavioral --count 2

        mockview practice --plan 2

        mockview practice --question beh-disagree --prep 0 --silence-stop 3 --no-input --json

        mockview practice --category behavioral --job backend-engineer.txt

        mockview practice --category behavioral --follow-ups
    """
    import sys

    from rich.console import Console

    from mockview.errors import MockviewError
    from mockview.practice import PracticeSettings
    from mockview.ui import TerminalUI

    interactive = not no_input and sys.stdin.isatty()
    console = Console(stderr=as_json)
    try:
        settings = PracticeSettings(time_limit_s=time_limit, prep_s=prep,
                                    silence_stop_s=silence_stop, device=_device_arg(device),
                                    model_name=model_name, job=_load_job(job_path), cues=cues,
                                    accurate_pitch=accurate_pitch, follow_ups=follow_ups)
        questions = (_plan_questions(bank, category, plan_count, question_ids, count)
                     if plan_count else
                     _practice_questions(bank, category, question_ids, count))
        _, result, record_, comparison = _run_session(
            questions, settings, console=console, interactive=interactive, details=details,
            output_device=output_device, download=download, voice=voice)
    except MockviewError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        import json

        from mockview.render.markdown import session_json

        payload = {**result.to_dict(),
                   "session": session_json(record_) if record_ else None,
                   "comparison": comparison.to_dict() if comparison else None}
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    TerminalUI(console, interactive=False, details=details).show_summary(record_, comparison)


@cli.command()
@_job_option
@click.option("--questions", "count", type=click.IntRange(min=1, max=8), default=3,
              show_default=True, metavar="N",
              help="How many questions between the opener and the closing (3 or 4 is usual).")
@click.option("--bank", metavar="NAME|PATH", help="Ask from this bank only (see: mockview banks).")
@_session_options
@click.option("--json", "as_json", is_flag=True,
              help="Print the interview (opener, questions, follow-ups, closing, scorecard, "
                   "where the page and takes are) as JSON.")
@click.option("--voice/--no-voice", default=True, show_default=True,
              help="The interviewer reads each question aloud (see: mockview speak).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str),
              metavar="FILE.html", help="Write the review page here (default: in the reports "
                                        "folder, named after the session).")
def interview(job_path, count, bank, time_limit, prep, silence_stop, device, output_device,
              model_name, download, accurate_pitch, details, cues, no_input, as_json, voice,
              output):
    """A whole mock interview: an opener, questions for the job, follow-ups, a closing.

    "Tell me about yourself" first; then N questions: with --job, about half made from the
    job description's key terms ("Tell me about a time you used Kubernetes."), the rest
    from the banks, each of a different kind; after each answer the follow-up it earned
    ("What was the outcome, and how did you measure it?"), recorded as an answer of its
    own; last "Do you have any questions for us?". It ends with a scorecard (strengths,
    the three things to work on, each answer's key numbers) and writes the review page.
    Answers are recorded as in practice (see: mockview practice --help).

    Examples:

        mockview interview --job backend-engineer.txt

        mockview interview --questions 4 --no-voice

        mockview interview --job job.md --prep 0 --silence-stop 3 --no-input --json
    """
    import sys

    from rich.console import Console

    from mockview.errors import MockviewError
    from mockview.interview import interview_json, plan_interview, scorecard, write_page
    from mockview.practice import PracticeSettings
    from mockview.questions import load_banks, select_questions

    interactive = not no_input and sys.stdin.isatty()
    console = Console(stderr=as_json)
    try:
        job = _load_job(job_path)
        pool = select_questions(load_banks(), bank=bank)
        chosen = plan_interview(pool, count=count, job_text=job.text if job else None)
        settings = PracticeSettings(time_limit_s=time_limit, prep_s=prep,
                                    silence_stop_s=silence_stop, device=_device_arg(device),
                                    model_name=model_name, job=job,
                                    accurate_pitch=accurate_pitch, cues=cues,
                                    follow_ups=True)
        _, result, record_, _ = _run_session(
            chosen.asked, settings, console=console, interactive=interactive, details=details,
            output_device=output_device, download=download, voice=voice, source="interview")
        page = store_path = None
        if record_ is not None:
            with _open_store() as store:
                page, store_path = write_page(store, record_, output), store.path
    except MockviewError as error:
        raise click.ClickException(str(error)) from None
    if record_ is None:
        raise click.ClickException("No answer was recorded, so nothing was saved and no page "
                                   "was written. Check the microphone (see: mockview doctor).")
    if as_json:
        import json

        document = interview_json(
            record_, page=str(page.resolve()), store_path=str(store_path),
            feedback_s={t.take_id: round(t.feedback_s, 3) for t in result.takes
                        if t.feedback_s is not None})
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    from mockview.render.scorecard import render_scorecard

    render_scorecard(scorecard(record_), console)
    console.print(f"Wrote the review page: {page} · every answer in full: "
                  f"mockview show {record_.summary.session_id}", style="dim", highlight=False,
                  markup=False)


def _run_session(questions, settings, *, console, interactive, details, output_device,
                 download, voice, source="practice"):
    """Ask ``questions`` in practice's session loop (``practice`` and ``interview``):
    (the Practice, its result, the stored session, the comparison with the one before)."""
    from mockview.playback import check_output_device
    from mockview.practice import Practice
    from mockview.recording import check_input_device, record
    from mockview.ui import TerminalUI

    # the devices before the first question: a session that cannot record never starts
    check_input_device(settings.device)
    if output_device is not None:
        check_output_device(_device_arg(output_device))
    _ensure_model(settings.model_name, download, ask=interactive)
    with _preloaded_model(settings.model_name) as transcriber, \
            _open_store(tell_unfinished=False) as store:
        _recover_unfinished(store, settings.model_name, wait_for_model=transcriber.model_loader)
        session = Practice(questions, store=store,
                           ui=TerminalUI(console, interactive=interactive, details=details,
                                         output_device=_device_arg(output_device)),
                           settings=settings, record=record, transcriber=transcriber,
                           interactive=interactive, source=source,
                           speak=_question_voice(output_device) if voice else None)
        try:
            result = session.run()
        except KeyboardInterrupt:
            click.echo("\nStopped. Every take recorded so far is saved "
                       "(see: mockview history).", err=True)
            raise SystemExit(130) from None
        record_, comparison = session.summary(result)
    return session, result, record_, comparison


def _question_voice(output_device):
    """practice --voice: a function that says a question on the output device, or None
    (text only) when no voice is installed; standard error says which."""
    from mockview.voice import ENGINE_NAMES, INSTALL_HINT, find_engine, say, why_not_piper

    engine = find_engine()
    if engine is None:
        click.echo(f"Questions as text only: no voice is installed ({INSTALL_HINT}).",
                   err=True)
        return None
    fallback = f" ({why_not_piper()})" if engine != "piper" else ""
    click.echo(f"Questions read aloud by {ENGINE_NAMES[engine]}{fallback}.", err=True)
    return lambda text: say(text, engine=engine, device=_device_arg(output_device))


def _plan_questions(bank, category, plan_count, question_ids, count):
    """The first ``plan_count`` questions of the practice plan, each told with its reason."""
    from mockview.plan import now

    if question_ids or count:
        raise click.UsageError("--plan chooses the questions: give it without --question "
                               "and --count (--plan 5 asks five).")
    questions, chosen = _planned(bank, category, now())
    by_id = {q.id: q for q in questions}
    picked = chosen.items[:plan_count]
    if not picked:
        raise click.ClickException("Nothing in your practice plan is due today. See what "
                                   "comes next with: mockview plan")
    for item in picked:
        click.echo(f"From your plan: {item.question_id}: {item.why}", err=True)
    return [by_id[item.question_id] for item in picked]


def _practice_questions(bank, category, question_ids, count):
    """The questions to ask: those named, or ``count`` (default 3) drawn at random."""
    import random

    from mockview.questions import load_banks, select_questions

    pool = select_questions(load_banks(), bank=bank, category=category,
                            ids=question_ids or None)
    if question_ids:
        return pool[:count] if count else pool
    return random.sample(pool, min(count or 3, len(pool)))


@contextlib.contextmanager
def _preloaded_model(model_name):
    """A LiveTranscriber factory; the model loads in the background from the start."""
    from concurrent.futures import ThreadPoolExecutor

    from mockview.speech.live import LiveTranscriber
    from mockview.speech.transcription import load_model

    with ThreadPoolExecutor(max_workers=1) as pool:
        model = pool.submit(load_model, model_name)

        def transcriber():
            loaded = model.result()  # a model that cannot load fails before recording
            return LiveTranscriber(model_loader=lambda: loaded, model_name=model_name)

        transcriber.model_loader = model.result  # for recovery, before the session starts
        yield transcriber


# --- play --------------------------------------------------------------------------------


def _position(ctx, param, value):
    """--from as seconds: 42, 42.5 or 0:42."""
    if value is None:
        return 0.0
    from mockview.playback import parse_position

    try:
        return parse_position(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@cli.command(cls=_SessionCommand)
@click.argument("session_id", metavar="[SESSION]", type=SESSION, required=False)
@click.argument("answer_no", metavar="[ANSWER]", type=click.IntRange(min=1), default=1)
@click.option("--take", "take_no", type=click.IntRange(min=1), metavar="T",
              help="Play this take of the answer (default: its latest take with speech).")
@click.option("--from", "start_s", metavar="S", callback=_position,
              help="Start S seconds in: 42 or 0:42. With --fillers or --pauses: only those "
                   "from there on.")
@click.option("--fillers", is_flag=True,
              help="Play each filler with 1.5 s before and after it, one after another.")
@click.option("--pauses", is_flag=True,
              help="Play each long pause with 1.5 s before and after it, one after another.")
@_output_device_option
def play(session_id, answer_no, take_no, start_s, fillers, pauses, output_device):
    """Play a stored answer back, with its words following along (Ctrl-C stops).

    SESSION is its number, or last, -1 (the latest), -2...; without it, the latest
    session. ANSWER is its number in the session (default 1; see: mockview show SESSION);
    its latest take with speech plays unless --take is given. --fillers and --pauses play
    each of those moments with a little context, announced ("filler 3 of 9: “um” at
    0:42"); both together play every one in time order. Ctrl-C stops playback, and the
    rest of a sequence, with exit status 0. Without a terminal, plain lines with the
    position and the words heard are printed instead of a live display.

    Examples:

        mockview play

        mockview play 12 2 --take 1 --from 0:42

        mockview play 12 --fillers --pauses

        mockview play --output-device headphones
    """
    import sys

    from rich.console import Console

    from mockview.analysis.text import clock
    from mockview.errors import MockviewError
    from mockview.playback import take_audio
    from mockview.records import skipped_note
    from mockview.ui import play_answer, play_moments

    try:
        with _open_store() as store:
            take = store.take(_session_id(store, session_id), answer_no, take_no)
            last = store.last_take_no(take.session_id, answer_no) if take_no is None else 0
        note = skipped_note(take.take_no, last)  # later takes found no speech
        if note:
            click.echo(note, err=True)
        audio = take_audio(take)
        title = (f"Session {take.session_id}, answer {take.answer_no}, take {take.take_no}"
                 f" · {clock(take.duration_s)} · {take.question_text or 'no question given'}")
        options = {"start_s": start_s, "title": title, "live": sys.stdout.isatty(),
                   "device": _device_arg(output_device)}
        if fillers or pauses:
            kind = None if fillers and pauses else "filler" if fillers else "pause"
            play_moments(Console(), audio, take.report, kind=kind, **options)
        else:
            play_answer(Console(), audio, take.report, **options)
    except MockviewError as error:
        raise click.ClickException(str(error)) from None
    except KeyboardInterrupt:  # before playback began: stopping is what was asked for
        click.echo("Stopped.", err=True)


# --- report (review page) -----------------------------------------------------------------


@cli.command(cls=_SessionCommand)
@click.argument("session_id", metavar="[SESSION]", type=SESSION, required=False)
@click.option("--progress", "of_progress", is_flag=True,
              help="A page of your progress over all sessions, instead of one session.")
@click.option("-o", "--output", metavar="FILE.html",
              help="Where to write the page (default: mockview-session-N.html, or "
                   "mockview-progress.html, in the current folder).")
@click.option("--open", "open_page", is_flag=True, help="Open the page in your web browser.")
def report(session_id, of_progress, output, open_page):
    """Write a session's review page: one HTML file that works offline, to keep or share.

    Each answer has its recording, the transcript lit word by word as it plays (click a
    word to jump there), fillers and long pauses marked in the text and on a timeline,
    and the feedback beside it; charts show your progress over sessions. In the page,
    Space plays or pauses and the arrow keys jump between fillers and long pauses.
    Each answer opens on its latest take with speech; takes with none are marked.
    SESSION is its number, or last, -1 (the latest), -2...; without it, the latest
    session. With --progress the page holds the charts and trends of all sessions.

    Examples:

        mockview report --open

        mockview report 12 -o acme.html

        mockview report --progress -o progress.html
    """
    from mockview.errors import MockviewError
    from mockview.render import html
    from mockview.trends import build_progress

    if session_id is not None and of_progress:
        raise click.UsageError("Give a session or --progress, not both.")
    try:
        path = html.check_output_path(output) if output else None  # before any work
        with _open_store() as store:
            record = None if of_progress else store.session(_session_id(store, session_id))
            path = path or html.check_output_path(html.default_output(
                record.summary.session_id if record else None))
            takes = store.takes()
        progress = build_progress(takes)
        page = html.session_page(record, progress) if record else html.progress_page(progress)
        html.write_page(page, path)
    except MockviewError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Wrote {path} ({path.stat().st_size / 1024:,.0f} KB).", err=True)
    if open_page:
        import webbrowser

        webbrowser.open(path.resolve().as_uri())
    if page.problems:  # the page is written all the same: the rest of it is worth having
        raise click.ClickException("Not every recording could go into the page; it has a "
                                   "note in their place. " + " ".join(page.problems))


# --- backups and recovery ----------------------------------------------------------------


@cli.command()
@click.option("--model", "model_name", metavar="NAME",
              help="faster-whisper model name or local model directory (default: bundled tiny.en).")
@_download_option
def recover(model_name, download):
    """Keep the takes mockview was recording or analysing when it stopped.

    A take cut short (mockview killed, a crash, a power cut, a full disk) stays on disk with
    a note of the question it answers. This repairs its audio, analyses it and adds it to
    its session; a file that mockview record was writing is repaired and its path given.
    mockview practice does the same when it starts. A recording another mockview process
    is still making is left alone. Exits 1 when one could not be kept (the line says why
    and where its audio is).

    Example:

        mockview recover
    """
    from mockview.errors import MockviewError

    try:
        with _open_store(tell_unfinished=False) as store:
            if not store.unfinished:
                click.echo("No unfinished recordings.", err=True)
                return
            _ensure_model(model_name, download)
            outcomes = _recover_unfinished(store, model_name)
    except MockviewError as error:
        raise click.ClickException(str(error)) from None
    if not all(outcome.ok for outcome in outcomes):
        raise SystemExit(1)


def _recover_unfinished(store, model_name, *, wait_for_model=None):
    """Recover what the store found unfinished, telling each on stderr; the outcomes."""
    from mockview.store.recovery import describe, recover

    if not store.unfinished:
        return []
    if wait_for_model is not None:
        wait_for_model()  # the model loading for practice: recovery then uses it too ...

    def starting(recording):
        click.echo(f"Recovering a take that mockview was recording when it stopped "
                   f"({describe(recording)})…", err=True)

    # ... reading one chunk at a time, as practice's model does
    outcomes = recover(store, model_name=model_name, on_start=starting,
                       readers=None if wait_for_model is None else 1)
    for outcome in outcomes:
        click.echo(outcome.message, err=True)
    return outcomes


def _export_everything(session_id, output):
    """export --all: the whole store into one archive at ``output``."""
    from mockview.errors import MockviewError
    from mockview.store.backup import export_all

    if session_id is not None:
        raise click.UsageError("Give a session id or --all, not both.")
    if output is None:
        raise click.UsageError("--all writes an archive: give its path with -o, for example: "
                               "mockview export --all -o mockview-backup.zip")
    if click.get_current_context().get_parameter_source("fmt").name != "DEFAULT":
        raise click.UsageError("--format is for one session; --all always writes a zip "
                               "archive.")
    try:
        with _open_store() as store:
            backup = export_all(store, output)
    except MockviewError as error:
        raise click.ClickException(str(error)) from None
    for missing in backup.missing:
        click.echo(f"Warning: {missing} was already missing from the store, so it is not in "
                   "the backup (its take and report are).", err=True)
    size_mb = backup.path.stat().st_size / 1e6
    click.echo(f"Backed up {_plural(backup.session_count, 'session')} "
               f"({_plural(backup.take_count, 'take')}, "
               f"{_plural(len(backup.recordings), 'recording')}) to {backup.path} "
               f"({size_mb:.1f} MB). Restore it with: mockview import {backup.path}", err=True)


@cli.command("import")
@click.argument("archive", metavar="FILE", type=click.Path(dir_okay=False))
@click.option("--replace", is_flag=True,
              help="Replace a store that already holds sessions; it is moved aside, whole, "
                   "into a folder of the data directory, not deleted.")
def import_(archive, replace):
    """Restore a backup made with mockview export --all.

    The archive is checked before anything changes: only a mockview backup (its database,
    its recordings, its list of contents) is accepted, never paths outside the data
    directory or a database from a newer mockview. Into a store that already holds
    sessions it imports only with --replace: two histories are never merged.

    Examples:

        mockview import mockview-backup.zip

        mockview import mockview-backup.zip --replace
    """
    from mockview.errors import MockviewError
    from mockview.store.backup import import_all

    try:
        restored = import_all(archive, replace=replace)
    except MockviewError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Imported {_plural(restored.session_count, 'session')} "
               f"({_plural(restored.take_count, 'take')}, "
               f"{_plural(len(restored.recordings), 'recording')}) from {archive}.", err=True)
    if restored.moved_aside is not None:
        click.echo(f"The store that was here is kept in {restored.moved_aside}; delete it "
                   "once you no longer need it.", err=True)


@contextlib.contextmanager
def _repaired_if_killed(output):
    """Register ``mockview record``'s file while it is written, so that if the process is
    killed, the next mockview run repairs it and says where it is (see: mockview recover).

    A data directory that cannot take the note is only a warning: the recording matters
    more than its insurance.
    """
    from pathlib import Path

    from mockview.errors import StoreError
    from mockview.store import begin_file_recording

    try:
        claim = begin_file_recording(Path(output))
    except StoreError as error:
        click.echo(f"Warning: {error} If mockview is killed while recording, {output} will "
                   "need repairing by hand.", err=True)
        yield
        return
    try:
        yield
    finally:
        claim.finish()


# --- devices and doctor -------------------------------------------------------------------


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a list.")
def devices(as_json):
    """List the audio devices: inputs (microphones) and outputs (speakers, headphones).

    The default of each is marked with *. Record from another with --device INDEX or
    --device NAME (practice, record); listen back on another with --output-device
    (practice, play).

    Examples:

        mockview devices

        mockview devices --json
    """
    from mockview.errors import MockviewError
    from mockview.playback import list_output_devices
    from mockview.recording import list_input_devices
    from mockview.soundsystem import no_device

    try:
        inputs, outputs = list_input_devices(), list_output_devices()
    except MockviewError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        import json

        click.echo(json.dumps({"inputs": [d.to_dict() for d in inputs],
                               "outputs": [d.to_dict() for d in outputs]},
                              indent=2, ensure_ascii=False))
        return
    for title, option, found, output in (("Input devices", "--device", inputs, False),
                                         ("Output devices", "--output-device", outputs, True)):
        click.echo(f"{title} (* the default; pick another with {option} INDEX or NAME):"
                   if found else f"{title}: none.")
        for device in found:
            mark = "*" if device.is_default else " "
            click.echo(f"{mark} {device.index:>3}  {device.name}  "
                       f"({device.channels} channels, {device.default_samplerate:g} Hz)")
        if not found:
            click.echo(no_device(output=output), err=True)


@cli.command()
@click.argument("output", metavar="OUT.wav", type=click.Path(dir_okay=False))
@click.option("--seconds", type=click.FloatRange(min=0, min_open=True), default=10.0,
              show_default=True, help="Stop after this many seconds.")
@click.option("--device", metavar="DEV", help="Input device index or name (see: mockview devices).")
def record(output, seconds, device):
    """Record from the microphone into a 16 kHz mono WAV file (Ctrl-C stops early).

    Useful to check a microphone, or to record an answer for mockview analyze.

    Example:

        mockview record answer.wav --seconds 90
    """
    from mockview.errors import MockviewError, RecordingWriteError
    from mockview.recording import record as record_take

    click.echo(f"Recording to {output} for up to {seconds:g} s; Ctrl-C stops.", err=True)
    try:
        with _repaired_if_killed(output):
            result = record_take(output, device=_device_arg(device), max_duration_s=seconds)
    except RecordingWriteError as error:
        raise click.ClickException(f"{error} The {error.duration_s:.1f} s recorded before "
                                   f"that are kept in {output}.") from None
    except MockviewError as error:
        raise click.ClickException(str(error)) from None
    stopped = _STOP_REASONS[result.stopped_by]
    if result.lost_reason:
        stopped += f": {result.lost_reason}"
    click.echo(f"Recorded {result.duration_s:.1f} s to {result.path} ({stopped}; "
               f"peak {result.peak_dbfs:.1f} dBFS).", err=True)
    if result.overflow_count:
        click.echo(f"Warning: {result.overflow_count} input overflows: some audio was lost.",
                   err=True)


_STOP_REASONS = {"stop": "stopped", "time_limit": "time limit reached",
                 "silence": "stopped after silence", "device_lost": "the device went away",
                 "interrupted": "stopped by Ctrl-C"}


def _device_arg(device: str | None):
    return int(device) if device is not None and device.strip().isdigit() else device


@cli.command()
def doctor():
    """Check that mockview can record and transcribe here, and say how to fix what cannot.

    Checks PortAudio, the input and output devices, the speech model and the data
    directory; each failed check says the next step to take (start the sound server, join
    the audio group, connect a microphone...).

    Example:

        mockview doctor
    """
    failed = 0
    for name, check, fix in _doctor_checks():
        try:
            detail = check()
        except _CheckFailed as error:  # the check knows the step for what it found
            failed += 1
            click.echo(f"✗ {name}: {error}")
            click.echo(f"    next: {error.next_step}")
        except Exception as error:  # any failure is a finding, reported with its fix
            failed += 1
            click.echo(f"✗ {name}: {error}")
            click.echo(f"    next: {fix}")
        else:
            click.echo(f"✓ {name}: {detail}")
    if failed:
        click.echo(f"{_plural(failed, 'check')} failed.", err=True)
        raise SystemExit(1)


class _CheckFailed(Exception):
    """A doctor's finding with the next step for it: ``str()`` is what was found."""

    def __init__(self, finding: str, next_step: str):
        super().__init__(finding)
        self.next_step = next_step


def _doctor_checks():
    """(name, check, how to fix): each check returns what it found or raises."""

    def portaudio():
        from mockview.recording import portaudio_version

        return portaudio_version()

    def input_device():
        from mockview.errors import DeviceError
        from mockview.recording import PORTAUDIO_MISSING, check_input_device, list_input_devices
        from mockview.soundsystem import next_step

        try:
            device = check_input_device()
        except DeviceError as error:
            if str(error) == PORTAUDIO_MISSING:
                raise _CheckFailed("PortAudio is missing.", "Install PortAudio (above).") from None
            listed = bool(list_input_devices())
            finding = str(error) if listed else "No input device found."
            raise _CheckFailed(finding, next_step(no_device=not listed, busy=listed)) from None
        return f"{device.index}: {device.name} opens"

    def output_device():
        from mockview.errors import DeviceError
        from mockview.playback import check_output_device, list_output_devices
        from mockview.recording import PORTAUDIO_MISSING
        from mockview.soundsystem import next_step

        try:
            device = check_output_device()
        except DeviceError as error:
            if str(error) == PORTAUDIO_MISSING:
                raise _CheckFailed("PortAudio is missing.", "Install PortAudio (above).") from None
            listed = bool(list_output_devices())
            finding = str(error) if listed else "No output device found."
            raise _CheckFailed(finding, next_step(no_device=not listed, busy=False,
                                                  output=True)) from None
        return f"{device.index}: {device.name} (listening back plays there)"

    def model():
        from mockview.speech.transcription import load_model

        load_model()
        return "the bundled model loads"

    def data_directory():
        import tempfile

        from mockview.paths import data_dir

        directory = data_dir()
        existing = next(p for p in (directory, *directory.parents) if p.exists())
        # Probe the nearest existing folder, so the check leaves nothing behind.
        with tempfile.NamedTemporaryFile(dir=existing):
            pass
        return f"{directory} is writable"

    return [
        ("PortAudio", portaudio,
         "On Debian/Ubuntu: sudo apt-get install libportaudio2; on macOS: brew install portaudio"),
        ("input device", input_device, None),
        ("output device", output_device, None),
        ("speech model", model, "Reinstall mockview: pip install --force-reinstall mockview"),
        ("data directory", data_directory,
         "Make the directory writable, or set MOCKVIEW_HOME to a writable directory"),
    ]
