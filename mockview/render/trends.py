"""The terminal view of comparisons and progress (``mockview compare`` and ``progress``)."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from mockview import numbers
from mockview.numbers import clock
from mockview.trends import (
    DELIVERY_SESSIONS,
    Comparison,
    JobCoverage,
    Metric,
    MetricChange,
    Progress,
    Side,
)
from mockview.words import join_words, joins_previous

OUTCOME_STYLE = {"better": "bold green", "worse": "bold red", "same": "dim",
                 "on_target": "green", "not_comparable": "dim"}
DIRECTION_STYLE = {"improving": "bold green", "worsening": "bold red", "steady": "dim",
                   "on_target": "green", "not_enough_data": "dim"}
REMOVED_STYLE = "red strike"
ADDED_STYLE = "bold green"
POSITION_LABEL = {"between_sentences": "between sentences", "clause_boundary": "at a clause"
                  " boundary", "mid_clause": "mid-clause", "after_filler": "after a filler"}
#: The heading of each group of metrics after the first (``Metric.group``).
GROUP_TITLE = {"content": "what you said", "voice": "how it sounded"}
#: Job terms listed by name in the terminal (all of them are in --json).
JOB_TERMS_SHOWN = 12
#: Sessions shown in a trend's sparkline (the most recent ones).
SPARK_SESSIONS = 24
_SPARKS = "▁▂▃▄▅▆▇█"


# --- values --------------------------------------------------------------------------------


def format_value(metric: Metric, value: float | None) -> str:
    """A metric value as the tables show it: 2.3/min, 142 wpm, 22%, 1:42, yes."""
    if value is None:
        return "-"
    unit = metric.unit
    if unit == "per_minute":
        return f"{numbers.one_decimal(value)}/min"
    if unit == "wpm":
        return numbers.wpm(value)
    if unit in ("ratio", "share"):
        return numbers.percent(value)
    if unit == "count":
        return f"{value:.0f}"
    if unit == "seconds":
        return clock(value)
    if unit == "flag":
        return "yes" if value else "no"
    if unit == "semitones":
        return f"{numbers.one_decimal(value)} st"
    return numbers.one_decimal(value)


def format_change(metric: Metric, change: float | None, relative: float | None, *,
                  compact: bool = False) -> str:
    """A change with its sign: -1.2/min (-40%), +5 pts, +0:15; ``compact``: -40%, +5 pts."""
    if change is None:
        return "-"
    if compact and relative is not None and metric.unit not in ("ratio", "share"):
        return f"{relative * 100:+.0f}%" if round(relative * 100) else "±0%"
    size = abs(change)
    unit = metric.unit
    shown = format_value(metric, size)
    # the sign of what is shown: a change that rounds to nothing reads ±0, not +0
    sign = "±" if not any(c in "123456789" for c in shown) else "+" if change > 0 else "-"
    if unit in ("ratio", "share"):
        return f"{sign}{size * 100:.0f} pts"
    if unit == "flag":
        return ""
    if unit == "seconds":
        return f"{sign}{shown}"
    percent = f" ({relative * 100:+.0f}%)" if relative is not None and sign != "±" else ""
    return f"{sign}{shown}{percent}"


#: The one form of time the store writes; ``local_time`` leaves anything else as it is.
_STORED_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", re.ASCII)


def local_time(utc: str) -> str:
    """A stored UTC time (2026-01-05T10:00:00Z) as the user's local 2026-01-05 11:00.

    Read by ``fromisoformat``: ``strptime`` would import its locale-aware parser, about 3 ms
    of every ``progress``, to read two times.
    """
    if not _STORED_UTC.fullmatch(utc):
        return utc
    try:
        moment = datetime.fromisoformat(utc[:-1]).replace(tzinfo=timezone.utc)
    except ValueError:  # a month 13, say
        return utc
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _outcome(outcome: str) -> Text:
    label = "-" if outcome == "not_comparable" else outcome.replace("_", " ")
    return Text(label, style=OUTCOME_STYLE.get(outcome, ""))


# --- compare -----------------------------------------------------------------------------


def render_comparison(comparison: Comparison, console: Console) -> None:
    """Header, the metrics side by side, notes and (for takes) the transcript diff."""
    console.print(Text.assemble(("A  ", "bold"), _side_text(comparison.a)))
    console.print(Text.assemble(("B  ", "bold"), _side_text(comparison.b)))
    console.print(comparison_table(comparison))
    for note in comparison.notes:
        console.print(Text.assemble(("Note: ", "bold yellow"), note))
    if comparison.diff is not None:
        console.print(Panel(diff_text(comparison), title="Transcript: A → B",
                            title_align="left", subtitle=_diff_legend(comparison),
                            subtitle_align="left"))


def _side_text(side: Side) -> Text:
    when = local_time(side.at_utc)
    if side.answer_no is None:
        counts = f"{_plural(side.answer_count, 'answer')}, {_plural(side.take_count, 'take')}"
        return Text.assemble((f"session {side.spec}", "bold"), f"  ·  {when}  ·  {counts}")
    question = side.question_text or "(no question)"
    label = f"[{side.question_id}] " if side.question_id else ""
    return Text.assemble((f"take {side.spec}", "bold"), f"  ·  {when}  ·  {label}{question}")


def comparison_table(comparison: Comparison) -> Table:
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("metric", no_wrap=True)
    table.add_column("A", justify="right")
    table.add_column("B", justify="right")
    table.add_column("change", justify="right")
    table.add_column("verdict")
    for row in comparison.metrics:
        if row.metric.group != "speech" and row.a is None and row.b is None:
            continue  # a finding neither side measured (older reports): nothing to show
        table.add_row(row.metric.label, _cell(row, "a"), _cell(row, "b"),
                      format_change(row.metric, row.change, row.relative_change),
                      _outcome(row.outcome))
    return table


def _cell(row: MetricChange, side: str) -> str:
    value = format_value(row.metric, getattr(row, side))
    note = getattr(row, f"{side}_note")
    return f"{value} ({note.replace('_', ' ')})" if note else value


def diff_text(comparison: Comparison) -> Text:
    """The B transcript with A's removed words struck through in red and new words green."""
    text = Text()

    def add(words: tuple[str, ...], style: str = "") -> None:
        if joins_previous(words[0]) and text.plain.endswith(" "):
            text.right_crop(1)  # "cold" "-hearted" reads "cold-hearted"
        text.append(join_words(words), style=style)
        text.append(" ")

    for op in comparison.diff or ():
        if op.op == "equal":
            add(op.b)
            continue
        if op.a:
            add(op.a, REMOVED_STYLE)
        if op.b:
            add(op.b, ADDED_STYLE)
    if not text.plain.strip():
        text.append("(neither take has words)", style="dim")
    return text


