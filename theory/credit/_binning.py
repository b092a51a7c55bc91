"""Quantile prebins, binning tables, IV-optimal monotone binning and the WoE transform (spec §3.3)."""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

from theory._validate import as_float_array, check_option, short_repr
from theory.credit._batch import check_binary
from theory.credit._counts import pad, prepare
from theory.credit._divergence import js_terms
from theory.credit._errors import CreditInputError
from theory.credit._inference import DivergenceTest, iv_standard_error, iv_test
from theory.credit._merge import run_merge, validate_merge_args
from theory.credit._woe import information_value, woe

MISSING_LABEL = "Missing"


@dataclass(frozen=True)
class BinningTable:
    """A binned feature: per-bin counts, event rate, WoE with SE (C3), IV and JS contributions, and the
    IV's delta SE (C1) and χ² test (C2). Numerical bin i holds edges[i-1] ≤ x < edges[i]; categorical bin i
    holds ``categories[i]``; a last bin "Missing" holds NaN rows when binned with ``missing="separate"``.
    """

    dtype: str
    edges: jax.Array | None
    categories: tuple[tuple, ...] | None
    labels: tuple[str, ...]
    count: jax.Array
    n_good: jax.Array
    n_bad: jax.Array
    event_rate: jax.Array
    woe: jax.Array
    woe_se: jax.Array
    iv_contribution: jax.Array
    js_contribution: jax.Array
    iv: float
    iv_se: float
    js: float
    test: DivergenceTest | None
    monotonic: str
    objective: float
    converged: bool
    status: str

    @property
    def has_missing_bin(self) -> bool:
        return len(self.labels) > 0 and self.labels[-1] == MISSING_LABEL

    def to_frame(self) -> pd.DataFrame:
        """optbinning-style table: Bin, Count, Count (%), Non-event, Event, Event rate, WoE, WoE SE, IV, JS + Totals."""
        count = np.asarray(self.count)
        df = pd.DataFrame({
            "Bin": list(self.labels), "Count": count, "Count (%)": count / count.sum(),
            "Non-event": np.asarray(self.n_good), "Event": np.asarray(self.n_bad),
            "Event rate": np.asarray(self.event_rate), "WoE": np.asarray(self.woe),
            "WoE SE": np.asarray(self.woe_se), "IV": np.asarray(self.iv_contribution),
            "JS": np.asarray(self.js_contribution)})
        total = pd.DataFrame({"Bin": [""], "Count": [count.sum()], "Count (%)": [1.0],
                              "Non-event": [float(np.sum(self.n_good))], "Event": [float(np.sum(self.n_bad))],
                              "Event rate": [float(np.sum(self.n_bad)) / count.sum()], "WoE": [np.nan],
                              "WoE SE": [np.nan], "IV": [self.iv], "JS": [self.js]}, index=["Totals"])
        return pd.concat([df, total])


def _finite_1d(x, name, allow_nan=False):
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise CreditInputError(f"{name} must be numeric, got {short_repr(x)}") from exc
    if arr.ndim != 1 or arr.size == 0:
        raise CreditInputError(f"{name} must be a non-empty 1-D array, got shape {arr.shape}")
    bad = np.isinf(arr) | (np.isnan(arr) if not allow_nan else False)
    if np.any(bad):
        raise CreditInputError(f"{name} must be finite, got {arr[np.flatnonzero(bad)[0]]!r}")
    return arr


def quantile_edges(x, n_bins: int) -> jax.Array:
    """Interior edges: unique quantile(x, j/n_bins), j = 1..n_bins-1 (linear interpolation), minus edges ≤ min(x).

    A value's bin is the number of edges ≤ it (spec §3.3), so every bin is non-empty when x is.
    """
    arr = as_float_array(x, "x", error=CreditInputError, ndim=1)
    if isinstance(n_bins, bool) or int(n_bins) != n_bins or n_bins < 1:
        raise CreditInputError(f"n_bins must be a positive integer, got {n_bins!r}")
    q = np.quantile(arr, np.arange(1, int(n_bins)) / int(n_bins), method="linear")
    q = np.unique(q)
    return jnp.asarray(q[q > arr.min()])


