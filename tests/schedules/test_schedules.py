"""Schedules: optax equalities (spec §5.1), the Levanter WSD-S test (§5.2), optax usage, invariants, bad input."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theory.schedules import (
    Schedule,
    ScheduleError,
    constant_schedule,
    cosine_schedule,
    decay_multiplier,
    linear_schedule,
    schedule_from_array,
    wsd_schedule,
    wsds_schedule,
)

STEPS = jnp.arange(0, 1100)


def _optax_values(sched, steps=STEPS):
    return np.asarray(jax.vmap(sched)(steps), dtype=np.float64)


@pytest.mark.parametrize("shape", ["linear", "cosine"])
def test_wsd_equals_optax_join_schedules(shape):
    p, f = 0.7, 0.1
    ours = wsd_schedule(p, 1000, decay_steps=200, warmup_steps=50, min_lr_ratio=f, decay_shape=shape)
    tail = optax.linear_schedule(p, f * p, 200) if shape == "linear" else optax.cosine_decay_schedule(p, 200, alpha=f)
    ref = optax.join_schedules([optax.linear_schedule(0.0, p, 50), optax.constant_schedule(p), tail], [50, 800])
    np.testing.assert_allclose(np.asarray(ours(STEPS)), _optax_values(ref), rtol=0, atol=1e-15)


def test_cosine_equals_optax_warmup_cosine():
    p, f = 3e-3, 0.1
    ours = cosine_schedule(p, 1000, warmup_steps=50, min_lr_ratio=f)
    ref = optax.warmup_cosine_decay_schedule(0.0, p, 50, 1000, f * p)
    np.testing.assert_allclose(np.asarray(ours(STEPS)), _optax_values(ref), rtol=0, atol=1e-15)


def test_linear_equals_optax_linear():
    ours = linear_schedule(2.0, 300, min_lr_ratio=0.25)
    np.testing.assert_allclose(np.asarray(ours(STEPS)), _optax_values(optax.linear_schedule(2.0, 0.5, 300)),
                               rtol=0, atol=1e-15)


def test_levanter_wsds_cycles():
    """Levanter's own WSD-S test: peak exactly at cycle starts and up to each decay, below right after."""
    s = wsds_schedule(1e-3, 1000, [300, 700], decay_fraction=0.1, decay_shape="cosine")
    v = np.asarray(s(jnp.arange(1001)))
    for t in (0, 269, 270, 300, 659, 660, 701, 969, 970):
        assert v[t] == 1e-3, t
    for t in (271, 661, 971):
        assert v[t] < 1e-3, t
    assert v[1000] == pytest.approx(1e-4, rel=1e-14)  # the last decay reaches f·η_max at T


@pytest.mark.parametrize("make", [
    lambda: constant_schedule(1e-2, 40, warmup_steps=5),
    lambda: cosine_schedule(1e-2, 40, warmup_steps=5, min_lr_ratio=0.1),
    lambda: wsd_schedule(1e-2, 40, decay_fraction=0.25, decay_shape="1-sqrt"),
    lambda: wsds_schedule(1e-2, 40, 2, decay_fraction=0.2),
    lambda: schedule_from_array(np.linspace(1e-2, 0, 40)),
])
def test_schedule_is_an_optax_learning_rate(make):
    """Run adamw with the schedule; each step must equal a hand update using schedule(t) (jit, traced int32)."""
    sched = make()
    tx = optax.adamw(learning_rate=sched, b1=0.0, b2=0.0, eps=0.0, weight_decay=0.0)
    params = {"w": jnp.asarray([1.0, -2.0])}
    state = tx.init(params)
    update = jax.jit(tx.update)
    for t in range(12):
        grads = {"w": jnp.asarray([0.5, -0.25])}
        updates, state = update(grads, state, params)
        # with b1 = b2 = eps = 0 Adam's direction is sign(g), so the step is exactly -η_t sign(g)
        expected = -float(sched(t)) * np.sign(np.asarray(grads["w"]))
        np.testing.assert_allclose(np.asarray(updates["w"]), expected, rtol=1e-12, atol=0)
        params = optax.apply_updates(params, updates)


def test_inject_hyperparams_records_schedule_values():
    sched = wsd_schedule(0.1, 20, decay_fraction=0.5)
    tx = optax.inject_hyperparams(optax.sgd)(learning_rate=sched)
    params = jnp.zeros(3)
    state = tx.init(params)
    seen = []
    for _ in range(21):
        _, state = tx.update(jnp.ones(3), state, params)
        seen.append(float(state.hyperparams["learning_rate"]))  # the LR the update just used
    np.testing.assert_allclose(seen, np.asarray(sched(jnp.arange(21))), rtol=0, atol=1e-15)


