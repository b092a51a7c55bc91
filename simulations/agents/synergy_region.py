"""Where a majority tree beats one agent: s > beta regions in (rho, gamma), and s_max(b) < 1/2."""

from __future__ import annotations

import numpy as np
import pandas as pd

import theory.agents as ag
from simulations import RunContext, driver, new_figure

BETAS = (0.0, 0.05, 0.1, 0.2, 0.3)


@driver("agents_synergy_region", "regions s > beta over (rho, gamma) for b = 3, 5, 7 and s_max(b) for b <= 1001")
def agents_synergy_region(ctx: RunContext) -> dict:
    n = 41 if ctx.quick else 301
    rhos = np.linspace(0.0, 0.95, n)
    gammas = np.linspace(0.3, 1.0, n)
    fig, axes = new_figure(1, 4, width=15.0, height=3.8)
    rows: list[dict] = []
    summary: dict = {"betas": list(BETAS)}
    for ax, b in zip(axes[:3], (3, 5, 7), strict=True):
        s = np.asarray(ag.organization_exponent(gammas[:, None], rhos[None, :], b))
        levels = [*BETAS, 0.5]  # s < 1/2 for every b (T12)
        cf = ax.contourf(rhos, gammas, s, levels=levels, cmap="Blues", extend="neither")
        per_b = {}
        for beta in BETAS:
            gthr = float(b) ** beta / (rhos + (1 - rhos) * float(ag.majority_gain(b)))
            ok = gthr <= 1.0
            ax.plot(rhos[ok], gthr[ok], color="k", lw=1.0,
                    label=r"boundary $\gamma = b^\beta/[\rho+(1-\rho)g_b]$" if beta == 0 else None)
            if ok.any():
                ax.annotate(f"β={beta:g}", (rhos[ok][-1], gthr[ok][-1]), fontsize=7, xytext=(-28, -10),
                            textcoords="offset points")
            # largest rho at which beta is still beatable with perfect messages (gamma = 1)
            per_b[f"beta{beta:g}_max_rho"] = float(rhos[ok].max()) if ok.any() else None
            per_b[f"beta{beta:g}_area_fraction"] = float(np.mean(s > beta))
            rows += [{"b": b, "beta": beta, "rho": r, "gamma_threshold": g} for r, g in zip(rhos, gthr, strict=True)]
        ax.set(xlabel=r"shared-error correlation $\rho$ [-]", ylabel=r"message fidelity $\gamma$ [-]",
               title=f"b = {b}: regions s > β")
        ax.legend(loc="lower right", fontsize=7)
        per_b["s_max"] = float(np.log(float(ag.majority_gain(b))) / np.log(b))
        summary[f"b{b}"] = per_b
    fig.colorbar(cf, ax=axes[:3], label="organization exponent s = log_b α [-] (bands: β thresholds)", shrink=0.9)

    bs = np.arange(3, 1002, 2)
    s_max = np.log(np.asarray(ag.majority_gain(bs))) / np.log(bs)
    axes[3].plot(bs, s_max, label=r"$s_{max}(b) = \log_b g_b$")
    axes[3].axhline(0.5, color="#D55E00", ls="--", label="1/2 (never reached)")
    axes[3].set(xscale="log", xlabel="fan-in b [agents per node]", ylabel="best exponent s_max [-]",
                title="(d) best tree exponent, γ = 1, ρ = 0")
    axes[3].legend(fontsize=7.5)
    rows += [{"b": int(b), "s_max": v} for b, v in zip(bs, s_max, strict=True)]
    summary["s_max_b_le_1001"] = float(s_max.max())
    summary["s_max_b1001"] = float(s_max[-1])
    ctx.save(figure=fig, table=pd.DataFrame(rows), summary=summary)
    return summary
