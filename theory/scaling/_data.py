"""IsoFLOP data: simulated grids (§2 "Grid") and the bundled experiments."""

from __future__ import annotations

import math
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from theory._validate import as_float_array, check_positive, short_repr
from theory.scaling._errors import ScalingInputError
from theory.scaling._surface import LossSurface

__all__ = ["IsoflopData", "as_surface", "isoflop_experiment", "simulate_isoflops"]


def as_surface(surface) -> LossSurface:
    """Accept a :class:`LossSurface` or an ``(E, A, B, alpha, beta)`` tuple such as ``SURFACES["chinchilla"]``."""
    if isinstance(surface, LossSurface):
        return surface
    try:
        values = tuple(surface)
    except TypeError as exc:
        raise ScalingInputError(f"surface must be a LossSurface or (E, A, B, alpha, beta), got {short_repr(surface)}") \
            from exc
    if len(values) != 5:
        raise ScalingInputError(f"surface must have 5 values (E, A, B, alpha, beta), got {short_repr(surface)}")
    return LossSurface(*values)


@dataclass(frozen=True)
class IsoflopData:
    """IsoFLOP points: N (params), D (tokens), L (loss, nats) and C (each point's nominal budget, FLOPs)."""

    N: jax.Array
    D: jax.Array
    L: jax.Array
    C: jax.Array

    def __len__(self) -> int:
        return int(self.N.shape[0])


def _check_budgets(budgets) -> np.ndarray:
    c = as_float_array(budgets, "budgets", error=ScalingInputError, ndim=1, min_size=1, positive=True)
    if len(np.unique(c)) != len(c):
        dup = c[np.flatnonzero(np.diff(np.sort(c)) == 0)[0]]
        raise ScalingInputError(f"budgets must be distinct, got {float(dup)!r} twice")
    return c


def grid_offsets(budgets: np.ndarray, center_scale: float, drift_factor: float) -> np.ndarray:
    """Grid centre offset in decades from log10 N*(C): ``−log10(center_scale) − log10(drift_factor)·t``."""
    lc = np.log10(budgets)
    span = lc.max() - lc.min()
    t = (lc - lc.min()) / span if span > 0 else np.zeros_like(lc)
    return -math.log10(center_scale) - math.log10(drift_factor) * t


def simulate_isoflops(surface, budgets, *, n_points: int = 15, grid_factor: float = 8.0, center_scale: float = 1.0,
                      drift_factor: float = 1.0, noise_std: float = 0.0, key=None) -> IsoflopData:
    """Simulate an IsoFLOP sweep on ``surface`` (Czech et al. 2026, §2 "Grid").

    For each budget C the grid is ``log10 N = linspace(c − log10 k, c + log10 k, n_points)`` with centre
    ``c = log10 N*(C) − log10(center_scale) − log10(drift_factor)·t``,
    ``t = (log10 C − log10 C_min)/(log10 C_max − log10 C_min)`` (t = 0 for one budget), ``D = C/(6N)`` and
    ``L = L(N, D) + noise_std·eps`` with eps ~ N(0, 1) drawn from ``key``.
    """
    surf = as_surface(surface)
    c = _check_budgets(budgets)
    if int(n_points) != n_points or n_points < 3:
        raise ScalingInputError(f"n_points must be an integer >= 3, got {short_repr(n_points)}")
    k = check_positive(grid_factor, "grid_factor", error=ScalingInputError)
    if k <= 1:
        raise ScalingInputError(f"grid_factor must be > 1, got {k!r}")
    cs = check_positive(center_scale, "center_scale", error=ScalingInputError)
    df = check_positive(drift_factor, "drift_factor", error=ScalingInputError)
    sigma = check_positive(noise_std, "noise_std", error=ScalingInputError, strict=False)
    if sigma > 0 and key is None:
        raise ScalingInputError("noise_std > 0 needs a jax.random key, got key=None")
    n = int(n_points)
    centre = np.log10(np.asarray(surf.N_opt(c))) + grid_offsets(c, cs, df)
    half = math.log10(k)
    logN = centre[:, None] + np.linspace(-half, half, n)[None, :]
    N = 10.0**logN
    C = np.repeat(c, n).reshape(len(c), n)
    D = C / (6.0 * N)
    L = surf.loss(N.ravel(), D.ravel())
    if sigma > 0:
        L = L + sigma * jax.random.normal(key, L.shape, dtype=jnp.float64)
    return IsoflopData(jnp.asarray(N.ravel()), jnp.asarray(D.ravel()), jnp.asarray(L), jnp.asarray(C.ravel()))


def isoflop_experiment(name: str, *, drop_outliers: bool = False) -> IsoflopData:
    """One experiment of the bundled ``isoflop_experiments`` dataset (N = params, D = tokens, C = budget, L = loss).

    ``drop_outliers`` removes the rows the dataset flags as outliers. Unknown names raise, listing the valid ones.
    """
    from theory import datasets

    df = datasets.load("isoflop_experiments")
    names = sorted(df["experiment"].unique())
    if name not in names:
        raise ScalingInputError(f"name must be one of {', '.join(map(repr, names))}; got {short_repr(name)}")
    rows = df[df["experiment"] == name]
    if drop_outliers:
        rows = rows[~rows["outlier"].astype(bool)]
    return IsoflopData(*(jnp.asarray(rows[col].to_numpy(dtype=np.float64))
                         for col in ("params", "tokens", "loss", "budget")))
