"""Depth recursion of the bias, the clipped predictor and the crossover depth (spec section 2)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from theory.agents._checks import MAX_DEPTH, as_int, as_odd, broadcast, gamma_arr, in_range, rho_arr
from theory.agents._errors import AgentsError
from theory.agents._majority import f_b, gain_value
from theory.agents._phase import solve_fixed_point

__all__ = ["bias_recursion", "Trajectory", "clipped_predictor", "crossover_depth", "recursion_kernel"]


@dataclass(frozen=True)
class Trajectory:
    """Bias by level: ``levels`` (depth+1,), ``mu``/``accuracy``/``small_signal`` (depth+1, *S),
    ``alpha`` (depth,) the per-step amplification factors, ``n_leaves`` = b^l (depth+1,) as float64."""

    levels: jax.Array
    mu: jax.Array
    accuracy: jax.Array
    alpha: jax.Array
    small_signal: jax.Array
    n_leaves: jax.Array


@partial(jax.jit, static_argnums=3)
def recursion_kernel(mu0, gammas, rhos, b):
    """``mu_{l+1} = rho_l gamma_l mu_l + (1-rho_l) f_b(gamma_l mu_l)`` by ``lax.scan``; returns (depth+1, *S)."""

    def step(mu, gr):
        g, r = gr
        new = r * g * mu + (1.0 - r) * f_b(g * mu, b)
        return new, new

    _, mus = jax.lax.scan(step, mu0, (gammas, rhos))
    return jnp.concatenate([mu0[None], mus], axis=0)


def _per_level(value, name: str, depth: int, checker) -> np.ndarray:
    arr = checker(value, name)
    if arr.ndim == 0:
        return np.full(depth, float(arr))
    if arr.ndim != 1 or arr.shape[0] != depth:
        raise AgentsError(f"{name} must be a scalar or 1-D of length depth = {depth}, got shape {arr.shape}")
    return arr


def bias_recursion(mu0, gamma, rho, b, depth) -> Trajectory:
    """Iterate ``mu_{l+1} = F_l(mu_l) = f_{b,rho_l}(gamma_l mu_l)`` from the leaves (l = 0) to the root [paper].

    ``mu0`` any shape S in [-1, 1]; ``gamma``, ``rho`` scalars or 1-D of length ``depth`` (step l uses index
    l: depth-varying fidelity/correlation). ``small_signal[l] = mu0 prod_{j<l} alpha_j`` is the linearised
    bias, an upper bound on ``mu[l]`` for mu0 >= 0 (F is concave on [0, 1]).
    """
    b = as_odd(b)
    depth = as_int(depth, "depth", lo=0, hi=MAX_DEPTH)
    mu0 = in_range(mu0, "mu0", -1.0, 1.0)
    gammas = _per_level(gamma, "gamma", depth, gamma_arr)
    rhos = _per_level(rho, "rho", depth, rho_arr)
    mu = recursion_kernel(jnp.asarray(mu0), jnp.asarray(gammas), jnp.asarray(rhos), b)
    alpha = gammas * (rhos + (1.0 - rhos) * gain_value(b))
    gain = np.concatenate([[1.0], np.cumprod(alpha)])
    small = jnp.asarray(gain.reshape((-1,) + (1,) * mu0.ndim) * mu0[None])
    levels = np.arange(depth + 1)
    return Trajectory(levels=jnp.asarray(levels), mu=mu, accuracy=(1.0 + mu) / 2.0, alpha=jnp.asarray(alpha),
                      small_signal=small, n_leaves=jnp.asarray(float(b) ** levels.astype(np.float64)))


def _fixed_points(gamma: np.ndarray, rho: np.ndarray, b: int):
    mu, alpha, slope, _, _, _ = solve_fixed_point(jnp.asarray(gamma), jnp.asarray(rho), b, 1e-13, 100)
    return np.asarray(mu), np.asarray(alpha), np.asarray(slope)


def clipped_predictor(n_leaves, mu0, gamma, rho, b) -> jax.Array:
    """Upper bound on the root bias mu_L of a tree with ``n_leaves`` = N = b^L leaves [recon].

    ``min(N^s mu0, mu*)`` if amplifying and mu0 <= mu*; ``mu* + lambda*^L (mu0 - mu*)`` if amplifying and
    mu0 > mu*; ``N^s mu0`` if alpha <= 1 (N^s = alpha^L, L = log_b N real). Both pieces bound mu_L because F
    is concave on [0, 1] (F(x) <= alpha x and F(x) <= mu* + lambda*(x - mu*)). The paper calls its predictor
    "conservative"; this one is an upper bound. Arguments broadcast; mu0 in [0, 1], n_leaves >= 1.
    """
    b = as_odd(b)
    n = in_range(n_leaves, "n_leaves", 1.0, None)
    mu0 = in_range(mu0, "mu0", 0.0, 1.0)
    n, mu0, gamma, rho = broadcast(("n_leaves", "mu0", "gamma", "rho"), n, mu0, gamma_arr(gamma), rho_arr(rho))
    mu_star, alpha, lam = _fixed_points(gamma, rho, b)
    depth = np.log(n) / np.log(b)
    amp = alpha > 1.0 + 1e-12
    small = alpha**depth * mu0
    with np.errstate(divide="ignore", invalid="ignore"):
        above = mu_star + lam**depth * (mu0 - mu_star)
    pred = np.where(amp, np.where(mu0 <= mu_star, np.minimum(small, mu_star), above), small)
    return jnp.asarray(pred)


def crossover_depth(mu0, gamma, rho, b) -> jax.Array:
    """Depth at which the linear growth alpha^L mu0 reaches mu*: ``L_x = ln(mu*/mu0) / ln(alpha)`` [recon].

    0 if mu0 >= mu*; inf if alpha <= 1 or mu0 = 0. Arguments broadcast; mu0 in [0, 1].
    """
    b = as_odd(b)
    mu0 = in_range(mu0, "mu0", 0.0, 1.0)
    mu0, gamma, rho = broadcast(("mu0", "gamma", "rho"), mu0, gamma_arr(gamma), rho_arr(rho))
    mu_star, alpha, _ = _fixed_points(gamma, rho, b)
    amp = alpha > 1.0 + 1e-12
    with np.errstate(divide="ignore", invalid="ignore"):
        lx = np.log(mu_star / mu0) / np.log(alpha)
    out = np.where(~amp | (mu0 == 0.0), np.inf, np.where(mu0 >= mu_star, 0.0, lx))
    return jnp.asarray(out)
