"""Hard top-K routing and load-balance metrics (spec §2 "Hard top-K" and "Metrics")."""

from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from theory.moe import _checks
from theory.moe._results import LoadMetrics, Routing

__all__ = ["l1_load_error", "load_metrics", "topk_route"]


def topk_core(scores, top_k, bias):
    """Indices of the K largest ``scores − bias`` per row, ties to the lower index; mask and counts."""
    # lax.top_k returns equal values in index order (XLA's TopK is stable), which is the tie rule.
    idx = jax.lax.top_k(scores - bias, top_k)[1].astype(jnp.int32)
    mask = jnp.sum(jax.nn.one_hot(idx, scores.shape[-1], dtype=jnp.float64), axis=-2)
    return idx, mask, jnp.sum(mask, axis=0)


@partial(jax.jit, static_argnames=("top_k",))
def _topk_jit(scores, bias, *, top_k):
    idx, mask, counts = topk_core(scores, top_k, bias)
    return idx, mask, counts, counts / scores.shape[0]


def topk_route(scores: Any, top_k: int, bias: Any = None) -> Routing:
    """Hard top-K routing: token i goes to the K experts with the largest ``score_ie − b_e`` (spec §2).

    Ties go to the lower expert index. ``scores`` is (N, E) (1-D = one token); ``loads = counts / N`` sums to K.
    """
    s = _checks.quality_matrix(scores, "scores")
    e = s.shape[1]
    k = _checks.top_k_value(top_k, e)
    b = _checks.expert_vector(bias, e, "bias")
    return Routing(*_topk_jit(s, b, top_k=k))


def load_metrics(loads: Any) -> LoadMetrics:
    """Balance metrics of loads ℓ ≥ 0 with f = ℓ/Σℓ (spec §2 Metrics).

    ``max_vio = max/mean − 1`` (Wang et al. 2024, Eq. 4), ``peak_ratio = max/mean``, ``min_ratio = min/mean``,
    ``cv`` = population std/mean, ``entropy = H(f)/log E``, ``gini = Σ_iΣ_j|f_i − f_j|/(2E)``,
    ``dead = #{ℓ_e = 0}``, ``l1_uniform = Σ|f − 1/E|``.
    """
    v = _checks.as_float_array(loads, "loads", error=_checks.MoEInputError, ndim=1, min_size=2, nonnegative=True)
    if v.sum() <= 0:
        raise _checks.MoEInputError(f"loads must not be all zero, got {_checks.short_repr(v)}")
    e = v.size
    f = v / v.sum()
    mean = v.mean()
    nz = f[f > 0]
    return LoadMetrics(
        max_vio=float(v.max() / mean - 1), peak_ratio=float(v.max() / mean), min_ratio=float(v.min() / mean),
        cv=float(v.std() / mean), entropy=float(-(nz * np.log(nz)).sum() / np.log(e)),
        gini=float(np.abs(f[:, None] - f[None, :]).sum() / (2 * e)), dead=int((v == 0).sum()),
        l1_uniform=float(np.abs(f - 1 / e).sum()))


def l1_load_error(predicted: Any, observed: Any) -> float:
    """L¹ distance between load shares: ``Σ_e |f̂_e − f_e|`` with f̂ = ℓ̂/Σℓ̂, f = ℓ/Σℓ (in [0, 2])."""
    p = _checks.as_float_array(predicted, "predicted", error=_checks.MoEInputError, ndim=1, nonnegative=True)
    o = _checks.as_float_array(observed, "observed", error=_checks.MoEInputError, ndim=1, nonnegative=True)
    if p.shape != o.shape:
        raise _checks.MoEInputError(f"predicted and observed must have the same length, got {p.size} and {o.size}")
    for name, v in (("predicted", p), ("observed", o)):
        if v.sum() <= 0:
            raise _checks.MoEInputError(f"{name} must not be all zero, got {_checks.short_repr(v)}")
    return float(np.abs(p / p.sum() - o / o.sum()).sum())
