"""Empirical anchors: Chen et al.'s vote curves, tree gain against baseline accuracy, star vs tree under a window."""

from __future__ import annotations

import numpy as np
import pandas as pd

import theory.agents as ag
from simulations import RunContext, driver, new_figure
from theory import datasets

CHEN = [((0.8, 0.7, 0.45), "T11 peak"), ((0.75, 0.65, 0.4), "T11 peak"), ((0.3, 0.6, 0.2), "U-shaped"),
        ((0.5, 0.9, 0.2), "decreasing")]
TREES = [(0.95, 0.0), (0.9, 0.2), (0.9, 0.391)]


def _value(df: pd.DataFrame, study: str, quantity: str) -> float:
    return float(df[(df.study == study) & (df.quantity == quantity)].value.iloc[0])


@driver("agents_empirical", "Chen et al. vote curves, tree gain vs baseline accuracy, star vs tree under a window")
def agents_empirical(ctx: RunContext) -> dict:
    data = datasets.load("agents_empirical")
    rho_judges = _value(data, "kohli2026", "error_correlation")
    li_agents = _value(data, "li2024", "ensemble_parity")
    kim_threshold = _value(data, "kim2025", "saturation_threshold")
    kim_beta = _value(data, "kim2025", "baseline_coefficient")
    k_max = 51 if ctx.quick else 201
    fig, (ax_a, ax_b, ax_c) = new_figure(1, 3, width=14.0, height=4.2)
    rows: list[dict] = []
    summary: dict = {"k_max": k_max, "rho_judges": rho_judges}

    # (a) Chen et al.'s F(K) and a correlated jury
    ks = np.arange(1, k_max + 1, 2)
    chen = []
    for (alpha, p1, p2), tag in CHEN:
        f = np.asarray(ag.vote_accuracy(ks, alpha, p1, p2))
        peak = ag.optimal_num_calls(alpha, p1, p2, k_max=k_max)
        (line,) = ax_a.plot(ks, f, label=f"α={alpha:g}, p1={p1:g}, p2={p2:g} ({peak.shape})")
        ax_a.plot(peak.k_star, peak.f_star, "*", ms=10, color=line.get_color())
        chen.append({"alpha": alpha, "p1": p1, "p2": p2, "tag": tag, "k_star": peak.k_star, "f_star": peak.f_star,
                     "shape": peak.shape, "shape_rule": peak.shape_rule})
        rows += [{"panel": "a", "curve": f"chen {alpha},{p1},{p2}", "K": int(k), "accuracy": v}
                 for k, v in zip(ks, f, strict=True)]
    jury = np.asarray(ag.correlated_jury_accuracy(ks, 0.6, rho_judges))
    ax_a.plot(ks, jury, "k-.", label=f"copy-model jury p=0.6, ρ={rho_judges:g}")
    plateau = rho_judges * 0.6 + 1 - rho_judges
    ax_a.axhline(plateau, color="k", lw=0.7, ls=":", label=f"jury plateau ρp+1−ρ = {plateau:.3f}")
    ax_a.axvspan(10, li_agents, color="#E69F00", alpha=0.2, label="Li et al.: 10–15 agents")
    ax_a.set(xlabel="number of calls K [votes]", ylabel="majority accuracy F(K) [-]",
             title="(a) Chen et al. F(K); ★ = best K")
    ax_a.legend(fontsize=6.5, loc="lower right")
    rows += [{"panel": "a", "curve": "jury", "K": int(k), "accuracy": v} for k, v in zip(ks, jury, strict=True)]
    summary["chen"] = chen
    summary["jury_plateau"] = plateau

    # (b) tree gain against the single-agent accuracy, b = 3, depth 2
    p0 = np.linspace(0.5, 1.0, 51 if ctx.quick else 501)
    depth = 2
    trees = []
    for gamma, rho in TREES:
        traj = ag.bias_recursion(2 * p0 - 1, gamma, rho, 3, depth)
        delta = np.asarray(traj.accuracy[-1]) - p0
        fp = ag.fixed_point(gamma, rho, 3)
        (line,) = ax_b.plot(p0, delta, label=f"γ={gamma:g}, ρ={rho:g}: p*={fp.accuracy_star:.3f}")
        if fp.regime == "amplifying":
            ax_b.plot(fp.accuracy_star, 0.0, "o", color=line.get_color())
        trees.append({"gamma": gamma, "rho": rho, "p_star": fp.accuracy_star, "regime": fp.regime,
                      "slope_at_p_star": fp.slope**depth - 1.0, "max_gain": float(delta.max()),
                      "p0_at_max_gain": float(p0[np.argmax(delta)])})
        rows += [{"panel": "b", "gamma": gamma, "rho": rho, "p0": a, "gain": d} for a, d in zip(p0, delta, strict=True)]
    ax_b.axhline(0.0, color="k", lw=0.8)
    ax_b.axvline(kim_threshold, color="#CC79A7", ls="--", lw=1)
    ax_b.text(kim_threshold + 0.005, ax_b.get_ylim()[1] * 0.9,
              f"Kim et al.: saturation at {kim_threshold:.0%}\n(β̂ = {kim_beta:g}; other scale)", fontsize=7)
    ax_b.set(xlabel="single-agent accuracy p0 [-]", ylabel="tree gain p_tree − p0 [-]",
             title="(b) b = 3, depth 2: diminishing returns", xlim=(0.4, 1.0))
    ax_b.legend(fontsize=7, loc="lower left")
    summary["trees"] = trees
    summary["kim_threshold"] = kim_threshold

    # (c) star capped by the context window vs a 3-ary tree
    window, m = 8192, 512
    cap = int(ag.max_fan_in(window, m))
    gamma, rho, acc0 = 0.9, 0.2, 0.6
    mu0 = 2 * acc0 - 1
    star_n = np.arange(1, cap + 1, 2)
    # N = 1 is the single agent itself (no message); N >= 3 agents send to one aggregator over noisy edges
    star = [acc0 if n == 1 else (1 + float(ag.correlated_majority_bias(gamma * mu0, rho, int(n)))) / 2
            for n in star_n]
    traj = ag.bias_recursion(mu0, gamma, rho, 3, 7)
    ax_c.plot(star_n, star, "o-", label=f"star, fan-in ≤ ⌊W/m⌋ = {cap}")
    ax_c.plot(np.asarray(traj.n_leaves), np.asarray(traj.accuracy), "s-", label="3-ary tree, depth 0–7")
    ax_c.axvline(cap, color="#D55E00", ls="--", lw=1, label=f"window cap W={window}, m={m} tokens")
    ax_c.axhline(ag.fixed_point(gamma, rho, 3).accuracy_star, color="k", ls=":", lw=0.8, label="tree limit p*")
    ax_c.set(xscale="log", xlabel="agents N [leaves]", ylabel="final accuracy [-]",
             title=f"(c) star vs tree: p0={acc0:g}, γ={gamma:g}, ρ={rho:g}")
    ax_c.legend(fontsize=7)
    rows += [{"panel": "c", "topology": "star", "n": int(n), "accuracy": a} for n, a in zip(star_n, star, strict=True)]
    rows += [{"panel": "c", "topology": "tree", "n": float(n), "accuracy": float(a)}
             for n, a in zip(np.asarray(traj.n_leaves), np.asarray(traj.accuracy), strict=True)]
    summary["star_cap"] = cap
    summary["star_best"] = float(max(star))
    summary["tree_root_depth7"] = float(traj.accuracy[-1])
    ctx.save(figure=fig, table=pd.DataFrame(rows), summary=summary)
    return summary
