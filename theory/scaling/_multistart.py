"""The 5-D Approach 3 protocol of Hoffmann et al. (2022): L-BFGS from a grid of 4,500 starts (Czech et al. §5)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from theory._validate import as_float_array, check_option, check_positive, short_repr
from theory.scaling._errors import ScalingInputError
from theory.scaling._lbfgs import minimize_batched
from theory.scaling._surface import LossSurface
from theory.scaling._varpro import _check_int, validate_data

__all__ = ["MultistartFit", "fit_approach3_multistart", "hoffmann_starts"]


@dataclass(frozen=True)
class MultistartFit:
    """Result of :func:`fit_approach3_multistart`: the best run's surface, objective and x = (e, a, b, α, β);
    ``objectives`` per start (inf where a run diverged), ``n_at_best`` runs within 1e-6 relative of the best,
    ``n_evals`` objective evaluations over all runs, ``n_iter`` iterations of the best run, and its status."""

    surface: LossSurface
    objective: float
    x: jax.Array
    objectives: jax.Array
    best_index: int
    n_starts: int
    n_at_best: int
    n_evals: int
    n_iter: int
    converged: bool
    status: str


def hoffmann_starts() -> jax.Array:
    """Hoffmann et al.'s initialisation grid, shape (4500, 5), columns (e, a, b, α, β): rows are
    ``itertools.product(α, β, e, a, b)`` with α, β ∈ {0, .5, …, 2}, e ∈ {−1, −.5, …, 1}, a, b ∈ {0, 5, …, 25}."""
    ab = np.arange(0.0, 2.01, 0.5)
    e = np.arange(-1.0, 1.01, 0.5)
    ls = np.arange(0.0, 25.1, 5.0)
    rows = [(ei, ai, bi, al, be) for al, be, ei, ai, bi in itertools.product(ab, ab, e, ls, ls)]
    return jnp.asarray(np.asarray(rows, dtype=np.float64))


def _objective(x, lnN, lnD, L, delta, loss, log_loss):
    """``Σ ρ(r_i)``, ``ℓ_i = LSE(a − α ln N_i, b − β ln D_i, e)``, r = ln L − ℓ (log_loss) or L − exp(ℓ)."""
    e, a, b, al, be = x[0], x[1], x[2], x[3], x[4]
    ell = jax.nn.logsumexp(jnp.stack([a - al * lnN, b - be * lnD, jnp.full_like(lnN, e)]), axis=0)
    r = jnp.log(L) - ell if log_loss else L - jnp.exp(ell)
    if loss == "mse":
        return jnp.sum(r * r)
    ar = jnp.abs(r)
    return jnp.sum(jnp.where(ar <= delta, 0.5 * r * r, delta * (ar - 0.5 * delta)))


def _objective_args(x, args):
    lnN, lnD, L, delta, loss_code, log_code = args
    ell = jax.nn.logsumexp(jnp.stack([x[1] - x[3] * lnN, x[2] - x[4] * lnD, jnp.full_like(lnN, x[0])]), axis=0)
    r = jnp.where(log_code, jnp.log(L) - ell, L - jnp.exp(ell))
    ar = jnp.abs(r)
    huber = jnp.where(ar <= delta, 0.5 * r * r, delta * (ar - 0.5 * delta))
    return jnp.sum(jnp.where(loss_code, r * r, huber))


def fit_approach3_multistart(N, D, L, *, loss: str = "huber", delta: float = 1e-3, log_loss: bool = True,
                             starts=None, maxiter: int = 10000, ftol: float = 1e-15,
                             gtol: float = 1e-12) -> MultistartFit:
    """Hoffmann et al. (2022) Approach 3 (Czech et al. 2026 §5): x = (e, a, b, α, β), E = e^e, A = e^a, B = e^b,
    ``ℓ_i = LSE(a − α ln N_i, b − β ln D_i, e)``; minimise ``Σ ρ(r_i)`` (a sum: Hoffmann's mean made L-BFGS stop
    early) with ``r_i = ln L_i − ℓ_i`` (``log_loss``) or ``L_i − exp(ℓ_i)``, by unbounded L-BFGS (batched, jitted)
    from every start (default :func:`hoffmann_starts`), keeping the best."""
    lnN, lnD, y, _ = validate_data(N, D, L)
    check_option(loss, "loss", ("mse", "huber"), error=ScalingInputError)
    dl = check_positive(delta, "delta", error=ScalingInputError)
    if not isinstance(log_loss, bool | np.bool_):
        raise ScalingInputError(f"log_loss must be a bool, got {short_repr(log_loss)}")
    if starts is None:
        x0 = hoffmann_starts()
    else:
        s = as_float_array(starts, "starts", error=ScalingInputError, ndim=2)
        if s.shape[1] != 5:
            raise ScalingInputError(f"starts must have shape (k, 5), got {s.shape}")
        x0 = jnp.asarray(s)
    maxit = _check_int(maxiter, "maxiter", 1)
    ft = check_positive(ftol, "ftol", error=ScalingInputError)
    gt = check_positive(gtol, "gtol", error=ScalingInputError)
    args = (lnN, lnD, y, jnp.asarray(dl), jnp.asarray(loss == "mse"), jnp.asarray(bool(log_loss)))
    x, obj, it, n_eval, flag = minimize_batched(_objective_args, np.asarray(x0), args, maxiter=maxit, ftol=ft,
                                                gtol=gt)
    obj = np.where((flag == 3) | ~np.isfinite(obj), np.inf, obj)
    if not np.isfinite(obj).any():
        from theory.scaling._errors import FitError

        raise FitError("every multistart run diverged")
    best = int(np.argmin(obj))
    fbest = float(obj[best])
    xb = np.asarray(x[best])
    fl = int(flag[best])
    status = {1: "converged", 2: "converged", 5: "max_iter"}.get(fl, "abnormal")
    if fl == 4 and float(np.max(np.abs(np.asarray(jax.grad(_objective_args)(jnp.asarray(xb), args))))) <= 1e-6 * (
            1.0 + abs(fbest)):
        # No Armijo step exists at machine precision and the gradient is negligible: a stationary point.
        status = "converged"
    surface = LossSurface._unchecked(float(np.exp(xb[0])), float(np.exp(xb[1])), float(np.exp(xb[2])),
                                     float(xb[3]), float(xb[4]))
    n_at_best = int(np.sum(np.abs(obj - fbest) <= 1e-6 * abs(fbest)))
    return MultistartFit(surface, fbest, jnp.asarray(xb), jnp.asarray(obj), best, int(x0.shape[0]), n_at_best,
                         int(np.sum(np.asarray(n_eval))), int(it[best]), status == "converged", status)
