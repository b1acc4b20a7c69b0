"""The latest ``sharing simulate --report`` folder, read for the Incentives page.

The report is the simulation's own page (``sharing.simulation.report``):
``index.html`` and its PNG figures. The dashboard shows its headline, its
verdict table and its figures, and lists its sections with a link to the
whole report (served read-only under ``/report/``). It reads the page with
the standard library's HTML parser: the text of the headline paragraph,
the cells of the tables, the figures' files and captions. Nothing is
executed or re-served from it except the folder's own files. A models
report (``sharing report models --out DIR``) found in a sub-folder or
beside the simulation report is linked too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

#: Where a models report may sit, relative to the simulation report folder.
MODELS_REPORT_PLACES = ("models", "../models")


@dataclass
class ReportTable:
    """A table of the report: the section it is in and its rows of cell texts."""

    section: str
    subsection: str = ""
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Figure:
    """A figure of the report: file name (relative to the folder), caption, its section."""

    src: str
    alt: str
    section: str = ""


@dataclass
class SimulationReport:
    """What the dashboard shows of a simulation report."""

    folder: Path
    modified: float
    title: str = ""
    headline: str = ""
    tables: list[ReportTable] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    sections: list[tuple[int, str]] = field(default_factory=list)
    #: The models report found beside this one (see :data:`MODELS_REPORT_PLACES`).
    models: SimulationReport | None = None

    def table(self, section: str) -> ReportTable | None:
        """The first table in the section with this heading."""
        return next((t for t in self.tables if t.section == section), None)


class _ReportParser(HTMLParser):
    """Collects headings, the first paragraph after the title, tables and figures."""

    def __init__(self, report: SimulationReport) -> None:
        super().__init__(convert_charrefs=True)
        self.report = report
        self._text: list[str] | None = None
        self._capture: str | None = None
        self._section = ""
        self._subsection = ""
        self._row: list[str] | None = None
        self._table: ReportTable | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h1", "h2", "h3", "td", "th") or (tag == "p" and not self.report.headline):
            self._capture, self._text = tag, []
        if tag == "table":
            self._depth += 1
            if self._depth == 1:
                self._table = ReportTable(self._section, self._subsection)
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag == "img":
            found = dict(attrs)
            src = found.get("src") or ""
            if src and "/" not in src and not src.startswith("."):
                self.report.figures.append(Figure(src, found.get("alt") or "", self._section))

    def handle_endtag(self, tag: str) -> None:
        if tag == self._capture and self._text is not None:
            text = " ".join("".join(self._text).split())
            if tag == "h1":
                self.report.title = text
            elif tag in ("h2", "h3"):
                self.report.sections.append((int(tag[1]), text))
                if tag == "h2":
                    self._section, self._subsection = text, ""
                else:
                    self._subsection = text
            elif tag == "p" and self.report.title:
                self.report.headline = text
            elif tag in ("td", "th") and self._row is not None:
                self._row.append(text)
            self._capture, self._text = None, None
        if tag == "tr" and self._row is not None and self._table is not None:
            self._table.rows.append(self._row)
            self._row = None
        elif tag == "table":
            self._depth -= 1
            if self._depth == 0 and self._table is not None:
                self.report.tables.append(self._table)
                self._table = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def read_page(folder: Path) -> SimulationReport | None:
    """Parse ``folder/index.html`` (a simulation or models report); ``None`` if absent."""
    index = folder / "index.html"
    if not index.is_file():
        return None
    report = SimulationReport(folder=folder, modified=index.stat().st_mtime)
    _ReportParser(report).feed(index.read_text(encoding="utf-8", errors="replace"))
    report.figures = [f for f in report.figures if (folder / f.src).is_file()]
    return report


def models_folder(folder: Path) -> Path | None:
    """The models report's folder beside a simulation report, if there is one."""
    for place in MODELS_REPORT_PLACES:
        candidate = (folder / place).resolve()
        if candidate != folder.resolve() and (candidate / "index.html").is_file():
            return candidate
    return None


def read_report(folder: Path | None) -> SimulationReport | None:
    """The simulation report in ``folder`` and the models report beside it, if any."""
    if folder is None:
        return None
    report = read_page(folder)
    if report is not None:
        models = models_folder(folder)
        report.models = None if models is None else read_page(models)
    return report
