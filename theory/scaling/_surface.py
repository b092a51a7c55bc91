"""The Chinchilla loss surface L(N, D) = E + A N^-alpha + B D^-beta and its compute-optimal frontier."""

from __future__ import annotations

import math
from dataclasses import dataclass

import jax.numpy as jnp
import numpy as np

from theory._validate import as_float_array, as_real, check_positive
from theory.scaling._errors import ScalingInputError

__all__ = ["SURFACES", "LossSurface"]


def _arr(value, name: str, **kw) -> np.ndarray:
    return as_float_array(value, name, error=ScalingInputError, ndim=None, **kw)


@dataclass(frozen=True)
class LossSurface:
    """Chinchilla loss surface (Czech et al. 2026, §2; Hoffmann et al. 2022, eq. 2).

    ``L(N, D) = E + A·N^(-alpha) + B·D^(-beta)`` with N parameters and D tokens; A and B are in the units of
    the N, D passed in. Under C = 6ND the compute-optimal allocation is ``N*(C) = G·(C/6)^a``,
    ``D*(C) = G^(-1)·(C/6)^b`` with ``a = beta/(alpha+beta)``, ``b = alpha/(alpha+beta)`` and
    ``G = (alpha·A/(beta·B))^(1/(alpha+beta))``; the optimal loss is ``L*(C) = E + K·(C/6)^(-alpha·beta/(alpha+beta))``
    with ``K = A·G^(-alpha) + B·G^beta``.
    """

    E: float
    A: float
    B: float
    alpha: float
    beta: float

    def __post_init__(self) -> None:
        for name in ("E", "A", "B", "alpha", "beta"):
            x = as_real(getattr(self, name), name, error=ScalingInputError)
            if name == "E" and x < 0:
                raise ScalingInputError(f"E must be >= 0, got {x!r}")
            if name != "E" and x <= 0:
                raise ScalingInputError(f"{name} must be > 0, got {x!r}")
            object.__setattr__(self, name, x)

    @classmethod
    def _unchecked(cls, E, A, B, alpha, beta) -> LossSurface:
        """A fitted surface may sit on a constraint (A = 0 from NNLS); it is still a result, so it is built
        without the > 0 checks and the fit's ``at_bound`` says so."""
        obj = object.__new__(cls)
        for name, v in zip(("E", "A", "B", "alpha", "beta"), (E, A, B, alpha, beta), strict=True):
            object.__setattr__(obj, name, float(v))
        return obj

    # -- the surface -------------------------------------------------------------------------------------
    def loss(self, N, D) -> jnp.ndarray:
        """``L(N, D) = E + A·N^(-alpha) + B·D^(-beta)`` (float64; N, D > 0)."""
        n = _arr(N, "N", positive=True)
        d = _arr(D, "D", positive=True)
        return self.E + self.A * jnp.asarray(n) ** (-self.alpha) + self.B * jnp.asarray(d) ** (-self.beta)

    # -- allocation exponents and intercepts -------------------------------------------------------------
    @property
    def a(self) -> float:
        """``a = beta/(alpha+beta)``: exponent of N*(C)."""
        return self.beta / (self.alpha + self.beta)

    @property
    def b(self) -> float:
        """``b = alpha/(alpha+beta)``: exponent of D*(C)."""
        return self.alpha / (self.alpha + self.beta)

    @property
    def G(self) -> float:
        """``G = (alpha·A/(beta·B))^(1/(alpha+beta))``."""
        return (self.alpha * self.A / (self.beta * self.B)) ** (1.0 / (self.alpha + self.beta))

    @property
    def a0(self) -> float:
        """Log10 intercept of N*: ``a0 = log10 G − a·log10 6``."""
        return math.log10(self.G) - self.a * math.log10(6.0)

    @property
    def b0(self) -> float:
        """Log10 intercept of D*: ``b0 = −log10 G − b·log10 6``."""
        return -math.log10(self.G) - self.b * math.log10(6.0)

    @property
    def K(self) -> float:
        """``K = A·G^(-alpha) + B·G^beta``, the prefactor of L*(C)."""
        return self.A * self.G ** (-self.alpha) + self.B * self.G**self.beta

    def N_opt(self, C) -> jnp.ndarray:
        """``N*(C) = G·(C/6)^a``."""
        c = jnp.asarray(_arr(C, "C", positive=True))
        return self.G * (c / 6.0) ** self.a

    def D_opt(self, C) -> jnp.ndarray:
        """``D*(C) = G^(-1)·(C/6)^b``."""
        c = jnp.asarray(_arr(C, "C", positive=True))
        return (c / 6.0) ** self.b / self.G

    def loss_opt(self, C) -> jnp.ndarray:
        """``L*(C) = E + K·(C/6)^(−alpha·beta/(alpha+beta))``."""
        c = jnp.asarray(_arr(C, "C", positive=True))
        return self.E + self.K * (c / 6.0) ** (-self.alpha * self.beta / (self.alpha + self.beta))

    def compute_for_loss(self, L) -> jnp.ndarray:
        """Inverse of L*: ``C(L) = 6·((L−E)/K)^(−(alpha+beta)/(alpha·beta))``; raises unless L > E."""
        loss = _arr(L, "L")
        if (loss <= self.E).any():
            bad = float(loss[loss <= self.E].ravel()[0])
            raise ScalingInputError(f"L must be > E = {self.E!r}, got {bad!r}")
        ex = -(self.alpha + self.beta) / (self.alpha * self.beta)
        return 6.0 * ((jnp.asarray(loss) - self.E) / self.K) ** ex

    def rescale(self, N_unit: float = 1.0, D_unit: float = 1.0) -> LossSurface:
        """Surface for inputs N/N_unit, D/D_unit: ``A' = A·N_unit^(-alpha)``, ``B' = B·D_unit^(-beta)``."""
        nu = check_positive(N_unit, "N_unit", error=ScalingInputError)
        du = check_positive(D_unit, "D_unit", error=ScalingInputError)
        return LossSurface(self.E, self.A * nu ** (-self.alpha), self.B * du ** (-self.beta), self.alpha, self.beta)

    def as_tuple(self) -> tuple[float, float, float, float, float]:
        """``(E, A, B, alpha, beta)``."""
        return (self.E, self.A, self.B, self.alpha, self.beta)


#: Surfaces of the paper (§3, Table 1 and §6): (E, A, B, alpha, beta).
SURFACES: dict[str, tuple[float, float, float, float, float]] = {
    "symmetric": (1.69, 400.0, 400.0, 0.31, 0.31),
    "chinchilla": (1.69, 406.4, 410.7, 0.34, 0.28),
    "asymmetric": (1.69, 406.4, 410.7, 0.465, 0.155),
    "soda": (3.169, 215886.0, 4750.0, 0.684, 0.439),
    "sparse_nmm": (2.158, 381773.0, 4659.0, 0.710, 0.372),
}
