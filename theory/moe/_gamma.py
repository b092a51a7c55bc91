"""Congestion γ from loads: the aux-loss γ_explicit, three estimators and a batch bootstrap (spec §2)."""

from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from theory.moe import _checks, _solver
from theory.moe._calibrate import calibrate_core
from theory.moe._results import GammaFit, GammaInterval

__all__ = ["bootstrap_gamma", "estimate_gamma", "gamma_explicit"]

GAMMA_METHODS = ("dual", "regression", "temperature")
_GRID = 600
_GOLDEN = 0.5 * (jnp.sqrt(5.0) - 1)


def gamma_explicit(alpha: Any, num_experts: int, top_k: int = 1, *, scale: float = 1.0) -> float:
    """γ_explicit = scale·αE/K (spec §2, *reconstructed*).

    The aux loss α·E·Σ_e f_e P_e (Switch Eq. 4; DeepSeek-V3 Eqs. 17–20; Wang et al. Eq. 2; *standard*), with
    f_e = count_e/(KT) = L_e/K, charges a token routed to e the marginal cost αE·f_e = (αE/K)·L_e.
    """
    a = _checks.check_positive(alpha, "alpha", error=_checks.MoEInputError, strict=False)
    e = _checks.count_value(num_experts, "num_experts")
    if e < 2:
        raise _checks.MoEInputError(f"num_experts must be >= 2, got {e}")
    k = _checks.top_k_value(top_k, e)
    s = _checks.check_positive(scale, "scale", error=_checks.MoEInputError, strict=False)
    return s * a * e / k


def _ols(x, y):
    xm, ym = jnp.mean(x), jnp.mean(y)
    sxx = jnp.sum((x - xm) ** 2)
    slope = jnp.sum((x - xm) * (y - ym)) / sxx
    intercept = ym - slope * xm
    sst = jnp.sum((y - ym) ** 2)
    r2 = jnp.where(sst > 0, 1 - jnp.sum((y - intercept - slope * x) ** 2) / jnp.where(sst > 0, sst, 1.0), 1.0)
    return slope, intercept, r2


def _softmax_l1(log_t, qbar, share):
    return jnp.sum(jnp.abs(jax.nn.softmax(qbar / jnp.exp(log_t)) - share))


def best_temperature(qbar, share):
    """T̂ = argmin_T Σ|softmax(q̄/T) − f|: a log-spaced grid, then golden-section search around its best point.

    Hand-written (not scipy) so it vmaps inside the bootstrap; the objective is piecewise smooth, which
    golden section tolerates and Newton-type searches do not.
    """
    spread = jnp.maximum(jnp.max(qbar) - jnp.min(qbar), 1e-12)
    grid = jnp.linspace(jnp.log(spread) - 7.0, jnp.log(spread) + 9.0, _GRID)
    vals = jax.vmap(lambda lt: _softmax_l1(lt, qbar, share))(grid)
    k = jnp.clip(jnp.argmin(vals), 1, _GRID - 2)
    lo, hi = grid[k - 1], grid[k + 1]

    def body(_, bracket):
        lo, hi = bracket
        c, d = hi - _GOLDEN * (hi - lo), lo + _GOLDEN * (hi - lo)
        left = _softmax_l1(c, qbar, share) <= _softmax_l1(d, qbar, share)
        return jnp.where(left, lo, c), jnp.where(left, d, hi)

    lo, hi = jax.lax.fori_loop(0, 120, body, (lo, hi))
    log_t = 0.5 * (lo + hi)
    return jnp.exp(log_t), _softmax_l1(log_t, qbar, share)


def estimate_core(q, w, lobs, tau, *, top_k, relaxation, method):
    """(γ̂, intercept, T, r², y-or-bias, status) for one data set; jit/vmap-safe. ``lobs`` sums to K."""
    e = q.shape[-1]
    qbar = w @ q
    if method == "dual":
        b, _, _, _, status = calibrate_core(q, w, lobs, tau, 1e-12, top_k=top_k, relaxation=relaxation)
        slope, icpt, r2 = _ols(lobs, b)
        return slope, icpt, tau + slope * top_k / e, r2, b, status
    if method == "regression":
        if relaxation == "scaled":
            y = qbar - tau * jnp.log(lobs)
        else:
            y = qbar - tau * jnp.log(lobs / (1 - lobs))
        slope, icpt, r2 = _ols(lobs, y)
        return slope, icpt, tau + slope * top_k / e, r2, y, jnp.where(jnp.all(jnp.isfinite(y)), 0, 2)
    t_hat, _ = best_temperature(qbar, lobs / top_k)
    gam = (t_hat - tau) * e / top_k
    return gam, jnp.nan, t_hat, jnp.nan, jnp.full(e, jnp.nan), 0


@partial(jax.jit, static_argnames=("top_k", "relaxation", "method"))
def _estimate_jit(q, w, lobs, tau, *, top_k, relaxation, method):
    return estimate_core(q, w, lobs, tau, top_k=top_k, relaxation=relaxation, method=method)


