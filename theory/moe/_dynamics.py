"""Bias-update dynamics: the damped fixed point, oscillation factors and the closed-form softmax (spec §2)."""

from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp

from theory.moe import _checks, _model, _solver
from theory.moe._results import FixedPointTrace

__all__ = ["iterate_fixed_point", "oscillation_factor", "softmax_equilibrium", "uniform_oscillation_factor"]


@partial(jax.jit, static_argnames=("num_steps", "top_k", "relaxation"))
def _iterate(q, w, gamma, tau, omega, b0, *, num_steps, top_k, relaxation):
    def step(b, _):
        load = _model.loads(b, q, w, tau, top_k, relaxation)
        gap = b - gamma * load
        return b - omega * gap, (b, load, jnp.max(jnp.abs(gap)))

    b_last, (bs, ls, rs) = jax.lax.scan(step, b0, None, length=num_steps)
    load_last = _model.loads(b_last, q, w, tau, top_k, relaxation)
    res_last = jnp.max(jnp.abs(b_last - gamma * load_last))
    return (jnp.concatenate([bs, b_last[None]]), jnp.concatenate([ls, load_last[None]]),
            jnp.concatenate([rs, res_last[None]]))


def iterate_fixed_point(quality: Any, gamma: Any, tau: Any, *, omega: Any, num_steps: int, top_k: int = 1,
                        weights: Any = None, relaxation: str = "scaled", init_bias: Any = None) -> FixedPointTrace:
    """Trace of the damped bias update ``b ← (1−ω)b + ω γL(b)`` (linear cost, t = 0; spec §2, *reconstructed*).

    This is gradient descent on G with step ωγ; it converges for ω ≤ 1/(1 + γλ̄), λ̄ = K/(2τ) (scaled) or
    1/(4τ) (capped). With ω = 1 it converges locally iff ρ(b*) = γλ_max(J(b*)) < 1, else it 2-cycles.
    Returns the S+1 iterates from ``init_bias`` (default 0), their loads and residuals ``‖b − γL(b)‖∞``.
    """
    q = _checks.quality_matrix(quality)
    n, e = q.shape
    return FixedPointTrace(*_iterate(
        q, _checks.weight_vector(weights, n), _checks.gamma_value(gamma), _checks.tau_value(tau),
        _checks.omega_value(omega), _checks.expert_vector(init_bias, e, "init_bias"),
        num_steps=_checks.count_value(num_steps, "num_steps"), top_k=_checks.top_k_value(top_k, e),
        relaxation=_checks.option(relaxation, "relaxation", _checks.RELAXATIONS)))


@partial(jax.jit, static_argnames=("top_k", "relaxation"))
def _rho(b, q, w, gamma, tau, *, top_k, relaxation):
    return gamma * jnp.linalg.eigvalsh(_model.load_jacobian(b, q, w, tau, top_k, relaxation))[-1]


def oscillation_factor(quality: Any, gamma: Any, tau: Any, *, top_k: int = 1, weights: Any = None,
                       relaxation: str = "scaled", bias: Any = None) -> float:
    """ρ(b) = γ λ_max(J(b)), J = Σ_i w_i ∂π_i/∂u (spec §2, *reconstructed*); ``bias=None`` uses b* (linear cost).

    The undamped update (ω = 1) converges locally iff ρ(b*) < 1 and otherwise settles on a 2-cycle.
    """
    q = _checks.quality_matrix(quality)
    n, e = q.shape
    gam, ta = _checks.gamma_value(gamma), _checks.tau_value(tau)
    k = _checks.top_k_value(top_k, e)
    rel = _checks.option(relaxation, "relaxation", _checks.RELAXATIONS)
    w = _checks.weight_vector(weights, n)
    if bias is None:
        b = _solver.solve_and_summarise(q, w, gam, ta, jnp.zeros(e), jnp.full(e, jnp.nan), -1.0, 1e-12, max_iter=500,
                                        top_k=k, cost="linear", relaxation=rel, method="newton")[0]
    else:
        b = _checks.expert_vector(bias, e, "bias")
    return float(_rho(b, q, w, gam, ta, top_k=k, relaxation=rel))


def uniform_oscillation_factor(gamma: Any, tau: Any, num_experts: int, top_k: int = 1,
                               relaxation: str = "scaled") -> float:
    """ρ at a balanced point (uniform p): γK/(τE) (scaled) or γK(E−K)/(τE²) (capped); spec §2 (*reconstructed*)."""
    gam, ta = _checks.gamma_value(gamma), _checks.tau_value(tau)
    e = _checks.count_value(num_experts, "num_experts")
    if e < 2:
        raise _checks.MoEInputError(f"num_experts must be >= 2, got {e}")
    k = _checks.top_k_value(top_k, e)
    rel = _checks.option(relaxation, "relaxation", _checks.RELAXATIONS)
    return gam * k / (ta * e) if rel == "scaled" else gam * k * (e - k) / (ta * e * e)


@partial(jax.jit, static_argnames=("top_k",))
def _tempered(q, gamma, tau, *, top_k):
    return top_k * jax.nn.softmax(q / (tau + gamma))


def softmax_equilibrium(quality: Any, gamma: Any, tau: Any, top_k: int = 1) -> jax.Array:
    """Closed-form equilibrium for one type, log cost, scaled relaxation, no toll: ``L = K·softmax(q/(τ+γ))``.

    The abstract's "reduces to temperature-scaled softmax" (*quoted* claim; equation *reconstructed*): with
    c = γ log L the fixed point τ log(L/K) = q − γ log L − μ gives L ∝ exp(q/(τ+γ)).
    """
    q = _checks.quality_matrix(quality)
    if q.shape[0] != 1 or _checks.as_float_array(quality, "quality", error=_checks.MoEInputError,
                                                 ndim=None).ndim != 1:
        raise _checks.MoEInputError(f"quality must be 1-D (E,) for the closed form, got shape {q.shape}")
    return _tempered(q[0], _checks.gamma_value(gamma), _checks.tau_value(tau),
                     top_k=_checks.top_k_value(top_k, q.shape[1]))
