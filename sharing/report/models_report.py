"""Assemble the models report: one HTML page with the figures of every incentive model.

The figure modules (:data:`FIGURE_MODULES`) are imported lazily: a module that
does not exist yet is listed as "not available" and the report is still
written.  Only the absence of that exact module is tolerated; any other error,
including an ImportError raised *inside* an existing module, propagates, so a
broken figure module is never silently dropped.
"""

from __future__ import annotations

import html
import importlib
import pathlib
from dataclasses import dataclass, field

from sharing.report.figures_common import Figure

#: (module, section title) in report order.
FIGURE_MODULES: tuple[tuple[str, str], ...] = (
    ("sharing.report.figures_game", "The sharing game (Simmons)"),
    ("sharing.report.figures_pesim", "Interdependent security and PESIM (Naghizadeh & Liu)"),
    ("sharing.report.figures_duopoly", "Information sharing in a duopoly (Gal-Or & Ghose)"),
)


@dataclass(frozen=True)
class Section:
    """One figure module's part of the report."""

    module: str
    title: str
    available: bool
    figures: tuple[Figure, ...] = field(default_factory=tuple)
    reason: str = ""


@dataclass(frozen=True)
class ModelsReport:
    """Where the report was written and what it contains."""

    index: pathlib.Path
    sections: tuple[Section, ...]

    @property
    def figure_paths(self) -> list[pathlib.Path]:
        """Paths of every figure file written."""
        return [self.index.parent / f.filename for s in self.sections for f in s.figures]


def _load(module: str) -> object | None:
    """Import ``module``, or return None if that very module does not exist."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        if exc.name == module:
            return None
        raise


def collect(
    out_dir: pathlib.Path, modules: tuple[tuple[str, str], ...] | None = None
) -> list[Section]:
    """Run every available figure module, writing its PNGs into ``out_dir``."""
    sections = []
    for name, title in FIGURE_MODULES if modules is None else modules:
        mod = _load(name)
        if mod is None:
            sections.append(Section(name, title, False, reason=f"module {name} not available"))
            continue
        figures = tuple(mod.make_figures(out_dir))  # type: ignore[attr-defined]
        for fig in figures:
            if not (out_dir / fig.filename).is_file():
                raise FileNotFoundError(f"{name} described {fig.filename} but did not write it")
        sections.append(Section(name, title, True, figures))
    return sections


def render_html(sections: list[Section], title: str = "Incentive models report") -> str:
    """Render the report page: one section per module, figures with captions."""
    esc = html.escape
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(title)}</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;}"
        "figure{margin:2em 0;}img{max-width:100%;}figcaption{color:#333;}"
        ".na{color:#a00;}</style>",
        "</head><body>",
        f"<h1>{esc(title)}</h1>",
        "<p>Every figure is computed by the <code>sharing</code> package from the models of "
        "docs/models.md; no number is copied from a paper.</p>",
        "<ul>",
    ]
    for s in sections:
        state = f"{len(s.figures)} figure(s)" if s.available else "not available"
        parts.append(f'<li><a href="#{esc(s.module)}">{esc(s.title)}</a>: {esc(state)}</li>')
    parts.append("</ul>")
    for s in sections:
        parts.append(f'<section id="{esc(s.module)}"><h2>{esc(s.title)}</h2>')
        if not s.available:
            parts.append(f'<p class="na">Not available: {esc(s.reason)}.</p>')
        for f in s.figures:
            parts.append(
                f'<figure><h3>{esc(f.title)}</h3><img src="{esc(f.filename)}" '
                f'alt="{esc(f.title)}"><figcaption>{esc(f.caption)}</figcaption></figure>'
            )
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def build_models_report(
    out_dir: pathlib.Path | str, modules: tuple[tuple[str, str], ...] | None = None
) -> ModelsReport:
    """Write ``out_dir/index.html`` and the PNG figures of every available model.

    Parameters
    ----------
    out_dir : path
        Created if missing.
    modules : tuple of (module, title), optional
        Figure modules to include, in order (default :data:`FIGURE_MODULES`,
        read at call time).

    Returns
    -------
    ModelsReport
    """
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sections = collect(out, modules)
    index = out / "index.html"
    index.write_text(render_html(sections), encoding="utf-8")
    return ModelsReport(index, tuple(sections))
