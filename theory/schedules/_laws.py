"""Loss-curve laws as functions of the whole LR schedule (spec §2.3; peer laws).

Multi-Power Law (Luo et al. 2025, arXiv:2503.12811), in the convention of their reference code:
    S1(s) = Σ_{τ≤s} η_τ,   S_k(s) = Σ_{τ=k}^{s} η_τ,   G(x) = 1 - (1 + Cx)^{-β},
    LD(s) = Σ_{k=k₀}^{s} (η_{k-1} - η_k) G(η_k^{-γ} S_k(s)),   L̂(s) = L₀ + A S1(s)^{-α} - B LD(s).
The code (and its published parameters) use k₀ = ``drop_start`` = 1, so warmup increases count as negative
drops; the paper writes A(S1 + S_W)^{-α} with post-warmup drops only (k₀ = W).

Annealing law (Tissue et al. 2024, arXiv:2408.11029; reconstructed):
    m_i = 0 (i ≤ W),  m_i = λ m_{i-1} + (η_{i-1} - η_i) (i > W),  S2(s) = Σ_{i=1}^{s} m_i,
    L̂(s) = L₀ + A S1(s)^{-α} - C S2(s).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from theory._validate import as_float_array, check_option, short_repr
from theory.schedules._checks import as_int, as_lrs, as_real
from theory.schedules._errors import ScheduleError

__all__ = [
    "MULTIPOWER_PUBLISHED",
    "AnnealingParams",
    "LossCurve",
    "MultiPowerParams",
    "annealing_areas",
    "annealing_predict",
    "multipower_curves",
    "multipower_predict",
]


@dataclass(frozen=True)
class LossCurve:
    """A logged loss curve: losses ``loss`` at strictly increasing ``steps`` of a run with per-step LRs ``lrs``.

    Raises :class:`ScheduleError` unless steps are strictly increasing non-negative ints, loss > 0, the lengths of
    steps and loss agree and len(lrs) > steps[-1].
    """

    name: str
    steps: np.ndarray
    loss: np.ndarray
    lrs: np.ndarray

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise ScheduleError(f"name must be a string, got {short_repr(self.name)}")
        raw = np.asarray(self.steps)
        if raw.dtype == bool or raw.ndim != 1 or raw.size < 1:
            raise ScheduleError(f"steps of curve {self.name!r} must be a non-empty 1-D int array, got "
                                f"{short_repr(self.steps)}")
        steps_f = as_float_array(raw, f"steps of curve {self.name!r}", error=ScheduleError, nonnegative=True)
        if not np.all(steps_f == np.round(steps_f)):
            raise ScheduleError(f"steps of curve {self.name!r} must be integers, got {short_repr(raw)}")
        steps = steps_f.astype(np.int64)
        if np.any(np.diff(steps) <= 0):
            raise ScheduleError(f"steps of curve {self.name!r} must be strictly increasing")
        loss = as_float_array(self.loss, f"loss of curve {self.name!r}", error=ScheduleError, positive=True)
        if loss.size != steps.size:
            raise ScheduleError(f"curve {self.name!r}: steps has {steps.size} entries but loss has {loss.size}")
        lrs = as_lrs(self.lrs, f"lrs of curve {self.name!r}")
        if lrs.size <= steps[-1]:
            raise ScheduleError(f"curve {self.name!r}: len(lrs)={lrs.size} must exceed the last step {steps[-1]}")
        for arr in (steps, loss, lrs):
            arr.flags.writeable = False
        object.__setattr__(self, "steps", steps)
        object.__setattr__(self, "loss", loss)
        object.__setattr__(self, "lrs", lrs)


@dataclass(frozen=True)
class MultiPowerParams:
    """MPL parameters (L₀, A, α, B, C, β, γ) of L̂ = L₀ + A S1^{-α} - B LD (Luo et al. 2025, Eq. MPL)."""

    L0: float
    A: float
    alpha: float
    B: float
    C: float
    beta: float
    gamma: float

    def as_array(self) -> np.ndarray:
        return np.asarray([self.L0, self.A, self.alpha, self.B, self.C, self.beta, self.gamma], dtype=np.float64)


@dataclass(frozen=True)
class AnnealingParams:
    """Annealing-law parameters (L₀, A, α, C) of L̂ = L₀ + A S1^{-α} - C S2 (Tissue et al. 2024)."""

    L0: float
    A: float
    alpha: float
    C: float

    def as_array(self) -> np.ndarray:
        return np.asarray([self.L0, self.A, self.alpha, self.C], dtype=np.float64)


# The published MPL fits, copied as data from thu-yao-01-luo/MultiPowerLaw src/config.py (PARAMS; commit 8da9f19,
# MIT). Tests recompute the reference's logged errors from them; nothing downstream is typed in.
MULTIPOWER_PUBLISHED: Mapping[str, MultiPowerParams] = MappingProxyType({
    "25M": MultiPowerParams(3.04045406, 0.52468604, 0.50786857, 363.78751622, 2.06560812, 0.58279013, 0.64142257),
    "100M": MultiPowerParams(2.6514477, 0.60115152, 0.45295811, 437.9464276, 2.13245612, 0.59785199, 0.65523644),
    "400M": MultiPowerParams(2.37474466, 0.65421216, 0.42878731, 523.42464371, 2.02462735, 0.59350493, 0.63472457),
})

_PEAK, _END, _WARMUP = 3e-4, 3e-5, 2160


def _reference_lrs(stem: str) -> np.ndarray:
    """Per-step LRs of the bundled runs, from the formulas in the data README (linear warmup ``linspace(0, 3e-4,
    2160)``, peak 3e-4)."""
    warm = np.linspace(0.0, _PEAK, _WARMUP)
    kind, _, rest = stem.partition("_")
    if kind in ("constant", "cosine"):
        total = int(rest)
        if kind == "constant":
            return np.concatenate([warm, np.full(total - _WARMUP, _PEAK)])
        s = np.arange(_WARMUP, total)
        body = _END + 0.5 * (_PEAK - _END) * (1 + np.cos(np.pi * (s - _WARMUP) / (total - _WARMUP)))
        return np.concatenate([warm, body])
    if kind == "wsdcon":
        low = int(rest) * 1e-5
        return np.concatenate([warm, np.full(8000 - _WARMUP, _PEAK), np.full(16000 - 8000, low)])
    if kind in ("wsd", "wsdld"):
        total, start = 24000, 20000
        s = np.arange(start, total)
        if kind == "wsd":  # geometric interpolation between peak and end
            body = _PEAK ** ((total - s) / (total - start)) * _END ** ((s - start) / (total - start))
        else:
            body = _PEAK * (1 - (s - start) / (total - start)) + _END * (s - start) / (total - start)
        return np.concatenate([warm, np.full(start - _WARMUP, _PEAK), body])
    raise ScheduleError(f"unknown schedule file stem {stem!r}")


def multipower_curves(model: str) -> dict[str, LossCurve]:
    """The 9 loss curves of Luo et al.'s runs for ``model`` ∈ {"25M", "100M", "400M"}, keyed by file stem.

    Steps and losses come from ``theory.datasets.load("wsd_multipower")``; per-step LRs are rebuilt from the
    schedule formulas (they equal the logged ``lr`` column to 1e-12).
    """
    from theory import datasets

    check_option(model, "model", tuple(MULTIPOWER_PUBLISHED), error=ScheduleError)
    df = datasets.load("wsd_multipower")
    df = df[df["model"] == model]
    out = {}
    for stem, group in df.groupby("schedule", sort=True):
        group = group.sort_values("step")
        out[str(stem)] = LossCurve(str(stem), group["step"].to_numpy(), group["loss"].to_numpy(),
                                   _reference_lrs(str(stem)))
    return out


# ---------------------------------------------------------------------------------------------------------------
# Multi-power law

_POINT_CHUNK = 32    # points per block: bounds memory at 32·K floats for a curve with K LR changes
_GAP_BUCKET = 2048   # K is padded to a multiple of this so similar curves share one compiled function


@dataclass(frozen=True)
class _MPLData:
    """Precomputed schedule quantities of one curve (JAX arrays), padded to compile-friendly shapes."""

    s1: jax.Array        # (P,) S1 at each point
    cum_s: jax.Array     # (P,) Σ_{τ≤s} η_τ
    step: jax.Array      # (P,) s
    gap: jax.Array       # (K,) η_{k-1} - η_k
    log_eta: jax.Array   # (K,) log η_k
    cum_km1: jax.Array   # (K,) Σ_{τ≤k-1} η_τ
    k: jax.Array         # (K,) k (padding uses a k beyond every step, so it is masked)
    n_points: int


jax.tree_util.register_dataclass(_MPLData, data_fields=["s1", "cum_s", "step", "gap", "log_eta", "cum_km1", "k"],
                                 meta_fields=["n_points"])


def _mpl_data(lrs: np.ndarray, steps: np.ndarray, drop_start: int) -> _MPLData:
    cums = np.cumsum(lrs)
    s_max = int(steps[-1])
    if np.any(cums[steps] <= 0):
        bad = int(steps[np.flatnonzero(cums[steps] <= 0)[0]])
        raise ScheduleError(f"S1 = Σ_{{τ≤s}} η_τ is 0 at step {bad}; S1^(-alpha) is undefined")
    ks = np.arange(drop_start, s_max + 1)
    if ks.size and np.any(lrs[ks] <= 0):
        bad = int(ks[np.flatnonzero(lrs[ks] <= 0)[0]])
        raise ScheduleError(f"lrs must be > 0 for k >= drop_start={drop_start} (η_k^(-gamma)); η_{bad} = "
                            f"{lrs[bad]!r}")
    gaps = lrs[ks - 1] - lrs[ks] if ks.size else np.zeros(0)
    keep = gaps != 0.0  # zero gaps contribute nothing: skipping them keeps the 72k-step curves cheap
    ks, gaps = ks[keep], gaps[keep]
    # power-of-two buckets: few distinct shapes, hence few compilations; padding costs nothing at run time
    # because padded drops lie beyond every step and padded points (step -1) visit no segment
    n_k = _bucket(ks.size, _GAP_BUCKET)
    pad_k = n_k - ks.size
    n_p = _bucket(steps.size, _POINT_CHUNK)
    pad_p = n_p - steps.size
    return _MPLData(
        s1=jnp.asarray(np.concatenate([cums[steps], np.ones(pad_p)])),
        cum_s=jnp.asarray(np.concatenate([cums[steps], np.zeros(pad_p)])),
        step=jnp.asarray(np.concatenate([steps, np.full(pad_p, -1)])),
        gap=jnp.asarray(np.concatenate([gaps, np.zeros(pad_k)])),
        log_eta=jnp.asarray(np.concatenate([np.log(lrs[ks]), np.zeros(pad_k)])),
        cum_km1=jnp.asarray(np.concatenate([cums[ks - 1], np.zeros(pad_k)])),
        k=jnp.asarray(np.concatenate([ks, np.full(pad_k, s_max + 1)])),
        n_points=int(steps.size),
    )


def _bucket(n: int, unit: int) -> int:
    """Smallest unit·2^j ≥ n."""
    size = unit
    while size < n:
        size *= 2
    return size


def _mpl_curve(theta: jax.Array, data: _MPLData) -> jax.Array:
    """L̂ at the (padded) points of one curve; ``theta`` = (L₀, A, α, B, C, β, γ).

    The plain, differentiable form over the whole (point, drop) grid; the tests check the faster
    :func:`_mpl_curve_and_grad` (used for predictions and fits) against it and against ``jax.jacfwd`` of it.
    """
    L0, A, alpha, B, C, beta, gamma = (theta[i] for i in range(7))
    eta_pow = jnp.exp(-gamma * data.log_eta)                                   # η_k^{-γ}

    def block(args):
        cum_s, step = args
        active = data.k[None, :] <= step[:, None]
        sk = jnp.where(active, cum_s[:, None] - data.cum_km1[None, :], 1.0)  # S_k(s) (1.0 where masked)
        g = -jnp.expm1(-beta * jnp.log1p(C * eta_pow[None, :] * sk))         # 1 - (1 + Cx)^{-β}
        return jnp.sum(jnp.where(active, data.gap[None, :] * g, 0.0), axis=1)

    shape = (-1, _POINT_CHUNK)
    ld = jax.lax.map(block, (data.cum_s.reshape(shape), data.step.reshape(shape))).reshape(-1)
    return L0 + A * data.s1 ** (-alpha) - B * ld


def _mpl_curve_and_grad(theta: jax.Array, data: _MPLData) -> tuple[jax.Array, jax.Array]:
    """L̂ and ∂L̂/∂(L₀, A, α, B, C, β, γ) in one pass over the (point, drop) grid.

    Hand-written rather than ``jacfwd`` because the grid dominates the cost and, with q = Cη_k^{-γ}S_k(s) and
    P = (1+q)^{-β}, all three grid derivatives reuse P, log(1+q) and q/(1+q):
    ∂G/∂C = βP q/((1+q)C),  ∂G/∂β = P log(1+q),  ∂G/∂γ = -βP q log η_k/(1+q).
    Points and drops are both sorted by step, so a block of points only visits the segments of drops with
    k ≤ its last step (a ``fori_loop`` with a data-dependent trip count): about half the grid on a decaying
    schedule, where every step is a drop.
    """
    L0, A, alpha, B, C, beta, gamma = (theta[i] for i in range(7))
    eta_pow = jnp.exp(-gamma * data.log_eta)
    n_seg = data.k.shape[0] // _GAP_BUCKET
    seg = lambda arr, j: jax.lax.dynamic_slice_in_dim(arr, j * _GAP_BUCKET, _GAP_BUCKET)  # noqa: E731

    def block(args):
        cum_s, step = args
        # segments whose first drop is at or before the block's last point
        needed = jnp.sum(data.k[:: _GAP_BUCKET] <= jnp.max(step))

        def body(j, acc):
            k, gap, log_eta = seg(data.k, j), seg(data.gap, j), seg(data.log_eta, j)
            active = k[None, :] <= step[:, None]
            sk = jnp.where(active, cum_s[:, None] - seg(data.cum_km1, j)[None, :], 1.0)
            q = C * seg(eta_pow, j)[None, :] * sk
            log1q = jnp.log1p(q)
            P = jnp.exp(-beta * log1q)
            w = jnp.where(active, gap[None, :], 0.0)
            common = w * (beta * P * q / (1.0 + q))
            return acc + jnp.stack([jnp.sum(w * (1.0 - P), axis=1), jnp.sum(common, axis=1) / C,
                                    jnp.sum(w * P * log1q, axis=1), -jnp.sum(common * log_eta[None, :], axis=1)])

        return jax.lax.fori_loop(0, jnp.minimum(needed, n_seg), body, jnp.zeros((4, step.shape[0])))

    shape = (-1, _POINT_CHUNK)
    parts = jax.lax.map(block, (data.cum_s.reshape(shape), data.step.reshape(shape)))   # (blocks, 4, chunk)
    ld, d_c, d_beta, d_gamma = jnp.moveaxis(parts, 1, 0).reshape(4, -1)
    power = data.s1 ** (-alpha)
    pred = L0 + A * power - B * ld
    grad = jnp.stack([jnp.ones_like(pred), power, -A * power * jnp.log(data.s1), -ld, -B * d_c, -B * d_beta,
                      -B * d_gamma], axis=1)
    return pred, grad


_mpl_predict_jit = jax.jit(lambda theta, data: _mpl_curve_and_grad(theta, data)[0])


def _param_array(params: Any, cls: type, name: str = "params") -> np.ndarray:
    if not isinstance(params, cls):
        raise ScheduleError(f"{name} must be a {cls.__name__}, got {type(params).__name__}")
    arr = params.as_array()
    bad = ~np.isfinite(arr)
    if bad.any():
        raise ScheduleError(f"{name} must be finite, got {params!r}")
    return arr


def _steps_for(steps: Any, n_lrs: int) -> np.ndarray:
    raw = np.asarray(steps)
    if raw.dtype == bool:
        raise ScheduleError("steps must be integers, got booleans")
    arr = as_float_array(np.atleast_1d(raw), "steps", error=ScheduleError, nonnegative=True)
    if not np.all(arr == np.round(arr)):
        raise ScheduleError(f"steps must be integers, got {short_repr(raw)}")
    out = arr.astype(np.int64)
    if np.any(np.diff(out) <= 0):
        raise ScheduleError("steps must be strictly increasing")
    if out[-1] >= n_lrs:
        raise ScheduleError(f"steps must be < len(lrs) = {n_lrs}, got {int(out[-1])}")
    return out


def multipower_predict(params: MultiPowerParams, lrs: Any, steps: Any, *, drop_start: int = 1) -> jax.Array:
    """MPL prediction L̂(s) = L₀ + A S1^{-α} - B Σ_{k=k₀}^{s}(η_{k-1}-η_k)(1-(1+Cη_k^{-γ}S_k(s))^{-β}) (peer law).

    Memory is bounded on long curves: points are processed in blocks of 32 and only steps where the LR changes
    enter the sum. Raises :class:`ScheduleError` if S1 = 0 at a step, η_k ≤ 0 for some k ≥ ``drop_start``, or
    steps are unsorted or ≥ len(lrs).
    """
    theta = _param_array(params, MultiPowerParams)
    eta = as_lrs(lrs)
    k0 = as_int(drop_start, "drop_start", minimum=1)
    s = _steps_for(steps, eta.size)
    data = _mpl_data(eta, s, k0)
    return _mpl_predict_jit(jnp.asarray(theta), data)[: s.size]


# ---------------------------------------------------------------------------------------------------------------
# Annealing law


def _areas_impl(lrs: jax.Array, decay: jax.Array, warmup: jax.Array) -> tuple[jax.Array, jax.Array]:
    i = jnp.arange(lrs.shape[0])
    drops = jnp.concatenate([jnp.zeros(1), lrs[:-1] - lrs[1:]])
    drops = jnp.where(i > warmup, drops, 0.0)

    def step(m, inputs):
        drop, idx = inputs
        m = jnp.where(idx > warmup, decay * m + drop, 0.0)
        return m, m

    _, m = jax.lax.scan(step, jnp.zeros(()), (drops, i))
    return jnp.cumsum(lrs), jnp.cumsum(m)


_areas = jax.jit(_areas_impl)


def _check_decay(decay: Any) -> float:
    lam = as_real(decay, "decay")
    if not 0.0 <= lam < 1.0:
        raise ScheduleError(f"decay must lie in [0, 1), got {lam!r}")
    return lam


def annealing_areas(lrs: Any, *, decay: float = 0.999, warmup_steps: int = 0) -> tuple[jax.Array, jax.Array]:
    """Forward area S1(s) = Σ_{τ≤s}η_τ and annealing area S2(s) = Σ_{i=1}^{s} m_i (Tissue et al. 2024; reconstructed).

    m_i = 0 for i ≤ W, m_i = λm_{i-1} + (η_{i-1} - η_i) for i > W, λ = ``decay``, W = ``warmup_steps``. (The peer
    code starts from m₀ = η₀; we start from 0 so a warmup's rise is not counted as annealing.) Both have shape (T,).
    """
    eta = as_lrs(lrs)
    lam = _check_decay(decay)
    w = as_int(warmup_steps, "warmup_steps", minimum=0)
    return _areas(jnp.asarray(eta), jnp.float64(lam), jnp.int64(w))


def _annealing_curve(theta: jax.Array, s1: jax.Array, s2: jax.Array) -> jax.Array:
    return theta[0] + theta[1] * s1 ** (-theta[2]) - theta[3] * s2


def annealing_predict(params: AnnealingParams, lrs: Any, steps: Any, *, decay: float = 0.999,
                      warmup_steps: int = 0) -> jax.Array:
    """Annealing-law prediction L̂(s) = L₀ + A S1(s)^{-α} - C S2(s) at ``steps`` (Tissue et al. 2024; peer law).

    Raises :class:`ScheduleError` if S1 = 0 at a step, steps are unsorted or out of range, or decay ∉ [0, 1).
    """
    theta = _param_array(params, AnnealingParams)
    eta = as_lrs(lrs)
    s = _steps_for(steps, eta.size)
    s1, s2 = annealing_areas(eta, decay=decay, warmup_steps=warmup_steps)
    s1, s2 = s1[s], s2[s]
    if bool(jnp.any(s1 <= 0)):
        raise ScheduleError(f"S1 is 0 at step {int(s[int(jnp.argmax(s1 <= 0))])}; S1^(-alpha) is undefined")
    return _annealing_curve(jnp.asarray(theta), s1, s2)