def test_jit_vmap_and_dtypes():
    s = wsds_schedule(1.0, 100, [30, 60], decay_shape="exp")
    t32 = jnp.arange(101, dtype=jnp.int32)
    eager = s(t32)
    assert eager.dtype == jnp.float64
    np.testing.assert_array_equal(np.asarray(jax.jit(jax.vmap(s))(t32)), np.asarray(eager))
    np.testing.assert_array_equal(np.asarray(jax.jit(s)(jnp.int32(45))), np.asarray(eager[45]))
    assert s.values().shape == (100,)
    assert s.lr_sum() == pytest.approx(float(np.sum(eager[:100])), rel=1e-14)
    # steps are clipped to [0, T]
    assert float(s(-5)) == float(s(0)) and float(s(10**6)) == float(s(100))
    f32 = schedule_from_array(np.linspace(1, 0, 10, dtype=np.float32))
    assert f32.values().dtype == jnp.float64
    assert decay_multiplier(np.float32(0.5), "linear", np.float32(0.0)).dtype == jnp.float64


def test_schedule_formulas_by_hand():
    s = wsd_schedule(2.0, 100, decay_fraction=0.2, decay_shape="1-sqrt", min_lr_ratio=0.1, warmup_steps=10,
                     warmup_init_ratio=0.5)
    v = np.asarray(s(jnp.arange(101)))
    np.testing.assert_allclose(v[:10], 2.0 * (0.5 + 0.5 * np.arange(10) / 10), rtol=1e-15)
    np.testing.assert_array_equal(v[10:81], 2.0)
    u = (np.arange(80, 101) - 80) / 20
    np.testing.assert_allclose(v[80:], 2.0 * (0.1 + 0.9 * (1 - np.sqrt(u))), rtol=1e-14)
    # decay_fraction·T + 1e-9 is floored: 0.3·10 = 2.9999999999999996 must still give 3 steps
    assert wsd_schedule(1.0, 10, decay_fraction=0.3).config["decay_steps"] == 3
    # an int K gives e_k = floor(kT/K)
    assert wsds_schedule(1.0, 10, 3, decay_fraction=0.5).config["cycle_ends"] == (3, 6, 10)
    # T is appended when missing; cyclic cosine returns to η_max at each cycle start
    cyc = wsds_schedule(1.0, 90, [30, 60], decay_fraction=1.0, decay_shape="cosine", min_lr_ratio=0.0)
    cv = np.asarray(cyc(jnp.arange(91)))
    assert cv[0] == cv[30] == cv[60] == 1.0 and cv[90] == 0.0
    np.testing.assert_allclose(cv[30:60], cv[:30], rtol=0, atol=1e-15)
    # rewarmup starts at f·η_max and rises linearly
    rw = wsds_schedule(1.0, 100, [50], decay_fraction=0.2, min_lr_ratio=0.2, rewarmup_steps=5, decay_shape="linear")
    np.testing.assert_allclose(np.asarray(rw(jnp.arange(50, 56))), 0.2 + 0.8 * np.arange(6) / 5, rtol=1e-15)


@pytest.mark.parametrize("shape,expect", [
    ("linear", lambda u, f: f + (1 - f) * (1 - u)),
    ("cosine", lambda u, f: f + (1 - f) * 0.5 * (1 + np.cos(np.pi * u))),
    ("sqrt", lambda u, f: f + (1 - f) * (1 - np.sqrt(u))),
    ("inv", lambda u, f: 1 / (1 + (1 / f - 1) * u)),
    ("exp", lambda u, f: f**u),
])
def test_decay_multiplier_shapes(shape, expect):
    u = np.linspace(0, 1, 11)
    got = np.asarray(decay_multiplier(u, shape, 0.05))
    np.testing.assert_allclose(got, expect(u, 0.05), rtol=1e-14)
    assert got[0] == pytest.approx(1.0, abs=1e-15) and got[-1] == pytest.approx(0.05, rel=1e-13)


GRID = jnp.arange(-3, 410)
_shape = st.sampled_from(["linear", "cosine", "1-sqrt", "inverse", "exponential"])


@given(total=st.integers(2, 400), frac=st.floats(0.01, 1.0), shape=_shape, f=st.floats(0.0, 1.0),
       warm=st.integers(0, 50), r0=st.floats(0.0, 1.0), peak=st.floats(1e-6, 10.0))
def test_wsd_stays_in_range(total, frac, shape, f, warm, r0, peak):
    if shape in ("inverse", "exponential") and f == 0.0:
        f = 0.01
    if shape in ("inverse", "exponential") and f < np.finfo(np.float64).tiny:
        # subnormal floors would be flushed to zero inside XLA: rejected at the boundary
        with pytest.raises(ScheduleError, match="smallest normal float64"):
            wsd_schedule(peak, total, decay_fraction=frac, decay_shape=shape, min_lr_ratio=f, warmup_steps=warm)
        return
    d = int(np.floor(frac * total + 1e-9))
    if d < 1 or warm + d > total:
        with pytest.raises(ScheduleError):
            wsd_schedule(peak, total, decay_fraction=frac, decay_shape=shape, min_lr_ratio=f, warmup_steps=warm)
        return
    s = wsd_schedule(peak, total, decay_fraction=frac, decay_shape=shape, min_lr_ratio=f, warmup_steps=warm,
                     warmup_init_ratio=r0)
    v = np.asarray(s(GRID))  # one fixed grid: steps beyond [0, T] are clipped, and nothing recompiles
    assert np.all(v >= 0) and np.all(v <= peak * (1 + 1e-15))
    assert np.all(np.isfinite(v))
    # non-increasing once warmup is over, and ending at f·η_max
    tail = v[3 + warm: 3 + total + 1]
    assert np.all(np.diff(tail) <= 1e-15 * peak)
    assert tail[-1] == pytest.approx(f * peak, rel=1e-12, abs=1e-300)


