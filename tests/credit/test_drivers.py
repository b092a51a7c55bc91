"""Every credit driver runs with --quick and writes its PNG, CSV and JSON with the headline keys."""

import json

import pytest

from simulations.__main__ import main

HEADLINES = {
    "credit_se_calibration": ["sd_mc_7000_3000", "se_delta_truth_7000_3000", "mean_se_paper_7000_3000",
                              "max_abs_size_error_chi2", "coverage"],
    "credit_german_iv": ["n_features", "n_significant_chi2", "top_iv", "median_se_ratio_delta_over_paper"],
    "credit_psi_power": ["max_abs_analytic_minus_mc", "size_chi2_mc", "psi_critical_value"],
    "credit_fairness_frontier": ["iv_fair_lr", "iv_model_lr", "max_violation_eps_ge_0.2", "air_lr"],
}


@pytest.mark.parametrize("name", sorted(HEADLINES))
def test_driver_quick(name, tmp_path):
    assert main(["run", name, "--quick", "--out", str(tmp_path), "--no-progress"]) == 0
    for ext in ("png", "csv", "json"):
        assert (tmp_path / f"{name}.{ext}").is_file()
    summary = json.loads((tmp_path / f"{name}.json").read_text())
    assert summary["quick"] is True
    for key in HEADLINES[name]:
        assert key in summary
    if name == "credit_se_calibration":
        # even 1000 replicates separate the paper's SE (about half) from the Monte Carlo SD
        assert summary["mean_se_paper_7000_3000"] < 0.7 * summary["sd_mc_7000_3000"]
    if name == "credit_german_iv":
        assert summary["n_features"] == 20
