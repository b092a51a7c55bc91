"""Hypothesis property tests for the invariants of spec §2-§3: divergences, IV, PSI and the exact DP merge."""

import itertools

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import theory.credit as tc

counts = st.lists(st.integers(1, 500), min_size=2, max_size=6)


@st.composite
def count_pairs(draw):
    k = draw(st.integers(2, 6))
    g = draw(st.lists(st.integers(1, 500), min_size=k, max_size=k))
    b = draw(st.lists(st.integers(1, 500), min_size=k, max_size=k))
    return np.array(g, float), np.array(b, float)


@given(count_pairs())
def test_iv_is_a_symmetric_nonnegative_divergence(pair):
    g, b = pair
    r = tc.information_value(g, b)
    assert r.iv >= 0
    assert (np.asarray(r.contributions) >= -1e-15).all()
    assert r.iv == pytest.approx(tc.information_value(b, g).iv, rel=1e-12, abs=1e-15)
    assert r.iv == pytest.approx(r.kl_good_bad + r.kl_bad_good, rel=1e-10, abs=1e-15)
    assert r.iv == pytest.approx(float(np.sum(r.contributions)), rel=1e-12, abs=1e-15)
    w = np.log((g / g.sum()) / (b / b.sum()))
    assert r.iv == pytest.approx(float(np.sum((g / g.sum() - b / b.sum()) * w)), rel=1e-10, abs=1e-15)


@given(count_pairs(), st.integers(1, 20))
def test_iv_zero_iff_shares_equal(pair, scale):
    g, _ = pair
    assert tc.information_value(g, g * scale).iv == pytest.approx(0.0, abs=1e-14)
    assume(not np.allclose(g / g.sum(), _ / _.sum()))
    assert tc.information_value(g, _).iv > 0


@given(count_pairs())
def test_psi_is_jeffreys_divergence(pair):
    a, e = pair
    assert tc.psi(a, e).psi == pytest.approx(tc.divergence(a, e, "jeffreys"), rel=1e-12, abs=1e-15)
    assert tc.psi(a, e).psi == pytest.approx(tc.information_value(a, e).iv, rel=1e-12, abs=1e-15)


@given(count_pairs(), st.sampled_from(["kl", "jeffreys", "js", "hellinger", "triangular"]))
def test_divergences_nonnegative_and_zero_at_equality(pair, kind):
    p, q = pair
    assert tc.divergence(p, q, kind) >= -1e-15
    assert tc.divergence(p, 3 * p, kind) == pytest.approx(0.0, abs=1e-14)
    if kind != "kl":
        assert tc.divergence(p, q, kind) == pytest.approx(tc.divergence(q, p, kind), rel=1e-10, abs=1e-15)


@given(count_pairs())
def test_standard_errors_are_finite(pair):
    g, b = pair
    se = tc.iv_standard_error(g, b)
    assert np.isfinite(se) and se >= 0
    assert np.isfinite(tc.iv_standard_error(g, b, method="paper"))


def _brute_force(ng, nb, max_bins, frac, min_class, mode):
    m = len(ng)
    tg, tb = ng.sum(), nb.sum()
    best = -np.inf
    for r in range(0, min(max_bins, m)):
        for cuts in itertools.combinations(range(1, m), r):
            br = (0, *cuts, m)
            g = np.array([ng[i:j].sum() for i, j in zip(br[:-1], br[1:], strict=True)])
            b = np.array([nb[i:j].sum() for i, j in zip(br[:-1], br[1:], strict=True)])
            if ((g + b) < frac * (tg + tb)).any() or (g < min_class).any() or (b < min_class).any():
                continue
            rate = b / (g + b)
            if mode == "ascending" and (np.diff(rate) < 0).any():
                continue
            if mode == "descending" and (np.diff(rate) > 0).any():
                continue
            gs, bs = g / tg, b / tb
            best = max(best, float(np.sum((gs - bs) * np.log(gs / bs))))
    return best


@given(st.lists(st.integers(0, 60), min_size=6, max_size=6), st.lists(st.integers(0, 60), min_size=6, max_size=6),
       st.sampled_from([2, 3, 6]), st.sampled_from(["ascending", "descending", "none", "auto"]),
       st.sampled_from([0.0, 0.05, 0.2]), st.sampled_from([1, 3]))
def test_optimal_merge_equals_brute_force(ng, nb, max_bins, mode, frac, min_class):
    ng, nb = np.array(ng, float), np.array(nb, float)
    assume(ng.sum() >= min_class and nb.sum() >= min_class)
    r = tc.optimal_merge(ng, nb, max_bins=max_bins, monotonic=mode, min_bin_frac=frac, min_class_count=min_class)
    if mode == "auto":
        want = max(_brute_force(ng, nb, max_bins, frac, min_class, "ascending"),
                   _brute_force(ng, nb, max_bins, frac, min_class, "descending"))
    else:
        want = _brute_force(ng, nb, max_bins, frac, min_class, mode)
    assert r.iv == pytest.approx(want, abs=1e-10)
    br = np.asarray(r.breaks)
    assert br[0] == 0 and br[-1] == 6 and (np.diff(br) > 0).all() and len(br) - 1 <= max_bins
    np.testing.assert_allclose(np.asarray(r.n_good), np.add.reduceat(ng, br[:-1]))
    if len(br) > 2:   # merged bins satisfy every constraint
        g, b = np.asarray(r.n_good), np.asarray(r.n_bad)
        assert (g >= min_class).all() and (b >= min_class).all()
        assert ((g + b) >= frac * (ng.sum() + nb.sum()) - 1e-9).all()
