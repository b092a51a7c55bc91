"""Settings shared by the schedules drivers (spec §4): the base valley and the compared schedules."""

from __future__ import annotations

from theory.schedules import RiverValley, constant_schedule, cosine_schedule, wsd_schedule, wsds_schedule

BASE_VALLEY = dict(river_curvature=1e-4, hill_curvature=1.0, river_noise=0.0, hill_noise=0.1)
X0 = 10.0
PEAK = 1.0


def base_valley() -> RiverValley:
    return RiverValley(**BASE_VALLEY)


def main_schedules(total: int) -> dict:
    """The five schedules of the main figure, all at η_max = 1 over ``total`` steps."""
    return {
        "constant": constant_schedule(PEAK, total),
        "cosine->0": cosine_schedule(PEAK, total),
        "WSD 20% 1-sqrt->0": wsd_schedule(PEAK, total, decay_fraction=0.2, decay_shape="1-sqrt"),
        "WSD 20% linear->0": wsd_schedule(PEAK, total, decay_fraction=0.2, decay_shape="linear"),
        "WSD-S 4 cycles 20% 1-sqrt->0": wsds_schedule(PEAK, total, 4, decay_fraction=0.2, decay_shape="1-sqrt",
                                                     min_lr_ratio=0.0),
    }


# short keys for the JSON summaries
KEYS = {"constant": "constant", "cosine->0": "cosine", "WSD 20% 1-sqrt->0": "wsd_1sqrt",
        "WSD 20% linear->0": "wsd_linear", "WSD-S 4 cycles 20% 1-sqrt->0": "wsds"}
