"""Warmup / stable / decay schedules as jit-safe callables (spec §2.1; Levanter's and optax's step convention).

Every schedule here is a sequence of *cycles*. Cycle k covers steps [s_k, e_k) and has

* a linear warmup of w_k steps from r_k·η_max to η_max  (η_t = η_max(r_k + (1-r_k)(t-s_k)/w_k)),
* a stable phase at η_max,
* a decay of d_k steps on [e_k-d_k, e_k):  η_t = η_max·mult((t-e_k+d_k)/d_k).

A phase of n steps that starts at step b has progress u = (t-b)/n and reaches its end value at t = b+n, so the
last value η_T (step T = e_K) is the decay's end value. Steps are clipped to [0, T]. WSD is one cycle; constant,
linear and cosine are WSD with d = 0, d = T-W and d = T-W; WSD-S (Wen et al. 2024, §4; Levanter cycles) is K cycles.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from theory._validate import as_float_array, short_repr
from theory.schedules._checks import as_int, as_real
from theory.schedules._errors import ScheduleError

__all__ = [
    "SHAPES",
    "Schedule",
    "constant_schedule",
    "cosine_schedule",
    "decay_multiplier",
    "linear_schedule",
    "schedule_from_array",
    "wsd_schedule",
    "wsds_schedule",
]

# Canonical decay shapes, in the order of their integer code used inside jitted code.
SHAPES = ("linear", "cosine", "1-sqrt", "inverse", "exponential")
_ALIASES = {"sqrt": "1-sqrt", "inv": "inverse", "exp": "exponential"}
_NEEDS_POSITIVE_FLOOR = ("inverse", "exponential")


def _canonical_shape(shape: Any) -> str:
    if isinstance(shape, str):
        name = _ALIASES.get(shape, shape)
        if name in SHAPES:
            return name
    raise ScheduleError(f"decay_shape must be one of {', '.join(SHAPES + tuple(_ALIASES))}; got {short_repr(shape)}")


def _check_ratio(value: Any, name: str, shape: str | None = None) -> float:
    x = as_real(value, name)
    if not 0.0 <= x <= 1.0:
        raise ScheduleError(f"{name} must lie in [0, 1], got {x!r}")
    # XLA on CPU flushes subnormal numbers to zero, so a subnormal floor would act as f = 0 inside jit.
    if shape in _NEEDS_POSITIVE_FLOOR and x < np.finfo(np.float64).tiny:
        raise ScheduleError(f"{name} must be >= {np.finfo(np.float64).tiny!r} (the smallest normal float64) for "
                            f"decay_shape={shape!r}: 1/f and f**u need f > 0; got {x!r}")
    return x


_BRANCHES = (
    lambda u, f: f + (1 - f) * (1 - u),                               # linear
    lambda u, f: f + (1 - f) * 0.5 * (1 + jnp.cos(jnp.pi * u)),       # cosine
    lambda u, f: f + (1 - f) * (1 - jnp.sqrt(u)),                     # 1-sqrt (Hägele et al. 2024)
    # inverse (Levanter ``inv``) 1/(1 + (1/f - 1)u), f > 0, written as f/(f + (1-f)u): 1/f overflows for
    # subnormal f and inf·0 made NaN at u = 0.
    lambda u, f: f / (f + (1.0 - f) * u),
    lambda u, f: f**u,                                                # exponential, f > 0
)


def _multiplier(u: jax.Array, code: int, f: jax.Array) -> jax.Array:
    """mult(u) for the shape number ``code`` (a static Python int: each shape compiles to its own formula).

    The end of the decay is pinned to f exactly: XLA's cos(π) is not exactly −1, which left a schedule that
    should end at 0 ending at ~1e-16·η_max.
    """
    return jnp.where(u >= 1.0, f, _BRANCHES[code](u, f))


_multiplier_jit = jax.jit(_multiplier, static_argnums=1)


def decay_multiplier(u: Any, shape: str = "linear", min_lr_ratio: float = 0.0) -> jax.Array:
    """Decay multiplier mult(u) ∈ [f, 1] at progress u ∈ [0, 1] (spec §2.1; Levanter's decay shapes).

    With f = ``min_lr_ratio``: linear f+(1-f)(1-u); cosine f+(1-f)·½(1+cos πu); 1-sqrt f+(1-f)(1-√u);
    inverse 1/(1+(1/f-1)u) (needs f > 0); exponential f^u (needs f > 0). Aliases: sqrt, inv, exp.
    Returns float64 with the shape of ``u``. Raises :class:`ScheduleError` if u ∉ [0, 1].
    """
    name = _canonical_shape(shape)
    f = _check_ratio(min_lr_ratio, "min_lr_ratio", name)
    arr = as_float_array(u, "u", error=ScheduleError, ndim=None)
    if ((arr < 0) | (arr > 1)).any():
        bad = arr[(arr < 0) | (arr > 1)].ravel()[0]
        raise ScheduleError(f"u must lie in [0, 1], got {float(bad)!r}")
    return _multiplier_jit(jnp.asarray(arr), SHAPES.index(name), jnp.asarray(f))


def _evaluate_cycles(tables: dict[str, jax.Array], step: jax.Array, code: int) -> jax.Array:
    """η_t for the cycle tables at (possibly traced) integer or float steps, clipped to [0, T]."""
    t = jnp.clip(jnp.asarray(step, dtype=jnp.float64), 0.0, tables["total"])
    n_cycles = tables["ends"].shape[0]
    names = ("starts", "warm", "init", "dstart", "dlen")
    if n_cycles == 1:  # static: WSD, cosine, constant... need no cycle lookup (a gather per table per step)
        start, warm, ratio, dstart, dlen = (tables[n][0] for n in names)
    else:
        if n_cycles <= 32:  # a few fused comparisons beat a binary search per step
            k = sum((t >= tables["ends"][j]).astype(jnp.int32) for j in range(n_cycles - 1))
        else:
            k = jnp.clip(jnp.searchsorted(tables["ends"], t, side="right"), 0, n_cycles - 1)
        start, warm, ratio, dstart, dlen = (tables[n][k] for n in names)
    warm_safe = jnp.where(warm > 0, warm, 1.0)
    warm_val = ratio + (1.0 - ratio) * (t - start) / warm_safe
    u = jnp.clip((t - dstart) / dlen, 0.0, 1.0)
    # The end of a decay is decided on t, not u: XLA may divide by multiplying with the reciprocal, so
    # (t - dstart)/dlen can come out one ulp below 1 at t = dstart + dlen.
    decay_val = jnp.where(t >= dstart + dlen, tables["floor"], _multiplier(u, code, tables["floor"]))
    mult = jnp.where(t < start + warm, warm_val, jnp.where(t < dstart, 1.0, decay_val))
    return tables["peak"] * mult


def _evaluate_array(tables: dict[str, jax.Array], step: jax.Array, code: int = 0) -> jax.Array:
    """η_t = lrs[min(t, T-1)], steps clipped below at 0."""
    idx = jnp.clip(jnp.asarray(step).astype(jnp.int64), 0, tables["lrs"].shape[0] - 1)
    return tables["lrs"][idx]


_EVAL = {"cycles": jax.jit(_evaluate_cycles, static_argnums=2), "array": jax.jit(_evaluate_array, static_argnums=2)}
_EVAL_RAW = {"cycles": _evaluate_cycles, "array": _evaluate_array}


@dataclass(frozen=True, eq=False)
class Schedule:
    """A learning-rate schedule η_t, t = 0..T, usable unchanged as an optax learning rate (spec §2.1, §3).

    ``schedule(step)`` works on Python ints, arrays and traced int32 steps inside ``jit``/``vmap``/optax; it
    returns float64. ``values()`` is (η_0, ..., η_{T-1}); ``lr_sum()`` is Σ_{t<T} η_t. ``config`` records the
    constructor's arguments (read-only).
    """

    name: str
    total_steps: int
    peak_lr: float
    config: Mapping[str, Any]
    _kind: str = field(default="cycles", repr=False)
    _tables: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def __call__(self, step: Any) -> jax.Array:
        tables = self._device_tables()
        if isinstance(step, jax.core.Tracer):
            # inside someone else's trace: inline the arithmetic rather than nest a jit call
            return _EVAL_RAW[self._kind](tables, step, self._code)
        return _EVAL[self._kind](tables, jnp.asarray(step), self._code)

    def _device_tables(self) -> dict[str, jax.Array]:
        # built once per schedule: converting the tables on every call would dominate a cheap evaluation
        cached = self.__dict__.get("_device")
        if cached is None:
            with jax.ensure_compile_time_eval():  # concrete arrays even if first asked for inside a trace
                cached = {k: jnp.asarray(v) for k, v in self._tables.items() if k != "code"}
            object.__setattr__(self, "_device", cached)
        return cached

    @property
    def _code(self) -> int:
        return int(self._tables.get("code", 0))

    def values(self) -> jax.Array:
        """(η_0, ..., η_{T-1}) as a float64 array of shape (T,)."""
        return self(jnp.arange(self.total_steps))

    def lr_sum(self) -> float:
        """Σ_{t<T} η_t (the river progress τ_T of spec §2.2)."""
        return float(jnp.sum(self.values()))


def _cycles(name: str, peak: float, total: int, config: dict, *, starts, warm, init, dstart, dlen, shape, floor):
    tables = {
        "total": np.float64(total),
        "peak": np.float64(peak),
        "ends": np.asarray(list(starts[1:]) + [total], dtype=np.float64),
        "starts": np.asarray(starts, dtype=np.float64),
        "warm": np.asarray(warm, dtype=np.float64),
        "init": np.asarray(init, dtype=np.float64),
        "dstart": np.asarray(dstart, dtype=np.float64),
        "dlen": np.asarray(dlen, dtype=np.float64),
        "code": np.int64(SHAPES.index(shape)),
        "floor": np.float64(floor),
    }
    for v in tables.values():
        if isinstance(v, np.ndarray):
            v.flags.writeable = False
    return Schedule(name, total, peak, MappingProxyType(dict(config)), "cycles", MappingProxyType(tables))


def _common(peak_lr: Any, total_steps: Any, warmup_steps: Any, warmup_init_ratio: Any) -> tuple[float, int, int, float]:
    peak = as_real(peak_lr, "peak_lr")
    if peak <= 0:
        raise ScheduleError(f"peak_lr must be > 0, got {peak!r}")
    total = as_int(total_steps, "total_steps", minimum=1)
    warm = as_int(warmup_steps, "warmup_steps", minimum=0)
    if warm > total:
        raise ScheduleError(f"warmup_steps must be <= total_steps={total}, got {warm}")
    r0 = _check_ratio(warmup_init_ratio, "warmup_init_ratio")
    return peak, total, warm, r0


def wsd_schedule(peak_lr: float, total_steps: int, *, decay_fraction: float = 0.2, decay_steps: int | None = None,
                 decay_shape: str = "linear", min_lr_ratio: float = 0.0, warmup_steps: int = 0,
                 warmup_init_ratio: float = 0.0) -> Schedule:
    """Warmup-stable-decay (spec §2.1; Wen et al. 2024 §1; Levanter convention).

    η_t = η_max(r₀+(1-r₀)t/W) for t < W; η_max on [W, T-d); η_max·mult((t-T+d)/d) on [T-d, T], with
    d = ``decay_steps`` or ⌊``decay_fraction``·T + 1e-9⌋. Raises :class:`ScheduleError` on peak_lr ≤ 0,
    total_steps < 1, decay_fraction ∉ (0, 1], decay_steps < 1, W + d > T, a bad min_lr_ratio or shape.
    """
    peak, total, warm, r0 = _common(peak_lr, total_steps, warmup_steps, warmup_init_ratio)
    shape = _canonical_shape(decay_shape)
    f = _check_ratio(min_lr_ratio, "min_lr_ratio", shape)
    if decay_steps is None:
        frac = as_real(decay_fraction, "decay_fraction")
        if not 0.0 < frac <= 1.0:
            raise ScheduleError(f"decay_fraction must lie in (0, 1], got {frac!r}")
        d = math.floor(frac * total + 1e-9)
        if d < 1:
            raise ScheduleError(f"decay_fraction={frac!r} gives {d} decay steps for total_steps={total}; need >= 1")
    else:
        d = as_int(decay_steps, "decay_steps", minimum=1)
    if warm + d > total:
        raise ScheduleError(f"warmup_steps + decay steps must be <= total_steps={total}, got {warm} + {d}")
    config = dict(decay_fraction=decay_fraction, decay_steps=d, decay_shape=shape, min_lr_ratio=f,
                  warmup_steps=warm, warmup_init_ratio=r0)
    return _cycles(f"wsd_{shape}", peak, total, config, starts=[0], warm=[warm], init=[r0],
                   dstart=[total - d], dlen=[d], shape=shape, floor=f)


def constant_schedule(peak_lr: float, total_steps: int, *, warmup_steps: int = 0,
                      warmup_init_ratio: float = 0.0) -> Schedule:
    """Constant η_max after a linear warmup (spec §2.1): η_t = η_max(r₀+(1-r₀)t/W) for t < W, else η_max."""
    peak, total, warm, r0 = _common(peak_lr, total_steps, warmup_steps, warmup_init_ratio)
    config = dict(warmup_steps=warm, warmup_init_ratio=r0)
    # the decay starts after T and so is never reached: η_T = η_max
    return _cycles("constant", peak, total, config, starts=[0], warm=[warm], init=[r0],
                   dstart=[total + 1], dlen=[1], shape="linear", floor=1.0)


def _full_decay(shape: str, peak_lr, total_steps, warmup_steps, warmup_init_ratio, min_lr_ratio) -> Schedule:
    peak, total, warm, r0 = _common(peak_lr, total_steps, warmup_steps, warmup_init_ratio)
    f = _check_ratio(min_lr_ratio, "min_lr_ratio", shape)
    if total - warm < 1:
        raise ScheduleError(f"warmup_steps must be < total_steps={total} to leave a decay, got {warm}")
    config = dict(warmup_steps=warm, warmup_init_ratio=r0, min_lr_ratio=f)
    return _cycles(shape, peak, total, config, starts=[0], warm=[warm], init=[r0], dstart=[warm],
                   dlen=[total - warm], shape=shape, floor=f)


def linear_schedule(peak_lr: float, total_steps: int, *, warmup_steps: int = 0, warmup_init_ratio: float = 0.0,
                    min_lr_ratio: float = 0.0) -> Schedule:
    """Warmup then linear decay to f·η_max at T: WSD with d = T - W (spec §2.1)."""
    return _full_decay("linear", peak_lr, total_steps, warmup_steps, warmup_init_ratio, min_lr_ratio)


def cosine_schedule(peak_lr: float, total_steps: int, *, warmup_steps: int = 0, warmup_init_ratio: float = 0.0,
                    min_lr_ratio: float = 0.0) -> Schedule:
    """Warmup then cosine decay η_max(f+(1-f)·½(1+cos πu)), u = (t-W)/(T-W): WSD with d = T - W (spec §2.1).

    Equal to ``optax.warmup_cosine_decay_schedule(0, η_max, W, T, f·η_max)`` (spec §5.1).
    """
    return _full_decay("cosine", peak_lr, total_steps, warmup_steps, warmup_init_ratio, min_lr_ratio)


def _cycle_ends(cycle_ends: Any, total: int) -> list[int]:
    if isinstance(cycle_ends, (int, np.integer)) and not isinstance(cycle_ends, (bool, np.bool_)):
        k = as_int(cycle_ends, "cycle_ends", minimum=1)
        if k > total:
            raise ScheduleError(f"cycle_ends={k} cycles do not fit in total_steps={total}")
        return [(i * total) // k for i in range(1, k + 1)]
    if isinstance(cycle_ends, (str, bytes, bool, np.bool_)) or not isinstance(cycle_ends, (Sequence, np.ndarray)):
        raise ScheduleError(f"cycle_ends must be an int K >= 1 or a sequence of ints, got {short_repr(cycle_ends)}")
    ends = [as_int(e, "cycle_ends entry") for e in list(cycle_ends)]
    if len(ends) < 1:
        raise ScheduleError("cycle_ends must not be empty (K >= 1)")
    if any(e <= 0 or e > total for e in ends):
        raise ScheduleError(f"cycle_ends must lie in (0, {total}], got {short_repr(ends)}")
    if any(b <= a for a, b in zip(ends[:-1], ends[1:], strict=True)):
        raise ScheduleError(f"cycle_ends must be strictly increasing, got {short_repr(ends)}")
    if ends[-1] != total:
        ends.append(total)
    return ends


def wsds_schedule(peak_lr: float, total_steps: int, cycle_ends: int | Sequence[int], *, decay_fraction: float = 0.1,
                  decay_shape: str = "inverse", min_lr_ratio: float = 0.1, warmup_steps: int = 0,
                  rewarmup_steps: int = 0, warmup_init_ratio: float = 0.0) -> Schedule:
    """WSD-S: one run that decays before each checkpoint and resumes at η_max (Wen et al. 2024 §4; Levanter cycles).

    Cycles end at e_1 < ... < e_K = T (T appended if missing; an int K means e_k = ⌊kT/K⌋). Cycle k has
    n_k = e_k - e_{k-1} steps: w_k warmup steps (``warmup_steps`` from r₀·η_max for k = 1, ``rewarmup_steps``
    from f·η_max after), stable at η_max, then d_k = ⌊``decay_fraction``·n_k + 1e-9⌋ decay steps ending at e_k.
    No rollback: cycle k+1 starts from the decayed iterate. ``decay_fraction=1`` with cosine is cyclic cosine.
    Raises :class:`ScheduleError` on bad cycle_ends, d_k < 1 or w_k + d_k > n_k, and the WSD errors.
    """
    peak, total, warm, r0 = _common(peak_lr, total_steps, warmup_steps, warmup_init_ratio)
    rewarm = as_int(rewarmup_steps, "rewarmup_steps", minimum=0)
    shape = _canonical_shape(decay_shape)
    f = _check_ratio(min_lr_ratio, "min_lr_ratio", shape)
    frac = as_real(decay_fraction, "decay_fraction")
    if not 0.0 < frac <= 1.0:
        raise ScheduleError(f"decay_fraction must lie in (0, 1], got {frac!r}")
    ends = _cycle_ends(cycle_ends, total)
    starts = [0] + ends[:-1]
    warms, inits, dstarts, dlens = [], [], [], []
    for k, (s, e) in enumerate(zip(starts, ends, strict=True)):
        n = e - s
        w = warm if k == 0 else rewarm
        d = math.floor(frac * n + 1e-9)
        if d < 1:
            raise ScheduleError(f"cycle {k + 1} ({s}..{e}) has {d} decay steps with decay_fraction={frac!r}; need >= 1")
        if w + d > n:
            raise ScheduleError(f"cycle {k + 1} ({s}..{e}): warmup {w} + decay {d} exceeds its {n} steps")
        warms.append(w)
        inits.append(r0 if k == 0 else f)
        dstarts.append(e - d)
        dlens.append(d)
    config = dict(cycle_ends=tuple(ends), decay_fraction=frac, decay_shape=shape, min_lr_ratio=f,
                  warmup_steps=warm, rewarmup_steps=rewarm, warmup_init_ratio=r0)
    return _cycles(f"wsds_{shape}", peak, total, config, starts=starts, warm=warms, init=inits,
                   dstart=dstarts, dlen=dlens, shape=shape, floor=f)


def schedule_from_array(lrs: Any, name: str = "array") -> Schedule:
    """A schedule from per-step learning rates: η_t = lrs[min(t, T-1)] (T = len(lrs); spec §3).

    Raises :class:`ScheduleError` on empty, NaN/inf or negative entries, or a non-string name.
    """
    if not isinstance(name, str):
        raise ScheduleError(f"name must be a string, got {short_repr(name)}")
    if isinstance(lrs, Schedule):
        lrs = lrs.values()
    if np.asarray(lrs).dtype == bool:
        raise ScheduleError("lrs must be numeric, got a boolean array")
    values = as_float_array(lrs, "lrs", error=ScheduleError, ndim=1, min_size=1, nonnegative=True).copy()
    values.flags.writeable = False
    peak = float(values.max())
    return Schedule(name, int(values.size), peak, MappingProxyType({"n_values": int(values.size)}), "array",
                    MappingProxyType({"lrs": values}))
