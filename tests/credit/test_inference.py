"""Inference checked numerically: delta variance vs Monte Carlo, gradients vs finite differences, test sizes,
power and intervals against their defining equations."""

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

import theory.credit as tc
from theory.credit._delta import delta_variance_jit, paper_variance
from theory.credit._divergence import KINDS, PHI2, divergence_value

G = np.array([0.1, 0.15, 0.2, 0.25, 0.3])
B = G[::-1].copy()


@partial(jax.jit, static_argnames=("reps",))
def _sample(key, n, p, reps):
    return jax.random.multinomial(key, n, p, shape=(reps, p.shape[0]))


def _mc_counts(key, p, n, reps=4000):
    # one jitted sampler per (reps, k): jax.random.multinomial costs seconds to compile
    return np.asarray(_sample(key, float(n), jnp.asarray(p, dtype=jnp.float64), reps))


_iv_batch = jax.jit(jax.vmap(lambda p, q: divergence_value(p, q, jnp.ones_like(p), "jeffreys")))


def test_delta_sd_matches_monte_carlo_at_7000_3000():
    """C1: the delta SD at the truth matches the Monte Carlo SD of IV; eq. (18) is about half of it."""
    ng, nb, reps = 7000, 3000, 4000
    kg, kb = jax.random.split(jax.random.PRNGKey(11))
    cg, cb = _mc_counts(kg, G, ng, reps), _mc_counts(kb, B, nb, reps)
    ivs = np.asarray(_iv_batch(jnp.asarray(cg / ng), jnp.asarray(cb / nb)))
    sd_mc = ivs.std(ddof=1)
    sd_delta = float(np.sqrt(delta_variance_jit(jnp.asarray(G), jnp.asarray(B), jnp.ones(5), ng, nb)))
    assert sd_delta == pytest.approx(0.03264, abs=1e-4)              # spec §5
    assert sd_mc == pytest.approx(0.0327, abs=0.0013)                # spec §5 (MC tolerance)
    assert sd_delta == pytest.approx(sd_mc, rel=0.05)                # MC SE of an SD with 4000 reps is ~1.1 %
    paper = np.array([tc.iv_standard_error(cg[i], cb[i], method="paper") for i in range(200)])
    assert paper.mean() == pytest.approx(0.0175, abs=0.0005)         # spec §5
    assert paper.mean() < 0.6 * sd_mc


def test_delta_variance_matches_closed_form_and_finite_differences():
    """α_j = W_j + 1 - b_j/g_j and β_j = -W_j + 1 - g_j/b_j are ∇J; the quadratic form gives Var(IV)."""
    p, q = jnp.asarray(G), jnp.asarray(B)
    a, b = jax.grad(divergence_value, argnums=(0, 1))(p, q, jnp.ones(5), "jeffreys")
    w = np.log(G / B)
    np.testing.assert_allclose(a, w + 1 - B / G, rtol=1e-12)
    np.testing.assert_allclose(b, -w + 1 - G / B, rtol=1e-12)
    h = 1e-6
    for kind in KINDS:
        ga, gb = jax.grad(divergence_value, argnums=(0, 1))(p, q, jnp.ones(5), kind)
        for j in range(5):
            e = jnp.zeros(5).at[j].set(h)
            fd_a = (divergence_value(p + e, q, jnp.ones(5), kind) - divergence_value(p - e, q, jnp.ones(5), kind))
            fd_b = (divergence_value(p, q + e, jnp.ones(5), kind) - divergence_value(p, q - e, jnp.ones(5), kind))
            assert float(ga[j]) == pytest.approx(float(fd_a) / (2 * h), rel=1e-6, abs=1e-8)
            assert float(gb[j]) == pytest.approx(float(fd_b) / (2 * h), rel=1e-6, abs=1e-8)
    ng, nb = 700.0, 300.0
    var = (np.sum(G * a**2) - np.sum(G * a) ** 2) / ng + (np.sum(B * b**2) - np.sum(B * b) ** 2) / nb
    assert float(delta_variance_jit(p, q, jnp.ones(5), ng, nb)) == pytest.approx(float(var), rel=1e-12)
    assert tc.iv_standard_error(G * ng, B * nb) == pytest.approx(np.sqrt(float(var)), rel=1e-12)


def test_woe_variance_matches_monte_carlo():
    """C3: Var(W_j) = 1/n_jg - 1/N_G + 1/n_jb - 1/N_B, below eq. (15)'s 1/n_jg + 1/n_jb."""
    ng, nb, reps = 2000, 1000, 4000
    kg, kb = jax.random.split(jax.random.PRNGKey(3))
    cg, cb = _mc_counts(kg, G, ng, reps), _mc_counts(kb, B, nb, reps)
    w_mc = np.log((cg / ng) / (cb / nb)).var(axis=0, ddof=1)
    res = tc.woe(G * ng, B * nb)
    np.testing.assert_allclose(np.asarray(res.se) ** 2, w_mc, rtol=0.08)
    assert (np.asarray(res.se_paper) > np.asarray(res.se)).all()


