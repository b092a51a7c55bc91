"""Training-dynamics simulator: same token stream across methods, qualitative ordering, target 11 (opt-in)."""

import os

import jax
import numpy as np
import pytest

import theory.moe as moe

SMALL = dict(steps=300, tokens_per_step=512, num_experts=8, top_k=2, dim=16)


def test_same_stream_shapes_balancing_and_quality():
    key = jax.random.PRNGKey(0)
    runs = {m: moe.simulate_training(key, m, **SMALL) for m in ("none", "aux_loss", "equilibrium")}
    runs["loss_free"] = moe.simulate_training(key, "loss_free", update_rate=1e-2, **SMALL)

    # Same token stream: every method starts from a zero offset, so step 0 routes identically, and
    # loss-free with u = 0 is exactly 'none'.
    for m in runs:
        np.testing.assert_array_equal(runs[m].counts[0], runs["none"].counts[0])
    same = moe.simulate_training(key, "loss_free", update_rate=0.0, **SMALL)
    np.testing.assert_array_equal(same.counts, runs["none"].counts)

    r = runs["loss_free"]
    assert r.max_vio.shape == (300,) and r.counts.shape == (300, 8) and r.offset.shape == (300, 8)
    counts = np.asarray(r.counts)
    np.testing.assert_allclose(counts.sum(1), 2 * 512)
    np.testing.assert_allclose(r.max_vio, counts.max(1) / counts.mean(1) - 1, atol=1e-12)
    np.testing.assert_allclose(r.cv, counts.std(1) / counts.mean(1), atol=1e-12)
    np.testing.assert_allclose(r.offset[0], np.zeros(8))
    steps = np.abs(np.diff(np.asarray(r.offset), axis=0))  # loss-free offsets move by ±u or 0 per step
    assert np.all(np.isclose(steps, 0.0) | np.isclose(steps, 1e-2))
    assert r.max_vio.dtype == np.float64

    late = {m: float(np.mean(t.max_vio[-100:])) for m, t in runs.items()}
    start = float(np.mean(runs["none"].max_vio[:10]))
    assert late["none"] == pytest.approx(start, rel=0.15)
    assert late["loss_free"] < 0.5 * late["none"]
    assert late["equilibrium"] < 0.5 * late["none"]
    assert late["aux_loss"] < late["none"]
    qual = {m: float(np.mean(t.quality)) for m, t in runs.items()}
    assert qual["none"] > qual["aux_loss"] > qual["loss_free"]


@pytest.mark.skipif(not os.environ.get("THEORY_MOE_FULL"), reason="full-size target 11: set THEORY_MOE_FULL=1")
def test_target11_full_defaults_bands():
    def means(method, **kw):
        out = []
        for k in range(5):
            mv = np.asarray(moe.simulate_training(jax.random.PRNGKey(k), method, **kw).max_vio)
            out.append((mv[:10].mean(), mv[100:200].mean(), mv[-100:].mean()))
        return np.mean(out, axis=0)

    none = means("none")
    assert abs(none[2] - none[0]) <= 0.05 * none[0] and 1.3 <= none[2] <= 2.7
    lf3 = means("loss_free", update_rate=1e-3)
    assert 0.09 <= lf3[2] <= 0.14 and 0.15 <= lf3[1] <= 0.7
    lf2 = means("loss_free", update_rate=1e-2)
    assert 0.15 <= lf2[2] <= 0.22 and lf2[2] >= lf3[2] + 0.04
    lf4 = means("loss_free", update_rate=1e-4)
    assert lf4[1] >= 0.8 * lf4[0]
    aux = means("aux_loss")
    assert 0.4 <= aux[2] <= 1.2
    assert means("equilibrium")[2] < 0.3
