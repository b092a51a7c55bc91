"""Budget allocation: leaf compute vs communication, the budget threshold and integer depths."""

from __future__ import annotations

import numpy as np
import pandas as pd

import theory.agents as ag
from simulations import RunContext, driver, new_figure

BUDGET, BETA, B, M = 1e5, 0.1, 3, 100.0
S_VALUES = (0.05, 0.15, 0.25, 0.35)


def _ratio(x: np.ndarray, budget: float, beta: float, s: float, c0: float) -> np.ndarray:
    # R(x) = N^s x^beta / B^beta with N = B / (x + c0) leaves [recon]
    return (budget / (x + c0)) ** s * (x / budget) ** beta


@driver("agents_budget", "R(x) vs leaf compute, R* vs budget with B_th and integer depths, N* and beta/s vs s")
def agents_budget(ctx: RunContext) -> dict:
    n = 50 if ctx.quick else 400
    c0 = float(ag.communication_cost_per_leaf(M, B))
    fig, (ax_a, ax_b, ax_c) = new_figure(1, 3, width=13.0, height=3.9)
    rows: list[dict] = []
    summary: dict = {"budget": BUDGET, "beta": BETA, "b": B, "m": M, "c0": c0}

    # (a) ratio to one agent against leaf compute x
    x = np.logspace(0, np.log10(BUDGET - c0), n)
    for s in S_VALUES:
        r = _ratio(x, BUDGET, BETA, s, c0)
        (line,) = ax_a.plot(x, r, label=f"s = {s:g}")
        alloc = ag.optimal_allocation(BUDGET, BETA, s, c0, b=B)
        if alloc.synergistic:
            ax_a.plot(alloc.x_star, alloc.ratio_vs_single, "*", ms=11, color=line.get_color())
        summary[f"s{s:g}"] = {"x_star": alloc.x_star, "n_leaves_star": alloc.n_leaves_star,
                              "ratio_star": alloc.ratio_vs_single, "budget_threshold": alloc.budget_threshold,
                              "depth_int": alloc.depth_int, "ratio_int": alloc.ratio_int,
                              "recommendation": alloc.recommendation}
        rows += [{"panel": "a", "s": s, "x": xi, "ratio": ri} for xi, ri in zip(x, r, strict=True)]
    ax_a.axhline(1.0, color="k", lw=0.8, ls=":", label="one agent")
    ax_a.set(xscale="log", xlabel="leaf compute x [tokens per leaf]", ylabel="R(x) = tree / one agent [-]",
             title=f"(a) B = {BUDGET:.0e} tokens, β = {BETA:g}, c0 = {c0:g} tokens (★ = x*)")
    ax_a.legend(fontsize=7.5)

    # (b) optimal ratio against budget, threshold and integer-depth staircase
    s_b = 0.25
    budgets = np.logspace(np.log10(c0 * 1.01), 8, n)
    allocs = [ag.optimal_allocation(bb, BETA, s_b, c0, b=B) for bb in budgets]
    r_star = np.array([a.ratio_vs_single for a in allocs])
    r_int = np.array([a.ratio_int for a in allocs])
    depth_int = np.array([a.depth_int for a in allocs])
    bth = ag.budget_threshold(BETA, s_b, c0)
    ax_b.plot(budgets, r_star, label="continuous optimum R*")
    ax_b.step(budgets, r_int, where="post", label="best integer depth R_L")
    ax_b.axvline(bth, color="#D55E00", ls="--", label=f"B_th = {bth:.0f} tokens")
    ax_b.axhline(1.0, color="k", lw=0.8, ls=":")
    for L in np.unique(depth_int[depth_int > 0])[::2]:
        i = int(np.argmax(depth_int == L))
        ax_b.annotate(f"L={L}", (budgets[i], r_int[i]), fontsize=7, xytext=(2, 6), textcoords="offset points")
    ax_b.set(xscale="log", xlabel="total budget B [tokens]", ylabel="ratio to one agent [-]",
             title=f"(b) s = {s_b:g}, β = {BETA:g}, b = {B}", ylim=(0, None))
    ax_b.legend(fontsize=7.5)
    rows += [{"panel": "b", "s": s_b, "budget": bb, "ratio_star": a.ratio_vs_single, "ratio_int": a.ratio_int,
              "depth_int": a.depth_int} for bb, a in zip(budgets, allocs, strict=True)]
    summary["panel_b"] = {"s": s_b, "budget_threshold": bth, "ratio_star_at_1e8": float(r_star[-1]),
                          "depth_int_at_1e8": int(depth_int[-1])}

    # (c) leaf count and leaf share against s
    s_grid = np.linspace(BETA + 0.01, 0.5, n)
    allocs_c = [ag.optimal_allocation(BUDGET, BETA, s, c0) for s in s_grid]
    ax_c.plot(s_grid, [a.n_leaves_star for a in allocs_c], label="N* leaves")
    ax_c.set(yscale="log", xlabel="tree exponent s [-]", ylabel="optimal leaves N* [agents]",
             title=f"(c) B = {BUDGET:.0e} tokens, β = {BETA:g}")
    ax_share = ax_c.twinx()
    ax_share.plot(s_grid, [a.leaf_share for a in allocs_c], color="#D55E00", label="leaf share β/s")
    ax_share.set_ylabel("leaf share of budget β/s [-]")
    ax_share.grid(False)
    h1, l1 = ax_c.get_legend_handles_labels()
    h2, l2 = ax_share.get_legend_handles_labels()
    ax_c.legend(h1 + h2, l1 + l2, fontsize=7.5, loc="upper center")
    rows += [{"panel": "c", "s": s, "n_leaves_star": a.n_leaves_star, "leaf_share": a.leaf_share}
             for s, a in zip(s_grid, allocs_c, strict=True)]
    ctx.save(figure=fig, table=pd.DataFrame(rows), summary=summary)
    return summary
