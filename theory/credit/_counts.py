"""Validated count vectors and the zero-cell policy shared by every function that takes counts.

The policy is applied once here so WoE, IV, PSI, tests and intervals all see the
same shares: empty bins (both classes 0) are removed, then one-sided zero bins are
rejected ("error"), smoothed ("laplace") or zeroed ("drop", optbinning's rule).
"""

from __future__ import annotations

from dataclasses import dataclass

import jax.numpy as jnp
import numpy as np

from theory._validate import as_float_array, check_option, check_positive, check_same_length
from theory.credit._errors import CreditInputError, ZeroCellError

ZERO_POLICIES = ("error", "laplace", "drop")


@dataclass(frozen=True)
class Prepared:
    """Counts after the zero policy, on the ORIGINAL bin indexing (empty bins kept with share 0, mask 0)."""

    n_p: np.ndarray          # raw counts of the first class/period
    n_q: np.ndarray
    p: np.ndarray            # shares used by every statistic
    q: np.ndarray
    mask: np.ndarray         # 1 where the bin enters the divergence (non-empty, not dropped)
    total_p: float           # sample sizes (raw totals; the multinomial sizes of the delta method)
    total_q: float
    n_bins: int              # non-empty bins
    dropped: tuple[int, ...]
    zero_policy: str

    def padded(self):
        """(p, q, mask, n_p, n_q) as float64 JAX arrays zero-padded to :func:`bucket` length (mask 0 there)."""
        size = bucket(self.p.size)
        return tuple(pad(v, size) for v in (self.p, self.q, self.mask, self.n_p, self.n_q))


def bucket(n: int) -> int:
    """Padded length for jitted kernels: a power of two >= 8, so bin counts 2..100 share five compilations."""
    return max(8, 1 << (int(n) - 1).bit_length())


def pad(x, size: int):
    """Zero-pad a 1-D array to ``size`` as a float64 JAX array (zero shares with mask 0 contribute nothing)."""
    x = np.asarray(x, dtype=np.float64)
    return jnp.asarray(np.concatenate([x, np.zeros(size - x.size)]))


def counts_pair(n_p, n_q, name_p: str, name_q: str) -> tuple[np.ndarray, np.ndarray]:
    """Validate two 1-D non-negative finite count vectors of the same length with positive totals."""
    a = as_float_array(n_p, name_p, error=CreditInputError, ndim=1, nonnegative=True)
    b = as_float_array(n_q, name_q, error=CreditInputError, ndim=1, nonnegative=True)
    check_same_length(error=CreditInputError, **{name_p: a, name_q: b})
    for arr, name in ((a, name_p), (b, name_q)):
        if arr.sum() <= 0:
            raise CreditInputError(f"{name} must have a positive total, got total {arr.sum()!r}")
    return a, b


def check_zero_args(zero, pseudocount) -> tuple[str, float]:
    check_option(zero, "zero", ZERO_POLICIES, error=CreditInputError)
    c = check_positive(pseudocount, "pseudocount", error=CreditInputError)
    return zero, c


def prepare(n_p, n_q, *, zero="error", pseudocount=0.5, name_p="n_good", name_q="n_bad",
            needs_log: bool = True) -> Prepared:
    """Apply the zero-cell policy of spec §2 and return the shares.

    ``needs_log=False`` (JS, Hellinger, triangular are finite at one-sided zeros) skips the policy.
    """
    a, b = counts_pair(n_p, n_q, name_p, name_q)
    zero, c = check_zero_args(zero, pseudocount)
    nonempty = (a + b) > 0
    one_sided = nonempty & ((a == 0) | (b == 0))
    total_a, total_b = float(a.sum()), float(b.sum())
    k = int(nonempty.sum())
    mask = nonempty.astype(float)
    dropped: tuple[int, ...] = ()
    p, q = a / total_a, b / total_b
    if needs_log and zero == "error" and one_sided.any():
        bins = np.flatnonzero(one_sided).tolist()
        raise ZeroCellError(
            f"bins {bins} of ({name_p}, {name_q}) have one class empty, so WoE/IV are infinite there "
            f"({name_p}={a[bins].tolist()}, {name_q}={b[bins].tolist()}); pass zero='laplace' or zero='drop'")
    if needs_log and zero == "laplace":
        # every non-empty bin is smoothed, not only the zero ones, so the estimator does not jump when a cell hits 0
        p = np.where(nonempty, (a + c) / (total_a + k * c), 0.0)
        q = np.where(nonempty, (b + c) / (total_b + k * c), 0.0)
    elif needs_log and zero == "drop" and one_sided.any():
        # optbinning's rule: shares stay over the full totals and the bin contributes nothing
        mask = np.where(one_sided, 0.0, mask)
        dropped = tuple(np.flatnonzero(one_sided).tolist())
    return Prepared(a, b, p, q, mask, total_a, total_b, k, dropped, zero)


def require_two_bins(prep: Prepared, what: str) -> None:
    if prep.n_bins < 2:
        raise CreditInputError(f"{what} needs at least 2 non-empty bins, got {prep.n_bins}")
