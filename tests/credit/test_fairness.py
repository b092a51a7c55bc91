"""Fairness measures, synthetic data targets (spec §5) and the frontier on a small problem."""

import jax
import numpy as np
import pytest
from scipy import stats

import theory.credit as tc
from theory.credit._frontier import logistic_irls


def test_adverse_impact_ratio_definition():
    approved = np.array([1, 1, 0, 1, 0, 0, 1, 1])
    a = np.array([1, 1, 1, 1, 0, 0, 0, 0])
    assert tc.adverse_impact_ratio(approved, a) == pytest.approx((3 / 4) / (2 / 4))
    assert tc.adverse_impact_ratio(approved.astype(bool), a) == pytest.approx(1.5)


def test_exceedance_and_tradeoff():
    e = tc.iv_exceedance(0.05, 0.02, 0.1, level=0.95)
    assert e.prob_exceeds == pytest.approx(stats.norm.cdf(-2.5))
    assert e.upper_bound == pytest.approx(0.05 + stats.norm.ppf(0.95) * 0.02)
    assert e.satisfied
    assert not tc.iv_exceedance(0.09, 0.02, 0.1).satisfied
    assert tc.tradeoff_ratio(0.8, 0.05, 0.1, 0.02) == pytest.approx((0.8 - 2.58 * 0.05) / (0.1 + 2.58 * 0.02))
    assert tc.tradeoff_ratio(0.8, 0.05, 0.1, 0.02, k=1.0) == pytest.approx(0.75 / 0.12)


def test_score_bin_iv_matches_counts():
    key1, key2, key3 = jax.random.split(jax.random.PRNGKey(0), 3)
    s = np.asarray(jax.random.normal(key1, (3000,)))
    y = (np.asarray(jax.random.uniform(key2, (3000,))) < 1 / (1 + np.exp(2 - s))).astype(int)
    a = (np.asarray(jax.random.uniform(key3, (3000,))) < 0.3 + 0.1 * (s > 0)).astype(int)
    r = tc.score_bin_iv(s, y, a, bins=5)
    assert r.edges.shape == (4,)
    assert r.iv_model == pytest.approx(tc.information_value(np.asarray(r.n_good), np.asarray(r.n_bad)).iv)
    assert r.iv_fair == pytest.approx(tc.information_value(np.asarray(r.n_a0), np.asarray(r.n_a1)).iv)
    assert r.iv_model_se == pytest.approx(tc.iv_standard_error(np.asarray(r.n_good), np.asarray(r.n_bad)))
    assert r.test_model.reject and r.test_model.dof == 4
    same = tc.score_bin_iv(s, y, a, bins=np.asarray(r.edges))
    assert same.iv_fair == pytest.approx(r.iv_fair, rel=1e-12)


@pytest.fixture(scope="module")
def sim():
    return tc.simulate_credit(jax.random.PRNGKey(0), 20000)


def test_simulate_credit_targets(sim):
    """Spec §5: default 0.15 ± 0.01, protected 0.30 ± 0.015, LR test AUC in [0.80, 0.86], IV_fair(β_LR) in
    [0.2, 0.5], AIR(β_LR) < 0.8, mortgage has the largest per-feature IV_fair, utilization the largest IV."""
    y, a, Z = np.asarray(sim.y), np.asarray(sim.a), np.asarray(sim.Z)
    assert sim.X.shape == (20000, 7) and sim.Z.dtype == np.float64
    assert y.mean() == pytest.approx(0.15, abs=0.01)
    assert a.mean() == pytest.approx(0.30, abs=0.015)
    assert float(np.mean(np.asarray(sim.p_default))) == pytest.approx(0.15, abs=1e-9)   # the bisection's target
    n_tr = 14000
    mu, sd = Z[:n_tr].mean(0), Z[:n_tr].std(0)
    beta = np.asarray(logistic_irls((Z[:n_tr] - mu) / sd, y[:n_tr].astype(float)))
    s_te = ((Z[n_tr:] - mu) / sd) @ beta[1:]
    auc = stats.mannwhitneyu(s_te[y[n_tr:] == 1], s_te[y[n_tr:] == 0]).statistic / (
        (y[n_tr:] == 1).sum() * (y[n_tr:] == 0).sum())
    assert 0.80 <= auc <= 0.86
    zs = (Z - Z.mean(0)) / Z.std(0)
    b_lr = np.asarray(logistic_irls(zs, y.astype(float)))[1:]
    score = zs @ b_lr
    sb = tc.score_bin_iv(score, y, a, bins=10)
    assert 0.2 <= sb.iv_fair <= 0.5
    assert tc.adverse_impact_ratio(score <= np.quantile(score, 0.7), a) < 0.8

    def feature_iv(target):
        out = {}
        for i, name in enumerate(sim.feature_names):
            codes = np.searchsorted(np.asarray(tc.quantile_edges(Z[:, i], 10)), Z[:, i], side="right")
            c = np.asarray(tc.bin_counts(codes, target, 10))[0]
            out[name] = tc.information_value(c[:, 0], c[:, 1], zero="laplace").iv
        return out

    ivf, iv = feature_iv(a), feature_iv(y)
    assert max(ivf, key=ivf.get) == "mortgage"
    assert max(iv, key=iv.get) == "utilization"


def test_logistic_irls_matches_score_equations(sim):
    Z = np.asarray(sim.Z)[:3000]
    y = np.asarray(sim.y)[:3000].astype(float)
    zs = (Z - Z.mean(0)) / Z.std(0)
    beta = np.asarray(logistic_irls(zs, y))
    A = np.c_[np.ones(len(y)), zs]
    grad = A.T @ (y - 1 / (1 + np.exp(-A @ beta)))
    assert np.abs(grad).max() < 1e-6     # the MLE solves the score equations
