"""Small self-contained inline SVG charts (no script, no external file, scales to any width).

A chart is an ``<svg role="img">`` with a title and a description that say
what it shows in words; a caption beside it names it, and every chart sits
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
#: Size of a chart in SVG units (it scales to its box) and its margins.
WIDTH, HEIGHT = 360, 150
LEFT, RIGHT, TOP, BOTTOM = 44, 10, 10, 24


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
    t_range: tuple[int, int] | None = None,
) -> str:
    """A step chart of several series over time (the x axis is the chain's clock)."""
    times = [t for s in series for t, _ in s.points]
    t0, t1 = t_range or ((min(times), max(times)) if times else (0, 1))
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
    for v in _ticks(y_min, y_max, 3):
        parts.append(
            f'<line class="gridline" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
            f'y1="{y(v):.1f}" y2="{y(v):.1f}"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{y(v) + 4:.1f}" text-anchor="end">'
            f"{e(y_format.format(v))}</text>"
        )
    for t in _ticks(t0, t1, 3):
        label = datetime.fromtimestamp(t, UTC).strftime("%d %b %H:%M")
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


def ballot_bar(valid: int, invalid: int, seats: int, quorum: int, label: str) -> str:
    """Valid (blue) and invalid (red) votes out of the eligible seats, with the quorum marked."""
    total = max(seats, quorum, valid + invalid, 1)
    v = 100 * valid / total
    i = 100 * invalid / total
    q = 100 * quorum / total
    return (
        f'<svg class="bar" viewBox="0 0 100 8" preserveAspectRatio="none" role="img" '
        f'aria-label="{e(label)}"><rect width="100" height="8" class="bar-bg"/>'
        f'<rect width="{v:.1f}" height="8" class="bar-valid"/>'
        f'<rect x="{v:.1f}" width="{i:.1f}" height="8" class="bar-invalid"/>'
        f'<rect x="{max(0.0, q - 0.8):.1f}" width="1.6" height="8" class="bar-quorum"/></svg>'
    )
