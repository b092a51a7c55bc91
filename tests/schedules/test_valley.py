"""River valley: closed forms (spec §5.3), the caution-regime numbers (§5.4), Monte Carlo checks, bad input."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from theory.schedules import (
    RiverValley,
    ScheduleError,
    constant_lr_moments,
    constant_schedule,
    cosine_schedule,
    optimal_hill_schedule,
    simulate_sgd,
    stationary_hill_loss,
    valley_moments,
    wsd_schedule,
    wsds_schedule,
)

CAUTION = RiverValley(river_curvature=1e-3, hill_curvature=1.0, river_noise=0.1, hill_noise=0.1)
T = 10_000

# spec §5.4: final E[L] at μ=1e-3, a=1, σ_r²=σ_h²=0.1, x₀=10, T=10⁴, η_max=1, 20% decay
CAUTION_TARGETS = {
    "constant": (lambda: constant_schedule(1.0, T), 0.075013),
    "cosine->0": (lambda: cosine_schedule(1.0, T), 0.007776),
    "cosine->10%": (lambda: cosine_schedule(1.0, T, min_lr_ratio=0.1), 0.009385),
    "wsd linear->0": (lambda: wsd_schedule(1.0, T), 0.015457),
    "wsd 1-sqrt->0": (lambda: wsd_schedule(1.0, T, decay_shape="1-sqrt"), 0.014618),
    "wsd linear->10%": (lambda: wsd_schedule(1.0, T, min_lr_ratio=0.1), 0.017328),
    "wsd inverse->10%": (lambda: wsd_schedule(1.0, T, decay_shape="inverse", min_lr_ratio=0.1), 0.016816),
}


@pytest.mark.parametrize("name", list(CAUTION_TARGETS))
def test_caution_regime_final_losses(name):
    make, paper = CAUTION_TARGETS[name]
    ours = float(valley_moments(make(), CAUTION).final_loss)
    assert abs(ours - paper) <= 1e-6, (ours, paper)


def test_caution_monte_carlo_within_4se():
    sim = simulate_sgd(wsd_schedule(1.0, T), CAUTION, jax.random.key(7), n_paths=2000, record_every=T)
    exact = float(valley_moments(wsd_schedule(1.0, T), CAUTION).final_loss)
    se = float(sim.std_loss[-1]) / np.sqrt(sim.n_paths)
    assert abs(float(sim.mean_loss[-1]) - exact) < 4 * se
    assert abs(float(np.mean(sim.final_loss)) - float(sim.mean_loss[-1])) < 1e-12


def test_stationary_hill_loss_closed_form():
    assert stationary_hill_loss(0.5, 1.0, 0.1) == pytest.approx(1 / 60, rel=1e-15)
    # the constant-η recursion converges to it, and to ησ²/4 as ηa → 0
    m = constant_lr_moments(0.5, 200, RiverValley(river_curvature=0.0, hill_noise=0.1), x0=0.0)
    assert float(m.hill_loss[-1]) == pytest.approx(1 / 60, rel=1e-12)
    assert stationary_hill_loss(1e-6, 1.0, 0.1) == pytest.approx(1e-6 * 0.1 / 4, rel=1e-5)


@pytest.mark.parametrize("valley", [RiverValley(), CAUTION, RiverValley(river_curvature=0.0, river_noise=0.3)])
def test_constant_lr_closed_form_equals_recursion(valley):
    closed = constant_lr_moments(0.7, 500, valley, x0=3.0, y0=-2.0)
    rec = valley_moments(np.full(500, 0.7), valley, x0=3.0, y0=-2.0)
    for field in ("lr_sum", "river_mean", "river_mean_approx", "river_var", "hill_mean", "hill_var", "river_loss",
                  "hill_loss", "loss"):
        np.testing.assert_allclose(np.asarray(getattr(closed, field)), np.asarray(getattr(rec, field)),
                                   rtol=0, atol=1e-12, err_msg=field)


def test_optimal_hill_schedule_is_the_greedy_minimiser():
    a, s2, v0, n = 2.0, 0.3, 0.5, 30
    eta = np.asarray(optimal_hill_schedule(n, a, s2, v0))
    t0 = 1 + s2 / (a * a * v0)
    np.testing.assert_allclose(eta, 1 / (a * (np.arange(n) + t0)), rtol=1e-15)
    v = v0
    for t in range(n):  # an independent 1-D minimiser of v' = (1-ηa)²v + η²σ² at each step
        best = minimize_scalar(lambda e, v=v: (1 - e * a) ** 2 * v + e**2 * s2, bounds=(0, 1 / a), method="bounded",
                               options={"xatol": 1e-13})
        assert eta[t] == pytest.approx(best.x, rel=1e-6)
        v = (1 - eta[t] * a) ** 2 * v + eta[t] ** 2 * s2
        assert 1 / v == pytest.approx(1 / v0 + (t + 1) * a * a / s2, rel=1e-12)


def test_associative_scan_matches_scan_and_batches():
    scheds = np.stack([np.asarray(s.values()) for s in (wsd_schedule(1.0, 120), cosine_schedule(1.0, 120),
                                                        wsds_schedule(1.0, 120, 3, decay_fraction=0.2))])
    a = valley_moments(scheds, CAUTION)
    b = valley_moments(scheds, CAUTION, method="associative")
    assert a.loss.shape == (3, 121) and a.final_loss.shape == (3,)
    for field in ("river_mean", "river_var", "hill_mean", "hill_var", "loss"):
        np.testing.assert_allclose(np.asarray(getattr(a, field)), np.asarray(getattr(b, field)), rtol=0, atol=1e-12)
    one = valley_moments(scheds[1], CAUTION)
    np.testing.assert_allclose(np.asarray(one.loss), np.asarray(a.loss[1]), rtol=0, atol=1e-15)


def test_moments_match_monte_carlo_along_the_run():
    valley = RiverValley(river_curvature=0.01, hill_curvature=1.0, river_noise=0.05, hill_noise=0.2)
    sched = wsd_schedule(0.8, 400, decay_shape="1-sqrt")
    exact = valley_moments(sched, valley, x0=2.0, y0=1.0)
    sim = simulate_sgd(sched, valley, jax.random.key(0), n_paths=4000, x0=2.0, y0=1.0, record_every=50)
    np.testing.assert_array_equal(sim.steps, np.arange(0, 401, 50))
    ex = np.asarray(exact.loss)[sim.steps]
    se = np.asarray(sim.std_loss) / np.sqrt(4000)
    assert np.all(np.abs(np.asarray(sim.mean_loss) - ex) <= 4.5 * se + 1e-12)
    # the river/hill split of the simulation matches too
    rv = np.asarray(exact.river_loss)[sim.steps]
    assert np.all(np.abs(np.asarray(sim.mean_river_loss) - rv) <= 0.05 * rv + 1e-3)
    # variances: the sample variance of the final x matches Var x_T
    assert float(np.var(np.asarray(sim.final_x))) == pytest.approx(float(exact.river_var[-1]), rel=0.1)


def test_river_progress_approximation():
    m = valley_moments(cosine_schedule(0.01, 2000), RiverValley(river_curvature=1e-3), x0=5.0)
    # m_t = Π(1-η_s μ) m₀ ≈ m₀ e^{-μτ_t}, with relative error O(μ² Σ η²)
    np.testing.assert_allclose(np.asarray(m.river_mean), np.asarray(m.river_mean_approx), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(m.lr_sum[1:]), np.cumsum(np.asarray(cosine_schedule(0.01, 2000).values())),
                               rtol=1e-13)


def test_simulation_is_deterministic_and_runs_on_the_curved_valley():
    curved = RiverValley(river_curvature=1e-3, hill_curvature=1.0, hill_noise=0.05, amplitude=1.0, wavenumber=0.5)
    sched = wsd_schedule(0.5, 300)
    a = simulate_sgd(sched, curved, jax.random.key(3), n_paths=64, record_every=7)
    b = simulate_sgd(sched, curved, jax.random.PRNGKey(3), n_paths=64, record_every=7)
    np.testing.assert_array_equal(np.asarray(a.final_x), np.asarray(b.final_x))
    assert a.steps[-1] == 300 and a.steps[0] == 0 and a.mean_loss.shape == a.steps.shape
    assert np.all(np.isfinite(np.asarray(a.mean_loss)))
    # noise-free paths follow gradient descent exactly; check ∇L by central differences
    x, y, h = 1.3, -0.4, 1e-6
    gx, gy = curved.grad(x, y)
    fd_x = (curved.loss(x + h, y) - curved.loss(x - h, y)) / (2 * h)
    fd_y = (curved.loss(x, y + h) - curved.loss(x, y - h)) / (2 * h)
    assert float(gx) == pytest.approx(float(fd_x), rel=1e-7) and float(gy) == pytest.approx(float(fd_y), rel=1e-7)
    quiet = RiverValley(river_curvature=1e-3, hill_noise=0.0, amplitude=1.0, wavenumber=0.5)
    sim = simulate_sgd(np.full(5, 0.3), quiet, jax.random.key(0), n_paths=2, x0=1.3, y0=-0.4)
    xx, yy = 1.3, -0.4
    for _ in range(5):
        gx, gy = quiet.grad(xx, yy)
        xx, yy = xx - 0.3 * float(gx), yy - 0.3 * float(gy)
    assert float(sim.final_x[0]) == pytest.approx(xx, rel=1e-13) and float(sim.final_y[1]) == pytest.approx(yy,
                                                                                                             rel=1e-13)


@given(eta=st.floats(1e-4, 1.99), n=st.integers(1, 60), mu=st.floats(0.0, 1.0), a=st.floats(1e-3, 1.0))
def test_moments_are_nonnegative_and_split(eta, n, mu, a):
    valley = RiverValley(river_curvature=mu * a, hill_curvature=a, river_noise=0.2, hill_noise=0.3)
    m = constant_lr_moments(eta, n, valley, x0=1.0, y0=0.5)
    vx, vy = np.asarray(m.river_var), np.asarray(m.hill_var)
    assert np.all(np.isfinite(vx)) and np.all(vx >= 0) and np.all(vy >= 0)
    np.testing.assert_allclose(np.asarray(m.loss), np.asarray(m.river_loss) + np.asarray(m.hill_loss), rtol=1e-14)
    # the variance recursion, run by hand
    c, v = 1 - eta * a, 0.0
    for _ in range(n):
        v = c * c * v + eta * eta * 0.3
    assert vy[-1] == pytest.approx(v, rel=1e-10, abs=1e-300)


def test_float32_inputs_give_float64():
    m = valley_moments(np.full(10, 0.5, dtype=np.float32), RiverValley())
    assert m.loss.dtype == jnp.float64
    assert RiverValley().loss(np.float32(1.0), np.float32(2.0)).dtype == jnp.float64


BAD = [
    (lambda: RiverValley(hill_curvature=0.0), "hill_curvature"),
    (lambda: RiverValley(river_curvature=-1.0), "river_curvature"),
    (lambda: RiverValley(hill_noise=-0.1), "hill_noise"),
    (lambda: RiverValley(wavenumber=-1.0), "wavenumber"),
    (lambda: RiverValley(x_star=float("inf")), "x_star"),
    (lambda: valley_moments(np.full(5, 2.0), RiverValley()), "unstable"),
    (lambda: valley_moments(np.full(5, 0.1), RiverValley(amplitude=1.0, wavenumber=1.0)), "amplitude"),
    (lambda: valley_moments([], RiverValley()), "lrs"),
    (lambda: valley_moments([0.1, np.nan], RiverValley()), "lrs"),
    (lambda: valley_moments([0.1, -0.1], RiverValley()), "lrs"),
    (lambda: valley_moments([0.1], RiverValley(), method="euler"), "method"),
    (lambda: stationary_hill_loss(2.0, 1.0, 0.1), "lr"),
    (lambda: stationary_hill_loss(0.0, 1.0, 0.1), "lr"),
    (lambda: optimal_hill_schedule(10, 1.0, 0.1, 0.0), "v0"),
    (lambda: optimal_hill_schedule(0, 1.0, 0.1, 1.0), "n_steps"),
    (lambda: simulate_sgd([0.1], RiverValley(), jax.random.key(0), n_paths=0), "n_paths"),
    (lambda: simulate_sgd([0.1], RiverValley(), 0), "key"),
    (lambda: simulate_sgd([0.1], RiverValley(), jax.random.key(0), record_every=0), "record_every"),
    (lambda: simulate_sgd([1.0], RiverValley(amplitude=1.0, wavenumber=1.0), jax.random.key(0)), "unstable"),
    (lambda: simulate_sgd([0.1], RiverValley(), jax.random.key(0), n_paths=True), "n_paths"),
    (lambda: constant_lr_moments(0.1, 0, RiverValley()), "n_steps"),
]


@pytest.mark.parametrize("call,word", BAD)
def test_bad_input_raises(call, word):
    with pytest.raises(ScheduleError, match=word):
        call()
