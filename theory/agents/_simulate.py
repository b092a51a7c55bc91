"""Monte Carlo of the generative copy model on complete b-ary trees (spec section 2, "Generative model" [recon]).

Every node, edge flip and correlation shock is drawn: N = b^L i.i.d. leaves with bias mu0; each edge is a
binary symmetric channel with flip probability delta = (1 - gamma)/2; each internal node, independently,
with probability rho outputs the transmitted message of its slot-0 child (all b slots receive that one
message) and otherwise the majority of its b independently transmitted children. The level means are
compared with the recursion mu_{l+1} = rho gamma mu_l + (1-rho) f_b(gamma mu_l) by a z-score per level.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from theory.agents._checks import as_int, as_odd, scalar_in_range
from theory.agents._errors import AgentsError
from theory.agents._recursion import recursion_kernel

__all__ = ["simulate_tree", "TreeSimulation", "MAX_LEAVES"]

MAX_LEAVES = 2**22          # b^depth cap per tree
_CHUNK_LEAVES = 2**18       # at most this many leaves per chunk: smaller chunks stay in cache and run faster


@dataclass(frozen=True)
class TreeSimulation:
    """Monte Carlo level statistics of ``n_trees`` simulated trees.

    ``levels`` (depth+1,); ``mu[l]`` mean vote of all ``n_nodes[l] = n_trees b^(depth-l)`` level-l nodes
    (``mu[0] = mu0``); ``stderr = sqrt((1 - mu^2)/n)``; ``recursion`` the exact recursion; ``z = (mu -
    recursion) / sqrt((1 - recursion^2)/n)`` (0/0 -> 0; ``stderr[0] = z[0] = 0``); ``root_accuracy =
    (1 + mu[depth])/2``.
    """

    levels: jax.Array
    mu: jax.Array
    stderr: jax.Array
    accuracy: jax.Array
    recursion: jax.Array
    z: jax.Array
    n_nodes: jax.Array
    root_accuracy: float
    n_trees: int
    b: int
    depth: int


def _threshold(p: float) -> tuple[np.uint32, bool]:
    # An event of probability p is "u < T" for u uniform on 32-bit integers, T = round(p 2^32) (error <= 2^-33).
    # Stored as T - 1 with "u <= T - 1" so that p = 1 (T = 2^32) still fits in uint32; T = 0 means never.
    t = int(round(p * 2.0**32))
    return np.uint32(max(t - 1, 0)), t > 0


def _bernoulli(u, t_minus_1, possible):
    return (u <= t_minus_1) & possible


def _one_tree(key, thr, b: int, depth: int):
    """Per-level sums of votes of one tree, levels 1..depth (int32, length depth)."""
    t_leaf, p_leaf, t_flip, p_flip, t_shock, p_shock = thr
    sizes = [b ** (depth - 1 - lvl) for lvl in range(depth)]  # parents per level
    # One draw for the whole tree: a single threefry instance compiles several times faster than one per level.
    # Row j of level l holds the b edge draws of parent j and, in the last column, its shock draw.
    u_all = jax.random.bits(key, (sum(sizes) * (b + 1),), jnp.uint32)
    offsets = np.concatenate([[0], np.cumsum(sizes) * (b + 1)])
    inputs = None
    sums = []
    for lvl, n_par in enumerate(sizes):
        u = u_all[offsets[lvl]:offsets[lvl + 1]].reshape(n_par, b + 1)
        if lvl == 0:
            # a leaf and its single edge flip combine into one draw of bias gamma mu0
            inputs = jnp.where(_bernoulli(u[:, :b], t_leaf, p_leaf), 1, -1).astype(jnp.int32)
        else:
            inputs = jnp.where(_bernoulli(u[:, :b], t_flip, p_flip), -1, 1) * votes.reshape(n_par, b)  # noqa: F821
        shock = _bernoulli(u[:, b], t_shock, p_shock)
        votes = jnp.where(shock, inputs[:, 0], jnp.sign(jnp.sum(inputs, axis=1)))
        sums.append(jnp.sum(votes))
    return jnp.stack(sums)


@partial(jax.jit, static_argnames=("b", "depth", "chunk", "n_chunks"))
def _simulate(keys, valid, thr, *, b: int, depth: int, chunk: int, n_chunks: int):
    keys = keys.reshape((n_chunks, chunk) + keys.shape[1:])
    valid = valid.reshape(n_chunks, chunk)

    def run_chunk(args):
        k, v = args
        sums = jax.vmap(lambda kk: _one_tree(kk, thr, b, depth))(k)
        # integer sums are exact, so the total does not depend on how the trees are chunked
        return jnp.sum(jnp.where(v[:, None], sums, 0).astype(jnp.int64), axis=0)

    return jnp.sum(jax.lax.map(run_chunk, (keys, valid)), axis=0)


def _check_key(key):
    if isinstance(key, jax.Array) and jnp.issubdtype(key.dtype, jax.dtypes.prng_key):
        if key.shape != ():
            raise AgentsError(f"key must be a single PRNG key, got a key array of shape {key.shape}")
        return key
    arr = np.asarray(key) if not isinstance(key, jax.Array) else key
    if getattr(arr, "dtype", None) != np.uint32 or tuple(arr.shape) != (2,):
        raise AgentsError(f"key must be a jax.random key (jax.random.key or PRNGKey), got {key!r}")
    return jnp.asarray(arr)


def simulate_tree(key, *, b, depth, mu0, gamma, rho, n_trees: int = 20000, chunk_size: int = 512) -> TreeSimulation:
    """Simulate ``n_trees`` complete b-ary trees of the copy model and compare with the recursion [recon].

    Tree i uses ``jax.random.split(key, n_trees)[i]``; trees are vmapped within chunks of ``chunk_size``
    (reduced when a chunk would hold more than 2^18 leaves) and ``lax.map``-ped over chunks. Vote counts are
    integers, so the result is bitwise identical for every ``chunk_size``. Parameters are scalars:
    b odd >= 3, 1 <= depth with b^depth <= 2^22, mu0 in [-1, 1], gamma in (0, 1], rho in [0, 1),
    n_trees >= 2, chunk_size >= 1.
    """
    key = _check_key(key)
    b = as_odd(b)
    depth = as_int(depth, "depth", lo=1)
    if b**depth > MAX_LEAVES:
        raise AgentsError(f"b**depth must be <= 2**22 leaves per tree, got b={b}, depth={depth} ({b**depth})")
    mu0 = scalar_in_range(mu0, "mu0", -1.0, 1.0)
    gamma = scalar_in_range(gamma, "gamma", 0.0, 1.0, lo_open=True)
    rho = scalar_in_range(rho, "rho", 0.0, 1.0, hi_open=True)
    n_trees = as_int(n_trees, "n_trees", lo=2)
    chunk_size = as_int(chunk_size, "chunk_size", lo=1)

    chunk = max(1, min(chunk_size, n_trees, _CHUNK_LEAVES // b**depth))
    n_chunks = -(-n_trees // chunk)
    keys = jax.random.split(key, n_trees)
    pad = n_chunks * chunk - n_trees
    if pad:
        keys = jnp.concatenate([keys, keys[:pad]], axis=0)
    valid = jnp.arange(n_chunks * chunk) < n_trees
    thr = []
    for p in ((1.0 + gamma * mu0) / 2.0, (1.0 - gamma) / 2.0, rho):
        t, possible = _threshold(p)
        thr += [jnp.uint32(t), jnp.bool_(possible)]
    sums = np.asarray(_simulate(keys, valid, tuple(thr), b=b, depth=depth, chunk=chunk, n_chunks=n_chunks))

    levels = np.arange(depth + 1)
    n_nodes = n_trees * np.asarray([b ** (depth - lv) for lv in levels], dtype=np.int64)
    mu = np.concatenate([[mu0], sums / n_nodes[1:]])
    rec = np.asarray(recursion_kernel(jnp.asarray(mu0), jnp.full(depth, gamma), jnp.full(depth, rho), b))
    stderr = np.sqrt(np.maximum(1.0 - mu**2, 0.0) / n_nodes)
    sd_rec = np.sqrt(np.maximum(1.0 - rec**2, 0.0) / n_nodes)
    diff = mu - rec
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(diff == 0.0, 0.0, diff / sd_rec)
    stderr[0] = z[0] = 0.0
    return TreeSimulation(levels=jnp.asarray(levels), mu=jnp.asarray(mu), stderr=jnp.asarray(stderr),
                          accuracy=jnp.asarray((1.0 + mu) / 2.0), recursion=jnp.asarray(rec), z=jnp.asarray(z),
                          n_nodes=jnp.asarray(n_nodes), root_accuracy=float((1.0 + mu[-1]) / 2.0),
                          n_trees=n_trees, b=b, depth=depth)
