import math

import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theory import TheoryError
from theory.scaling import SURFACES, LossSurface, ScalingInputError

CH = LossSurface(*SURFACES["chinchilla"])


def test_error_types():
    assert issubclass(ScalingInputError, TheoryError)


def test_allocation_formulas_match_direct_minimisation():
    # N*(C) minimises L(N, C/(6N)) along the IsoFLOP curve: check by a dense search in log N.
    C = 1e22
    logN = np.linspace(8, 13, 200001)
    N = 10**logN
    L = np.asarray(CH.loss(N, C / (6 * N)))
    n_best = N[np.argmin(L)]
    assert abs(math.log10(n_best) - math.log10(float(CH.N_opt(C)))) < 1e-4
    assert float(CH.N_opt(C) * CH.D_opt(C) * 6) == pytest.approx(C, rel=1e-12)
    assert float(CH.loss_opt(C)) == pytest.approx(L.min(), rel=1e-10)
    assert CH.a + CH.b == pytest.approx(1.0)
    assert CH.a0 == pytest.approx(math.log10(float(CH.N_opt(1.0))), abs=1e-12)
    assert CH.b0 == pytest.approx(math.log10(float(CH.D_opt(1.0))), abs=1e-12)


@given(st.floats(1e15, 1e27))
def test_compute_for_loss_inverts_loss_opt(C):
    assert float(CH.compute_for_loss(CH.loss_opt(C))) == pytest.approx(C, rel=1e-9)


def test_rescale_preserves_loss():
    s = CH.rescale(N_unit=1e6, D_unit=1e9)
    N, D = np.array([1e8, 3e9]), np.array([2e10, 5e11])
    np.testing.assert_allclose(np.asarray(s.loss(N / 1e6, D / 1e9)), np.asarray(CH.loss(N, D)), rtol=1e-13)


def test_float32_input_gives_float64():
    out = CH.loss(np.array([1e9], dtype=np.float32), np.array([2e10], dtype=np.float32))
    assert out.dtype == jnp.float64
    assert CH.N_opt(np.float32(1e20)).dtype == jnp.float64


@pytest.mark.parametrize("kw", [dict(A=0.0), dict(B=-1.0), dict(alpha=0.0), dict(beta=-0.1), dict(E=-0.1),
                                dict(E=float("nan")), dict(A=float("inf"))])
def test_bad_surface_raises(kw):
    vals = dict(E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28) | kw
    with pytest.raises(ScalingInputError, match=list(kw)[0]):
        LossSurface(**vals)


def test_loss_below_E_raises():
    with pytest.raises(ScalingInputError, match="L must be > E"):
        CH.compute_for_loss(1.0)
    with pytest.raises(ScalingInputError, match="N"):
        CH.loss(-1.0, 1e9)
    with pytest.raises(ScalingInputError, match="N_unit"):
        CH.rescale(N_unit=0.0)
