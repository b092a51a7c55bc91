"""theory.agents against NumPy/SciPy: tree Monte Carlo, phase grids and the majority map.

No paper code or PyPI package simulates majority trees, so the peers are the code a user would write:
(1) a per-tree NumPy loop in the public code's style (timed on 200 trees, scaled to 20,000) and a batched
NumPy simulator, against ``simulate_tree``; (2) a ``scipy.optimize.brentq`` loop on
``scipy.special.betainc`` against ``phase_grid``; (3) ``scipy.stats.binom.sf`` against ``majority_bias``.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, special, stats

import benchmarks
from benchmarks import Comparison, Timing, time_callable

B, DEPTH, MU0, GAMMA, RHO = 3, 7, 0.05, 0.8, 0.2


# ---------------------------------------------------------------- peers written here (spec section 6)
def numpy_tree_loop(n_trees: int, seed: int = 0) -> np.ndarray:
    """Reference simulator: one tree at a time, a Python loop over parents (the public code's style)."""
    b, depth, delta = B, DEPTH, (1 - GAMMA) / 2
    sums = np.zeros(depth)
    for t in range(n_trees):
        rng = np.random.default_rng(seed + t)
        level = np.where(rng.random(b**depth) < (1 + MU0) / 2, 1, -1)
        for lvl in range(depth):
            parents = np.empty(len(level) // b, dtype=np.int64)
            for j in range(len(parents)):
                children = level[j * b:(j + 1) * b]
                inputs = children * np.where(rng.random(b) < delta, -1, 1)
                parents[j] = inputs[0] if rng.random() < RHO else np.sign(inputs.sum())
            level = parents
            sums[lvl] += level.sum()
    return sums


def numpy_tree_batch(n_trees: int, seed: int = 0) -> np.ndarray:
    """Batched NumPy simulator: all trees of a level at once (a strong NumPy baseline)."""
    rng = np.random.default_rng(seed)
    b, depth, delta = B, DEPTH, (1 - GAMMA) / 2
    level = np.where(rng.random((n_trees, b**depth)) < (1 + MU0) / 2, 1, -1).astype(np.int8)
    sums = np.zeros(depth)
    for lvl in range(depth):
        inputs = level.reshape(n_trees, -1, b) * np.where(rng.random((n_trees, level.shape[1] // b, b)) < delta,
                                                          -1, 1).astype(np.int8)
        shock = rng.random(inputs.shape[:2]) < RHO
        level = np.where(shock, inputs[..., 0], np.sign(inputs.sum(axis=2))).astype(np.int8)
        sums[lvl] = level.sum()
    return sums


def _f_scipy(mu, gamma, rho, b):
    k = (b - 1) // 2
    x = gamma * mu
    return rho * x + (1 - rho) * np.sign(x) * special.betainc(0.5, k + 1, x * x)


def scipy_phase_grid(gammas: np.ndarray, rhos: np.ndarray, b: int) -> np.ndarray:
    """brentq per grid point on F(mu) - mu, F from scipy's incomplete beta."""
    g_b = 2.0 / special.beta(0.5, (b - 1) // 2 + 1)
    out = np.zeros((len(gammas), len(rhos)))
    for i, gamma in enumerate(gammas):
        for j, rho in enumerate(rhos):
            if gamma * (rho + (1 - rho) * g_b) <= 1 + 1e-12:
                continue
            if gamma == 1.0:
                out[i, j] = 1.0
                continue
            out[i, j] = optimize.brentq(lambda m, g=gamma, r=rho: _f_scipy(m, g, r, b) - m, 1e-9, 1.0, xtol=1e-14)
    return out


def _scaled(t: Timing, factor: float, label: str) -> Timing:
    return Timing(label, t.first_s * factor, t.min_s * factor, t.median_s * factor, t.repeats)


def run(quick: bool = False) -> list[Comparison]:
    import jax

    import theory.agents as ag

    out: list[Comparison] = []
    n_trees = 2000 if quick else 20000
    n_loop = 20 if quick else 200
    key = jax.random.PRNGKey(0)

    def ours_mc():
        return ag.simulate_tree(key, b=B, depth=DEPTH, mu0=MU0, gamma=GAMMA, rho=RHO, n_trees=n_trees).mu

    ours = time_callable(ours_mc, label=f"simulate_tree ({n_trees:,} trees)", repeats=3 if quick else 5)
    loop = time_callable(lambda: numpy_tree_loop(n_loop), label="numpy loop", warmup=0, repeats=1)
    factor = n_trees / n_loop
    out.append(Comparison("monte_carlo_vs_numpy_loop", ours,
                          _scaled(loop, factor, f"numpy per-tree loop ({n_loop} trees x{factor:g})"), goal=100.0,
                          notes={"b": B, "depth": DEPTH, "mu0": MU0, "gamma": GAMMA, "rho": RHO, "n_trees": n_trees,
                                 "loop_ms_per_tree": loop.median_s / n_loop * 1e3, "peer_scaled_from": n_loop}))
    batch = time_callable(lambda: numpy_tree_batch(n_trees), label=f"numpy batched ({n_trees:,} trees)",
                          warmup=0, repeats=3)
    out.append(Comparison("monte_carlo_vs_numpy_batch", ours, batch, goal=None,
                          notes={"n_trees": n_trees, "what": "vectorised NumPy over all trees; no goal in the spec"}))

    n = 41 if quick else 201
    gammas, rhos = np.linspace(0.3, 1.0, n), np.linspace(0.0, 0.95, n)
    ref = scipy_phase_grid(gammas, rhos, 3)
    mine = np.asarray(ag.phase_grid(gammas, rhos, 3).mu_star)
    out.append(benchmarks.compare(
        "phase_grid_vs_brentq", lambda: ag.phase_grid(gammas, rhos, 3).mu_star,
        lambda: scipy_phase_grid(gammas, rhos, 3),
        ours_label=f"phase_grid {n}x{n}, b=3", peer_label="brentq loop on scipy betainc", repeats=5,
        peer_repeats=1 if not quick else 3, goal=10.0,
        notes={"grid": f"{n}x{n}", "max_abs_diff_mu_star": float(np.max(np.abs(mine - ref)))}))

    m = 10**5 if quick else 10**6
    x = np.linspace(-1.0, 1.0, m)
    k = 10
    ref = 2 * stats.binom.sf(k, 21, (1 + x) / 2) - 1
    out.append(benchmarks.compare(
        "majority_bias_vs_binom_sf", lambda: ag.majority_bias(x, 21),
        lambda: 2 * stats.binom.sf(k, 21, (1 + x) / 2) - 1,
        ours_label=f"majority_bias {m:,} points, b=21", peer_label="2 binom.sf - 1 (scipy.stats)", repeats=5, goal=1.0,
        notes={"points": m, "max_abs_diff": float(np.max(np.abs(np.asarray(ag.majority_bias(x, 21)) - ref)))}))
    return out
