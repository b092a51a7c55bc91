"""Binning: quantile edges, tables, optimal binning, WoE transform and the permutation test."""

import jax
import numpy as np
import pandas as pd
import pytest

import theory.credit as tc
from theory.datasets import load


def _data(n=2000, seed=0):
    key1, key2 = jax.random.split(jax.random.PRNGKey(seed))
    x = np.asarray(jax.random.normal(key1, (n,)))
    y = (np.asarray(jax.random.uniform(key2, (n,))) < 1 / (1 + np.exp(1.5 - 0.8 * x))).astype(int)
    return x, y


def test_quantile_edges_definition():
    x = np.arange(1.0, 11.0)
    e = np.asarray(tc.quantile_edges(x, 4))
    np.testing.assert_allclose(e, np.quantile(x, [0.25, 0.5, 0.75]))
    # ties: edges equal to min(x) are removed, duplicates merged
    x2 = np.array([0, 0, 0, 0, 0, 0, 1, 2, 3, 4.0])
    e2 = np.asarray(tc.quantile_edges(x2, 5))
    assert e2.min() > 0 and len(np.unique(e2)) == len(e2)
    codes = np.searchsorted(e2, x2, side="right")
    assert np.bincount(codes).min() > 0


def test_binning_table_numerical_and_frame():
    x, y = _data()
    t = tc.binning_table(x, y, edges=[-1.0, 0.0, 1.0])
    assert t.labels[0].startswith("(-inf") and len(t.labels) == 4
    iv = tc.information_value(np.asarray(t.n_good), np.asarray(t.n_bad))
    assert t.iv == pytest.approx(iv.iv, rel=1e-12)
    assert t.iv_se == pytest.approx(tc.iv_standard_error(np.asarray(t.n_good), np.asarray(t.n_bad)), rel=1e-12)
    assert t.test.dof == 3 and t.test.p_value < 1e-6
    df = t.to_frame()
    assert list(df.columns) == ["Bin", "Count", "Count (%)", "Non-event", "Event", "Event rate", "WoE", "WoE SE",
                                "IV", "JS"]
    assert df.loc["Totals", "Count"] == 2000 and df.loc["Totals", "IV"] == pytest.approx(t.iv)
    assert t.js == pytest.approx(tc.divergence(np.asarray(t.n_good), np.asarray(t.n_bad), "js"), rel=1e-10)
    # WoE = ln(g/b): the bin with the highest event rate has the most negative WoE (optbinning's sign)
    assert int(np.argmax(t.event_rate)) == int(np.argmin(t.woe))


def test_binning_table_categorical_groups():
    x = np.array(["a", "b", "c", "a", "b", "c", "a", "c"] * 20)
    y = np.array([0, 1, 1, 0, 0, 1, 1, 0] * 20)
    t = tc.binning_table(x, y, categories=[["a"], ["b", "c"]])
    assert t.dtype == "categorical" and t.labels == ("a", "b, c")
    assert float(np.sum(t.count)) == 160
    w = tc.woe_transform(t, np.array(["c", "a"]))
    np.testing.assert_allclose(np.asarray(w), np.asarray(t.woe)[[1, 0]])
    with pytest.raises(tc.CreditInputError, match="'d'"):
        tc.woe_transform(t, np.array(["d"]))


def test_optimal_binning_is_monotone_and_matches_merge():
    x, y = _data(3000, seed=1)
    t = tc.optimal_binning(x, y, max_bins=5)
    rate = np.asarray(t.event_rate)
    assert t.monotonic in ("ascending", "descending")
    assert (np.diff(rate) >= 0).all() if t.monotonic == "ascending" else (np.diff(rate) <= 0).all()
    assert len(t.labels) <= 5 and (np.asarray(t.count) >= 0.05 * 3000).all()
    # the table's IV is the DP optimum over merges of the same 20 prebins
    e = np.asarray(tc.quantile_edges(x, 20))
    codes = np.searchsorted(e, x, side="right")
    ng, nb = np.bincount(codes[y == 0], minlength=20), np.bincount(codes[y == 1], minlength=20)
    assert t.iv == pytest.approx(tc.optimal_merge(ng, nb).iv, rel=1e-12)
    w = np.asarray(tc.woe_transform(t, x))
    np.testing.assert_allclose(np.unique(w), np.unique(np.asarray(t.woe)))
    assert w.dtype == np.float64


def test_optimal_binning_missing_bin():
    x, y = _data(1000, seed=2)
    x = x.copy()
    x[:50] = np.nan
    with pytest.raises(tc.CreditInputError, match="missing"):
        tc.optimal_binning(x, y)
    t = tc.optimal_binning(x, y, missing="separate")
    assert t.labels[-1] == "Missing" and float(t.count[-1]) == 50
    w = np.asarray(tc.woe_transform(t, np.array([np.nan, 0.0])))
    assert w[0] == pytest.approx(float(t.woe[-1]))


def test_optimal_binning_categorical_german_credit():
    df = load("german_credit")
    y = (df["creditability"] == "bad").astype(int).to_numpy()
    t = tc.optimal_binning(df["purpose"].to_numpy(), y, dtype="categorical", max_bins=4)
    assert t.dtype == "categorical" and 1 < len(t.labels) <= 4
    assert sum(len(g) for g in t.categories) == df["purpose"].nunique()
    assert (np.diff(np.asarray(t.event_rate)) >= 0).all()   # prebins ordered by bad rate, so ascending wins


def test_permutation_test_signal_null_and_remerge():
    # one shape throughout (n = 400, 10 prebins, 4 bins) so the permutation kernel compiles once
    x, y = _data(400, seed=3)
    res = tc.permutation_iv_test(x, y, key=jax.random.PRNGKey(0), n_perm=99, n_prebins=10, max_bins=4)
    assert res.p_value == pytest.approx(1 / 100)   # strong signal: no permutation reaches the observed IV
    assert res.null_ivs.shape == (99,)
    noise = np.asarray(jax.random.permutation(jax.random.PRNGKey(5), y))
    null = tc.permutation_iv_test(x, noise, key=jax.random.PRNGKey(1), n_perm=99, n_prebins=10, max_bins=4)
    assert 0.01 < null.p_value <= 1.0
    t = tc.optimal_binning(x, noise, n_prebins=10, max_bins=4)
    assert null.iv == pytest.approx(t.iv, rel=1e-12)
    # the naive p-value is the chi-square p of the chosen bins
    assert null.p_value_naive == pytest.approx(t.test.p_value, rel=1e-12)
    # each null IV is the optimum of a full re-binning of the permuted labels
    keys = jax.random.split(jax.random.PRNGKey(1), 99)
    for i in range(4):
        yp = np.asarray(jax.random.permutation(keys[i], noise.astype(float))).astype(int)
        want = tc.optimal_binning(x, yp, n_prebins=10, max_bins=4).iv
        assert float(null.null_ivs[i]) == pytest.approx(want, rel=1e-10, abs=1e-12)


def test_to_frame_is_dataframe():
    x, y = _data(500)
    assert isinstance(tc.optimal_binning(x, y).to_frame(), pd.DataFrame)
