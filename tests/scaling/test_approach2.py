import jax
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theory.scaling import (
    SURFACES,
    FitError,
    LossSurface,
    ScalingInputError,
    approach2_bias,
    approach2_expected,
    fit_approach2,
    isoflop_experiment,
    simulate_isoflops,
)

BUDGETS = np.geomspace(1e17, 1e21, 5)


@pytest.mark.parametrize("name,b0_paper,log_err,mult_err", [
    ("symmetric", -0.389076, 0.0, 0.0),
    ("chinchilla", -0.578092, -4.094, -5.100),
    ("asymmetric", -1.459957, -8.483, -23.116),
])
def test_table1_pm16(name, b0_paper, log_err, mult_err):
    """Table 1, ±16×, noise-free: b exact, b0 and both error measures as published."""
    s = LossSurface(*SURFACES[name])
    d = simulate_isoflops(s, BUDGETS, grid_factor=16.0)
    fit = fit_approach2(d.N, d.D, d.L, d.C)
    assert fit.b == pytest.approx(s.b, abs=1e-9)
    assert fit.b0 == pytest.approx(b0_paper, abs=1e-6)
    assert 100 * (fit.b0 - s.b0) / abs(s.b0) == pytest.approx(log_err, abs=1e-3)
    assert 100 * (float(fit.D_star(1e24) / s.D_opt(1e24)) - 1) == pytest.approx(mult_err, abs=1e-3)


def test_closed_form_chinchilla():
    s = LossSurface(*SURFACES["chinchilla"])
    bias = approach2_bias(s, np.array([2.0, 4.0, 8.0, 16.0]))
    np.testing.assert_allclose(np.asarray(bias.delta_w), [0.001422, 0.005688, 0.012794, 0.022735], atol=1e-6)
    np.testing.assert_allclose(100 * np.asarray(bias.D_rel_error), [-0.327, -1.301, -2.903, -5.100], atol=1e-3)
    assert float(approach2_bias(LossSurface(*SURFACES["symmetric"]), 16.0).delta_w) == pytest.approx(0, abs=1e-12)


@pytest.mark.parametrize("name", ["symmetric", "chinchilla", "asymmetric"])
@pytest.mark.parametrize("k", [2.0, 4.0, 8.0, 16.0])
def test_simulated_equals_closed_form(name, k):
    s = LossSurface(*SURFACES[name])
    d = simulate_isoflops(s, BUDGETS, grid_factor=k)
    fit = fit_approach2(d.N, d.D, d.L, d.C)
    exp = approach2_expected(s, BUDGETS, grid_factor=k)
    dw = float(approach2_bias(s, k).delta_w)
    np.testing.assert_allclose(np.log10(np.asarray(fit.N_vertex)) - np.log10(np.asarray(s.N_opt(BUDGETS))), dw,
                               atol=1e-8)
    for attr in ("a", "a0", "b", "b0"):
        assert getattr(fit, attr) == pytest.approx(getattr(exp, attr), abs=1e-8)
    np.testing.assert_allclose(np.asarray(fit.curvature_N), np.asarray(exp.curvature_N), rtol=1e-6)


COMPOUNDING = {
    ("symmetric", "offset"): [3.97, 3.47, 2.65, 1.51],
    ("symmetric", "drift"): [6.07, 5.17, 3.70, 1.69],
    ("chinchilla", "offset"): [7.11, 5.69, 3.38, 0.24],
    ("chinchilla", "drift"): [11.61, 9.83, 6.94, 3.05],
}


@pytest.mark.parametrize("key", list(COMPOUNDING))
def test_compounding(key):
    """Offset 3× (center_scale 3) and drift to 3× (drift_factor 3): D* error at 1e24 in % (±0.01 pp); the
    simulated fit agrees with the closed form."""
    name, kind = key
    s = LossSurface(*SURFACES[name])
    kw = dict(center_scale=3.0) if kind == "offset" else dict(drift_factor=3.0)
    ours = []
    for k in (2.0, 4.0, 8.0, 16.0):
        exp = approach2_expected(s, BUDGETS, grid_factor=k, **kw)
        d = simulate_isoflops(s, BUDGETS, grid_factor=k, **kw)
        fit = fit_approach2(d.N, d.D, d.L, d.C)
        assert fit.b0 == pytest.approx(exp.b0, abs=1e-8)
        ours.append(100 * (float(exp.D_star(1e24) / s.D_opt(1e24)) - 1))
    np.testing.assert_allclose(ours, COMPOUNDING[key], atol=0.01)
    if name == "chinchilla":
        assert float(s.D_opt(1e24)) == pytest.approx(4.036e12, rel=1e-3)


@settings(max_examples=20)
@given(alpha=st.floats(0.1, 0.8), beta=st.floats(0.1, 0.8), k=st.floats(1.5, 30.0), n=st.sampled_from([3, 15]),
       cs=st.floats(0.3, 3.0))
