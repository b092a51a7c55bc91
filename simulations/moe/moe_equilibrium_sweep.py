"""Balance metrics of the two-type equilibrium vs γ, and the best-fit softmax temperature vs τ + γK/E."""

from __future__ import annotations

import numpy as np
import pandas as pd

import theory.moe as moe
from simulations import RunContext, driver, new_figure

Q = np.array([[2.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 2.0]])
W = np.array([0.7, 0.3])
TAUS = (0.1, 0.3, 1.0, 3.0)


def _sweep(tau: float, gammas: np.ndarray, cost: str) -> list[dict]:
    batch = moe.solve_equilibrium_batch(np.broadcast_to(Q, (len(gammas), 2, 4)), gammas, tau, weights=W, cost=cost)
    rows = []
    for g, load, ok in zip(gammas, np.asarray(batch.loads), np.asarray(batch.converged), strict=True):
        m = moe.load_metrics(load)
        t_hat = moe.estimate_gamma(W @ Q, load, tau, method="temperature").temperature
        rows.append({"tau": tau, "gamma": float(g), "cost": cost, "max_vio": m.max_vio, "cv": m.cv,
                     "entropy": m.entropy, "t_hat": t_hat, "converged": bool(ok)})
    return rows


@driver("moe_equilibrium_sweep", "MaxVio, CV, entropy and best-fit temperature of the two-type equilibrium vs γ")
def moe_equilibrium_sweep(ctx: RunContext) -> dict:
    gammas = np.geomspace(1e-2, 1e3, 10 if ctx.quick else 40)
    tasks = [{"tau": t, "gammas": gammas, "cost": c} for t in TAUS for c in ("linear", "log")]
    rows = [r for chunk in ctx.map(_sweep, tasks, desc="τ × cost") for r in chunk]
    df = pd.DataFrame(rows)
    fig, axes = new_figure(2, 2, width=10.0, height=7.2)
    lin = df[df.cost == "linear"]
    for tau in TAUS:
        d = lin[lin.tau == tau]
        axes[0, 0].loglog(d.gamma, d.max_vio, label=f"τ = {tau:g}")
        axes[0, 1].loglog(d.gamma, d.cv, label=f"τ = {tau:g}")
        axes[1, 0].semilogx(d.gamma, d.entropy, label=f"τ = {tau:g}")
    axes[0, 0].set(xlabel="γ [quality per unit load]", ylabel="MaxVio = max/mean − 1",
                   title="Imbalance falls as congestion rises")
    axes[0, 1].set(xlabel="γ [quality per unit load]", ylabel="CV of loads", title="Coefficient of variation")
    axes[1, 0].set(xlabel="γ [quality per unit load]", ylabel="normalised entropy H(f)/log E",
                   title="Load entropy (1 = balanced)")
    ax = axes[1, 1]
    for i, tau in enumerate((0.1, 1.0)):
        d = df[(df.tau == tau) & (df.cost == "linear")]
        ax.loglog(d.gamma, d.t_hat, "o", ms=3, color=f"C{i}", label=f"T̂, linear cost, τ = {tau:g}")
        ax.loglog(d.gamma, tau + d.gamma * 1 / 4, "-", color=f"C{i}", label=f"τ + γK/E, τ = {tau:g}")
        d = df[(df.tau == tau) & (df.cost == "log")]
        ax.loglog(d.gamma, d.t_hat, "s", ms=3, mfc="none", color=f"C{i + 2}", label=f"T̂, log cost, τ = {tau:g}")
        ax.loglog(d.gamma, tau + d.gamma, ":", color=f"C{i + 2}", label=f"τ + γ, τ = {tau:g}")
    ax.set(xlabel="γ [quality per unit load]", ylabel="best-fit softmax temperature T̂ [quality units]",
           title="Congestion reads as temperature")
    for a in axes.flat:
        a.legend(fontsize=7)
    fig.suptitle("Two-type instance w = (0.7, 0.3), q₁ = (2,0,0,0), q₂ = (0,0,0,2), K = 1")
    summary = {"all_converged": bool(df.converged.all())}
    sol = {g: moe.solve_equilibrium(Q, g, 1.0, weights=W) for g in (1.0, 10.0, 100.0, 1000.0)}
    summary.update({f"max_vio_tau1_gamma{g:g}": moe.load_metrics(s.loads).max_vio for g, s in sol.items()})
    big = lin[lin.gamma >= 100]
    summary["t_hat_over_linear_law_gamma_ge_100"] = float(np.median(big.t_hat / (big.tau + big.gamma / 4)))
    lg = df[(df.cost == "log") & (df.gamma >= 100)]
    summary["t_hat_over_log_law_gamma_ge_100"] = float(np.median(lg.t_hat / (lg.tau + lg.gamma)))
    ctx.save(figure=fig, table=df, summary=summary)
    return summary