def _labels(edges: np.ndarray) -> tuple[str, ...]:
    bounds = [-np.inf, *edges.tolist(), np.inf]
    return tuple(f"[{lo:.6g}, {hi:.6g})" if np.isfinite(lo) else f"(-inf, {hi:.6g})"
                 for lo, hi in zip(bounds[:-1], bounds[1:], strict=True))


def _table(dtype, edges, categories, labels, ng, nb, *, zero, pseudocount, monotonic="none", objective=None,
           converged=True, status="ok") -> BinningTable:
    ng, nb = np.asarray(ng, float), np.asarray(nb, float)
    count = ng + nb
    iv_res = information_value(ng, nb, zero=zero, pseudocount=pseudocount)
    w = woe(ng, nb, zero=zero, pseudocount=pseudocount)
    prep = prepare(ng, nb, zero=zero, pseudocount=pseudocount)
    p, q, _, _, _ = prep.padded()
    jsc = jnp.asarray(np.asarray(_js_terms_jit(p, q, pad((ng + nb) > 0, p.shape[0])))[: ng.size])
    if prep.n_bins >= 2:
        test = iv_test(ng, nb, zero=zero, pseudocount=pseudocount)
        se = iv_standard_error(ng, nb, zero=zero, pseudocount=pseudocount)
    else:
        test, se = None, 0.0
    rate = np.where(count > 0, nb / np.where(count > 0, count, 1.0), 0.0)
    return BinningTable(dtype, None if edges is None else jnp.asarray(edges, dtype=jnp.float64), categories, labels,
                        jnp.asarray(count), jnp.asarray(ng), jnp.asarray(nb), jnp.asarray(rate), w.woe,
                        w.se, iv_res.contributions,
                        jsc, iv_res.iv, float(se), float(np.sum(np.asarray(jsc))), test, monotonic,
                        iv_res.iv if objective is None else float(objective), converged, status)


_js_terms_jit = jax.jit(js_terms)


def _is_missing(x) -> np.ndarray:
    return np.asarray(pd.isna(pd.Series(np.asarray(x, dtype=object))), dtype=bool)


def _category_codes(x, categories) -> np.ndarray:
    """Bin index of each value of x given category groups; -1 for values in no group."""
    lookup = {}
    for i, group in enumerate(categories):
        for v in group:
            lookup[v] = i
    return np.array([lookup.get(v, -1) for v in np.asarray(x, dtype=object)], dtype=np.int64)


def _groups(categories) -> tuple[tuple, ...]:
    out = []
    for c in categories:
        out.append(tuple(c) if isinstance(c, (list, tuple, set, frozenset)) else (c,))
    return tuple(out)


