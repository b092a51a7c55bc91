"""Condorcet juries, correlated juries and Chen et al.'s vote curves (spec T10, T11)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

import theory.agents as ag
from theory.agents import AgentsError


@pytest.mark.parametrize(("n", "p", "ref"), [(3, .7, .784), (11, .6, .75349813248), (101, .55, .8437553996)])
def test_t10_condorcet(n, p, ref):
    assert float(ag.condorcet_accuracy(n, p)) == pytest.approx(ref, abs=1e-9)
    assert float(ag.condorcet_accuracy(n, p)) == pytest.approx(stats.binom.sf((n - 1) // 2, n, p), abs=1e-12)


def test_t10_correlated_juries():
    assert float(ag.correlated_jury_accuracy(5, .7, .3)) == pytest.approx(.795844, abs=1e-9)
    assert float(ag.correlated_jury_accuracy(5, .7, .3, model="beta_binomial")) == pytest.approx(.7442501245,
                                                                                                 abs=1e-9)
    assert float(ag.correlated_jury_accuracy(101, .6, .1, model="beta_binomial")) == pytest.approx(.7280680319,
                                                                                                   abs=1e-9)
    # corr = 0 is the Condorcet jury in both models; p = 0 and 1 are exact
    for model in ("mixture", "beta_binomial"):
        assert float(ag.correlated_jury_accuracy(7, .6, 0.0, model=model)) == pytest.approx(
            float(ag.condorcet_accuracy(7, .6)), abs=1e-14)
        np.testing.assert_allclose(ag.correlated_jury_accuracy(7, [0.0, 1.0], 0.4, model=model), [0.0, 1.0])
    with pytest.raises(AgentsError, match="model"):
        ag.correlated_jury_accuracy(5, .7, .3, model="copula")


@pytest.mark.parametrize(("b", "c", "mix", "bb"), [(3, .1, 1.45, 1.3681818), (3, .3, 1.35, 1.1884615),
                                                  (5, .3, 1.6125, 1.2670388), (7, .3, 1.83125, 1.3100182)])
def test_t10_dependence_gain(b, c, mix, bb):
    assert float(ag.dependence_gain(b, c)) == pytest.approx(mix, abs=1e-6)
    assert float(ag.dependence_gain(b, c, model="beta_binomial")) == pytest.approx(bb, abs=1e-6)
    # finite difference of the jury's bias 2P - 1 in the voters' bias x = 2p - 1, at x = 0
    h = 1e-5
    for model, ref in (("mixture", mix), ("beta_binomial", bb)):
        up = float(ag.correlated_jury_accuracy(b, 0.5 + h / 2, c, model=model))
        down = float(ag.correlated_jury_accuracy(b, 0.5 - h / 2, c, model=model))
        assert (2 * up - 1 - (2 * down - 1)) / (2 * h) == pytest.approx(ref, rel=1e-6)
    # the copy model gains more than the exchangeable model at the same correlation
    assert mix > bb


def test_dependence_gain_mixture_is_alpha_over_gamma():
    assert float(ag.dependence_gain(5, 0.3)) == pytest.approx(float(ag.amplification_factor(1.0, 0.3, 5)))
    assert float(ag.dependence_gain(9, 0.0, model="beta_binomial")) == pytest.approx(float(ag.majority_gain(9)))


@pytest.mark.parametrize(("args", "k_star", "f_star"), [((.8, .7, .45), 33, .8499158735),
                                                       ((.75, .65, .4), 57, .7582357212)])
def test_t11_chen_peak(args, k_star, f_star):
    peak = ag.optimal_num_calls(*args)
    assert peak.k_star == k_star
    assert peak.f_star == pytest.approx(f_star, abs=1e-9)
    assert peak.shape == peak.shape_rule == "inverse_u"
    # the closed-form steps agree with direct incomplete-beta evaluation of F(K)
    ks = np.arange(1, 202, 2)
    curve = np.asarray(ag.vote_accuracy(ks, *args))
    assert int(ks[np.argmax(curve)]) == k_star
    assert float(curve.max()) == pytest.approx(f_star, abs=1e-9)
    assert peak.f_one == pytest.approx(float(curve[0]), abs=1e-15) and peak.f_limit == args[0]


@pytest.mark.parametrize(("args", "shape"), [((.5, .9, .2), "decreasing"), ((.3, .6, .2), "u"),
                                            ((.9, .6, .3), "increasing")])
def test_t11_shapes(args, shape):
    peak = ag.optimal_num_calls(*args)
    assert peak.shape == shape and peak.shape_rule == shape


def test_t11_shape_rule_random_triples():
    rng = np.random.default_rng(11)
    checked = 0
    while checked < 500:
        alpha, p1, p2 = rng.uniform(0.02, 0.98), rng.uniform(0.52, 0.98), rng.uniform(0.02, 0.48)
        if abs(p1 + p2 - 1) < 0.02:
            continue
        t = p2 * (1 - p2) * (0.5 - p2) / (p1 * (1 - p1) * (p1 - 0.5)) + 1
        if abs(alpha - (1 - 1 / t)) < 0.02:
            continue
        peak = ag.optimal_num_calls(alpha, p1, p2, k_max=4001)
        assert peak.shape == peak.shape_rule, (alpha, p1, p2, peak)
        checked += 1


def test_bad_vote_inputs():
    with pytest.raises(AgentsError, match="p2"):
        ag.optimal_num_calls(.5, .7, .6)
    with pytest.raises(AgentsError, match="k_max"):
        ag.optimal_num_calls(.5, .7, .3, k_max=100)
    with pytest.raises(AgentsError, match="k_max"):
        ag.optimal_num_calls(.5, .7, .3, k_max=100_001)
    with pytest.raises(AgentsError, match="alpha"):
        ag.vote_accuracy(3, 1.5, .7, .3)
    with pytest.raises(AgentsError, match="n"):
        ag.condorcet_accuracy(4, .6)
    with pytest.raises(AgentsError, match="p"):
        ag.condorcet_accuracy(3, 1.1)
    with pytest.raises(AgentsError, match="corr"):
        ag.correlated_jury_accuracy(3, .6, 1.0)
    with pytest.raises(AgentsError, match="k"):
        ag.vote_accuracy(np.array([1, 2]), .5, .7, .3)
    assert ag.condorcet_accuracy(np.int8(3), np.float32(0.7)).dtype == np.float64


@given(n=st.integers(0, 60).map(lambda k: 2 * k + 1), p=st.floats(0.5, 1.0), c=st.floats(0.0, 0.95))
def test_property_juries(n, p, c):
    mix = float(ag.correlated_jury_accuracy(n, p, c))
    bb = float(ag.correlated_jury_accuracy(n, p, c, model="beta_binomial"))
    cond = float(ag.condorcet_accuracy(n, p))
    # correlation can only hurt a competent jury, and both models stay between one voter and Condorcet
    assert p - 1e-9 <= mix <= cond + 1e-12
    assert p - 1e-9 <= bb <= cond + 1e-9
    # complement symmetry P_n(1 - p) = 1 - P_n(p)
    assert float(ag.condorcet_accuracy(n, 1 - p)) == pytest.approx(1 - cond, abs=1e-12)


def test_beta_binomial_jury_is_accurate_at_weak_correlation():
    """At corr -> 0 the beta-binomial jury is Condorcet's; scipy's betabinom.sf is off by ~1e-7 at tau ~ 1e8,
    so the module computes the tail by ratio recurrences. It must also agree with scipy where scipy is exact."""
    from scipy import stats

    n = np.array([1, 3, 11, 41, 101])
    for corr in (1e-6, 6.6415811239714655e-09, 1e-11):
        got = np.asarray(ag.correlated_jury_accuracy(n, 0.6, corr, model="beta_binomial"))
        np.testing.assert_allclose(got, np.asarray(ag.condorcet_accuracy(n, 0.6)), atol=50 * corr + 1e-13)
    assert float(ag.correlated_jury_accuracy(1, 0.5, 6.6415811239714655e-09, model="beta_binomial")) == 0.5
    corr = np.array([0.01, 0.1, 0.3, 0.6, 0.9])
    tau = (1 - corr) / corr
    expected = stats.betabinom.sf((n - 1) // 2, n, 0.7 * tau, 0.3 * tau)
    got = np.asarray(ag.correlated_jury_accuracy(n, 0.7, corr, model="beta_binomial"))
    np.testing.assert_allclose(got, expected, rtol=1e-11)
