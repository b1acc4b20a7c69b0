"""Figures of the sharing game (Simmons B.4-B.5) for the models report.

The model is described in docs/models.md, "The sharing game".

Three pictures: the class of the two-firm game as a common reward and risk
vary (open vs gated pool); which equilibria exist as the two firms' rewards
vary, with the least-reward designs marked; and the budget that makes sharing
the unique equilibrium as the alliance grows.  Every number is computed by
:mod:`sharing.models.sharing_game`.
"""

from __future__ import annotations

import pathlib

import numpy as np
import numpy.typing as npt
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from sharing.models import sharing_game as sg
from sharing.models.equilibria import (
    CHICKEN,
    HARMONY,
    OTHER,
    PRISONERS_DILEMMA,
    STAG_HUNT,
    classify_2x2,
)
from sharing.report.figures_common import Figure, new_figure, save_figure

#: Simmons' two companies: Company 1 has three times the knowledge of Company 2.
KNOWLEDGE = (3.0, 1.0)
CLASS_ORDER = (PRISONERS_DILEMMA, STAG_HUNT, HARMONY, CHICKEN, OTHER)
CLASS_COLOURS = ("#d95f02", "#7570b3", "#1b9e77", "#e7298a", "#bdbdbd")


def _class_grid(
    pool: sg.Pool, rewards: npt.NDArray[np.float64], risks: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Class index and uniqueness of (C,C) on a (risk x reward) grid, common to both firms."""
    classes = np.zeros((risks.size, rewards.size), dtype=np.int64)
    unique = np.zeros((risks.size, rewards.size), dtype=bool)
    for i, r in enumerate(risks):
        for j, rew in enumerate(rewards):
            a, b = sg.payoff_matrices(KNOWLEDGE, r, rew, pool)
            classes[i, j] = CLASS_ORDER.index(classify_2x2(a, b).label)
            unique[i, j] = sg.cooperation_is_unique(KNOWLEDGE, r, rew, pool)
    return classes, unique


def regime_map(out_dir: pathlib.Path, n: int = 41) -> Figure:
    """Class of the two-firm game over (common reward R, common risk r), both pools."""
    rewards = np.linspace(0.0, 4.0, n)
    risks = np.linspace(0.0, 4.0, n)
    fig = new_figure(11, 4.8)
    axes = fig.subplots(1, 2, sharey=True)
    cmap = ListedColormap(list(CLASS_COLOURS))
    t1 = sg.check_simmons_tables()[0]
    for ax, pool in zip(axes, sg.POOLS, strict=True):
        classes, unique = _class_grid(pool, rewards, risks)
        ax.pcolormesh(
            rewards,
            risks,
            classes,
            cmap=cmap,
            vmin=-0.5,
            vmax=len(CLASS_ORDER) - 0.5,
            shading="nearest",
        )
        ax.contourf(
            rewards,
            risks,
            unique.astype(float),
            levels=[0.5, 1.5],
            colors="none",
            hatches=["//"],
        )
        ax.plot([0.0], [0.5], "k*", markersize=12)
        ax.annotate("Table 1 parameters", (0.0, 0.5), (0.3, 0.15), fontsize=8)
        ax.set_title(f"{pool} pool, K = {KNOWLEDGE}, beta = 1")
        ax.set_xlabel("reward for sharing R (both firms)")
    axes[0].set_ylabel("risk of sharing r (both firms)")
    handles = [
        Patch(facecolor=c, label=label) for c, label in zip(CLASS_COLOURS, CLASS_ORDER, strict=True)
    ]
    handles.append(Patch(facecolor="white", hatch="//", label="(C,C) unique equilibrium"))
    fig.legend(handles=handles, loc="outside right center", fontsize=8)
    filename = "game_regimes.png"
    save_figure(fig, out_dir, filename)
    return Figure(
        title="Sharing game: regimes by reward and risk",
        filename=filename,
        caption=(
            "Class of the two-firm sharing game (Company 1 with three times Company 2's "
            "knowledge) for a common reward R and risk r; hatched: sharing is the unique "
            "equilibrium (mixed equilibria included). Open pool: a prisoner's dilemma while "
            "0 < r - R < beta*K_j, cooperation unique only when R > r. Gated pool: the same "
            "band becomes a stag hunt (both (C,C) and (D,D) are equilibria). 'other' mixes "
            "classes between the two firms or has defection dominant with mutual defection "
            f"preferred. The printed Table 1 itself solves as a {t1.game.classification.label} "
            f"with equilibria {', '.join(t1.game.pure_labels) or 'none pure'}."
        ),
    )


_STRUCTURES = (
    "(C,C) unique",
    "(C,C) and (D,D) (+ mixed)",
    "(D,D) unique",
    "one firm shares",
    "other",
)
_STRUCTURE_COLOURS = ("#1b9e77", "#7570b3", "#d95f02", "#e6ab02", "#bdbdbd")


def _structure(profiles: list[sg.Profile], unique_c: bool) -> int:
    if unique_c:
        return 0
    keys = {"".join("C" if s else "D" for s in p) for p in profiles}
    if keys == {"CC", "DD"}:
        return 1
    if keys == {"DD"}:
        return 2
    if keys in ({"CD"}, {"DC"}):
        return 3
    return 4


def uniqueness_map(out_dir: pathlib.Path, risk: float = 0.5, n: int = 41) -> Figure:
    """Equilibrium structure over the two firms' own rewards, designs marked."""
    designs = {
        pool: (
            sg.design_per_firm(KNOWLEDGE, risk, pool),
            sg.design_uniform(KNOWLEDGE, risk, pool),
            sg.design_proportional(KNOWLEDGE, risk, pool),
        )
        for pool in sg.POOLS
    }
    top = max(
        1.5 * risk + 0.5,
        1.1 * max(float(d.recommended.max()) for ds in designs.values() for d in ds),
    )
    grid = np.linspace(0.0, top, n)
    fig = new_figure(11, 4.8)
    axes = fig.subplots(1, 2, sharey=True)
    cmap = ListedColormap(list(_STRUCTURE_COLOURS))
    notes = []
    for ax, pool in zip(axes, sg.POOLS, strict=True):
        structure = np.zeros((n, n), dtype=np.int64)
        for i, r1 in enumerate(grid):
            for j, r0 in enumerate(grid):
                rewards = (r0, r1)
                structure[i, j] = _structure(
                    sg.pure_equilibria(KNOWLEDGE, risk, rewards, pool),
                    sg.cooperation_is_unique(KNOWLEDGE, risk, rewards, pool),
                )
        ax.pcolormesh(
            grid,
            grid,
            structure,
            cmap=cmap,
            vmin=-0.5,
            vmax=len(_STRUCTURES) - 0.5,
            shading="nearest",
        )
        for design, marker in zip(designs[pool], "os^", strict=True):
            x, y = design.recommended
            ax.plot(x, y, marker, color="black", markersize=8, label=f"least {design.scheme}")
            notes.append(f"{pool} {design.scheme}: R = ({x:.4g}, {y:.4g}), total {x + y:.4g}")
        ax.set_xlim(0.0, top)
        ax.set_ylim(0.0, top)
        ax.set_title(f"{pool} pool, K = {KNOWLEDGE}, r = {risk} each")
        ax.set_xlabel("reward R_1 to Company 1 (K = 3)")
        ax.legend(fontsize=8, loc="upper right")
    axes[0].set_ylabel("reward R_2 to Company 2 (K = 1)")
    handles = [
        Patch(facecolor=c, label=s) for c, s in zip(_STRUCTURE_COLOURS, _STRUCTURES, strict=True)
    ]
    fig.legend(handles=handles, loc="outside right center", fontsize=8)
    filename = "game_uniqueness.png"
    save_figure(fig, out_dir, filename)
    return Figure(
        title="Sharing game: which rewards make sharing the unique equilibrium",
        filename=filename,
        caption=(
            "Pure equilibria of the two-firm game as each firm's own reward varies. In the "
            "open pool every firm must be paid more than its risk; in the gated pool paying "
            "one firm enough to make sharing dominant lets the other follow, so the "
            "least-budget design pays only one. Markers: least rewards (recommended = "
            "infimum + epsilon where strict) - " + "; ".join(notes) + "."
        ),
    )


def budget_curve(
    out_dir: pathlib.Path, max_firms: int = 10, random_state: int | None = 0
) -> Figure:
    """Least total reward for unique cooperation as the number of firms grows."""
    rng = np.random.default_rng(random_state)
    knowledge = rng.lognormal(mean=0.0, sigma=0.75, size=max_firms)
    risk = rng.uniform(0.2, 1.5, size=max_firms)
    sizes = np.arange(2, max_firms + 1)
    series: dict[str, list[float]] = {
        "open pool (any scheme: sum of risks)": [],
        "gated, per-firm (least total)": [],
        "gated, uniform reward": [],
        "gated, proportional to knowledge": [],
    }
    for n in sizes:
        k, r = knowledge[:n], risk[:n]
        series["open pool (any scheme: sum of risks)"].append(
            sg.design_per_firm(k, r, sg.OPEN).total_infimum
        )
        series["gated, per-firm (least total)"].append(
            sg.design_per_firm(k, r, sg.GATED).total_infimum
        )
        series["gated, uniform reward"].append(sg.design_uniform(k, r, sg.GATED).total_infimum)
        prop = sg.design_proportional(k, r, sg.GATED)
        series["gated, proportional to knowledge"].append(
            prop.total_infimum if prop.feasible else float("nan")
        )
    fig = new_figure(8, 4.5)
    ax = fig.subplots()
    for (label, values), marker in zip(series.items(), "osd^", strict=True):
        ax.plot(sizes, values, marker=marker, label=label)
    ax.set_xlabel("number of firms N")
    ax.set_ylabel("least total reward (infimum)")
    ax.set_title(f"Budget for unique cooperation (random firms, seed {random_state})")
    ax.legend(fontsize=8)
    filename = "game_budget.png"
    save_figure(fig, out_dir, filename)
    last = {label: values[-1] for label, values in series.items()}
    return Figure(
        title="Sharing game: reward budget as the alliance grows",
        filename=filename,
        caption=(
            "Least total reward making sharing the unique equilibrium of the N-firm game, "
            "for firms with lognormal knowledge and risk uniform in [0.2, 1.5] (seeded). "
            "Gating the pool turns the problem into a cascade: once a few firms share, "
            "the pooled knowledge pays the others. At N = "
            f"{sizes[-1]}: "
            + "; ".join(f"{label} {value:.3g}" for label, value in last.items())
            + "."
        ),
    )


def make_figures(out_dir: pathlib.Path) -> list[Figure]:
    """Write the sharing-game figures into ``out_dir`` and describe them."""
    return [regime_map(out_dir), uniqueness_map(out_dir), budget_curve(out_dir)]