def binning_table(x, y, *, edges=None, categories=None, zero: str = "error", pseudocount: float = 0.5) -> BinningTable:
    """Binning table of x against y (y = 1 bad/event) for given bins (spec §3.3).

    Numerical: bin of x = #{edges ≤ x} (``edges`` interior, increasing; default ``quantile_edges(x, 10)``).
    Categorical (``categories`` given, or x non-numeric): one bin per entry of ``categories`` (a value or a
    group of values; default one per distinct value). Per bin W_j = ln(g_j/b_j), Var W_j per C3, c_j, JS terms;
    IV with delta SE (C1) and χ² test T = N_eff·IV (C2). Zero cells per ``zero``.
    """
    yy = check_binary(y, "y")
    xa = np.asarray(x, dtype=object) if np.asarray(x).dtype.kind in "OUS" else np.asarray(x)
    if xa.ndim != 1 or xa.shape[0] != yy.shape[0]:
        raise CreditInputError(f"x must be 1-D with the length of y ({yy.shape[0]}), got shape {xa.shape}")
    if categories is not None or xa.dtype.kind in "OUSb":
        if _is_missing(xa).any():
            raise CreditInputError("x has missing values; bin them with optimal_binning(..., missing='separate')")
        cats = _groups(categories) if categories is not None else tuple((v,) for v in sorted(set(xa.tolist()), key=str))
        codes = _category_codes(xa, cats)
        if (codes < 0).any():
            raise CreditInputError(f"x has value {xa[np.flatnonzero(codes < 0)[0]]!r} in no category group")
        k = len(cats)
        ng = np.bincount(codes[yy == 0], minlength=k).astype(float)
        nb = np.bincount(codes[yy == 1], minlength=k).astype(float)
        return _table("categorical", None, cats, tuple(", ".join(map(str, g)) for g in cats), ng, nb,
                      zero=zero, pseudocount=pseudocount)
    xf = _finite_1d(xa, "x")
    e = np.asarray(quantile_edges(xf, 10)) if edges is None else as_float_array(edges, "edges", error=CreditInputError,
                                                                                    min_size=0)
    if e.size > 1 and (np.diff(e) <= 0).any():
        raise CreditInputError(f"edges must be strictly increasing, got {short_repr(e)}")
    codes = np.searchsorted(e, xf, side="right")
    k = e.size + 1
    ng = np.bincount(codes[yy == 0], minlength=k).astype(float)
    nb = np.bincount(codes[yy == 1], minlength=k).astype(float)
    return _table("numerical", e, None, _labels(e), ng, nb, zero=zero, pseudocount=pseudocount)


@dataclass(frozen=True)
class _Prebins:
    dtype: str
    codes: np.ndarray          # prebin of each non-missing row, -1 for missing rows
    n_prebins: int
    edges: np.ndarray | None   # numerical prebin edges
    categories: tuple | None   # categorical: category of each prebin (before ordering by bad rate)
    missing: np.ndarray        # bool per row


def _prebin(x, dtype, n_prebins, missing) -> _Prebins:
    check_option(dtype, "dtype", ("numerical", "categorical"), error=CreditInputError)
    check_option(missing, "missing", ("error", "separate"), error=CreditInputError)
    if isinstance(n_prebins, bool) or int(n_prebins) != n_prebins or not 2 <= n_prebins <= 100:
        raise CreditInputError(f"n_prebins must be an integer in [2, 100], got {n_prebins!r}")
    miss = _is_missing(x)
    if miss.any() and missing == "error":
        raise CreditInputError(f"x has {int(miss.sum())} missing values; pass missing='separate' to bin them apart")
    if miss.all():
        raise CreditInputError("x has no non-missing values")
    if dtype == "numerical":
        xf = _finite_1d(x, "x", allow_nan=True)
        e = np.asarray(quantile_edges(xf[~miss], int(n_prebins)))
        codes = np.where(miss, -1, np.searchsorted(e, np.where(miss, 0.0, xf), side="right"))
        return _Prebins(dtype, codes, e.size + 1, e, None, miss)
    xa = np.asarray(x, dtype=object)
    cats = tuple(sorted(set(xa[~miss].tolist()), key=str))
    if len(cats) > 100:
        raise CreditInputError(f"categorical x has {len(cats)} categories; at most 100 can be merged exactly")
    codes = np.where(miss, -1, _category_codes(np.where(miss, cats[0], xa), tuple((c,) for c in cats)))
    return _Prebins(dtype, codes, len(cats), None, cats, miss)


def _prebin_counts(pb: _Prebins, yy: np.ndarray):
    ok = ~pb.missing
    ng = np.bincount(pb.codes[ok & (yy == 0)], minlength=pb.n_prebins).astype(float)
    nb = np.bincount(pb.codes[ok & (yy == 1)], minlength=pb.n_prebins).astype(float)
    return ng, nb


