"""Boundary validation shared by the public functions of :mod:`theory.moe` (spec §3)."""

from __future__ import annotations

from typing import Any

import numpy as np

from theory._validate import (  # noqa: F401
    as_float_array,
    check_option,
    check_positive,
    check_probability,
    check_same_length,
    short_repr,
)
from theory.moe._errors import MoEInputError

COSTS = ("linear", "log")
RELAXATIONS = ("scaled", "capped")
METHODS = ("newton", "lbfgs", "damped")


def quality_matrix(quality: Any, name: str = "quality", *, batch: bool = False) -> np.ndarray:
    """Quality as float64 (N, E) (or (B, N, E) with ``batch``); 1-D means one type."""
    arr = as_float_array(quality, name, error=MoEInputError, ndim=None)
    dims = (3,) if batch else (1, 2)
    if arr.ndim not in dims:
        want = "3-D (B, N, E)" if batch else "1-D (E,) or 2-D (N, E)"
        raise MoEInputError(f"{name} must be {want}, got shape {arr.shape}")
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.shape[-1] < 2:
        raise MoEInputError(f"{name} must have at least 2 experts (last axis), got shape {arr.shape}")
    if arr.shape[-2] == 0:
        raise MoEInputError(f"{name} must have at least one row (N >= 1), got shape {arr.shape}")
    return arr


def top_k_value(top_k: Any, num_experts: int) -> int:
    """``top_k`` as an int in [1, E−1]."""
    if isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)):
        raise MoEInputError(f"top_k must be an int in [1, {num_experts - 1}], got {short_repr(top_k)}")
    if not 1 <= int(top_k) <= num_experts - 1:
        raise MoEInputError(f"top_k must be an int in [1, {num_experts - 1}], got {int(top_k)}")
    return int(top_k)


def gamma_value(gamma: Any, name: str = "gamma") -> float:
    return check_positive(gamma, name, error=MoEInputError, strict=False)


def tau_value(tau: Any, name: str = "tau") -> float:
    return check_positive(tau, name, error=MoEInputError, strict=True)


def weight_vector(weights: Any, n: int, name: str = "weights") -> np.ndarray:
    """Row weights normalised to sum 1 (default uniform 1/N)."""
    if weights is None:
        return np.full(n, 1.0 / n)
    w = as_float_array(weights, name, error=MoEInputError, ndim=1, nonnegative=True)
    if w.shape[0] != n:
        raise MoEInputError(f"{name} must have length N = {n}, got {w.shape[0]}")
    if w.sum() <= 0:
        raise MoEInputError(f"{name} must not be all zero, got {short_repr(w)}")
    return w / w.sum()


def expert_vector(value: Any, num_experts: int, name: str, *, default: float = 0.0,
                  nonnegative: bool = False) -> np.ndarray:
    """A length-E vector (toll, bias, loads); ``None`` gives ``default`` everywhere."""
    if value is None:
        return np.full(num_experts, default)
    v = as_float_array(value, name, error=MoEInputError, ndim=1, nonnegative=nonnegative)
    if v.shape[0] != num_experts:
        raise MoEInputError(f"{name} must have length E = {num_experts}, got {v.shape[0]}")
    return v


def option(value: Any, name: str, options: tuple[str, ...]) -> str:
    return check_option(value, name, options, error=MoEInputError)


def omega_value(omega: Any) -> float:
    try:
        x = float(omega)
    except (TypeError, ValueError) as exc:
        raise MoEInputError(f"omega must be a number in (0, 1], got {short_repr(omega)}") from exc
    if not (np.isfinite(x) and 0 < x <= 1):
        raise MoEInputError(f"omega must lie in (0, 1], got {x!r}")
    return x


def count_value(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or int(value) < 1:
        raise MoEInputError(f"{name} must be an int >= 1, got {short_repr(value)}")
    return int(value)


def observed_loads(loads: Any, num_experts: int, top_k: int, *, name: str = "loads",
                   positive: bool = False) -> np.ndarray:
    """Loads rescaled so that ΣL = K; rejects negative, all-zero and (if ``positive``) zero entries."""
    v = expert_vector(loads, num_experts, name, nonnegative=True)
    if v.sum() <= 0:
        raise MoEInputError(f"{name} must not be all zero, got {short_repr(v)}")
    if positive and (v == 0).any():
        idx = int(np.flatnonzero(v == 0)[0])
        raise MoEInputError(f"{name} must be > 0 for this method, got 0.0 at index {idx}")
    return v * (top_k / v.sum())
