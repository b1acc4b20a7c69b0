"""The simulation's report (issue 5): one self-contained HTML page and its PNG figures.

The page answers the headline question of docs/simulation.md first (in
which regimes cooperation is the unique equilibrium, on chain and in the
model, and do they agree), then shows the evidence: cooperation over rounds
per regime, the empirical and model 2x2 matrices side by side with their
equilibria, payoffs by tier, and the rewards actually paid.

It reads the typed result of :func:`sharing.simulation.run.simulate` by
attribute (:mod:`sharing.simulation.result`); a saved ``--json`` result is
re-rendered without a chain through ``SimulationResult.from_dict``. Figures are drawn
on :class:`matplotlib.figure.Figure` objects, which need no pyplot state and
no GUI backend. Every piece of text from the result is escaped.
"""

from __future__ import annotations

import html
import math
import pathlib
from collections.abc import Mapping, Sequence
from dataclasses import asdict

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sharing.simulation.regimes import TIERS
from sharing.simulation.result import (
    AllianceGame,
    Equilibrium,
    Matrix,
    RegimeResult,
    RunRecord,
    SimulationResult,
)

#: Resolution of the PNG figures.
DPI = 110
#: Wei per ether, to plot rewards on a readable scale.
WEI_PER_ETH = 10**18
#: File names of the figures, relative to the report's directory.
COOPERATION_PNG = "cooperation.png"
PAYOFFS_PNG = "payoffs_by_tier.png"
REWARDS_PNG = "rewards.png"
#: Line colour of each tier, the same in every panel.
TIER_COLOURS = {"critical": "#b2182b", "core": "#2166ac", "small": "#1b7837"}
#: Labels of the two actions, in the matrices' index order.
ACTIONS = ("C (share)", "D (withhold)")
#: A mixed-strategy probability this close to 0 or 1 is read as pure.
PURE_TOL = 1e-9
#: Title of the model's matrix beside the chain's.
MODEL_TITLE = "model (the sharing game, docs/models.md)"
#: Marker and dash style of each regime's line in the cooperation chart, in regime order
#: (cycled): regimes whose rates coincide still show every line.
LINE_STYLES: tuple[tuple[str, str | tuple[int, tuple[int, ...]]], ...] = (
    ("o", "-"),
    ("s", "--"),
    ("^", "-."),
    ("D", ":"),
    ("v", (0, (5, 1, 1, 1))),
    ("P", (0, (3, 1, 1, 1, 1, 1))),
)
#: Vertical distance between lines of regimes with identical rates (share of firms).
OVERLAP_OFFSET = 0.015

