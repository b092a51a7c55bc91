"""Equal-compute comparisons, multi-checkpoint accounting and the convex bound (spec §3, §5.5)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theory.schedules import (
    RiverValley,
    ScheduleError,
    compare_schedules,
    constant_schedule,
    convex_bound,
    cosine_schedule,
    multi_checkpoint,
    valley_moments,
    wsd_schedule,
    wsds_schedule,
)

BASE = RiverValley()


def _bound_by_definition(eta, g, d):
    """The O(T²) double sum, written straight from Schaipp et al.'s Thm (with our 0-based indices)."""
    T = len(eta)
    total = eta.sum()
    t1 = d**2 / (2 * total)
    t2 = np.sum(eta**2 * g**2) / (2 * total)
    t3 = 0.0
    for k in range(T - 1):
        t3 += eta[k] / eta[k + 1:].sum() * np.sum(eta[k:] ** 2 * g[k:] ** 2) / eta[k:].sum()
    return t1, t2, 0.5 * t3


def test_convex_bound_targets():
    const = convex_bound(np.ones(100))
    harmonic = np.sum(1 / np.arange(1, 100))
    assert const.optimal_bound == pytest.approx(np.sqrt((1 + harmonic) / 100), rel=1e-13)
    assert const.optimal_bound == pytest.approx(0.2485433064, abs=1e-10)
    cos = convex_bound(cosine_schedule(1.0, 1000, min_lr_ratio=0.1))
    assert abs(cos.optimal_bound - 0.0669963681) <= 1e-8


def test_convex_bound_is_exact_at_long_horizons():
    """Suffix sums keep Ω* exact where total-minus-prefix sums (the reference code's) lose ~1e-9 at T = 1e6."""
    eta = np.asarray(cosine_schedule(1.0, 200_000, min_lr_ratio=0.1).values())
    e = eta.astype(np.longdouble)
    suffix, suffix_sq = np.cumsum(e[::-1])[::-1], np.cumsum((e * e)[::-1])[::-1]
    t1, t2 = 1 / (2 * e.sum()), (e * e).sum() / (2 * e.sum())
    t3 = 0.5 * np.sum(e[:-1] / suffix[1:] * suffix_sq[:-1] / suffix[:-1])
    exact = float(2 * np.sqrt(t1 * (t2 + t3)))
    assert convex_bound(eta).optimal_bound == pytest.approx(exact, rel=1e-13)


@given(st.lists(st.one_of(st.just(0.0), st.floats(1e-3, 5.0)), min_size=2, max_size=40), st.floats(0.1, 3.0),
       st.floats(0.1, 3.0))
def test_convex_bound_equals_double_sum_and_scaling(lrs, g, d):
    eta = np.asarray(lrs)
    if not np.any(eta > 0):
        with pytest.raises(ScheduleError):
            convex_bound(eta)
        return
    gs = np.linspace(g, 2 * g, eta.size)
    res = convex_bound(eta, grad_norm=gs, distance=d)
    n = int(np.flatnonzero(eta)[-1]) + 1
    ref = _bound_by_definition(eta[:n], gs[:n], d)
    np.testing.assert_allclose(res.terms, ref, rtol=1e-10)
    assert res.n_steps == n
    # Ω(γ) = t₁/γ + γ(t₂+t₃) is minimised at γ*: scaling the schedule by γ* gives Ω* as its bound
    scaled = convex_bound(eta * res.optimal_scale, grad_norm=gs, distance=d)
    assert scaled.bound == pytest.approx(res.optimal_bound, rel=1e-9)
    for factor in (0.9, 1.1):
        assert convex_bound(eta * res.optimal_scale * factor, grad_norm=gs, distance=d).bound >= scaled.bound


def test_compare_schedules_picks_the_lowest_final_loss():
    T = 2000
    comp = compare_schedules({"constant": constant_schedule(1.0, T), "cosine": cosine_schedule(1.0, T),
                              "wsd": wsd_schedule(1.0, T, decay_shape="1-sqrt")}, BASE)
    assert comp.names == ("constant", "cosine", "wsd") and comp.total_steps == T
    for i, s in enumerate((constant_schedule(1.0, T), cosine_schedule(1.0, T), wsd_schedule(1.0, T,
                                                                                            decay_shape="1-sqrt"))):
        m = valley_moments(s, BASE)
        assert comp.final_loss[i] == pytest.approx(float(m.final_loss), rel=1e-14)
        assert comp.lr_sum[i] == pytest.approx(s.lr_sum(), rel=1e-12)
    assert comp.best == comp.names[int(np.argmin(comp.final_loss))] == "wsd"
    np.testing.assert_allclose(comp.river_loss + comp.hill_loss, comp.final_loss, rtol=1e-14)


def test_multi_checkpoint_accounting():
    cps = [500, 1000, 1500, 2000]
    wsd = multi_checkpoint("wsd", cps, BASE)
    d = 100  # ⌊0.2·500⌋ for every gap of 500 steps; branch k also paid for the k earlier decays
    np.testing.assert_array_equal(wsd.compute, [500, 1000 + d, 1500 + 2 * d, 2000 + 3 * d])
    branch = wsd_schedule(1.0, 1500, decay_steps=d, decay_shape="1-sqrt")
    assert wsd.loss[2] == pytest.approx(float(valley_moments(branch, BASE).final_loss), rel=1e-14)
    wsds = multi_checkpoint("wsds", cps, BASE)
    run = valley_moments(wsds_schedule(1.0, 2000, cps, decay_fraction=0.2, decay_shape="1-sqrt", min_lr_ratio=0.0),
                         BASE)
    np.testing.assert_allclose(wsds.loss, np.asarray(run.loss)[cps], rtol=1e-14)
    np.testing.assert_array_equal(wsds.compute, cps)
    # the first checkpoint is the same schedule for both methods
    assert wsds.loss[0] == pytest.approx(wsd.loss[0], rel=1e-13)
    cyc = multi_checkpoint("cyclic_cosine", cps, BASE)
    run = valley_moments(wsds_schedule(1.0, 2000, cps, decay_fraction=1.0, decay_shape="cosine", min_lr_ratio=0.0),
                         BASE)
    np.testing.assert_allclose(cyc.loss, np.asarray(run.loss)[cps], rtol=1e-14)
    assert np.all(np.diff(cyc.lr_sum) > 0)


BAD = [
    (lambda: convex_bound(np.zeros(5)), "positive"),
    (lambda: convex_bound(np.ones(5), grad_norm=-1.0), "grad_norm"),
    (lambda: convex_bound(np.ones(5), grad_norm=np.ones(4)), "grad_norm"),
    (lambda: convex_bound(np.ones(5), distance=0.0), "distance"),
    (lambda: convex_bound([]), "lrs"),
    (lambda: compare_schedules({}, BASE), "non-empty"),
    (lambda: compare_schedules({"a": np.ones(5) * 0.1, "b": np.ones(6) * 0.1}, BASE), "same number"),
    (lambda: multi_checkpoint("sgdr", [10, 20], BASE), "method"),
    (lambda: multi_checkpoint("wsd", [20, 10], BASE), "increasing"),
    (lambda: multi_checkpoint("wsd", [], BASE), "checkpoints"),
    (lambda: multi_checkpoint("wsd", [2, 4], BASE, decay_fraction=0.1), "decay steps"),
]


@pytest.mark.parametrize("call,word", BAD)
def test_bad_input_raises(call, word):
    with pytest.raises(ScheduleError, match=word):
        call()
