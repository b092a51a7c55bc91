"""Correlated majority map, amplification factor, thresholds and fixed points (spec section 2).

Recursion [paper]: ``f_{b,rho}(x) = rho x + (1-rho) f_b(x)``, ``mu_{l+1} = F(mu_l) = f_{b,rho}(gamma mu_l)``,
``alpha_rho = F'(0) = gamma [rho + (1-rho) g_b]``, ``s = ln(alpha_rho) / ln(b)``.
Thresholds: ``gamma_c(rho) = 1 / [rho + (1-rho) g_b]``, ``delta_c = (1 - gamma_c) / 2``,
``rho_c(gamma) = clip((g_b - 1/gamma) / (g_b - 1), 0, 1)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from theory._validate import as_float_array
from theory.agents._checks import as_odd, bias_arr, broadcast, gamma_arr, rho_arr
from theory.agents._errors import AgentsError
from theory.agents._majority import f_b, f_b_slope, gain_value

__all__ = ["correlated_majority_bias", "one_step_map", "amplification_factor", "organization_exponent",
           "critical_fidelity", "noise_threshold", "critical_correlation", "fixed_point", "FixedPoint",
           "phase_grid", "PhaseGrid", "solve_fixed_point", "ALPHA_TOL"]

ALPHA_TOL = 1e-12  # alpha within this of 1 counts as critical (spec section 2, "Regimes")

# status codes of the fixed-point solver (scipy-style integers)
STATUS_NEWTON = 0       # Newton iteration converged
STATUS_MAX_ITER = 1     # max_iter reached before |step| <= tol
STATUS_CLOSED_FORM = 2  # mu* known exactly: 0 (alpha <= 1) or 1 (gamma = 1)
_STATUS_TEXT = {STATUS_NEWTON: "converged (Newton from mu = 1)", STATUS_MAX_ITER: "max_iter reached",
                STATUS_CLOSED_FORM: "closed form (mu* = 0 when alpha <= 1, mu* = 1 when gamma = 1)"}


def _F(mu, gamma, rho, b):
    return rho * gamma * mu + (1.0 - rho) * f_b(gamma * mu, b)


def _dF(mu, gamma, rho, b):
    return gamma * (rho + (1.0 - rho) * f_b_slope(gamma * mu, b))


@partial(jax.jit, static_argnums=(2, 4))
def solve_fixed_point(gamma, rho, b, tol, max_iter):
    """Elementwise fixed point of F on [0, 1] for same-shape ``gamma``, ``rho`` (static ``b``, ``max_iter``).

    h(mu) = F(mu) - mu is concave on [0, 1] with h(0) = 0, h'(0) = alpha - 1 > 0 and h(1) <= 0 when
    amplifying, so Newton started at mu = 1 decreases monotonically onto the unique positive root and can
    never jump to the trivial root 0 (the tangent of a concave function lies above it). Returns
    (mu_star, alpha, slope, n_iter, last_step, status).
    """
    g = gain_value(b)
    alpha = gamma * (rho + (1.0 - rho) * g)
    amplifying = alpha > 1.0 + ALPHA_TOL
    closed = (~amplifying) | (gamma >= 1.0)
    mu0 = jnp.where(amplifying, 1.0, 0.0)
    step0 = jnp.where(closed, 0.0, jnp.inf)

    def cond(state):
        _, it, step = state
        return (it < max_iter) & jnp.any(step > tol)

    def body(state):
        mu, it, step = state
        active = step > tol
        h = _F(mu, gamma, rho, b) - mu
        dh = _dF(mu, gamma, rho, b) - 1.0
        new = jnp.clip(mu - h / jnp.where(active, dh, -1.0), 0.0, 1.0)
        new = jnp.where(active, new, mu)
        return new, it + 1, jnp.where(active, jnp.abs(new - mu), step)

    mu, n_iter, step = jax.lax.while_loop(cond, body, (mu0, jnp.zeros((), jnp.int64), step0))
    slope = _dF(mu, gamma, rho, b)
    status = jnp.where(closed, STATUS_CLOSED_FORM, jnp.where(step <= tol, STATUS_NEWTON, STATUS_MAX_ITER))
    return mu, alpha, slope, jnp.where(closed, 0, n_iter), step, status


def _regime(alpha: float) -> str:
    if alpha > 1.0 + ALPHA_TOL:
        return "amplifying"
    return "critical" if alpha >= 1.0 - ALPHA_TOL else "subcritical"


def correlated_majority_bias(x, rho, b) -> jax.Array:
    """``f_{b,rho}(x) = rho x + (1-rho) f_b(x)``: copy-model majority of correlated inputs [paper]."""
    b = as_odd(b)
    x, rho = broadcast(("x", "rho"), bias_arr(x, "x"), rho_arr(rho))
    return _corr_jit(jnp.asarray(x), jnp.asarray(rho), b)


@partial(jax.jit, static_argnums=2)
def _corr_jit(x, rho, b):
    return rho * x + (1.0 - rho) * f_b(x, b)


def one_step_map(mu, gamma, rho, b) -> jax.Array:
    """``F(mu) = f_{b,rho}(gamma mu)``: bias one level up the tree [paper] (noisy edges, then vote)."""
    b = as_odd(b)
    mu, gamma, rho = broadcast(("mu", "gamma", "rho"), bias_arr(mu), gamma_arr(gamma), rho_arr(rho))
    return _F_jit(jnp.asarray(mu), jnp.asarray(gamma), jnp.asarray(rho), b)


_F_jit = jax.jit(_F, static_argnums=3)


def amplification_factor(gamma, rho, b) -> jax.Array:
    """``alpha_rho = F'(0) = gamma [rho + (1-rho) g_b]`` [paper]; > 1 amplifies, <= 1 collapses to chance."""
    b = as_odd(b)
    gamma, rho = broadcast(("gamma", "rho"), gamma_arr(gamma), rho_arr(rho))
    return jnp.asarray(gamma * (rho + (1.0 - rho) * gain_value(b)))


