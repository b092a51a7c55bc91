"""Hard top-K routing and load metrics."""

import numpy as np
import pytest

import theory.moe as moe


def test_topk_ties_go_to_lower_index_and_bias_is_subtracted():
    r = moe.topk_route([[1.0, 2.0, 2.0, 0.0, 2.0]], 2)
    np.testing.assert_array_equal(r.indices, [[1, 2]])
    r = moe.topk_route([[1.0, 2.0, 2.0, 0.0, 2.0]], 2, bias=[0, 0, 0.5, 0, 0])
    np.testing.assert_array_equal(r.indices, [[1, 4]])
    assert r.indices.dtype == np.int32


def test_topk_counts_and_loads():
    scores = np.array([[0.9, 0.1, 0.5], [0.2, 0.8, 0.7], [0.3, 0.4, 0.1]])
    r = moe.topk_route(scores, 2)
    np.testing.assert_array_equal(r.mask, [[1, 0, 1], [0, 1, 1], [1, 1, 0]])
    np.testing.assert_array_equal(r.counts, [2, 2, 2])
    np.testing.assert_allclose(r.loads, [2 / 3] * 3)
    assert float(np.sum(r.loads)) == pytest.approx(2)


def test_load_metrics_by_hand():
    m = moe.load_metrics([3.0, 1.0, 0.0, 0.0])
    assert m.max_vio == pytest.approx(2.0) and m.peak_ratio == pytest.approx(3.0)
    assert m.min_ratio == 0.0 and m.dead == 2
    assert m.cv == pytest.approx(np.std([3, 1, 0, 0]) / 1.0)
    f = np.array([0.75, 0.25])
    assert m.entropy == pytest.approx(-(f * np.log(f)).sum() / np.log(4))
    assert m.gini == pytest.approx(sum(abs(a - b) for a in [.75, .25, 0, 0] for b in [.75, .25, 0, 0]) / 8)
    assert m.l1_uniform == pytest.approx(0.5 + 0 + 0.25 + 0.25)
    u = moe.load_metrics(np.ones(5))
    assert (u.max_vio, u.cv, u.gini, u.l1_uniform, u.dead) == pytest.approx((0, 0, 0, 0, 0))
    assert u.entropy == pytest.approx(1.0)


def test_l1_load_error_normalises():
    assert moe.l1_load_error([2, 2], [1, 3]) == pytest.approx(0.5)
