"""Monte Carlo kernels shared by the credit drivers: multinomial draws and per-draw IV statistics, vmapped.

Share vectors are zero-padded to ``K_MAX`` bins so every bin count shares one compilation
(jax.random.multinomial takes seconds to compile); padded bins are empty in every draw and masked out.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
from scipy import stats

from theory.credit._delta import delta_variance, paper_variance
from theory.credit._divergence import divergence_value

K_MAX = 20


def pad(p) -> jax.Array:
    p = np.asarray(p, dtype=np.float64)
    return jnp.asarray(np.concatenate([p, np.zeros(K_MAX - p.size)]))


@partial(jax.jit, static_argnames=("reps",))
def draw_stats(key, n_p, n_q, p, q, reps: int):
    """Per draw of (Mult(n_p, p), Mult(n_q, q)): IV, delta SE, paper SE, any zero cell."""
    kp, kq = jax.random.split(key)
    cp = jax.random.multinomial(kp, n_p, p, shape=(reps, K_MAX))
    cq = jax.random.multinomial(kq, n_q, q, shape=(reps, K_MAX))

    def one(x, z):
        nonempty = (x + z) > 0
        zero = jnp.any(nonempty & ((x == 0) | (z == 0)))
        mask = (nonempty & (x > 0) & (z > 0)).astype(x.dtype)
        a, b = x / n_p, z / n_q
        iv = divergence_value(a, b, mask, "jeffreys")
        se = jnp.sqrt(delta_variance(a, b, mask, n_p, n_q, "jeffreys"))
        se_paper = jnp.sqrt(paper_variance(a, b, x, z, mask))
        return iv, se, se_paper, zero

    return jax.vmap(one)(cp, cq)


@partial(jax.jit, static_argnames=("reps", "n_boot"))
def bootstrap_ci(key, n_p, n_q, p, q, reps: int, n_boot: int, level):
    """Percentile bootstrap CI of IV for each of ``reps`` data sets (zero-cell resamples dropped)."""
    kp, kq, kb = jax.random.split(key, 3)
    cp = jax.random.multinomial(kp, n_p, p, shape=(reps, K_MAX))
    cq = jax.random.multinomial(kq, n_q, q, shape=(reps, K_MAX))

    def iv_of(x, z):
        mask = ((x > 0) & (z > 0)).astype(x.dtype)
        bad = jnp.any(((x + z) > 0) & ((x == 0) | (z == 0)))
        return divergence_value(x / n_p, z / n_q, mask, "jeffreys"), bad

    def one(key, x, z):
        k1, k2 = jax.random.split(key)
        bx = jax.random.multinomial(k1, n_p, x / n_p, shape=(n_boot, K_MAX))
        bz = jax.random.multinomial(k2, n_q, z / n_q, shape=(n_boot, K_MAX))
        ivs, bad = jax.vmap(iv_of)(bx, bz)
        ivs = jnp.where(bad, jnp.nan, ivs)
        lo = jnp.nanquantile(ivs, (1 - level) / 2)
        hi = jnp.nanquantile(ivs, (1 + level) / 2)
        iv, zero = iv_of(x, z)
        return iv, lo, hi, zero

    return jax.vmap(one)(jax.random.split(kb, reps), cp, cq)


def noncentral_bounds(t: np.ndarray, dof: int, level: float, iters: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised λ_L, λ_U of the noncentral χ² interval (same equations as iv_confidence_interval, by
    bisection on arrays instead of one brentq per data set)."""
    g = 1.0 - level

    def solve(target):
        out = np.zeros_like(t)
        need = stats.chi2.cdf(t, dof) > target
        lo = np.zeros_like(t)
        hi = np.maximum(1.0, 4.0 * t + 50.0)
        for _ in range(iters):
            mid = 0.5 * (lo + hi)
            above = stats.ncx2.cdf(t, dof, mid) > target
            lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
        out[need] = 0.5 * (lo + hi)[need]
        return out

    return solve(1.0 - g / 2.0), solve(g / 2.0)
