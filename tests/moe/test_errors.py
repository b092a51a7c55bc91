"""Every bad input listed in spec §3 raises MoEInputError naming the argument."""

import jax
import numpy as np
import pytest

import theory
import theory.moe as moe
from theory.moe import MoEInputError

Q = np.array([1.0, 0.5, 0.0, -0.5])


def test_error_is_a_theory_error():
    assert issubclass(MoEInputError, theory.TheoryError) and issubclass(MoEInputError, ValueError)


@pytest.mark.parametrize(("kwargs", "word"), [
    (dict(quality=np.zeros((2, 2, 2))), "quality"),
    (dict(quality=[1.0]), "quality"),
    (dict(quality=np.zeros((0, 4))), "quality"),
    (dict(quality=[1.0, np.nan, 0, 0]), "quality"),
    (dict(quality=[1.0, np.inf, 0, 0]), "quality"),
    (dict(tau=0.0), "tau"),
    (dict(tau=-1.0), "tau"),
    (dict(gamma=-0.1), "gamma"),
    (dict(gamma=np.inf), "gamma"),
    (dict(gamma=np.nan), "gamma"),
    (dict(top_k=0), "top_k"),
    (dict(top_k=4), "top_k"),
    (dict(top_k=1.5), "top_k"),
    (dict(top_k=True), "top_k"),
    (dict(quality=np.zeros((2, 4)), weights=[-1.0, 2.0]), "weights"),
    (dict(quality=np.zeros((2, 4)), weights=[0.0, 0.0]), "weights"),
    (dict(quality=np.zeros((2, 4)), weights=[1.0, 1.0, 1.0]), "weights"),
    (dict(toll=[0.0, 0.0]), "toll"),
    (dict(init_bias=[0.0]), "init_bias"),
    (dict(cost="cubic"), "cost"),
    (dict(relaxation="hard"), "relaxation"),
    (dict(method="bfgs"), "method"),
    (dict(method="damped", omega=0.0), "omega"),
    (dict(method="damped", omega=1.5), "omega"),
    (dict(method="damped", cost="log"), "damped"),
])
def test_solve_equilibrium_rejects(kwargs, word):
    args = dict(quality=Q, gamma=1.0, tau=1.0)
    args.update(kwargs)
    q, g, t = args.pop("quality"), args.pop("gamma"), args.pop("tau")
    with pytest.raises(MoEInputError, match=word):
        moe.solve_equilibrium(q, g, t, **args)


def test_batch_rejects():
    with pytest.raises(MoEInputError, match="quality"):
        moe.solve_equilibrium_batch(np.zeros((3, 4)), 1.0, 1.0)
    with pytest.raises(MoEInputError, match="gamma"):
        moe.solve_equilibrium_batch(np.zeros((2, 3, 4)), [1.0, 2.0, 3.0], 1.0)
    with pytest.raises(MoEInputError, match="tau"):
        moe.solve_equilibrium_batch(np.zeros((2, 3, 4)), 1.0, [1.0, -1.0])


def test_dynamics_rejects():
    with pytest.raises(MoEInputError, match="omega"):
        moe.iterate_fixed_point(Q, 1.0, 1.0, omega=0.0, num_steps=5)
    with pytest.raises(MoEInputError, match="num_steps"):
        moe.iterate_fixed_point(Q, 1.0, 1.0, omega=0.5, num_steps=0)
    with pytest.raises(MoEInputError, match="bias"):
        moe.oscillation_factor(Q, 1.0, 1.0, bias=[0.0])
    with pytest.raises(MoEInputError, match="top_k"):
        moe.uniform_oscillation_factor(1.0, 1.0, 8, 8)
    with pytest.raises(MoEInputError, match="quality"):
        moe.softmax_equilibrium(np.zeros((2, 4)), 1.0, 1.0)
    with pytest.raises(MoEInputError, match="bias"):
        moe.route_policy(Q, [0.0, 0.0], 1.0)


def test_loads_and_gamma_rejects():
    with pytest.raises(MoEInputError, match="loads"):
        moe.estimate_gamma(Q, [1.0, -1.0, 0.5, 0.5], 1.0)
    with pytest.raises(MoEInputError, match="loads"):
        moe.estimate_gamma(Q, [0.0, 0.0, 0.0, 0.0], 1.0)
    with pytest.raises(MoEInputError, match="loads"):
        moe.estimate_gamma(Q, [1.0, 0.0, 0.5, 0.5], 1.0, method="dual")
    with pytest.raises(MoEInputError, match="loads"):
        moe.estimate_gamma(Q, [1.0, 0.0, 0.5, 0.5], 1.0, method="regression")
    with pytest.raises(MoEInputError, match="loads"):
        moe.estimate_gamma(Q, [1.0, 1.0], 1.0)
    with pytest.raises(MoEInputError, match="method"):
        moe.estimate_gamma(Q, [1.0, 1.0, 1.0, 1.0], 1.0, method="ml")
    with pytest.raises(MoEInputError, match="loads"):
        moe.load_metrics([1.0, -1.0])
    with pytest.raises(MoEInputError, match="loads"):
        moe.load_metrics([0.0, 0.0])
    with pytest.raises(MoEInputError, match="target_loads"):
        moe.calibrate_bias(Q, [1.0, 0.0, 1.0, 1.0], 1.0)
    with pytest.raises(MoEInputError, match="n_boot"):
        moe.bootstrap_gamma(np.zeros((2, 3, 4)), np.ones((2, 4)), 1.0, jax.random.PRNGKey(0), n_boot=0)
    with pytest.raises(MoEInputError, match="loads"):
        moe.bootstrap_gamma(np.zeros((2, 3, 4)), np.ones((3, 4)), 1.0, jax.random.PRNGKey(0))
    with pytest.raises(MoEInputError, match="alpha"):
        moe.gamma_explicit(-1.0, 64, 8)


def test_welfare_and_training_rejects():
    with pytest.raises(MoEInputError, match="cost"):
        moe.price_of_anarchy(Q, 1.0, 1.0, cost="log")
    with pytest.raises(MoEInputError, match="slopes"):
        moe.parallel_links([0.0, 1.0], [-1.0, 1.0])
    with pytest.raises(MoEInputError, match="same length"):
        moe.parallel_links([0.0, 1.0], [1.0])
    with pytest.raises(MoEInputError, match="policy"):
        moe.social_cost(np.zeros((2, 4)), Q, 1.0, 1.0)
    with pytest.raises(MoEInputError, match="method"):
        moe.simulate_training(jax.random.PRNGKey(0), "sinkhorn")
    with pytest.raises(MoEInputError, match="steps"):
        moe.simulate_training(jax.random.PRNGKey(0), "none", steps=0)
    with pytest.raises(MoEInputError, match="num_types"):
        moe.token_types(np.zeros((3, 4)), 5, jax.random.PRNGKey(0))
    with pytest.raises(MoEInputError, match="scores"):
        moe.topk_route([[np.nan, 1.0]], 1)
