"""Every bad input of spec §3 raises CreditInputError (or ZeroCellError) naming the argument and value."""

import jax
import numpy as np
import pytest

import theory
import theory.credit as tc

E = tc.CreditInputError


def test_error_hierarchy():
    assert issubclass(tc.ZeroCellError, E) and issubclass(E, theory.TheoryError) and issubclass(E, ValueError)


@pytest.mark.parametrize("g, b, match", [
    ([], [], "n_good"),
    ([1, 2], [1, 2, 3], "same length"),
    ([1, np.nan], [1, 2], "n_good must be finite"),
    ([1, 2], [1, np.inf], "n_bad must be finite"),
    ([1, -2], [1, 2], "n_good must be >= 0"),
    ([0, 0], [1, 2], "n_good must have a positive total"),
    ([[1, 2]], [[1, 2]], "1-dimensional"),
])
def test_bad_counts(g, b, match):
    for fn in (tc.information_value, tc.woe, tc.iv_standard_error, tc.iv_test):
        with pytest.raises(E, match=match):
            fn(g, b)


def test_bad_options_and_parameters():
    g, b = [10, 20, 30], [30, 20, 10]
    with pytest.raises(E, match="zero"):
        tc.information_value(g, b, zero="ignore")
    with pytest.raises(E, match="pseudocount"):
        tc.information_value(g, b, zero="laplace", pseudocount=0)
    with pytest.raises(E, match="method"):
        tc.iv_standard_error(g, b, method="jackknife")
    with pytest.raises(E, match="method"):
        tc.iv_confidence_interval(g, b, method="wald")
    with pytest.raises(E, match="kind"):
        tc.divergence(g, b, "renyi")
    with pytest.raises(E, match="kind"):
        tc.divergence_test(g, b, kind="tv")
    for alpha in (0, 1, 1.5, np.nan):
        with pytest.raises(E, match="alpha"):
            tc.iv_test(g, b, alpha=alpha)
    with pytest.raises(E, match="level"):
        tc.iv_confidence_interval(g, b, level=1.0)
    with pytest.raises(E, match="level"):
        tc.iv_summary(np.ones((1, 3, 2)), level=0)


def test_bootstrap_arguments():
    g, b = [10, 20, 30], [30, 20, 10]
    with pytest.raises(E, match="key"):
        tc.iv_standard_error(g, b, method="bootstrap")
    with pytest.raises(E, match="n_boot"):
        tc.iv_confidence_interval(g, b, method="bootstrap", n_boot=99, key=jax.random.PRNGKey(0))


def test_too_few_bins_for_tests_and_intervals():
    with pytest.raises(E, match="2 non-empty bins"):
        tc.iv_test([5, 0], [3, 0])
    with pytest.raises(E, match="2 non-empty bins"):
        tc.iv_confidence_interval([5], [3])
    with pytest.raises(E, match="fewer than 2"):
        tc.iv_summary(np.array([[[5, 3], [0, 0]]]))
    with pytest.raises(E, match="n_bins"):
        tc.psi_critical_value(100, 100, 1)


def test_zero_cells():
    with pytest.raises(tc.ZeroCellError, match=r"bins \[0\]"):
        tc.woe([0, 5], [3, 4])
    with pytest.raises(tc.ZeroCellError):
        tc.divergence([0.5, 0.5, 0.0], [0.4, 0.4, 0.2], "jeffreys")
    with pytest.raises(tc.ZeroCellError):
        tc.divergence([0.5, 0.5, 0.0], [0.4, 0.4, 0.2], "kl")
    assert np.isfinite(tc.divergence([0.5, 0.5, 0.0], [0.4, 0.4, 0.2], "js"))
    with pytest.raises(tc.ZeroCellError, match=r"\(0, 1\)"):
        tc.iv_summary(np.array([[[5, 3], [0, 2], [4, 4]]]))
    with pytest.raises(tc.ZeroCellError):
        tc.paper_z_test([0, 5], [3, 4])