def organization_exponent(gamma, rho, b) -> jax.Array:
    """``s = ln(alpha_rho) / ln(b)`` [paper]: the small-signal bias grows as ``N^s`` with N = b^L leaves."""
    b = as_odd(b)
    return jnp.log(amplification_factor(gamma, rho, b)) / np.log(b)


def critical_fidelity(rho, b) -> jax.Array:
    """``gamma_c(rho) = 1 / [rho + (1-rho) g_b]`` [paper/recon]: message fidelity at which alpha_rho = 1."""
    b = as_odd(b)
    rho = rho_arr(rho)
    return jnp.asarray(1.0 / (rho + (1.0 - rho) * gain_value(b)))


def noise_threshold(rho, b) -> jax.Array:
    """``delta_c = (1 - gamma_c) / 2``: largest tolerable edge flip probability.

    At rho = 0 this is the Evans-Schulman threshold ``eps_b = 1/2 - 2^(b-2) / (b C(b-1,k))``, eps_3 = 1/6
    [classical].
    """
    return (1.0 - critical_fidelity(rho, b)) / 2.0


def critical_correlation(gamma, b) -> jax.Array:
    """``rho_c(gamma) = clip((g_b - 1/gamma) / (g_b - 1), 0, 1)``: the tree amplifies iff rho < rho_c."""
    b = as_odd(b)
    gamma = gamma_arr(gamma)
    g = gain_value(b)
    return jnp.asarray(np.clip((g - 1.0 / gamma) / (g - 1.0), 0.0, 1.0))


@dataclass(frozen=True)
class FixedPoint:
    """Fixed point mu* = F(mu*) of the bias recursion, with the solver's status.

    ``regime``: "subcritical" (alpha < 1), "critical" (alpha = 1 within 1e-12) or "amplifying";
    ``slope`` = ``lambda* = F'(mu*) = rho gamma + (1-rho) gamma f_b'(gamma mu*)``; ``status``: 0 Newton
    converged, 1 max_iter reached, 2 closed form; ``message`` says the same in words.
    """

    mu_star: float
    accuracy_star: float
    alpha: float
    s: float
    regime: str
    slope: float
    converged: bool
    n_iter: int
    status: int
    message: str


