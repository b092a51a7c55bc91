"""Reproduction target 12: the synthetic 'game ≈ softmax, multi-type helps' check of moe_headlines."""

import numpy as np
import pytest

from simulations.moe.moe_headlines import synthetic_seed


def test_target12_game_matches_softmax_and_types_halve_the_error():
    # Spec size is 20 seeds × 2000 tokens (the driver's full run, figures/moe_headlines.json); 6 seeds × 500
    # tokens (the quick driver's token count, so compiled shapes are shared) shows the same ordering.
    runs = [synthetic_seed(s, 500) for s in range(6)]
    single = np.mean([r["l1_single"] for r in runs])
    soft = np.mean([r["l1_softmax"] for r in runs])
    multi = np.mean([r["l1_multi"] for r in runs])
    assert abs(single - soft) <= 0.25 * max(single, soft)
    assert 0.1 < single < 0.35 and 0.1 < soft < 0.35  # "both ≈ 0.2"
    assert multi <= 0.5 * min(single, soft)
    assert np.mean([r["gamma_multi"] for r in runs]) == pytest.approx(4.0, rel=0.15)