def test_shares_and_binary_vectors():
    with pytest.raises(E, match="p must be >= 0"):
        tc.divergence([-0.1, 1.1], [0.5, 0.5])
    with pytest.raises(E, match="sum to 0"):
        tc.divergence([0, 0], [0.5, 0.5])
    with pytest.raises(E, match="y must be 0 or 1"):
        tc.bin_counts([0, 1, 2], [0, 1, 2], 3)
    with pytest.raises(E, match="both classes"):
        tc.bin_counts([0, 1, 2], [1, 1, 1], 3)
    with pytest.raises(E, match=r"codes must lie in \[0, 3\)"):
        tc.bin_counts([0, 1, 3], [0, 1, 0], 3)
    with pytest.raises(E, match="a must be 0 or 1"):
        tc.adverse_impact_ratio([1, 0, 1], [0, 1, 2])
    with pytest.raises(E, match="both classes"):
        tc.score_bin_iv([0.1, 0.2, 0.3], [0, 1, 0], [1, 1, 1])
    with pytest.raises(E, match="y must be 0 or 1"):
        tc.optimal_binning([0.1, 0.2, 0.3], [0, 1, 5])


def test_merge_and_binning_arguments():
    g, b = [10, 20, 30], [30, 20, 10]
    with pytest.raises(E, match="max_bins"):
        tc.optimal_merge(g, b, max_bins=0)
    with pytest.raises(E, match="min_bin_frac"):
        tc.optimal_merge(g, b, min_bin_frac=1.0)
    with pytest.raises(E, match="min_class_count"):
        tc.optimal_merge(g, b, min_class_count=0)
    with pytest.raises(E, match="monotonic"):
        tc.optimal_merge(g, b, monotonic="peak")
    with pytest.raises(E, match="100 prebins"):
        tc.optimal_merge(np.ones(101), np.ones(101))
    x = np.linspace(0, 1, 40)
    y = np.tile([0, 1], 20)
    with pytest.raises(E, match="dtype"):
        tc.optimal_binning(x, y, dtype="ordinal")
    with pytest.raises(E, match="missing"):
        tc.optimal_binning(x, y, missing="impute")
    with pytest.raises(E, match="n_prebins"):
        tc.optimal_binning(x, y, n_prebins=1)
    with pytest.raises(E, match="n_bins"):
        tc.quantile_edges(x, 0)
    with pytest.raises(E, match="edges"):
        tc.binning_table(x, y, edges=[0.5, 0.2])
    with pytest.raises(E, match="key"):
        tc.permutation_iv_test(x, y, key=None)
    with pytest.raises(E, match="n_perm"):
        tc.permutation_iv_test(x, y, key=jax.random.PRNGKey(0), n_perm=0)
    with pytest.raises(E, match="table"):
        tc.woe_transform("not a table", x)


def test_fairness_arguments():
    with pytest.raises(E, match="epsilon"):
        tc.iv_exceedance(0.1, 0.01, 0.0)
    with pytest.raises(E, match="se"):
        tc.iv_exceedance(0.1, -0.01, 0.2)
    with pytest.raises(E, match="iv_perf"):
        tc.tradeoff_ratio(np.nan, 0.1, 0.1, 0.1)
    X = np.c_[np.linspace(0, 1, 40), np.ones(40)]
    y, a = np.tile([0, 1], 20), np.tile([0, 0, 1, 1], 10)
    with pytest.raises(E, match="constant"):
        tc.fairness_frontier(X, y, a)
    with pytest.raises(E, match="approval_rate"):
        tc.fairness_frontier(X[:, :1], y, a, approval_rate=1.0)
    with pytest.raises(E, match="epsilons"):
        tc.fairness_frontier(X[:, :1], y, a, epsilons=[0.1, -0.1])
    with pytest.raises(E, match="n"):
        tc.simulate_credit(jax.random.PRNGKey(0), n=5)
    with pytest.raises(E, match="default_rate"):
        tc.simulate_credit(jax.random.PRNGKey(0), default_rate=1.2)