def fixed_point(gamma, rho, b, *, tol: float = 1e-13, max_iter: int = 100) -> FixedPoint:
    """Stable fixed point of ``F(mu) = rho gamma mu + (1-rho) f_b(gamma mu)`` on [0, 1] [paper, Thm 4].

    alpha <= 1: mu* = 0; alpha > 1: the unique mu* in (0, 1] (mu* = 1 iff gamma = 1), found by monotone
    Newton from mu = 1 to |step| <= tol (error <= 1e-12). Scalars only; use :func:`phase_grid` for arrays.
    """
    b = as_odd(b)
    for name, v in (("gamma", gamma), ("rho", rho)):
        if np.ndim(v) != 0:
            raise AgentsError(f"{name} must be a scalar, got shape {np.shape(v)}")
    gamma = float(gamma_arr(gamma))
    rho = float(rho_arr(rho))
    tol = float(as_float_array(tol, "tol", error=AgentsError, ndim=0, positive=True))
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise AgentsError(f"max_iter must be an integer >= 1, got {max_iter!r}")
    mu, alpha, slope, n_iter, _, status = solve_fixed_point(jnp.float64(gamma), jnp.float64(rho), b, tol,
                                                            int(max_iter))
    alpha = float(alpha)
    status = int(status)
    return FixedPoint(mu_star=float(mu), accuracy_star=(1.0 + float(mu)) / 2.0, alpha=alpha,
                      s=float(np.log(alpha) / np.log(b)), regime=_regime(alpha), slope=float(slope),
                      converged=status != STATUS_MAX_ITER, n_iter=int(n_iter), status=status,
                      message=_STATUS_TEXT[status])


@dataclass(frozen=True)
class PhaseGrid:
    """Phase diagram on the grid gamma x rho.

    ``gamma`` (G,), ``rho`` (R,) are the axes; ``alpha``, ``s``, ``mu_star``, ``accuracy_star`` and
    ``converged`` have shape (G, R) (row i is gamma[i]); ``critical_gamma`` = gamma_c(rho) has shape (R,).
    """

    gamma: jax.Array
    rho: jax.Array
    b: int
    alpha: jax.Array
    s: jax.Array
    mu_star: jax.Array
    accuracy_star: jax.Array
    critical_gamma: jax.Array
    converged: jax.Array


@partial(jax.jit, static_argnums=2)
def _grid_kernel(gammas, rhos, b):
    gg = jax.vmap(lambda g: jnp.full(rhos.shape, g))(gammas)
    rr = jax.vmap(lambda _: rhos)(gammas)
    mu, alpha, _, _, _, status = solve_fixed_point(gg, rr, b, 1e-13, 100)
    return mu, alpha, status != STATUS_MAX_ITER


def phase_grid(gammas, rhos, b) -> PhaseGrid:
    """alpha_rho, s, mu* and p* = (1 + mu*)/2 on the grid ``gammas x rhos`` [paper, Thm 4; recon].

    One jitted, vectorised monotone-Newton solve of ``F(mu) = mu`` for all grid points; f_b by exact
    Gauss-Legendre quadrature. ``gammas`` and ``rhos`` must be non-empty 1-D arrays.
    """
    b = as_odd(b)
    gammas = as_float_array(gammas, "gammas", error=AgentsError, ndim=1)
    rhos = as_float_array(rhos, "rhos", error=AgentsError, ndim=1)
    gammas, rhos = gamma_arr(gammas, "gammas"), rho_arr(rhos, "rhos")
    mu, alpha, conv = _grid_kernel(jnp.asarray(gammas), jnp.asarray(rhos), b)
    return PhaseGrid(gamma=jnp.asarray(gammas), rho=jnp.asarray(rhos), b=b, alpha=alpha,
                     s=jnp.log(alpha) / np.log(b), mu_star=mu, accuracy_star=(1.0 + mu) / 2.0,
                     critical_gamma=jnp.asarray(1.0 / (rhos + (1.0 - rhos) * gain_value(b))), converged=conv)
