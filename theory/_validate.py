"""Input checks shared by the public boundary of every module.

Each helper takes the argument's *name* so the message can say which argument
was wrong, and the error class to raise so a module keeps its own error type.
Checks run on NumPy copies of the input: validation must not trigger JAX
tracing, and the returned arrays are what the caller converts to float64.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from theory._errors import TheoryError

__all__ = [
    "as_float_array",
    "as_real",
    "check_option",
    "check_positive",
    "check_probability",
    "check_same_length",
    "short_repr",
]


def short_repr(value: Any, limit: int = 80) -> str:
    """``repr`` of ``value`` cut to ``limit`` characters, for error messages."""
    text = repr(value) if not isinstance(value, np.ndarray) else np.array2string(value, threshold=8)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def as_float_array(
    value: Any,
    name: str,
    *,
    error: type[TheoryError] = TheoryError,
    ndim: int | None = 1,
    min_size: int = 1,
    positive: bool = False,
    nonnegative: bool = False,
) -> np.ndarray:
    """Return ``value`` as a finite float64 NumPy array or raise ``error``.

    Rejects non-numeric input, the wrong number of dimensions, fewer than
    ``min_size`` elements, NaN or infinite entries and, if asked, entries that
    are not strictly positive (``positive``) or are negative (``nonnegative``).
    """
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise error(f"{name} must be numeric, got {short_repr(value)}") from exc
    if ndim is not None and arr.ndim != ndim:
        raise error(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if arr.size < min_size:
        raise error(f"{name} must have at least {min_size} element(s), got {arr.size}")
    bad = ~np.isfinite(arr)
    if bad.any():
        idx = np.flatnonzero(bad.ravel())[0]
        raise error(f"{name} must be finite, got {float(arr.ravel()[idx])!r} at flat index {idx}")
    if positive and (arr <= 0).any():
        idx = np.flatnonzero((arr <= 0).ravel())[0]
        raise error(f"{name} must be > 0, got {float(arr.ravel()[idx])!r} at flat index {idx}")
    if nonnegative and (arr < 0).any():
        idx = np.flatnonzero((arr < 0).ravel())[0]
        raise error(f"{name} must be >= 0, got {float(arr.ravel()[idx])!r} at flat index {idx}")
    return arr


def check_same_length(error: type[TheoryError] = TheoryError, **arrays: np.ndarray) -> int:
    """Raise ``error`` unless every array has the same length; return it."""
    lengths = {name: len(arr) for name, arr in arrays.items()}
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise error(f"arrays must have the same length: {described}")
    return next(iter(lengths.values()))


def check_option(value: Any, name: str, options: Iterable[str], *, error: type[TheoryError] = TheoryError) -> str:
    """Raise ``error`` unless ``value`` is one of ``options``; return it."""
    options = tuple(options)
    if value not in options:
        raise error(f"{name} must be one of {', '.join(map(repr, options))}; got {short_repr(value)}")
    return value


def as_real(value: Any, name: str, *, error: type[TheoryError] = TheoryError, allow_bool: bool = True) -> float:
    """Return ``value`` as a finite float or raise ``error``; ``allow_bool=False`` also rejects True/False."""
    if not allow_bool and isinstance(value, (bool, np.bool_)):
        raise error(f"{name} must be a real number, got {value!r}")
    try:
        x = float(value)
    except (TypeError, ValueError) as exc:
        raise error(f"{name} must be a real number, got {short_repr(value)}") from exc
    if not np.isfinite(x):
        raise error(f"{name} must be finite, got {x!r}")
    return x


def check_positive(value: Any, name: str, *, error: type[TheoryError] = TheoryError, strict: bool = True) -> float:
    """Return ``value`` as a float, raising ``error`` unless finite and > 0 (>= 0 if not ``strict``)."""
    x = as_real(value, name, error=error)
    if x < 0 or (strict and x == 0):
        raise error(f"{name} must be {'>' if strict else '>='} 0, got {x!r}")
    return x


def check_probability(value: Any, name: str, *, error: type[TheoryError] = TheoryError,
                      closed: tuple[bool, bool] = (False, False)) -> float:
    """Return ``value`` as a float, raising ``error`` unless it lies in (0, 1).

    ``closed`` makes either end inclusive: ``(False, True)`` accepts (0, 1].
    """
    x = as_real(value, name, error=error)
    lo_ok = x >= 0 if closed[0] else x > 0
    hi_ok = x <= 1 if closed[1] else x < 1
    if not (lo_ok and hi_ok):
        interval = ("[" if closed[0] else "(") + "0, 1" + ("]" if closed[1] else ")")
        raise error(f"{name} must lie in {interval}, got {x!r}")
    return x
