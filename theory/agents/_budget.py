"""Token budgets: fan-in caps, communication cost, synergy and the optimal leaf allocation (spec section 2)."""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from theory.agents._checks import MAX_DEPTH, as_int, as_odd, broadcast, gamma_arr, in_range, rho_arr
from theory.agents._errors import AgentsError
from theory.agents._majority import gain_value

__all__ = ["communication_cost_per_leaf", "max_fan_in", "synergy", "Synergy", "optimal_allocation",
           "Allocation", "budget_threshold"]


def communication_cost_per_leaf(m, b, depth=None) -> jax.Array:
    """Tokens spent on messages per leaf: ``c0 = 2 m b / (b - 1)`` [paper] (2m tokens per edge).

    With an integer ``depth`` L the exact cost ``2 m b (1 - b^-L) / (b - 1)`` [recon] of the finite tree.
    """
    b = as_odd(b)
    m = in_range(m, "m", 0.0, None, lo_open=True)
    c0 = 2.0 * m * b / (b - 1.0)
    if depth is None:
        return jnp.asarray(c0)
    depth = as_int(depth, "depth", lo=0, hi=MAX_DEPTH)
    return jnp.asarray(c0 * (1.0 - float(b) ** (-depth)))


def max_fan_in(window, m) -> jax.Array:
    """Largest star fan-in ``N <= floor(W / m)`` for context window W and message length m [paper].

    A tree node needs ``b m <= W``. Raises unless window >= m > 0.
    """
    w = in_range(window, "window", 0.0, None, lo_open=True)
    m = in_range(m, "m", 0.0, None, lo_open=True)
    w, m = broadcast(("window", "m"), w, m)
    if (w < m).any():
        i = np.flatnonzero((w < m).ravel())[0]
        raise AgentsError(f"window must be >= m, got window={w.ravel()[i]!r} < m={m.ravel()[i]!r}")
    return jnp.asarray(np.floor(w / m).astype(np.int64))


@dataclass(frozen=True)
class Synergy:
    """Whether a b-ary tree beats one agent: ``margin = s - beta``, ``synergistic = s > beta`` [paper, Thm 5];
    ``gamma_threshold = b^beta / [rho + (1-rho) g_b]`` is the fidelity needed (> 1: unreachable)."""

    alpha: jax.Array
    s: jax.Array
    beta: jax.Array
    margin: jax.Array
    synergistic: jax.Array
    gamma_threshold: jax.Array


def synergy(beta, gamma, rho, b) -> Synergy:
    """Synergy test ``s = log_b alpha_rho > beta`` for leaf scaling exponent beta [paper, Thm 5].

    Arguments broadcast; beta > 0.
    """
    b = as_odd(b)
    beta = in_range(beta, "beta", 0.0, None, lo_open=True)
    beta, gamma, rho = broadcast(("beta", "gamma", "rho"), beta, gamma_arr(gamma), rho_arr(rho))
    eff = rho + (1.0 - rho) * gain_value(b)
    alpha = gamma * eff
    s = np.log(alpha) / np.log(b)
    return Synergy(alpha=jnp.asarray(alpha), s=jnp.asarray(s), beta=jnp.asarray(beta), margin=jnp.asarray(s - beta),
                   synergistic=jnp.asarray(s > beta), gamma_threshold=jnp.asarray(float(b) ** beta / eff))


def _check_allocation_args(beta, s, c0):
    beta = float(in_range(beta, "beta", 0.0, None, lo_open=True)) if np.ndim(beta) == 0 else None
    if beta is None:
        raise AgentsError("beta must be a scalar")
    if np.ndim(s) != 0 or np.ndim(c0) != 0:
        raise AgentsError(f"s and c0 must be scalars, got shapes {np.shape(s)}, {np.shape(c0)}")
    s = float(in_range(s, "s", None, None))
    c0 = float(in_range(c0, "c0", 0.0, None, lo_open=True))
    return beta, s, c0


def _threshold(beta: float, s: float, c0: float) -> float:
    if s <= beta:
        return float("inf")
    d = s - beta
    # log form: (s^s / beta^beta)^(1/d) overflows for small d
    return float(c0 * np.exp((s * np.log(s) - beta * np.log(beta)) / d) / d)


