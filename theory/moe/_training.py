"""Toy MoE training dynamics: no balancing, aux loss, loss-free bias updates and the equilibrium bias (spec §3)."""

from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp

from theory.moe import _checks, _solver
from theory.moe._results import TrainingTrace
from theory.moe._routing import topk_core

__all__ = ["simulate_training"]

TRAINING_METHODS = ("none", "loss_free", "aux_loss", "equilibrium")


@partial(jax.jit, static_argnames=("method", "num_experts", "top_k", "tokens", "dim", "steps"))
def _simulate(key, offset_scale, update_rate, alpha, lr, gamma, tau, *, method, num_experts, top_k, tokens, dim,
              steps):
    e, k, t = num_experts, top_k, tokens
    key_w, key_x = jax.random.split(key)
    w_router = jax.random.normal(key_w, (dim, e)) / jnp.sqrt(dim)
    beta = offset_scale * jnp.linspace(-1.0, 1.0, e)
    weights = jnp.full(t, 1.0 / t)

    def aux_loss(theta, z, f):
        sp = jax.nn.sigmoid(z + theta)
        p = jnp.mean(sp / jnp.sum(sp, axis=1, keepdims=True), axis=0)
        return alpha * e * jnp.sum(f * p)

    def step(offset, i):
        x = jax.random.normal(jax.random.fold_in(key_x, i), (t, dim))
        z = x @ w_router + beta
        s = jax.nn.sigmoid(z)
        if method == "aux_loss":
            _, mask, counts = topk_core(jax.nn.sigmoid(z + offset), k, jnp.zeros(e))
            f = counts / (k * t)  # f is a routing count: a constant for the gradient, as in Switch Eq. 4
            new = offset - lr * jax.grad(aux_loss)(offset, z, f)
        else:
            bias = offset if method != "none" else jnp.zeros(e)
            _, mask, counts = topk_core(s, k, bias)
            if method == "loss_free":
                new = offset + update_rate * jnp.sign(counts - jnp.mean(counts))
            elif method == "equilibrium":
                # Causal: this batch was routed with the previous bias; the new bias is this batch's capped
                # equilibrium price, warm-started from the old one.
                new = _solver.solve_core(s, weights, gamma, tau, jnp.zeros(e), offset, -1.0, 1e-9, max_iter=60,
                                         top_k=k, cost="linear", relaxation="capped", method="newton")[0]
                new = jnp.where(jnp.all(jnp.isfinite(new)), new, offset)
            else:
                new = offset
        mean = jnp.mean(counts)
        record = (jnp.max(counts) / mean - 1, jnp.std(counts) / mean, counts, offset,
                  jnp.mean(jnp.sum(mask * s, axis=1)))
        return new, record

    _, rec = jax.lax.scan(step, jnp.zeros(e), jnp.arange(steps))
    return rec


def simulate_training(key: Any, method: str, *, num_experts: int = 16, top_k: int = 2, tokens_per_step: int = 2048,
                      dim: int = 32, steps: int = 2000, offset_scale: float = 1.0, update_rate: float = 1e-3,
                      alpha: float = 1e-2, lr: float = 1.0, gamma: float = 10.0, tau: float = 0.01) -> TrainingTrace:
    """Simulate load balancing on a fixed sigmoid router over a stream of random tokens (``lax.scan``).

    Router W ~ N(0, 1/d) (d, E) from ``split(key)[0]``; expert offsets β = offset_scale·linspace(−1, 1, E);
    step t draws X_t ~ N(0, I) (T, d) from ``fold_in(split(key)[1], t)``, so every method sees the same
    token stream for the same key. Scores s = σ(X_t W + β). Methods (spec §3):

    * ``none``: top-K of s.
    * ``loss_free`` (Wang et al. 2024, Alg. 1; *standard*): top-K of s − b, then b += u·sign(c − mean c).
    * ``aux_loss`` (Switch Eq. 4; *standard*): top-K of σ(z + θ); θ −= lr·∇_θ[αE Σ_e f_e P_e(θ)] with f_e =
      c_e/(KT) held fixed and P_e the token mean of σ(z+θ)/Σ_j σ(z+θ)_j.
    * ``equilibrium``: top-K of s − b; then b ← the capped linear-cost equilibrium bias of this batch's s at
      (γ, τ) (*reconstructed*), warm-started.

    ``offset`` is the bias used at each step (θ for aux_loss); ``quality`` the token mean of Σ_selected s.
    """
    method = _checks.option(method, "method", TRAINING_METHODS)
    e = _checks.count_value(num_experts, "num_experts")
    if e < 2:
        raise _checks.MoEInputError(f"num_experts must be >= 2, got {e}")
    k = _checks.top_k_value(top_k, e)
    num = dict(offset_scale=_checks.check_positive(offset_scale, "offset_scale", error=_checks.MoEInputError,
                                                   strict=False),
               update_rate=_checks.check_positive(update_rate, "update_rate", error=_checks.MoEInputError,
                                                  strict=False),
               alpha=_checks.check_positive(alpha, "alpha", error=_checks.MoEInputError, strict=False),
               lr=_checks.check_positive(lr, "lr", error=_checks.MoEInputError, strict=False),
               gamma=_checks.gamma_value(gamma), tau=_checks.tau_value(tau))
    rec = _simulate(key, **num, method=method, num_experts=e, top_k=k,
                    tokens=_checks.count_value(tokens_per_step, "tokens_per_step"),
                    dim=_checks.count_value(dim, "dim"), steps=_checks.count_value(steps, "steps"))
    return TrainingTrace(*rec)
