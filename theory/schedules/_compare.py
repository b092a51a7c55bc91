"""Equal-compute comparisons on the river valley: one horizon, or many checkpoints (spec §3, Wen et al. 2024 §4).

All losses are exact expectations from :func:`valley_moments` (no Monte Carlo noise).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jax.numpy as jnp
import numpy as np

from theory._validate import check_option, short_repr
from theory.schedules._checks import as_int, as_lrs, as_real
from theory.schedules._errors import ScheduleError
from theory.schedules._schedules import _canonical_shape, _check_ratio, wsd_schedule, wsds_schedule
from theory.schedules._valley import RiverValley, valley_moments

__all__ = ["CheckpointResult", "ScheduleComparison", "compare_schedules", "multi_checkpoint"]


@dataclass(frozen=True)
class ScheduleComparison:
    """Final E L_T of schedules with the same number of steps T; ``best`` names the lowest final loss."""

    names: tuple[str, ...]
    total_steps: int
    lr_sum: np.ndarray
    final_loss: np.ndarray
    river_loss: np.ndarray
    hill_loss: np.ndarray
    best: str


def compare_schedules(schedules: Mapping[str, Any], valley: RiverValley, *, x0: float = 10.0,
                      y0: float = 0.0) -> ScheduleComparison:
    """Compare schedules at equal compute (same T) by their exact final E L_T = river + hill (spec §3).

    Raises :class:`ScheduleError` if the mapping is empty or the step counts differ.
    """
    if not isinstance(schedules, Mapping) or len(schedules) == 0:
        raise ScheduleError(f"schedules must be a non-empty mapping name -> lrs, got {short_repr(schedules)}")
    names = tuple(str(k) for k in schedules)
    arrays = [as_lrs(v, f"schedules[{k!r}]") for k, v in schedules.items()]
    lengths = {n: a.size for n, a in zip(names, arrays, strict=True)}
    if len(set(lengths.values())) > 1:
        raise ScheduleError(f"schedules must have the same number of steps for equal compute, got {lengths}")
    m = valley_moments(np.stack(arrays), valley, x0=x0, y0=y0)
    final = np.asarray(m.loss[:, -1])
    return ScheduleComparison(names, arrays[0].size, np.asarray(m.lr_sum[:, -1]), final,
                              np.asarray(m.river_loss[:, -1]), np.asarray(m.hill_loss[:, -1]),
                              names[int(np.argmin(final))])


@dataclass(frozen=True)
class CheckpointResult:
    """E L at each checkpoint c_k, the LR sum Σ_{t<c_k} η_t of the run that produced it, and the steps spent."""

    method: str
    checkpoints: np.ndarray
    loss: np.ndarray
    lr_sum: np.ndarray
    compute: np.ndarray


def _checkpoints(checkpoints: Any) -> list[int]:
    if isinstance(checkpoints, (str, bytes)) or np.ndim(checkpoints) != 1 or len(checkpoints) < 1:
        raise ScheduleError(f"checkpoints must be a non-empty sequence of ints, got {short_repr(checkpoints)}")
    cps = [as_int(c, "checkpoints entry", minimum=1) for c in list(checkpoints)]
    if any(b <= a for a, b in zip(cps[:-1], cps[1:], strict=True)):
        raise ScheduleError(f"checkpoints must be strictly increasing, got {short_repr(cps)}")
    return cps


def multi_checkpoint(method: str, checkpoints: Any, valley: RiverValley, *, peak_lr: float = 1.0,
                     decay_fraction: float = 0.2, decay_shape: str = "1-sqrt", min_lr_ratio: float = 0.0,
                     x0: float = 10.0) -> CheckpointResult:
    """Loss at several checkpoints c_1 < ... < c_K under three ways of producing them (spec §3; paper §4).

    * ``wsd``: one branch per checkpoint, constant until c_k - d_k then a decay ending at c_k,
      d_k = ⌊f(c_k - c_{k-1})⌋ (c₀ = 0); the branches share the constant trunk, so
      compute_k = c_k + Σ_{j<k} d_j.
    * ``wsds``: one run, ``wsds_schedule`` with cycle_ends = checkpoints; compute_k = c_k.
    * ``cyclic_cosine``: one run that cosine-decays each whole cycle to f·η_max; compute_k = c_k.
    """
    check_option(method, "method", ("wsd", "wsds", "cyclic_cosine"), error=ScheduleError)
    if not isinstance(valley, RiverValley):
        raise ScheduleError(f"valley must be a RiverValley, got {type(valley).__name__}")
    cps = _checkpoints(checkpoints)
    peak = as_real(peak_lr, "peak_lr")
    frac = as_real(decay_fraction, "decay_fraction")
    if not 0.0 < frac <= 1.0:
        raise ScheduleError(f"decay_fraction must lie in (0, 1], got {frac!r}")
    shape = _canonical_shape(decay_shape)
    f = _check_ratio(min_lr_ratio, "min_lr_ratio", shape if method != "cyclic_cosine" else "cosine")
    x0 = as_real(x0, "x0")
    total = cps[-1]
    if method == "wsd":
        losses, sums, spent = [], [], []
        decays = []
        for k, c in enumerate(cps):
            d = math.floor(frac * (c - (cps[k - 1] if k else 0)) + 1e-9)
            if d < 1:
                raise ScheduleError(f"checkpoint {c}: decay_fraction={frac!r} gives {d} decay steps; need >= 1")
            branch = wsd_schedule(peak, c, decay_steps=d, decay_shape=shape, min_lr_ratio=f)
            m = valley_moments(branch, valley, x0=x0)
            losses.append(float(m.loss[-1]))
            sums.append(float(m.lr_sum[-1]))
            spent.append(c + sum(decays))
            decays.append(d)
        return CheckpointResult(method, np.asarray(cps), np.asarray(losses), np.asarray(sums), np.asarray(spent))
    if method == "wsds":
        sched = wsds_schedule(peak, total, cps, decay_fraction=frac, decay_shape=shape, min_lr_ratio=f)
    else:
        sched = wsds_schedule(peak, total, cps, decay_fraction=1.0, decay_shape="cosine", min_lr_ratio=f)
    m = valley_moments(sched, valley, x0=x0)
    idx = jnp.asarray(cps)
    return CheckpointResult(method, np.asarray(cps), np.asarray(m.loss[idx]), np.asarray(m.lr_sum[idx]),
                            np.asarray(cps, dtype=np.int64))
