"""The Incentives page (``/incentives``): do the incentives work? The latest simulation's answer.

It shows the simulation report's headline, its verdict per regime, its
measured 2x2 games and figures, and links the whole report (``/report/``)
and the models report if one is beside it (``/models-report/``).
"""

from __future__ import annotations

from collections import OrderedDict

from sharing.server.dashboard.html import e, utc
from sharing.server.dashboard.report import ReportTable, SimulationReport

#: Cells of the report's tables that are verdicts, shown as badges.
VERDICT_WORDS = {"yes": "ok", "no": "warn"}

NO_REPORT = (
    "<p>No simulation report is being served. Produce one with "
    "<code>sharing simulate --regime all --report reports/demo</code> (or "
    "<code>make demo</code>) and start the server with it: "
    "<code>sharing serve --report reports/demo</code>.</p>"
)


def _cell(text: str) -> str:
    kind = VERDICT_WORDS.get(text.lower())
    return f'<span class="badge {kind}">{e(text)}</span>' if kind else e(text)


def report_table(t: ReportTable, caption: str, table_id: str | None = None) -> str:
    """One of the report's tables, re-rendered with scoped headers and a caption."""
    if not t.rows:
        return ""
    head, *body = t.rows
    ident = f' id="{e(table_id)}"' if table_id else ""
    cols = "".join(f'<th scope="col">{e(h)}</th>' for h in head)
    rows = "".join(
        "<tr>" + "".join(
            (f'<th scope="row">{e(c)}</th>' if i == 0 else f"<td>{_cell(c)}</td>")
            for i, c in enumerate(r)
        ) + "</tr>"
        for r in body
    )
    return (
        f'<div class="scroll" role="region" aria-label="{e(caption)}" tabindex="0">'
        f"<table{ident}><caption>{e(caption)}</caption><thead><tr>{cols}</tr></thead>"
        f"<tbody>{rows}</tbody></table></div>"
    )


def render_incentives(report: SimulationReport | None) -> str:
    """The body of ``/incentives``."""
    intro = (
        "<h1>Incentives</h1>"
        '<p class="lead">Does the reward design make sharing the firms\' best choice? '
        "<code>sharing simulate</code> plays firms on a real chain under each regime and "
        "compares the measured game with the model's.</p>"
    )
    if report is None:
        return intro + NO_REPORT
    parts = [
        intro,
        f'<p>Latest report: <a href="/report/index.html">{e(report.title or "report")}</a> '
        f'<span class="muted">(written {e(utc(int(report.modified)))})</span>.</p>',
    ]
    if report.headline:
        parts.append(f'<p class="verdict" id="headline">{e(report.headline)}</p>')
    verdicts = report.table("Verdicts")
    if verdicts is not None:
        parts.append(
            '<section aria-labelledby="verdicts-h"><h2 id="verdicts-h">Verdicts by regime</h2>'
            + report_table(verdicts, "Verdict per regime", "verdicts")
            + "</section>"
        )
    games: OrderedDict[str, list[ReportTable]] = OrderedDict()
    for t in report.tables:
        if "2x2" in t.section and t.subsection:
            games.setdefault(t.subsection, []).append(t)
    if games:
        parts.append(
            '<section aria-labelledby="games-h"><h2 id="games-h">The 2x2 games, measured on '
            "chain</h2><p>Payoffs (row firm, column firm) when each shares (C) or withholds "
            "(D); the full report sets the model's matrix beside each.</p>"
            '<div class="grid">'
        )
        for regime, tables in games.items():
            parts.append(
                f'<div class="card"><h3>{e(regime)}</h3>'
                + report_table(tables[0], "measured on chain") + "</div>"
            )
        parts.append("</div></section>")
    others = [
        name for level, name in report.sections
        if level == 2 and name not in ("Verdicts", "Figures") and "2x2" not in name
    ]
    if report.figures:
        figs = "".join(
            f'<figure><a href="/report/{e(f.src)}"><img src="/report/{e(f.src)}" '
            f'alt="{e(f.alt)}"></a><figcaption>{e(f.alt)}</figcaption></figure>'
            for f in report.figures
        )
        parts.append(
            '<section aria-labelledby="figs-h" id="dynamics">'
            '<h2 id="figs-h">Dynamics and rewards</h2>'
            f'<div class="figures">{figs}</div></section>'
        )
    links = ['<li><a href="/report/index.html">The whole simulation report</a>'
             + (f" (also: {e(', '.join(others))})" if others else "") + "</li>"]
    parts.append(_models(report.models))
    if report.models is not None:
        links.append('<li><a href="/models-report/index.html">The models report</a> '
                     "(every incentive model, with its figures)</li>")
    parts.append(
        '<section aria-labelledby="more-h"><h2 id="more-h">More</h2>'
        f'<ul>{"".join(links)}</ul></section>'
    )
    return "".join(parts)


def _models(models: SimulationReport | None) -> str:
    """The models' figures, by model, each linking to its full-size image."""
    if models is None:
        return (
            '<section aria-labelledby="models-h"><h2 id="models-h">The models</h2>'
            "<p>No models report beside the simulation report. Write one with "
            "<code>sharing report models --out reports/models</code> (next to "
            "<code>reports/demo</code>) to see the models' figures here.</p></section>"
        )
    by_section: OrderedDict[str, list[str]] = OrderedDict()
    for f in models.figures:
        by_section.setdefault(f.section or "Figures", []).append(
            f'<figure><a href="/models-report/{e(f.src)}"><img src="/models-report/{e(f.src)}" '
            f'alt="{e(f.alt)}"></a><figcaption>{e(f.alt)}</figcaption></figure>'
        )
    blocks = "".join(
        f'<h3>{e(name)}</h3><div class="figures">{"".join(figs)}</div>'
        for name, figs in by_section.items()
    )
    return (
        '<section aria-labelledby="models-h" id="models"><h2 id="models-h">The models\' '
        f"figures</h2><p>What the incentive models predict (the models report).</p>{blocks}"
        "</section>"
    )
