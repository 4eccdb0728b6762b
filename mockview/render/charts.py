"""Progress charts for the review page: matplotlib figures as inline SVG.

SVG rather than PNG so the charts stay sharp at any zoom and their labels are real text;
inline so the page needs no other file. Each chart is drawn from numbers and metric labels
only (never from user text), so its markup can go into the page as it is.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from mockview.trends import MetricTrend, Progress

#: The metrics charted, in page order (keys of ``trends.SESSION_METRICS``).
CHARTED = ("fillers_per_minute", "words_per_minute", "within_target_share")
LINE_COLOUR = "#2b6cb0"
TARGET_COLOUR = "#2f855a"
CURRENT_COLOUR = "#c05621"


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
    return [_chart(trends[key], current) for key in CHARTED]


def _chart(trend: MetricTrend, current: int | None) -> Chart:
    from matplotlib import rc_context
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    # Text stays text: smaller than glyphs drawn as paths, and selectable.
    with rc_context({"svg.fonttype": "none", "font.size": 9}):
        figure = Figure(figsize=(3.6, 2.3), layout="constrained")
        FigureCanvasSVG(figure)
        _draw(figure.subplots(), trend, current)
        return Chart(trend, _svg(figure, id_prefix=trend.metric.key))


def _draw(ax, trend: MetricTrend, current: int | None) -> None:
    metric = trend.metric
    sessions = range(1, len(trend.values) + 1)
    values = [float("nan") if v is None else v for v in trend.values]
    if metric.unit == "share":
        values = [v * 100 for v in values]
        ax.set_ylim(-5, 105)
    if metric.goal == "band" and metric.target:
        ax.axhspan(*metric.target, color=TARGET_COLOUR, alpha=0.12, linewidth=0,
                   label=f"target {metric.target[0]:g}-{metric.target[1]:g}")
    ax.plot(sessions, values, color=LINE_COLOUR, linewidth=1.6,
            marker="o" if len(values) <= 60 else None, markersize=3.5)
    if current is not None and not math.isnan(values[current]):
        ax.plot([current + 1], [values[current]], linestyle="none", marker="o", markersize=9,
                markerfacecolor="none", markeredgecolor=CURRENT_COLOUR, markeredgewidth=2,
                label="this session")
    if all(math.isnan(v) for v in values):
        ax.text(0.5, 0.5, "not measured yet", transform=ax.transAxes, ha="center",
                va="center", color="grey")
    if metric.goal == "lower":
        ax.set_ylim(bottom=0)
    _style(ax, trend)


def _style(ax, trend: MetricTrend) -> None:
    from matplotlib.ticker import MaxNLocator

    unit = {"per_minute": "per minute", "wpm": "words per minute", "share": "% of answers"}
    ax.set_ylabel(unit.get(trend.metric.unit, ""), color="#4a5568")
    ax.set_xlabel("session (oldest first)", color="#4a5568")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
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
