"""Monte Carlo SGD on the river valley (spec §2.2, reconstructed model; the paper's toy experiment).

(x, y) ← (x, y) - η_t(∇L(x, y) + ξ_t),  ξ_t ~ N(0, diag(σ_r², σ_h²)), independent over steps and paths.
One ``lax.scan`` over steps, every path updated at once; path means are taken inside the scan so memory is
O(n_paths + T / record_every).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from theory.schedules._checks import as_int, as_lrs, as_real
from theory.schedules._errors import ScheduleError
from theory.schedules._valley import RiverValley, _grad, _loss, check_stable

__all__ = ["SGDSimulation", "simulate_sgd"]


@dataclass(frozen=True)
class SGDSimulation:
    """Path statistics of simulated SGD recorded at ``steps`` (0, r, 2r, ..., T; T always included).

    ``mean_loss``/``std_loss``: mean and standard deviation over paths of L(x_t, y_t); ``mean_river_loss``:
    mean of (μ/2)(x-x*)²; ``mean_hill_loss``: mean of the rest; ``final_loss``, ``final_x``, ``final_y``: per path
    at step T. The standard error of ``mean_loss`` is ``std_loss / sqrt(n_paths)``.
    """

    steps: np.ndarray
    mean_loss: jax.Array
    std_loss: jax.Array
    mean_river_loss: jax.Array
    mean_hill_loss: jax.Array
    final_loss: jax.Array
    final_x: jax.Array
    final_y: jax.Array
    n_paths: int


def _stats(theta: jax.Array, x: jax.Array, y: jax.Array, curved: bool) -> jax.Array:
    loss = _loss(theta, x, y, curved)
    river = 0.5 * theta[0] * (x - theta[4]) ** 2
    return jnp.stack([loss.mean(), loss.std(), river.mean(), (loss - river).mean()])


_CHUNK = 64  # steps whose noise is drawn in one call: small per-step RNG calls dominate otherwise


def _simulate_impl(lrs: jax.Array, theta: jax.Array, key: jax.Array, x0: jax.Array, y0: jax.Array,
                   n_paths: int, record_outer: bool, noisy: tuple[bool, bool], curved: bool):
    """Three nested scans over ``lrs`` of shape (outer, middle, inner).

    Either the middle level is a group of ``every`` recorded steps and the outer level a chunk of groups whose
    noise is drawn at once (``record_outer=False``, short groups), or the outer level is a recorded group and the
    middle level a 64-step chunk of it with its own noise draw (``record_outer=True``, long groups, padded with
    zero-LR steps, which move nothing). Either way the noise is drawn in blocks of at most a few thousand steps
    x paths and the statistics after every group. ``noisy`` says (statically) which coordinates get noise.
    """
    noise_sd = jnp.sqrt(jnp.stack([theta[2], theta[3]]))
    n_draw = max(sum(noisy), 1)
    x = jnp.full((n_paths,), x0)
    y = jnp.full((n_paths,), y0)

    def one_step(state, inputs):
        x, y = state
        lr, z = inputs
        gx, gy = _grad(theta, x, y, curved)
        i = 0
        if noisy[0]:
            gx = gx + noise_sd[0] * z[i]
            i += 1
        if noisy[1]:
            gy = gy + noise_sd[1] * z[i]
        return (x - lr * gx, y - lr * gy), None

    def steps(state, lrs, z):
        state, _ = jax.lax.scan(one_step, state, (lrs, z))
        return state

    def draw(lrs, index):
        return jax.random.normal(jax.random.fold_in(key, index), lrs.shape + (n_draw, n_paths), dtype=jnp.float64)

    if record_outer:
        def middle(state, inputs):
            lrs, c = inputs
            return steps(state, lrs, draw(lrs, c)), None

        def outer(state, inputs):
            lrs, g = inputs
            ids = g * lrs.shape[0] + jnp.arange(lrs.shape[0])
            state, _ = jax.lax.scan(middle, state, (lrs, ids))
            return state, _stats(theta, *state, curved)
    else:
        def outer(state, inputs):
            lrs, c = inputs
            z = draw(lrs, c)
            return jax.lax.scan(_group, state, (lrs, z))

        def _group(state, inputs):
            lrs, z = inputs
            state = steps(state, lrs, z)
            return state, _stats(theta, *state, curved)

    first = _stats(theta, x, y, curved)
    (x, y), recorded = jax.lax.scan(outer, (x, y), (lrs, jnp.arange(lrs.shape[0])))
    return jnp.concatenate([first[None], recorded.reshape(-1, 4)]), _loss(theta, x, y, curved), x, y


_simulate = jax.jit(_simulate_impl, static_argnums=(5, 6, 7, 8))


def _layout(arr: np.ndarray, every: int) -> tuple[np.ndarray, bool, int]:
    """Arrange the LRs for :func:`_simulate_impl`; returns (lrs, record_outer, number of groups)."""
    total = arr.size
    n_groups = -(-total // every)
    grouped = np.zeros((n_groups, every))
    grouped.ravel()[:total] = arr       # zero-LR padding after T leaves every path where it is
    if every <= _CHUNK:
        per_chunk = -(-_CHUNK // every)
        n_chunks = -(-n_groups // per_chunk)
        out = np.zeros((n_chunks * per_chunk, every))
        out[:n_groups] = grouped
        return out.reshape(n_chunks, per_chunk, every), False, n_groups
    n_sub = -(-every // _CHUNK)
    out = np.zeros((n_groups, n_sub * _CHUNK))
    out[:, :every] = grouped
    return out.reshape(n_groups, n_sub, _CHUNK), True, n_groups


def _as_key(key: Any) -> jax.Array:
    if isinstance(key, jax.Array):
        if jnp.issubdtype(key.dtype, jax.dtypes.prng_key) and key.shape == ():
            return key
        if key.dtype == jnp.uint32 and key.shape == (2,):
            return jax.random.wrap_key_data(key)
    raise ScheduleError(f"key must be a jax.random key (jax.random.key(n) or PRNGKey(n)), got {type(key).__name__}"
                        f"{getattr(key, 'shape', '')}")


def simulate_sgd(lrs: Any, valley: RiverValley, key: Any, *, n_paths: int = 1000, x0: float = 10.0,
                 y0: float = 0.0, record_every: int = 1) -> SGDSimulation:
    """Simulate ``n_paths`` independent SGD runs on ``valley`` under the schedule ``lrs`` (spec §2.2, §3).

    Update (x,y) ← (x,y) - η_t(∇L + ξ_t), ξ_t ~ N(0, diag(σ_r², σ_h²)); works on the curved valley too.
    Deterministic given ``key`` (noise is drawn in blocks of 64 or more steps from ``fold_in(key, block)``, so
    memory stays O(64·n_paths) whatever ``record_every``; a coordinate with zero noise variance draws none).
    Raises :class:`ScheduleError` on n_paths < 1, a non-key, record_every < 1, or max η·λ ≥ 2.
    """
    if not isinstance(valley, RiverValley):
        raise ScheduleError(f"valley must be a RiverValley, got {type(valley).__name__}")
    arr = as_lrs(lrs)
    n = as_int(n_paths, "n_paths", minimum=1)
    every = as_int(record_every, "record_every", minimum=1)
    k = _as_key(key)
    check_stable(arr, valley)
    x0, y0 = as_real(x0, "x0"), as_real(y0, "y0")
    total = arr.size
    every = min(every, total)
    lrs, record_outer, n_groups = _layout(arr, every)
    noisy = (valley.river_noise > 0, valley.hill_noise > 0)
    stats, final_loss, fx, fy = _simulate(jnp.asarray(lrs), valley._params(), k, jnp.float64(x0), jnp.float64(y0),
                                          n, record_outer, noisy, valley.curved)
    stats = stats[: n_groups + 1]
    steps = np.minimum(np.arange(n_groups + 1) * every, total)
    return SGDSimulation(steps, stats[:, 0], stats[:, 1], stats[:, 2], stats[:, 3], final_loss, fx, fy, n)