def test_bootstrap_se_agrees_with_delta_for_large_counts():
    g, b = G * 7000, B * 3000
    boot = tc.iv_confidence_interval(g, b, method="bootstrap", n_boot=400, key=jax.random.PRNGKey(0))
    assert boot.se == pytest.approx(tc.iv_standard_error(g, b), rel=0.12)   # SD of 400 draws: ~3.5 % MC error
    assert boot.lower < boot.iv < boot.upper and boot.converged and boot.n_invalid == 0
    assert tc.iv_standard_error(g, b, method="bootstrap", n_boot=400, key=jax.random.PRNGKey(1)) > 0


def test_bootstrap_discards_zero_cell_draws():
    ci = tc.iv_confidence_interval([30, 1, 40], [20, 25, 30], method="bootstrap", n_boot=400,
                                   key=jax.random.PRNGKey(2))
    # P(draw of the 1-count bin is 0) = (1 - 1/71)^71 ~ 0.36, far above 5 %
    assert ci.n_invalid > 0.2 * 400 and not ci.converged and "discarded" in ci.status
    lap = tc.iv_confidence_interval([30, 1, 40], [20, 25, 30], method="bootstrap", n_boot=400,
                                    key=jax.random.PRNGKey(2), zero="laplace")
    assert lap.n_invalid == 0 and lap.converged


def test_noncentral_interval_solves_its_equations():
    ci = tc.iv_confidence_interval(G * 300, B * 200, method="noncentral", level=0.9)
    t = tc.iv_test(G * 300, B * 200)
    n_eff = t.n_eff
    assert stats.ncx2.cdf(t.statistic, t.dof, ci.lower * n_eff) == pytest.approx(0.95, abs=1e-8)
    assert stats.ncx2.cdf(t.statistic, t.dof, ci.upper * n_eff) == pytest.approx(0.05, abs=1e-8)
    near0 = tc.iv_confidence_interval([50, 51, 49], [50, 49, 51], method="noncentral")
    assert near0.lower == 0.0 and near0.upper > 0 and "lambda_L = 0" in near0.status


def test_delta_interval_clips_at_zero():
    ci = tc.iv_confidence_interval([50, 52, 49], [50, 49, 51])
    assert ci.lower == 0.0 and "clipped" in ci.status


def _h0_rejections(kind, k, n, key):
    p = jnp.full(k, 1.0 / k)
    kp, kq = jax.random.split(key)
    a, b = jnp.asarray(_mc_counts(kp, p, n)), jnp.asarray(_mc_counts(kq, p, n))
    d = jax.vmap(lambda x, y: divergence_value(x / n, y / n, ((x + y) > 0).astype(x.dtype), kind))(a, b)
    t = 2 * (n / 2) * d / PHI2[kind]
    return np.asarray(t > stats.chi2.ppf(0.95, k - 1))


@pytest.mark.parametrize("kind", KINDS)
def test_chi_square_test_has_nominal_size(kind):
    """C2: T = 2 N_eff D/φ''(1) → χ²_{k-1} under H0 for every kind (n = m = 1000, k = 5)."""
    rej = _h0_rejections(kind, 5, 1000, jax.random.PRNGKey(5))
    assert rej.mean() == pytest.approx(0.05, abs=0.012)


def test_paper_z_test_size_is_chi_tail():
    """C2: the paper's one-sided z-test rejects with probability → P(χ²_{k-1} > 1.645²) under H0."""
    k, n = 5, 1000
    kp, kq = jax.random.split(jax.random.PRNGKey(9))
    p = np.full(k, 1 / k)
    a, b = _mc_counts(kp, p, n), _mc_counts(kq, p, n)
    ok = (a > 0).all(axis=1) & (b > 0).all(axis=1)
    a, b = a[ok], b[ok]
    ga, gb = jnp.asarray(a / n), jnp.asarray(b / n)
    iv = np.asarray(_iv_batch(ga, gb))
    se = np.sqrt(np.asarray(jax.vmap(paper_variance)(ga, gb, jnp.asarray(a), jnp.asarray(b), jnp.ones_like(ga))))
    z = iv / se
    for i in range(20):   # the vectorised statistic is the public function's
        assert tc.paper_z_test(a[i], b[i]).z == pytest.approx(z[i], rel=1e-12)
    target = stats.chi2.sf(stats.norm.ppf(0.95) ** 2, k - 1)
    assert target == pytest.approx(0.608, abs=1e-3)
    assert np.mean(z > stats.norm.ppf(0.95)) == pytest.approx(target, abs=0.025)


