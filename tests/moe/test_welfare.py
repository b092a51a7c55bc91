"""Social cost, price of anarchy, tolls and Wardrop links: targets 7 and 8, PoA bound property."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import theory.moe as moe

Q1 = np.array([1.0, 0.5, 0.0, -0.5])


def test_target7_poa_and_toll():
    res = moe.price_of_anarchy(Q1, 2.0, 1.0)
    assert res.equilibrium_cost == pytest.approx(1.180412, abs=1e-6)
    assert res.optimum_cost == pytest.approx(1.172465, abs=1e-6)
    assert res.ratio == pytest.approx(1.006779, abs=1e-6)
    tolled = moe.solve_equilibrium(Q1, 2.0, 1.0, toll=res.toll)
    np.testing.assert_allclose(tolled.loads, res.optimum.loads, atol=1e-8)


def test_optimum_minimises_social_cost_against_perturbations():
    res = moe.price_of_anarchy(Q1, 2.0, 1.0)
    pi = np.asarray(res.optimum.policy)
    best = moe.social_cost(pi, Q1, 2.0, 1.0)
    for shift in (np.array([0.01, -0.01, 0, 0]), np.array([0, 0.02, -0.01, -0.01])):
        assert moe.social_cost(pi + shift, Q1, 2.0, 1.0) > best


@pytest.mark.parametrize("relaxation", ["scaled", "capped"])
@given(seed=st.integers(0, 10_000), gamma=st.floats(0.01, 100.0), tau=st.floats(0.01, 3.0))
def test_poa_between_one_and_four_thirds(relaxation, seed, gamma, tau):
    key = jax.random.PRNGKey(seed)
    q = np.asarray(jax.random.normal(key, (3, 4)))
    w = np.asarray(jax.random.dirichlet(jax.random.fold_in(key, 1), jnp.ones(3)))
    res = moe.price_of_anarchy(q, gamma, tau, top_k=2, weights=w, relaxation=relaxation)
    assert res.equilibrium_cost >= -1e-12 and res.optimum_cost >= -1e-12
    assert 1 - 1e-9 <= res.ratio <= 4 / 3 + 1e-9


def test_target8_parallel_links():
    pigou = moe.parallel_links([0.0, 1.0], [2.0, 1.0])
    assert pigou.poa == pytest.approx(16 / 15, abs=1e-12)
    three = moe.parallel_links([0.0, 0.5, 1.0], [1.0, 0.5, 0.25], degree=1, demand=2.0)
    np.testing.assert_allclose(three.equilibrium_flow, [1.0, 1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(three.optimum_flow, [0.642857, 0.785714, 0.571429], atol=1e-6)
    assert three.poa == pytest.approx(112 / 99, abs=1e-12)


@pytest.mark.parametrize("d", [1, 2, 3, 6])
def test_pigou_network_attains_the_degree_d_bound_and_toll_implements_optimum(d):
    res = moe.parallel_links([1.0, 0.0], [0.0, 1.0], degree=d)
    bound = 1 / (1 - d * (d + 1) ** (-(d + 1) / d))
    assert res.poa == pytest.approx(bound, rel=1e-10)
    tolled = moe.parallel_links([1.0, 0.0] + res.toll, [0.0, 1.0], degree=d)
    np.testing.assert_allclose(tolled.equilibrium_flow, res.optimum_flow, atol=1e-10)
