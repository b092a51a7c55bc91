"""Classical voting anchors: Condorcet juries, correlated juries, and Chen et al.'s mixture of queries.

Condorcet [classical]: ``P_n(p) = P(Bin(n, p) >= k+1) = I_p(k+1, k+1)``, n = 2k+1.
Chen et al. (arXiv:2403.02419) [paper]: ``F(K) = alpha I_{p1}((K+1)/2, (K+1)/2) + (1-alpha) I_{p2}(...)``.
The incomplete beta comes from SciPy (its Boost kernel is accurate to ~1e-15 for the large shape
parameters used here; jax.scipy's betainc is neither faster nor as accurate on CPU).
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
from scipy import special, stats

from theory.agents._checks import as_odd, broadcast, check_model, in_range, prob_arr, rho_arr
from theory.agents._errors import AgentsError
from theory.agents._majority import gain_value

__all__ = ["condorcet_accuracy", "correlated_jury_accuracy", "dependence_gain", "vote_accuracy",
           "optimal_num_calls", "VotePeak", "condorcet_values"]

MODELS = ("mixture", "beta_binomial")
SHAPE_TOL = 1e-13


def condorcet_values(n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Unchecked ``I_p(k+1, k+1)`` on validated, broadcast arrays."""
    k = (n - 1) // 2
    return special.betainc(k + 1.0, k + 1.0, p)


def condorcet_accuracy(n, p) -> jax.Array:
    """Accuracy of a majority of n independent voters each right w.p. p: ``I_p(k+1, k+1)`` [classical].

    ``n`` odd >= 1 (int or int array), ``p`` in [0, 1]; they broadcast.
    """
    n, p = broadcast(("n", "p"), as_odd(n, "n", allow_one=True, array=True), prob_arr(p))
    return jnp.asarray(condorcet_values(n, p))


