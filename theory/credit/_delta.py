"""Delta-method variance of a φ-divergence between two independent multinomial share vectors (correction C1).

With class totals fixed, p̂ ~ Mult(N_p, p)/N_p and q̂ ~ Mult(N_q, q)/N_q are independent, so
Var D(p̂, q̂) ≈ αᵀ Σ_p α + βᵀ Σ_q β, Σ_p = (diag p - p pᵀ)/N_p, α = ∂D/∂p, β = ∂D/∂q by ``jax.grad``.
For Jeffreys, α_j = W_j + 1 - q_j/p_j and β_j = -W_j + 1 - p_j/q_j.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp

from theory.credit._divergence import divergence_value


def delta_variance(p, q, mask, total_p, total_q, kind: str = "jeffreys"):
    """αᵀΣ_pα + βᵀΣ_qβ; pass total_q = inf for a fixed (population) q. Jittable and vmappable."""
    a, b = jax.grad(divergence_value, argnums=(0, 1))(p, q, mask, kind)
    var_p = (jnp.sum(p * a**2) - jnp.sum(p * a) ** 2) / total_p
    var_q = (jnp.sum(q * b**2) - jnp.sum(q * b) ** 2) / total_q
    return jnp.maximum(var_p, 0.0) + jnp.maximum(var_q, 0.0)


delta_variance_jit = jax.jit(delta_variance, static_argnames=("kind",))


@partial(jax.jit, static_argnames=())
def paper_variance(p, q, n_p, n_q, mask):
    """Paper eq. (18): Σ (q_j - p_j)² (1/n_jp + 1/n_jq), which treats the weights (p_j - q_j) as fixed."""
    on = mask > 0
    inv = jnp.where(on, 1.0 / jnp.where(on, n_p, 1.0) + 1.0 / jnp.where(on, n_q, 1.0), 0.0)
    return jnp.sum(jnp.where(on, (q - p) ** 2, 0.0) * inv)
