"""Loss-curve laws: data anchors (§5.10), areas (§5.6), published MPL (§5.7), fits (§5.8, §5.9), bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theory import datasets
from theory.schedules import (
    MULTIPOWER_PUBLISHED,
    AnnealingParams,
    LossCurve,
    MultiPowerParams,
    ScheduleError,
    annealing_areas,
    annealing_predict,
    fit_annealing,
    fit_multipower,
    multipower_curves,
    multipower_predict,
    prediction_errors,
)

CURVES_100 = multipower_curves("100M")


def _mpl_by_definition(p: MultiPowerParams, lrs: np.ndarray, s: int, k0: int = 1) -> float:
    """L̂(s) straight from the formula, one point, plain numpy (independent of the blocked JAX version)."""
    k = np.arange(k0, s + 1)
    sk = np.array([lrs[j:s + 1].sum() for j in k])
    g = 1 - (1 + p.C * lrs[k] ** (-p.gamma) * sk) ** (-p.beta)
    ld = np.sum((lrs[k - 1] - lrs[k]) * g)
    return p.L0 + p.A * lrs[: s + 1].sum() ** (-p.alpha) - p.B * ld


def test_curves_rebuild_the_logged_lrs():
    df = datasets.load("wsd_multipower")
    for model in ("25M", "100M", "400M"):
        curves = multipower_curves(model)
        assert len(curves) == 9 and "wsdcon_9" in curves
        for stem, c in curves.items():
            logged = df[(df.model == model) & (df.schedule == stem)].sort_values("step")
            np.testing.assert_allclose(c.lrs[c.steps], logged["lr"].to_numpy(), rtol=0, atol=1e-12)
            assert c.lrs.size > c.steps[-1]


def test_data_anchors_400m():
    c = multipower_curves("400M")
    paper = {"constant_24000": 2.8167, "wsd_20000_24000": 2.7222, "wsdld_20000_24000": 2.7251,
             "cosine_24000": 2.7396}
    for stem, value in paper.items():
        assert c[stem].loss[-1] == pytest.approx(value, abs=5e-5), stem


def test_annealing_areas_small_example():
    s1, s2 = annealing_areas([1, 1, 0.5, 0.5, 0], decay=0.5)
    np.testing.assert_allclose(np.asarray(s1), [1, 2, 2.5, 3, 3], rtol=0, atol=1e-15)
    np.testing.assert_allclose(np.asarray(s2), [0, 0, 0.5, 0.75, 1.375], rtol=0, atol=1e-15)


# fixed length (one compilation) and no subnormal LRs (XLA flushes them to zero)
@given(st.lists(st.one_of(st.just(0.0), st.floats(1e-6, 1.0)), min_size=24, max_size=24), st.floats(0.0, 0.99),
       st.integers(0, 10))
def test_annealing_areas_match_a_loop(lrs, lam, w):
    eta = np.asarray(lrs)
    m, s2, acc = 0.0, [], 0.0
    for i in range(eta.size):
        m = 0.0 if i <= w else lam * m + (eta[i - 1] - eta[i])
        acc += m if i >= 1 else 0.0
        s2.append(acc)
    got1, got2 = annealing_areas(eta, decay=lam, warmup_steps=w)
    np.testing.assert_allclose(np.asarray(got2), s2, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(np.asarray(got1), np.cumsum(eta), rtol=1e-14)


def test_mpl_prediction_matches_the_definition():
    p = MULTIPOWER_PUBLISHED["25M"]
    lrs = CURVES_100["wsd_20000_24000"].lrs
    steps = np.array([1, 100, 2159, 2160, 15000, 20001, 23999])
    got = np.asarray(multipower_predict(p, lrs, steps))
    ref = [_mpl_by_definition(p, lrs, s) for s in steps]
    np.testing.assert_allclose(got, ref, rtol=1e-12)
    # the paper's variant: only drops after warmup (k₀ = W)
    got_w = np.asarray(multipower_predict(p, lrs, steps[3:], drop_start=2160))
    np.testing.assert_allclose(got_w, [_mpl_by_definition(p, lrs, s, 2160) for s in steps[3:]], rtol=1e-12)


def test_published_mpl_reproduces_the_logged_errors():
    """Mean relative errors logged by the reference code's evaluation with these parameters (logs/{25,100}.log)."""
    logged = {("100M", "cosine_72000"): 0.0024508, ("100M", "wsd_20000_24000"): 0.0012262,
              ("25M", "constant_72000"): 0.0004689}
    for (model, stem), value in logged.items():
        curve = multipower_curves(model)[stem] if model != "100M" else CURVES_100[stem]
        err = prediction_errors(MULTIPOWER_PUBLISHED[model], [curve])[stem]
        assert abs(err.mean_rel_error - value) <= 1e-6, (model, stem, err.mean_rel_error)