def _betabinom_sf(k: np.ndarray, n: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """P(X > k) for X ~ BetaBin(n, a, b), accurate for any a + b.

    Written by hand because ``scipy.stats.betabinom.sf`` works through differences of log-gamma values and
    loses about 1e-7 at a + b ~ 1e8 (weak correlation), where the jury should equal Condorcet's. Here
    log P(0) = sum_i log((b+i)/(a+b+i)) and P(j+1)/P(j) = (n-j)/(j+1) * (a+j)/(b+n-j-1): every factor is a
    ratio of nearby numbers, so the error is a few ulps per term whatever a + b is.
    """
    shape = np.broadcast_shapes(np.shape(k), np.shape(n), np.shape(a), np.shape(b))
    k, n, a, b = (np.asarray(x, dtype=np.float64).ravel() for x in np.broadcast_arrays(k, n, a, b))
    n = n.astype(np.int64)
    steps = int(n.max(initial=0))
    j = np.arange(steps, dtype=np.float64)[:, None]
    live = j < n[None, :]
    nf = n.astype(np.float64)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        log_p0 = np.where(live, np.log((b + j) / (a + b + j)), 0.0).sum(axis=0)
        ratio = np.log((nf - j) / (j + 1.0)) + np.log((a + j) / (b + nf - j - 1.0))
    log_pmf = log_p0[None, :] + np.concatenate([np.zeros((1, n.size)), np.cumsum(np.where(live, ratio, 0.0), 0)])
    jj = np.arange(steps + 1)[:, None]
    tail = (jj > k[None, :]) & (jj <= n[None, :])
    return np.where(tail, np.exp(log_pmf), 0.0).sum(axis=0).reshape(shape)


def _betabinom_accuracy(n: np.ndarray, p: np.ndarray, corr: np.ndarray) -> np.ndarray:
    k = (n - 1) // 2
    # below corr = 1e-12 the beta-binomial is the binomial to 1e-12, and its shape parameters would overflow
    binomial = corr < 1e-12
    safe_c = np.where(binomial, 0.5, corr)
    tau = (1.0 - safe_c) / safe_c
    inner = (p > 0) & (p < 1)
    ps = np.where(inner, p, 0.5)
    bb = _betabinom_sf(k, n, ps * tau, (1.0 - ps) * tau)
    bb = np.where(inner, bb, p)  # p = 0 or 1: every voter is wrong / right
    return np.where(binomial, condorcet_values(n, p), bb)


def correlated_jury_accuracy(n, p, corr, *, model: str = "mixture") -> jax.Array:
    """Majority accuracy of n voters with pairwise vote correlation ``corr`` [classical].

    "mixture" (copy model): with probability c every voter copies one vote, ``c p + (1-c) P_n(p)``; for
    p > 1/2 it plateaus at ``c p + 1 - c`` as n grows. "beta_binomial": ``P(BetaBin(n, p tau, (1-p) tau) >= k+1)``,
    ``tau = (1-c)/c``, the exchangeable model with the same pairwise correlation.
    """
    check_model(model, MODELS)
    n, p, c = broadcast(("n", "p", "corr"), as_odd(n, "n", allow_one=True, array=True), prob_arr(p),
                        rho_arr(corr, "corr"))
    if model == "mixture":
        out = c * p + (1.0 - c) * condorcet_values(n, p)
    else:
        out = _betabinom_accuracy(n, p, c)
    return jnp.asarray(out)


def dependence_gain(b, corr, *, model: str = "mixture") -> jax.Array:
    """Small-signal gain d(bias out)/d(bias in) at 0 of a correlated majority of b voters [classical/recon].

    mixture: ``c + (1-c) g_b`` (the copy model, equal to alpha_rho / gamma). beta_binomial (a = tau/2):
    ``tau sum_{j>=k+1} BetaBin(j; b, a, a) [psi(j + a) - psi(b - j + a)]``, the derivative of the tail in p
    at p = 1/2 (the B(a, c) normaliser has zero derivative there by symmetry). It is smaller than the copy
    model's at equal correlation, which is why the simulator uses the copy model.
    """
    check_model(model, MODELS)
    bs, c = broadcast(("b", "corr"), as_odd(b, allow_one=True, array=True), rho_arr(corr, "corr"))
    out = np.empty(bs.shape, dtype=np.float64)
    for idx in np.ndindex(bs.shape):
        bv, cv = int(bs[idx]), float(c[idx])
        g = gain_value(bv)
        if model == "mixture" or cv < 1e-12:
            out[idx] = cv + (1.0 - cv) * g if model == "mixture" else g
            continue
        tau = (1.0 - cv) / cv
        a = tau / 2.0
        j = np.arange((bv - 1) // 2 + 1, bv + 1)
        pmf = stats.betabinom.pmf(j, bv, a, a)
        out[idx] = tau * np.sum(pmf * (special.digamma(j + a) - special.digamma(bv - j + a)))
    return jnp.asarray(out)


def _vote_args(alpha, p1, p2):
    alpha = in_range(alpha, "alpha", 0.0, 1.0)
    p1 = prob_arr(p1, "p1")
    p2 = prob_arr(p2, "p2")
    return alpha, p1, p2


def vote_accuracy(k, alpha, p1, p2) -> jax.Array:
    """Chen et al.'s accuracy of a K-call majority on a mix of easy (p1) and hard (p2) queries [paper]:
    ``F(K) = alpha I_{p1}((K+1)/2, (K+1)/2) + (1-alpha) I_{p2}((K+1)/2, (K+1)/2)``. Arguments broadcast."""
    k = as_odd(k, "k", allow_one=True, array=True)
    k, alpha, p1, p2 = broadcast(("k", "alpha", "p1", "p2"), k, *_vote_args(alpha, p1, p2))
    return jnp.asarray(alpha * condorcet_values(k, p1) + (1.0 - alpha) * condorcet_values(k, p2))


@dataclass(frozen=True)
class VotePeak:
    """Best odd number of calls for Chen et al.'s F(K) [paper; shape rule recon].

    ``k_star`` first argmax over odd K <= k_max, ``f_star = F(k_star)``, ``f_one = F(1)``, ``f_limit = F(inf)
    = alpha``; ``shape`` from the signs of F(K+2) - F(K) (|d| < 1e-13 ignored), ``shape_rule`` from
    ``t = p2(1-p2)(1/2-p2) / [p1(1-p1)(p1-1/2)] + 1`` (first step rises iff alpha > ``alpha_threshold``
    = 1 - 1/t) and the sign of p1 + p2 - 1.
    """

    k_star: int
    f_star: float
    f_one: float
    f_limit: float
    shape: str
    shape_rule: str
    t: float
    alpha_threshold: float
    k_max: int


def _shape_from_signs(d: np.ndarray) -> str:
    signs = np.sign(d[np.abs(d) >= SHAPE_TOL])
    if signs.size == 0:
        return "other"
    runs = signs[np.concatenate([[True], signs[1:] != signs[:-1]])]
    patterns = {(1.0,): "increasing", (-1.0,): "decreasing", (1.0, -1.0): "inverse_u", (-1.0, 1.0): "u"}
    return patterns.get(tuple(runs.tolist()), "other")


def optimal_num_calls(alpha, p1, p2, *, k_max: int = 1001) -> VotePeak:
    """Peak of ``F(K)`` over odd K <= k_max (Chen et al., arXiv:2403.02419) [paper].

    Uses the exact step ``F(K+2) - F(K) = C(K,k) [alpha(2p1-1)(p1 q1)^(k+1) - (1-alpha)(1-2p2)(p2 q2)^(k+1)]``
    (K = 2k+1, q = 1-p) [classical identity for I_p(k+1,k+1)], evaluated in logs so tiny steps keep their sign.
    The bracket changes sign at most once, which proves the shape rule. Requires p2 < 1/2 < p1 and odd
    k_max <= 1e5.
    """
    if not all(np.ndim(v) == 0 for v in (alpha, p1, p2)):
        raise AgentsError("alpha, p1 and p2 must be scalars")
    alpha, p1, p2 = (float(v) for v in _vote_args(alpha, p1, p2))
    if not p2 < 0.5 < p1:
        raise AgentsError(f"need p2 < 1/2 < p1, got p1={p1!r}, p2={p2!r}")
    k_max = as_odd(k_max, "k_max", allow_one=True, hi=100_000)
    ks = np.arange(1, k_max + 1, 2)  # K values
    half = (ks[:-1] - 1) // 2  # k for each step K -> K+2
    log_c = special.gammaln(ks[:-1] + 1.0) - special.gammaln(half + 1.0) - special.gammaln(half + 2.0)
    q1, q2 = 1.0 - p1, 1.0 - p2
    with np.errstate(divide="ignore"):
        up = np.exp(log_c + np.log(alpha * (2 * p1 - 1)) + (half + 1) * np.log(p1 * q1))
        down = np.exp(log_c + np.log((1 - alpha) * (1 - 2 * p2)) + (half + 1) * np.log(p2 * q2))
    d = up - down
    f_one = alpha * p1 + (1.0 - alpha) * p2
    curve = f_one + np.concatenate([[0.0], np.cumsum(d)])
    i_star = int(np.argmax(curve))
    t = p2 * q2 * (0.5 - p2) / (p1 * q1 * (p1 - 0.5)) + 1.0
    thr = 1.0 - 1.0 / t
    rises = alpha > thr
    if p1 + p2 > 1.0:
        rule = "inverse_u" if rises else "decreasing"
    elif p1 + p2 < 1.0:
        rule = "increasing" if rises else "u"
    else:  # p2 = 1 - p1: F = (1-alpha) + (2 alpha - 1) P_K(p1), monotone
        rule = "increasing" if rises else "decreasing"
    return VotePeak(k_star=int(ks[i_star]), f_star=float(curve[i_star]), f_one=float(f_one), f_limit=alpha,
                    shape=_shape_from_signs(d), shape_rule=rule, t=float(t), alpha_threshold=float(thr),
                    k_max=k_max)
