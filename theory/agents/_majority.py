"""The b-ary majority map f_b and its slope (spec section 2, "Majority" [classical]).

``f_b(x) = 2 P(Bin(b, (1+x)/2) >= k+1) - 1 = sign(x) I_{x^2}(1/2, k+1)``, k = (b-1)/2, written here as
``f_b(x) = g_b * int_0^x (1 - t^2)^k dt`` with ``g_b = f_b'(0) = 2 / B(1/2, k+1)`` [paper].
The integrand is a polynomial of degree 2k, so (k+1)-node Gauss-Legendre quadrature is exact; unlike the
binomial tail ``2P - 1`` it keeps full relative accuracy at small x (2P-1 loses 8 digits at x = 1e-10).
"""

from __future__ import annotations

from functools import lru_cache

import jax
import jax.numpy as jnp
import numpy as np
from scipy import special

from theory.agents._checks import as_odd, bias_arr, prob_arr

__all__ = ["bias_to_accuracy", "accuracy_to_bias", "majority_bias", "majority_bias_slope", "majority_gain",
           "kesten_stigum_fidelity", "gain_value", "f_b", "f_b_slope"]

# Past this many nodes the quadrature costs more than the incomplete beta; both are then accurate.
_MAX_NODES = 512


def gain_value(b: int) -> float:
    """``g_b = 2 / B(1/2, k+1)`` as a Python float (scipy's beta is accurate to a few ulp here)."""
    k = (int(b) - 1) // 2
    return float(2.0 / special.beta(0.5, k + 1.0))


@lru_cache(maxsize=None)
def _nodes(k: int) -> tuple[np.ndarray, np.ndarray]:
    # Gauss-Legendre on [0, 1]: t = (1 + u) / 2, weights halved.
    u, w = np.polynomial.legendre.leggauss(k + 1)
    return (1.0 + u) / 2.0, w / 2.0


def f_b(x: jax.Array, b: int) -> jax.Array:
    """Traceable f_b(x) for a static odd ``b``; used inside every kernel of the module."""
    k = (b - 1) // 2
    if k == 0:
        return x
    g = gain_value(b)
    if k + 1 <= _MAX_NODES:
        nodes, weights = (jnp.asarray(v) for v in _nodes(k))
        a = jnp.abs(x)
        # Near |x| = 1 integrate the small tail over [|x|, 1] instead, so that f_b(1) = 1 exactly and 1 - f_b
        # keeps its relative accuracy; either piece is an exact polynomial quadrature.
        head = a <= 0.5
        lo = jnp.where(head, 0.0, a)
        width = jnp.where(head, a, 1.0 - a)

        # A loop over nodes, not a (..., k+1) array reduced on its last axis: XLA on CPU reduces short minor
        # axes slowly, and the loop is 15x faster at 10^6 points.
        def add_node(i, acc):
            u = lo + width * nodes[i]
            return acc + weights[i] * ((1.0 - u) * (1.0 + u)) ** k

        integral = width * jax.lax.fori_loop(0, k + 1, add_node, jnp.zeros_like(a))
        val = jnp.where(head, g * integral, 1.0 - g * integral)
        return jnp.sign(x) * jnp.clip(val, 0.0, 1.0)
    return jnp.sign(x) * jax.scipy.special.betainc(0.5, k + 1.0, x * x)


def f_b_slope(x: jax.Array, b: int) -> jax.Array:
    """Traceable f_b'(x) = g_b (1 - x^2)^k."""
    k = (b - 1) // 2
    return gain_value(b) * (1.0 - x * x) ** k


_f_b_jit = jax.jit(f_b, static_argnums=1)
_f_b_slope_jit = jax.jit(f_b_slope, static_argnums=1)


def bias_to_accuracy(mu) -> jax.Array:
    """Accuracy ``p = (1 + mu) / 2`` of a vote with bias ``mu = E X`` (spec section 2) [classical]."""
    return jnp.asarray((1.0 + bias_arr(mu, "mu")) / 2.0)


def accuracy_to_bias(p) -> jax.Array:
    """Bias ``mu = 2p - 1`` of a vote that is correct with probability ``p`` [classical]."""
    return jnp.asarray(2.0 * prob_arr(p, "p") - 1.0)


def majority_bias(x, b) -> jax.Array:
    """Bias of a majority of ``b`` independent votes with bias ``x`` [classical].

    ``f_b(x) = 2P(Bin(b,(1+x)/2) >= k+1) - 1 = sign(x) I_{x^2}(1/2, k+1) = g_b int_0^x (1-t^2)^k dt``,
    evaluated by exact (k+1)-node Gauss-Legendre quadrature (incomplete beta past 512 nodes).
    ``x`` in [-1, 1] (any shape), ``b`` odd >= 1 (f_1 is the identity).
    """
    b = as_odd(b, allow_one=True)
    return _f_b_jit(jnp.asarray(bias_arr(x, "x")), b)


def majority_bias_slope(x, b) -> jax.Array:
    """Slope ``f_b'(x) = g_b (1 - x^2)^k`` of the majority map [classical]; ``b`` odd >= 1."""
    b = as_odd(b, allow_one=True)
    return _f_b_slope_jit(jnp.asarray(bias_arr(x, "x")), b)


def majority_gain(b) -> jax.Array:
    """Small-signal gain ``g_b = f_b'(0) = b C(b-1,k) / 2^(b-1) = 2 / B(1/2, k+1)`` [paper].

    ``b`` is an odd integer >= 1 or an array of them; g_1 = 1, g_3 = 3/2, g_b ~ sqrt(2b/pi).
    """
    bs = as_odd(b, allow_one=True, array=True)
    k = (np.asarray(bs, dtype=np.float64) - 1.0) / 2.0
    return jnp.asarray(2.0 / special.beta(0.5, k + 1.0))


def kesten_stigum_fidelity(b) -> jax.Array:
    """Kesten-Stigum reconstruction bound ``b gamma^2 > 1``, i.e. ``gamma_KS = 1/sqrt(b)`` [classical].

    Weaker than the recursive-majority threshold ``gamma g_b > 1`` (spec note (a), a correction of a
    secondary source that calls the paper's Thm 4 "Kesten-Stigum").
    """
    bs = as_odd(b, array=True)
    return jnp.asarray(1.0 / np.sqrt(np.asarray(bs, dtype=np.float64)))


