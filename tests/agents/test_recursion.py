"""Bias recursion, clipped predictor and crossover depth (spec T5, T7)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import theory.agents as ag
from theory.agents import AgentsError

T5 = [((3, 6, 0, .8, .05), .14788243), ((3, 6, .3, .8, .05), .07904483), ((3, 6, .5, .8, .3), .28091006),
      ((5, 4, .2, .7, .05), .09974565), ((3, 7, 0, .6, .5), .21384108)]


@pytest.mark.parametrize(("case", "ref"), T5)
def test_t5_recursion(case, ref):
    b, depth, rho, gamma, mu0 = case
    traj = ag.bias_recursion(mu0, gamma, rho, b, depth)
    assert float(traj.mu[-1]) == pytest.approx(ref, abs=1e-8)
    # the scan equals repeated application of the public one-step map
    mu = mu0
    for _ in range(depth):
        mu = float(ag.one_step_map(mu, gamma, rho, b))
    assert float(traj.mu[-1]) == pytest.approx(mu, abs=1e-15)


def test_trajectory_fields_and_shapes():
    traj = ag.bias_recursion(np.array([[0.05, 0.1], [0.2, -0.3]]), 0.8, 0.2, 3, 5)
    assert traj.mu.shape == (6, 2, 2) and traj.small_signal.shape == (6, 2, 2)
    assert traj.alpha.shape == (5,) and traj.levels.shape == (6,)
    np.testing.assert_allclose(traj.alpha, 1.12)
    np.testing.assert_allclose(traj.n_leaves, 3.0 ** np.arange(6))
    np.testing.assert_allclose(traj.small_signal[:, 0, 0], 0.05 * 1.12 ** np.arange(6))
    np.testing.assert_allclose(traj.accuracy, (1 + np.asarray(traj.mu)) / 2)
    np.testing.assert_array_equal(np.asarray(traj.mu[0]), [[0.05, 0.1], [0.2, -0.3]])
    # odd map: a negative start mirrors a positive one
    np.testing.assert_allclose(traj.mu[:, 1, 1], -np.asarray(ag.bias_recursion(0.3, 0.8, 0.2, 3, 5).mu))
    empty = ag.bias_recursion(0.1, 0.8, 0.2, 3, 0)
    assert empty.mu.shape == (1,) and empty.alpha.shape == (0,)
    assert ag.bias_recursion(np.float32(0.1), np.float32(0.8), 0.2, 3, 2).mu.dtype == np.float64


def test_depth_varying_parameters():
    gammas = np.array([0.9, 0.7, 0.8])
    rhos = np.array([0.0, 0.3, 0.1])
    traj = ag.bias_recursion(0.1, gammas, rhos, 5, 3)
    mu = 0.1
    for g, r in zip(gammas, rhos, strict=True):
        mu = float(ag.one_step_map(mu, g, r, 5))
    assert float(traj.mu[-1]) == pytest.approx(mu, abs=1e-15)
    np.testing.assert_allclose(traj.alpha, ag.amplification_factor(gammas, rhos, 5))
    with pytest.raises(AgentsError, match="gamma"):
        ag.bias_recursion(0.1, gammas, 0.1, 5, 4)
    with pytest.raises(AgentsError, match="rho"):
        ag.bias_recursion(0.1, 0.8, np.array([0.1, 0.2]), 5, 3)


def test_bad_recursion_inputs():
    with pytest.raises(AgentsError, match="depth"):
        ag.bias_recursion(0.1, 0.8, 0.1, 3, -1)
    with pytest.raises(AgentsError, match="depth"):
        ag.bias_recursion(0.1, 0.8, 0.1, 3, 10_001)
    with pytest.raises(AgentsError, match="depth"):
        ag.bias_recursion(0.1, 0.8, 0.1, 3, 2.5)
    with pytest.raises(AgentsError, match="mu0"):
        ag.bias_recursion(1.1, 0.8, 0.1, 3, 2)
    with pytest.raises(AgentsError, match="n_leaves"):
        ag.clipped_predictor(0.5, 0.1, 0.8, 0.0, 3)
    with pytest.raises(AgentsError, match="mu0"):
        ag.clipped_predictor(9, -0.1, 0.8, 0.0, 3)
    with pytest.raises(AgentsError, match="mu0"):
        ag.crossover_depth(-0.1, 0.8, 0.0, 3)


def test_t7_predictor():
    mu0, gamma, rho, b = 0.02, 0.8, 0.0, 3
    assert float(ag.crossover_depth(mu0, gamma, rho, b)) == pytest.approx(20.7797, abs=1e-4)
    levels = np.arange(61)
    traj = ag.bias_recursion(mu0, gamma, rho, b, 60)
    pred = np.asarray(ag.clipped_predictor(3.0**levels, mu0, gamma, rho, b))
    gap = (pred - np.asarray(traj.mu)) / 2  # accuracy gap
    assert int(np.argmax(gap)) == 21
    assert gap.max() == pytest.approx(0.10723, abs=1e-4)
    assert gap[:9].max() <= 1.5e-4


@pytest.mark.parametrize(("gamma", "rho", "mu0"), [(0.8, 0.0, 0.02), (0.8, 0.0, 0.99), (0.6, 0.0, 0.5),
                                                   (0.8, 0.5, 0.3), (0.9, 0.2, 0.95), (1.0, 0.3, 0.2)])
def test_t7_bound_every_regime(gamma, rho, mu0):
    levels = np.arange(61)
    traj = ag.bias_recursion(mu0, gamma, rho, 3, 60)
    pred = np.asarray(ag.clipped_predictor(3.0**levels, mu0, gamma, rho, 3))
    assert np.all(pred >= np.asarray(traj.mu) - 1e-12)


@given(gamma=st.floats(0.3, 1.0), rho=st.floats(0.0, 0.9), mu0=st.floats(0.0, 1.0),
       b=st.sampled_from([3, 5, 9]))
def test_property_predictor_is_upper_bound(gamma, rho, mu0, b):
    traj = ag.bias_recursion(mu0, gamma, rho, b, 30)
    pred = np.asarray(ag.clipped_predictor(float(b) ** np.arange(31), mu0, gamma, rho, b))
    assert np.all(pred >= np.asarray(traj.mu) - 1e-12)
    assert np.all(np.asarray(traj.small_signal) >= np.asarray(traj.mu) - 1e-12)


def test_crossover_depth_cases():
    assert float(ag.crossover_depth(0.0, 0.8, 0.0, 3)) == np.inf
    assert float(ag.crossover_depth(0.1, 0.6, 0.0, 3)) == np.inf  # subcritical
    assert float(ag.crossover_depth(0.95, 0.8, 0.0, 3)) == 0.0  # above mu*
    out = ag.crossover_depth(np.array([0.01, 0.02]), 0.8, 0.0, 3)
    assert out.shape == (2,) and out[0] > out[1]
