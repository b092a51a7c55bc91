"""Every credit driver runs with --quick and writes its PNG, CSV and JSON with the headline keys."""

import numpy as np
import pandas as pd
import pytest

from tests._drivers import run_quick_driver

HEADLINES = {
    "credit_se_calibration": ["sd_mc_7000_3000", "se_delta_truth_7000_3000", "mean_se_paper_7000_3000",
                              "max_abs_size_error_chi2", "coverage"],
    "credit_german_iv": ["n_features", "n_significant_chi2", "top_iv", "median_se_ratio_delta_over_paper"],
    "credit_psi_power": ["max_abs_analytic_minus_mc", "size_chi2_mc", "psi_critical_value"],
    "credit_fairness_frontier": ["iv_fair_lr", "iv_model_lr", "max_violation_eps_ge_0.2", "air_lr"],
}


@pytest.mark.parametrize("name", sorted(HEADLINES))
def test_driver_quick(name, tmp_path):
    summary = run_quick_driver(name, tmp_path, HEADLINES[name])
    if name == "credit_se_calibration":
        # even 1000 replicates separate the paper's SE (about half) from the Monte Carlo SD
        assert summary["mean_se_paper_7000_3000"] < 0.7 * summary["sd_mc_7000_3000"]
    if name == "credit_german_iv":
        assert summary["n_features"] == 20
    if name == "credit_fairness_frontier":
        _check_frontier(pd.read_csv(tmp_path / f"{name}.csv"), summary)


def _check_frontier(table, summary):
    """The frontier's invariants: ‖β‖ = 1, the sign constraints of β_LR, the violation formula, and budgets
    at or above half the unconstrained IV_fair are met to within 10 %."""
    coef = table[[c for c in table.columns if c.startswith("coef_")]].to_numpy()
    np.testing.assert_allclose(np.linalg.norm(coef, axis=1), 1.0, rtol=1e-9)
    assert (coef * np.sign(np.asarray(summary["coef_lr"]))[None, :] >= -1e-12).all()
    eps, iv_fair = table["epsilon"].to_numpy(), table["iv_fair"].to_numpy()
    np.testing.assert_allclose(table["violation"], np.maximum(0, iv_fair - eps) / eps, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(eps, summary["iv_fair_lr"] * np.array([0.25, 0.5, 0.75, 1.0]), rtol=1e-9)
    assert (iv_fair[1:] <= 1.1 * eps[1:]).all()
    assert table["iv_model"].iloc[-1] >= summary["iv_model_lr"] - 0.05