@given(total=st.integers(10, 300), k=st.integers(1, 5), frac=st.floats(0.1, 1.0), shape=_shape,
       f=st.floats(0.01, 1.0), rewarm=st.integers(0, 5))
def test_wsds_stays_in_range(total, k, frac, shape, f, rewarm):
    try:
        s = wsds_schedule(1.5, total, k, decay_fraction=frac, decay_shape=shape, min_lr_ratio=f,
                          rewarmup_steps=rewarm)
    except ScheduleError:
        return
    v = np.asarray(s(GRID))[3: 3 + total + 1]
    assert np.all(v >= f * 1.5 * (1 - 1e-12)) and np.all(v <= 1.5)
    ends = s.config["cycle_ends"]
    assert v[-1] == pytest.approx(f * 1.5, rel=1e-12) and len(ends) == k


BAD = [
    (lambda: wsd_schedule(0.0, 10), "peak_lr"),
    (lambda: wsd_schedule(float("nan"), 10), "peak_lr"),
    (lambda: wsd_schedule(1.0, 0), "total_steps"),
    (lambda: wsd_schedule(1.0, True), "total_steps"),
    (lambda: wsd_schedule(1.0, 10.0), "total_steps"),
    (lambda: wsd_schedule(1.0, 10, warmup_steps=-1), "warmup_steps"),
    (lambda: wsd_schedule(1.0, 10, warmup_steps=9, decay_steps=2), "warmup_steps"),
    (lambda: wsd_schedule(1.0, 10, decay_fraction=0.0), "decay_fraction"),
    (lambda: wsd_schedule(1.0, 10, decay_fraction=1.5), "decay_fraction"),
    (lambda: wsd_schedule(1.0, 10, decay_steps=0), "decay_steps"),
    (lambda: wsd_schedule(1.0, 10, min_lr_ratio=-0.1), "min_lr_ratio"),
    (lambda: wsd_schedule(1.0, 10, min_lr_ratio=1.1), "min_lr_ratio"),
    (lambda: wsd_schedule(1.0, 10, decay_shape="inverse", min_lr_ratio=0.0), "min_lr_ratio"),
    (lambda: wsd_schedule(1.0, 10, decay_shape="exponential", min_lr_ratio=0.0), "min_lr_ratio"),
    (lambda: wsd_schedule(1.0, 10, decay_shape="step"), "decay_shape"),
    (lambda: cosine_schedule(1.0, 10, warmup_steps=10), "warmup_steps"),
    (lambda: constant_schedule(1.0, 10, warmup_init_ratio=2.0), "warmup_init_ratio"),
    (lambda: wsds_schedule(1.0, 100, [50, 40]), "strictly increasing"),
    (lambda: wsds_schedule(1.0, 100, [0, 40]), "cycle_ends"),
    (lambda: wsds_schedule(1.0, 100, [50, 140]), "cycle_ends"),
    (lambda: wsds_schedule(1.0, 100, [50.5]), "cycle_ends"),
    (lambda: wsds_schedule(1.0, 100, 0), "cycle_ends"),
    (lambda: wsds_schedule(1.0, 100, []), "cycle_ends"),
    (lambda: wsds_schedule(1.0, 100, [5], decay_fraction=0.1), "decay steps"),
    (lambda: wsds_schedule(1.0, 100, [50], rewarmup_steps=48), "warmup"),
    (lambda: schedule_from_array([]), "lrs"),
    (lambda: schedule_from_array([1.0, np.nan]), "lrs"),
    (lambda: schedule_from_array([1.0, -1.0]), "lrs"),
    (lambda: schedule_from_array([1.0, np.inf]), "lrs"),
    (lambda: schedule_from_array([True, False]), "lrs"),
    (lambda: decay_multiplier(1.5, "linear", 0.0), "u"),
    (lambda: decay_multiplier(-0.1, "linear", 0.0), "u"),
    (lambda: decay_multiplier(0.5, "nope", 0.0), "decay_shape"),
]


@pytest.mark.parametrize("call,word", BAD)
def test_bad_input_raises(call, word):
    with pytest.raises(ScheduleError, match=word):
        call()


def test_schedule_repr_and_config():
    s = wsd_schedule(1.0, 10)
    assert isinstance(s, Schedule) and s.total_steps == 10 and s.peak_lr == 1.0
    assert "wsd_linear" in repr(s)
    with pytest.raises(TypeError):
        s.config["decay_steps"] = 3
