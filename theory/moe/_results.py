"""Frozen result records returned by :mod:`theory.moe` (arrays are float64 unless stated)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "AnarchyResult", "Calibration", "Equilibrium", "FixedPointTrace", "GammaFit", "GammaInterval", "LoadMetrics",
    "Routing", "TokenTypes", "TrainingTrace", "WardropResult",
]


@dataclass(frozen=True)
class Equilibrium:
    """Logit equilibrium of the routing game (spec §2): ``b* = c(L(b*))`` and ``π* = π(b*)``.

    ``residual`` is ``‖b − c(L(b))‖∞``; ``overflow`` is ``Σ_i w_i Σ_e (π_ie − 1)_+``, the K/M scope
    diagnostic (how much a scaled policy asks of an expert beyond one slot per token; 0 for capped).
    ``status`` is ``"converged"``, ``"max_iter"`` or ``"nonfinite"``. From :func:`solve_equilibrium_batch`
    every field carries a leading batch axis (``status`` is then an object array of strings).
    """

    bias: Any
    loads: Any
    policy: Any
    potential: Any
    dual_value: Any
    residual: Any
    overflow: Any
    iterations: Any
    converged: Any
    status: Any
    method: str


@dataclass(frozen=True)
class Calibration:
    """Bias with ``L(b) = target`` and ``mean(b) = 0`` (the prices that reproduce observed loads)."""

    bias: Any
    loads: Any
    residual: float
    iterations: int
    converged: bool
    status: str


@dataclass(frozen=True)
class FixedPointTrace:
    """Iterates of ``b ← (1−ω)b + ω(t + γL(b))``: ``biases``/``loads`` (S+1, E), ``residuals`` (S+1,)."""

    biases: Any
    loads: Any
    residuals: Any


@dataclass(frozen=True)
class Routing:
    """Hard top-K routing: ``indices`` (N, K) int32, ``mask`` (N, E), ``counts`` (E,), ``loads = counts / N``."""

    indices: Any
    mask: Any
    counts: Any
    loads: Any


@dataclass(frozen=True)
class LoadMetrics:
    """Balance metrics of a load vector ℓ (f = ℓ/Σℓ): see :func:`theory.moe.load_metrics`."""

    max_vio: float
    peak_ratio: float
    min_ratio: float
    cv: float
    entropy: float
    gini: float
    dead: int
    l1_uniform: float


@dataclass(frozen=True)
class GammaFit:
    """Congestion γ̂ estimated from loads; ``bias`` is the calibrated price vector (dual) or the regression's y."""

    gamma: float
    intercept: float
    temperature: float
    l1_error: float
    r_squared: float
    bias: Any
    method: str
    converged: bool
    status: str


@dataclass(frozen=True)
class GammaInterval:
    """Batch-bootstrap percentile interval for γ̂; ``samples`` holds the n_boot replicates."""

    estimate: float
    lower: float
    upper: float
    samples: Any
    level: float


@dataclass(frozen=True)
class TokenTypes:
    """Weighted k-means token types: ``centers`` (k, E), ``weights`` (k,) summing to 1, ``labels`` (N,) int."""

    centers: Any
    weights: Any
    labels: Any
    inertia: float


@dataclass(frozen=True)
class AnarchyResult:
    """Price of anarchy ``S(eq)/S(opt)`` with the two equilibria and the Pigouvian toll ``γ L_opt``."""

    ratio: float
    equilibrium_cost: float
    optimum_cost: float
    equilibrium: Equilibrium
    optimum: Equilibrium
    toll: Any


@dataclass(frozen=True)
class WardropResult:
    """Wardrop equilibrium and system optimum on parallel links ``c_e(x) = a_e + s_e x^d``."""

    equilibrium_flow: Any
    optimum_flow: Any
    equilibrium_cost: float
    optimum_cost: float
    poa: float
    toll: Any


@dataclass(frozen=True)
class TrainingTrace:
    """Per-step record of :func:`theory.moe.simulate_training` (S steps, E experts)."""

    max_vio: Any
    cv: Any
    counts: Any
    offset: Any
    quality: Any
