"""Conditioning of Approach 3: exact Hessians of the 5-D and the VarPro 2-D objectives (Czech et al. 2026 §5)."""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import jax.scipy.linalg as jsl

from theory._validate import as_float_array, check_same_length
from theory.scaling._data import as_surface
from theory.scaling._errors import ScalingInputError

__all__ = ["Conditioning", "conditioning"]


@dataclass(frozen=True)
class Conditioning:
    """Hessians, ascending eigenvalues and condition numbers ``κ = λ_max/λ_min`` of the 5-D RSS in
    (E, A, B, α, β) and of the 2-D VarPro RSS in (α, β)."""

    hessian_5d: jax.Array
    eigvals_5d: jax.Array
    eigvecs_5d: jax.Array
    cond_5d: float
    hessian_2d: jax.Array
    eigvals_2d: jax.Array
    cond_2d: float


def _rss5(params, N, D, L):
    E, A, B, al, be = params
    r = L - (E + A * N ** (-al) + B * D ** (-be))
    return jnp.sum(r * r)


def _rss2(theta, N, D, L):
    """VarPro RSS with the OLS inner solve done by QR, ``RSS = ||y − Q Qᵀ y||²``; autodiff goes through the QR."""
    X = jnp.stack([jnp.ones_like(N), N ** (-theta[0]), D ** (-theta[1])], axis=-1)
    Q, R = jnp.linalg.qr(X)
    p = jsl.solve_triangular(R, Q.T @ L)
    r = L - X @ p
    return jnp.sum(r * r)


_h5 = jax.jit(jax.hessian(_rss5))
_h2 = jax.jit(jax.hessian(_rss2))


def conditioning(surface, N, D, L=None) -> Conditioning:
    """Exact autodiff Hessians at the surface's parameters (L defaults to ``surface.loss(N, D)``) of
    ``RSS(E, A, B, α, β) = Σ (L_i − E − A N_i^(−α) − B D_i^(−β))²`` and of the VarPro
    ``RSS(α, β) = min_p Σ (L_i − X_i(α, β) p)²`` (OLS inner, differentiated through the solve) (§5)."""
    surf = as_surface(surface)
    n = as_float_array(N, "N", error=ScalingInputError, positive=True)
    d = as_float_array(D, "D", error=ScalingInputError, positive=True)
    y = surf.loss(n, d) if L is None else jnp.asarray(as_float_array(L, "L", error=ScalingInputError))
    check_same_length(ScalingInputError, N=n, D=d, L=y)
    n, d = jnp.asarray(n), jnp.asarray(d)
    H5 = _h5(jnp.asarray(surf.as_tuple()), n, d, y)
    H2 = _h2(jnp.asarray([surf.alpha, surf.beta]), n, d, y)
    w5, v5 = jnp.linalg.eigh(H5)
    w2 = jnp.linalg.eigvalsh(H2)
    return Conditioning(H5, w5, v5, float(w5[-1] / w5[0]), H2, w2, float(w2[-1] / w2[0]))
