"""Price of anarchy of the entropic routing game vs γ, and of polynomial Pigou links vs degree."""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

import theory.moe as moe
from simulations import RunContext, driver, new_figure
from theory.moe._welfare import _social_jit

TAUS = (0.01, 0.1, 1.0)
E = 8
MAX_TYPES = 5


def _instances(key, count: int):
    """2–5 types, quality N(0, 1), Dirichlet weights; fewer types = zero-weight padding rows (B, 5, E)."""
    k_n, k_q, k_w = jax.random.split(key, 3)
    n_types = np.asarray(jax.random.randint(k_n, (count,), 2, MAX_TYPES + 1))
    q = np.asarray(jax.random.normal(k_q, (count, MAX_TYPES, E)))
    w = np.asarray(jax.random.dirichlet(k_w, jnp.ones(MAX_TYPES), (count,)))
    w = np.where(np.arange(MAX_TYPES)[None, :] < n_types[:, None], w, 0.0)
    return q, w / w.sum(1, keepdims=True), n_types


_social_batch = jax.jit(jax.vmap(partial(_social_jit, top_k=1, relaxation="scaled"), in_axes=(0, 0, 0, 0, None)))


def _poa_task(tau: float, gamma: float, q: np.ndarray, w: np.ndarray) -> dict:
    bsz = q.shape[0]
    eq = moe.solve_equilibrium_batch(q, gamma, tau, weights=w)
    opt = moe.solve_equilibrium_batch(q, 2 * gamma, tau, weights=w)
    g = jnp.full(bsz, gamma)
    s_eq = np.asarray(_social_batch(eq.policy, q, w, g, tau))
    s_opt = np.asarray(_social_batch(opt.policy, q, w, g, tau))
    ratio = s_eq / s_opt
    return {"tau": tau, "gamma": gamma, "poa_max": float(ratio.max()), "poa_median": float(np.median(ratio)),
            "poa_min": float(ratio.min()), "converged": bool(np.all(eq.converged) and np.all(opt.converged))}


@driver("moe_price_of_anarchy", "price of anarchy vs γ (random 2–5-type instances, E = 8) and Pigou links vs degree")
def moe_price_of_anarchy(ctx: RunContext) -> dict:
    count = 10 if ctx.quick else 50
    gammas = np.geomspace(1e-2, 1e3, 8 if ctx.quick else 25)
    q, w, n_types = _instances(ctx.key(), count)
    tasks = [{"tau": t, "gamma": float(g), "q": q, "w": w} for t in TAUS for g in gammas]
    df = pd.DataFrame(ctx.map(_poa_task, tasks, desc="τ × γ"))
    fig, (ax_a, ax_b) = new_figure(1, 2, width=10.5, height=4.0)
    for i, tau in enumerate(TAUS):
        d = df[df.tau == tau]
        ax_a.semilogx(d.gamma, d.poa_max, "-", color=f"C{i}", label=f"max, τ = {tau:g}")
        ax_a.semilogx(d.gamma, d.poa_median, "--", color=f"C{i}", label=f"median, τ = {tau:g}")
    ax_a.axhline(4 / 3, color="k", lw=1, label="4/3 (affine bound)")
    ax_a.set(xlabel="γ [quality per unit load]", ylabel="PoA = S(eq)/S(opt)", ylim=(0.98, 1.36),
             title=f"(a) routing game, {count} random instances, E = {E}, K = 1")
    ax_a.legend(fontsize=7.5, ncol=2)
    degrees = np.arange(1, 7)
    links = [moe.parallel_links([1.0, 0.0], [0.0, 1.0], degree=int(d)) for d in degrees]
    bound = 1 / (1 - degrees * (degrees + 1.0) ** (-(degrees + 1.0) / degrees))
    ax_b.plot(degrees, [r.poa for r in links], "o-", label="Wardrop PoA, links {1, x^d}")
    ax_b.plot(degrees, bound, "k--", lw=1, label=r"Roughgarden bound $(1 - d(d+1)^{-(d+1)/d})^{-1}$")
    ax_b.set(xlabel="polynomial degree d of the congestible link", ylabel="PoA = cost(eq)/cost(opt)",
             title="(b) Pigou network, demand 1")
    ax_b.legend(fontsize=7.5)
    fig.suptitle("Efficiency loss of selfish routing")
    table = pd.concat([df.assign(panel="a"), pd.DataFrame({
        "panel": "b", "degree": degrees, "poa_links": [r.poa for r in links], "bound": bound})], ignore_index=True)
    summary = {"max_poa": float(df.poa_max.max()), "min_poa": float(df.poa_min.min()),
               "all_within_4_3": bool(df.poa_max.max() <= 4 / 3 + 1e-12 and df.poa_min.min() >= 1 - 1e-12),
               "all_converged": bool(df.converged.all()), "n_instances": count,
               "n_types_histogram": {int(k): int(v) for k, v in zip(*np.unique(n_types, return_counts=True),
                                                                     strict=True)},
               "pigou_poa_by_degree": [r.poa for r in links]}
    ctx.save(figure=fig, table=table, summary=summary)
    return summary
