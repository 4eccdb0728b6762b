"""Progress charts read plainly: the x axis names the real sessions, the value axis starts
where its quantity can (0 for counts, 0-100 % for shares) with at most one decimal, and a
lone point is drawn as a point and says so. ``progress --plot`` (PNG) through the CLI, its
figure caught as it is saved. The progress page's SVG charts are read in chromium in
test_report_page.py (one browser per test run), with ``assert_plain_value_axis`` from here."""

from __future__ import annotations

import re

from matplotlib.figure import Figure

from mockview.store import Store
from mockview.trends import SESSION_METRICS

from .test_cli_trends import CONCISE, INTRO, MESSY, WHY, run, save

#: a tick label: a whole number or one decimal, a percent for shares, never negative
TICK = re.compile(r"\d+(\.\d)?%?")
LABELS = {m.label: m for m in SESSION_METRICS}


def sessions_2_to_4():
    """Sessions 2, 3 and 4 (session 1 deleted), fillers falling and pauses the same."""
    with Store.open() as store:
        save(store, 4, [(WHY, "motivation-and-fit", [CONCISE])])
        save(store, 5, [(WHY, "motivation-and-fit", [MESSY])])
        save(store, 8, [(WHY, "motivation-and-fit", [MESSY]),
                        (INTRO, "self-introduction", [CONCISE])])
        save(store, 12, [(WHY, "motivation-and-fit", [CONCISE])])
        store.delete_session(1)


def plotted(monkeypatch, tmp_path, *args) -> dict[str, dict]:
    """``mockview progress --plot`` run for real, each panel's axis labels as drawn."""
    figures = []
    save_png = Figure.savefig
    monkeypatch.setattr(Figure, "savefig",
                        lambda self, *a, **k: figures.append(self) or save_png(self, *a, **k))
    path = tmp_path / "progress.png"
    result = run("progress", "--plot", str(path), *args)
    assert result.exit_code == 0, result.output
    assert path.stat().st_size > 10_000
    (figure,) = figures
    panels = {}
    for ax in figure.axes:
        if not ax.axison:
            continue
        label = ax.get_title().split("\n")[0]
        panels[label] = {
            "x": shown_ticks(ax.xaxis, ax.get_xlim()),
            "y": shown_ticks(ax.yaxis, ax.get_ylim()),
            "ylim": ax.get_ylim(),
            "notes": [t.get_text() for t in ax.texts],
            "points": sum(len([y for y in line.get_ydata() if y == y]) for line in ax.lines),
        }
    return panels


def shown_ticks(axis, limits) -> list[str]:
    """The tick labels inside the axis's range (the locator may place more outside it)."""
    low, high = sorted(limits)
    return [label.get_text() for value, label in zip(axis.get_ticklocs(),
                                                     axis.get_ticklabels(), strict=True)
            if low - 1e-9 <= value <= high + 1e-9]


def assert_plain_value_axis(label: str, ticks: list[str]) -> None:
    metric = LABELS[label]
    assert ticks and all(TICK.fullmatch(t.replace("\u2212", "-")) for t in ticks), (label, ticks)
    assert len(set(ticks)) == len(ticks), (label, ticks)
    if metric.unit in ("share", "ratio"):
        assert ticks[0] == "0%" and ticks[-1] == "100%", (label, ticks)
    elif metric.unit != "wpm":
        assert ticks[0] == "0", (label, ticks)


def test_the_x_axis_names_the_sessions_by_their_own_numbers(monkeypatch, tmp_path):
    sessions_2_to_4()
    panels = plotted(monkeypatch, tmp_path)
    assert panels and all(panel["x"] == ["2", "3", "4"] for panel in panels.values()), panels


def test_value_axes_start_at_zero_or_span_0_to_100_percent_with_one_decimal(monkeypatch,
                                                                             tmp_path):
    sessions_2_to_4()
    panels = plotted(monkeypatch, tmp_path)
    for label, panel in panels.items():
        assert_plain_value_axis(label, panel["y"])
    # none of these answers has a long pause: the count sits on 0, not in a range below it
    assert panels["long pauses per answer"]["ylim"][0] == 0


def test_a_single_session_is_a_point_with_a_note(monkeypatch, tmp_path):
    sessions_2_to_4()
    panels = plotted(monkeypatch, tmp_path, "--since", "2026-01-12")
    assert panels
    for label, panel in panels.items():
        assert panel["x"] == ["4"], (label, panel["x"])
        assert_plain_value_axis(label, panel["y"])
        if panel["points"]:
            assert "one session measured: a trend needs two" in panel["notes"], label
