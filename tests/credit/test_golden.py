"""Spec §5 golden values: each number is recomputed here and compared with the typed-in reference."""

import numpy as np
import pytest

import theory.credit as tc

G1, B1 = [10, 20], [30, 10]
G2, B2 = [50, 30, 20], [10, 20, 30]
G3, B3 = [400, 300, 200, 100], [20, 30, 40, 60]


def test_two_bin_golden():
    assert tc.information_value(G1, B1).iv == pytest.approx(0.7465664455, abs=1e-9)
    assert tc.iv_standard_error(G1, B1) == pytest.approx(0.4184719206, abs=1e-9)
    assert tc.iv_standard_error(G1, B1, method="paper") == pytest.approx(0.2217877698, abs=1e-9)
    t = tc.iv_test(G1, B1)
    assert t.statistic == pytest.approx(12.7982819231, abs=1e-9)
    assert t.p_value == pytest.approx(3.469378e-4, abs=1e-9)
    assert t.dof == 1
    assert tc.paper_z_test(G1, B1).z == pytest.approx(3.366130, abs=1e-6)


def test_three_bin_golden():
    assert tc.information_value(G2, B2).iv == pytest.approx(0.6446033330, abs=1e-9)
    assert tc.iv_standard_error(G2, B2) == pytest.approx(0.2659718375, abs=1e-9)
    assert tc.iv_standard_error(G2, B2, method="paper") == pytest.approx(0.1446579618, abs=1e-9)
    t = tc.iv_test(G2, B2)
    assert t.statistic == pytest.approx(24.1726249865, abs=1e-9)
    assert t.p_value == pytest.approx(5.636132e-6, abs=1e-9)
    var_w = np.asarray(tc.woe(G2, B2).se) ** 2
    np.testing.assert_allclose(var_w, [0.0933333, 0.0566667, 0.0566667], atol=1e-6)
    ci = tc.iv_confidence_interval(G2, B2, method="noncentral")
    assert ci.lower == pytest.approx(0.212450, abs=1e-5)
    assert ci.upper == pytest.approx(1.229411, abs=1e-5)
    assert tc.divergence(G2, B2, "js") == pytest.approx(0.0772499684, abs=1e-9)


def test_four_bin_golden_delta_ci():
    assert tc.information_value(G3, B3).iv == pytest.approx(0.7685769010, abs=1e-9)
    assert tc.iv_standard_error(G3, B3) == pytest.approx(0.1565362233, abs=1e-9)
    ci = tc.iv_confidence_interval(G3, B3)
    assert (ci.lower, ci.upper) == (pytest.approx(0.461772, abs=1e-6), pytest.approx(1.075382, abs=1e-6))
    assert ci.status == "ok" and ci.converged


def test_zero_cell_policies_golden():
    g, b = [10, 0, 5, 7], [3, 4, 0, 6]
    with pytest.raises(tc.ZeroCellError, match=r"\[1, 2\]"):
        tc.information_value(g, b)
    drop = tc.information_value(g, b, zero="drop")
    assert drop.iv == pytest.approx(0.2050137776, abs=1e-9)
    assert drop.dropped == (1, 2)
    assert tc.information_value(g, b, zero="laplace", pseudocount=0.5).iv == pytest.approx(1.2899883424, abs=1e-9)
    for res in (drop, tc.information_value(g, b, zero="laplace")):
        assert np.isfinite(np.asarray(res.contributions)).all() and np.isfinite(np.asarray(res.woe)).all()


def test_empty_bins_are_removed():
    a, b = tc.iv_test([5, 0, 7], [2, 0, 9]), tc.iv_test([5, 7], [2, 9])
    assert a.dof == b.dof == 1
    assert a.statistic == pytest.approx(b.statistic, abs=1e-12)
    assert tc.information_value([5, 0, 7], [2, 0, 9]).n_bins == 2


@pytest.mark.parametrize("kw, iv, breaks", [
    (dict(max_bins=8, monotonic="ascending"), 0.8250294462, (0, 1, 3, 4, 6, 7, 8)),
    (dict(max_bins=8, monotonic="none"), 0.8288355115, None),
    (dict(max_bins=3, monotonic="ascending"), 0.7104416521, (0, 1, 6, 8)),
    (dict(max_bins=3, monotonic="descending"), 0.0, (0, 8)),
])
def test_optimal_merge_golden(kw, iv, breaks):
    r = tc.optimal_merge([60, 50, 40, 45, 30, 20, 15, 10], [5, 12, 8, 15, 18, 10, 20, 22], **kw)
    assert r.iv == pytest.approx(iv, abs=1e-9)
    assert r.objective == pytest.approx(iv, abs=1e-9)
    if breaks is not None:
        assert r.breaks == breaks
    assert r.converged