def _diff_legend(comparison: Comparison) -> Text:
    removed = sum(len(op.a) for op in comparison.diff or () if op.op != "equal")
    added = sum(len(op.b) for op in comparison.diff or () if op.op != "equal")
    same = sum(len(op.b) for op in comparison.diff or () if op.op == "equal")
    return Text.assemble((f"{removed} removed", REMOVED_STYLE), " ",
                         (f"{added} added", ADDED_STYLE), f" {same} the same")


# --- progress ----------------------------------------------------------------------------


def render_progress(progress: Progress, console: Console) -> None:
    """The span and filters, each metric's trend, then the recurring patterns."""
    console.print(_progress_header(progress))
    if progress.sessions_needed:
        have = len(progress.sessions)
        console.print(Text(
            f"A trend needs at least 2 sessions; you have {have}. Practise "
            f"{progress.sessions_needed} more session{'s' if progress.sessions_needed > 1 else ''}"
            " to see how you are doing over time.", style="yellow"))
    else:
        console.print(trends_table(progress, width=console.width))
    lines = pattern_lines(progress)
    if lines:
        console.print(Panel(Group(*lines), title="Patterns", title_align="left",
                            border_style="cyan"))
    for note in progress.notes:
        console.print(Text.assemble(("Note: ", "bold yellow"), note))
    if progress.job is not None:
        console.print(job_panel(progress.job))


def _progress_header(progress: Progress) -> Text:
    sessions = progress.sessions
    first, last = local_time(sessions[0].started_at_utc)[:10], \
        local_time(sessions[-1].started_at_utc)[:10]
    span = first if first == last else f"{first} to {last}"
    plural = "s" if len(sessions) != 1 else ""
    text = Text.assemble((f"Progress over {len(sessions)} session{plural}", "bold"),
                         f", {span} ({progress.take_count} takes)")
    filters = progress.filters
    parts = [f"question {filters['question_id']}" if filters.get("question_id") else "",
             f"category {filters['category']}" if filters.get("category") else "",
             f"since {local_time(filters['since_utc'])[:10]}" if filters.get("since_utc") else ""]
    parts = [p for p in parts if p]
    if parts:
        text.append("  ·  " + ", ".join(parts), style="dim")
    return text


