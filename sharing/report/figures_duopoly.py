"""Figures of the security-sharing duopoly (Gal-Or & Ghose 2005) for the models report.

The model is described in docs/models.md, "The duopoly".

Three pictures: sharing and investment under the four regimes (Bertrand-Nash,
joint-profit ISA, social planner, sequential) as the demand spillover
``lambda_d`` varies; the reaction functions (best responses in s and in t) at
the default parameters; and section 4's volume-related cost spillover
``lambda_hat``.  Every number is computed by :mod:`sharing.models.duopoly`.
"""

from __future__ import annotations

import math
import pathlib

import numpy as np
import numpy.typing as npt

from sharing.errors import SharingError
from sharing.models.duopoly import (
    DuopolyParams,
    best_response,
    joint_profit_optimum,
    nash_equilibrium,
    profit_payoff,
    sequential_equilibrium,
    social_optimum,
)
from sharing.report.figures_common import Figure, new_figure, save_figure

FloatArray = npt.NDArray[np.float64]

#: Regime name -> (line style, colour).
_STYLES = {
    "Bertrand-Nash": ("-", "#1b9e77"),
    "Joint-profit ISA": ("--", "#7570b3"),
    "Social planner": ("-.", "#d95f02"),
    "Sequential: leader": (":", "#e7298a"),
    "Sequential: follower": (":", "#66a61e"),
}


def regime_sweep(
    name: str, values: FloatArray, base: DuopolyParams | None = None
) -> dict[str, FloatArray]:
    """Sharing and investment of every regime as ``name`` takes ``values`` (NaN if unsolved).

    Returns
    -------
    dict
        ``"<regime> s"`` and ``"<regime> t"`` arrays for each regime of :data:`_STYLES`.
    """
    base = base if base is not None else DuopolyParams()
    out = {f"{r} {v}": np.full(values.size, math.nan) for r in _STYLES for v in ("s", "t")}
    for k, value in enumerate(values):
        params = base.replace(**{name: float(value)})
        try:
            nash = nash_equilibrium(params, iterate=False)
        except SharingError:
            continue
        out["Bertrand-Nash s"][k], out["Bertrand-Nash t"][k] = nash.s, nash.t
        for regime, solver in (
            ("Joint-profit ISA", joint_profit_optimum),
            ("Social planner", social_optimum),
        ):
            try:
                r = solver(params)
                out[f"{regime} s"][k], out[f"{regime} t"][k] = r.s, r.t
            except SharingError:
                pass
        try:
            seq = sequential_equilibrium(params, nash=nash, global_search=False).outcome
            out["Sequential: leader s"][k], out["Sequential: leader t"][k] = seq.s[0], seq.t[0]
            out["Sequential: follower s"][k], out["Sequential: follower t"][k] = seq.s[1], seq.t[1]
        except SharingError:
            pass
    return out


#: Base point of the regime sweep: lower leakage costs than the defaults, so the regimes separate.
SWEEP_BASE = DuopolyParams(a=20.0, phi1=1.5, phi2=0.2, phi3=0.6, gamma=40.0)


def _ordering(high: FloatArray, low: FloatArray) -> str:
    """'above', 'at or above' or 'not always above' for two curves (NaNs ignored)."""
    ok = ~(np.isnan(high) | np.isnan(low))
    if not ok.any():
        return "not comparable with"
    diff = high[ok] - low[ok]
    if np.all(diff > 1e-9):
        return "above"
    if np.all(diff > -1e-9):
        return "at or above"
    return "not always above"


