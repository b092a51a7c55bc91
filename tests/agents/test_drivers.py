"""Every agents driver runs in --quick mode and writes its PNG, CSV and JSON with the headline keys."""

import pytest

from tests._drivers import run_quick_driver

HEADLINES = {
    "agents_phase_diagram": ["b3", "max_contour_gap", "all_converged"],
    "agents_recursion_mc": ["cases", "max_abs_z", "n_trees"],
    "agents_budget": ["c0", "s0.25", "panel_b"],
    "agents_synergy_region": ["b3", "s_max_b_le_1001"],
    "agents_empirical": ["chen", "trees", "star_cap"],
}


@pytest.mark.parametrize("name", sorted(HEADLINES))
def test_driver_quick(name, tmp_path):
    summary = run_quick_driver(name, tmp_path, HEADLINES[name])
    if name == "agents_phase_diagram":
        assert summary["max_contour_gap"] < 1e-9 and summary["b3"]["eps_b"] == pytest.approx(1 / 6)
    if name == "agents_recursion_mc":
        assert summary["max_abs_z"] < 4
    if name == "agents_synergy_region":
        assert summary["s_max_b_le_1001"] < 0.5
