"""D* error at 1e24 vs grid half-width for several α/β ratios: closed form lines, simulated markers (§3)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulations import RunContext, driver, new_figure
from theory.scaling import SURFACES, LossSurface, approach2_bias, fit_approach2, simulate_isoflops

BUDGETS = np.geomspace(1e17, 1e21, 5)


def _surface(label: str) -> LossSurface:
    if label == "chinchilla":
        return LossSurface(*SURFACES["chinchilla"])
    ratio = float(label.split("=")[1])
    beta = 0.62 / (1 + ratio)
    return LossSurface(1.69, 406.4, 410.7, 0.62 - beta, beta)


def _point(label: str, h: float) -> dict:
    s = _surface(label)
    k = 10.0**h
    d = simulate_isoflops(s, BUDGETS, grid_factor=k)
    fit = fit_approach2(d.N, d.D, d.L, d.C)
    return {"surface": label, "alpha": s.alpha, "beta": s.beta, "half_width_decades": h,
            "D_err_sim_pct": 100 * (float(fit.D_star(1e24) / s.D_opt(1e24)) - 1),
            "D_err_closed_pct": 100 * float(approach2_bias(s, k).D_rel_error)}


@driver("scaling_bias_sweep", "D* error at 1e24 vs grid width for alpha/beta ratios (closed form + simulation)")
def scaling_bias_sweep(ctx: RunContext) -> dict:
    labels = ["a/b=1", "a/b=3", "chinchilla"] if ctx.quick else \
        ["a/b=1", "a/b=1.5", "a/b=2", "a/b=3", "a/b=9", "chinchilla"]
    widths = np.linspace(0.3, 2.0, 5 if ctx.quick else 20)
    rows = ctx.map(_point, [dict(label=lb, h=float(h)) for lb in labels for h in widths], desc="surfaces x widths")
    table = pd.DataFrame(rows)
    fig, ax = new_figure(width=6.5, height=4.5)
    fine = np.linspace(0.3, 2.0, 200)
    for j, lb in enumerate(labels):
        s = _surface(lb)
        ax.plot(fine, 100 * np.asarray(approach2_bias(s, 10.0**fine).D_rel_error), color=f"C{j}",
                label=f"{lb.replace('a/b', 'α/β')} (α={s.alpha:.3f}, β={s.beta:.3f})")
        sub = table[table.surface == lb]
        ax.plot(sub.half_width_decades, sub.D_err_sim_pct, "o", color=f"C{j}", ms=4)
    ax.set(xlabel="grid half-width log10 k [decades]", ylabel="D* error at C = 1e24 [%]",
           title="Approach 2 bias: closed form (lines) vs simulated fits (markers)")
    ax.legend(fontsize=7)
    summary = {"max_abs_sim_minus_closed_pp": float(np.max(np.abs(table.D_err_sim_pct - table.D_err_closed_pct))),
               "worst_D_err_pct": float(table.D_err_sim_pct.min()),
               "chinchilla_D_err_pct_at_pm16": 100 * float(approach2_bias(_surface("chinchilla"), 16.0).D_rel_error),
               "paper_chinchilla_D_err_pct_at_pm16": -5.100}
    ctx.save(figure=fig, table=table, summary=summary)
    return summary
