"""Progress charts for the review page: matplotlib figures as inline SVG.

SVG rather than PNG so the charts stay sharp at any zoom and their labels are real text;
inline so the page needs no other file. Each chart is drawn from numbers and metric labels
only (never from user text), so its markup can go into the page as it is.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from mockview.trends import Metric, MetricTrend, Progress

#: The metrics charted, in page order (keys of ``trends.SESSION_METRICS``).
CHARTED = ("fillers_per_minute", "words_per_minute", "within_target_share")
LINE_COLOUR = "#2b6cb0"
TARGET_COLOUR = "#2f855a"
CURRENT_COLOUR = "#c05621"
#: The smallest range a value axis spans, by unit (1 otherwise): one point, or a line
#: that hardly moves, sits in a range that reads as such, not in ticks 0.01 apart.
MIN_SPAN = {"wpm": 40.0, "semitones": 2.0}
#: Units measured around a level, not counted up from zero.
AROUND_LEVEL = ("wpm",)
#: At most this many sessions are named on the x axis (the first and the last always).
MAX_SESSION_TICKS = 8
ONE_POINT_NOTE = "one session measured: a trend needs two"
#: the line drawn on fillers per 100 words, which has no target of its own
FILLERS_PER_100_TARGET = 3.0


@dataclass(frozen=True)
class Chart:
    trend: MetricTrend
    svg: str  # one <svg> element, without the XML prolog


def progress_charts(progress: Progress, *, current_session: int | None = None) -> list[Chart]:
    """One chart per ``CHARTED`` metric over the sessions; none with fewer than two.

    ``current_session`` is ringed on every chart, so a session's page shows where that
    session sits among the others.
    """
    if len(progress.sessions) < 2:
        return []
    session_ids = [s.session_id for s in progress.sessions]
    current = session_ids.index(current_session) if current_session in session_ids else None
    trends = {t.metric.key: t for t in progress.trends}
    return [_chart(trends[key], session_ids, current) for key in CHARTED]


def _chart(trend: MetricTrend, session_ids: list[int], current: int | None) -> Chart:
    from matplotlib import rc_context
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    # Text stays text: smaller than glyphs drawn as paths, and selectable.
    with rc_context({"svg.fonttype": "none", "font.size": 9}):
        figure = Figure(figsize=(3.6, 2.3), layout="constrained")
        FigureCanvasSVG(figure)
        _draw(figure.subplots(), trend, session_ids, current)
        return Chart(trend, _svg(figure, id_prefix=trend.metric.key))


def _draw(ax, trend: MetricTrend, session_ids: list[int], current: int | None) -> None:
    metric = trend.metric
    sessions = range(len(trend.values))
    values = [float("nan") if v is None else v for v in trend.values]
    if metric.goal == "band" and metric.target:
        ax.axhspan(*metric.target, color=TARGET_COLOUR, alpha=0.12, linewidth=0,
                   label=f"target {_number(metric.target[0])}-{_number(metric.target[1])}")
    ax.plot(sessions, values, color=LINE_COLOUR, linewidth=1.6,
            marker="o" if len(values) <= 60 else None, markersize=3.5, clip_on=False, zorder=3)
    if current is not None and not math.isnan(values[current]):
        ax.plot([current], [values[current]], linestyle="none", marker="o", markersize=9,
                markerfacecolor="none", markeredgecolor=CURRENT_COLOUR, markeredgewidth=2,
                label="this session", clip_on=False, zorder=3)
    if all(math.isnan(v) for v in values):
        ax.text(0.5, 0.5, "not measured yet", transform=ax.transAxes, ha="center",
                va="center", color="grey")
    one_point_note(ax, values, LINE_COLOUR)
    session_axis(ax, session_ids)
    value_axis(ax, metric, values)
    _style(ax, trend)


def session_axis(ax, session_ids: Sequence[int]) -> None:
    """The x axis of a chart drawn at positions 0, 1, ...: each position named by its
    session's own number (sessions 2 and 3 read "2" and "3"), at most
    ``MAX_SESSION_TICKS`` of them, always the first and the last."""
    from matplotlib.ticker import FixedFormatter, FixedLocator

    count = len(session_ids)
    step = max(1, math.ceil((count - 1) / (MAX_SESSION_TICKS - 1))) if count > 1 else 1
    shown = sorted({*range(0, count, step), count - 1}) if count else []
    if len(shown) > 1 and shown[-1] - shown[-2] < step:
        del shown[-2]  # the last one named, not a crowded pair before it
    ax.xaxis.set_major_locator(FixedLocator(shown))
    ax.xaxis.set_major_formatter(FixedFormatter([str(session_ids[i]) for i in shown]))
    ax.set_xlim(-0.5, max(count, 1) - 0.5)


def value_limits(metric: Metric, values: Sequence[float | None]) -> tuple[float, float]:
    """The range of a metric's value axis: a share or a ratio 0-100 %; what is counted
    (fillers, pauses, semitones) from 0; pace around its values and target band. At least
    ``MIN_SPAN`` wide, so a single point reads as a point on a plain scale."""
    if metric.unit in ("share", "ratio"):
        return 0.0, 1.0
    marks = [v for v in values if v is not None and not math.isnan(v)]
    marks += list(metric.target or ())
    if metric.key == "fillers_per_100_words":
        marks.append(FILLERS_PER_100_TARGET)
    if not marks:
        return 0.0, MIN_SPAN.get(metric.unit, 1.0)
    span = MIN_SPAN.get(metric.unit, 1.0)
    low, high = min(marks), max(marks)
    if metric.unit not in AROUND_LEVEL:
        return 0.0, max(high * 1.15, span)
    pad = max((high - low) * 0.15, (span - (high - low)) / 2)
    low = max(0.0, low - pad)
    return low, max(high + pad, low + span)


def value_axis(ax, metric: Metric, values: Sequence[float | None]) -> None:
    """Set a chart's value axis: ``value_limits``, round ticks, labels with at most one
    decimal (shares as whole percents), never a negative tick."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator, PercentFormatter

    low, high = value_limits(metric, values)
    ax.set_ylim(low, high)
    if metric.unit in ("share", "ratio"):
        ax.yaxis.set_major_locator(MultipleLocator(0.25))
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    else:
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10], min_n_ticks=3))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: _number(value)))


