"""The ``mockview progress --plot`` chart: one small panel per key metric over sessions."""

from __future__ import annotations

import os
from pathlib import Path

from mockview.errors import MockviewError
from mockview.render.charts import (
    FILLERS_PER_100_TARGET,
    one_point_note,
    session_axis,
    value_axis,
)
from mockview.render.trends import local_time
from mockview.trends import Progress

DIRECTION_COLOUR = {"improving": "tab:green", "worsening": "tab:red"}


def check_png_path(path: str | os.PathLike) -> Path:
    """``path`` as a Path, if it names a PNG file; checked before any work is done."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise MockviewError(f"--plot {path}: the chart is a PNG image. Give a file name ending"
                            " in .png, for example progress.png.")
    return path


def write_progress_plot(progress: Progress, path: str | os.PathLike) -> Path:
    """Draw each metric's per-session values, with its target, to the PNG file ``path``.

    matplotlib is imported here, with the Agg canvas and no pyplot, so the chart needs no
    display and leaves no global state behind.
    """
    path = check_png_path(path)
    if not progress.sessions:
        raise MockviewError("No sessions to plot yet. Save an answer with:"
                            " mockview analyze ANSWER.wav --save")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # a metric no session measured (reports from before its analysis) gets no panel
    trends = ([t for t in progress.trends if any(v is not None for v in t.values)]
              or list(progress.trends))
    columns = 4
    rows = -(-len(trends) // columns)
    figure = Figure(figsize=(3.2 * columns, 2.6 * rows), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(rows, columns, squeeze=False).ravel()
    session_ids = [s.session_id for s in progress.sessions]
    sessions = range(len(session_ids))  # drawn at 0, 1, ...; named by their ids
    for ax, trend in zip(axes, trends, strict=False):
        metric = trend.metric
        values = [float("nan") if v is None else v for v in trend.values]
        colour = DIRECTION_COLOUR.get(trend.direction, "tab:blue")
        ax.plot(sessions, values, marker="o" if len(sessions) <= 60 else None, markersize=3,
                linewidth=1.5, color=colour, clip_on=False, zorder=3)
        if metric.goal == "band" and metric.target:
            ax.axhspan(*metric.target, color="tab:green", alpha=0.12, linewidth=0)
        elif metric.goal == "point" and metric.target:
            ax.axhline(metric.target[0], color="tab:green", alpha=0.5, linestyle="--")
        elif metric.key == "fillers_per_100_words":
            ax.axhline(FILLERS_PER_100_TARGET, color="tab:green", alpha=0.5, linestyle="--")
        one_point_note(ax, values, colour)
        session_axis(ax, session_ids)
        value_axis(ax, metric, values)
        direction = trend.direction.replace("_", " ")
        if trend.direction in DIRECTION_COLOUR:  # a real change: say how big
            if metric.unit in ("ratio", "share"):
                direction += f" ({trend.change * 100:+.0f} pts)"
            elif trend.relative_change is not None:
                direction += f" ({trend.relative_change * 100:+.0f}%)"
        ax.set_title(f"{metric.label}\n{direction}", fontsize=9, color=colour
                     if trend.direction in DIRECTION_COLOUR else "black")
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    for ax in axes[len(trends):]:
        ax.axis("off")
    first = local_time(progress.sessions[0].started_at_utc)[:10]
    last = local_time(progress.sessions[-1].started_at_utc)[:10]
    span = f"{first} to {last}" if first != last else first
    count = f"{len(session_ids)} session{'s' if len(session_ids) != 1 else ''}"
    figure.suptitle(f"mockview progress: {count}, {span} (x: session; green: target)",
                    fontsize=10)
    try:
        figure.savefig(path, format="png")
    except OSError as error:
        reason = error.strerror or str(error)
        raise MockviewError(f"Cannot write the chart to {path}: {reason}. Check that the folder"
                            " exists and that you can write to it.") from None
    return path
