"""When WSD loses to cosine on the river valley: a noisy river direction (σ_r² > 0) with more curvature."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulations import RunContext, driver, new_figure
from simulations.schedules._common import X0
from theory.schedules import RiverValley, cosine_schedule, valley_moments, wsd_schedule


def _row(mu: float, ratios: list, total: int) -> list[dict]:
    scheds = np.stack([np.asarray(wsd_schedule(1.0, total, decay_fraction=0.2, decay_shape="1-sqrt").values()),
                       np.asarray(cosine_schedule(1.0, total).values())])
    rows = []
    for rho in ratios:
        valley = RiverValley(river_curvature=mu, hill_curvature=1.0, river_noise=rho * 0.1, hill_noise=0.1)
        wsd, cos = np.asarray(valley_moments(scheds, valley, x0=X0).final_loss)
        rows.append({"mu": mu, "rho": rho, "wsd_final": float(wsd), "cosine_final": float(cos),
                     "difference": float(wsd - cos)})
    return rows


@driver("wsd_caution", "Caution regime: final E[L] of WSD 1-sqrt minus cosine over river curvature and noise")
def wsd_caution(ctx: RunContext) -> dict:
    total = 1000 if ctx.quick else 10_000
    n_mu, n_rho = (5, 5) if ctx.quick else (25, 21)
    mus = np.logspace(-5, -2.5, n_mu)
    rhos = list(np.linspace(0.0, 1.0, n_rho))
    grid = [r for part in ctx.map(_row, [dict(mu=float(m), ratios=rhos, total=total) for m in mus],
                                  desc="river curvatures") for r in part]
    table = pd.DataFrame(grid)
    diff = table.pivot(index="rho", columns="mu", values="difference").to_numpy()

    caution = RiverValley(river_curvature=1e-3, hill_curvature=1.0, river_noise=0.1, hill_noise=0.1)
    curves = {"constant": np.ones(total), "cosine->0": cosine_schedule(1.0, total),
              "WSD 20% 1-sqrt->0": wsd_schedule(1.0, total, decay_shape="1-sqrt"),
              "WSD 20% linear->0": wsd_schedule(1.0, total)}
    fig, axes = new_figure(1, 2, width=11.0, height=4.2)
    finals = {}
    for name, s in curves.items():
        m = valley_moments(s, caution, x0=X0)
        finals[name] = float(m.final_loss)
        axes[0].plot(np.arange(total + 1), np.asarray(m.loss), label=f"{name}: final {finals[name]:.4g}")
    winner = min(finals, key=finals.get)
    axes[0].set(yscale="log", xlabel="step t", ylabel="expected loss E[L] (log scale)",
                title=f"μ=1e-3, σ_r²=σ_h²=0.1: {winner} has the lowest final E[L]")
    axes[0].legend(fontsize=7)
    span = float(np.max(np.abs(diff)))
    mesh = axes[1].pcolormesh(np.log10(mus), rhos, diff, cmap="RdBu_r", vmin=-span, vmax=span, shading="nearest")
    if np.nanmin(diff) < 0 < np.nanmax(diff):
        axes[1].contour(np.log10(mus), rhos, diff, levels=[0.0], colors="k", linewidths=1.5)
    fig.colorbar(mesh, ax=axes[1], label="E[L_T] WSD − E[L_T] cosine (red: cosine better)")
    axes[1].set(xlabel="log₁₀ river curvature μ", ylabel="noise ratio ρ = σ_r²/σ_h²",
                title=f"Final-loss difference, T={total} (black: 0 contour)")
    fig.suptitle("Caution regime of the river-valley model (reconstructed)")

    summary = {"total_steps": total, "n_mu": n_mu, "n_rho": n_rho,
               "fraction_cosine_better": float(np.mean(diff > 0)),
               "max_wsd_advantage": float(-np.min(diff)), "max_cosine_advantage": float(np.max(diff))}
    for name, v in finals.items():
        summary[f"caution_final[{name}]"] = v
    ctx.save(figure=fig, table=table, summary=summary)
    return summary
