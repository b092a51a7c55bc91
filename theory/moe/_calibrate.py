"""Prices that reproduce given loads: solve L(b) = target with mean(b) = 0 (spec §2 `dual` estimator)."""

from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp

from theory.moe import _checks, _model
from theory.moe._results import Calibration

__all__ = ["calibrate_bias"]


def calibrate_core(q, w, target, tau, tol, *, top_k, relaxation, max_iter=100):
    """Newton on Ψ(b) = Σ w_i h*(q_i − b) + ⟨b, target⟩ (∇Ψ = target − L(b), ∇²Ψ = J(b)). jit/vmap-safe.

    J is singular along 1 (a common shift of b changes no load), so each step solves (J + 11ᵀ/E)d = −∇Ψ
    and b is re-centred; the gradient sums to zero, so the added rank-one term only fixes the free shift.
    Returns (b, loads, residual ‖L(b) − target‖∞, iterations, status code).
    """
    e = q.shape[-1]
    qbar = w @ q
    if relaxation == "scaled":
        b0 = qbar - tau * jnp.log(target)
    else:
        t = jnp.clip(target, 1e-12, 1 - 1e-12)
        b0 = qbar - tau * jnp.log(t / (1 - t))
    b0 = b0 - jnp.mean(b0)

    def psi(b):
        return jnp.sum(w * _model.hstar(q - b, tau, top_k, relaxation)) + jnp.dot(b, target)

    def res_of(b):
        return jnp.max(jnp.abs(_model.loads(b, q, w, tau, top_k, relaxation) - target))

    def cond(state):
        b, res, it = state
        return (res > tol) & (it < max_iter) & jnp.isfinite(res)

    def body(state):
        b, _, it = state
        g = target - _model.loads(b, q, w, tau, top_k, relaxation)
        h = _model.load_jacobian(b, q, w, tau, top_k, relaxation) + jnp.ones((e, e)) / e
        d = jnp.linalg.solve(h, -g)
        d = d - jnp.mean(d)
        m0, slope = psi(b), jnp.dot(g, d)
        slack = 64 * _model._EPS * (1 + jnp.abs(m0))

        def ls_cond(ls):
            alpha, m_new, k = ls
            return ~(m_new <= m0 + 1e-4 * alpha * slope + slack) & (k < 60)

        def ls_body(ls):
            alpha, _, k = ls
            return 0.5 * alpha, psi(b + 0.5 * alpha * d), k + 1

        alpha, _, _ = jax.lax.while_loop(ls_cond, ls_body, (1.0, psi(b + d), 0))
        b = b + alpha * d
        return b, res_of(b), it + 1

    b, res, it = jax.lax.while_loop(cond, body, (b0, res_of(b0), 0))
    status = jnp.where(~jnp.isfinite(res), 2, jnp.where(res <= tol, 0, 1))
    return b, _model.loads(b, q, w, tau, top_k, relaxation), res, it, status


@partial(jax.jit, static_argnames=("top_k", "relaxation"))
def _calibrate_jit(q, w, target, tau, tol, *, top_k, relaxation):
    return calibrate_core(q, w, target, tau, tol, top_k=top_k, relaxation=relaxation)


def calibrate_bias(quality: Any, target_loads: Any, tau: Any, *, top_k: int = 1, weights: Any = None,
                   relaxation: str = "scaled", tol: float = 1e-10) -> Calibration:
    """Bias b with ``L(b) = Σ_i w_i π_i(b) = target`` and ``mean(b) = 0`` (spec §2, *reconstructed*).

    ``target_loads`` is rescaled so that ``Σ target = K`` and must be strictly positive (a zero load needs an
    infinite price). For the scaled relaxation with a uniform target this is the entropic optimal-transport
    (Sinkhorn) problem: the plan ``w_i π_ie / K`` has marginals (w, 1/E). Capped targets above 1 are
    infeasible and end with ``converged=False``.
    """
    q = _checks.quality_matrix(quality)
    n, e = q.shape
    k = _checks.top_k_value(top_k, e)
    target = _checks.observed_loads(target_loads, e, k, name="target_loads", positive=True)
    out = _calibrate_jit(q, _checks.weight_vector(weights, n), target, _checks.tau_value(tau),
                         _checks.check_positive(tol, "tol", error=_checks.MoEInputError), top_k=k,
                         relaxation=_checks.option(relaxation, "relaxation", _checks.RELAXATIONS))
    b, load, res, it, status = out
    return Calibration(bias=b, loads=load, residual=float(res), iterations=int(it), converged=bool(status == 0),
                       status=("converged", "max_iter", "nonfinite")[int(status)])
