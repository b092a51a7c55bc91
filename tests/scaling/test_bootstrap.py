import jax
import numpy as np
import pytest

from theory.scaling import (
    SURFACES,
    FitError,
    LossSurface,
    ScalingInputError,
    bootstrap_approach3,
    bootstrap_dcl,
    simulate_isoflops,
)

from ._data import llama3
from .test_cost import LLAMA_MS


def test_llama3_bootstrap_dcl():
    """n_boot = 2000: expect lower $0.31M ± 0.11M, upper $2.53M ± 0.30M and ≈16 % failed replicates (the
    paper's $412K–$2.88M is one 100-replicate draw)."""
    N, D, L, C = llama3()
    res = bootstrap_dcl(N, D, L, C, LLAMA_MS, 3.8e25, n_boot=2000, key=jax.random.PRNGKey(0))
    assert res.names == ("dcl", "fraction", "dollars")
    assert float(res.lower[2]) == pytest.approx(0.31e6, abs=0.11e6)
    assert float(res.upper[2]) == pytest.approx(2.53e6, abs=0.30e6)
    assert 0.12 < res.n_failed / 2000 < 0.20
    assert float(res.estimate[2]) == pytest.approx(1.392e6, rel=5e-3)
    assert res.converged and res.samples.shape == (2000 - res.n_failed, 3)


def test_bootstrap_approach3_covers_truth():
    s = LossSurface(*SURFACES["chinchilla"])
    d = simulate_isoflops(s, np.geomspace(1e17, 1e21, 5), noise_std=0.002, key=jax.random.PRNGKey(3))
    res = bootstrap_approach3(d.N, d.D, d.L, d.C, n_boot=20, key=jax.random.PRNGKey(1), level=0.9)
    assert res.names == ("E", "A", "B", "alpha", "beta", "a", "b")
    assert res.n_failed == 0 and res.samples.shape == (20, 7)
    i = res.names.index("a")
    assert float(res.lower[i]) < float(res.estimate[i]) < float(res.upper[i])
    assert abs(float(res.estimate[i]) - s.a) < 0.02


def test_bootstrap_bad_input():
    N, D, L, C = llama3()
    with pytest.raises(ScalingInputError, match="n_boot"):
        bootstrap_dcl(N, D, L, C, LLAMA_MS, 3.8e25, n_boot=5, key=jax.random.PRNGKey(0))
    with pytest.raises(ScalingInputError, match="key"):
        bootstrap_dcl(N, D, L, C, LLAMA_MS, 3.8e25, n_boot=100)
    with pytest.raises(ScalingInputError, match="level"):
        bootstrap_dcl(N, D, L, C, LLAMA_MS, 3.8e25, key=jax.random.PRNGKey(0), level=1.0)
    # Two budgets of 3 points with concave losses: a replicate either loses a distinct N or keeps all three
    # and a negative curvature, so every replicate fails.
    n = np.array([1e8, 2e8, 3e8, 1e9, 2e9, 3e9])
    c = np.repeat([1e19, 1e20], 3)
    with pytest.raises(FitError):
        bootstrap_dcl(n, c / (6 * n), np.array([2.9, 3.0, 2.9, 2.4, 2.5, 2.4]), c, LLAMA_MS, 1e24, n_boot=10,
                      key=jax.random.PRNGKey(0))
