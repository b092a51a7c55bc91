"""Monte Carlo of the generative copy model against the recursion (spec T6)."""

import jax
import numpy as np
import pytest

import theory.agents as ag
from theory.agents import AgentsError

T5_CASES = [(3, 6, 0, .8, .05), (3, 6, .3, .8, .05), (3, 6, .5, .8, .3), (5, 4, .2, .7, .05), (3, 7, 0, .6, .5)]


@pytest.mark.parametrize("case", T5_CASES)
def test_t6_monte_carlo_matches_recursion(case):
    b, depth, rho, gamma, mu0 = case
    sim = ag.simulate_tree(jax.random.PRNGKey(2026), b=b, depth=depth, mu0=mu0, gamma=gamma, rho=rho, n_trees=20000)
    z = np.asarray(sim.z)
    assert np.all(np.abs(z[1:]) <= 4.0), z
    assert z[0] == 0.0 and float(sim.stderr[0]) == 0.0 and float(sim.mu[0]) == mu0
    np.testing.assert_allclose(sim.recursion, ag.bias_recursion(mu0, gamma, rho, b, depth).mu, atol=1e-15)
    np.testing.assert_array_equal(np.asarray(sim.n_nodes), 20000 * b ** (depth - np.arange(depth + 1)))
    assert sim.root_accuracy == pytest.approx((1 + float(sim.mu[-1])) / 2)
    assert sim.mu.dtype == np.float64


def test_t6_chunk_size_invariance():
    args = dict(b=3, depth=4, mu0=0.1, gamma=0.8, rho=0.2, n_trees=1037)
    key = jax.random.PRNGKey(7)
    a = ag.simulate_tree(key, chunk_size=100, **args)
    c = ag.simulate_tree(key, chunk_size=512, **args)
    np.testing.assert_array_equal(np.asarray(a.mu), np.asarray(c.mu))
    e = ag.simulate_tree(jax.random.PRNGKey(8), chunk_size=100, **args)
    assert not np.array_equal(np.asarray(a.mu), np.asarray(e.mu))
    # tree i depends only on split(key, n_trees)[i]: a typed key gives the same numbers as its raw data
    f = ag.simulate_tree(jax.random.wrap_key_data(key), chunk_size=7, **args)
    np.testing.assert_array_equal(np.asarray(a.mu), np.asarray(f.mu))


def test_degenerate_channels_are_exact():
    # gamma = 1, mu0 = 1: every vote is correct; rho = 0, gamma = 1: a plain majority tree
    sim = ag.simulate_tree(jax.random.PRNGKey(0), b=3, depth=3, mu0=1.0, gamma=1.0, rho=0.5, n_trees=50)
    np.testing.assert_array_equal(np.asarray(sim.mu), 1.0)
    np.testing.assert_array_equal(np.asarray(sim.z), 0.0)
    sim = ag.simulate_tree(jax.random.PRNGKey(0), b=3, depth=3, mu0=-1.0, gamma=1.0, rho=0.0, n_trees=50)
    np.testing.assert_array_equal(np.asarray(sim.mu), -1.0)


def test_shock_only_tree_copies_one_leaf():
    # gamma = 1 and rho close to 1: almost every node copies slot 0, so the root tracks one leaf's bias
    sim = ag.simulate_tree(jax.random.PRNGKey(3), b=3, depth=6, mu0=0.2, gamma=1.0, rho=0.999, n_trees=20000)
    assert np.all(np.abs(np.asarray(sim.z[1:])) < 4)
    assert float(sim.mu[-1]) == pytest.approx(0.2, abs=0.03)


def test_bad_simulation_inputs():
    key = jax.random.PRNGKey(0)
    ok = dict(b=3, depth=2, mu0=0.1, gamma=0.8, rho=0.1, n_trees=10)
    with pytest.raises(AgentsError, match="key"):
        ag.simulate_tree(0, **ok)
    with pytest.raises(AgentsError, match="key"):
        ag.simulate_tree(np.array([1.0, 2.0]), **ok)
    with pytest.raises(AgentsError, match="depth"):
        ag.simulate_tree(key, **{**ok, "depth": 0})
    with pytest.raises(AgentsError, match="b\\*\\*depth"):
        ag.simulate_tree(key, **{**ok, "depth": 14})
    with pytest.raises(AgentsError, match="n_trees"):
        ag.simulate_tree(key, **{**ok, "n_trees": 1})
    with pytest.raises(AgentsError, match="chunk_size"):
        ag.simulate_tree(key, **ok, chunk_size=0)
    with pytest.raises(AgentsError, match="mu0"):
        ag.simulate_tree(key, **{**ok, "mu0": np.array([0.1, 0.2])})
    with pytest.raises(AgentsError, match="gamma"):
        ag.simulate_tree(key, **{**ok, "gamma": 0.0})
    with pytest.raises(AgentsError, match="rho"):
        ag.simulate_tree(key, **{**ok, "rho": 1.0})
    with pytest.raises(AgentsError, match="b"):
        ag.simulate_tree(key, **{**ok, "b": 4})
