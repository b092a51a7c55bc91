"""Majority map f_b, its slope and gain g_b (spec T1, T2)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

import theory.agents as ag
from theory.agents import AgentsError

# a fixed set of fan-ins: every new b compiles a new kernel, and these cover k = 0 ... 40
ODD_B = st.sampled_from([1, 3, 5, 7, 9, 15, 21, 33, 81])


@pytest.mark.parametrize(("b", "g"), [(1, 1.0), (3, 1.5), (15, 3.14208984375), (21, 3.7001380920410156),
                                      (51, 5.7260338056200695), (101, 8.038512976105055)])
def test_t1_gain(b, g):
    assert float(ag.majority_gain(b)) == pytest.approx(g, rel=1e-12)
    # finite difference of the map at 0 agrees with the gain
    h = 1e-6
    fd = (float(ag.majority_bias(h, b)) - float(ag.majority_bias(-h, b))) / (2 * h)
    assert fd == pytest.approx(g, rel=1e-7)


def test_t1_gain_int_array_and_small_signal():
    np.testing.assert_allclose(ag.majority_gain(np.array([3, 15])), [1.5, 3.14208984375], rtol=1e-12)
    assert float(ag.majority_bias(1e-10, 3)) / 1e-10 == pytest.approx(1.5, rel=1e-12)


def test_t2_polynomials():
    x = np.linspace(-1, 1, 41)
    np.testing.assert_allclose(ag.majority_bias(x, 3), (3 * x - x**3) / 2, atol=1e-14)
    np.testing.assert_allclose(ag.majority_bias(x, 5), (15 * x - 10 * x**3 + 3 * x**5) / 8, atol=1e-14)
    for b in (1, 3, 51, 2001):
        np.testing.assert_array_equal(np.asarray(ag.majority_bias([-1.0, 1.0], b)), [-1.0, 1.0])


@pytest.mark.parametrize("b", [3, 9, 21, 101, 1023, 1025, 4001])
def test_matches_binomial_tail(b):
    x = np.linspace(-0.2, 0.9, 23)
    k = (b - 1) // 2
    ref = 2 * stats.binom.sf(k, b, (1 + x) / 2) - 1
    np.testing.assert_allclose(ag.majority_bias(x, b), ref, atol=1e-12)


def test_slope_finite_difference():
    x = np.linspace(-0.9, 0.9, 19)
    h = 1e-6
    for b in (3, 7, 21):
        fd = (np.asarray(ag.majority_bias(x + h, b)) - np.asarray(ag.majority_bias(x - h, b))) / (2 * h)
        np.testing.assert_allclose(ag.majority_bias_slope(x, b), fd, rtol=1e-7, atol=1e-9)


def test_accuracy_bias_and_ks():
    assert float(ag.bias_to_accuracy(0.4)) == pytest.approx(0.7)
    assert float(ag.accuracy_to_bias(0.7)) == pytest.approx(0.4)
    assert float(ag.kesten_stigum_fidelity(3)) == pytest.approx(0.5773502692, abs=1e-9)
    # the recursive-majority threshold 1/g_b is stricter than Kesten-Stigum 1/sqrt(b)
    bs = np.arange(3, 200, 2)
    assert np.all(1 / np.asarray(ag.majority_gain(bs)) > np.asarray(ag.kesten_stigum_fidelity(bs)))


def test_float32_in_float64_out():
    for out in (ag.majority_bias(np.float32(0.3), 3), ag.majority_bias_slope(np.ones(2, np.float32) / 3, 5),
                ag.bias_to_accuracy(np.float32(0.1)), ag.majority_gain(np.int32(5))):
        assert out.dtype == np.float64


@pytest.mark.parametrize("bad", [2, 0, -3, 3.5, True, "3", None])
def test_bad_b(bad):
    with pytest.raises(AgentsError, match="b"):
        ag.majority_bias(0.1, bad)


def test_bad_inputs():
    with pytest.raises(AgentsError, match="x"):
        ag.majority_bias(1.5, 3)
    with pytest.raises(AgentsError, match="x"):
        ag.majority_bias([np.nan], 3)
    with pytest.raises(AgentsError, match="x"):
        ag.majority_bias([], 3)
    with pytest.raises(AgentsError, match="p"):
        ag.accuracy_to_bias(1.2)
    with pytest.raises(AgentsError, match="b"):
        ag.majority_gain(np.array([3, 4]))
    with pytest.raises(AgentsError, match="b"):
        ag.kesten_stigum_fidelity(1)
    assert float(ag.majority_gain(np.int64(3))) == 1.5
    assert float(ag.majority_bias(0.2, 5.0)) == pytest.approx(float(ag.majority_bias(0.2, 5)))


@given(x=st.floats(0, 1), b=ODD_B)
def test_property_odd_bounded_increasing_concave(x, b):
    fx = float(ag.majority_bias(x, b))
    assert float(ag.majority_bias(-x, b)) == -fx
    assert 0.0 <= fx <= 1.0
    assert fx >= x - 1e-15  # majority never hurts a positive bias
    y = min(1.0, x + 0.01)
    assert float(ag.majority_bias(y, b)) >= fx - 1e-15
    assert float(ag.majority_bias_slope(y, b)) <= float(ag.majority_bias_slope(x, b)) + 1e-12