def budget_threshold(beta, s, c0) -> float:
    """Budget above which the optimal tree beats one agent [recon]:
    ``B_th = c0 (s^s / beta^beta)^(1/(s-beta)) / (s - beta)``, inf if s <= beta."""
    return _threshold(*_check_allocation_args(beta, s, c0))


@dataclass(frozen=True)
class Allocation:
    """Optimal split of budget B between leaf compute x and communication c0 [paper, Thm 9; recon].

    ``x_star = beta c0/(s-beta)``, ``n_leaves_star = B(s-beta)/(s c0)``, ``leaf_share = beta/s``,
    ``ratio_vs_single = R*``, ``budget_threshold = B_th``, ``recommendation`` "tree" iff s > beta and B > B_th.
    With ``b``: ``depth_star = log_b N*`` and the best integer depth ``depth_int`` with its leaf compute
    ``x_int`` and ratio ``ratio_int`` (L = 0, one agent, has ratio 1); otherwise these are None.
    """

    budget: float
    beta: float
    s: float
    c0: float
    synergistic: bool
    x_star: float
    n_leaves_star: float
    leaf_share: float
    ratio_vs_single: float
    budget_threshold: float
    recommendation: str
    depth_star: float | None
    depth_int: int | None
    x_int: float | None
    ratio_int: float | None


def _integer_depth(budget: float, beta: float, s: float, c0: float, b: int) -> tuple[int, float, float]:
    # R_L = b^(L s) x_L^beta / B^beta with x_L = B / b^L - c0 > 0; L = 0 is one agent (no messages, R = 1).
    max_l = int(np.floor(np.log(budget / c0) / np.log(b))) + 1 if budget > c0 else 0
    levels = np.arange(1, max(max_l, 0) + 1)
    x = budget / float(b) ** levels - c0
    ok = x > 0
    levels, x = levels[ok], x[ok]
    log_r = levels * s * np.log(b) + beta * (np.log(np.where(x > 0, x, 1.0)) - np.log(budget))
    best_l, best_x, best_log = 0, budget, 0.0
    for lv, xv, lr in zip(levels, x, log_r, strict=True):
        if lr > best_log:  # strict: ties go to the smaller depth
            best_l, best_x, best_log = int(lv), float(xv), float(lr)
    return best_l, best_x, float(np.exp(best_log))


def optimal_allocation(budget, beta, s, c0, *, b=None) -> Allocation:
    """Best leaf compute x and leaf count N for budget ``B = N (x + c0)`` with leaf bias ``a x^beta`` [paper,
    Thm 9; recon].

    ``R(x) = N^s x^beta / B^beta`` relative to one agent; maximised at ``x* = beta c0/(s-beta)``, giving
    ``R* = [B(s-beta)/c0]^(s-beta) beta^beta / s^s``. If s <= beta one agent is best: x* = B, N* = 1,
    share = R = 1, B_th = inf, recommendation "single". Raises on budget, beta, c0 <= 0 or non-finite s.
    """
    if np.ndim(budget) != 0:
        raise AgentsError(f"budget must be a scalar, got shape {np.shape(budget)}")
    budget = float(in_range(budget, "budget", 0.0, None, lo_open=True))
    beta, s, c0 = _check_allocation_args(beta, s, c0)
    bth = _threshold(beta, s, c0)
    if s > beta:
        d = s - beta
        x_star = beta * c0 / d
        n_star = budget * d / (s * c0)
        share = beta / s
        ratio = float(np.exp(d * np.log(budget * d / c0) + beta * np.log(beta) - s * np.log(s)))
        rec = "tree" if budget > bth else "single"
    else:
        x_star, n_star, share, ratio, rec = budget, 1.0, 1.0, 1.0, "single"
    depth_star = depth_int = x_int = ratio_int = None
    if b is not None:
        b = as_odd(b)
        depth_star = float(np.log(n_star) / np.log(b))
        depth_int, x_int, ratio_int = _integer_depth(budget, beta, s, c0, b)
    return Allocation(budget=budget, beta=beta, s=s, c0=c0, synergistic=s > beta, x_star=float(x_star),
                      n_leaves_star=float(n_star), leaf_share=float(share), ratio_vs_single=ratio,
                      budget_threshold=bth, recommendation=rec, depth_star=depth_star, depth_int=depth_int,
                      x_int=x_int, ratio_int=ratio_int)
