import jax.numpy as jnp
import numpy as np
import pytest

from theory.scaling import SURFACES, LossSurface, conditioning, simulate_isoflops
from theory.scaling._conditioning import _rss2


def _grid():
    s = LossSurface(*SURFACES["asymmetric"])
    return s, simulate_isoflops(s, np.geomspace(1e17, 1e21, 5), grid_factor=8.0, drift_factor=10**0.2)


def test_conditioning_targets():
    """Asymmetric, ±8×, drift 10^0.2: eigenvalues 7.78e-6, 1.56e-5, 11.93, 2.611e4, 2.712e6 (±1 %);
    κ5 = 3.48e11 and κ2 = 10.57 (±2 %)."""
    s, d = _grid()
    c = conditioning(s, d.N, d.D)
    np.testing.assert_allclose(np.asarray(c.eigvals_5d), [7.78e-6, 1.56e-5, 11.93, 2.611e4, 2.712e6], rtol=1e-2)
    assert c.cond_5d == pytest.approx(3.48e11, rel=2e-2)
    assert c.cond_2d == pytest.approx(10.57, rel=2e-2)
    assert (np.diff(np.asarray(c.eigvals_5d)) > 0).all()


def test_hessians_match_finite_differences():
    s, d = _grid()
    c = conditioning(s, d.N, d.D)
    # Noise-free: the 5-D RSS Hessian is the Gauss-Newton 2JᵀJ exactly.
    N, D = np.asarray(d.N), np.asarray(d.D)
    J = np.c_[np.ones_like(N), N**-s.alpha, D**-s.beta, -s.A * np.log(N) * N**-s.alpha,
              -s.B * np.log(D) * D**-s.beta]
    np.testing.assert_allclose(np.asarray(c.hessian_5d), 2 * J.T @ J, rtol=1e-8, atol=1e-12)
    # 2-D: central differences of the profiled RSS around a perturbed point (RSS is not flat there).
    L = np.asarray(d.L) + 1e-3 * np.sin(np.arange(len(N)))
    c2 = conditioning(s, N, D, L)
    th, h = np.array([s.alpha, s.beta]), 1e-4
    f = lambda t: float(_rss2(jnp.asarray(t), jnp.asarray(N), jnp.asarray(D), jnp.asarray(L)))  # noqa: E731
    fd = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            ei, ej = np.eye(2)[i] * h, np.eye(2)[j] * h
            fd[i, j] = (f(th + ei + ej) - f(th + ei - ej) - f(th - ei + ej) + f(th - ei - ej)) / (4 * h * h)
    np.testing.assert_allclose(np.asarray(c2.hessian_2d), fd, rtol=1e-4)