def test_power_analytic_matches_monte_carlo():
    k, n, reps = 10, 2000, 4000
    t = np.linspace(-1, 1, k)
    e = np.full(k, 1 / k)
    a = np.exp(0.2 * t) / np.exp(0.2 * t).sum()
    power = tc.divergence_power(a, e, n, n)
    ka, ke = jax.random.split(jax.random.PRNGKey(4))
    ca, ce = _mc_counts(ka, a, n, reps), _mc_counts(ke, e, n, reps)
    psi = np.asarray(_iv_batch(jnp.asarray(ca / n), jnp.asarray(ce / n)))
    crit = tc.psi_critical_value(n, n, k)
    assert power == pytest.approx(np.mean(psi > crit), abs=0.03)
    assert tc.divergence_power(e, e, n, n) == pytest.approx(0.05, abs=1e-12)


def test_psi_critical_value_matches_test():
    actual, expected = [120, 90, 95, 100, 95], [100, 100, 100, 100, 100]
    t = tc.psi_test(actual, expected)
    assert t.divergence_critical_value == pytest.approx(tc.psi_critical_value(500, 500, 5), rel=1e-12)
    assert tc.psi_critical_value(500, 500, 5) == pytest.approx(stats.chi2.ppf(0.95, 4) * (2 / 500), rel=1e-12)
    pop = tc.psi_test(actual, expected, expected_is_population=True)
    assert pop.n_eff == 500 and pop.statistic == pytest.approx(500 * t.divergence, rel=1e-12)
    assert pop.divergence_critical_value == pytest.approx(
        tc.psi_critical_value(500, 500, 5, expected_is_population=True), rel=1e-12)
    assert t.divergence == pytest.approx(tc.psi(actual, expected).psi, rel=1e-12)


@pytest.mark.parametrize("kind", KINDS)
def test_divergence_test_statistic_definition(kind):
    p, q = [30, 50, 20, 40], [45, 35, 25, 30]
    t = tc.divergence_test(p, q, kind=kind, alpha=0.1)
    n_eff = 140 * 135 / 275
    assert t.statistic == pytest.approx(2 * n_eff * tc.divergence(p, q, kind) / PHI2[kind], rel=1e-12)
    assert t.p_value == pytest.approx(stats.chi2.sf(t.statistic, 3), rel=1e-10)
    assert t.reject == (t.p_value < 0.1)


def test_float32_inputs_give_float64():
    g, b = np.array([10, 20, 30], np.float32), np.array([30, 20, 10], np.float32)
    assert tc.woe(g, b).woe.dtype == jnp.float64
    assert tc.information_value(g, b).contributions.dtype == jnp.float64
    assert tc.psi(g, b).actual_share.dtype == jnp.float64
    assert isinstance(tc.information_value(g, b).iv, float)
    s = tc.iv_summary(np.stack([np.stack([g, b], -1)]).astype(np.float32))
    assert s.iv.dtype == jnp.float64 and s.se.dtype == jnp.float64


def test_iv_summary_matches_scalar_functions():
    key = jax.random.PRNGKey(0)
    codes = np.array(jax.random.randint(key, (3000, 4), 0, 6))
    y = (np.asarray(jax.random.uniform(jax.random.PRNGKey(1), (3000,))) < 0.2 + 0.03 * codes[:, 0]).astype(int)
    codes[:, 3] = np.minimum(codes[:, 3], 3)   # bins 4, 5 empty for feature 3
    counts = tc.bin_counts(codes, y, 6)
    np.testing.assert_array_equal(np.asarray(counts).sum(axis=(1, 2)), 3000)
    s = tc.iv_summary(counts, level=0.9)
    for f in range(4):
        ng, nb = np.asarray(counts[f, :, 0]), np.asarray(counts[f, :, 1])
        assert float(s.iv[f]) == pytest.approx(tc.information_value(ng, nb).iv, rel=1e-12)
        assert float(s.se[f]) == pytest.approx(tc.iv_standard_error(ng, nb), rel=1e-10)
        ci = tc.iv_confidence_interval(ng, nb, level=0.9)
        assert float(s.lower[f]) == pytest.approx(ci.lower, abs=1e-12)
        t = tc.iv_test(ng, nb)
        assert float(s.p_value[f]) == pytest.approx(t.p_value, rel=1e-8)
        assert int(s.dof[f]) == t.dof and float(s.critical_value[f]) == pytest.approx(t.critical_value)
    assert int(s.n_bins[3]) == 4 and int(s.dof[3]) == 3
