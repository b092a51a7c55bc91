"""Main figure shape of Wen et al. 2024 on the (reconstructed) river valley: LR, E[L] with Monte Carlo, and the
river/hill split of WSD."""

from __future__ import annotations

import jax
import numpy as np
import pandas as pd

from simulations import RunContext, driver, new_figure
from simulations.schedules._common import BASE_VALLEY, KEYS, X0, base_valley, main_schedules
from theory.schedules import RiverValley, simulate_sgd, valley_moments


def _monte_carlo(name: str, total: int, n_paths: int, seed: int, record_every: int) -> dict:
    sched = main_schedules(total)[name]
    sim = simulate_sgd(sched, RiverValley(**BASE_VALLEY), jax.random.key(seed), n_paths=n_paths, x0=X0,
                       record_every=record_every)
    return {"name": name, "steps": sim.steps, "mean": np.asarray(sim.mean_loss),
            "se": np.asarray(sim.std_loss) / np.sqrt(n_paths)}


@driver("wsd_river_valley", "WSD vs cosine vs constant vs WSD-S on the river valley: exact E[L] and Monte Carlo")
def wsd_river_valley(ctx: RunContext) -> dict:
    total, n_paths = (2000, 100) if ctx.quick else (10_000, 1000)
    every = total // 50
    valley = base_valley()
    scheds = main_schedules(total)
    moments = {name: valley_moments(s, valley, x0=X0) for name, s in scheds.items()}
    tasks = [dict(name=name, total=total, n_paths=n_paths, seed=ctx.seed + i, record_every=every)
             for i, name in enumerate(scheds)]
    mc = {r["name"]: r for r in ctx.map(_monte_carlo, tasks, desc="Monte Carlo")}

    fig, axes = new_figure(1, 3, width=14.0, height=4.0)
    steps = np.arange(total + 1)
    colors = dict(zip(scheds, ["C0", "C1", "C2", "C3", "C4"], strict=True))
    for name, s in scheds.items():
        axes[0].plot(np.arange(total), np.asarray(s.values()), color=colors[name], label=name)
        m = moments[name]
        axes[1].plot(steps, np.asarray(m.loss), color=colors[name], label=f"{name} (exact)")
        r = mc[name]
        axes[1].errorbar(r["steps"], r["mean"], yerr=2 * r["se"], fmt=".", ms=3, color=colors[name], alpha=0.6)
    axes[0].set(xlabel="step t", ylabel="learning rate η_t (η_max = 1)", title="Schedules")
    axes[0].legend(fontsize=7)
    axes[1].set(yscale="log", xlabel="step t", ylabel="expected loss E[L] (log scale)",
                title=f"E[L]: exact (lines), MC mean ± 2 SE ({n_paths} paths, dots)")
    axes[1].legend(fontsize=7)
    wsd = moments["WSD 20% 1-sqrt->0"]
    axes[2].plot(steps, np.asarray(wsd.river_loss), label="river part (μ/2)E(x-x*)²")
    axes[2].plot(steps, np.asarray(wsd.hill_loss), label="hill part (a/2)E y²")
    axes[2].plot(steps, np.asarray(wsd.loss), "k--", lw=1, label="total E[L]")
    axes[2].set(yscale="log", xlabel="step t", ylabel="loss component (log scale)",
                title="WSD 20% 1-sqrt: the decay removes the hill term")
    axes[2].legend(fontsize=7)
    fig.suptitle("River valley μ=1e-4, a=1, σ_h²=0.1, x₀=10 (reconstructed model)")

    plateau_step = int(0.8 * total)
    rows, summary = [], {"total_steps": total, "n_paths": n_paths, "plateau_step": plateau_step}
    for name, m in moments.items():
        final = float(m.final_loss)
        r = mc[name]
        rows.append({"schedule": name, "lr_sum": float(m.lr_sum[-1]), "final_loss": final,
                     "final_river": float(m.river_loss[-1]), "final_hill": float(m.hill_loss[-1]),
                     "loss_at_plateau_step": float(m.loss[plateau_step]), "mc_final_mean": float(r["mean"][-1]),
                     "mc_final_se": float(r["se"][-1]),
                     "mc_z": float((r["mean"][-1] - final) / r["se"][-1])})
        key = KEYS[name]
        summary[f"final_loss[{key}]"] = final
        summary[f"lr_sum[{key}]"] = float(m.lr_sum[-1])
        summary[f"mc_final_mean[{key}]"] = float(r["mean"][-1])
        summary[f"mc_final_se[{key}]"] = float(r["se"][-1])
    plateau = float(wsd.loss[plateau_step])
    summary["wsd_plateau_loss"] = plateau
    summary["wsd_drop_factor"] = plateau / float(wsd.final_loss)
    summary["max_abs_mc_z"] = float(max(abs(r["mc_z"]) for r in rows))
    summary["best_schedule"] = min(rows, key=lambda r: r["final_loss"])["schedule"]
    ctx.save(figure=fig, table=pd.DataFrame(rows), summary=summary)
    return summary
