"""Every schedules driver runs with --quick and writes its PNG, CSV and JSON with the headline keys."""

from __future__ import annotations

import pytest

from tests._drivers import run_quick_driver

HEADLINES = {
    "wsd_river_valley": ["final_loss[wsd_1sqrt]", "final_loss[cosine]", "wsd_drop_factor", "max_abs_mc_z"],
    "wsd_decay_sweep": ["best_fraction_toy[1-sqrt]", "min_omega_star[linear]", "real_best_fraction_linear"],
    "wsd_multipower": ["mpl_ref_objective", "annealing_params", "mpl_const_cos_at_bound",
                       "optimal_schedule_pred_23999"],
    "wsd_caution": ["fraction_cosine_better", "caution_final[cosine->0]"],
    "wsds_checkpoints": ["final_loss[wsd]", "final_loss[wsds]", "final_loss[cyclic_cosine]"],
}


@pytest.mark.parametrize("name", sorted(HEADLINES))
def test_driver_quick(name, tmp_path):
    run_quick_driver(name, tmp_path, HEADLINES[name])