def optimal_binning(x, y, *, dtype: str = "numerical", n_prebins: int = 20, max_bins: int = 5,
                    min_bin_frac: float = 0.05, min_class_count: int = 1, monotonic: str = "auto",
                    missing: str = "error") -> BinningTable:
    """IV-optimal binning: prebins, then the exact DP merge of :func:`optimal_merge` (spec §3.3).

    Numerical prebins from ``quantile_edges(x, n_prebins)``; categorical: one prebin per category ordered by bad
    rate. ``missing="separate"`` puts NaN rows in a last bin "Missing" outside the merge (shares over the full
    totals). Bins with one class empty can only be the Missing bin; they are handled by zero="drop".
    """
    yy = check_binary(y, "y")
    if len(np.asarray(x, dtype=object)) != yy.shape[0]:
        raise CreditInputError(f"x and y must have the same length: x has {len(x)}, y has {yy.shape[0]}")
    mb, frac, mcc = validate_merge_args(max_bins, min_bin_frac, min_class_count, monotonic)
    pb = _prebin(x, dtype, n_prebins, missing)
    ng, nb = _prebin_counts(pb, yy)
    order = np.arange(pb.n_prebins)
    if pb.dtype == "categorical":
        order = np.argsort(nb / np.maximum(ng + nb, 1.0), kind="stable")
        ng, nb = ng[order], nb[order]
    tg, tb = float((yy == 0).sum()), float((yy == 1).sum())
    obj, breaks, mode = run_merge(ng, nb, tg, tb, mb, frac, mcc, monotonic)
    status = "optimal"
    if not np.isfinite(obj):
        breaks, obj, status = (0, pb.n_prebins), 0.0, "no feasible partition; one bin"
    br = np.asarray(breaks)
    mg = np.add.reduceat(ng, br[:-1])
    mbd = np.add.reduceat(nb, br[:-1])
    if pb.dtype == "numerical":
        edges = pb.edges[br[1:-1] - 1]
        cats, labels = None, _labels(edges)
    else:
        edges = None
        cats = tuple(tuple(pb.categories[order[t]] for t in range(lo, hi)) for lo, hi in zip(br[:-1], br[1:],
                                                                                              strict=True))
        labels = tuple(", ".join(map(str, g)) for g in cats)
    if pb.missing.any():
        mg = np.append(mg, float(((yy == 0) & pb.missing).sum()))
        mbd = np.append(mbd, float(((yy == 1) & pb.missing).sum()))
        labels = (*labels, MISSING_LABEL)
    return _table(pb.dtype, edges, cats, labels, mg, mbd, zero="drop", pseudocount=0.5, monotonic=mode,
                  objective=obj, converged=True, status=status)


def woe_transform(table: BinningTable, x) -> jax.Array:
    """Map each value of x to its bin's WoE W_j = ln(g_j/b_j) (spec §3.3); an unseen category or a missing value
    without a Missing bin raises :class:`CreditInputError`."""
    if not isinstance(table, BinningTable):
        raise CreditInputError(f"table must be a BinningTable, got {type(table).__name__}")
    w = np.asarray(table.woe)
    miss = _is_missing(x)
    if miss.any() and not table.has_missing_bin:
        raise CreditInputError(f"x has {int(miss.sum())} missing values but the table has no Missing bin")
    if table.dtype == "numerical":
        xf = _finite_1d(x, "x", allow_nan=True)
        codes = np.searchsorted(np.asarray(table.edges), np.where(miss, 0.0, xf), side="right")
    else:
        xa = np.asarray(x, dtype=object)
        codes = _category_codes(xa, table.categories)
        unseen = (codes < 0) & ~miss
        if unseen.any():
            raise CreditInputError(f"x has category {xa[np.flatnonzero(unseen)[0]]!r} not seen when binning")
    codes = np.where(miss, len(w) - 1, codes)
    return jnp.asarray(w[codes], dtype=jnp.float64)