def test_published_mpl_100m_predictions_at_23999():
    p = MULTIPOWER_PUBLISHED["100M"]
    paper = {"cosine_24000": 2.990025, "wsd_20000_24000": 2.935197, "wsdld_20000_24000": 2.934122}
    for stem, value in paper.items():
        assert abs(float(multipower_predict(p, CURVES_100[stem].lrs, [23999])[0]) - value) <= 1e-5, stem
    opt = datasets.load("wsd_multipower_optimized")
    tail = opt[opt.model == "100M"].sort_values("step")["lr"].to_numpy()
    lrs = np.concatenate([np.linspace(0, 3e-4, 2160), tail])
    assert abs(float(multipower_predict(p, lrs, [23999])[0]) - 2.924687) <= 1e-5


def test_fit_annealing_100m_constant_cosine():
    fit = fit_annealing([CURVES_100["constant_24000"], CURVES_100["cosine_24000"]], warmup_steps=2160)
    assert fit.converged and fit.at_bound == () and fit.law == "annealing"
    assert fit.objective == pytest.approx(2.364506e-5, rel=1e-3)
    for name, value in zip(("L0", "A", "alpha", "C"), (2.78986, 0.59151, 0.45597, 0.48014), strict=True):
        assert getattr(fit.params, name) == pytest.approx(value, rel=0.01), name
    held = prediction_errors(fit.params, CURVES_100, warmup_steps=2160)
    assert abs(held["wsd_20000_24000"].final_pred - 2.93626) <= 1e-3
    assert abs(held["wsdld_20000_24000"].final_pred - 2.95001) <= 1e-3
    # the objective is the Huber sum the docstring states, recomputed here from the residuals
    r = np.concatenate([np.log(c.loss) - np.log(np.asarray(annealing_predict(fit.params, c.lrs, c.steps,
                                                                               warmup_steps=2160)))
                        for c in (CURVES_100["constant_24000"], CURVES_100["cosine_24000"])])
    huber = np.where(np.abs(r) <= 1e-3, 0.5 * r**2, 1e-3 * (np.abs(r) - 5e-4)).sum()
    assert fit.objective == pytest.approx(huber, rel=1e-12)


def test_fit_multipower_25m_reference_split():
    curves = multipower_curves("25M")
    fit = fit_multipower({k: curves[k] for k in ("constant_24000", "cosine_24000", "wsdcon_9")})
    assert fit.converged and fit.at_bound == ()
    assert fit.objective <= 1.38432e-4 * 1.001
    held = prediction_errors(fit.params, curves)
    assert abs(held["wsd_20000_24000"].final_pred - 3.27206) <= 1e-3
    assert abs(held["wsdld_20000_24000"].final_pred - 3.27400) <= 1e-3
    # far below the reference code's own objective with its published parameters
    published = prediction_errors(MULTIPOWER_PUBLISHED["25M"], curves)
    assert held["cosine_24000"].mean_rel_error < published["cosine_24000"].mean_rel_error


def test_fit_multipower_flags_non_identified_parameters():
    """Constant + cosine alone do not pin down (B, C, β): the fit must say a parameter ran to its box."""
    curves = multipower_curves("400M")
    fit = fit_multipower([curves["constant_24000"], curves["cosine_24000"]])
    assert {"C", "beta"} <= set(fit.at_bound) and not fit.converged and "box" in fit.status
    assert fit.params.B > 10 * MULTIPOWER_PUBLISHED["400M"].B  # B runs up as C, β run down
    # it still fits these two curves well; what it gets wrong is the held-out two-stage drops
    errors = prediction_errors(fit.params, curves)
    assert errors["cosine_24000"].mean_rel_error < 2e-3