def trends_table(progress: Progress, *, width: int = 100) -> Table:
    """Each metric's first and recent values, change and direction, and (when ``width``
    leaves room) a sparkline of its recent sessions."""
    table = Table(caption="first, recent: the mean of your first and last sessions (up to 3"
                          " each). A change under 10% is steady; on target: a larger change"
                          " that stayed inside the target.", caption_justify="left",
                  box=box.SIMPLE_HEAD)
    table.add_column("metric", no_wrap=True)
    table.add_column("first", justify="right")
    table.add_column("recent", justify="right")
    table.add_column("change", justify="right")
    table.add_column("trend")
    # the other columns and the gaps take 76 characters; the sparkline gets what is left
    spark_width = min(SPARK_SESSIONS, width - 76)
    if spark_width >= 6:
        table.add_column("sessions", no_wrap=True)
    group = None
    for trend in progress.trends:
        if all(v is None for v in trend.values):
            continue  # no session measured it (reports from before that analysis)
        if group is not None and trend.metric.group != group:
            table.add_section()
            table.add_row(Text(GROUP_TITLE.get(trend.metric.group, trend.metric.group),
                               style="dim italic"))
        group = trend.metric.group
        label = trend.direction.replace("_", " ")
        table.add_row(trend.metric.label, format_value(trend.metric, trend.first),
                      format_value(trend.metric, trend.recent),
                      format_change(trend.metric, trend.change, trend.relative_change,
                                    compact=True),
                      Text(label, style=DIRECTION_STYLE.get(trend.direction, "")),
                      *([Text(sparkline(trend.values, width=spark_width), style="cyan")]
                        if spark_width >= 6 else []))
    return table


