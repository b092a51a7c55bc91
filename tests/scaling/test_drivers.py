import pytest

from tests._drivers import run_quick_driver

HEADLINES = {
    "scaling_table1": ["chinchilla_pm16_b0", "asymmetric_pm16_D_err_pct", "max_b_error"],
    "scaling_bias_sweep": ["max_abs_sim_minus_closed_pp", "chinchilla_D_err_pct_at_pm16"],
    "scaling_compounding": ["D_err_1e24_pct", "max_abs_sim_minus_closed_pp"],
    "scaling_conditioning": ["cond_5d", "cond_2d", "varpro_max_rel_error"],
    "scaling_llama3_cost": ["dcl_pct_multistart", "dollars_multistart", "bootstrap_usd_lower"],
    "scaling_methods": ["gm_abs_rel_error", "median_seconds_per_fit"],
}


@pytest.mark.parametrize("name", list(HEADLINES))
def test_driver_quick(name, tmp_path):
    summary = run_quick_driver(name, tmp_path, HEADLINES[name])
    if name == "scaling_table1":
        assert summary["chinchilla_pm16_b0"] == pytest.approx(-0.578092, abs=1e-6)
    if name == "scaling_bias_sweep":
        assert summary["max_abs_sim_minus_closed_pp"] < 1e-6
