"""Dead-weight compute of a mis-allocated budget and its dollar price (Czech et al. 2026 §6)."""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp

from theory._validate import as_float_array, check_positive, check_probability
from theory.scaling._data import as_surface
from theory.scaling._errors import ScalingInputError

__all__ = ["DeadweightLoss", "GPUCost", "deadweight_compute"]


@dataclass(frozen=True)
class GPUCost:
    """Price of compute: ``$ per FLOP = usd_per_gpu_hour / (peak_flops · mfu · 3600)``.

    Defaults: H100 dense bf16 peak 1.979e15 FLOP/s, 50 % model-FLOPs utilisation, $2 per GPU-hour (§6).
    """

    peak_flops: float = 1.979e15
    mfu: float = 0.5
    usd_per_gpu_hour: float = 2.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "peak_flops", check_positive(self.peak_flops, "peak_flops", error=ScalingInputError))
        object.__setattr__(self, "mfu", check_probability(self.mfu, "mfu", error=ScalingInputError,
                                                          closed=(False, True)))
        object.__setattr__(self, "usd_per_gpu_hour", check_positive(self.usd_per_gpu_hour, "usd_per_gpu_hour",
                                                                    error=ScalingInputError, strict=False))

    @property
    def usd_per_flop(self) -> float:
        """``usd_per_gpu_hour / (peak_flops · mfu · 3600)``."""
        return self.usd_per_gpu_hour / (self.peak_flops * self.mfu * 3600.0)

    def dollars(self, flops) -> jax.Array:
        """Dollar cost of ``flops`` FLOPs."""
        f = as_float_array(flops, "flops", error=ScalingInputError, ndim=None)
        return jnp.asarray(f) * self.usd_per_flop


@dataclass(frozen=True)
class DeadweightLoss:
    """Dead-weight compute at budget C when D̂ tokens are trained instead of D*(C) (§6):
    ``N̂ = C/(6D̂)``, ``L̂ = L(N̂, D̂)``, ``loss_penalty = L̂ − L*(C)``, ``C_equivalent = C(L̂)`` (the budget that
    reaches L̂ when allocated optimally), ``dcl = C − C_equivalent``, ``fraction = dcl/C``, ``dollars`` its price."""

    C: jax.Array
    N_opt: jax.Array
    D_opt: jax.Array
    N_hat: jax.Array
    D_hat: jax.Array
    loss_opt: jax.Array
    loss_hat: jax.Array
    loss_penalty: jax.Array
    C_equivalent: jax.Array
    dcl: jax.Array
    fraction: jax.Array
    dollars: jax.Array


def dcl_math(params, C, D_hat, usd_per_flop):
    """The DCL formulas as pure JAX (shared with the vectorised bootstrap)."""
    E, A, B, al, be = params
    G = (al * A / (be * B)) ** (1.0 / (al + be))
    a, b = be / (al + be), al / (al + be)
    K = A * G ** (-al) + B * G**be
    N_opt, D_opt = G * (C / 6.0) ** a, (C / 6.0) ** b / G
    loss_opt = E + K * (C / 6.0) ** (-al * be / (al + be))
    N_hat = C / (6.0 * D_hat)
    loss_hat = E + A * N_hat ** (-al) + B * D_hat ** (-be)
    C_eq = 6.0 * ((loss_hat - E) / K) ** (-(al + be) / (al * be))
    dcl = C - C_eq
    return (C, N_opt, D_opt, N_hat, D_hat, loss_opt, loss_hat, loss_hat - loss_opt, C_eq, dcl, dcl / C,
            dcl * usd_per_flop)


def deadweight_compute(surface, C, D_hat, *, cost: GPUCost | None = None) -> DeadweightLoss:
    """Dead-weight compute ``DCL = C − C(L̂)`` of training D̂ tokens at budget C on ``surface`` and its price
    ``$ = DCL · usd_per_gpu_hour / (peak_flops · mfu · 3600)`` (Czech et al. 2026 §6). C and D_hat broadcast."""
    surf = as_surface(surface)
    c = as_float_array(C, "C", error=ScalingInputError, ndim=None, positive=True)
    d = as_float_array(D_hat, "D_hat", error=ScalingInputError, ndim=None, positive=True)
    cost = GPUCost() if cost is None else cost
    if not isinstance(cost, GPUCost):
        raise ScalingInputError(f"cost must be a GPUCost, got {type(cost).__name__}")
    out = dcl_math(surf.as_tuple(), jnp.asarray(c), jnp.asarray(d), cost.usd_per_flop)
    return DeadweightLoss(*(jnp.broadcast_to(v, jnp.broadcast_shapes(c.shape, d.shape)) for v in out))
