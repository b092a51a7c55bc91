"""γ estimators, calibration, bootstrap and token types: targets 3, 6 and 9."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import theory.moe as moe

Q1 = np.array([1.0, 0.5, 0.0, -0.5])


@pytest.mark.parametrize(("gamma", "t_hat", "l1"), [(0.5, 1.142840, 6.6e-3), (2.0, 1.550395, 1.34e-2),
                                                    (8.0, 3.099099, 8.2e-3)])
def test_target3_best_fit_temperature(gamma, t_hat, l1):
    loads = moe.solve_equilibrium(Q1, gamma, 1.0).loads
    fit = moe.estimate_gamma(Q1, loads, 1.0, method="temperature")
    assert fit.temperature == pytest.approx(t_hat, abs=1e-4)
    assert fit.l1_error == pytest.approx(l1, abs=1e-4)
    assert fit.gamma == pytest.approx((fit.temperature - 1.0) * 4, rel=1e-12)


def test_target9_gamma_explicit():
    assert moe.gamma_explicit(0.01, 64, 8) == pytest.approx(0.08, rel=1e-12)
    assert moe.gamma_explicit(0.01, 64, 1) == pytest.approx(0.64, rel=1e-12)
    assert moe.gamma_explicit(0.01, 64, 8, scale=2.0) == pytest.approx(0.16, rel=1e-12)


@pytest.mark.parametrize("relaxation", ["scaled", "capped"])
def test_target6_dual_recovers_gamma_from_multitype_equilibria(relaxation):
    key = jax.random.PRNGKey(11)
    q = np.asarray(1.5 * jax.random.normal(key, (4, 6)))
    w = np.array([0.1, 0.2, 0.3, 0.4])
    for gamma in (0.3, 4.0):
        loads = moe.solve_equilibrium(q, gamma, 0.8, weights=w, top_k=2, relaxation=relaxation, tol=1e-12).loads
        fit = moe.estimate_gamma(q, loads, 0.8, weights=w, top_k=2, relaxation=relaxation, method="dual")
        assert fit.converged
        assert fit.gamma == pytest.approx(gamma, rel=1e-6)
        assert fit.r_squared == pytest.approx(1.0, abs=1e-9)
        assert fit.l1_error < 1e-8


@pytest.mark.parametrize("relaxation", ["scaled", "capped"])
def test_target6_regression_recovers_gamma_single_type(relaxation):
    q = np.array([0.4, -0.3, 0.9, 0.0, 0.2])
    loads = moe.solve_equilibrium(q, 3.0, 0.5, top_k=2, relaxation=relaxation, tol=1e-12).loads
    fit = moe.estimate_gamma(q, loads, 0.5, top_k=2, relaxation=relaxation, method="regression")
    assert fit.gamma == pytest.approx(3.0, rel=1e-6)


def test_regression_is_biased_by_heterogeneity_but_dual_is_not():
    q = np.array([[2.0, 0, 0, 0], [0, 0, 0, 2.0]])
    w = np.array([0.7, 0.3])
    loads = moe.solve_equilibrium(q, 2.0, 1.0, weights=w).loads
    dual = moe.estimate_gamma(q, loads, 1.0, weights=w, method="dual")
    reg = moe.estimate_gamma(q, loads, 1.0, weights=w, method="regression")
    assert dual.gamma == pytest.approx(2.0, rel=1e-8)
    assert abs(reg.gamma - 2.0) > 0.1


def test_target6_calibration_with_uniform_target_is_sinkhorn():
    key = jax.random.PRNGKey(5)
    n, e, tau = 7, 5, 0.4
    q = np.asarray(jax.random.normal(key, (n, e)))
    w = np.asarray(jax.random.dirichlet(jax.random.PRNGKey(6), jnp.ones(n)))
    cal = moe.calibrate_bias(q, np.ones(e), tau, weights=w, tol=1e-13)
    assert cal.converged and abs(float(np.mean(cal.bias))) < 1e-12
    plan = w[:, None] * np.asarray(moe.route_policy(q, cal.bias, tau))
    # Independent Sinkhorn (numpy) on kernel exp(q/τ) with marginals (w, 1/E).
    kern = np.exp(q / tau)
    u, v = np.ones(n), np.ones(e)
    for _ in range(5000):
        u = w / (kern @ v)
        v = (1 / e) / (kern.T @ u)
    np.testing.assert_allclose(plan, u[:, None] * kern * v[None, :], atol=1e-10)
    np.testing.assert_allclose(plan.sum(0), 1 / e, atol=1e-12)


def test_calibration_capped_topk_and_infeasible_target():
    q = np.asarray(jax.random.normal(jax.random.PRNGKey(2), (6, 5)))
    target = np.array([0.3, 0.5, 0.4, 0.4, 0.4])
    cal = moe.calibrate_bias(q, target, 0.5, top_k=2, relaxation="capped")
    assert cal.converged
    np.testing.assert_allclose(cal.loads, target, atol=1e-9)
    bad = moe.calibrate_bias(q, [5.0, 1, 1, 1, 1], 0.5, top_k=2, relaxation="capped")
    assert not bad.converged


def test_bootstrap_interval_covers_truth_and_is_reproducible():
    key = jax.random.PRNGKey(0)
    bsz, n, e, gamma = 8, 30, 4, 2.0
    q = np.asarray(jax.random.normal(key, (bsz, n, e)))
    loads = np.stack([np.asarray(moe.solve_equilibrium(q[b], gamma, 1.0).loads) for b in range(bsz)])
    ci = moe.bootstrap_gamma(q, loads, 1.0, jax.random.PRNGKey(1), n_boot=60)
    assert ci.samples.shape == (60,)
    assert ci.lower <= ci.estimate <= ci.upper
    # Pooled loads of batch equilibria are not one pooled equilibrium, so the estimate is close, not exact.
    assert ci.lower - 0.5 < gamma < ci.upper + 0.5
    again = moe.bootstrap_gamma(q, loads, 1.0, jax.random.PRNGKey(1), n_boot=60)
    np.testing.assert_array_equal(ci.samples, again.samples)


def test_token_types_recovers_separated_clusters():
    key = jax.random.PRNGKey(3)
    centers = np.array([[3.0, 0, 0], [0, 3.0, 0], [0, 0, 3.0]])
    labels = np.repeat(np.arange(3), [50, 30, 20])
    x = centers[labels] + 0.1 * np.asarray(jax.random.normal(key, (100, 3)))
    tt = moe.token_types(x, 3, jax.random.PRNGKey(4))
    assert sorted(np.round(np.asarray(tt.weights), 6)) == pytest.approx([0.2, 0.3, 0.5])
    for c in centers:
        assert np.min(np.linalg.norm(np.asarray(tt.centers) - c, axis=1)) < 0.1
    # Inertia equals the weighted within-cluster sum of squares computed from the labels.
    lab = np.asarray(tt.labels)
    wss = np.mean(np.sum((x - np.asarray(tt.centers)[lab]) ** 2, axis=1))
    assert tt.inertia == pytest.approx(wss, rel=1e-9)
