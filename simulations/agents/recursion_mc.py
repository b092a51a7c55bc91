"""Bias recursion against the generative Monte Carlo, with the linear and clipped predictors."""

from __future__ import annotations

import time

import jax
import numpy as np
import pandas as pd

import theory.agents as ag
from simulations import RunContext, driver, new_figure

# (b, depth, rho, gamma, mu0): the spec's T5 cases
CASES = [(3, 6, 0.0, 0.8, 0.05), (3, 6, 0.3, 0.8, 0.05), (3, 6, 0.5, 0.8, 0.3), (5, 4, 0.2, 0.7, 0.05),
         (3, 7, 0.0, 0.6, 0.5)]


def _mc_task(index: int, n_trees: int, seed: int, quick: bool) -> dict:
    case = CASES[index]
    b, depth, rho, gamma, mu0 = case
    if quick:
        depth = min(depth, 4)
    key = jax.random.fold_in(jax.random.PRNGKey(seed), index)
    start = time.perf_counter()
    sim = ag.simulate_tree(key, b=b, depth=depth, mu0=mu0, gamma=gamma, rho=rho, n_trees=n_trees)
    seconds = time.perf_counter() - start
    traj = ag.bias_recursion(mu0, gamma, rho, b, depth)
    pred = ag.clipped_predictor(np.asarray(traj.n_leaves), mu0, gamma, rho, b)
    return {"case": case, "depth": depth, "levels": np.asarray(sim.levels), "mu": np.asarray(sim.mu),
            "stderr": np.asarray(sim.stderr), "z": np.asarray(sim.z), "recursion": np.asarray(sim.recursion),
            "small_signal": np.asarray(traj.small_signal), "predictor": np.asarray(pred), "seconds": seconds,
            "regime": ag.fixed_point(gamma, rho, b).regime}


@driver("agents_recursion_mc", "recursion mu_l vs Monte Carlo of the copy model (T5 cases), per-level z-scores")
def agents_recursion_mc(ctx: RunContext) -> dict:
    n_trees = 1000 if ctx.quick else 20000
    tasks = [{"index": i, "n_trees": n_trees, "seed": ctx.seed, "quick": ctx.quick} for i in range(len(CASES))]
    rows = ctx.map(_mc_task, tasks, desc="T5 cases")
    fig, grid = new_figure(2, 3, width=12.0, height=7.2)
    axes, z_ax = list(grid.ravel()[:5]), grid.ravel()[5]
    table, cases = [], []
    for ax, r in zip(axes, rows, strict=True):
        b, _, rho, gamma, mu0 = r["case"]
        lv = r["levels"]
        ax.plot(lv, r["recursion"], "-", color="#0072B2", label="recursion $\\mu_\\ell$")
        ax.errorbar(lv[1:], r["mu"][1:], yerr=2 * r["stderr"][1:], fmt="o", ms=4, color="#D55E00", capsize=3,
                    label="Monte Carlo ± 2 SE")
        ax.plot(lv, np.minimum(r["small_signal"], 1.0), ":", color="#009E73", label=r"$\alpha^\ell\mu_0$ (capped at 1)")
        ax.plot(lv, r["predictor"], "--", color="#CC79A7", label="clipped predictor")
        ax.set(xlabel="tree level $\\ell$ [levels above the leaves]", ylabel="bias $\\mu_\\ell$ [-]",
               title=f"b={b}, ρ={rho:g}, γ={gamma:g}, μ0={mu0:g}\n({r['regime']})")
        max_z = float(np.max(np.abs(r["z"][1:])))
        z_ax.plot(lv[1:], r["z"][1:], "o-", ms=4, label=f"b={b}, ρ={rho:g}, γ={gamma:g}, μ0={mu0:g}")
        ax.text(0.03, 0.97, f"max |z| = {max_z:.2f}", transform=ax.transAxes, va="top", fontsize=8)
        cases.append({"b": b, "depth": r["depth"], "rho": rho, "gamma": gamma, "mu0": mu0,
                      "z": [float(v) for v in r["z"]], "max_abs_z": max_z, "seconds": r["seconds"],
                      "root_mc": float(r["mu"][-1]), "root_recursion": float(r["recursion"][-1])})
        for i in range(len(lv)):
            table.append({"b": b, "rho": rho, "gamma": gamma, "mu0": mu0, "level": int(lv[i]), "mu_mc": r["mu"][i],
                          "stderr": r["stderr"][i], "recursion": r["recursion"][i], "z": r["z"][i],
                          "small_signal": r["small_signal"][i], "predictor": r["predictor"][i]})
    axes[0].legend(loc="lower right", fontsize=7)
    z_ax.axhspan(-4, 4, color="0.85", alpha=0.5, label="|z| < 4 (test bound)")
    z_ax.axhline(0, color="k", lw=0.8)
    z_ax.set(xlabel="tree level $\\ell$ [levels above the leaves]", ylabel="z = (MC − recursion) / SE [-]",
             title="per-level z-scores", ylim=(-5, 5))
    z_ax.legend(fontsize=6.5, loc="lower left", ncol=2)
    fig.suptitle(f"Bias recursion vs generative Monte Carlo ({n_trees:,} trees per case)")
    summary = {"n_trees": n_trees, "cases": cases, "max_abs_z": max(c["max_abs_z"] for c in cases),
               "seconds_total": sum(c["seconds"] for c in cases)}
    ctx.save(figure=fig, table=pd.DataFrame(table), summary=summary)
    return summary
