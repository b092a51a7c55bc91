"""Fan-in, communication cost, synergy and the optimal allocation (spec T8)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import optimize

import theory.agents as ag
from theory.agents import AgentsError

T8 = [((.2, .35, 100), 133.33333, 492.07071, 42.857143, 1.5710712, 3, 1.5394626),
      ((.1, .25, 50), 33.33333, 153.50131, 120.0, 1.8710405, 4, 1.8353735)]


def _ratio(x, budget, beta, s, c0):
    n = budget / (x + c0)
    return n**s * x**beta / budget**beta


@pytest.mark.parametrize(("args", "x_star", "b_th", "n_star", "r_star", "depth", "r_int"), T8)
def test_t8_allocation(args, x_star, b_th, n_star, r_star, depth, r_int):
    beta, s, c0 = args
    alloc = ag.optimal_allocation(1e4, beta, s, c0, b=3)
    assert alloc.x_star == pytest.approx(x_star, rel=1e-6)
    assert alloc.budget_threshold == pytest.approx(b_th, rel=1e-6)
    assert ag.budget_threshold(beta, s, c0) == pytest.approx(b_th, rel=1e-6)
    assert alloc.n_leaves_star == pytest.approx(n_star, rel=1e-6)
    assert alloc.ratio_vs_single == pytest.approx(r_star, rel=1e-6)
    assert alloc.depth_int == depth and alloc.ratio_int == pytest.approx(r_int, rel=1e-6)
    assert alloc.recommendation == "tree" and alloc.synergistic
    assert alloc.leaf_share == pytest.approx(beta / s)
    # an independent optimiser on R(x) finds the same optimum
    res = optimize.minimize_scalar(lambda lx: -_ratio(np.exp(lx), 1e4, beta, s, c0), bounds=(-5, 9),
                                   method="bounded", options={"xatol": 1e-10})
    assert np.exp(res.x) == pytest.approx(x_star, rel=1e-4)
    assert -res.fun == pytest.approx(alloc.ratio_vs_single, rel=1e-9)
    # brute-force integer depth
    ratios = [1.0] + [3 ** (L * s) * (1e4 / 3**L - c0) ** beta / 1e4**beta for L in range(1, 8) if 1e4 / 3**L > c0]
    assert int(np.argmax(ratios)) == depth
    # R*(B_th) = 1 and the recommendation switches there
    at = ag.optimal_allocation(alloc.budget_threshold, beta, s, c0)
    assert at.ratio_vs_single == pytest.approx(1.0, rel=1e-12) and at.depth_int is None
    assert ag.optimal_allocation(0.9 * b_th, beta, s, c0).recommendation == "single"
    assert ag.optimal_allocation(1.1 * b_th, beta, s, c0).recommendation == "tree"


def test_t8_communication_cost():
    assert float(ag.communication_cost_per_leaf(200, 3)) == pytest.approx(600.0, rel=1e-12)
    assert float(ag.communication_cost_per_leaf(200, 3, 5)) == pytest.approx(597.5308642, rel=1e-9)
    # exact cost counts 2m tokens per edge of the depth-5 tree, divided by its leaves
    edges = sum(3**lv for lv in range(1, 6))
    assert float(ag.communication_cost_per_leaf(200, 3, 5)) == pytest.approx(2 * 200 * edges / 3**5, rel=1e-12)


def test_single_agent_when_s_le_beta():
    alloc = ag.optimal_allocation(1e4, 0.3, 0.2, 100, b=3)
    assert (alloc.x_star, alloc.n_leaves_star, alloc.leaf_share, alloc.ratio_vs_single) == (1e4, 1.0, 1.0, 1.0)
    assert alloc.budget_threshold == np.inf and alloc.recommendation == "single" and not alloc.synergistic
    assert alloc.depth_int == 0 and alloc.ratio_int == 1.0
    assert ag.budget_threshold(0.3, 0.3, 100) == np.inf
    assert ag.optimal_allocation(1e4, 0.3, 0.2, 100).depth_star is None


def test_synergy():
    syn = ag.synergy(np.array([0.05, 0.1, 0.2]), 0.8, 0.0, 3)
    np.testing.assert_allclose(syn.s, np.log(1.2) / np.log(3))
    np.testing.assert_array_equal(np.asarray(syn.synergistic), [True, True, False])
    np.testing.assert_allclose(syn.margin, syn.s - syn.beta)
    np.testing.assert_allclose(syn.gamma_threshold, 3.0 ** np.array([0.05, 0.1, 0.2]) / 1.5)
    # at the threshold fidelity s equals beta exactly
    at = ag.synergy(0.1, float(syn.gamma_threshold[1]), 0.0, 3)
    assert float(at.s) == pytest.approx(0.1, abs=1e-12)
    assert float(ag.synergy(0.5, 1.0, 0.0, 3).gamma_threshold) > 1  # unreachable: s_max < 1/2


def test_fan_in():
    assert int(ag.max_fan_in(8192, 512)) == 16
    assert int(ag.max_fan_in(1000, 300)) == 3
    with pytest.raises(AgentsError, match="window"):
        ag.max_fan_in(100, 200)
    with pytest.raises(AgentsError, match="m"):
        ag.max_fan_in(100, 0)


def test_bad_budget_inputs():
    with pytest.raises(AgentsError, match="budget"):
        ag.optimal_allocation(0, 0.2, 0.3, 100)
    with pytest.raises(AgentsError, match="beta"):
        ag.optimal_allocation(1e4, -0.2, 0.3, 100)
    with pytest.raises(AgentsError, match="c0"):
        ag.optimal_allocation(1e4, 0.2, 0.3, 0)
    with pytest.raises(AgentsError, match="s"):
        ag.optimal_allocation(1e4, 0.2, np.nan, 100)
    with pytest.raises(AgentsError, match="s"):
        ag.budget_threshold(0.2, np.inf, 100)
    with pytest.raises(AgentsError, match="beta"):
        ag.synergy(0.0, 0.8, 0.1, 3)
    with pytest.raises(AgentsError, match="m"):
        ag.communication_cost_per_leaf(-1, 3)
    with pytest.raises(AgentsError, match="depth"):
        ag.communication_cost_per_leaf(1, 3, depth=-2)


@given(beta=st.floats(0.01, 0.4), gap=st.floats(0.01, 0.3), c0=st.floats(1.0, 1e3), scale=st.floats(1.1, 1e3))
def test_property_optimum(beta, gap, c0, scale):
    s = beta + gap
    bth = ag.budget_threshold(beta, s, c0)
    budget = bth * scale
    alloc = ag.optimal_allocation(budget, beta, s, c0)
    r = alloc.ratio_vs_single
    assert r > 1.0 and alloc.recommendation == "tree"
    assert r == pytest.approx(_ratio(alloc.x_star, budget, beta, s, c0), rel=1e-9)
    for f in (0.5, 0.9, 1.1, 2.0):  # x* is a maximum
        assert _ratio(f * alloc.x_star, budget, beta, s, c0) <= r * (1 + 1e-12)