def test_property_simulated_matches_bias(alpha, beta, k, n, cs):
    """Invariant: noise-free Approach 2 recovers the exponents exactly and its intercept shift is δw."""
    s = LossSurface(1.7, 300.0, 500.0, alpha, beta)
    d = simulate_isoflops(s, BUDGETS, grid_factor=k, n_points=n, center_scale=cs)
    fit = fit_approach2(d.N, d.D, d.L, d.C)
    dw = float(approach2_bias(s, k, n_points=n, center_scale=cs).delta_w)
    assert fit.a == pytest.approx(s.a, abs=1e-7)
    assert fit.a0 - s.a0 == pytest.approx(dw, abs=1e-7)
    assert fit.b0 - s.b0 == pytest.approx(-dw, abs=1e-7)
    # A centred grid on a symmetric surface has no bias: f(w) is then even in w.
    assert float(approach2_bias(LossSurface(1.7, 300.0, 300.0, alpha, alpha), k, n_points=n).delta_w) == \
        pytest.approx(0.0, abs=1e-10)


def test_llama3_approach2():
    d = isoflop_experiment("llama_3__raw_loss")
    assert len(d) == 133
    fit = fit_approach2(d.N, d.D, d.L, d.C)
    assert fit.a == pytest.approx(0.46322, abs=1e-4)
    assert fit.b == pytest.approx(0.53678, abs=1e-4)
    assert fit.a0 == pytest.approx(-0.25434, abs=1e-4)
    assert fit.b0 == pytest.approx(-0.52381, abs=1e-4)
    assert fit.converged and fit.status == "success"


def test_noise_needs_key_and_is_reproducible():
    s = LossSurface(*SURFACES["chinchilla"])
    with pytest.raises(ScalingInputError, match="key"):
        simulate_isoflops(s, BUDGETS, noise_std=0.01)
    a = simulate_isoflops(s, BUDGETS, noise_std=0.01, key=jax.random.PRNGKey(1))
    b = simulate_isoflops(s, BUDGETS, noise_std=0.01, key=jax.random.PRNGKey(1))
    np.testing.assert_array_equal(np.asarray(a.L), np.asarray(b.L))
    resid = np.asarray(a.L - s.loss(a.N, a.D))
    assert 0.005 < resid.std() < 0.02


def test_float64_out():
    s = LossSurface(*SURFACES["chinchilla"])
    d = simulate_isoflops(s, BUDGETS)
    fit = fit_approach2(*(np.asarray(v, dtype=np.float32) for v in (d.N, d.D, d.L)), np.asarray(d.C))
    assert fit.N_vertex.dtype == np.float64 and isinstance(fit.a, float)


@pytest.mark.parametrize("kw,match", [
    (dict(budgets=[]), "budgets"), (dict(budgets=[1e18, np.nan]), "budgets"), (dict(budgets=[1e18, -1.0]), "budgets"),
    (dict(budgets=[1e18, 1e18]), "distinct"), (dict(n_points=2), "n_points"), (dict(grid_factor=1.0), "grid_factor"),
    (dict(center_scale=0.0), "center_scale"), (dict(drift_factor=-1.0), "drift_factor"),
    (dict(noise_std=-0.1), "noise_std"),
])
def test_simulate_bad_input(kw, match):
    args = dict(budgets=BUDGETS) | kw
    with pytest.raises(ScalingInputError, match=match):
        simulate_isoflops(SURFACES["chinchilla"], args.pop("budgets"), **args)


def test_fit_approach2_errors():
    s = LossSurface(*SURFACES["chinchilla"])
    d = simulate_isoflops(s, BUDGETS)
    N, D, L, C = (np.asarray(v) for v in (d.N, d.D, d.L, d.C))
    with pytest.raises(FitError, match="2 budgets"):
        fit_approach2(N[:15], D[:15], L[:15], C[:15])
    with pytest.raises(FitError, match="distinct N"):
        fit_approach2(np.r_[N[:15], N[15:17]], np.r_[D[:15], D[15:17]], np.r_[L[:15], L[15:17]],
                      np.r_[C[:15], C[15:17]])
    with pytest.raises(FitError, match="curvature"):
        fit_approach2(N, D, -L + 10, C)
    with pytest.raises(ScalingInputError, match="same length"):
        fit_approach2(N, D, L[:-1], C)
    with pytest.raises(ScalingInputError, match="L"):
        fit_approach2(N, D, np.where(np.arange(len(L)) == 3, np.nan, L), C)
    with pytest.raises(ScalingInputError, match="name"):
        isoflop_experiment("nope")
    with pytest.raises(ScalingInputError, match="grid_factor"):
        approach2_bias(s, np.array([2.0, 0.5]))


def test_drop_outliers():
    assert len(isoflop_experiment("llama_3__raw_loss", drop_outliers=True)) < 133
