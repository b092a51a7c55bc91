"""Phase diagram: fixed-point accuracy p* over (rho, gamma) for several fan-ins b."""

from __future__ import annotations

import numpy as np
import pandas as pd

import theory.agents as ag
from simulations import RunContext, driver, new_figure


def _phase_task(b: int, n: int) -> dict:
    rhos = np.linspace(0.0, 0.95, n)
    gammas = np.linspace(0.3, 1.0, n)
    grid = ag.phase_grid(gammas, rhos, b)
    return {"b": b, "rhos": rhos, "gammas": gammas, "p_star": np.asarray(grid.accuracy_star),
            "alpha": np.asarray(grid.alpha), "gamma_c": np.asarray(grid.critical_gamma),
            "converged": bool(np.all(np.asarray(grid.converged)))}


@driver("agents_phase_diagram", "p* heatmaps over (rho, gamma) with the alpha = 1 boundary, b = 3, 5, 7, 9")
def agents_phase_diagram(ctx: RunContext) -> dict:
    bs = [3, 5] if ctx.quick else [3, 5, 7, 9]
    n = 41 if ctx.quick else 201
    rows = ctx.map(_phase_task, [{"b": b, "n": n} for b in bs], desc="fan-ins")
    fig, axes = new_figure(1, len(bs), width=3.9 * len(bs), height=3.6)
    summary: dict = {"grid_points": n * n, "all_converged": all(r["converged"] for r in rows)}
    table = []
    for ax, r in zip(np.atleast_1d(axes), rows, strict=True):
        b, rhos, gammas = r["b"], r["rhos"], r["gammas"]
        mesh = ax.pcolormesh(rhos, gammas, r["p_star"], vmin=0.5, vmax=1.0, cmap="viridis", shading="auto")
        cs = ax.contour(rhos, gammas, r["alpha"], levels=[1.0], colors="white", linewidths=2.2)
        ax.plot(rhos, r["gamma_c"], "--", color="#D55E00", lw=1.3, label=r"analytic $\gamma_c(\rho)$")
        eps_b = float(ag.noise_threshold(0.0, b))
        ax.plot([0.0], [1 - 2 * eps_b], "o", color="#E69F00", ms=7, label=r"$1-2\varepsilon_b$ (Evans-Schulman)")
        ks = float(ag.kesten_stigum_fidelity(b))
        if ks >= 0.3:
            ax.axhline(ks, ls=":", color="#CC79A7", lw=1.6, label=r"Kesten-Stigum $1/\sqrt{b}$")
        gap = max(float(np.max(np.abs(seg[:, 1] - np.asarray(ag.critical_fidelity(np.clip(seg[:, 0], 0, 0.95), b)))))
                  for seg in cs.allsegs[0] if len(seg))
        ax.set(xlabel=r"shared-error correlation $\rho$ [-]", ylabel=r"message fidelity $\gamma$ [-]",
               title=f"b = {b}: fixed-point accuracy p*")
        ax.plot([], [], color="white", lw=2.2, label=r"numerical $\alpha_\rho = 1$ contour")
        ax.legend(loc="lower right", fontsize=7, frameon=True, facecolor="white", framealpha=0.9)
        g_b = float(ag.majority_gain(b))
        summary[f"b{b}"] = {"g_b": g_b, "gamma_c0": float(r["gamma_c"][0]), "eps_b": eps_b,
                            "s_max": float(np.log(g_b) / np.log(b)), "kesten_stigum": ks, "contour_gap": gap}
        for j in range(0, len(rhos), max(1, len(rhos) // 40)):
            table.append({"b": b, "rho": rhos[j], "gamma_c": r["gamma_c"][j],
                          **{f"p_star_gamma_{g:.2f}": r["p_star"][np.argmin(np.abs(gammas - g)), j]
                             for g in (0.7, 0.8, 0.9, 1.0)}})
    fig.colorbar(mesh, ax=axes, label="fixed-point accuracy p* = (1+mu*)/2 [-]", shrink=0.9)
    summary["max_contour_gap"] = max(summary[f"b{b}"]["contour_gap"] for b in bs)
    ctx.save(figure=fig, table=pd.DataFrame(table), summary=summary)
    return summary