def test_float32_inputs_give_float64():
    p = MULTIPOWER_PUBLISHED["25M"]
    lrs = CURVES_100["wsdcon_9"].lrs.astype(np.float32)
    assert multipower_predict(p, lrs, [10, 20]).dtype == np.float64
    assert annealing_areas(lrs)[1].dtype == np.float64


GOOD = CURVES_100["wsdcon_9"]
BAD = [
    (lambda: multipower_predict(MULTIPOWER_PUBLISHED["25M"], GOOD.lrs, [0, 5]), "S1"),
    (lambda: multipower_predict(MULTIPOWER_PUBLISHED["25M"], np.r_[1.0, 0.0, 1.0], [2]), "drop_start"),
    (lambda: multipower_predict(MULTIPOWER_PUBLISHED["25M"], GOOD.lrs, [5, 3]), "increasing"),
    (lambda: multipower_predict(MULTIPOWER_PUBLISHED["25M"], GOOD.lrs, [10**6]), "steps"),
    (lambda: multipower_predict((1, 2, 3), GOOD.lrs, [10]), "params"),
    (lambda: annealing_areas(GOOD.lrs, decay=1.0), "decay"),
    (lambda: annealing_predict(AnnealingParams(1, 1, 1, 1), GOOD.lrs, [0]), "S1"),
    (lambda: LossCurve("x", [2, 1], [1.0, 1.0], np.ones(5)), "increasing"),
    (lambda: LossCurve("x", [1, 2], [1.0, 0.0], np.ones(5)), "loss"),
    (lambda: LossCurve("x", [1, 9], [1.0, 1.0], np.ones(5)), "len"),
    (lambda: fit_multipower([]), "at least one"),
    (lambda: fit_multipower([LossCurve("x", [3], [1.0], np.ones(5))]), ">= 2"),
    (lambda: fit_multipower([GOOD], init=[1, 2]), "init"),
    (lambda: fit_multipower([GOOD], init=MultiPowerParams(9.9, 1, 1, 1, 1, 1, 1)), "outside"),
    (lambda: fit_annealing([GOOD], decay=-0.1), "decay"),
    (lambda: fit_annealing([GOOD], init=[1, 1, 1, np.nan]), "init"),
    (lambda: multipower_curves("7B"), "model"),
]


@pytest.mark.parametrize("call,word", BAD)
def test_bad_input_raises(call, word):
    with pytest.raises(ScheduleError, match=word):
        call()


def test_mpl_hand_gradient_matches_autodiff_and_finite_differences():
    import jax
    import jax.numpy as jnp

    from theory.schedules._laws import _mpl_curve as plain
    from theory.schedules._laws import _mpl_curve_and_grad, _mpl_data

    _mpl_curve = jax.jit(plain)

    # a short warmup-cosine-two-stage curve: every term of the gradient is exercised, and it compiles fast
    lrs = np.concatenate([np.linspace(0, 3e-4, 50), 3e-5 + 1.35e-4 * (1 + np.cos(np.pi * np.arange(1500) / 1500)),
                          np.full(500, 2e-5)])
    data = _mpl_data(lrs, np.arange(60, 2050, 90), 1)
    theta = jnp.asarray(MULTIPOWER_PUBLISHED["100M"].as_array())
    pred, grad = _mpl_curve_and_grad(theta, data)
    np.testing.assert_allclose(np.asarray(pred), np.asarray(_mpl_curve(theta, data)), rtol=1e-13)
    auto = np.asarray(jax.jit(jax.jacfwd(plain))(theta, data))
    np.testing.assert_allclose(np.asarray(grad), auto, rtol=1e-9, atol=1e-12 * np.abs(auto).max())
    for i in range(7):
        h = 1e-6 * max(1.0, abs(float(theta[i])))
        e = jnp.zeros(7).at[i].set(h)
        fd = (np.asarray(_mpl_curve(theta + e, data)) - np.asarray(_mpl_curve(theta - e, data))) / (2 * h)
        np.testing.assert_allclose(np.asarray(grad[:, i]), fd, rtol=1e-5, atol=1e-9)
