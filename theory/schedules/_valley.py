"""The river-valley landscape and the exact first and second moments of SGD on it (spec §2.2, *reconstructed*).

Landscape (reconstructed from Wen et al. 2024's abstract and their Levanter toy code):
    L(x, y) = (μ/2)(x - x*)² + (a/2)(y - A sin kx)²,   μ ≪ a;  A = 0 is the straight valley.
SGD (reconstructed):  (x, y) ← (x, y) - η_t(∇L + ξ_t),  ξ_t ~ N(0, diag(σ_r², σ_h²)) i.i.d.

On the straight valley both coordinates are independent scalar linear recursions, so their means and variances
are exact affine recursions (classical): with m = E x - x*, p = E y,
    m' = (1-ημ)m,   v_x' = (1-ημ)²v_x + η²σ_r²,   p' = (1-ηa)p,   v_y' = (1-ηa)²v_y + η²σ_h²,
    E L = (μ/2)(m² + v_x)  [river]  +  (a/2)(p² + v_y)  [hill].
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from theory._validate import check_option
from theory.schedules._checks import as_int, as_lrs, as_real
from theory.schedules._errors import ScheduleError

__all__ = [
    "RiverValley",
    "ValleyMoments",
    "check_stable",
    "constant_lr_moments",
    "optimal_hill_schedule",
    "stationary_hill_loss",
    "valley_moments",
]


@dataclass(frozen=True)
class RiverValley:
    """L(x,y) = (μ/2)(x-x*)² + (a/2)(y - A sin kx)² with SGD noise variances σ_r², σ_h² (spec §2.2, reconstructed).

    Fields: ``river_curvature`` μ ≥ 0, ``hill_curvature`` a > 0, ``river_noise`` σ_r² ≥ 0, ``hill_noise`` σ_h² ≥ 0
    (variances, not standard deviations), ``x_star`` x*, ``amplitude`` A, ``wavenumber`` k ≥ 0.
    Raises :class:`ScheduleError` on non-finite values, negative curvature/noise/wavenumber, or a ≤ 0.
    """

    river_curvature: float = 1e-4
    hill_curvature: float = 1.0
    river_noise: float = 0.0
    hill_noise: float = 0.1
    x_star: float = 0.0
    amplitude: float = 0.0
    wavenumber: float = 0.0

    def __post_init__(self) -> None:
        for name in ("river_curvature", "hill_curvature", "river_noise", "hill_noise", "x_star", "amplitude",
                     "wavenumber"):
            object.__setattr__(self, name, as_real(getattr(self, name), name))
        for name in ("river_curvature", "river_noise", "hill_noise", "wavenumber"):
            if getattr(self, name) < 0:
                raise ScheduleError(f"{name} must be >= 0, got {getattr(self, name)!r}")
        if self.hill_curvature <= 0:
            raise ScheduleError(f"hill_curvature must be > 0, got {self.hill_curvature!r}")

    @property
    def curved(self) -> bool:
        return self.amplitude != 0.0 and self.wavenumber != 0.0

    @property
    def max_curvature(self) -> float:
        """λ = max(μ, a) on the straight valley; the bound μ + a(1 + A²k²) on the Hessian when curved."""
        if self.curved:
            return self.river_curvature + self.hill_curvature * (1.0 + (self.amplitude * self.wavenumber) ** 2)
        return max(self.river_curvature, self.hill_curvature)

    def loss(self, x: Any, y: Any) -> jax.Array:
        """L(x, y) (float64, broadcasting)."""
        x, y = jnp.asarray(x, jnp.float64), jnp.asarray(y, jnp.float64)
        return _loss(self._params(), x, y)

    def grad(self, x: Any, y: Any) -> tuple[jax.Array, jax.Array]:
        """(∂L/∂x, ∂L/∂y) = (μ(x-x*) - a(y - A sin kx)Ak cos kx,  a(y - A sin kx))."""
        x, y = jnp.asarray(x, jnp.float64), jnp.asarray(y, jnp.float64)
        return _grad(self._params(), x, y)

    def _params(self) -> jax.Array:
        return jnp.asarray([self.river_curvature, self.hill_curvature, self.river_noise, self.hill_noise,
                            self.x_star, self.amplitude, self.wavenumber], dtype=jnp.float64)


def _loss(theta: jax.Array, x: jax.Array, y: jax.Array, curved: bool = True) -> jax.Array:
    """``curved=False`` (static) drops the sin term, exact when A·k = 0 and much cheaper per path and step."""
    mu, a, _, _, xs, amp, k = (theta[i] for i in range(7))
    h = y - amp * jnp.sin(k * x) if curved else y
    return 0.5 * mu * (x - xs) ** 2 + 0.5 * a * h**2


def _grad(theta: jax.Array, x: jax.Array, y: jax.Array, curved: bool = True) -> tuple[jax.Array, jax.Array]:
    mu, a, _, _, xs, amp, k = (theta[i] for i in range(7))
    if not curved:
        return mu * (x - xs), a * y
    h = y - amp * jnp.sin(k * x)
    return mu * (x - xs) - a * h * amp * k * jnp.cos(k * x), a * h


def check_stable(lrs: np.ndarray, valley: RiverValley) -> None:
    """Raise unless max_t η_t·λ < 2 (beyond it the quadratic recursion diverges)."""
    top = float(np.max(lrs)) * valley.max_curvature
    if top >= 2.0:
        raise ScheduleError(f"lrs are unstable on this valley: max η·λ = {top:.6g} >= 2 "
                            f"(max η = {float(np.max(lrs)):.6g}, λ = {valley.max_curvature:.6g})")


@dataclass(frozen=True)
class ValleyMoments:
    """Exact moments of SGD on the straight valley after t = 0..T updates (each field has shape (..., T+1)).

    ``river_mean`` = E x_t, ``river_mean_approx`` = x* + m₀e^{-μτ_t} (τ_t = Σ_{s<t}η_s), ``river_var`` = Var x_t,
    ``hill_mean`` = E y_t, ``hill_var`` = Var y_t, ``river_loss`` = (μ/2)(m²+v_x), ``hill_loss`` = (a/2)(p²+v_y),
    ``loss`` = E L = river_loss + hill_loss, ``lr_sum`` = τ_t.
    """

    lr_sum: jax.Array
    river_mean: jax.Array
    river_mean_approx: jax.Array
    river_var: jax.Array
    hill_mean: jax.Array
    hill_var: jax.Array
    river_loss: jax.Array
    hill_loss: jax.Array
    loss: jax.Array

    @property
    def final_loss(self) -> jax.Array:
        """E L_T (a scalar, or one per schedule in a batch)."""
        return self.loss[..., -1]


def _affine_maps(lrs: jax.Array, theta: jax.Array) -> tuple[jax.Array, ...]:
    mu, a, sr, sh = theta[0], theta[1], theta[2], theta[3]
    cr, ch = 1.0 - lrs * mu, 1.0 - lrs * a
    return cr, cr**2, lrs**2 * sr, ch, ch**2, lrs**2 * sh


def _prepend(init: jax.Array, seq: jax.Array) -> jax.Array:
    return jnp.concatenate([jnp.broadcast_to(init, seq.shape[:-1] + (1,)), seq], axis=-1)


def _moments_scan(lrs: jax.Array, theta: jax.Array, m0: jax.Array, p0: jax.Array):
    cr, cr2, br, ch, ch2, bh = _affine_maps(lrs, theta)

    def step(carry, coef):
        m, vx, p, vy = carry
        c_r, c_r2, b_r, c_h, c_h2, b_h = coef
        new = (c_r * m, c_r2 * vx + b_r, c_h * p, c_h2 * vy + b_h)
        return new, new

    zero = jnp.zeros((), jnp.float64)
    _, (m, vx, p, vy) = jax.lax.scan(step, (m0, zero, p0, zero), (cr, cr2, br, ch, ch2, bh))
    return m, vx, p, vy


def _moments_assoc(lrs: jax.Array, theta: jax.Array, m0: jax.Array, p0: jax.Array):
    """Prefix compositions of the affine maps z ↦ c z + b with ``lax.associative_scan`` (O(log T) depth)."""
    cr, cr2, br, ch, ch2, bh = _affine_maps(lrs, theta)

    def compose(first, second):
        (c1, b1), (c2, b2) = first, second
        return c2 * c1, c2 * b1 + b2

    m = jax.lax.associative_scan(jnp.multiply, cr) * m0
    p = jax.lax.associative_scan(jnp.multiply, ch) * p0
    _, vx = jax.lax.associative_scan(compose, (cr2, br))
    _, vy = jax.lax.associative_scan(compose, (ch2, bh))
    return m, vx, p, vy


def _moments_impl(lrs: jax.Array, theta: jax.Array, x0: jax.Array, y0: jax.Array, method: str) -> tuple:
    mu, a, xs = theta[0], theta[1], theta[4]
    m0, p0 = x0 - xs, y0
    m, vx, p, vy = (_moments_scan if method == "scan" else _moments_assoc)(lrs, theta, m0, p0)
    zero = jnp.zeros((), jnp.float64)
    m, vx, p, vy = _prepend(m0, m), _prepend(zero, vx), _prepend(p0, p), _prepend(zero, vy)
    tau = _prepend(zero, jnp.cumsum(lrs))
    river = 0.5 * mu * (m**2 + vx)
    hill = 0.5 * a * (p**2 + vy)
    return tau, m + xs, xs + m0 * jnp.exp(-mu * tau), vx, p, vy, river, hill, river + hill


def _batched(method: str):
    return jax.jit(jax.vmap(lambda lrs, theta, x0, y0: _moments_impl(lrs, theta, x0, y0, method),
                            in_axes=(0, None, None, None)))


_MOMENTS = {method: _batched(method) for method in ("scan", "associative")}


def valley_moments(lrs: Any, valley: RiverValley, *, x0: float = 10.0, y0: float = 0.0,
                   method: str = "scan") -> ValleyMoments:
    """Exact E and Var of SGD iterates on the straight river valley for the schedule ``lrs`` (spec §2.2).

    Implements m' = (1-ημ)m, v_x' = (1-ημ)²v_x + η²σ_r², p' = (1-ηa)p, v_y' = (1-ηa)²v_y + η²σ_h² from a
    deterministic start (x₀, y₀) (classical; model reconstructed). ``method="scan"`` runs ``lax.scan``;
    ``"associative"`` composes the affine maps with ``lax.associative_scan``. ``lrs`` is a ``Schedule``, (T,) or
    (batch, T). Raises :class:`ScheduleError` if the valley is curved (A ≠ 0: no closed moments) or unstable.
    """
    if not isinstance(valley, RiverValley):
        raise ScheduleError(f"valley must be a RiverValley, got {type(valley).__name__}")
    if valley.amplitude != 0.0:
        raise ScheduleError(f"valley_moments needs the straight valley (amplitude=0), got amplitude="
                            f"{valley.amplitude!r}; use simulate_sgd for the curved valley")
    check_option(method, "method", ("scan", "associative"), error=ScheduleError)
    arr = as_lrs(lrs, allow_batch=True)
    check_stable(arr, valley)
    x0, y0 = as_real(x0, "x0"), as_real(y0, "y0")
    batch = arr.ndim == 2
    out = _MOMENTS[method](jnp.asarray(np.atleast_2d(arr)), valley._params(), jnp.float64(x0), jnp.float64(y0))
    if not batch:
        out = tuple(o[0] for o in out)
    return ValleyMoments(*out)


def constant_lr_moments(lr: float, n_steps: int, valley: RiverValley, *, x0: float = 10.0,
                        y0: float = 0.0) -> ValleyMoments:
    """Closed-form moments for a constant η over ``n_steps`` updates (spec §2.2, classical).

    m_t = m₀(1-ημ)^t, p_t = p₀(1-ηa)^t, v_t = v*(1 - (1-ηλ)^{2t}) with v* = ησ²/(λ(2-ηλ)) for λ ∈ {μ, a}
    (the start is deterministic, v₀ = 0); for μ = 0, v_x = tη²σ_r². Raises :class:`ScheduleError` on
    n_steps < 1, lr < 0, a curved valley or ηλ ≥ 2.
    """
    if not isinstance(valley, RiverValley):
        raise ScheduleError(f"valley must be a RiverValley, got {type(valley).__name__}")
    if valley.amplitude != 0.0:
        raise ScheduleError(f"constant_lr_moments needs amplitude=0, got {valley.amplitude!r}")
    eta = as_real(lr, "lr")
    if eta < 0:
        raise ScheduleError(f"lr must be >= 0, got {eta!r}")
    n = as_int(n_steps, "n_steps", minimum=1)
    check_stable(np.asarray([eta]), valley)
    x0, y0 = as_real(x0, "x0"), as_real(y0, "y0")
    mu, a, sr, sh, xs = (valley.river_curvature, valley.hill_curvature, valley.river_noise, valley.hill_noise,
                         valley.x_star)
    t = np.arange(n + 1, dtype=np.float64)

    def var(lam: float, noise: float) -> np.ndarray:
        # v_t = η²σ² Σ_{j<t} c^{2j} = η²σ²(1 - c^{2t})/q with c = 1-ηλ, q = 1-c² = ηλ(2-ηλ); written with
        # expm1/log1p so that tiny ηλ (where v* = ησ²/(λ(2-ηλ)) is 0·∞) and ηλ ∈ (1, 2) (c < 0) stay exact
        q = eta * lam * (2.0 - eta * lam)
        if q == 0.0:
            return t * eta**2 * noise
        if q == 1.0:
            return np.where(t > 0, eta**2 * noise, 0.0)
        return eta**2 * noise * -np.expm1(t * np.log1p(-q)) / q

    m = (x0 - xs) * (1.0 - eta * mu) ** t
    p = y0 * (1.0 - eta * a) ** t
    vx, vy = var(mu, sr), var(a, sh)
    tau = eta * t
    river, hill = 0.5 * mu * (m**2 + vx), 0.5 * a * (p**2 + vy)
    arrays = (tau, m + xs, xs + (x0 - xs) * np.exp(-mu * tau), vx, p, vy, river, hill, river + hill)
    return ValleyMoments(*(jnp.asarray(v) for v in arrays))


def stationary_hill_loss(lr: float, curvature: float, noise: float) -> float:
    """Stationary hill loss (a/2)v* = ησ²/(2(2-ηa)) of constant-η SGD (spec §2.2, classical); → ησ²/4 as ηa → 0.

    Raises :class:`ScheduleError` unless 0 < η·a < 2 and σ² ≥ 0.
    """
    eta, a, s2 = as_real(lr, "lr"), as_real(curvature, "curvature"), as_real(noise, "noise")
    if s2 < 0:
        raise ScheduleError(f"noise must be >= 0, got {s2!r}")
    if not 0.0 < eta * a < 2.0:
        raise ScheduleError(f"need 0 < lr*curvature < 2 for a stationary law, got lr={eta!r}, curvature={a!r}")
    return eta * s2 / (2.0 * (2.0 - eta * a))


def optimal_hill_schedule(n_steps: int, curvature: float, noise: float, v0: float) -> jax.Array:
    """Greedy-optimal hill LR η_t = 1/(a(t + t₀)), t₀ = 1 + σ²/(a²v₀) (spec §2.2, reconstructed).

    Minimising v' = (1-ηa)²v + η²σ² over η gives η = av/(a²v+σ²) and 1/v' = 1/v + a²/σ², so
    1/v_t = 1/v₀ + t a²/σ², which is the closed form above: the origin of the ``inverse`` decay.
    Returns (η_0, ..., η_{n-1}). Raises :class:`ScheduleError` if v₀ ≤ 0, a ≤ 0 or σ² ≤ 0.
    """
    n = as_int(n_steps, "n_steps", minimum=1)
    a, s2, v0 = as_real(curvature, "curvature"), as_real(noise, "noise"), as_real(v0, "v0")
    if v0 <= 0:
        raise ScheduleError(f"v0 must be > 0, got {v0!r}")
    if a <= 0:
        raise ScheduleError(f"curvature must be > 0, got {a!r}")
    if s2 <= 0:
        raise ScheduleError(f"noise must be > 0 (with no noise the greedy step is 1/a forever), got {s2!r}")
    t0 = 1.0 + s2 / (a * a * v0)
    return 1.0 / (a * (jnp.arange(n, dtype=jnp.float64) + t0))
