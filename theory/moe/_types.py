"""Token types by weighted k-means (k-means++ seeding, Lloyd iterations), for the multi-type game."""

from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp

from theory.moe import _checks
from theory.moe._results import TokenTypes

__all__ = ["token_types"]


def _sq_dist(x, c):
    return jnp.sum(x**2, 1)[:, None] - 2 * x @ c.T + jnp.sum(c**2, 1)[None, :]


def _kmeans_once(key, x, w, *, k, iters):
    n = x.shape[0]
    key0, key_rest = jax.random.split(key)
    first = jax.random.choice(key0, n, p=w)
    centers = jnp.zeros((k, x.shape[1])).at[0].set(x[first])
    d2 = jnp.maximum(jnp.sum((x - x[first]) ** 2, axis=1), 0.0)

    def seed(i, carry):
        centers, d2 = carry
        p = w * d2
        p = jnp.where(jnp.sum(p) > 0, p / jnp.sum(p), w)
        j = jax.random.choice(jax.random.fold_in(key_rest, i), n, p=p)
        centers = centers.at[i].set(x[j])
        return centers, jnp.minimum(d2, jnp.sum((x - x[j]) ** 2, axis=1))

    centers, _ = jax.lax.fori_loop(1, k, seed, (centers, d2))

    def lloyd(_, centers):
        labels = jnp.argmin(_sq_dist(x, centers), axis=1)
        onehot = jax.nn.one_hot(labels, k, dtype=x.dtype) * w[:, None]
        mass = jnp.sum(onehot, axis=0)
        means = (onehot.T @ x) / jnp.where(mass > 0, mass, 1.0)[:, None]
        return jnp.where(mass[:, None] > 0, means, centers)  # an emptied cluster keeps its centre

    centers = jax.lax.fori_loop(0, iters, lloyd, centers)
    d = _sq_dist(x, centers)
    labels = jnp.argmin(d, axis=1)
    inertia = jnp.sum(w * jnp.maximum(jnp.min(d, axis=1), 0.0))
    return centers, labels, inertia


@partial(jax.jit, static_argnames=("k", "iters", "n_init"))
def _kmeans(key, x, w, *, k, iters, n_init):
    keys = jax.random.split(key, n_init)
    centers, labels, inertia = jax.vmap(lambda kk: _kmeans_once(kk, x, w, k=k, iters=iters))(keys)
    best = jnp.argmin(inertia)
    lab = labels[best]
    mass = jnp.sum(jax.nn.one_hot(lab, k, dtype=x.dtype) * w[:, None], axis=0)
    return centers[best], mass, lab, inertia[best]


def token_types(quality: Any, num_types: int, key: Any, *, weights: Any = None, n_init: int = 5,
                iters: int = 100) -> TokenTypes:
    """Group tokens into ``num_types`` types by weighted k-means on their quality vectors.

    Minimises Σ_i w_i ‖q_i − c_{label(i)}‖² with k-means++ seeding and ``iters`` Lloyd steps from ``n_init``
    seeds (``jax.random`` key), keeping the lowest inertia. The type weights Σ_{i in type} w_i (summing to 1)
    and centres are the (w, q) of the multi-type game (spec §2, *reconstructed* multi-type model).
    """
    q = _checks.quality_matrix(quality)
    n, _ = q.shape
    k = _checks.count_value(num_types, "num_types")
    if k > n:
        raise _checks.MoEInputError(f"num_types must be <= the number of tokens {n}, got {k}")
    w = _checks.weight_vector(weights, n)
    centers, mass, labels, inertia = _kmeans(key, q, w, k=k, iters=_checks.count_value(iters, "iters"),
                                             n_init=_checks.count_value(n_init, "n_init"))
    return TokenTypes(centers=centers, weights=mass, labels=labels, inertia=float(inertia))
