"""Boundary checks shared by the public functions of :mod:`theory.agents`.

Each helper validates one kind of argument once, at the public boundary, and
returns a plain NumPy value; the numerical kernels behind it never see bad input.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from theory._validate import as_float_array, short_repr
from theory.agents._errors import AgentsError

__all__ = ["as_int", "as_odd", "in_range", "scalar_in_range", "MAX_DEPTH"]

MAX_DEPTH = 10_000


def _is_integral_scalar(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, numbers.Integral):
        return True
    return isinstance(value, (float, np.floating)) and np.isfinite(value) and float(value).is_integer()


def as_int(value: Any, name: str, *, lo: int, hi: int | None = None) -> int:
    """Return ``value`` as a Python int in [lo, hi] or raise :class:`AgentsError`."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if not _is_integral_scalar(value):
        raise AgentsError(f"{name} must be an integer, got {short_repr(value)}")
    v = int(value)
    if v < lo or (hi is not None and v > hi):
        bound = f">= {lo}" if hi is None else f"in [{lo}, {hi}]"
        raise AgentsError(f"{name} must be {bound}, got {v!r}")
    return v


def as_odd(value: Any, name: str = "b", *, allow_one: bool = False, array: bool = False, hi: int | None = None):
    """Validate an odd branching factor / jury size (>= 3, or >= 1 when ``allow_one``).

    Returns a Python int, or (with ``array``) an int64 NumPy array of any shape.
    Booleans and non-integral values are rejected.
    """
    lo = 1 if allow_one else 3
    if array and np.ndim(value) > 0:
        arr = np.asarray(value)
        if arr.size == 0:
            raise AgentsError(f"{name} must be non-empty, got {short_repr(value)}")
        if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
            raise AgentsError(f"{name} must hold integers, got {short_repr(value)}")
        if not np.all(np.isfinite(arr)) or not np.all(np.floor(arr) == arr):
            raise AgentsError(f"{name} must hold integers, got {short_repr(value)}")
        ints = arr.astype(np.int64)
        bad = (ints < lo) | (ints % 2 == 0) | ((ints > hi) if hi is not None else False)
        if bad.any():
            raise AgentsError(f"{name} must hold odd integers >= {lo}, got {int(ints[bad].ravel()[0])!r}")
        return ints
    v = as_int(value, name, lo=lo, hi=hi)
    if v % 2 == 0:
        raise AgentsError(f"{name} must be an odd integer >= {lo}, got {v!r}")
    return np.int64(v) if array else v


def in_range(value: Any, name: str, lo: float | None, hi: float | None, *, lo_open: bool = False,
             hi_open: bool = False) -> np.ndarray:
    """Return ``value`` as a finite float64 array (any shape, non-empty) inside the given interval."""
    arr = as_float_array(value, name, error=AgentsError, ndim=None, min_size=1)
    if lo is not None:
        bad = (arr <= lo) if lo_open else (arr < lo)
        if bad.any():
            raise AgentsError(f"{name} must be {'>' if lo_open else '>='} {lo}, got {float(arr[bad].ravel()[0])!r}")
    if hi is not None:
        bad = (arr >= hi) if hi_open else (arr > hi)
        if bad.any():
            raise AgentsError(f"{name} must be {'<' if hi_open else '<='} {hi}, got {float(arr[bad].ravel()[0])!r}")
    return arr


def scalar_in_range(value: Any, name: str, lo: float | None, hi: float | None, **kw: bool) -> float:
    """Like :func:`in_range` for an argument that must be a single number."""
    if np.ndim(value) != 0:
        raise AgentsError(f"{name} must be a scalar, got shape {np.shape(value)}")
    return float(in_range(value, name, lo, hi, **kw))


# Common parameter domains (spec section 3, "Validation").
def gamma_arr(value: Any, name: str = "gamma") -> np.ndarray:
    return in_range(value, name, 0.0, 1.0, lo_open=True)


def rho_arr(value: Any, name: str = "rho") -> np.ndarray:
    return in_range(value, name, 0.0, 1.0, hi_open=True)


def bias_arr(value: Any, name: str = "mu") -> np.ndarray:
    return in_range(value, name, -1.0, 1.0)


def prob_arr(value: Any, name: str = "p") -> np.ndarray:
    return in_range(value, name, 0.0, 1.0)


def broadcast(error_names: tuple[str, ...], *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """Broadcast arrays, raising :class:`AgentsError` naming them if shapes clash."""
    try:
        return tuple(np.broadcast_arrays(*arrays))
    except ValueError as exc:
        shapes = ", ".join(f"{n} {a.shape}" for n, a in zip(error_names, arrays, strict=True))
        raise AgentsError(f"arguments do not broadcast: {shapes}") from exc


def check_model(model: Any, options: tuple[str, ...]) -> str:
    from theory._validate import check_option

    return check_option(model, "model", options, error=AgentsError)