_CSS = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#222}
h1,h2,h3{font-weight:600}
table{border-collapse:collapse;margin:.5em 0 1em}
th,td{border:1px solid #ccc;padding:.3em .6em;text-align:right}
th{background:#f3f3f3}
td.l,th.l{text-align:left}
.yes{color:#1b7837;font-weight:600}.no{color:#b2182b;font-weight:600}
td.ne{background:#fff2b3;font-weight:600}
.pair{display:flex;gap:2em;flex-wrap:wrap}
.regime{border-top:1px solid #ddd;margin-top:1.5em}
img{max-width:100%;height:auto}
.note{color:#555;font-size:.9em}
"""


def write_report(result: SimulationResult, out_dir: pathlib.Path) -> pathlib.Path:
    """Write ``index.html`` and its PNG figures for one simulation result.

    Parameters
    ----------
    result : SimulationResult
        What :func:`sharing.simulation.run.simulate` returned (or
        ``SimulationResult.from_dict`` of its JSON). Any subset of regimes.
    out_dir : pathlib.Path
        Directory to write into; created if missing. Existing files of the
        same names are overwritten, so a re-run replaces the report.

    Returns
    -------
    pathlib.Path
        The path of ``index.html``; the figures sit next to it and are linked
        relatively, so the directory can be moved or archived as a whole.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    regimes = result.regimes
    config = result.config
    figures: list[tuple[str, str]] = []
    if regimes:
        cooperation_figure(regimes, config).savefig(out_dir / COOPERATION_PNG, dpi=DPI)
        _payoff_figure(regimes).savefig(out_dir / PAYOFFS_PNG, dpi=DPI)
        _rewards_figure(regimes, config).savefig(out_dir / REWARDS_PNG, dpi=DPI)
        figures = [
            (
                COOPERATION_PNG,
                "Share of firms that shared, per round, in each regime, under the strategy "
                f"{lead_strategy(regimes)} (regimes with identical rates are drawn "
                "slightly apart).",
            ),
            (PAYOFFS_PNG, "Mean measured payoff per round of each tier, in payoff units."),
            (REWARDS_PNG, "Rewards credited on chain over the run (in ether)."),
        ]
    index = out_dir / "index.html"
    index.write_text(_page(result, regimes, config, figures), encoding="utf-8")
    return index


# ---------------------------------------------------------------------- figures


def _label(text: object) -> str:
    """Make ``text`` safe for matplotlib, where a pair of ``$`` would start mathtext."""
    return str(text).replace("$", r"\$")


def lead_strategy(regimes: Mapping[str, RegimeResult]) -> str:
    """The strategy whose cooperation rates the result headlines (recorded in each regime)."""
    return ", ".join(dict.fromkeys(r.strategy for r in regimes.values())) or "not recorded"


def _offsets(series: Sequence[tuple[float, ...]]) -> list[float]:
    """A vertical offset per line: 0 for a unique line, spread evenly among identical ones."""
    groups: dict[tuple[float, ...], list[int]] = {}
    for k, values in enumerate(series):
        groups.setdefault(tuple(round(v, 9) for v in values), []).append(k)
    out = [0.0] * len(series)
    for members in groups.values():
        for rank, k in enumerate(members):
            out[k] = (rank - (len(members) - 1) / 2) * OVERLAP_OFFSET
    return out


def cooperation_figure(regimes: Mapping[str, RegimeResult], config: RunRecord) -> Figure:
    """One line per regime, to show whether the population ends up sharing.

    Regimes often end alike (no reward: nobody shares; any reward: everybody
    does), so each line has its own marker and dash style, and lines whose
    rates are identical are nudged apart by :data:`OVERLAP_OFFSET`: every
    regime stays visible. The title names the strategy the rates belong to.
    """
    fig = Figure(figsize=(7.5, 4.2), layout="constrained")
    ax = fig.add_subplot()
    names = list(regimes)
    rates = [tuple(float(v) for v in regimes[n].cooperation_rate) for n in names]
    offsets = _offsets(rates)
    for k, (name, rate, offset) in enumerate(zip(names, rates, offsets, strict=True)):
        marker, dashes = LINE_STYLES[k % len(LINE_STYLES)]
        ax.plot(
            range(1, len(rate) + 1),
            [v + offset for v in rate],
            marker=marker,
            linestyle=dashes,
            label=_label(name),
        )
    spread = max((abs(o) for o in offsets), default=0.0)
    ax.set_ylim(-0.05 - spread, 1.05 + spread)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("round")
    ax.set_ylabel("cooperation rate (share of firms sharing)")
    ax.set_title(
        _label(
            f"Cooperation over rounds ({config.firms} firms, "
            f"strategy {lead_strategy(regimes)})"
        )
    )
    ax.grid(alpha=0.3)
    ax.legend(title="regime (identical lines nudged apart)" if spread else "regime")
    return fig


def _payoff_figure(regimes: Mapping[str, RegimeResult]) -> Figure:
    """One panel per regime, one line per tier, sharing the y axis so regimes compare."""
    n = len(regimes)
    ncols = math.ceil(math.sqrt(n))
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(4.2 * ncols, 3.2 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, sharey=True, squeeze=False).ravel()
    for ax, (name, reg) in zip(axes, regimes.items(), strict=False):
        for tier, series in reg.payoff_by_tier.items():
            if series:
                ax.plot(
                    range(1, len(series) + 1),
                    series,
                    marker=".",
                    color=TIER_COLOURS.get(tier),
                    label=_label(tier),
                )
        ax.set_title(_label(name))
        ax.set_xlabel("round")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncols=len(handles), title="tier")
    for ax in axes[::ncols]:
        ax.set_ylabel("mean payoff")
    for ax in axes[n:]:
        ax.set_visible(False)
    fig.suptitle("Payoffs by tier (measured on chain)")
    return fig


def _firm_labels(config: RunRecord, count: int) -> list[str]:
    """``firm i``, with its tier when the config lists one tier per firm."""
    tiers = config.tiers
    if len(tiers) == count:
        return [f"firm {i + 1}\n{_tier_name(t)}" for i, t in enumerate(tiers)]
    return [f"firm {i + 1}" for i in range(count)]


def _tier_name(tier: object) -> str:
    if isinstance(tier, int) and 0 <= tier < len(TIERS):
        return TIERS[tier]
    return str(tier)


def _rewards_figure(regimes: Mapping[str, RegimeResult], config: RunRecord) -> Figure:
    """Total paid per regime, and what each firm received.

    The result keys rewards by address only, so the split is per firm, not
    per tier, unless the config names each firm's tier.
    """
    names = list(regimes)
    fig = Figure(figsize=(11, 4.2), layout="constrained")
    total_ax, firm_ax = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 2]})
    totals = [int(regimes[n].rewards_wei_total) / WEI_PER_ETH for n in names]
    bars = total_ax.bar([_label(n) for n in names], totals, color="#4d4d4d")
    total_ax.bar_label(bars, fmt="%.4g", fontsize="small")
    total_ax.margins(y=0.1)
    total_ax.set_ylabel("ether")
    total_ax.set_title("Total rewards paid per regime")
    firms = max((len(regimes[n].rewards_wei) for n in names), default=0)
    width = 0.8 / max(len(names), 1)
    for k, name in enumerate(names):
        paid = [int(w) / WEI_PER_ETH for w in regimes[name].rewards_wei.values()]
        firm_ax.bar(
            [i + (k - (len(names) - 1) / 2) * width for i in range(len(paid))],
            paid,
            width=width,
            label=_label(name),
        )
    firm_ax.set_xticks(range(firms), [_label(s) for s in _firm_labels(config, firms)])
    firm_ax.set_ylabel("ether")
    firm_ax.set_title("Rewards paid to each firm")
    firm_ax.margins(y=0.2)
    firm_ax.legend(title="regime", fontsize="small", ncols=len(names), loc="upper center")
    for ax in (total_ax, firm_ax):
        ax.grid(axis="y", alpha=0.3)
    return fig


# ------------------------------------------------------------------------- HTML


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _yes_no(value: object) -> str:
    """A verdict cell; an absent verdict shows as a dash, never as "no"."""
    if value is None:
        return "<td>&mdash;</td>"
    return '<td class="yes">yes</td>' if value else '<td class="no">no</td>'


def _num(value: object, fmt: str = ".8g") -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _e(format(value, fmt))
    return "&mdash;" if value is None else _e(value)


def _wei(value: object) -> str:
    """Exact wei (the chain's unit) with the ether equivalent for reading."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{int(value):,} wei ({int(value) / WEI_PER_ETH:.9g} ETH)"
    return "&mdash;"


def _verdicts(regimes: Mapping[str, RegimeResult]) -> str:
    rows = []
    for name, reg in regimes.items():
        game = reg.alliance
        rows.append(
            "<tr>"
            f'<th class="l">{_e(name)}</th>'
            f'<td class="l">{_e(reg.description)}</td>'
            f"{_yes_no(reg.cooperation_unique)}"
            f"{_yes_no(reg.model_cooperation_unique)}"
            f"{_yes_no(game.unique if game else None)}"
            f"{_yes_no(game.model_unique if game else None)}"
            f"{_yes_no(reg.agree)}"
            f"<td>{_num(reg.final_cooperation, '.3g')}</td>"
            f"<td>{_num(reg.junk_submitted)} / {_num(reg.junk_verified)}</td>"
            f"<td>{_num(reg.transactions)}</td>"
            "</tr>"
        )
    return (
        "<table><tr><th class='l'>regime</th><th class='l'>description</th>"
        "<th>2x2: cooperation unique on chain</th><th>in the model</th>"
        "<th>N firms: all-share unique on chain</th><th>in the model</th><th>agree</th>"
        "<th>final cooperation rate</th><th>junk submitted / verified</th>"
        "<th>transactions</th></tr>" + "".join(rows) + "</table>"
    )


def _pure(e: Equilibrium) -> tuple[int, int] | None:
    """The cell ``(i, j)`` of a pure equilibrium, or None if it is mixed."""
    cell = []
    for p in (float(e.row[0]), float(e.col[0])):
        if abs(p - 1.0) <= PURE_TOL:
            cell.append(0)
        elif abs(p) <= PURE_TOL:
            cell.append(1)
        else:
            return None
    return cell[0], cell[1]


def _describe(e: Equilibrium) -> str:
    pays = ", ".join(_num(p) for p in e.payoffs)
    cell = _pure(e)
    if cell is not None:
        return f"pure ({'CD'[cell[0]]}, {'CD'[cell[1]]}), payoffs ({pays})"
    p, q = float(e.row[0]), float(e.col[0])
    return f"mixed: row shares w.p. {p:.3g}, column w.p. {q:.3g}; payoffs ({pays})"


def _matrix(title: str, matrix: Sequence[Matrix], eqs: Sequence[Equilibrium]) -> str:
    """A 2x2 bimatrix as an HTML table, pure equilibria highlighted."""
    row, col = matrix
    pure = {c for c in (_pure(e) for e in eqs) if c is not None}
    head = "".join(f"<th>column {_e(a)}</th>" for a in ACTIONS)
    body = "".join(
        f'<tr><th class="l">row {_e(ACTIONS[i])}</th>'
        + "".join(
            f"<td{' class=ne' if (i, j) in pure else ''}>"
            f"{_num(row[i][j], '.8g')}, {_num(col[i][j], '.8g')}</td>"
            for j in range(2)
        )
        + "</tr>"
        for i in range(2)
    )
    listed = "".join(f"<li>{_describe(e)}</li>" for e in eqs) or "<li>none found</li>"
    return (
        f"<div><h4>{_e(title)}</h4><table><tr><th></th>{head}</tr>{body}</table>"
        f"<p>Equilibria:</p><ul>{listed}</ul></div>"
    )


def _alliance_section(game: AllianceGame) -> str:
    """The N-firm game: deviation gain per tier and the cascade, chain beside model."""
    gains = "".join(
        f"<tr><th class='l'>{_e(tier)}</th><td>{_num(gain, '.10g')}</td></tr>"
        for tier, gain in game.deviation_gain_by_tier.items()
    )
    cascade = " &rarr; ".join(_e(c) for c in [0, *game.cascade])
    model_cascade = " &rarr; ".join(_e(c) for c in [0, *game.model_cascade])
    return (
        f"<h4>The whole alliance: {_e(game.firms)} firms</h4>"
        "<div class='pair'><div><table><tr><th class='l'>tier</th>"
        "<th>gain of withholding when all others share</th></tr>"
        f"{gains}</table></div><div><table>"
        f"<tr><th class='l'>all-share is an equilibrium</th>"
        f"{_yes_no(game.all_share_is_equilibrium)}"
        f"{_yes_no(game.model_all_share_is_equilibrium)}</tr>"
        f"<tr><th class='l'>all-share is the unique equilibrium</th>{_yes_no(game.unique)}"
        f"{_yes_no(game.model_unique)}</tr>"
        f"<tr><th class='l'>cascade from all-withhold (sharers)</th><td>{cascade}</td>"
        f"<td>{model_cascade}</td></tr>"
        f"<tr><th class='l'>best deviation gain</th><td>{_num(game.best_deviation_gain, '.10g')}"
        f"</td><td>{_num(max(game.model_deviation_gain, default=None), '.10g')}</td></tr>"
        "</table><p class='note'>Columns: on chain, model. "
        f"Largest difference {_num(game.max_difference, '.3g')} payoff units over "
        f"{_e(game.profiles_measured)} profiles measured (firms grouped by {_e(game.grouping)}); "
        f"agree: {'yes' if game.agree else 'no'}.</p></div></div>"
    )


def _regime_section(name: str, reg: RegimeResult) -> str:
    """One regime's 2x2 game (chain and model matrices side by side) and its N-firm game."""
    pool = "open" if reg.pool_open else "gated"
    matrices = (
        '<div class="pair">'
        + _matrix("measured on chain", reg.empirical_matrix, reg.equilibria)
        + _matrix(MODEL_TITLE, reg.model_matrix, reg.model_equilibria)
        + "</div>"
    )
    nfirm = _alliance_section(reg.alliance) if reg.alliance else ""
    return (
        f'<section class="regime"><h3>{_e(name)}: {_e(reg.description)}</h3>'
        f"<p>Pool {pool}. Matrices agree: {'yes' if reg.matrices_agree else 'no'} "
        f"(largest difference {_num(reg.max_difference, '.3g')} payoff units). "
        f"Pool reads {_num(reg.pool_reads)}, mismatches {_num(reg.pool_mismatches)}; "
        f"expired {_num(reg.expired)}.</p>"
        f"{matrices}{nfirm}</section>"
    )


def _rewards_tables(regimes: Mapping[str, RegimeResult], config: RunRecord) -> str:
    """The reward schedule per tier and the wei each firm was paid, one column per regime.

    Exact wei are shown because the chain's and the model's payoffs are compared to the
    wei; the ether figure is for reading only.
    """
    names = list(regimes)
    head = "".join(f"<th>{_e(n)}</th>" for n in names)
    tiers = max((len(regimes[n].reward_wei_per_tier) for n in names), default=0)
    schedule = "".join(
        f"<tr><th class='l'>{_e(_tier_name(t))}</th>"
        + "".join(f"<td>{_wei(_at(regimes[n].reward_wei_per_tier, t))}</td>" for n in names)
        + "</tr>"
        for t in range(tiers)
    )
    addresses = list(dict.fromkeys(a for n in names for a in regimes[n].rewards_wei))
    labels = [s.replace("\n", " ") for s in _firm_labels(config, len(addresses))]
    paid = "".join(
        f"<tr><th class='l'>{_e(lab)} <code>{_e(addr)}</code></th>"
        + "".join(f"<td>{_wei(regimes[n].rewards_wei.get(addr))}</td>" for n in names)
        + "</tr>"
        for lab, addr in zip(labels, addresses, strict=True)
    )
    total = "".join(f"<td>{_wei(regimes[n].rewards_wei_total)}</td>" for n in names)
    return (
        "<h3>Reward per verified indicator, by tier</h3>"
        f"<table><tr><th class='l'>tier</th>{head}</tr>{schedule}</table>"
        "<h3>Rewards paid over the run</h3>"
        f"<table><tr><th class='l'>firm</th>{head}</tr>{paid}"
        f"<tr><th class='l'>total</th>{total}</tr></table>"
    )


def _at(values: Sequence[int], i: int) -> int | None:
    """``values[i]``, or None when the list is shorter."""
    return values[i] if i < len(values) else None


def _key_values(title: str, facts: Mapping[str, object]) -> str:
    rows = "".join(
        f"<tr><th class='l'>{_e(k)}</th><td class='l'>"
        f"{_e(', '.join(map(str, v)) if isinstance(v, list | tuple) else v)}</td></tr>"
        for k, v in facts.items()
    )
    return f"<h2>{_e(title)}</h2><table>{rows}</table>"


def _page(
    result: SimulationResult,
    regimes: Mapping[str, RegimeResult],
    config: RunRecord,
    figures: Sequence[tuple[str, str]],
) -> str:
    unique = [n for n, r in regimes.items() if r.cooperation_unique]
    model_unique = [n for n, r in regimes.items() if r.model_cooperation_unique]
    agree = result.agree
    headline = (
        f"<p>Cooperation is the unique equilibrium on chain in: "
        f"<b>{_e(', '.join(unique) or 'no regime')}</b>; in the model in: "
        f"<b>{_e(', '.join(model_unique) or 'no regime')}</b>. Chain and model agree in "
        f"every regime: <span class={'yes' if agree else 'no'}>"
        f"{'yes' if agree else 'no'}</span>.</p>"
    )
    figs = "".join(
        f'<figure><img src="{_e(src)}" alt="{_e(cap)}"><figcaption>{_e(cap)}</figcaption></figure>'
        for src, cap in figures
    )
    sections = "".join(_regime_section(n, r) for n, r in regimes.items())
    return (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        "<title>sharing: simulation report</title>"
        f"<style>{_CSS}</style></head><body>"
        "<h1>Does cooperation come out of the chain?</h1>"
        f"{headline}<h2>Verdicts</h2>{_verdicts(regimes)}"
        f"<h2>Figures</h2>{figs or '<p>No regime was run.</p>'}"
        "<h2>The 2x2 games and the whole alliance</h2><p class='note'>Cells: (row payoff, "
        "column payoff); highlighted cells are pure equilibria. The row firm is the pair's first "
        "firm (a critical-tier firm by default), the column firm its second (a small business by "
        "default). Below each pair, the N-firm game of the whole alliance, played on chain "
        f"(docs/simulation.md).</p>{sections}"
        f"<h2>Rewards</h2>{_rewards_tables(regimes, config)}"
        f"{_key_values('Configuration', asdict(config))}"
        "<p class='note'>Knowledge and risk are per tier (critical, core, small), in payoff "
        "units; one unit is <code>unit_wei</code> wei.</p>"
        f"{_key_values('Chain', asdict(result.chain))}"
        "</body></html>\n"
    )
