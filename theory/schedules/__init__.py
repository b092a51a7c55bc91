"""Warmup-stable-decay learning-rate schedules on a river-valley loss landscape.

Wen, Li, Wang, Hall, Liang, Ma, *Understanding Warmup-Stable-Decay Learning Rates: A River Valley Loss Landscape
Perspective* (arXiv:2410.05192, ICLR 2025). The river-valley model is a reconstruction (see the paper note).

* Schedules (constant, linear, cosine, WSD, WSD-S, from an array) that work unchanged as optax learning rates.
* Exact moments and Monte Carlo of SGD on the river valley; equal-compute and multi-checkpoint comparisons.
* The convex last-iterate bound of Schaipp et al. 2025, and the multi-power and annealing loss-curve laws with
  fits that flag non-identified parameters.
"""

from theory.schedules._bound import ConvexBound, convex_bound
from theory.schedules._compare import CheckpointResult, ScheduleComparison, compare_schedules, multi_checkpoint
from theory.schedules._errors import ScheduleError
from theory.schedules._fit import CurveError, LawFit, fit_annealing, fit_multipower, prediction_errors
from theory.schedules._laws import (
    MULTIPOWER_PUBLISHED,
    AnnealingParams,
    LossCurve,
    MultiPowerParams,
    annealing_areas,
    annealing_predict,
    multipower_curves,
    multipower_predict,
)
from theory.schedules._schedules import (
    Schedule,
    constant_schedule,
    cosine_schedule,
    decay_multiplier,
    linear_schedule,
    schedule_from_array,
    wsd_schedule,
    wsds_schedule,
)
from theory.schedules._sgd import SGDSimulation, simulate_sgd
from theory.schedules._valley import (
    RiverValley,
    ValleyMoments,
    constant_lr_moments,
    optimal_hill_schedule,
    stationary_hill_loss,
    valley_moments,
)

__all__ = [
    "MULTIPOWER_PUBLISHED",
    "AnnealingParams",
    "CheckpointResult",
    "ConvexBound",
    "CurveError",
    "LawFit",
    "LossCurve",
    "MultiPowerParams",
    "RiverValley",
    "SGDSimulation",
    "Schedule",
    "ScheduleComparison",
    "ScheduleError",
    "ValleyMoments",
    "annealing_areas",
    "annealing_predict",
    "compare_schedules",
    "constant_lr_moments",
    "constant_schedule",
    "convex_bound",
    "cosine_schedule",
    "decay_multiplier",
    "fit_annealing",
    "fit_multipower",
    "linear_schedule",
    "multi_checkpoint",
    "multipower_curves",
    "multipower_predict",
    "optimal_hill_schedule",
    "prediction_errors",
    "schedule_from_array",
    "simulate_sgd",
    "stationary_hill_loss",
    "valley_moments",
    "wsd_schedule",
    "wsds_schedule",
]
