"""Fairness measures built on IV (spec §3.4; paper eqs. 27, 29-30): IV between protected groups, with uncertainty."""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
from scipy import stats

from theory._validate import as_float_array, check_positive, check_probability, short_repr
from theory.credit._batch import check_binary
from theory.credit._binning import quantile_edges
from theory.credit._errors import CreditInputError
from theory.credit._inference import DivergenceTest, divergence_test, iv_standard_error, iv_test
from theory.credit._woe import information_value


@dataclass(frozen=True)
class ScoreBinIV:
    """IV of score bins between goods and bads (model power, eq. 29) and between a = 0 and a = 1 (eq. 30)."""

    edges: jax.Array
    iv_model: float
    iv_model_se: float
    iv_fair: float
    iv_fair_se: float
    test_model: DivergenceTest
    test_fair: DivergenceTest
    n_good: jax.Array
    n_bad: jax.Array
    n_a0: jax.Array
    n_a1: jax.Array


@dataclass(frozen=True)
class Exceedance:
    """Φ((IV - ε)/SE), the one-sided upper bound IV + z_level·SE, and whether that bound is ≤ ε."""

    prob_exceeds: float
    upper_bound: float
    satisfied: bool


def adverse_impact_ratio(approved, a) -> float:
    """AIR = P(approved | a = 1)/P(approved | a = 0) (four-fifths rule: AIR ≥ 0.8; paper, fairness section)."""
    ap = check_binary(approved, "approved") if np.asarray(approved).dtype != bool else np.asarray(approved, np.int8)
    aa = check_binary(a, "a")
    if ap.shape != aa.shape:
        raise CreditInputError(f"approved and a must have the same length: {ap.shape[0]} vs {aa.shape[0]}")
    r0 = ap[aa == 0].mean()
    if r0 == 0:
        raise CreditInputError("no one in the reference group a = 0 is approved; AIR is undefined")
    return float(ap[aa == 1].mean() / r0)


def score_bin_iv(score, y, a, *, bins=10, zero: str = "error", pseudocount: float = 0.5) -> ScoreBinIV:
    """IV_model = J(goods, bads) and IV_fair = J(a = 0, a = 1) over score bins (paper eqs. 29-30), delta SEs (C1).

    ``bins``: an int (pooled :func:`quantile_edges`) or increasing interior edges; bin = #{edges ≤ score}.
    """
    s = as_float_array(score, "score", error=CreditInputError, ndim=1)
    yy, aa = check_binary(y, "y"), check_binary(a, "a")
    if not (s.size == yy.size == aa.size):
        raise CreditInputError(f"score, y and a must have the same length: {s.size}, {yy.size}, {aa.size}")
    if np.ndim(bins) == 0:
        edges = np.asarray(quantile_edges(s, bins))
    else:
        edges = as_float_array(bins, "bins", error=CreditInputError, min_size=0)
        if edges.size > 1 and (np.diff(edges) <= 0).any():
            raise CreditInputError(f"bins (edges) must be strictly increasing, got {short_repr(edges)}")
    codes = np.searchsorted(edges, s, side="right")
    k = edges.size + 1
    cnt = lambda mask: np.bincount(codes[mask], minlength=k).astype(float)  # noqa: E731
    ng, nb, n0, n1 = cnt(yy == 0), cnt(yy == 1), cnt(aa == 0), cnt(aa == 1)
    zk = {"zero": zero, "pseudocount": pseudocount}
    ivm = information_value(ng, nb, **zk).iv
    ivf = information_value(n0, n1, **zk).iv
    return ScoreBinIV(jnp.asarray(edges), ivm, iv_standard_error(ng, nb, **zk), ivf, iv_standard_error(n0, n1, **zk),
                      iv_test(ng, nb, **zk), divergence_test(n0, n1, **zk), jnp.asarray(ng), jnp.asarray(nb),
                      jnp.asarray(n0), jnp.asarray(n1))


def iv_exceedance(iv, se, epsilon, *, level: float = 0.95) -> Exceedance:
    """P(IV > ε) read as Φ((IV - ε)/SE) (the paper's reading), upper bound IV + z_level·SE, satisfied if ≤ ε."""
    iv = check_positive(iv, "iv", error=CreditInputError, strict=False)
    se = check_positive(se, "se", error=CreditInputError)
    eps = check_positive(epsilon, "epsilon", error=CreditInputError)
    level = check_probability(level, "level", error=CreditInputError)
    ub = iv + float(stats.norm.ppf(level)) * se
    return Exceedance(float(stats.norm.cdf((iv - eps) / se)), ub, bool(ub <= eps))


def tradeoff_ratio(iv_perf, se_perf, iv_fair, se_fair, *, k: float = 2.58) -> float:
    """Uncertainty-adjusted trade-off (IV_perf - k·SE_perf)/(IV_fair + k·SE_fair) (paper eq. 27)."""
    ivp = check_positive(iv_perf, "iv_perf", error=CreditInputError, strict=False)
    sp = check_positive(se_perf, "se_perf", error=CreditInputError, strict=False)
    ivf = check_positive(iv_fair, "iv_fair", error=CreditInputError, strict=False)
    sf = check_positive(se_fair, "se_fair", error=CreditInputError, strict=False)
    k = check_positive(k, "k", error=CreditInputError, strict=False)
    den = ivf + k * sf
    if den <= 0:
        raise CreditInputError("iv_fair + k·se_fair must be > 0, got 0")
    return (ivp - k * sp) / den
