"""Approach 3 by variable projection (Czech et al. 2026 §5): profile out (E, A, B), search (alpha, beta)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import scipy.optimize

from theory._validate import as_float_array, check_option, check_positive, check_same_length, short_repr
from theory.scaling._errors import FitError, ScalingInputError
from theory.scaling._nnls import huber_irls, nnls3, ols3, support_solve
from theory.scaling._surface import LossSurface

__all__ = ["VarProFit", "fit_approach3"]

_LOSSES = ("mse", "huber")
_METHODS = ("lbfgs", "grid", "nelder_mead")
_INNERS = ("nnls", "ols")


@dataclass(frozen=True)
class VarProFit:
    """Result of :func:`fit_approach3`.

    ``objective = Σ w_i ρ(r_i)`` at the optimum, ``rss = Σ w_i r_i²``; ``alpha_start``/``beta_start`` the grid
    start; ``n_evals`` profile evaluations (grid points included); ``grad_norm`` the projected envelope-gradient
    norm; ``at_bound`` ⊂ {alpha_lo, alpha_hi, beta_lo, beta_hi, E=0, A=0, B=0}; ``status`` ∈ {converged, bound_hit,
    max_iter, abnormal}. Grid fields are None unless ``return_grid``.
    """

    surface: LossSurface
    objective: float
    rss: float
    n_points: int
    method: str
    loss: str
    alpha_start: float
    beta_start: float
    n_evals: int
    n_iter: int
    grad_norm: float
    at_bound: tuple[str, ...]
    converged: bool
    status: str
    grid_alpha: jax.Array | None = None
    grid_beta: jax.Array | None = None
    grid_objective: jax.Array | None = None


# ------------------------------------------------------------------------------------------------ the profile
def _design(theta, lnN, lnD):
    return jnp.stack([jnp.ones_like(lnN), jnp.exp(-theta[0] * lnN), jnp.exp(-theta[1] * lnD)], axis=-1)


def _rho_psi(r, loss, delta):
    if loss == "mse":
        return r * r, 2.0 * r
    a = jnp.abs(r)
    return jnp.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta)), jnp.clip(r, -delta, delta)


@partial(jax.jit, static_argnames=("loss", "inner", "max_irls_iter"))
def _profile(theta, lnN, lnD, y, w, delta, loss, inner, max_irls_iter):
    """f(θ) = min_{p(≥0)} Σ w ρ(y − X(θ)p), the inner optimum p̂ and the envelope gradient
    ``∂f/∂α = A·Σ w ψ(r) ln N N^(−α)``, ``∂f/∂β = B·Σ w ψ(r) ln D D^(−β)`` (valid because p̂ is optimal)."""
    X = _design(theta, lnN, lnD)
    solver = nnls3 if inner == "nnls" else ols3
    p = solver(X, y, w)
    irls_steps, irls_ok = jnp.asarray(0), jnp.asarray(True)
    if loss == "huber":
        p, irls_steps, irls_ok = huber_irls(X, y, w, delta, p, max_irls_iter, inner == "nnls")
    r = y - X @ p
    rho, psi = _rho_psi(r, loss, delta)
    f = jnp.sum(w * rho)
    grad = jnp.stack([p[1] * jnp.sum(w * psi * lnN * X[:, 1]), p[2] * jnp.sum(w * psi * lnD * X[:, 2])])
    return f, grad, p, jnp.sum(w * r * r), irls_steps, irls_ok


@partial(jax.jit, static_argnames=("loss", "inner", "max_irls_iter"))
def _fg(theta, lnN, lnD, y, w, delta, scale, loss, inner, max_irls_iter):
    """Scaled (f, ∂f/∂α, ∂f/∂β) as one array: one device-to-host transfer per L-BFGS-B evaluation."""
    f, g, *_ = _profile(theta, lnN, lnD, y, w, delta, loss, inner, max_irls_iter)
    return jnp.concatenate([f[None], g]) * scale


@partial(jax.jit, static_argnames=("loss", "inner", "max_irls_iter"))
def _profile_many(thetas, lnN, lnD, y, w, delta, loss, inner, max_irls_iter):
    def one(th):
        return _profile(th, lnN, lnD, y, w, delta, loss, inner, max_irls_iter)[0]

    # Batches bound the memory of the IRLS while-loops on fine grids; vmap inside each batch.
    return jax.lax.map(one, thetas, batch_size=4096)


@partial(jax.jit, static_argnames=("inner",))
def _gram_grid(alphas, betas, lnN, lnD, y, w, inner):
    """Least-squares profile on the whole (alpha, beta) grid from weighted Gram entries.

    Every Gram entry of X = [1, N^-α, D^-β] is a product of one α-row and one β-row, so the whole grid costs
    two (n_grid × n) exponentials and one matrix product (P·diag(w)·Qᵀ); the 8 supports are then solved in
    closed form elementwise, with ``RSS_S = yᵀWy − r_Sᵀ q_S``. The few best points are re-evaluated exactly.
    """
    P = jnp.exp(-alphas[:, None] * lnN[None, :])
    Q = jnp.exp(-betas[:, None] * lnD[None, :])
    wy = w * y
    s0, yy, r0 = jnp.sum(w), jnp.sum(wy * y), jnp.sum(wy)
    d0 = 1.0 / jnp.sqrt(s0)
    dP = 1.0 / jnp.sqrt((P * P) @ w)
    dQ = 1.0 / jnp.sqrt((Q * Q) @ w)
    g01 = ((P @ w) * dP * d0)[:, None]
    g02 = ((Q @ w) * dQ * d0)[None, :]
    g12 = ((P * w) @ Q.T) * dP[:, None] * dQ[None, :]
    c0 = r0 * d0
    c1 = ((P @ wy) * dP)[:, None]
    c2 = ((Q @ wy) * dQ)[None, :]
    return support_solve(g01, g02, g12, c0, c1, c2, yy, inner == "nnls")[1]


# ------------------------------------------------------------------------------------------------ validation
def validate_data(N, D, L, weights=None):
    """Boundary checks shared by the Approach 3 fits: returns (ln N, ln D, L, w) as float64 JAX arrays."""
    n = as_float_array(N, "N", error=ScalingInputError, positive=True)
    d = as_float_array(D, "D", error=ScalingInputError, positive=True)
    loss = as_float_array(L, "L", error=ScalingInputError, positive=True)
    m = check_same_length(ScalingInputError, N=n, D=d, L=loss)
    if m < 5:
        raise ScalingInputError(f"Approach 3 needs >= 5 points, got {m}")
    if weights is None:
        w = np.ones(m)
    else:
        w = as_float_array(weights, "weights", error=ScalingInputError, nonnegative=True)
        check_same_length(ScalingInputError, N=n, weights=w)
        if w.sum() <= 0:
            raise ScalingInputError(f"weights must not all be zero, got {short_repr(w)}")
    return jnp.log(n), jnp.log(d), jnp.asarray(loss), jnp.asarray(w)


def _check_bounds(bounds, name):
    try:
        lo, hi = (float(v) for v in bounds)
    except (TypeError, ValueError) as exc:
        raise ScalingInputError(f"{name} must be a pair (lo, hi), got {short_repr(bounds)}") from exc
    if not (math.isfinite(lo) and math.isfinite(hi) and 0 < lo < hi):
        raise ScalingInputError(f"{name} must satisfy 0 < lo < hi, got {short_repr(bounds)}")
    return lo, hi


def _check_int(value, name, minimum):
    if isinstance(value, bool) or int(value) != value or value < minimum:
        raise ScalingInputError(f"{name} must be an integer >= {minimum}, got {short_repr(value)}")
    return int(value)


# ------------------------------------------------------------------------------------------------ the fit
def _grid_axis(lo, hi, resolution):
    count = int(math.floor((hi - lo) / resolution + 1e-9)) + 1
    return lo + resolution * np.arange(count)


@partial(jax.jit, static_argnames=("inner", "top"))
def _gram_grid_best(alphas, betas, lnN, lnD, y, w, delta, inner, top):
    """Whole mse grid search in one compiled call: Gram-based objective on every grid point, then the ``top``
    smallest re-evaluated exactly (``yᵀWy − rᵀq`` loses digits to cancellation on near-perfect fits)."""
    obj = _gram_grid(alphas, betas, lnN, lnD, y, w, inner)
    _, idx = jax.lax.top_k(-obj.ravel(), top)
    ia, ib = idx // betas.shape[0], idx % betas.shape[0]
    thetas = jnp.stack([alphas[ia], betas[ib]], -1)
    exact = jax.vmap(lambda th: _profile(th, lnN, lnD, y, w, delta, "mse", inner, 1)[0])(thetas)
    j = jnp.argmin(exact)
    return thetas[j], obj


def _grid_search(alphas, betas, data, delta, loss, inner, max_irls_iter):
    """Best grid point and the grid's objective values."""
    a, b = jnp.asarray(alphas), jnp.asarray(betas)
    if loss == "mse":
        theta, obj = _gram_grid_best(a, b, *data, delta, inner=inner, top=min(16, a.size * b.size))
        return np.asarray(theta), obj
    thetas = jnp.stack(jnp.meshgrid(a, b, indexing="ij"), -1).reshape(-1, 2)
    obj = _profile_many(thetas, *data, delta, loss=loss, inner=inner, max_irls_iter=max_irls_iter)
    return np.asarray(thetas[jnp.argmin(obj)]), obj.reshape(len(alphas), len(betas))


