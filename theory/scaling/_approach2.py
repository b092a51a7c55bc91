"""Approach 2 (IsoFLOP parabolas) and its closed-form bias on noise-free grids (Czech et al. 2026, §2-§4)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from theory._validate import as_float_array, check_positive, check_same_length, short_repr
from theory.scaling._data import _check_budgets, as_surface, grid_offsets
from theory.scaling._errors import FitError, ScalingInputError

__all__ = ["Approach2Bias", "Approach2Fit", "approach2_bias", "approach2_expected", "fit_approach2"]


@dataclass(frozen=True)
class Approach2Fit:
    """Result of Approach 2: ``log10 N* = a·log10 C + a0`` and ``log10 D* = b·log10 C + b0``.

    ``N_vertex``/``D_vertex`` are the per-budget parabola vertices, ``curvature_N``/``curvature_D`` the quadratic
    coefficients p2 (in log10 N and log10 D), ``n_per_budget`` the number of points of each budget.
    """

    a: float
    a0: float
    b: float
    b0: float
    budgets: jax.Array
    N_vertex: jax.Array
    D_vertex: jax.Array
    curvature_N: jax.Array
    curvature_D: jax.Array
    n_per_budget: jax.Array
    converged: bool
    status: str

    def N_star(self, C) -> jax.Array:
        """Fitted frontier ``N̂*(C) = 10^(a·log10 C + a0)``."""
        c = as_float_array(C, "C", error=ScalingInputError, ndim=None, positive=True)
        return 10.0 ** (self.a * jnp.log10(jnp.asarray(c)) + self.a0)

    def D_star(self, C) -> jax.Array:
        """Fitted frontier ``D̂*(C) = 10^(b·log10 C + b0)``."""
        c = as_float_array(C, "C", error=ScalingInputError, ndim=None, positive=True)
        return 10.0 ** (self.b * jnp.log10(jnp.asarray(c)) + self.b0)


@dataclass(frozen=True)
class Approach2Bias:
    """Closed-form Approach 2 error on a noise-free grid (§3): vertex shift ``delta_w`` (decades of N) and errors
    as fractions: ``N_rel_error = 10^δw − 1``, ``D_rel_error = 10^(−δw) − 1``, ``a0_rel_error = δw/|a0|``,
    ``b0_rel_error = −δw/|b0|``."""

    delta_w: jax.Array
    N_rel_error: jax.Array
    D_rel_error: jax.Array
    a0_rel_error: jax.Array
    b0_rel_error: jax.Array


# --------------------------------------------------------------------------------------------------------------
# Grouped least-squares parabolas: one jitted kernel shared by the fit, the closed form and the bootstrap.
def _quad_vertex(x, y, gid, n_groups, w):
    """Per-group LS fit of ``y ≈ q0 + q1·u + q2·u²`` in the centred ``u = x − mean_g(x)`` (centring keeps the
    3×3 normal equations well conditioned); returns the vertex in x and q2 per group."""
    seg = partial(jax.ops.segment_sum, segment_ids=gid, num_segments=n_groups)
    cnt = seg(w)
    xbar = seg(w * x) / cnt
    u = x - xbar[gid]
    m = jnp.stack([seg(w * u**k) for k in range(5)], axis=-1)
    t = jnp.stack([seg(w * y * u**k) for k in range(3)], axis=-1)
    gram = jnp.stack([m[:, 0:3], m[:, 1:4], m[:, 2:5]], axis=1)
    q = jnp.linalg.solve(gram, t[..., None])[..., 0]
    return xbar - q[:, 1] / (2.0 * q[:, 2]), q[:, 2]


def _line(x, y):
    xm, ym = x.mean(), y.mean()
    slope = jnp.sum((x - xm) * (y - ym)) / jnp.sum((x - xm) ** 2)
    return slope, ym - slope * xm


@partial(jax.jit, static_argnames=("n_groups",))
def _approach2_kernel(logN, logD, L, gid, logC, w, n_groups):
    xN, kN = _quad_vertex(logN, L, gid, n_groups, w)
    xD, kD = _quad_vertex(logD, L, gid, n_groups, w)
    a, a0 = _line(logC, xN)
    b, b0 = _line(logC, xD)
    return a, a0, b, b0, xN, xD, kN, kD


def _groups(C: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    budgets, gid = np.unique(C, return_inverse=True)
    return budgets, gid.astype(np.int32)


def fit_approach2(N, D, L, C, *, min_curvature: float = 1e-10) -> Approach2Fit:
    """Chinchilla Approach 2 (Hoffmann et al. 2022 §3.2; Czech et al. 2026 §2).

    Points are grouped by the value of C. Per budget ``L ≈ p0 + p1·x + p2·x²`` with x = log10 N, vertex
    ``x* = −p1/(2·p2)``; a separate parabola in log10 D gives D*. Then least squares ``log10 N* = a·log10 C + a0``
    and ``log10 D* = b·log10 C + b0``. Raises :class:`FitError` naming the budget when a budget has < 3 distinct N
    or a curvature ≤ ``min_curvature``, or when there are < 2 budgets.
    """
    n = as_float_array(N, "N", error=ScalingInputError, positive=True)
    d = as_float_array(D, "D", error=ScalingInputError, positive=True)
    loss = as_float_array(L, "L", error=ScalingInputError, positive=True)
    c = as_float_array(C, "C", error=ScalingInputError, positive=True)
    check_same_length(ScalingInputError, N=n, D=d, L=loss, C=c)
    mc = check_positive(min_curvature, "min_curvature", error=ScalingInputError, strict=False)
    budgets, gid = _groups(c)
    if len(budgets) < 2:
        raise FitError(f"Approach 2 needs >= 2 budgets, got {len(budgets)} (C = {short_repr(budgets)})")
    for j, cj in enumerate(budgets):
        distinct = len(np.unique(n[gid == j]))
        if distinct < 3:
            raise FitError(f"budget C = {cj:.6g} has {distinct} distinct N; a parabola needs >= 3")
    out = _approach2_kernel(jnp.log10(n), jnp.log10(d), jnp.asarray(loss), jnp.asarray(gid),
                            jnp.log10(jnp.asarray(budgets)), jnp.ones(len(n)), n_groups=len(budgets))
    a, a0, b, b0, xN, xD, kN, kD = out
    for name, curv in (("N", kN), ("D", kD)):
        bad = np.flatnonzero(~(np.asarray(curv) > mc))
        if bad.size:
            j = bad[0]
            raise FitError(f"budget C = {budgets[j]:.6g}: parabola in log10 {name} has curvature "
                           f"{float(curv[j]):.6g} <= min_curvature = {mc:g}")
    return Approach2Fit(float(a), float(a0), float(b), float(b0), jnp.asarray(budgets), 10.0**xN, 10.0**xD, kN, kD,
                        jnp.asarray(np.bincount(gid)), True, "success")


# --------------------------------------------------------------------------------------------------------------
# Closed form (§3): on an IsoFLOP curve L = E + R·[(β/α)·10^(−αw) + 10^(βw)], w = log10 N − log10 N*.
@partial(jax.jit, static_argnames=("n",))
def _delta_w(alpha, beta, half, offset, n):
    """Vertex of the LS quadratic through f(w_i), w_i = offset + linspace(−half, half, n); also its curvature."""
    s = jnp.linspace(-1.0, 1.0, n)
    w = offset + half * s
    f = (beta / alpha) * 10.0 ** (-alpha * w) + 10.0 ** (beta * w)
    # Fit in the grid's own centred coordinate; the vertex is invariant to the affine change of variable.
    V = jnp.stack([jnp.ones_like(s), s, s * s], axis=-1)
    q = jnp.linalg.solve(V.T @ V, V.T @ f)
    return offset + half * (-q[1] / (2.0 * q[2])), q[2] / half**2


def _check_grid(n_points, center_scale):
    if int(n_points) != n_points or n_points < 3:
        raise ScalingInputError(f"n_points must be an integer >= 3, got {short_repr(n_points)}")
    return int(n_points), check_positive(center_scale, "center_scale", error=ScalingInputError)


def approach2_bias(surface, grid_factor, *, n_points: int = 15, center_scale: float = 1.0) -> Approach2Bias:
    """Closed-form Approach 2 bias on a noise-free ±k grid (Czech et al. 2026 §3).

    The vertex ``δw`` of the LS quadratic through ``f(w) = (β/α)·10^(−αw) + 10^(βw)`` at
    ``w_i = linspace(−log10 k, log10 k, n) − log10(center_scale)`` is independent of C, E, A, B;
    ``N̂* = N*·10^δw`` and ``D̂* = D*·10^(−δw)``. ``grid_factor`` (k > 1) may be an array.
    """
    surf = as_surface(surface)
    k = as_float_array(grid_factor, "grid_factor", error=ScalingInputError, ndim=None, positive=True)
    if (k <= 1).any():
        raise ScalingInputError(f"grid_factor must be > 1, got {float(k[k <= 1].ravel()[0])!r}")
    n, cs = _check_grid(n_points, center_scale)
    half = jnp.log10(jnp.asarray(k))
    dw = jnp.vectorize(lambda h: _delta_w(surf.alpha, surf.beta, h, -math.log10(cs), n)[0])(half)
    return Approach2Bias(dw, 10.0**dw - 1.0, 10.0 ** (-dw) - 1.0, dw / abs(surf.a0), -dw / abs(surf.b0))


def approach2_expected(surface, budgets, *, n_points: int = 15, grid_factor: float = 8.0, center_scale: float = 1.0,
                       drift_factor: float = 1.0) -> Approach2Fit:
    """Exact noise-free Approach 2 on the grids of :func:`simulate_isoflops`, from per-budget vertex shifts (§3-§4).

    Budget j's grid is offset by ``o_j = −log10(center_scale) − log10(drift_factor)·t_j`` decades, its vertex
    shift ``δw_j`` solves the LS quadratic through f(w) (see :func:`approach2_bias`), and
    ``N̂*_j = N*(C_j)·10^δw_j``, ``D̂*_j = D*(C_j)·10^(−δw_j)`` are regressed on log10 C. Curvatures are
    ``R_j·q2_j`` with ``R_j = B·D*(C_j)^(−β)``.
    """
    surf = as_surface(surface)
    c = _check_budgets(budgets)
    if len(c) < 2:
        raise FitError(f"Approach 2 needs >= 2 budgets, got {len(c)}")
    k = check_positive(grid_factor, "grid_factor", error=ScalingInputError)
    if k <= 1:
        raise ScalingInputError(f"grid_factor must be > 1, got {k!r}")
    n, cs = _check_grid(n_points, center_scale)
    df = check_positive(drift_factor, "drift_factor", error=ScalingInputError)
    c = np.sort(c)
    offsets = jnp.asarray(grid_offsets(c, cs, df))
    dw, q2 = jax.vmap(lambda o: _delta_w(surf.alpha, surf.beta, math.log10(k), o, n))(offsets)
    Nv = surf.N_opt(c) * 10.0**dw
    Dv = surf.D_opt(c) * 10.0 ** (-dw)
    logC = jnp.log10(jnp.asarray(c))
    a, a0 = _line(logC, jnp.log10(Nv))
    b, b0 = _line(logC, jnp.log10(Dv))
    R = surf.B * surf.D_opt(c) ** (-surf.beta)
    return Approach2Fit(float(a), float(a0), float(b), float(b0), jnp.asarray(c), Nv, Dv, R * q2, R * q2,
                        jnp.full(len(c), n), True, "closed form")