def regimes_figure(out_dir: pathlib.Path, n: int = 25) -> Figure:
    """Sharing and investment under the four regimes as the demand spillover varies."""
    values = np.linspace(0.05, 1.0, n)
    data = regime_sweep("lambda_d", values, SWEEP_BASE)
    fig = new_figure(11, 4.5)
    axes = fig.subplots(1, 2)
    for ax, var, label in zip(axes, ("s", "t"), ("sharing s", "investment t"), strict=True):
        for regime, (style, colour) in _STYLES.items():
            ax.plot(values, data[f"{regime} {var}"], style, color=colour, label=regime, lw=1.8)
        ax.set_xlabel("demand spillover lambda_d")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle("Duopoly: sharing and investment per firm under each regime")
    filename = "duopoly_regimes.png"
    save_figure(fig, out_dir, filename)
    d = SWEEP_BASE

    def order(var: str, high: str, low: str) -> str:
        return _ordering(data[f"{high} {var}"], data[f"{low} {var}"])

    facts = "; ".join(
        f"{v}: planner {order(v, 'Social planner', 'Joint-profit ISA')} ISA, "
        f"ISA {order(v, 'Joint-profit ISA', 'Bertrand-Nash')} Nash, "
        f"leader {order(v, 'Sequential: leader', 'Bertrand-Nash')} Nash"
        for v in ("s", "t")
    )
    return Figure(
        title="Sharing and investment under the four regimes",
        filename=filename,
        caption=(
            "Symmetric sharing s and investment t per firm at the Bertrand-Nash equilibrium, "
            "the joint-profit ISA optimum, the social planner's optimum and the sequential game "
            "(leader and follower), as the demand spillover lambda_d goes from 0.05 to 1, at "
            f"a={d.a:g}, b1={d.b1:g}, b2={d.b2:g}, alpha={d.alpha:g}, lambda_c={d.lambda_c:g}, "
            f"phi=({d.phi1:g}, {d.phi2:g}, {d.phi3:g}), gamma={d.gamma:g}, theta={d.theta:g}. "
            f"Over this sweep, {facts} (Propositions 5 and 6). The sequential game is solved "
            "locally from the Nash point, the follower's responses checked globally; a regime "
            "at s = 1 sits on the box constraint."
        ),
    )