def fit_approach3(N, D, L, *, loss: str = "mse", delta: float = 1e-3, method: str = "lbfgs", grid_size: int = 32,
                  resolution: float = 0.01, alpha_bounds=(0.01, 0.99), beta_bounds=(0.01, 0.99), inner: str = "nnls",
                  max_irls_iter: int = 100, weights=None, maxiter: int = 10000, ftol: float = 1e-15,
                  gtol: float = 1e-15, return_grid: bool = False) -> VarProFit:
    """Fit ``L = E + A·N^(−α) + B·D^(−β)`` by variable projection (Czech et al. 2026 §5).

    For θ = (α, β), ``X = [1, N^(−α), D^(−β)]`` and ``p̂(θ) = (E, A, B) = argmin_{p ≥ 0} Σ w_i ρ(L_i − X_i p)``
    (exact NNLS over the 8 supports; Huber by IRLS to convergence); the outer problem minimises
    ``f(θ) = Σ w_i ρ(r_i)`` over the bounds, ρ = r² (``mse``) or Huber with threshold ``delta`` on raw-loss
    residuals. Methods: ``lbfgs`` (argmin of a ``grid_size``² grid, then L-BFGS-B with the envelope gradient),
    ``grid`` (exhaustive, α = lo + i·resolution ≤ hi) and ``nelder_mead`` (gradient-free, from the same start).
    ``max_irls_iter`` counts the Huber inner solves, the unweighted NNLS start included (10 mimics vpnls).
    """
    data = validate_data(N, D, L, weights)
    check_option(loss, "loss", _LOSSES, error=ScalingInputError)
    check_option(method, "method", _METHODS, error=ScalingInputError)
    check_option(inner, "inner", _INNERS, error=ScalingInputError)
    dl = check_positive(delta, "delta", error=ScalingInputError)
    alo, ahi = _check_bounds(alpha_bounds, "alpha_bounds")
    blo, bhi = _check_bounds(beta_bounds, "beta_bounds")
    gs = _check_int(grid_size, "grid_size", 2)
    res = check_positive(resolution, "resolution", error=ScalingInputError)
    if res > min(ahi - alo, bhi - blo):
        raise ScalingInputError(f"resolution must lie in (0, hi − lo], got {res!r}")
    irls = _check_int(max_irls_iter, "max_irls_iter", 1)
    maxit = _check_int(maxiter, "maxiter", 1)
    ft = check_positive(ftol, "ftol", error=ScalingInputError)
    gt = check_positive(gtol, "gtol", error=ScalingInputError)
    kw = dict(loss=loss, inner=inner, max_irls_iter=irls)

    if method == "grid":
        alphas, betas = _grid_axis(alo, ahi, res), _grid_axis(blo, bhi, res)
    else:
        alphas, betas = np.linspace(alo, ahi, gs), np.linspace(blo, bhi, gs)
    theta0, grid_obj = _grid_search(alphas, betas, data, dl, **kw)
    a0, b0 = float(theta0[0]), float(theta0[1])
    n_evals, n_iter = alphas.size * betas.size, 0
    theta = np.array([a0, b0])
    status, ok = "converged", True
    if method != "grid":
        f0 = float(_profile(jnp.asarray(theta), *data, dl, **kw)[0])
        # The objective is divided by its value at the start so that scipy's ftol (relative to max(|f|, 1)) and
        # gtol act on relative change even for near-zero RSS (noise-free data).
        scale = 1.0 / f0 if f0 > 0 else 1.0
        bounds = [(alo, ahi), (blo, bhi)]
        if method == "lbfgs":
            # scipy's L-BFGS-B: the outer problem is 2-D with box bounds, so a host loop around the jitted
            # profile costs microseconds per step, and optax/jax.scipy offer no bounded L-BFGS.
            def fg(x):
                out = np.asarray(_fg(x, *data, dl, scale, **kw))
                return out[0], out[1:]

            out = scipy.optimize.minimize(fg, theta, jac=True, method="L-BFGS-B", bounds=bounds,
                                          options=dict(maxiter=maxit, maxfun=10 * maxit, ftol=ft, gtol=gt))
        else:
            out = scipy.optimize.minimize(lambda x: float(_profile(jnp.asarray(x), *data, dl, **kw)[0]) * scale,
                                          theta, method="Nelder-Mead", bounds=bounds,
                                          options=dict(maxiter=maxit, maxfev=10 * maxit, xatol=1e-12, fatol=ft))
        n_evals += int(out.nfev) + 1
        n_iter = int(out.nit)
        if out.fun <= 1.0 or f0 == 0:
            theta = np.asarray(out.x, dtype=np.float64)
        ok = bool(out.success)
        if not ok:
            status = "max_iter" if n_iter >= maxit or out.nfev >= 10 * maxit else "abnormal"
    f, g, p, rss, _, _ = _profile(jnp.asarray(theta), *data, dl, **kw)
    f, g, p = float(f), np.asarray(g), np.asarray(p)
    if not np.isfinite(f) or not np.all(np.isfinite(p)):
        raise FitError(f"the profile objective is not finite at alpha, beta = {theta.tolist()}")
    width = (ahi - alo, bhi - blo)
    at_bound = []
    for name, x, lo, hi, wd in (("alpha", theta[0], alo, ahi, width[0]), ("beta", theta[1], blo, bhi, width[1])):
        if x <= lo + 1e-9 * wd:
            at_bound.append(f"{name}_lo")
        if x >= hi - 1e-9 * wd:
            at_bound.append(f"{name}_hi")
    at_bound += [f"{name}=0" for name, v in zip(("E", "A", "B"), p, strict=True) if v == 0.0]
    # Projected gradient: a component pushing outward at an active bound does not count.
    pg = g.copy()
    for i, (x, lo, hi, wd) in enumerate(((theta[0], alo, ahi, width[0]), (theta[1], blo, bhi, width[1]))):
        if (x <= lo + 1e-9 * wd and g[i] > 0) or (x >= hi - 1e-9 * wd and g[i] < 0):
            pg[i] = 0.0
    if status == "abnormal" and method == "lbfgs" and np.max(np.abs(pg)) * (1.0 / max(f, 1e-300)) <= 1e-6:
        # L-BFGS-B reports ABNORMAL when the line search cannot decrease f at machine precision; with a
        # relative projected gradient this small the point is a stationary point, not a failure.
        status, ok = "converged", True
    if ok and any(s.startswith(("alpha", "beta")) for s in at_bound):
        status = "bound_hit"
    surface = LossSurface._unchecked(float(p[0]), float(p[1]), float(p[2]), float(theta[0]), float(theta[1]))
    grids = (jnp.asarray(alphas), jnp.asarray(betas), jnp.asarray(grid_obj)) if return_grid else (None,) * 3
    return VarProFit(surface, f, float(rss), int(data[0].shape[0]), method, loss, a0, b0, n_evals, n_iter,
                     float(np.linalg.norm(pg)), tuple(at_bound), ok, status, *grids)
