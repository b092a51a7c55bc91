"""Boundary checks specific to this module (integers that must not be bools, LR arrays, schedules)."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from theory._validate import as_float_array, short_repr
from theory._validate import as_real as _as_real
from theory.schedules._errors import ScheduleError

__all__ = ["as_int", "as_lrs", "as_real"]


def as_int(value: Any, name: str, *, minimum: int | None = None) -> int:
    """Return ``value`` as a Python int; bools and non-integers are rejected (True is not a step count)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)):
        raise ScheduleError(f"{name} must be an int, got {short_repr(value)}")
    out = int(value)
    if minimum is not None and out < minimum:
        raise ScheduleError(f"{name} must be >= {minimum}, got {out}")
    return out


def as_real(value: Any, name: str) -> float:
    """Return ``value`` as a finite float (bools rejected)."""
    return _as_real(value, name, error=ScheduleError, allow_bool=False)


def as_lrs(lrs: Any, name: str = "lrs", *, allow_batch: bool = False) -> np.ndarray:
    """A ``Schedule`` or an array of learning rates -> finite, non-negative float64 array.

    One-dimensional (T,) unless ``allow_batch``, in which case (batch, T) is accepted too.
    """
    from theory.schedules._schedules import Schedule

    if isinstance(lrs, Schedule):
        return np.asarray(lrs.values(), dtype=np.float64)
    if isinstance(lrs, (bool, np.bool_)):
        raise ScheduleError(f"{name} must be an array of learning rates, got {lrs!r}")
    arr = np.asarray(lrs) if not isinstance(lrs, np.ndarray) else lrs
    if arr.dtype == bool:
        raise ScheduleError(f"{name} must be numeric, got a boolean array")
    ndim = arr.ndim if (allow_batch and np.ndim(arr) in (1, 2)) else 1
    return as_float_array(lrs, name, error=ScheduleError, ndim=ndim, min_size=1, nonnegative=True)
