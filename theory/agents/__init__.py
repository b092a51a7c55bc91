"""Phase transitions in budgeted multi-agent majority-vote trees.

Liu, Kong, Pei, *Phase Transition for Budgeted Multi-Agent Synergy* (arXiv:2601.17311, 2026). The paper's
body was unavailable; every docstring tags its equation [paper] (quoted from the v1 HTML by third-party
notes), [recon] (our reconstruction, checked by Monte Carlo with :func:`simulate_tree`) or [classical].

On a b-ary majority tree with message fidelity gamma and shared-error correlation rho, the bias obeys
``mu_{l+1} = rho gamma mu_l + (1-rho) f_b(gamma mu_l)`` and one number decides the phase:
``alpha_rho = gamma [rho + (1-rho) g_b]`` (> 1 amplifies weak signals to a fixed point mu* < 1, <= 1
collapses them to chance). ``s = log_b alpha_rho`` is the tree's scaling exponent; it beats one agent with
leaf scaling exponent beta on the same budget iff s > beta.

>>> import theory.agents as ag
>>> ag.fixed_point(0.8, 0.2, 3).mu_star          # doctest: +ELLIPSIS
0.76546554...
"""

from theory.agents._budget import (
    Allocation,
    Synergy,
    budget_threshold,
    communication_cost_per_leaf,
    max_fan_in,
    optimal_allocation,
    synergy,
)
from theory.agents._continuous import chain_risk, mixing_depth, star_risk, tree_variance, variance_floor
from theory.agents._errors import AgentsError
from theory.agents._majority import (
    accuracy_to_bias,
    bias_to_accuracy,
    kesten_stigum_fidelity,
    majority_bias,
    majority_bias_slope,
    majority_gain,
)
from theory.agents._phase import (
    FixedPoint,
    PhaseGrid,
    amplification_factor,
    correlated_majority_bias,
    critical_correlation,
    critical_fidelity,
    fixed_point,
    noise_threshold,
    one_step_map,
    organization_exponent,
    phase_grid,
)
from theory.agents._recursion import Trajectory, bias_recursion, clipped_predictor, crossover_depth
from theory.agents._simulate import TreeSimulation, simulate_tree
from theory.agents._voting import (
    VotePeak,
    condorcet_accuracy,
    correlated_jury_accuracy,
    dependence_gain,
    optimal_num_calls,
    vote_accuracy,
)

__all__ = [
    "AgentsError",
    "bias_to_accuracy", "accuracy_to_bias", "majority_bias", "majority_bias_slope", "majority_gain",
    "kesten_stigum_fidelity",
    "correlated_majority_bias", "one_step_map", "amplification_factor", "organization_exponent",
    "critical_fidelity", "noise_threshold", "critical_correlation", "fixed_point", "FixedPoint",
    "phase_grid", "PhaseGrid", "bias_recursion", "Trajectory", "clipped_predictor", "crossover_depth",
    "communication_cost_per_leaf", "max_fan_in", "synergy", "Synergy", "optimal_allocation", "Allocation",
    "budget_threshold",
    "variance_floor", "tree_variance", "mixing_depth", "star_risk", "chain_risk",
    "simulate_tree", "TreeSimulation",
    "condorcet_accuracy", "correlated_jury_accuracy", "dependence_gain", "vote_accuracy", "optimal_num_calls",
    "VotePeak",
]
