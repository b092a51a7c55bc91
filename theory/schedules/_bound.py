"""Last-iterate convex bound of Schaipp et al. 2025 (arXiv:2501.18965), from Defazio et al. Thm 10 (peer law).

With η_1..η_T written here as η_0..η_{T-1}, G_t the gradient-norm bound and D the distance to the optimum:
    t₁ = D²/(2Ση),   t₂ = Σ η_t²G_t²/(2Ση),
    t₃ = ½ Σ_{k<T-1} [η_k / Σ_{t>k} η_t] · [Σ_{t≥k} η_t²G_t² / Σ_{t≥k} η_t].
Scaling the schedule by γ gives Ω(γ) = t₁/γ + γ(t₂+t₃), minimised at γ* = √(t₁/(t₂+t₃)), Ω* = 2√(t₁(t₂+t₃)).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from theory._validate import as_float_array
from theory.schedules._checks import as_lrs, as_real
from theory.schedules._errors import ScheduleError

__all__ = ["ConvexBound", "convex_bound"]


@dataclass(frozen=True)
class ConvexBound:
    """``terms`` = (t₁, t₂, t₃); ``bound`` = t₁+t₂+t₃; ``optimal_scale`` γ*; ``optimal_bound`` Ω*; ``n_steps``
    after trailing zero LRs were dropped."""

    terms: tuple[float, float, float]
    bound: float
    optimal_scale: float
    optimal_bound: float
    n_steps: int


def convex_bound(lrs: Any, *, grad_norm: Any = 1.0, distance: float = 1.0) -> ConvexBound:
    """Schaipp et al.'s bound on E f(x_T) - f* for the schedule ``lrs`` (spec §2.3; peer law), in O(T).

    ``grad_norm`` is a scalar G or one G_t per step. Trailing zero LRs are dropped first (they add nothing and
    would divide by an empty suffix sum). Suffix sums replace the reference's O(T²) double loop.
    Raises :class:`ScheduleError` if every LR is 0, grad_norm is negative or misshaped, or distance ≤ 0.
    """
    eta = as_lrs(lrs)
    g = as_float_array(grad_norm, "grad_norm", error=ScheduleError, ndim=None, nonnegative=True)
    if g.ndim != 0 and g.shape != eta.shape:
        raise ScheduleError(f"grad_norm must be a scalar or have the shape of lrs {eta.shape}, got {g.shape}")
    dist = as_real(distance, "distance")
    if dist <= 0:
        raise ScheduleError(f"distance must be > 0, got {dist!r}")
    if eta[-1] > 0:
        n = eta.size
    else:
        nonzero = np.flatnonzero(eta)
        if nonzero.size == 0:
            raise ScheduleError("lrs must contain a positive learning rate; every entry is 0")
        n = int(nonzero[-1]) + 1
        eta, g = eta[:n], g[:n]
    total = eta.sum()
    sq = eta * eta * (g * g)
    t1 = dist**2 / (2 * total)
    t2 = sq.sum() / (2 * total)
    # suffix sums directly (not total - prefix, which cancels catastrophically near the end of the run)
    suffix_eta = np.cumsum(eta[::-1])[::-1]            # Σ_{t≥k} η_t
    suffix_sq = np.cumsum(sq[::-1])[::-1]              # Σ_{t≥k} η_t²G_t²
    # k = 0..n-2; Σ_{t>k} η_t = suffix_eta[k+1] > 0 because the last LR is non-zero
    t3 = 0.5 * np.sum(eta[:-1] / suffix_eta[1:] * (suffix_sq[:-1] / suffix_eta[:-1]))
    rest = t2 + t3
    return ConvexBound((float(t1), float(t2), float(t3)), float(t1 + rest), float(np.sqrt(t1 / rest)),
                       float(2 * np.sqrt(t1 * rest)), n)