def estimate_gamma(quality: Any, loads: Any, tau: Any, *, top_k: int = 1, weights: Any = None,
                   relaxation: str = "scaled", method: str = "dual") -> GammaFit:
    """Estimate the congestion γ from observed loads L^obs (rescaled so ΣL = K); spec §2 (*reconstructed*).

    * ``dual``: calibrate b̂ with L(b̂) = L^obs, mean b̂ = 0 (:func:`calibrate_bias`), then OLS
      b̂_e = γ̂ L^obs_e + μ̂. Exact for linear-cost equilibria with any types and weights.
    * ``regression``: single type q̄ = Σ w_i q_i; OLS of y = q̄ − τ log L^obs (scaled) or q̄ − τ logit L^obs
      (capped) on L^obs. Exact for one type; biased by type heterogeneity.
    * ``temperature``: T̂ = argmin_T Σ|softmax(q̄/T) − L^obs/K|, γ̂ = (T̂ − τ)E/K (the softmax reading).

    ``temperature`` is T̂ for that method and τ + γ̂K/E (the linear-cost effective temperature) otherwise;
    ``l1_error`` is the in-sample L¹ between the fitted model's loads and L^obs (the softmax at T̂ for
    ``temperature``; the linear-cost equilibrium at max(γ̂, 0) otherwise).
    """
    q = _checks.quality_matrix(quality)
    n, e = q.shape
    k = _checks.top_k_value(top_k, e)
    method = _checks.option(method, "method", GAMMA_METHODS)
    relaxation = _checks.option(relaxation, "relaxation", _checks.RELAXATIONS)
    lobs = _checks.observed_loads(loads, e, k, positive=method in ("dual", "regression"))
    if relaxation == "capped" and method == "regression" and (lobs >= 1).any():
        raise _checks.MoEInputError(f"loads rescaled to sum {k} must be < 1 for the capped logit, got "
                                    f"{_checks.short_repr(lobs)}")
    w = _checks.weight_vector(weights, n)
    ta = _checks.tau_value(tau)
    gam, icpt, temp, r2, bias, status = _estimate_jit(q, w, lobs, ta, top_k=k, relaxation=relaxation,
                                                      method=method)
    gam = float(gam)
    if method == "temperature":
        pred = np.asarray(jax.nn.softmax((w @ q) / float(temp)))
    else:
        pred = np.asarray(_solver.solve_and_summarise(
            q, w, max(gam, 0.0), ta, np.zeros(e), np.full(e, np.nan), -1.0, 1e-11, max_iter=500, top_k=k,
            cost="linear", relaxation=relaxation, method="newton")[1])
    l1 = float(np.abs(pred / pred.sum() - lobs / k).sum())
    code = int(status)
    return GammaFit(gamma=gam, intercept=float(icpt), temperature=float(temp), l1_error=l1, r_squared=float(r2),
                    bias=bias, method=method, converged=code == 0 and np.isfinite(gam),
                    status=("converged", "max_iter", "nonfinite")[code])


@partial(jax.jit, static_argnames=("top_k", "method"))
def _bootstrap_jit(q_flat, loads_share, mult, tau, *, top_k, method):
    bsz = loads_share.shape[0]
    n = q_flat.shape[0] // bsz

    def one(m):
        w = jnp.repeat(m / (bsz * n), n)
        lobs = m @ loads_share / bsz
        lobs = lobs * top_k / jnp.sum(lobs)
        gam, *_, status = estimate_core(q_flat, w, lobs, tau, top_k=top_k, relaxation="scaled", method=method)
        return jnp.where(status == 0, gam, jnp.nan)

    return jax.vmap(one)(mult)


def bootstrap_gamma(quality: Any, loads: Any, tau: Any, key: Any, *, n_boot: int = 1000, level: float = 0.95,
                    top_k: int = 1, method: str = "dual") -> GammaInterval:
    """Percentile bootstrap interval for γ̂, resampling whole batches (spec §3, scaled relaxation).

    ``quality`` is (B, n, E) (B batches of n tokens), ``loads`` (B, E) the observed per-batch loads. A
    replicate draws B batches with replacement (``jax.random`` key), pools their tokens with weights
    ∝ multiplicity and their loads likewise, and re-runs :func:`estimate_gamma`; all replicates run as one
    vmapped, jitted call. Replicates whose estimator fails (e.g. a pooled zero load) are NaN and excluded
    from the percentiles.
    """
    q = _checks.quality_matrix(quality, batch=True)
    bsz, n, e = q.shape
    k = _checks.top_k_value(top_k, e)
    method = _checks.option(method, "method", GAMMA_METHODS)
    lo = _checks.as_float_array(loads, "loads", error=_checks.MoEInputError, ndim=2, nonnegative=True)
    if lo.shape != (bsz, e):
        raise _checks.MoEInputError(f"loads must have shape ({bsz}, {e}) to match quality, got {lo.shape}")
    sums = lo.sum(axis=1)
    if (sums <= 0).any():
        raise _checks.MoEInputError(f"loads must not be all zero in any batch, got zero row {int(np.argmin(sums))}")
    if method != "temperature" and (lo.sum(axis=0) == 0).any():
        raise _checks.MoEInputError("loads must be > 0 for some batch in every expert for this method")
    n_boot = _checks.count_value(n_boot, "n_boot")
    level = _checks.check_probability(level, "level", error=_checks.MoEInputError)
    ta = _checks.tau_value(tau)
    share = lo / sums[:, None]
    draws = jax.random.randint(key, (n_boot, bsz), 0, bsz)
    mult = jax.vmap(lambda d: jnp.bincount(d, length=bsz).astype(jnp.float64))(draws)
    q_flat = q.reshape(bsz * n, e)
    samples = _bootstrap_jit(q_flat, share, mult, ta, top_k=k, method=method)
    point = float(_bootstrap_jit(q_flat, share, jnp.ones((1, bsz)), ta, top_k=k, method=method)[0])
    s = np.asarray(samples)
    lower, upper = np.nanpercentile(s, [50 * (1 - level), 50 * (1 + level)])
    return GammaInterval(estimate=point, lower=float(lower), upper=float(upper), samples=samples, level=level)
