"""Amplification factor, thresholds, fixed points and phase grids (spec T3, T4, T12)."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import optimize, special

import theory.agents as ag
from theory.agents import AgentsError


def _F_scipy(mu, gamma, rho, b):
    """Independent F(mu) from the binomial tail written as a regularised incomplete beta (scipy)."""
    k = (b - 1) // 2
    x = gamma * mu
    fb = np.sign(x) * special.betainc(0.5, k + 1, x * x)
    return rho * x + (1 - rho) * fb


def _brentq_fixed_point(gamma, rho, b):
    lo = 1e-9
    if _F_scipy(lo, gamma, rho, b) - lo <= 0:
        return 0.0
    if gamma == 1.0:
        return 1.0
    return optimize.brentq(lambda m: _F_scipy(m, gamma, rho, b) - m, lo, 1.0, xtol=1e-15, rtol=1e-15)


@pytest.mark.parametrize(("b", "rho", "gc"), [(3, 0, 2 / 3), (3, .1, .6896551724), (3, .2, .7142857143),
                                             (3, .3, .7407407407), (3, .5, .8), (3, .8, .9090909091),
                                             (5, .2, .5882352941), (5, .5, .6956521739),
                                             (7, .2, .5128205128), (7, .5, .6274509804)])
def test_t3_critical_fidelity(b, rho, gc):
    assert float(ag.critical_fidelity(rho, b)) == pytest.approx(gc, abs=1e-9)
    assert float(ag.amplification_factor(gc, rho, b)) == pytest.approx(1.0, abs=1e-9)


def test_t3_thresholds():
    assert float(ag.noise_threshold(0, 3)) == pytest.approx(1 / 6, abs=1e-12)
    assert float(ag.critical_correlation(0.8, 3)) == pytest.approx(0.5, abs=1e-12)
    assert float(ag.critical_correlation(0.6, 3)) == 0.0
    assert float(ag.kesten_stigum_fidelity(3)) == pytest.approx(0.5773502692, abs=1e-9)
    # Evans-Schulman eps_b = 1/2 - 2^(b-2) / (b C(b-1, k)) at rho = 0
    for b in (3, 5, 7, 21):
        k = (b - 1) // 2
        eps = 0.5 - 2 ** (b - 2) / (b * special.comb(b - 1, k, exact=True))
        assert float(ag.noise_threshold(0.0, b)) == pytest.approx(eps, abs=1e-12)
    # rho_c inverts gamma_c
    for rho in (0.1, 0.4, 0.7):
        assert float(ag.critical_correlation(ag.critical_fidelity(rho, 5), 5)) == pytest.approx(rho, abs=1e-12)


T4 = [((3, 0, .8), 1.2, .165956, .8838834765, .6, "amplifying"),
      ((3, .2, .8), 1.12, .103156, .7654655446, .76, "amplifying"),
      ((3, .5, .8), 1.0, 0.0, 0.0, 1.0, "critical"),
      ((5, .2, .6), 1.02, .012304, .3058390318, .960408, "amplifying"),
      ((5, .5, .7), 1.00625, .003871, .1711156027, .987554, "amplifying"),
      ((5, .5, .8), 1.15, .086839, .7216878365, .733333, "amplifying"),
      ((7, .2, .6), 1.17, .080684, .7083656622, .697579, "amplifying"),
      ((7, .5, .6), .95625, -.022990, 0.0, .95625, "subcritical"),
      ((7, .5, .7), 1.115625, .056228, .5839852601, .792365, "amplifying")]


@pytest.mark.parametrize(("case", "alpha", "s", "mu", "lam", "regime"), T4)
def test_t4_fixed_point(case, alpha, s, mu, lam, regime):
    b, rho, gamma = case
    fp = ag.fixed_point(gamma, rho, b)
    assert fp.alpha == pytest.approx(alpha, abs=1e-6)
    assert fp.s == pytest.approx(s, abs=1e-6)
    assert fp.mu_star == pytest.approx(mu, abs=1e-9)
    assert fp.slope == pytest.approx(lam, abs=1e-6)
    assert fp.regime == regime and fp.converged
    assert fp.accuracy_star == pytest.approx((1 + mu) / 2, abs=1e-9)
    # independent solver on the same equation
    assert fp.mu_star == pytest.approx(_brentq_fixed_point(gamma, rho, b), abs=1e-12)


def test_fixed_point_edges():
    fp = ag.fixed_point(1.0, 0.3, 5)
    assert fp.mu_star == 1.0 and fp.regime == "amplifying" and fp.slope == pytest.approx(0.3)
    gamma = float(ag.critical_fidelity(0.2, 3)) * (1 + 1e-9)
    near = ag.fixed_point(gamma, 0.2, 3)
    assert near.regime == "amplifying" and near.converged and 0 < near.mu_star < 1e-3
    assert abs(float(ag.one_step_map(near.mu_star, gamma, 0.2, 3)) - near.mu_star) < 1e-15
    # b = 3 has the closed form mu*^2 = 2(alpha - 1) / ((1 - rho) gamma^3). At alpha - 1 = 1e-9 the root is
    # ill-conditioned: one ulp of F (2e-16 mu* = 2e-20) moves it by 2e-20 / (1 - lambda*) = 1e-11.
    g, r = Fraction(gamma), Fraction(0.2)  # exact rational arithmetic on the float inputs
    exact = np.sqrt(float(2 * (g * (r + Fraction(3, 2) * (1 - r)) - 1) / ((1 - r) * g**3)))
    assert near.mu_star == pytest.approx(exact, abs=3e-11)
    low = ag.fixed_point(0.5, 0.2, 3)
    assert low.regime == "subcritical" and low.mu_star == 0.0 and low.slope == pytest.approx(low.alpha)
    stuck = ag.fixed_point(0.9, 0.0, 3, max_iter=1)
    assert not stuck.converged and stuck.status == 1


@given(gamma=st.floats(0.05, 1.0), rho=st.floats(0.0, 0.95), b=st.sampled_from([3, 5, 7, 11, 21, 61]))
def test_property_fixed_point(gamma, rho, b):
    fp = ag.fixed_point(gamma, rho, b)
    mu = fp.mu_star
    assert 0.0 <= mu <= 1.0 and fp.converged
    assert abs(float(ag.one_step_map(mu, gamma, rho, b)) - mu) <= 1e-12
    assert (fp.regime == "amplifying") == (mu > 0)
    assert mu == pytest.approx(_brentq_fixed_point(gamma, rho, b), abs=1e-10)
    if fp.regime == "amplifying":
        assert fp.slope < 1.0  # stable


def test_phase_grid_matches_fixed_point_and_brentq():
    gammas = np.linspace(0.3, 1.0, 15)
    rhos = np.linspace(0.0, 0.95, 11)
    grid = ag.phase_grid(gammas, rhos, 5)
    assert grid.mu_star.shape == (15, 11) and grid.critical_gamma.shape == (11,)
    assert bool(np.all(grid.converged)) and grid.mu_star.dtype == np.float64
    for i in range(0, 15, 3):
        for j in range(0, 11, 2):
            ref = _brentq_fixed_point(gammas[i], rhos[j], 5)
            assert float(grid.mu_star[i, j]) == pytest.approx(ref, abs=1e-11)
            assert float(grid.alpha[i, j]) == pytest.approx(float(ag.amplification_factor(gammas[i], rhos[j], 5)))
    np.testing.assert_allclose(grid.accuracy_star, (1 + np.asarray(grid.mu_star)) / 2)
    np.testing.assert_allclose(grid.critical_gamma, ag.critical_fidelity(rhos, 5))
    np.testing.assert_array_equal(np.asarray(grid.mu_star) > 0, np.asarray(grid.alpha) > 1 + 1e-12)


def test_phase_grid_bad_input():
    with pytest.raises(AgentsError, match="gammas"):
        ag.phase_grid([], [0.1], 3)
    with pytest.raises(AgentsError, match="rhos"):
        ag.phase_grid([0.5], [[0.1]], 3)
    with pytest.raises(AgentsError, match="rhos"):
        ag.phase_grid([0.5], [1.0], 3)
    with pytest.raises(AgentsError, match="gammas"):
        ag.phase_grid([0.0], [0.1], 3)


def test_broadcasting_and_maps():
    a = ag.amplification_factor(np.array([[0.6], [0.8]]), np.array([0.0, 0.5]), 3)
    assert a.shape == (2, 2)
    np.testing.assert_allclose(a, [[0.9, 0.75], [1.2, 1.0]])
    s = ag.organization_exponent(0.8, 0.0, 3)
    assert float(s) == pytest.approx(np.log(1.2) / np.log(3))
    x = np.linspace(-1, 1, 9)
    np.testing.assert_allclose(ag.correlated_majority_bias(x, 0.3, 3), 0.3 * x + 0.7 * (3 * x - x**3) / 2)
    np.testing.assert_allclose(ag.one_step_map(x, 0.9, 0.3, 3), ag.correlated_majority_bias(0.9 * x, 0.3, 3))
    assert ag.one_step_map(np.float32(0.3), np.float32(0.9), 0.2, 3).dtype == np.float64


def test_bad_phase_inputs():
    with pytest.raises(AgentsError, match="gamma"):
        ag.amplification_factor(1.1, 0.1, 3)
    with pytest.raises(AgentsError, match="gamma"):
        ag.amplification_factor(0.0, 0.1, 3)
    with pytest.raises(AgentsError, match="rho"):
        ag.critical_fidelity(1.0, 3)
    with pytest.raises(AgentsError, match="rho"):
        ag.critical_fidelity(-0.1, 3)
    with pytest.raises(AgentsError, match="argument"):
        ag.amplification_factor([0.5, 0.6], [0.1, 0.2, 0.3], 3)
    with pytest.raises(AgentsError, match="gamma"):
        ag.fixed_point([0.8, 0.9], 0.1, 3)
    with pytest.raises(AgentsError, match="b"):
        ag.fixed_point(0.8, 0.1, 1)
    with pytest.raises(AgentsError, match="tol"):
        ag.fixed_point(0.8, 0.1, 3, tol=-1)
    with pytest.raises(AgentsError, match="max_iter"):
        ag.fixed_point(0.8, 0.1, 3, max_iter=0)
    with pytest.raises(AgentsError, match="mu"):
        ag.one_step_map(2.0, 0.5, 0.1, 3)


def test_t12_s_max():
    for b, ref in ((3, .369070), (5, .390577), (7, .402259)):
        # the best exponent is at gamma = 1, rho = 0
        assert float(ag.organization_exponent(1.0, 0.0, b)) == pytest.approx(ref, abs=1e-6)
        grid = ag.phase_grid(np.linspace(0.5, 1.0, 6), np.linspace(0.0, 0.9, 4), b)
        assert float(np.max(grid.s)) == pytest.approx(ref, abs=1e-6)
    bs = np.arange(3, 100_001, 2)
    s_max = np.log(np.asarray(ag.majority_gain(bs))) / np.log(bs)
    assert s_max.max() < 0.5