def one_point_note(ax, values: Sequence[float], colour: str) -> None:
    """A chart with one measured value draws it as a clear point and says that it is one
    value, not a trend."""
    measured = [(i, v) for i, v in enumerate(values) if not math.isnan(v)]
    if len(measured) != 1:
        return
    ax.plot(*zip(*measured, strict=True), linestyle="none", marker="o", markersize=7,
            color=colour, clip_on=False, zorder=3)
    ax.text(0.5, 0.96, ONE_POINT_NOTE, transform=ax.transAxes, ha="center", va="top",
            color="grey", fontsize=7)


def _number(value: float) -> str:
    """A tick label: at most one decimal, no "-0", no ".0"."""
    text = f"{value:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def _style(ax, trend: MetricTrend) -> None:
    unit = {"per_minute": "per minute", "wpm": "words per minute", "share": "of answers"}
    ax.set_ylabel(unit.get(trend.metric.unit, ""), color="#4a5568")
    ax.set_xlabel("session", color="#4a5568")
    ax.grid(alpha=0.25)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="best", fontsize=7, frameon=False)


def _svg(figure, *, id_prefix: str) -> str:
    """The figure as one <svg> element, every id in it (and every reference to one)
    prefixed: matplotlib numbers its ids per figure, and charts share one page."""
    import io

    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, transparent=True)
    text = buffer.getvalue()
    return re.sub(r'(id="|href="#|url\(#)', rf"\1{id_prefix}-", text[text.index("<svg"):])