def sparkline(values, *, width: int = SPARK_SESSIONS) -> str:
    """The last ``width`` values as bars (▁ lowest to █ highest); a gap for a missing one."""
    shown = list(values)[-width:]
    present = [v for v in shown if v is not None]
    if not present:
        return ""
    low, high = min(present), max(present)
    bars = []
    for v in shown:
        if v is None:
            bars.append(" ")
        elif high == low:
            bars.append(_SPARKS[len(_SPARKS) // 2])
        else:
            bars.append(_SPARKS[round((v - low) / (high - low) * (len(_SPARKS) - 1))])
    return ("…" if len(values) > width else "") + "".join(bars)


def pattern_lines(progress: Progress) -> list[Text]:
    """One bullet per recurring pattern, each with its counts."""
    patterns = progress.patterns
    lines = []
    sessions = len(progress.sessions)
    top = patterns.top_filler
    if top is not None:
        line = _bullet(f"“{top.text}” was your top filler in {top.sessions_top} of"
                       f" {top.session_count} session{'s' if top.session_count != 1 else ''}")
        line.append(f" and in {top.takes_top} of {_plural(top.take_count, 'take')}")
        others = [f"“{f.text}” in {_plural(f.sessions_top, 'session')}"
                  for f in patterns.fillers[1:4] if f.sessions_top]
        if others:
            line.append("; then " + ", ".join(others))
        lines.append(line)
    elif sessions:
        lines.append(_bullet("No fillers in these sessions."))
    long_kinds = [k for k in patterns.kinds if k.runs_long]
    for kind in long_kinds:
        lines.append(_bullet(f"{kind.kind} answers run long: {kind.over_target} of "
                             f"{kind.answers} over their length target "
                             f"({kind.share_over * 100:.0f}%)."))
    if patterns.kinds and not long_kinds:
        most = patterns.kinds[0]
        detail = (f" (most: {most.kind}, {most.over_target} of {most.answers} over target)"
                  if most.over_target else "")
        lines.append(_bullet(f"No question kind runs long{detail}."))
    pauses = patterns.pauses
    if pauses.takes_read:
        if pauses.long_count:
            where = ", ".join(f"{n} {POSITION_LABEL.get(p, p.replace('_', ' '))}"
                              for p, n in sorted(pauses.by_position.items(),
                                                 key=lambda kv: -kv[1]) if n)
            scope = ("in all" if pauses.takes_read >= progress.take_count
                     else f"in your last {pauses.takes_read} takes")
            line = _bullet(f"Long pauses: {pauses.long_count} {scope}: {where}.")
            worst = max(pauses.by_position, key=lambda p: pauses.by_position[p])
            if worst == "mid_clause":
                line.append(" Mid-clause pauses hurt perceived fluency most: finish the phrase,"
                            " then pause.")
            lines.append(line)
        else:
            lines.append(_bullet("No long pauses (1 s or more)."))
    if patterns.worst_questions:
        lines.append(_bullet("Scoring worst (targets missed per take, of 5: fillers, pace, "
                             "pauses, length, rambling):"))
        for score in patterns.worst_questions:
            label = f"[{score.question_id}] " if score.question_id else ""
            missed = ", ".join(f"{c} ×{n}" for c, n in score.off_target.items())
            lines.append(Text.assemble(
                "    ", (f"{score.mean_off_target:.1f}", "bold"),
                f"  {label}{_short(score.question_text or '')}",
                (f"  ({score.takes} take{'s' if score.takes != 1 else ''}: {missed})", "dim")))
    lines += _content_lines(progress)
    never = patterns.never_practised
    if never is not None:
        pool = patterns.question_pool
        where = f" in {progress.filters['category']}" if progress.filters.get("category") else ""
        if never:
            shown = ", ".join(q.id for q in never[:5])
            more = f" and {len(never) - 5} more (all in --json)" if len(never) > 5 else ""
            lines.append(_bullet(f"Never practised: {len(never)} of {pool} questions{where}:"
                                 f" {shown}{more}."))
        elif pool:
            lines.append(_bullet(f"You have practised all {pool} questions{where}."))
    return lines


def _content_lines(progress: Progress) -> list[Text]:
    """The STAR part behavioral answers miss most, hedging, and monotone or uptalk."""
    patterns = progress.patterns
    lines = []
    star = patterns.star
    if star.judged_takes:
        most = star.most_missing
        if most is None:
            lines.append(_bullet(f"Every behavioral answer had all four STAR parts "
                                 f"({_plural(star.judged_takes, 'take')} judged)."))
        else:
            part, count = most
            others = [f"{p.capitalize()} in {n}" for p, n in star.missing.items()
                      if n and p != part]
            then = f"; then {', '.join(others)}" if others else ""
            lines.append(_bullet(f"Behavioral answers most often miss the {part.capitalize()}:"
                                 f" in {count} of {star.judged_takes} takes{then}."))
    hedges = patterns.hedges
    if hedges.takes:
        said = ", ".join(f"“{_spoken(text)}” ×{n}" for text, n in hedges.top)
        said = f"; most said: {said}" if said else ""
        rate = f"{hedges.per_100_words:.1f} per 100 words" if hedges.per_100_words is not None \
            else "none"
        if hedges.takes_often:
            lines.append(_bullet(f"Hedging: {hedges.takes_often} of "
                                 f"{_plural(hedges.takes, 'take')} hedge often ({rate} in all)"
                                 f"{said}. State what you did and know without "
                                 "softening it."))
        else:
            lines.append(_bullet(f"Little hedging: {rate} over "
                                 f"{_plural(hedges.takes, 'take')}{said}."))
    voice = patterns.voice
    if voice.sessions:
        scope = (f"your last {voice.sessions} sessions measured for delivery"
                 if voice.sessions == DELIVERY_SESSIONS
                 else f"the {_plural(voice.sessions, 'session')} measured for delivery")
        if voice.monotone_sessions or voice.uptalk_sessions:
            lines.append(_bullet(f"Voice, in {scope}: monotone in {voice.monotone_sessions},"
                                 f" statements rising at the end in {voice.uptalk_sessions}."))
        else:
            lines.append(_bullet(f"Voice: neither monotone nor rising at the end in {scope}."))
    return lines


def job_panel(job: JobCoverage) -> Panel:
    """The job's key terms your answers say (in how many takes, when last) and never say."""
    lines: list[Text] = []
    mentioned, never = job.mentioned, job.never
    lines.append(Text(f"{len(mentioned)} of {_plural(len(job.terms), 'key term')} said in "
                      f"your {_plural(job.take_count, 'take')}.", style="bold"))
    for use in mentioned[:JOB_TERMS_SHOWN]:
        when = local_time(use.last_at_utc)[:10] if use.last_at_utc else "-"
        lines.append(Text.assemble("  ", (use.term, "green"),
                                   f"  in {use.takes} of {job.take_count}",
                                   (f"  (last {when}, take {use.last_take})", "dim")))
    if len(mentioned) > JOB_TERMS_SHOWN:
        lines.append(Text(f"  and {len(mentioned) - JOB_TERMS_SHOWN} more (all in --json)",
                          style="dim"))
    if never:
        shown = ", ".join(t.term for t in never[:JOB_TERMS_SHOWN])
        more = (f" and {len(never) - JOB_TERMS_SHOWN} more (all in --json)"
                if len(never) > JOB_TERMS_SHOWN else "")
        lines.append(Text.assemble(("Never said: ", "bold red"), f"{shown}{more}."))
        lines.append(Text("Work the ones that are true of you into an answer where they fit.",
                          style="dim"))
    elif job.terms:
        lines.append(Text("You have said every key term of this job.", style="green"))
    # the title is the advert's words: shown as written, never read as markup
    title = Text(f"Job: {_short(job.title, 50)}" if job.title else "Job description")
    return Panel(Group(*lines), title=title, title_align="left", border_style="magenta")


def _spoken(phrase: str) -> str:
    """A hedge as the report keys it ("i'm not sure") as it is written: "I'm not sure"."""
    return re.sub(r"\bi\b", "I", phrase)


def _plural(count: int | None, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _bullet(text: str) -> Text:
    return Text.assemble(("• ", "dim"), text)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
