"""What a figure module hands to the report assembler, and how figures are saved.

Each ``sharing.report.figures_<model>`` module exposes
``make_figures(out_dir: pathlib.Path) -> list[Figure]``: it writes its PNG files
into ``out_dir`` (file names prefixed by the model, e.g. ``game_regimes.png``,
so modules never overwrite each other) and describes them with :class:`Figure`.
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass

from matplotlib.figure import Figure as MplFigure


@dataclass(frozen=True)
class Figure:
    """A figure written by a figure module.

    Attributes
    ----------
    title : str
        Short heading.
    filename : str
        PNG file name, relative to the report directory.
    caption : str
        What the figure shows and what to read from it (plain text).
    """

    title: str
    filename: str
    caption: str


def new_figure(width: float = 10.0, height: float = 4.5) -> MplFigure:
    """Return a matplotlib figure not tied to pyplot (no GUI backend, thread-safe)."""
    return MplFigure(figsize=(width, height), layout="constrained")


def save_figure(fig: MplFigure, out_dir: pathlib.Path, filename: str, dpi: int = 110) -> None:
    """Write ``fig`` as PNG to ``out_dir / filename`` (directory created if needed)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_dir / filename, dpi=dpi, format="png")
