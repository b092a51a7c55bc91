"""Fitting the loss-curve laws to logged curves (spec §2.3, *Fits*).

Objective (Luo et al. 2025's, and Hoffmann et al.'s before them): Σ_curves Σ_points Huber_δ(log y - log L̂),
Huber_δ(r) = r²/2 for |r| ≤ δ, δ(|r| - δ/2) otherwise, δ = 1e-3, inside the box
L₀ ∈ [0, min y], A ∈ [1e-6, 1e3], B, C ∈ [1e-6, 1e7], α, β, γ ∈ [1e-3, 5].

We minimise it with ``scipy.optimize.least_squares(loss="huber", f_scale=δ)`` (its cost ½Σ f_scale²ρ(r²/f_scale²)
is exactly this Huber sum) with a bounded trust-region reflective solver and an exact JAX Jacobian. The reference
code instead runs a 135-start L-BFGS-B surrogate grid and then AdamW; a bounded Gauss-Newton solver is both
faster and reaches lower objectives. A fit whose parameters end on the box is flagged in ``at_bound``: then the
data do not identify those parameters (e.g. MPL on constant + cosine curves alone drifts to B→∞, C→0, β→0).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from scipy.optimize import least_squares
from scipy.stats import linregress

from theory._validate import short_repr
from theory.schedules._checks import as_int, as_real
from theory.schedules._errors import ScheduleError
from theory.schedules._laws import (
    AnnealingParams,
    LossCurve,
    MultiPowerParams,
    _annealing_curve,
    _areas,
    _check_decay,
    _mpl_curve_and_grad,
    _mpl_data,
    annealing_predict,
    multipower_predict,
)

__all__ = ["CurveError", "LawFit", "fit_annealing", "fit_multipower", "prediction_errors"]

X_SCALE = 1.0
_MPL_NAMES = ("L0", "A", "alpha", "B", "C", "beta", "gamma")
_ANN_NAMES = ("L0", "A", "alpha", "C")
_BOX = {"A": (1e-6, 1e3), "B": (1e-6, 1e7), "C": (1e-6, 1e7), "alpha": (1e-3, 5.0), "beta": (1e-3, 5.0),
        "gamma": (1e-3, 5.0)}


@dataclass(frozen=True)
class CurveError:
    """Relative errors |y - L̂|/y of a law on one curve (mean and worst over points) and its last point."""

    mean_rel_error: float
    worst_rel_error: float
    final_pred: float
    final_data: float


@dataclass(frozen=True)
class LawFit:
    """Result of a law fit (scipy-style status fields).

    ``objective`` is the Huber sum at ``params``; ``n_evals`` the residual evaluations; ``converged`` is True only
    if the solver met a tolerance *and* no parameter ended on its bound; ``status`` the solver's message;
    ``at_bound`` the names of parameters on the box (those the data did not pin down); ``errors`` a
    :class:`CurveError` per fitted curve.
    """

    law: str
    params: MultiPowerParams | AnnealingParams
    objective: float
    n_evals: int
    converged: bool
    status: str
    at_bound: tuple[str, ...]
    errors: Mapping[str, CurveError]


def _curve_list(curves: Any) -> list[LossCurve]:
    if isinstance(curves, Mapping):
        items = list(curves.values())
    elif isinstance(curves, Sequence) and not isinstance(curves, (str, bytes)):
        items = list(curves)
    else:
        raise ScheduleError(f"curves must be a sequence or dict of LossCurve, got {short_repr(curves)}")
    if not items:
        raise ScheduleError("curves must contain at least one LossCurve, got none")
    for c in items:
        if not isinstance(c, LossCurve):
            raise ScheduleError(f"curves must hold LossCurve objects, got {type(c).__name__}")
        if c.steps.size < 2:
            raise ScheduleError(f"curve {c.name!r} has {c.steps.size} point(s); a fit needs >= 2 per curve")
    return items


def _init_array(init: Any, cls: type, names: tuple[str, ...], lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    if isinstance(init, cls):
        arr = init.as_array()
    else:
        try:
            arr = np.asarray(init, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ScheduleError(f"init must be a {cls.__name__} or {len(names)} numbers, got {short_repr(init)}") \
                from exc
        if arr.shape != (len(names),):
            raise ScheduleError(f"init must have {len(names)} entries {names}, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ScheduleError(f"init must be finite, got {short_repr(arr)}")
    outside = (arr < lower) | (arr > upper)
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        raise ScheduleError(f"init {names[i]}={arr[i]!r} lies outside its box [{lower[i]:g}, {upper[i]:g}]")
    return arr


def _box(names: tuple[str, ...], min_loss: float) -> tuple[np.ndarray, np.ndarray]:
    lower = np.asarray([0.0 if n == "L0" else _BOX[n][0] for n in names])
    upper = np.asarray([min_loss if n == "L0" else _BOX[n][1] for n in names])
    return lower, upper


def _power_law_init(curves: list[LossCurve], min_loss: float) -> tuple[float, float, float]:
    """L₀, A, α from a straight line of log(y - min y + 0.01) on log S1 (the reference code's starting point)."""
    logs1 = np.concatenate([np.log(np.cumsum(c.lrs)[c.steps]) for c in curves])
    logy = np.concatenate([np.log(c.loss - min_loss + 0.01) for c in curves])
    ok = np.isfinite(logs1)
    fit = linregress(logs1[ok], logy[ok])
    A = float(np.clip(np.exp(fit.intercept), 1e-3, 1e2))
    alpha = float(np.clip(-fit.slope, 0.05, 2.0))
    return 0.9 * min_loss, A, alpha


def _at_bound(x: np.ndarray, lower: np.ndarray, upper: np.ndarray, names: tuple[str, ...]) -> tuple[str, ...]:
    tol_lo = 1e-6 * np.maximum(np.abs(lower), 1e-3)
    tol_hi = 1e-6 * np.maximum(np.abs(upper), 1e-3)
    hit = (x - lower <= tol_lo) | (upper - x <= tol_hi)
    return tuple(n for n, h in zip(names, hit, strict=True) if h)


class _CachedProblem:
    """Residuals and Jacobian in the fit's coordinates z, computed together and cached by z.

    ``least_squares`` asks for the Jacobian at the point whose residuals it has just computed; computing both in
    one pass halves the work. Coordinates: z = θ for L₀, z = log θ for the positive parameters, so that a
    parameter the data do not pin down can run to its box (C → 1e-6, B → 1e7) in a few steps instead of
    crawling there in linear steps.
    """

    def __init__(self, value_and_jac, log_mask: np.ndarray):
        self._fn = value_and_jac
        self._log = log_mask
        self._key: bytes | None = None
        self._value: tuple[np.ndarray, np.ndarray] | None = None

    def to_theta(self, z: np.ndarray) -> np.ndarray:
        return np.where(self._log, np.exp(z), z)

    def to_z(self, theta: np.ndarray) -> np.ndarray:
        return np.where(self._log, np.log(np.where(self._log, theta, 1.0)), theta)

    def _eval(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        key = np.asarray(z, dtype=np.float64).tobytes()
        if key != self._key:
            theta = self.to_theta(z)
            r, j = self._fn(jnp.asarray(theta))
            j = np.asarray(j) * np.where(self._log, theta, 1.0)[None, :]   # chain rule for log coordinates
            self._key, self._value = key, (np.asarray(r), j)
        return self._value

    def residuals(self, z: np.ndarray) -> np.ndarray:
        return self._eval(z)[0]

    def jacobian(self, z: np.ndarray) -> np.ndarray:
        return self._eval(z)[1]


def _solve(value_and_jac, x0: np.ndarray, lower: np.ndarray, upper: np.ndarray, names: tuple[str, ...],
           delta: float, max_nfev: int):
    log_mask = np.asarray([n != "L0" for n in names])
    problem = _CachedProblem(value_and_jac, log_mask)
    zl, zu = problem.to_z(lower), problem.to_z(upper)
    z0 = np.clip(problem.to_z(x0), zl, zu)
    res = least_squares(problem.residuals, z0, jac=problem.jacobian, bounds=(zl, zu), loss="huber", f_scale=delta,
                        method="trf", x_scale=X_SCALE, max_nfev=max_nfev, xtol=1e-12, ftol=1e-12, gtol=1e-10)
    theta = np.clip(problem.to_theta(res.x), lower, upper)
    return res, theta


def _huber(r: np.ndarray, delta: float) -> float:
    a = np.abs(r)
    return float(np.sum(np.where(a <= delta, 0.5 * r**2, delta * (a - 0.5 * delta))))


def _finish(law: str, res, theta, names, lower, upper, params, curves, delta, law_kwargs) -> LawFit:
    bound = _at_bound(theta, lower, upper, names)
    errors = prediction_errors(params, curves, **law_kwargs)
    converged = bool(res.status > 0) and not bound
    status = res.message if not bound else f"{res.message}; parameters on the box: {', '.join(bound)}"
    return LawFit(law, params, _huber(res.fun, delta), int(res.nfev), converged, status, bound, errors)


def _check_delta(huber_delta: Any) -> float:
    delta = as_real(huber_delta, "huber_delta")
    if delta <= 0:
        raise ScheduleError(f"huber_delta must be > 0, got {delta!r}")
    return delta


@jax.jit
def _mpl_value_and_jac(theta: jax.Array, data: list, logy: list) -> tuple[jax.Array, jax.Array]:
    """Residuals log y - log L̂ of every curve and their Jacobian (compiled once per set of curve shapes)."""
    rs, js = [], []
    for d, ly in zip(data, logy, strict=True):
        pred, grad = _mpl_curve_and_grad(theta, d)
        pred, grad = pred[: d.n_points], grad[: d.n_points]
        # a negative prediction gets a large finite residual instead of a NaN, so the solver backs off
        safe = jnp.maximum(pred, 1e-10)
        rs.append(ly - jnp.log(safe))
        js.append(-grad / safe[:, None])
    return jnp.concatenate(rs), jnp.concatenate(js)


def _annealing_residuals(theta, s1, s2, logy):
    return logy - jnp.log(jnp.maximum(_annealing_curve(theta, s1, s2), 1e-10))


@jax.jit
def _annealing_value_and_jac(theta, s1, s2, logy):
    return _annealing_residuals(theta, s1, s2, logy), jax.jacfwd(_annealing_residuals)(theta, s1, s2, logy)


def fit_multipower(curves: Any, *, init: Any = None, huber_delta: float = 1e-3, drop_start: int = 1,
                   max_nfev: int = 200) -> LawFit:
    """Fit the Multi-Power Law (L₀, A, α, B, C, β, γ) to ``curves`` (spec §2.3; Luo et al. 2025 §4).

    Minimises Σ Huber_δ(log y - log L̂) in the box with ``least_squares`` (trust-region reflective, exact JAX
    Jacobian). Default start: L₀, A, α from a log-log line (as the reference code), B = 300, C = β = γ = 0.5.
    Raises :class:`ScheduleError` on no curves, a curve with < 2 points, or an init outside the box.
    """
    items = _curve_list(curves)
    delta = _check_delta(huber_delta)
    k0 = as_int(drop_start, "drop_start", minimum=1)
    nfev = as_int(max_nfev, "max_nfev", minimum=1)
    min_loss = float(min(c.loss.min() for c in items))
    lower, upper = _box(_MPL_NAMES, min_loss)
    if init is None:
        L0, A, alpha = _power_law_init(items, min_loss)
        x0 = np.clip(np.asarray([L0, A, alpha, 300.0, 0.5, 0.5, 0.5]), lower, upper)
    else:
        x0 = _init_array(init, MultiPowerParams, _MPL_NAMES, lower, upper)
    data = [_mpl_data(c.lrs, c.steps, k0) for c in items]
    logy = [jnp.asarray(np.log(c.loss)) for c in items]

    def value_and_jac(theta):
        return _mpl_value_and_jac(theta, data, logy)

    res, theta = _solve(value_and_jac, x0, lower, upper, _MPL_NAMES, delta, nfev)
    params = MultiPowerParams(*map(float, theta))
    return _finish("multipower", res, theta, _MPL_NAMES, lower, upper, params, items, delta, {"drop_start": k0})


def fit_annealing(curves: Any, *, init: Any = None, decay: float = 0.999, warmup_steps: int = 0,
                  huber_delta: float = 1e-3, max_nfev: int = 500) -> LawFit:
    """Fit the annealing law (L₀, A, α, C) of Tissue et al. 2024 to ``curves`` (spec §2.3; reconstructed law).

    Same objective, box and solver as :func:`fit_multipower`. Default start: L₀, A, α from a log-log line, C = 1.
    Raises :class:`ScheduleError` on no curves, a curve with < 2 points, a bad init, or decay ∉ [0, 1).
    """
    items = _curve_list(curves)
    delta = _check_delta(huber_delta)
    lam = _check_decay(decay)
    w = as_int(warmup_steps, "warmup_steps", minimum=0)
    nfev = as_int(max_nfev, "max_nfev", minimum=1)
    min_loss = float(min(c.loss.min() for c in items))
    lower, upper = _box(_ANN_NAMES, min_loss)
    if init is None:
        L0, A, alpha = _power_law_init(items, min_loss)
        x0 = np.clip(np.asarray([L0, A, alpha, 1.0]), lower, upper)
    else:
        x0 = _init_array(init, AnnealingParams, _ANN_NAMES, lower, upper)
    s1s, s2s = [], []
    for c in items:
        s1, s2 = _areas(jnp.asarray(c.lrs), jnp.float64(lam), jnp.int64(w))
        if bool(jnp.any(s1[c.steps] <= 0)):
            raise ScheduleError(f"curve {c.name!r}: S1 is 0 at a logged step; S1^(-alpha) is undefined")
        s1s.append(s1[c.steps])
        s2s.append(s2[c.steps])
    s1_all, s2_all = jnp.concatenate(s1s), jnp.concatenate(s2s)
    logy = jnp.asarray(np.concatenate([np.log(c.loss) for c in items]))

    def value_and_jac(theta):
        return _annealing_value_and_jac(theta, s1_all, s2_all, logy)

    res, theta = _solve(value_and_jac, x0, lower, upper, _ANN_NAMES, delta, nfev)
    params = AnnealingParams(*map(float, theta))
    return _finish("annealing", res, theta, _ANN_NAMES, lower, upper, params, items, delta,
                   {"decay": lam, "warmup_steps": w})


def prediction_errors(params: MultiPowerParams | AnnealingParams, curves: Any, **law_kwargs: Any
                      ) -> dict[str, CurveError]:
    """Per-curve relative errors |y - L̂|/y of a law (``MultiPowerParams`` or ``AnnealingParams``), keyed by name.

    ``law_kwargs`` go to the law's predictor (``drop_start`` for MPL; ``decay``, ``warmup_steps`` for annealing).
    """
    items = _curve_list(curves)
    if isinstance(params, MultiPowerParams):
        predict = multipower_predict
    elif isinstance(params, AnnealingParams):
        predict = annealing_predict
    else:
        raise ScheduleError(f"params must be MultiPowerParams or AnnealingParams, got {type(params).__name__}")
    out = {}
    for c in items:
        pred = np.asarray(predict(params, c.lrs, c.steps, **law_kwargs))
        rel = np.abs(c.loss - pred) / c.loss
        out[c.name] = CurveError(float(rel.mean()), float(rel.max()), float(pred[-1]), float(c.loss[-1]))
    return out
