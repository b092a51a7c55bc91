"""Continuous-error variance recursion (spec T9), checked by Monte Carlo."""

import numpy as np
import pytest

import theory.agents as ag
from theory.agents import AgentsError


def test_t9_values():
    v = np.asarray(ag.tree_variance(1.0, 0.1, 0.2, 3, np.arange(8)))
    ref = [1, .5, .2666667, .1577778, .1069630, .0832494, .0721831, .0670188]
    np.testing.assert_allclose(v, ref, atol=5e-8)
    assert float(ag.variance_floor(0.1, 0.2, 3)) == pytest.approx(0.0625, abs=1e-12)
    assert int(ag.mixing_depth(1.0, 0.1, 0.2, 3, 0.01)) == 6
    assert float(ag.star_risk(4, 1, 0.1, 0.2)) == pytest.approx(0.425, abs=1e-12)
    assert float(ag.chain_risk(3, 1, 0.1)) == pytest.approx(1.3, abs=1e-12)
    # kappa = rho + (1 - rho)/b = 0.4666667 is the contraction of the gap to the floor
    assert (v[2] - 0.0625) / (v[1] - 0.0625) == pytest.approx(0.4666667, abs=1e-7)


def test_mixing_depth_is_least():
    for eps in (0.3, 0.05, 0.01, 1e-4, 2.0):
        L = int(ag.mixing_depth(1.0, 0.1, 0.2, 3, eps))
        gaps = np.abs(np.asarray(ag.tree_variance(1.0, 0.1, 0.2, 3, np.arange(L + 1))) - 0.0625)
        assert gaps[L] <= eps and (L == 0 or gaps[L - 1] > eps)


def test_monte_carlo_one_level():
    # b sibling errors with variance v and pairwise correlation rho, each edge adds N(0, sigma_c^2): the parent's
    # error is their average, whose variance is the recursion's kappa v + sigma_c^2 / b.
    rng = np.random.default_rng(0)
    b, v, rho, s2, n = 3, 1.0, 0.2, 0.1, 400_000
    common = rng.standard_normal(n)[:, None]
    own = rng.standard_normal((n, b))
    children = np.sqrt(rho * v) * common + np.sqrt((1 - rho) * v) * own
    parent = np.mean(children + np.sqrt(s2) * rng.standard_normal((n, b)), axis=1)
    var_hat = parent.var()
    se = var_hat * np.sqrt(2 / n)
    z = (var_hat - float(ag.tree_variance(v, s2, rho, b, 1))) / se
    assert abs(z) < 4
    # a star of n = b agents, each sending over a noisy edge, is the same average: v0(rho + (1-rho)/n) + sigma_c^2/n
    star = np.mean(children + np.sqrt(s2) * rng.standard_normal((n, b)), axis=1).var()
    assert abs(star - float(ag.star_risk(b, v, s2, rho))) / (star * np.sqrt(2 / n)) < 4


def test_float32_and_bad_inputs():
    assert ag.tree_variance(np.float32(1.0), 0.1, 0.2, 3, 2).dtype == np.float64
    with pytest.raises(AgentsError, match="sigma_c2"):
        ag.variance_floor(-0.1, 0.2, 3)
    with pytest.raises(AgentsError, match="v0"):
        ag.tree_variance(-1, 0.1, 0.2, 3, 2)
    with pytest.raises(AgentsError, match="depth"):
        ag.tree_variance(1, 0.1, 0.2, 3, 1.5)
    with pytest.raises(AgentsError, match="eps"):
        ag.mixing_depth(1, 0.1, 0.2, 3, 0.0)
    with pytest.raises(AgentsError, match="n"):
        ag.star_risk(0.5, 1, 0.1, 0.2)
    with pytest.raises(AgentsError, match="length"):
        ag.chain_risk(-1, 1, 0.1)
    with pytest.raises(AgentsError, match="rho"):
        ag.variance_floor(0.1, 1.0, 3)
