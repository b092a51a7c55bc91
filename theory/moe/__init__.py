"""Mixture-of-experts routing as a congestion game (Mouzouni 2026, arXiv:2604.04230; spec ``moe``).

Tokens are players and experts congestible resources; the router softmax is the entropy-regularised (logit)
equilibrium. This module computes equilibria and prices (expert biases) with a batched Newton solver on the
convex dual, reads softmax temperature as congestion, estimates γ from loads, checks when bias updates
oscillate, prices the efficiency loss, and simulates aux-loss vs loss-free vs equilibrium balancing.
Only the paper's abstract was available: the equations are reconstructions tagged in each docstring.
"""

from theory.moe._calibrate import calibrate_bias
from theory.moe._dynamics import (
    iterate_fixed_point,
    oscillation_factor,
    softmax_equilibrium,
    uniform_oscillation_factor,
)
from theory.moe._equilibrium import (
    dual_objective,
    equilibrium_loads,
    potential,
    route_policy,
    solve_equilibrium,
    solve_equilibrium_batch,
)
from theory.moe._errors import MoEInputError
from theory.moe._gamma import bootstrap_gamma, estimate_gamma, gamma_explicit
from theory.moe._results import (
    AnarchyResult,
    Calibration,
    Equilibrium,
    FixedPointTrace,
    GammaFit,
    GammaInterval,
    LoadMetrics,
    Routing,
    TokenTypes,
    TrainingTrace,
    WardropResult,
)
from theory.moe._routing import l1_load_error, load_metrics, topk_route
from theory.moe._training import simulate_training
from theory.moe._types import token_types
from theory.moe._welfare import parallel_links, price_of_anarchy, social_cost

__all__ = [
    "AnarchyResult", "Calibration", "Equilibrium", "FixedPointTrace", "GammaFit", "GammaInterval", "LoadMetrics",
    "MoEInputError", "Routing", "TokenTypes", "TrainingTrace", "WardropResult", "bootstrap_gamma",
    "calibrate_bias", "dual_objective", "equilibrium_loads", "estimate_gamma", "gamma_explicit",
    "iterate_fixed_point", "l1_load_error", "load_metrics", "oscillation_factor", "parallel_links", "potential",
    "price_of_anarchy", "route_policy", "simulate_training", "social_cost", "softmax_equilibrium",
    "solve_equilibrium", "solve_equilibrium_batch", "token_types", "topk_route", "uniform_oscillation_factor",
]