def reaction_curves(
    params: DuopolyParams, n: int = 41
) -> tuple[float, float, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Best responses of a firm in s (rival's t at Nash) and in t (rival's s at Nash).

    Returns
    -------
    s_nash, t_nash, s_other, s_best, t_other, t_best
        ``s_best[k]`` is the s-part of the best response to ``(s_other[k], t_nash)``;
        ``t_best[k]`` the t-part of the best response to ``(s_nash, t_other[k])``.
    """
    nash = nash_equilibrium(params, iterate=False)
    payoff = profit_payoff(params)
    s_other = np.linspace(0.0, 1.0, n)
    t_other = np.linspace(0.0, 3.0 * max(nash.t, 0.1), n)
    s_best = np.array([best_response(payoff, float(s), nash.t).s for s in s_other])
    t_best = np.array([best_response(payoff, nash.s, float(t)).t for t in t_other])
    return nash.s, nash.t, s_other, s_best, t_other, t_best


def reaction_figure(out_dir: pathlib.Path, params: DuopolyParams | None = None) -> Figure:
    """Reaction functions in sharing and in investment, both firms, crossing at the Nash point."""
    params = params if params is not None else DuopolyParams()
    s_n, t_n, s_o, s_b, t_o, t_b = reaction_curves(params)
    fig = new_figure(11, 4.5)
    ax_s, ax_t = fig.subplots(1, 2)
    ax_s.plot(s_o, s_b, color="#1b9e77", label="firm 1: s_1 = BR(s_2)")
    ax_s.plot(s_b, s_o, color="#d95f02", ls="--", label="firm 2: s_2 = BR(s_1)")
    ax_s.plot([s_n], [s_n], "ko", label=f"Nash s = {s_n:.4g}")
    ax_s.set_xlabel("s_2 (firm 1's curve) / s_1 (firm 2's curve)")
    ax_s.set_ylabel("best-response sharing")
    ax_s.set_title(f"sharing (rival's t fixed at Nash t = {t_n:.3g})")
    ax_t.plot(t_o, t_b, color="#1b9e77", label="firm 1: t_1 = BR(t_2)")
    ax_t.plot(t_b, t_o, color="#d95f02", ls="--", label="firm 2: t_2 = BR(t_1)")
    ax_t.plot([t_n], [t_n], "ko", label=f"Nash t = {t_n:.4g}")
    ax_t.set_xlabel("t_2 (firm 1's curve) / t_1 (firm 2's curve)")
    ax_t.set_ylabel("best-response investment")
    ax_t.set_title(f"investment (rival's s fixed at Nash s = {s_n:.3g})")
    for ax in (ax_s, ax_t):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("Duopoly: reaction functions (global best responses over s in [0,1], t >= 0)")
    filename = "duopoly_reaction_functions.png"
    save_figure(fig, out_dir, filename)
    ds = np.diff(s_b) / np.diff(s_o)
    dt = np.diff(t_b) / np.diff(t_o)
    return Figure(
        title="Reaction functions in sharing and investment",
        filename=filename,
        caption=(
            "Each firm's best response (maximising its reduced-form profit over both s and t) "
            "to the rival's sharing with the rival's investment at its Nash value (left), and to "
            "the rival's investment with the rival's sharing at its Nash value (right), at the "
            "default parameters; the curves cross at the symmetric Nash equilibrium "
            f"(s = {s_n:.4g}, t = {t_n:.4g}). Slopes along the plotted curves: ds_i/ds_j from "
            f"{ds.min():.3g} to {ds.max():.3g}, dt_i/dt_j from {dt.min():.3g} to {dt.max():.3g} "
            "(Lemma 1(ii) and Proposition 2 predict positive slopes; slopes below 1 make "
            "best-response iteration converge)."
        ),
    )


def volume_figure(out_dir: pathlib.Path, n: int = 21) -> Figure:
    """Section 4: Nash sharing and investment as the volume-related spillover grows."""
    base = DuopolyParams(
        a=30.0,
        b2=0.3,
        lambda_d=0.9,
        lambda_c=0.0,
        theta=0.0,
        phi1=1.0,
        phi2=0.2,
        phi3=0.6,
        c=0.5,
        delta1=0.1,
    )
    lam = np.linspace(0.0, 0.6, n)
    fig = new_figure(11, 4.5)
    ax_s, ax_t = fig.subplots(1, 2)
    facts = []
    for delta2, colour in ((0.1, "#1b9e77"), (2.0, "#d95f02")):
        s_vals = np.full(n, math.nan)
        t_vals = np.full(n, math.nan)
        for k, value in enumerate(lam):
            try:
                r = nash_equilibrium(
                    base.replace(lambda_hat=float(value), delta2=delta2), iterate=False
                )
            except SharingError:
                continue
            s_vals[k], t_vals[k] = r.s, r.t
        ax_s.plot(lam, s_vals, color=colour, label=f"delta2 = {delta2:g}")
        ax_t.plot(lam, t_vals, color=colour, label=f"delta2 = {delta2:g}")
        ok = ~np.isnan(s_vals)
        d_s, d_t = np.diff(s_vals[ok]), np.diff(t_vals[ok])
        facts.append(
            f"delta2 = {delta2:g}: s goes from {s_vals[ok][0]:.4g} to {s_vals[ok][-1]:.4g} "
            f"({'always falling' if np.all(d_s < 0) else 'not monotone'}), t from "
            f"{t_vals[ok][0]:.4g} to {t_vals[ok][-1]:.4g} (rises on {int(np.sum(d_t > 0))} and "
            f"falls on {int(np.sum(d_t < 0))} of {d_t.size} steps)"
        )
    ax_s.set_ylabel("Nash sharing s")
    ax_t.set_ylabel("Nash investment t")
    for ax in (ax_s, ax_t):
        ax.set_xlabel("volume-related spillover lambda_hat")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("Duopoly with volume-related costs (section 4)")
    filename = "duopoly_volume_costs.png"
    save_figure(fig, out_dir, filename)
    return Figure(
        title="Volume-related cost spillovers (section 4)",
        filename=filename,
        caption=(
            "Symmetric Nash sharing and investment when investment raises the unit cost "
            "(c - lambda_hat t_j s_j) delta(t_i), delta(t) = 1 + 0.1 t + delta2 t^2/2, "
            "c = 0.5, a = 30, b2 = 0.3, lambda_d = 0.9, lambda_c = 0 (Proposition 7). "
            + "; ".join(facts)
            + "."
        ),
    )


def make_figures(out_dir: pathlib.Path) -> list[Figure]:
    """Write the duopoly figures into ``out_dir`` and describe them."""
    return [regimes_figure(out_dir), reaction_figure(out_dir), volume_figure(out_dir)]
