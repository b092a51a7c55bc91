"""Exact dynamic programme for the IV-optimal contiguous merge of ordered prebins (spec §3.3).

IV is additive over bins, so the best partition of prebins [0, j) into b bins whose last bin is [i, j)
is V_b(i, j) = c(i, j) + max_h V_{b-1}(h, i) over h with a feasible, monotone-compatible previous bin
[h, i). The state carries the last bin's start because the monotonicity constraint links adjacent bins
only. O(max_bins·m³) work, done as one (m+1)³ tensor per bin count so it jits and vmaps (the
permutation test re-merges hundreds of label permutations in one call). Optimality is certified by
the recursion itself, no solver tolerance involved.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from theory._validate import check_option
from theory.credit._counts import counts_pair
from theory.credit._errors import CreditInputError

MONOTONIC = ("auto", "ascending", "descending", "none")


@dataclass(frozen=True)
class MergeResult:
    """Optimal merge: ``breaks`` are prebin boundaries 0 = t_0 < ... < t_B = m; bin i is prebins [t_i, t_{i+1})."""

    breaks: tuple[int, ...]
    n_good: jax.Array
    n_bad: jax.Array
    iv: float
    monotonic: str
    objective: float
    converged: bool
    status: str


MODE_CODE = {"none": 0, "ascending": 1, "descending": 2}


def merge_kernel(ng, nb, total_g, total_b, min_rows, min_class, max_bins: int, mode: str):
    """Returns (best objective, breaks padded with -1 to max_bins+1, number of bins)."""
    return _merge_kernel(ng, nb, total_g, total_b, min_rows, min_class, max_bins, MODE_CODE[mode])


@partial(jax.jit, static_argnames=("max_bins",))
def _merge_kernel(ng, nb, total_g, total_b, min_rows, min_class, max_bins: int, mode):
    # the direction is traced (not static) so all three share one compilation
    m = ng.shape[0]
    cg = jnp.concatenate([jnp.zeros(1), jnp.cumsum(ng)])
    cb = jnp.concatenate([jnp.zeros(1), jnp.cumsum(nb)])
    g = cg[None, :] - cg[:, None]          # [i, j] = goods in prebins [i, j)
    b = cb[None, :] - cb[:, None]
    idx = jnp.arange(m + 1)
    ok = (idx[:, None] < idx[None, :]) & (g + b >= min_rows) & (g >= min_class) & (b >= min_class)
    gs = jnp.where(ok, g, 1.0) / total_g
    bs = jnp.where(ok, b, 1.0) / total_b
    contrib = jnp.where(ok, (gs - bs) * jnp.log(gs / bs), -jnp.inf)
    rate = jnp.where(ok, jnp.where(ok, b, 0.0) / jnp.where(ok, g + b, 1.0), 0.0)
    up = rate[:, :, None] <= rate[None, :, :]                # [h, i, j]: rate[h, i] <= rate[i, j]
    down = rate[:, :, None] >= rate[None, :, :]
    mono = jnp.where(mode == 1, up, jnp.where(mode == 2, down, True))
    neg = -jnp.inf
    v1 = jnp.where(idx[:, None] == 0, contrib, neg)

    def step(v_prev, _):
        cand = jnp.where(mono, v_prev[:, :, None] + contrib[None, :, :], neg)
        arg = jnp.argmax(cand, axis=0)
        v = jnp.max(cand, axis=0)
        return v, (v, arg)

    _, (vs, args) = jax.lax.scan(step, v1, None, length=max_bins - 1)
    vs = jnp.concatenate([v1[None], vs])                      # (max_bins, m+1, m+1)
    args = jnp.concatenate([jnp.zeros((1, m + 1, m + 1), dtype=args.dtype), args])
    end_vals = vs[:, :, m]                                    # [b-1, i]
    best_per_b = jnp.max(end_vals, axis=1)
    nb_best = jnp.argmax(best_per_b)                          # first maximum: fewest bins on ties
    best = best_per_b[nb_best]
    start = jnp.argmax(end_vals[nb_best])

    def back(t, carry):
        breaks, i, j = carry
        bidx = nb_best - t                                    # bin count index of the bin [i, j)
        active = bidx >= 0
        breaks = breaks.at[bidx + 1].set(jnp.where(active, j, breaks[bidx + 1]))
        h = args[jnp.maximum(bidx, 0), i, j]
        new_i = jnp.where(active & (bidx > 0), h, i)
        new_j = jnp.where(active, i, j)
        return breaks, new_i, new_j

    breaks0 = jnp.full(max_bins + 1, -1).at[0].set(0)
    breaks, _, _ = jax.lax.fori_loop(0, max_bins, back, (breaks0, start, jnp.asarray(m)))
    return best, breaks, nb_best + 1


def padded_size(m: int) -> int:
    """Prebin count the kernels run at: 8 for few prebins, else the next multiple of 10 (the default 20 stays 20,
    and quantile prebins that lost a few edges to ties share its compilation)."""
    return 8 if m <= 8 else -(-m // 10) * 10


def validate_merge_args(max_bins, min_bin_frac, min_class_count, monotonic):
    if isinstance(max_bins, bool) or int(max_bins) != max_bins or max_bins < 1:
        raise CreditInputError(f"max_bins must be a positive integer, got {max_bins!r}")
    try:
        frac = float(min_bin_frac)
    except (TypeError, ValueError) as exc:
        raise CreditInputError(f"min_bin_frac must be a number in [0, 1), got {min_bin_frac!r}") from exc
    if not (0.0 <= frac < 1.0):
        raise CreditInputError(f"min_bin_frac must lie in [0, 1), got {min_bin_frac!r}")
    if isinstance(min_class_count, bool) or int(min_class_count) != min_class_count or min_class_count < 1:
        # a merged bin without one class has an infinite IV term, so at least one of each is required
        raise CreditInputError(f"min_class_count must be an integer >= 1, got {min_class_count!r}")
    check_option(monotonic, "monotonic", MONOTONIC, error=CreditInputError)
    return int(max_bins), frac, int(min_class_count)


def run_merge(ng: np.ndarray, nb: np.ndarray, total_g: float, total_b: float, max_bins: int, frac: float,
              min_class: int, monotonic: str):
    """Host wrapper: DP for the requested direction(s); returns (objective, breaks tuple, direction)."""
    m = ng.shape[0]
    max_bins = min(max_bins, m)
    min_rows = frac * (total_g + total_b)
    # Few prebins (categorical features) are zero-padded to 8 or 16 so they share compilations. A bin made
    # only of padding has no goods, so it is infeasible (min_class >= 1); padding can only extend the last
    # bin, which leaves its counts, the objective and the constraints unchanged.
    size = padded_size(m)
    ng = np.concatenate([ng, np.zeros(size - m)])
    nb = np.concatenate([nb, np.zeros(size - m)])
    modes = ("ascending", "descending") if monotonic == "auto" else (monotonic,)
    best = None
    for mode in modes:
        obj, br, _ = merge_kernel(jnp.asarray(ng), jnp.asarray(nb), total_g, total_b, min_rows, float(min_class),
                                  max_bins, mode)
        obj = float(obj)
        if best is None or obj > best[0]:
            breaks = tuple(min(int(x), m) for x in np.asarray(br) if x >= 0)
            best = (obj, breaks, mode)
    return best


def optimal_merge(n_good, n_bad, *, max_bins: int = 5, min_bin_frac: float = 0.05, min_class_count: int = 1,
                  monotonic: str = "auto") -> MergeResult:
    """IV-optimal merge of m ≤ 100 ordered prebins by exact dynamic programming (spec §3.3).

    Maximises IV = Σ_bins (g - b) ln(g/b) over contiguous partitions with ≤ ``max_bins`` bins, each holding
    ≥ min_bin_frac·(N_G + N_B) rows and ≥ ``min_class_count`` of each class, with bad rate non-decreasing
    (``ascending``), non-increasing (``descending``), the better of both (``auto``) or free (``none``).
    Recursion V_b(i, j) = c(i, j) + max_h V_{b-1}(h, i), O(max_bins·m³). One bin is always feasible.
    """
    ng, nb = counts_pair(n_good, n_bad, "n_good", "n_bad")
    if ng.size > 100:
        raise CreditInputError(f"optimal_merge takes at most 100 prebins, got {ng.size}")
    max_bins, frac, min_class = validate_merge_args(max_bins, min_bin_frac, min_class_count, monotonic)
    obj, breaks, mode = run_merge(ng, nb, float(ng.sum()), float(nb.sum()), max_bins, frac, min_class, monotonic)
    status = "optimal"
    if not np.isfinite(obj):
        # no partition meets the constraints (e.g. min_class_count above a class total): one bin, by definition
        breaks, obj, status = (0, ng.size), 0.0, "no feasible partition with >= 1 of each class per bin; one bin"
    cg = np.concatenate([[0.0], np.cumsum(ng)])
    cb = np.concatenate([[0.0], np.cumsum(nb)])
    br = np.asarray(breaks)
    mg, mb = np.diff(cg[br]), np.diff(cb[br])
    gs, bs = mg / ng.sum(), mb / nb.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        iv = float(np.sum(np.where((gs > 0) & (bs > 0), (gs - bs) * np.log(gs / bs), 0.0)))
    if len(breaks) == 2:
        status += " (single bin)"
    return MergeResult(breaks, jnp.asarray(mg), jnp.asarray(mb), iv, mode, obj, True, status)
