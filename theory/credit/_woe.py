"""WoE, IV and PSI (spec §2-§3.1; paper, definitions section): IV and PSI are the Jeffreys divergence J."""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from theory.credit._counts import prepare
from theory.credit._divergence import jeffreys_terms, kl_terms


@dataclass(frozen=True)
class WoEResult:
    """Per-bin weights of evidence W_j = ln(g_j/b_j) and their standard errors."""

    woe: jax.Array
    se: jax.Array
    se_paper: jax.Array
    good_share: jax.Array
    bad_share: jax.Array
    dropped: tuple[int, ...]
    zero_policy: str


@dataclass(frozen=True)
class IVResult:
    """IV = Σ (g_j - b_j) W_j = KL(g‖b) + KL(b‖g) with its per-bin contributions."""

    iv: float
    contributions: jax.Array
    woe: jax.Array
    kl_good_bad: float
    kl_bad_good: float
    n_good_total: float
    n_bad_total: float
    n_eff: float
    n_bins: int
    dropped: tuple[int, ...]
    zero_policy: str


@dataclass(frozen=True)
class PSIResult:
    """PSI = Σ (a_j - e_j) ln(a_j/e_j) = J(a, e) with its per-bin contributions."""

    psi: float
    contributions: jax.Array
    actual_share: jax.Array
    expected_share: jax.Array
    n_actual: float
    n_expected: float
    n_bins: int
    dropped: tuple[int, ...]
    zero_policy: str


@jax.jit
def _woe_terms(p, q, mask):
    on = mask > 0
    return jnp.where(on, jnp.log(jnp.where(on, p, 1.0) / jnp.where(on, q, 1.0)), 0.0)


@jax.jit
def _iv_parts(p, q, mask):
    c = jeffreys_terms(p, q, mask)
    return c, _woe_terms(p, q, mask), jnp.sum(kl_terms(p, q, mask)), jnp.sum(kl_terms(q, p, mask))


def effective_counts(prep, pseudocount: float):
    """(n_p, n_q, N_p, N_q) behind the shares: Laplace adds c per non-empty bin, else raw counts."""
    if prep.zero_policy == "laplace":
        on = (prep.n_p + prep.n_q) > 0
        return (np.where(on, prep.n_p + pseudocount, 0.0), np.where(on, prep.n_q + pseudocount, 0.0),
                prep.total_p + prep.n_bins * pseudocount, prep.total_q + prep.n_bins * pseudocount)
    return prep.n_p, prep.n_q, prep.total_p, prep.total_q


def woe(n_good, n_bad, *, zero: str = "error", pseudocount: float = 0.5) -> WoEResult:
    """Weights of evidence W_j = ln(g_j/b_j), g_j = n_jg/N_G, b_j = n_jb/N_B (paper definitions; spec §2).

    ``se`` is the multinomial delta-method SE, Var(W_j) = 1/n_jg - 1/N_G + 1/n_jb - 1/N_B (correction C3);
    ``se_paper`` is paper eq. (15), sqrt(1/n_jg + 1/n_jb), which overstates it. Empty and dropped bins get
    W = SE = 0. Zero cells follow ``zero`` ("error", "laplace" with ``pseudocount``, "drop").
    """
    prep = prepare(n_good, n_bad, zero=zero, pseudocount=pseudocount)
    ng, nb, tg, tb = effective_counts(prep, pseudocount)
    on = prep.mask > 0
    sg, sb = np.where(on, ng, 1.0), np.where(on, nb, 1.0)
    var = np.where(on, 1.0 / sg - 1.0 / tg + 1.0 / sb - 1.0 / tb, 0.0)
    var_paper = np.where(on, 1.0 / sg + 1.0 / sb, 0.0)
    k = prep.p.size
    w = jnp.asarray(np.asarray(_woe_terms(*prep.padded()[:3]))[:k])
    return WoEResult(w, jnp.asarray(np.sqrt(np.maximum(var, 0.0))), jnp.asarray(np.sqrt(var_paper)),
                     jnp.asarray(prep.p), jnp.asarray(prep.q), prep.dropped, prep.zero_policy)


def information_value(n_good, n_bad, *, zero: str = "error", pseudocount: float = 0.5) -> IVResult:
    """Information value IV = Σ_j (g_j - b_j) W_j = KL(g‖b) + KL(b‖g) = J(g, b) (paper claim (i); spec §2).

    Contributions c_j = (g_j - b_j) ln(g_j/b_j) ≥ 0; N_eff = N_G N_B/(N_G + N_B). Zero cells per ``zero``.
    """
    prep = prepare(n_good, n_bad, zero=zero, pseudocount=pseudocount)
    k = prep.p.size
    c, w, klgb, klbg = _iv_parts(*prep.padded()[:3])
    # slice on the host: slicing a JAX array compiles once per output length
    c, w = jnp.asarray(np.asarray(c)[:k]), jnp.asarray(np.asarray(w)[:k])
    tg, tb = prep.total_p, prep.total_q
    return IVResult(float(np.sum(np.asarray(c))), c, w, float(klgb), float(klbg), tg, tb, tg * tb / (tg + tb),
                    prep.n_bins, prep.dropped, prep.zero_policy)


def psi(actual, expected, *, zero: str = "error", pseudocount: float = 0.5) -> PSIResult:
    """Population stability index PSI = Σ_j (a_j - e_j) ln(a_j/e_j) = J(a, e) (paper claim (i); spec §2).

    ``actual``/``expected`` are bin counts of the two periods (n_A, n_E rows); zero cells per ``zero``.
    """
    prep = prepare(actual, expected, zero=zero, pseudocount=pseudocount, name_p="actual", name_q="expected")
    c = jnp.asarray(np.asarray(_iv_parts(*prep.padded()[:3])[0])[: prep.p.size])
    return PSIResult(float(np.sum(np.asarray(c))), c, jnp.asarray(prep.p), jnp.asarray(prep.q), prep.total_p,
                     prep.total_q, prep.n_bins, prep.dropped, prep.zero_policy)
