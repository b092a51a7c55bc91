"""Every schedules driver runs with --quick and writes its PNG, CSV and JSON with the headline keys."""

from __future__ import annotations

import json

import pytest

from simulations.__main__ import main

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
    assert main(["run", name, "--quick", "--out", str(tmp_path), "--no-progress"]) == 0
    for ext in ("png", "csv", "json"):
        assert (tmp_path / f"{name}.{ext}").stat().st_size > 0
    summary = json.loads((tmp_path / f"{name}.json").read_text())
    assert summary["quick"] is True
    for key in HEADLINES[name]:
        assert key in summary, key
