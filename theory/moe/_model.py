"""Pure JAX core of the routing game (spec §2): policies, conjugates, costs and the load Jacobian.

Nothing here validates; the public functions do that once. Rows are types/tokens i with weights w_i,
columns experts e. The bias b is *subtracted*: u_i = q_i − b.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.scipy.special import logsumexp, xlogy

_EPS = jnp.finfo(jnp.float64).eps


# --------------------------------------------------------------------------- capped threshold ν
def _threshold_solve(u, tau, top_k):
    """ν with Σ_e σ((u_e − ν)/τ) = K for one row, by Newton safeguarded with bisection.

    Hand-written because it must run inside jit/vmap; the start (midpoint of the K-th and (K+1)-th
    largest u) is the exact τ→0 threshold, so Newton needs few steps even when σ is saturated.
    """
    num = u.shape[-1]
    shift = tau * jnp.log(top_k / (num - top_k))  # τ·logit(K/E)
    lo, hi = jnp.min(u) - shift, jnp.max(u) - shift
    top = jax.lax.top_k(u, top_k + 1)[0]
    nu0 = jnp.clip(0.5 * (top[top_k - 1] + top[top_k]), lo, hi)

    def f_and_df(nu):
        s = jax.nn.sigmoid((u - nu) / tau)
        return jnp.sum(s) - top_k, -jnp.sum(s * (1 - s)) / tau

    def cond(state):
        nu, lo, hi, fv, it = state
        small = jnp.abs(fv) <= 8 * _EPS * num
        narrow = (hi - lo) <= 4 * _EPS * (1 + jnp.abs(nu))
        return (~small) & (~narrow) & (it < 200)

    def body(state):
        nu, lo, hi, fv, it = state
        _, dfv = f_and_df(nu)
        lo = jnp.where(fv > 0, nu, lo)  # f decreasing in ν: f > 0 means ν is too small
        hi = jnp.where(fv > 0, hi, nu)
        cand = nu - fv / jnp.where(dfv < 0, dfv, -1.0)
        ok = (dfv < 0) & (cand > lo) & (cand < hi)
        nu = jnp.where(ok, cand, 0.5 * (lo + hi))
        return nu, lo, hi, f_and_df(nu)[0], it + 1

    state = (nu0, lo, hi, f_and_df(nu0)[0], 0)
    return jax.lax.while_loop(cond, body, state)[0]


def capped_threshold(u, tau, top_k):
    """ν_i(u_i) of the capped relaxation for every row of ``u`` (…, E).

    The root is found without gradients, then one differentiable Newton step makes first derivatives
    exact (implicit function theorem: dν/du = s/Σs) without differentiating through the loop.
    """
    flat = u.reshape(-1, u.shape[-1])
    nu = jax.vmap(lambda r: _threshold_solve(r, jax.lax.stop_gradient(tau), top_k))(jax.lax.stop_gradient(flat))
    nu = jax.lax.stop_gradient(nu).reshape(u.shape[:-1])
    s = jax.nn.sigmoid((u - nu[..., None]) / tau)
    ds = jax.lax.stop_gradient(jnp.sum(s * (1 - s), axis=-1) / tau)
    return nu + (jnp.sum(s, axis=-1) - top_k) / jnp.maximum(ds, 1e-300)


# --------------------------------------------------------------------------- policy and conjugate
def policy(u, tau, top_k, relaxation):
    """π(u): K·softmax(u/τ) (scaled) or σ((u − ν)/τ) with Σπ = K (capped)."""
    if relaxation == "scaled":
        return top_k * jax.nn.softmax(u / tau, axis=-1)
    nu = capped_threshold(u, tau, top_k)
    return jax.nn.sigmoid((u - nu[..., None]) / tau)


def hstar(u, tau, top_k, relaxation):
    """Conjugate h*(u): τK·logsumexp(u/τ) (scaled) or Kν + τΣ softplus((u−ν)/τ) (capped)."""
    if relaxation == "scaled":
        return tau * top_k * logsumexp(u / tau, axis=-1)
    nu = capped_threshold(u, tau, top_k)
    return top_k * nu + tau * jnp.sum(jax.nn.softplus((u - nu[..., None]) / tau), axis=-1)


def policy_and_hstar(u, tau, top_k, relaxation):
    """(π(u), h*(u)) sharing one threshold solve: the solvers need both at every trial point."""
    if relaxation == "scaled":
        # One exp pass for both: softmax and logsumexp would each exponentiate the (N, E) logits.
        z = u / tau
        zmax = jax.lax.stop_gradient(jnp.max(z, axis=-1, keepdims=True))
        ez = jnp.exp(z - zmax)
        total = jnp.sum(ez, axis=-1, keepdims=True)
        return top_k * ez / total, tau * top_k * (zmax + jnp.log(total))[..., 0]
    nu = capped_threshold(u, tau, top_k)
    z = (u - nu[..., None]) / tau
    return jax.nn.sigmoid(z), top_k * nu + tau * jnp.sum(jax.nn.softplus(z), axis=-1)


def regulariser(pi, tau, top_k, relaxation):
    """R(π_i): τK Σ p log p with p = π/K (scaled) or τ Σ ψ(π) with ψ(s) = s log s + (1−s) log(1−s)."""
    if relaxation == "scaled":
        p = pi / top_k
        return tau * top_k * jnp.sum(xlogy(p, p), axis=-1)
    return tau * jnp.sum(xlogy(pi, pi) + xlogy(1 - pi, 1 - pi), axis=-1)


def loads(bias, quality, weights, tau, top_k, relaxation):
    """L(b) = Σ_i w_i π_i(b)."""
    return weights @ policy(quality - bias, tau, top_k, relaxation)


def load_jacobian(bias, quality, weights, tau, top_k, relaxation):
    """J(b) = Σ_i w_i ∂π_i/∂u (symmetric PSD), assembled without an (N, E, E) intermediate."""
    return jacobian_from_policy(policy(quality - bias, tau, top_k, relaxation), weights, tau, top_k, relaxation)


def jacobian_from_policy(pi, weights, tau, top_k, relaxation):
    """J from π: (K/τ)Σw(diag p − ppᵀ), p = π/K (scaled); (1/τ)Σw(diag s − ssᵀ/Σs), s = π(1−π) (capped)."""
    if relaxation == "scaled":
        p = pi / top_k
        return (top_k / tau) * (jnp.diag(weights @ p) - (p * weights[:, None]).T @ p)
    s = pi * (1 - pi)
    scale = weights / jnp.maximum(jnp.sum(s, axis=-1), 1e-300)
    return (jnp.diag(weights @ s) - (s * scale[:, None]).T @ s) / tau


# --------------------------------------------------------------------------- congestion costs
def _safe(gamma):
    return jnp.where(gamma > 0, gamma, 1.0)


def marginal_cost(load, gamma, toll, cost):
    """c_e(L): γL + t (linear) or γ log L + t (log)."""
    if cost == "linear":
        return gamma * load + toll
    return gamma * jnp.log(load) + toll


def congestion(load, gamma, toll, cost):
    """Σ_e C_e(L_e): γL²/2 + tL (linear) or γ(L log L − L) + tL (log)."""
    if cost == "linear":
        return jnp.sum(0.5 * gamma * load**2 + toll * load)
    return jnp.sum(gamma * (xlogy(load, load) - load) + toll * load)


def congestion_conjugate(bias, gamma, toll, cost):
    """Σ_e C_e*(b_e): (b−t)²/(2γ) (linear) or γ e^{(b−t)/γ} (log); the indicator of b = t at γ = 0."""
    g = _safe(gamma)
    if cost == "linear":
        val = jnp.sum((bias - toll) ** 2) / (2 * g)
    else:
        val = jnp.sum(g * jnp.exp((bias - toll) / g))
    return jnp.where(gamma > 0, val, jnp.where(jnp.all(bias == toll), 0.0, jnp.inf))


def primal_potential(pi, quality, weights, gamma, tau, toll, top_k, cost, relaxation):
    """Φ(π) = −Σ w_i⟨π_i, q_i⟩ + Σ w_i R(π_i) + Σ_e C_e(L_e)."""
    load = weights @ pi
    return (-jnp.sum(weights * jnp.sum(pi * quality, axis=-1))
            + jnp.sum(weights * regulariser(pi, tau, top_k, relaxation))
            + congestion(load, gamma, toll, cost))


def dual(bias, quality, weights, gamma, tau, toll, top_k, cost, relaxation, h_rows=None):
    """G(b) = Σ w_i h*(q_i − b) + Σ_e C_e*(b_e); ``h_rows`` reuses already computed h*(q_i − b)."""
    if h_rows is None:
        h_rows = hstar(quality - bias, tau, top_k, relaxation)
    return jnp.sum(weights * h_rows) + congestion_conjugate(bias, gamma, toll, cost)


def residual(bias, quality, weights, gamma, tau, toll, top_k, cost, relaxation):
    """‖b − c(L(b))‖∞."""
    load = loads(bias, quality, weights, tau, top_k, relaxation)
    return jnp.max(jnp.abs(bias - marginal_cost(load, gamma, toll, cost)))
