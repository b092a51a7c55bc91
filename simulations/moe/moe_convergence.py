"""Damped vs undamped bias updates vs Newton, and the oscillation factor ρ(b*) against the quoted γ_eff."""

from __future__ import annotations

import numpy as np
import pandas as pd

import theory.moe as moe
from simulations import RunContext, driver, new_figure

Q = np.array([0.1, 0.0, 0.0, 0.0])
QUOTED_GAMMA_EFF = (9.0, 14.0, 27.0, 36.0, 39.0)


def _newton_trace(gamma: float, steps: int) -> list[float]:
    """Residual after each Newton iteration: one-step solves chained through ``init_bias``."""
    b = np.zeros(4)
    res = [float(np.max(np.abs(b - gamma * np.asarray(moe.route_policy(Q, b, 1.0)).mean(0))))]
    for _ in range(steps):
        sol = moe.solve_equilibrium(Q, gamma, 1.0, max_iter=1, init_bias=b, tol=1e-300)
        b = np.asarray(sol.bias)
        res.append(sol.residual)
        if sol.residual < 1e-15:
            break
    return res


def _rho_task(gamma: float, quality: np.ndarray) -> dict:
    return {"gamma": gamma, "rho_instance": moe.oscillation_factor(quality, gamma, 1.0, top_k=8),
            "rho_uniform": moe.uniform_oscillation_factor(gamma, 1.0, 64, 8)}


@driver("moe_convergence", "bias-update convergence (ω = 1, default ω, Newton) and ρ(b*) vs γ for E = 64, K = 8")
def moe_convergence(ctx: RunContext) -> dict:
    iters = 200 if ctx.quick else 600
    n_gamma = 12 if ctx.quick else 40
    fig, (ax_a, ax_b) = new_figure(1, 2, width=10.5, height=4.0)
    rows, summary = [], {}
    for gamma, style in ((3.0, "-"), (5.0, "--")):
        omega_default = 1 / (1 + gamma / 2)
        for label, omega in (("ω = 1", 1.0), (f"default ω = {omega_default:.3f}", omega_default)):
            tr = moe.iterate_fixed_point(Q, gamma, 1.0, omega=omega, num_steps=iters)
            res = np.maximum(np.asarray(tr.residuals), 1e-17)
            ax_a.semilogy(np.arange(iters + 1), res, style, label=f"γ = {gamma:g}, {label}")
            rows += [{"panel": "a", "gamma": gamma, "method": label, "iteration": i, "residual": r}
                     for i, r in enumerate(res)]
            summary[f"final_residual_gamma{gamma:g}_{'undamped' if omega == 1 else 'default'}"] = float(res[-1])
        newton = np.maximum(_newton_trace(gamma, 20), 1e-17)
        ax_a.semilogy(np.arange(len(newton)), newton, style, marker="o", label=f"γ = {gamma:g}, Newton")
        rows += [{"panel": "a", "gamma": gamma, "method": "newton", "iteration": i, "residual": r}
                 for i, r in enumerate(newton)]
        summary[f"newton_iterations_gamma{gamma:g}"] = len(newton) - 1
    ax_a.set(xlabel="iteration", ylabel="residual ‖b − γL(b)‖∞ [quality units]",
             title="(a) q = (0.1, 0, 0, 0), τ = 1: ω = 1 2-cycles at γ = 5", ylim=(1e-17, 10))
    ax_a.legend(ncol=1, fontsize=7.5)

    quality = np.asarray(np.random.default_rng(0).normal(size=(256, 64)) + np.linspace(-1, 1, 64))
    gammas = np.geomspace(0.5, 60.0, n_gamma)
    rho = ctx.map(_rho_task, [{"gamma": float(g), "quality": quality} for g in gammas], desc="ρ(b*) sweep")
    ax_b.loglog(gammas, [r["rho_instance"] for r in rho], "o-", label="ρ(b*), random instance (N = 256)")
    ax_b.loglog(gammas, [r["rho_uniform"] for r in rho], "--", label="uniform formula γK/(τE)")
    ax_b.axhline(1.0, color="k", lw=1, label="ρ = 1 (undamped stability edge)")
    for i, g in enumerate(QUOTED_GAMMA_EFF):
        ax_b.axvline(g, color="#D55E00", lw=0.8, ls=":", label="quoted γ_eff (abstract)" if i == 0 else None)
    ax_b.set(xlabel="congestion γ [quality units per unit load]", ylabel="oscillation factor ρ = γλ_max(J)",
             title="(b) E = 64, K = 8, τ = 1: undamped updates oscillate for ρ > 1")
    ax_b.legend(fontsize=7.5)
    rows += [{"panel": "b", **r} for r in rho]
    crossing = [r["gamma"] for r in rho if r["rho_instance"] > 1]
    summary.update({
        "gamma_rho_instance_exceeds_1": float(min(crossing)) if crossing else float("nan"),
        "gamma_rho_uniform_equals_1": 64 / 8,
        "rho_uniform_at_quoted_gamma_eff": [moe.uniform_oscillation_factor(g, 1.0, 64, 8) for g in QUOTED_GAMMA_EFF],
    })
    fig.suptitle("Bias-update convergence in the routing congestion game")
    ctx.save(figure=fig, table=pd.DataFrame(rows), summary=summary)
    return summary
