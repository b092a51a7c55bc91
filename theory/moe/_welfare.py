"""Efficiency of the routing equilibrium: social cost, price of anarchy, Pigouvian tolls, Wardrop links."""

from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from scipy.optimize import brentq

from theory.moe import _checks, _model
from theory.moe._equilibrium import solve_equilibrium
from theory.moe._results import AnarchyResult, WardropResult

__all__ = ["parallel_links", "price_of_anarchy", "social_cost"]


@partial(jax.jit, static_argnames=("top_k", "relaxation"))
def _social_jit(pi, q, w, gamma, tau, *, top_k, relaxation):
    load = w @ pi
    e = q.shape[-1]
    if relaxation == "scaled":
        best = top_k * jnp.max(q, axis=-1)
        r_min = -tau * top_k * jnp.log(e)
    else:
        best = jnp.sum(jax.lax.top_k(q, top_k)[0], axis=-1)
        p = top_k / e
        r_min = tau * e * (p * jnp.log(p) + (1 - p) * jnp.log(1 - p))
    quality_gap = jnp.sum(w * (best - jnp.sum(pi * q, axis=-1)))
    entropy_gap = jnp.sum(w * (_model.regulariser(pi, tau, top_k, relaxation) - r_min))
    return gamma * jnp.sum(load**2) + quality_gap + entropy_gap


def social_cost(policy: Any, quality: Any, gamma: Any, tau: Any, *, top_k: int = 1, weights: Any = None,
                relaxation: str = "scaled") -> float:
    """Social cost ``S(π) = Σ_e γL_e² + Σ w_i[r_i − ⟨π_i, q_i⟩] + Σ w_i[R(π_i) − R_min]`` (spec §2, linear cost, t = 0).

    r_i is the best feasible quality (K·max_e q_ie scaled; sum of the K largest q_ie capped); R_min = −τK log E
    (scaled) or τEψ(K/E) (capped). Every term is ≥ 0; S is Φ at congestion 2γ up to a constant, so the
    optimum is the equilibrium at 2γ (*reconstructed*, Roughgarden–Tardos style).
    """
    q = _checks.quality_matrix(quality)
    n, e = q.shape
    pi = _checks.quality_matrix(policy, "policy")
    if pi.shape != q.shape:
        raise _checks.MoEInputError(f"policy must have the shape of quality {q.shape}, got {pi.shape}")
    return float(_social_jit(pi, q, _checks.weight_vector(weights, n), _checks.gamma_value(gamma),
                             _checks.tau_value(tau), top_k=_checks.top_k_value(top_k, e),
                             relaxation=_checks.option(relaxation, "relaxation", _checks.RELAXATIONS)))


def price_of_anarchy(quality: Any, gamma: Any, tau: Any, *, top_k: int = 1, weights: Any = None,
                     relaxation: str = "scaled", cost: str = "linear") -> AnarchyResult:
    """PoA = S(π_eq)/S(π_opt) with π_eq the equilibrium at γ and π_opt the equilibrium at 2γ (spec §2).

    Linear cost only (``cost="log"`` raises: there the marginal cost is c + γ, so the equilibrium is already
    efficient and the PoA is undefined). PoA ∈ [1, 4/3] (the affine Roughgarden–Tardos bound; the entropy and
    quality terms are convex and ≥ 0). The Pigouvian toll t = γL_opt makes the tolled equilibrium optimal.
    """
    if cost != "linear":
        _checks.option(cost, "cost", _checks.COSTS)
        raise _checks.MoEInputError(f"price_of_anarchy needs cost='linear' (log cost is already efficient), "
                                    f"got cost={cost!r}")
    gam = _checks.gamma_value(gamma)
    kw = dict(top_k=top_k, weights=weights, relaxation=relaxation)
    eq = solve_equilibrium(quality, gam, tau, **kw)
    opt = solve_equilibrium(quality, 2 * gam, tau, **kw)
    s_eq = social_cost(eq.policy, quality, gam, tau, **kw)
    s_opt = social_cost(opt.policy, quality, gam, tau, **kw)
    ratio = 1.0 if s_opt == 0 and s_eq == 0 else s_eq / s_opt
    return AnarchyResult(ratio=ratio, equilibrium_cost=s_eq, optimum_cost=s_opt, equilibrium=eq, optimum=opt,
                         toll=gam * opt.loads)


def _water_fill(a, s, d, demand):
    """Flows with equal level a_e + s_e x_e^d on used links (min over unused), Σx = D; s_e = 0 links absorb."""
    const = s == 0
    x = np.zeros_like(a)

    def flow(level):
        with np.errstate(invalid="ignore", divide="ignore"):
            f = np.where(~const & (level > a), np.abs(level - a) / np.where(const, 1.0, s), 0.0) ** (1.0 / d)
        return np.where(~const & (level > a), f, 0.0)

    if const.any():
        cap = a[const].min()
        if flow(cap).sum() <= demand:
            x = flow(cap)
            x[np.flatnonzero(const & (a == cap))[0]] += demand - x.sum()
            return x
    nc = ~const
    lo = a[nc].min()
    hi = a[nc].max() + s[nc].max() * demand**d
    # Brent on the monotone total flow: the level is a 1-D root and scipy's brentq is exact to round-off.
    level = brentq(lambda lv: flow(lv).sum() - demand, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps,
                   maxiter=500)
    return flow(level)


def parallel_links(intercepts: Any, slopes: Any, degree: Any = 1, demand: Any = 1.0) -> WardropResult:
    """Wardrop equilibrium vs system optimum on parallel links ``c_e(x) = a_e + s_e x^d`` (τ = 0; *standard*).

    Equilibrium: used links share one cost, unused ones cost no less (Wardrop/Beckmann). Optimum: the same
    with the marginal cost a + (d+1)s x^d. Total cost Σ x c(x); PoA = cost(eq)/cost(opt) ≤ the Pigou bound
    of degree d; the toll d·s·x_opt^d implements the optimum. ``slopes`` ≥ 0 (0 = constant link).
    """
    a = _checks.as_float_array(intercepts, "intercepts", error=_checks.MoEInputError, ndim=1)
    s = _checks.as_float_array(slopes, "slopes", error=_checks.MoEInputError, ndim=1, nonnegative=True)
    _checks.check_same_length(error=_checks.MoEInputError, intercepts=a, slopes=s)
    d = _checks.check_positive(degree, "degree", error=_checks.MoEInputError)
    dem = _checks.check_positive(demand, "demand", error=_checks.MoEInputError)
    x_eq = _water_fill(a, s, d, dem)
    x_opt = _water_fill(a, (d + 1) * s, d, dem)

    def total(x):
        return float(np.sum(x * (a + s * x**d)))

    c_eq, c_opt = total(x_eq), total(x_opt)
    return WardropResult(equilibrium_flow=x_eq, optimum_flow=x_opt, equilibrium_cost=c_eq, optimum_cost=c_opt,
                         poa=c_eq / c_opt if c_opt != 0 else 1.0, toll=d * s * x_opt**d)
