"""Fixed-point dynamics and oscillation factors: reproduction targets 5 and 10, the damping correction."""

import numpy as np
import pytest

import theory.moe as moe

Q5 = np.array([0.1, 0.0, 0.0, 0.0])


def test_target5_undamped_converges_at_gamma3():
    trace = moe.iterate_fixed_point(Q5, 3.0, 1.0, omega=1.0, num_steps=400)
    assert trace.biases.shape == (401, 4) and trace.residuals.shape == (401,)
    np.testing.assert_array_equal(trace.biases[0], np.zeros(4))
    assert float(trace.loads[-1, 0]) == pytest.approx(0.2608, abs=1e-4)
    assert float(trace.residuals[-1]) < 1e-12
    assert moe.oscillation_factor(Q5, 3.0, 1.0) < 1


def test_target5_undamped_two_cycle_at_gamma5():
    trace = moe.iterate_fixed_point(Q5, 5.0, 1.0, omega=1.0, num_steps=400)
    cycle = sorted(float(x) for x in trace.loads[-2:, 0])
    assert cycle == pytest.approx([0.031961, 0.611824], abs=1e-5)
    np.testing.assert_allclose(trace.loads[-1], trace.loads[-3], atol=1e-10)  # period 2
    assert moe.oscillation_factor(Q5, 5.0, 1.0) > 1


@pytest.mark.parametrize(("relaxation", "stable", "unstable"), [("scaled", 3.8, 4.2), ("capped", 5.2, 5.5)])
def test_target5_near_uniform_threshold(relaxation, stable, unstable):
    q = np.zeros(8)
    q[0] = 0.05
    kw = dict(omega=1.0, num_steps=4000, top_k=2, relaxation=relaxation)
    good = moe.iterate_fixed_point(q, stable, 1.0, **kw)
    bad = moe.iterate_fixed_point(q, unstable, 1.0, **kw)
    assert float(good.residuals[-1]) < 1e-8
    assert float(bad.residuals[-1]) > 1e-2
    assert moe.oscillation_factor(q, stable, 1.0, top_k=2, relaxation=relaxation) < 1
    assert moe.oscillation_factor(q, unstable, 1.0, top_k=2, relaxation=relaxation) > 1


def test_target10_uniform_factor_at_quoted_gamma_eff():
    got = [moe.uniform_oscillation_factor(g, 1.0, 64, 8) for g in (9, 14, 27, 36, 39)]
    assert got == pytest.approx([1.125, 1.75, 3.375, 4.5, 4.875], abs=1e-12)


@pytest.mark.parametrize("relaxation", ["scaled", "capped"])
def test_uniform_formula_equals_instance_factor_at_uniform_quality(relaxation):
    q = np.zeros((3, 8))
    want = moe.uniform_oscillation_factor(6.0, 0.7, 8, 3, relaxation)
    assert moe.oscillation_factor(q, 6.0, 0.7, top_k=3, relaxation=relaxation) == pytest.approx(want, rel=1e-10)
    closed = 6.0 * 3 / (0.7 * 8) if relaxation == "scaled" else 6.0 * 3 * 5 / (0.7 * 64)
    assert want == pytest.approx(closed, rel=1e-14)


def test_default_damping_converges_for_k_above_one_where_k1_formula_diverges():
    """Correction: ω = 1/(1 + γ/(2τ)) is the K = 1 bound; with K = 4 it can 2-cycle, ω = 1/(1 + γK/(2τ)) cannot."""
    q = np.array([8.0, 8.0, 0.0, 0.0, 0.0, 0.0])  # two favoured experts: λ_max(J) near K/(2τ)
    gamma, tau, k = 2.0, 1.0, 4
    rho = moe.oscillation_factor(q, gamma, tau, top_k=k)
    naive = 1 / (1 + gamma / (2 * tau))
    assert naive * rho > 2 - naive  # the naive step overshoots: |1 − ω(1 + ρ)| > 1 on the top eigenvector
    b0 = np.array([0.01, 0, 0, 0, 0, 0])  # break the 0↔1 symmetry, or the unstable direction is never excited
    bad = moe.iterate_fixed_point(q, gamma, tau, omega=naive, num_steps=2000, top_k=k, init_bias=b0)
    good = moe.iterate_fixed_point(q, gamma, tau, omega=1 / (1 + gamma * k / (2 * tau)), num_steps=2000, top_k=k,
                                   init_bias=b0)
    assert float(bad.residuals[-1]) > 1e-3
    assert float(good.residuals[-1]) < 1e-10


def test_instance_factor_bounded_by_curvature_bound():
    rng_q = np.linspace(-1, 1, 24).reshape(3, 8) ** 3
    for relaxation, bound in (("scaled", 2 / (2 * 0.5)), ("capped", 1 / (4 * 0.5))):
        rho = moe.oscillation_factor(rng_q, 1.0, 0.5, top_k=2, relaxation=relaxation, bias=np.zeros(8))
        assert 0 < rho <= bound + 1e-12
