"""Every moe driver runs with --quick and writes its PNG, CSV and JSON with the headline keys."""

import json

import pytest

from simulations.__main__ import main

HEADLINES = {
    "moe_convergence": ["final_residual_gamma5_undamped", "gamma_rho_instance_exceeds_1"],
    "moe_equilibrium_sweep": ["all_converged", "max_vio_tau1_gamma10"],
    "moe_training_dynamics": ["none_max_vio_last_100", "equilibrium_max_vio_last_100"],
    "moe_price_of_anarchy": ["max_poa", "all_within_4_3"],
    "moe_headlines": ["mean_l1_single_type", "mean_l1_softmax", "mean_l1_multi_type", "gamma_explicit_olmoe"],
}


@pytest.mark.parametrize("name", sorted(HEADLINES))
def test_driver_quick(name, tmp_path):
    assert main(["run", name, "--quick", "--out", str(tmp_path), "--no-progress"]) == 0
    for ext in ("png", "csv", "json"):
        assert (tmp_path / f"{name}.{ext}").stat().st_size > 0
    summary = json.loads((tmp_path / f"{name}.json").read_text())
    assert summary["quick"] is True
    for key in HEADLINES[name]:
        assert key in summary
    if name == "moe_convergence":
        assert summary["final_residual_gamma5_undamped"] > 1e-3  # the undamped γ = 5 update 2-cycles
    if name == "moe_price_of_anarchy":
        assert summary["all_within_4_3"] and summary["all_converged"]
