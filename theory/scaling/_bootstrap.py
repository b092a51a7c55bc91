"""Bootstrap confidence intervals for the dead-weight compute and for VarPro parameters (Czech et al. 2026 §6)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from theory._validate import as_float_array, check_positive, check_probability, check_same_length, short_repr
from theory.scaling._approach2 import _approach2_kernel, fit_approach2
from theory.scaling._cost import GPUCost, dcl_math
from theory.scaling._data import as_surface
from theory.scaling._errors import FitError, ScalingInputError
from theory.scaling._varpro import fit_approach3

__all__ = ["BootstrapResult", "bootstrap_approach3", "bootstrap_dcl"]


@dataclass(frozen=True)
class BootstrapResult:
    """Bootstrap of the statistics ``names``: full-data ``estimate``, replicate ``samples`` (n_ok × k, failed
    replicates dropped), percentile interval ``lower``/``upper`` at ``(1 ∓ level)/2`` (linear interpolation),
    ``n_failed`` replicates that raised :class:`FitError`; ``converged`` = fewer than half failed."""

    names: tuple[str, ...]
    estimate: jax.Array
    samples: jax.Array
    lower: jax.Array
    upper: jax.Array
    level: float
    n_boot: int
    n_failed: int
    converged: bool
    status: str


def _check_common(N, D, L, C, n_boot, key, level):
    n = as_float_array(N, "N", error=ScalingInputError, positive=True)
    d = as_float_array(D, "D", error=ScalingInputError, positive=True)
    loss = as_float_array(L, "L", error=ScalingInputError, positive=True)
    c = as_float_array(C, "C", error=ScalingInputError, positive=True)
    check_same_length(ScalingInputError, N=n, D=d, L=loss, C=c)
    if isinstance(n_boot, bool) or int(n_boot) != n_boot or n_boot < 10:
        raise ScalingInputError(f"n_boot must be an integer >= 10, got {short_repr(n_boot)}")
    if key is None:
        raise ScalingInputError("key must be a jax.random key, got None")
    lv = check_probability(level, "level", error=ScalingInputError)
    order = np.argsort(c, kind="stable")
    n, d, loss, c = n[order], d[order], loss[order], c[order]
    budgets, gid, counts = np.unique(c, return_inverse=True, return_counts=True)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return n, d, loss, c, budgets, gid.astype(np.int32), counts, starts, int(n_boot), lv


@jax.jit
def _resample(key, gid, counts, starts):
    """Row indices drawn with replacement within each budget (rows sorted by budget), same count per budget."""
    u = jax.random.uniform(key, gid.shape)
    pick = jnp.minimum(jnp.floor(u * counts[gid]).astype(jnp.int32), counts[gid] - 1)
    return starts[gid] + pick


def _finish(names, estimate, samples, ok, level, n_boot):
    n_failed = int(n_boot - ok.sum())
    if n_failed == n_boot:
        raise FitError(f"all {n_boot} bootstrap replicates failed")
    kept = samples[ok]
    q = np.percentile(kept, [100 * (1 - level) / 2, 100 * (1 + level) / 2], axis=0)
    converged = n_failed < n_boot / 2
    status = "converged" if converged else f"{n_failed} of {n_boot} replicates failed"
    return BootstrapResult(tuple(names), jnp.asarray(estimate), jnp.asarray(kept), jnp.asarray(q[0]),
                           jnp.asarray(q[1]), level, n_boot, n_failed, converged, status)


@partial(jax.jit, static_argnames=("n_groups",))
def _dcl_replicates(keys, logN, logD, L, gid, counts, starts, logC_groups, params, C_eval, usd, min_curv, n_groups):
    def one(key):
        idx = _resample(key, gid, counts, starts)
        a, a0, b, b0, xN, xD, kN, kD = _approach2_kernel(logN[idx], logD[idx], L[idx], gid, logC_groups,
                                                          jnp.ones_like(L), n_groups=n_groups)
        occ = jnp.zeros(L.shape).at[idx].set(1.0)
        distinct = jax.ops.segment_sum(occ, gid, num_segments=n_groups)
        ok = jnp.all(distinct >= 3) & jnp.all(kN > min_curv) & jnp.all(kD > min_curv)
        D_hat = 10.0 ** (b * jnp.log10(C_eval) + b0)
        out = dcl_math(params, C_eval, D_hat, usd)
        stats = jnp.stack([out[9], out[10], out[11]])
        return stats, ok & jnp.all(jnp.isfinite(stats))

    return jax.vmap(one)(keys)


def bootstrap_dcl(N, D, L, C, surface, C_eval, *, n_boot: int = 1000, key=None, level: float = 0.90,
                  cost: GPUCost | None = None, min_curvature: float = 1e-10) -> BootstrapResult:
    """Bootstrap of the dead-weight compute of Approach 2's allocation at ``C_eval`` on ``surface`` (§6).

    Rows are resampled with replacement within each budget (same count, ``jax.random``); each replicate refits
    Approach 2 and evaluates ``DCL = C − C(L̂)`` (see :func:`deadweight_compute`) at its D̂*(C_eval).
    Replicates whose fit fails (a budget with < 3 distinct N or a curvature ≤ ``min_curvature``) are counted in
    ``n_failed``. Statistics: dcl, fraction, dollars.
    """
    n, d, loss, c, budgets, gid, counts, starts, nb, lv = _check_common(N, D, L, C, n_boot, key, level)
    surf = as_surface(surface)
    ce = check_positive(C_eval, "C_eval", error=ScalingInputError)
    cost = GPUCost() if cost is None else cost
    fit = fit_approach2(n, d, loss, c, min_curvature=min_curvature)
    est = dcl_math(surf.as_tuple(), ce, float(fit.D_star(ce)), cost.usd_per_flop)
    estimate = np.array([float(est[9]), float(est[10]), float(est[11])])
    keys = jax.random.split(key, nb)
    stats, ok = _dcl_replicates(keys, jnp.log10(n), jnp.log10(d), jnp.asarray(loss), jnp.asarray(gid),
                                jnp.asarray(counts), jnp.asarray(starts), jnp.log10(jnp.asarray(budgets)),
                                jnp.asarray(surf.as_tuple()), ce, cost.usd_per_flop, float(min_curvature),
                                n_groups=len(budgets))
    return _finish(("dcl", "fraction", "dollars"), estimate, np.asarray(stats), np.asarray(ok), lv, nb)


def _a3_stats(fit) -> np.ndarray:
    s = fit.surface
    return np.array([s.E, s.A, s.B, s.alpha, s.beta, s.beta / (s.alpha + s.beta), s.alpha / (s.alpha + s.beta)])


def bootstrap_approach3(N, D, L, C, *, n_boot: int = 200, key=None, level: float = 0.90,
                        **fit_kwargs) -> BootstrapResult:
    """Bootstrap CIs of the VarPro fit (:func:`fit_approach3` with ``fit_kwargs``): rows resampled within each
    budget; statistics E, A, B, alpha, beta and the allocation exponents ``a = β/(α+β)``, ``b = α/(α+β)``."""
    n, d, loss, c, budgets, gid, counts, starts, nb, lv = _check_common(N, D, L, C, n_boot, key, level)
    estimate = _a3_stats(fit_approach3(n, d, loss, **fit_kwargs))
    keys = jax.random.split(key, nb)
    idx_all = np.asarray(jax.vmap(lambda k: _resample(k, jnp.asarray(gid), jnp.asarray(counts),
                                                      jnp.asarray(starts)))(keys))
    samples = np.full((nb, 7), np.nan)
    ok = np.zeros(nb, dtype=bool)
    for i, idx in enumerate(idx_all):
        try:
            samples[i] = _a3_stats(fit_approach3(n[idx], d[idx], loss[idx], **fit_kwargs))
            ok[i] = np.isfinite(samples[i]).all()
        except FitError:
            ok[i] = False
    return _finish(("E", "A", "B", "alpha", "beta", "a", "b"), estimate, samples, ok, lv, nb)
