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


def _stats(theta: jax.Array, x: jax.Array, y: jax.Array) -> jax.Array:
    loss = _loss(theta, x, y)
    river = 0.5 * theta[0] * (x - theta[4]) ** 2
    return jnp.stack([loss.mean(), loss.std(), river.mean(), (loss - river).mean()])


_CHUNK = 64  # steps whose noise is drawn in one call: small per-step RNG calls dominate otherwise


def _simulate_impl(lrs: jax.Array, theta: jax.Array, key: jax.Array, x0: jax.Array, y0: jax.Array,
                   n_paths: int, every: int, noisy: tuple[bool, bool]):
    """``lrs`` is (n_chunks, m, every): chunks of m·every steps share one noise draw; statistics are recorded
    after each group of ``every`` steps. ``noisy`` says (statically) which coordinates get noise at all."""
    noise_sd = jnp.sqrt(jnp.stack([theta[2], theta[3]]))
    n_noisy = sum(noisy)
    x = jnp.full((n_paths,), x0)
    y = jnp.full((n_paths,), y0)

    def one_step(state, inputs):
        x, y = state
        lr, z = inputs
        gx, gy = _grad(theta, x, y)
        i = 0
        if noisy[0]:
            gx = gx + noise_sd[0] * z[i]
            i += 1
        if noisy[1]:
            gy = gy + noise_sd[1] * z[i]
        return (x - lr * gx, y - lr * gy), None

    def one_group(state, inputs):
        lrs, z = inputs
        state, _ = jax.lax.scan(one_step, state, (lrs, z))
        return state, _stats(theta, *state)

    def one_chunk(state, inputs):
        lrs, c = inputs
        z = jax.random.normal(jax.random.fold_in(key, c), (lrs.shape[0], every, max(n_noisy, 1), n_paths),
                              dtype=jnp.float64)
        return jax.lax.scan(one_group, state, (lrs, z))

    first = _stats(theta, x, y)
    (x, y), recorded = jax.lax.scan(one_chunk, (x, y), (lrs, jnp.arange(lrs.shape[0])))
    return jnp.concatenate([first[None], recorded.reshape(-1, 4)]), _loss(theta, x, y), x, y


_simulate = jax.jit(_simulate_impl, static_argnums=(5, 6, 7))


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
    Deterministic given ``key`` (the noise of each chunk of ≥ 64 steps is drawn at once from
    ``fold_in(key, chunk)``; a coordinate with zero noise variance draws none). Raises :class:`ScheduleError` on
    n_paths < 1, a non-key, record_every < 1, or max η·λ ≥ 2.
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
    n_groups = -(-total // every)
    per_chunk = max(1, -(-_CHUNK // every))          # groups of ``every`` steps per noise draw
    n_chunks = -(-n_groups // per_chunk)
    # zero-LR padding steps leave every path where it is, so the group ending past T still records step T
    padded = np.zeros(n_chunks * per_chunk * every)
    padded[:total] = arr
    noisy = (valley.river_noise > 0, valley.hill_noise > 0)
    stats, final_loss, fx, fy = _simulate(jnp.asarray(padded.reshape(n_chunks, per_chunk, every)),
                                          valley._params(), k, jnp.float64(x0), jnp.float64(y0), n, every, noisy)
    stats = stats[: n_groups + 1]
    steps = np.minimum(np.arange(n_groups + 1) * every, total)
    return SGDSimulation(steps, stats[:, 0], stats[:, 1], stats[:, 2], stats[:, 3], final_loss, fx, fy, n)
