"""Small self-contained inline SVG charts (no script, no external file, scales to any width).

A chart is an ``<svg role="img">`` with a title and a description that say
what it shows in words; the legend is HTML beside it, and every chart sits
next to a table with the same numbers, so nothing depends on seeing colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sharing.server.dashboard.html import e

#: Line colours (Okabe-Ito, distinguishable with colour-blindness) and dash patterns,
#: cycled together so two series never share both.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
DASHES = ("", "6 3", "2 3", "8 3 2 3")
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 28


@dataclass(frozen=True)
class Series:
    """One line: a label and its (time, value) points, drawn as steps."""

    label: str
    points: Sequence[tuple[int, float]]


def style_of(index: int) -> tuple[str, str]:
    """Colour and dash pattern of the ``index``-th series."""
    return COLOURS[index % len(COLOURS)], DASHES[(index // len(COLOURS)) % len(DASHES)]


def _ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    if hi <= lo:
        return [lo]
    step = (hi - lo) / (count - 1)
    return [lo + i * step for i in range(count)]


def step_chart(
    series: Sequence[Series],
    *,
    title: str,
    description: str,
    y_min: float,
    y_max: float,
    y_format: str = "{:g}x",
    chart_id: str = "chart",
) -> str:
    """A step chart of several series over time (the x axis is the chain's clock)."""
    times = [t for s in series for t, _ in s.points]
    t0, t1 = (min(times), max(times)) if times else (0, 1)
    if t1 <= t0:
        t1 = t0 + 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(t: float) -> float:
        return LEFT + (t - t0) / (t1 - t0) * plot_w

    def y(v: float) -> float:
        span = (y_max - y_min) or 1
        return TOP + (1 - (v - y_min) / span) * plot_h

    parts = [
        f'<svg class="chart" id="{e(chart_id)}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{e(chart_id)}-t {e(chart_id)}-d" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{e(chart_id)}-t">{e(title)}</title>',
        f'<desc id="{e(chart_id)}-d">{e(description)}</desc>',
    ]
    for v in _ticks(y_min, y_max):
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{y(v) + 4:.1f}" text-anchor="end">'
            f"{e(y_format.format(v))}</text>"
        )
    for t in _ticks(t0, t1, 3):
        label = datetime.fromtimestamp(t, UTC).strftime("%m-%d %H:%M")
        anchor = "start" if t == t0 else ("end" if t == t1 else "middle")
        parts.append(
            f'<text class="tick" x="{x(t):.1f}" y="{HEIGHT - 8}" text-anchor="{anchor}">'
            f"{e(label)}</text>"
        )
    parts.append(
        f'<line class="axis" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}"/>'
        f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" '
        f'y2="{TOP + plot_h}"/>'
    )
    for i, s in enumerate(series):
        if not s.points:
            continue
        colour, dash = style_of(i)
        coords = []
        prev: float | None = None
        for t, v in s.points:
            if prev is not None:
                coords.append(f"{x(t):.1f},{y(prev):.1f}")
            coords.append(f"{x(t):.1f},{y(v):.1f}")
            prev = v
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline class="series" fill="none" stroke="{colour}" stroke-width="2.5"'
            f'{dash_attr} points="{" ".join(coords)}"><title>{e(s.label)}</title></polyline>'
        )
    parts.append("</svg>")
    return "".join(parts)


def legend(labels: Sequence[str]) -> str:
    """The HTML legend of :func:`step_chart`'s series, in the same order and styles."""
    items = []
    for i, label in enumerate(labels):
        colour, dash = style_of(i)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        swatch = (
            f'<svg width="28" height="10" aria-hidden="true" focusable="false">'
            f'<line x1="0" x2="28" y1="5" y2="5" stroke="{colour}" stroke-width="3"{dash_attr}/>'
            "</svg>"
        )
        items.append(f"<li>{swatch} {e(label)}</li>")
    return f'<ul class="legend">{"".join(items)}</ul>'


def bar(value: int, total: int, label: str) -> str:
    """A small horizontal bar (e.g. votes towards a quorum), with its numbers in words."""
    width = 0 if total <= 0 else min(100, round(100 * value / total))
    return (
        f'<svg class="bar" viewBox="0 0 100 8" preserveAspectRatio="none" role="img" '
        f'aria-label="{e(label)}"><rect width="100" height="8" class="bar-bg"/>'
        f'<rect width="{width}" height="8" class="bar-fg"/></svg>'
    )
