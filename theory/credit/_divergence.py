"""Five φ-divergences on share vectors, written in JAX so the delta method can differentiate them.

Every kind is D_φ(p, q) = Σ q_j φ(p_j/q_j) with φ(1) = 0; the χ² test of spec §2 (C2) scales it by
φ''(1), listed in ``PHI2``. Bins with ``mask == 0`` (empty or dropped) contribute nothing; their
shares are replaced by 1 before any log so gradients stay finite there.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from theory._validate import as_float_array, check_option, check_same_length
from theory.credit._errors import CreditInputError, ZeroCellError

KINDS = ("kl", "jeffreys", "js", "hellinger", "triangular")
LOG_KINDS = ("kl", "jeffreys")
# φ''(1) for each kind (classical; Yurdakul & Naranjo for PSI): T = 2 N_eff D / φ''(1) → χ²_{k-1}.
PHI2 = {"kl": 1.0, "jeffreys": 2.0, "js": 0.25, "hellinger": 0.25, "triangular": 1.0}


def _xlogy_ratio(x, y):
    """x ln(x/y) with 0 ln(0/y) = 0, safe to differentiate where x = 0."""
    safe_x = jnp.where(x > 0, x, 1.0)
    safe_y = jnp.where(x > 0, y, 1.0)
    return jnp.where(x > 0, safe_x * jnp.log(safe_x / safe_y), 0.0)


def kl_terms(p, q, mask):
    on = mask > 0
    return jnp.where(on, _xlogy_ratio(jnp.where(on, p, 0.0), jnp.where(on, q, 1.0)), 0.0)


def jeffreys_terms(p, q, mask):
    """(p_j - q_j) ln(p_j/q_j): IV contributions c_j (spec §2)."""
    on = mask > 0
    ps, qs = jnp.where(on, p, 1.0), jnp.where(on, q, 1.0)
    return jnp.where(on, (ps - qs) * jnp.log(ps / qs), 0.0)


def js_terms(p, q, mask):
    m = 0.5 * (p + q)
    on = mask > 0
    ms = jnp.where(on & (m > 0), m, 1.0)
    return jnp.where(on, 0.5 * _xlogy_ratio(p, ms) + 0.5 * _xlogy_ratio(q, ms), 0.0)


def hellinger_terms(p, q, mask):
    on = mask > 0
    # sqrt has an infinite derivative at 0; the where keeps the gradient finite for zero shares.
    sp = jnp.sqrt(jnp.where(on & (p > 0), p, 1.0)) * (p > 0)
    sq = jnp.sqrt(jnp.where(on & (q > 0), q, 1.0)) * (q > 0)
    return jnp.where(on, 0.5 * (sp - sq) ** 2, 0.0)


def triangular_terms(p, q, mask):
    on = (mask > 0) & (p + q > 0)
    s = jnp.where(on, p + q, 1.0)
    return jnp.where(on, (p - q) ** 2 / s, 0.0)


TERMS = {"kl": kl_terms, "jeffreys": jeffreys_terms, "js": js_terms, "hellinger": hellinger_terms,
         "triangular": triangular_terms}


def divergence_value(p, q, mask, kind: str):
    """Σ_j terms_j: jittable, differentiable in (p, q)."""
    return jnp.sum(TERMS[kind](p, q, mask))


_DIV_JIT = {kind: jax.jit(lambda p, q, m, _k=kind: divergence_value(p, q, m, _k)) for kind in KINDS}


def shares_pair(p, q, name_p="p", name_q="q") -> tuple[np.ndarray, np.ndarray]:
    """Validate two share (or count) vectors and renormalise each to sum 1."""
    a = as_float_array(p, name_p, error=CreditInputError, ndim=1, nonnegative=True)
    b = as_float_array(q, name_q, error=CreditInputError, ndim=1, nonnegative=True)
    check_same_length(error=CreditInputError, **{name_p: a, name_q: b})
    for arr, name in ((a, name_p), (b, name_q)):
        if arr.sum() <= 0:
            raise CreditInputError(f"{name} must not sum to 0, got {arr.tolist()!r}"[:200])
    return a / a.sum(), b / b.sum()


def divergence(p, q, kind: str = "jeffreys") -> float:
    """φ-divergence between share vectors p and q (each renormalised to sum 1), spec §2.

    kinds: ``kl`` Σ p ln(p/q); ``jeffreys`` Σ (p - q) ln(p/q) = KL(p‖q) + KL(q‖p) (= IV and = PSI in the paper);
    ``js`` ½KL(p‖m) + ½KL(q‖m), m = (p+q)/2; ``hellinger`` ½Σ(√p - √q)²; ``triangular`` Σ (p-q)²/(p+q).
    ``kl``/``jeffreys`` raise :class:`ZeroCellError` when a bin has exactly one of p_j, q_j equal to 0.
    """
    check_option(kind, "kind", KINDS, error=CreditInputError)
    a, b = shares_pair(p, q)
    if kind in LOG_KINDS:
        one_sided = ((a > 0) != (b > 0))
        if one_sided.any():
            raise ZeroCellError(f"bins {np.flatnonzero(one_sided).tolist()} have a zero share on one side only, "
                                f"so the {kind} divergence is infinite")
    size = max(8, 1 << (a.size - 1).bit_length())   # padded length: few compilations across bin counts
    pad = lambda v: jnp.asarray(np.concatenate([v, np.zeros(size - v.size)]))  # noqa: E731
    return float(_DIV_JIT[kind](pad(a), pad(b), pad(((a + b) > 0).astype(float))))
