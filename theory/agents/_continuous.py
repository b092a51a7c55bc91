"""Continuous-error analogue: variance of a tree of averaging agents (spec section 2, "Continuous").

Sibling errors have variance v_l and pairwise correlation rho; every edge adds independent noise sigma_c^2.
Eq. 13 [paper]: the floor ``v* = sigma_c^2 / [(b-1)(1-rho)]``; the rest is our reconstruction [recon].
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from theory.agents._checks import MAX_DEPTH, as_odd, broadcast, in_range, rho_arr
from theory.agents._errors import AgentsError

__all__ = ["variance_floor", "tree_variance", "mixing_depth", "star_risk", "chain_risk"]


def _nonneg(value, name):
    return in_range(value, name, 0.0, None)


def _depths(depth, name="depth") -> np.ndarray:
    arr = np.asarray(depth)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        if not (np.issubdtype(arr.dtype, np.floating) and np.all(np.isfinite(arr)) and np.all(arr == np.floor(arr))):
            raise AgentsError(f"{name} must be an integer (or array of integers), got {depth!r}")
    if arr.size == 0:
        raise AgentsError(f"{name} must be non-empty")
    if (arr < 0).any() or (arr > MAX_DEPTH).any():
        raise AgentsError(f"{name} must lie in [0, {MAX_DEPTH}], got {depth!r}")
    return arr.astype(np.int64)


def variance_floor(sigma_c2, rho, b) -> jax.Array:
    """``v* = sigma_c^2 / [(b-1)(1-rho)]`` [paper, Eq. 13]: fixed point of ``v -> kappa v + sigma_c^2/b``."""
    b = as_odd(b)
    s2, rho = broadcast(("sigma_c2", "rho"), _nonneg(sigma_c2, "sigma_c2"), rho_arr(rho))
    return jnp.asarray(s2 / ((b - 1.0) * (1.0 - rho)))


def tree_variance(v0, sigma_c2, rho, b, depth) -> jax.Array:
    """``v_L = v* + kappa^L (v0 - v*)``, ``kappa = rho + (1-rho)/b`` [recon], solving
    ``v_{l+1} = kappa v_l + sigma_c^2 / b``. ``depth`` is an int or an int array; arguments broadcast."""
    b = as_odd(b)
    L = _depths(depth)
    v0, s2, rho, L = broadcast(("v0", "sigma_c2", "rho", "depth"), _nonneg(v0, "v0"), _nonneg(sigma_c2, "sigma_c2"),
                               rho_arr(rho), L)
    kappa = rho + (1.0 - rho) / b
    vstar = s2 / ((b - 1.0) * (1.0 - rho))
    return jnp.asarray(vstar + kappa**L * (v0 - vstar))


def mixing_depth(v0, sigma_c2, rho, b, eps) -> jax.Array:
    """Least depth L >= 0 with ``|v_L - v*| = kappa^L |v0 - v*| <= eps`` [recon]. Arguments broadcast."""
    b = as_odd(b)
    v0, s2, rho, eps = broadcast(("v0", "sigma_c2", "rho", "eps"), _nonneg(v0, "v0"), _nonneg(sigma_c2, "sigma_c2"),
                                 rho_arr(rho), in_range(eps, "eps", 0.0, None, lo_open=True))
    kappa = rho + (1.0 - rho) / b
    vstar = s2 / ((b - 1.0) * (1.0 - rho))
    gap = np.abs(v0 - vstar)
    with np.errstate(divide="ignore"):
        guess = np.ceil(np.log(eps / np.where(gap > 0, gap, 1.0)) / np.log(kappa))
    guess = np.where(gap <= eps, 0.0, np.maximum(guess, 0.0)).astype(np.int64)
    # the logarithm can land one off at an exact boundary; settle it with the defining inequality
    guess = np.where((guess > 0) & (kappa ** (guess - 1.0) * gap <= eps), guess - 1, guess)
    guess = np.where(kappa**guess * gap > eps, guess + 1, guess)
    return jnp.asarray(guess)


def star_risk(n, v0, sigma_c2, rho) -> jax.Array:
    """Error variance of a star averaging n correlated agents: ``v0 (rho + (1-rho)/n) + sigma_c^2 / n`` [recon]."""
    n = in_range(n, "n", 1.0, None)
    n, v0, s2, rho = broadcast(("n", "v0", "sigma_c2", "rho"), n, _nonneg(v0, "v0"), _nonneg(sigma_c2, "sigma_c2"),
                               rho_arr(rho))
    return jnp.asarray(v0 * (rho + (1.0 - rho) / n) + s2 / n)


def chain_risk(length, v0, sigma_c2) -> jax.Array:
    """Error variance after a chain of L relays, each adding sigma_c^2: ``v0 + L sigma_c^2`` [recon]."""
    L = _depths(length, "length")
    L, v0, s2 = broadcast(("length", "v0", "sigma_c2"), L, _nonneg(v0, "v0"), _nonneg(sigma_c2, "sigma_c2"))
    return jnp.asarray(v0 + L * s2)
