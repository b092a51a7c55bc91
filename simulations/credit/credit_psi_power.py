"""Power of PSI drift checks: χ² test (Monte Carlo and noncentral-χ² formula) vs fixed PSI rules and the paper's z."""

from __future__ import annotations

import jax
import numpy as np
import pandas as pd
from scipy import stats

from simulations import RunContext, driver, new_figure
from simulations.credit._mc import draw_stats, pad
from theory.credit import divergence, divergence_power, psi_critical_value

K = 10
T_GRID = np.linspace(-1.0, 1.0, K)


def _actual_shares(delta: float) -> np.ndarray:
    w = np.exp(delta * T_GRID)
    return w / w.sum()


def _power_task(n: int, delta: float, reps: int, seed: int) -> dict:
    a, e = _actual_shares(delta), np.full(K, 1.0 / K)
    psi_draw, _, se_paper, zero = (np.asarray(v) for v in draw_stats(jax.random.PRNGKey(seed), float(n), float(n),
                                                                     pad(a), pad(e), reps))
    ok = ~zero
    psi_draw, se_paper = psi_draw[ok], se_paper[ok]
    crit = psi_critical_value(n, n, K)
    z = np.where(se_paper > 0, psi_draw / np.where(se_paper > 0, se_paper, 1.0), 0.0)
    return {"n": n, "delta": delta, "true_psi": divergence(a, e), "reps": int(ok.sum()),
            "zero_cell_draws": int(zero.sum()), "psi_critical_value": crit,
            "power_chi2_mc": float(np.mean(psi_draw > crit)),
            "power_chi2_analytic": divergence_power(a, e, n, n),
            "power_rule_0.10": float(np.mean(psi_draw > 0.10)),
            "power_rule_0.25": float(np.mean(psi_draw > 0.25)),
            "power_paper_z": float(np.mean(z > stats.norm.ppf(0.95)))}


@driver("credit_psi_power", "PSI drift detection: chi-square test power vs PSI > 0.10 / 0.25 rules and paper z")
def credit_psi_power(ctx: RunContext) -> dict:
    reps = 200 if ctx.quick else 4000
    deltas = np.linspace(0.0, 0.6, 5 if ctx.quick else 25)
    ns = (500, 2000, 10000)
    tasks = [{"n": n, "delta": float(d), "reps": reps, "seed": ctx.seed + 1000 * i + j}
             for i, n in enumerate(ns) for j, d in enumerate(deltas)]
    table = pd.DataFrame(ctx.map(_power_task, tasks, desc="(n, delta)"))

    fig, axes = new_figure(1, 3, width=15, height=4.6)
    for ax, n in zip(axes, ns, strict=True):
        sub = table[(table["n"] == n) & (table["delta"] > 0)]     # δ = 0 (size) is in the CSV and JSON
        x = sub["true_psi"]
        ax.plot(x, sub["power_chi2_analytic"], "-", color="C0", label="χ² test, noncentral-χ² formula")
        ax.plot(x, sub["power_chi2_mc"], "o", color="C0", ms=4, label="χ² test, Monte Carlo")
        ax.plot(x, sub["power_rule_0.10"], "s--", color="C1", ms=3, label="rule PSI > 0.10")
        ax.plot(x, sub["power_rule_0.25"], "^--", color="C2", ms=3, label="rule PSI > 0.25")
        ax.plot(x, sub["power_paper_z"], "d:", color="C3", ms=3, label="paper z (eq. 21), one-sided 5 %")
        ax.axhline(0.05, color="grey", lw=0.8)
        ax.axvline(float(sub["psi_critical_value"].iloc[0]), color="C0", lw=0.8, ls=":",
                   label="χ² critical PSI χ²_{.95,k-1}(1/n + 1/m)")
        s0 = table[(table["n"] == n) & (table["delta"] == 0)].iloc[0]
        ax.set(xscale="log", xlabel="true PSI = J(a, e) [nats]", ylabel="rejection rate [fraction]",
               title=f"n = m = {n} rows, k = {K} bins\nsize at PSI = 0: χ² {s0['power_chi2_mc']:.3f}, "
                     f"paper z {s0['power_paper_z']:.2f}", ylim=(-0.02, 1.02))
    axes[1].legend(fontsize=7.5, loc="center left")
    size = table[table["delta"] == 0.0].set_index("n")
    summary = {
        "reps": reps, "n_delta": int(len(deltas)),
        "max_abs_analytic_minus_mc": float(np.max(np.abs(table["power_chi2_analytic"] - table["power_chi2_mc"]))),
        "size_chi2_mc": {int(n): float(v) for n, v in size["power_chi2_mc"].items()},
        "size_paper_z": {int(n): float(v) for n, v in size["power_paper_z"].items()},
        "psi_critical_value": {int(n): float(v) for n, v in size["psi_critical_value"].items()},
        "rule_0.10_rejection_at_max_delta": {int(n): float(table[(table["n"] == n)]["power_rule_0.10"].iloc[-1])
                                             for n in ns},
    }
    ctx.save(figure=fig, table=table, summary=summary)
    return summary
