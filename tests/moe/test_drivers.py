"""Every moe driver runs with --quick and writes its PNG, CSV and JSON with the headline keys."""

import pytest

from tests._drivers import run_quick_driver

HEADLINES = {
    "moe_convergence": ["final_residual_gamma5_undamped", "gamma_rho_instance_exceeds_1"],
    "moe_equilibrium_sweep": ["all_converged", "max_vio_tau1_gamma10"],
    "moe_training_dynamics": ["none_max_vio_last_100", "equilibrium_max_vio_last_100"],
    "moe_price_of_anarchy": ["max_poa", "all_within_4_3"],
    "moe_headlines": ["mean_l1_single_type", "mean_l1_softmax", "mean_l1_multi_type", "gamma_explicit_olmoe"],
}


@pytest.mark.parametrize("name", sorted(HEADLINES))
def test_driver_quick(name, tmp_path):
    summary = run_quick_driver(name, tmp_path, HEADLINES[name])
    if name == "moe_convergence":
        assert summary["final_residual_gamma5_undamped"] > 1e-3  # the undamped γ = 5 update 2-cycles
    if name == "moe_price_of_anarchy":
        assert summary["all_within_4_3"] and summary["all_converged"]
