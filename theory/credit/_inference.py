"""Standard errors, intervals and χ² tests for IV/PSI and φ-divergences (C1-C3 correct paper eqs. 15, 18, 21)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
from scipy import optimize, stats

from theory._validate import check_option, check_positive, check_probability
from theory.credit._counts import bucket, pad, prepare, require_two_bins
from theory.credit._delta import delta_variance_jit, paper_variance
from theory.credit._divergence import _DIV_JIT, KINDS, LOG_KINDS, PHI2, divergence_value, shares_pair
from theory.credit._errors import CreditInputError
from theory.credit._woe import effective_counts


@dataclass(frozen=True)
class IVInterval:
    """Interval for IV (or PSI); ``status`` says how it was made (clipping, discarded bootstrap draws)."""

    iv: float
    se: float
    lower: float
    upper: float
    level: float
    method: str
    n_boot: int
    n_invalid: int
    converged: bool
    status: str


@dataclass(frozen=True)
class DivergenceTest:
    """χ² test of D = 0: T = 2 N_eff D/φ''(1) ~ χ²_{k-1} under H0 (C2); ``critical_value`` on the χ² scale."""

    divergence: float
    statistic: float
    dof: int
    p_value: float
    critical_value: float
    divergence_critical_value: float
    reject: bool
    alpha: float
    n_eff: float
    kind: str


@dataclass(frozen=True)
class PaperZTest:
    """Paper eq. (21): one-sided Z = IV/SE_paper against N(0, 1); invalid near H0 (see C2)."""

    z: float
    se: float
    p_value: float
    reject: bool
    alpha: float


def _check_alpha(alpha, name="alpha") -> float:
    return check_probability(alpha, name, error=CreditInputError)


def _n_eff(total_p: float, total_q: float, q_is_population: bool) -> float:
    return total_p if q_is_population else total_p * total_q / (total_p + total_q)


# ---------------------------------------------------------------- bootstrap
@partial(jax.jit, static_argnames=("n_boot",))
def _bootstrap_ivs(key, n_p, n_q, n_boot: int, laplace, pseudocount):
    """IV of ``n_boot`` draws n_p* ~ Mult(N_p, p̂), n_q* ~ Mult(N_q, q̂); returns (ivs, has_zero_cell).

    The zero policy is a traced flag (not a static argument) so every policy shares one compilation:
    jax.random.multinomial takes seconds to compile.
    """
    kp, kq = jax.random.split(key)
    tp, tq = jnp.sum(n_p), jnp.sum(n_q)
    a = jax.random.multinomial(kp, tp, n_p / tp, shape=(n_boot, n_p.shape[0]))
    b = jax.random.multinomial(kq, tq, n_q / tq, shape=(n_boot, n_q.shape[0]))

    def one(a, b):
        nonempty = (a + b) > 0
        one_sided = nonempty & ((a == 0) | (b == 0))
        k = jnp.sum(nonempty)
        c = jnp.where(laplace, pseudocount, 0.0)
        p = jnp.where(nonempty, (a + c) / (tp + k * c), 0.0)
        q = jnp.where(nonempty, (b + c) / (tq + k * c), 0.0)
        mask = jnp.where(laplace, nonempty, nonempty & ~one_sided)   # "drop" zeroes one-sided bins
        iv = divergence_value(p, q, mask.astype(p.dtype), "jeffreys")
        return iv, jnp.any(one_sided)

    return jax.vmap(one)(a, b)


def _bootstrap(n_p, n_q, key, n_boot, zero, pseudocount):
    if key is None:
        raise CreditInputError("method='bootstrap' needs a jax.random key, got key=None")
    if int(n_boot) != n_boot or n_boot < 100:
        raise CreditInputError(f"n_boot must be an integer >= 100, got {n_boot!r}")
    size = bucket(n_p.size)
    ivs, has_zero = _bootstrap_ivs(key, pad(np.round(n_p), size), pad(np.round(n_q), size), int(n_boot),
                                   zero == "laplace", float(pseudocount))
    ivs = np.asarray(ivs)
    # under "error" a resample with a zero cell has an infinite IV: discard and count it
    valid = ~np.asarray(has_zero) if zero == "error" else np.ones(ivs.shape, dtype=bool)
    return ivs[valid], int((~valid).sum())


# ---------------------------------------------------------------- standard errors
def iv_standard_error(n_good, n_bad, *, method: str = "delta", n_boot: int = 2000, key=None,
                      zero: str = "error", pseudocount: float = 0.5) -> float:
    """Standard error of IV (or of PSI: pass actual, expected counts) (spec §2; paper eq. 18).

    ``delta`` (correction C1): Var(IV) = [Σ g α² - (Σ g α)²]/N_G + [Σ b β² - (Σ b β)²]/N_B with
    α_j = W_j + 1 - b_j/g_j, β_j = -W_j + 1 - g_j/b_j (= ∇J by ``jax.grad``).
    ``paper``: eq. (18), sqrt(Σ (b_j - g_j)² (1/n_jg + 1/n_jb)) (≈ half the true SD).
    ``bootstrap``: SD of IV over ``n_boot`` multinomial resamples (needs ``key``).
    """
    check_option(method, "method", ("delta", "paper", "bootstrap"), error=CreditInputError)
    prep = prepare(n_good, n_bad, zero=zero, pseudocount=pseudocount)
    return _se(prep, method, n_boot, key, pseudocount)[0]


def _se(prep, method, n_boot, key, pseudocount):
    p, q, mask, _, _ = prep.padded()
    if method == "delta":
        return float(jnp.sqrt(delta_variance_jit(p, q, mask, prep.total_p, prep.total_q, kind="jeffreys"))), None, 0
    if method == "paper":
        ng, nb, _, _ = effective_counts(prep, pseudocount)
        size = p.shape[0]
        return float(jnp.sqrt(paper_variance(p, q, pad(ng, size), pad(nb, size), mask))), None, 0
    ivs, n_invalid = _bootstrap(prep.n_p, prep.n_q, key, n_boot, prep.zero_policy, pseudocount)
    if ivs.size < 2:
        raise CreditInputError(f"every bootstrap draw had a zero cell ({n_invalid} of {n_boot}); use zero='laplace'")
    return float(np.std(ivs, ddof=1)), ivs, n_invalid


# ---------------------------------------------------------------- intervals
def _noncentral_interval(t: float, dof: int, level: float) -> tuple[float, float]:
    """[λ_L, λ_U] with F(T; dof, λ_L) = 1 - γ/2 and F(T; dof, λ_U) = γ/2 (0 where no root), γ = 1 - level."""
    g = 1.0 - level

    def solve(target):
        if stats.chi2.cdf(t, dof) <= target:
            return 0.0  # F(T; dof, λ) decreases in λ, so even λ = 0 is below the target
        hi = max(1.0, t)
        while stats.ncx2.cdf(t, dof, hi) > target:
            hi *= 2.0
        return optimize.brentq(lambda lam: stats.ncx2.cdf(t, dof, lam) - target, 0.0, hi, xtol=1e-12, rtol=1e-14)

    return solve(1.0 - g / 2.0), solve(g / 2.0)


def iv_confidence_interval(n_good, n_bad, *, level: float = 0.95, method: str = "delta", n_boot: int = 2000,
                           key=None, zero: str = "error", pseudocount: float = 0.5) -> IVInterval:
    """Confidence interval for IV (or PSI), γ = 1 - level (spec §2).

    ``delta``: IV ± z_{1-γ/2}·SE_delta, lower clipped at 0; ``paper``: same with eq. (18)'s SE;
    ``noncentral``: T = N_eff·IV ~ χ²_{k-1}(λ), F(T; k-1, λ_L) = 1 - γ/2, F(T; k-1, λ_U) = γ/2,
    CI = [λ_L, λ_U]/N_eff (best near IV = 0); ``bootstrap``: percentile interval of ``n_boot`` multinomial
    resamples (draws with a zero cell are discarded under zero="error"; > 5 % discarded ⇒ converged=False).
    """
    check_option(method, "method", ("delta", "paper", "noncentral", "bootstrap"), error=CreditInputError)
    level = check_probability(level, "level", error=CreditInputError)
    prep = prepare(n_good, n_bad, zero=zero, pseudocount=pseudocount)
    require_two_bins(prep, "a confidence interval")
    iv = float(_DIV_JIT["jeffreys"](*prep.padded()[:3]))
    z = float(stats.norm.ppf(0.5 + level / 2.0))
    status, converged, n_invalid, nb = "ok", True, 0, 0
    if method in ("delta", "paper"):
        se = _se(prep, method, n_boot, key, pseudocount)[0]
        lower, upper = iv - z * se, iv + z * se
        if lower < 0:
            lower, status = 0.0, f"lower bound {iv - z * se:.6g} clipped at 0"
    elif method == "noncentral":
        se = _se(prep, "delta", n_boot, key, pseudocount)[0]
        n_eff = _n_eff(prep.total_p, prep.total_q, False)
        dof = int(prep.mask.sum()) - 1
        lam_l, lam_u = _noncentral_interval(n_eff * iv, dof, level)
        lower, upper = lam_l / n_eff, lam_u / n_eff
        if lam_l == 0.0:
            status = "lambda_L = 0: the chi-square test does not reject at 1 - level/2"
    else:
        se, ivs, n_invalid = _se(prep, "bootstrap", n_boot, key, pseudocount)
        nb = int(n_boot)
        lower, upper = (float(v) for v in np.quantile(ivs, [(1 - level) / 2, (1 + level) / 2]))
        if n_invalid > 0.05 * n_boot:
            converged = False
            status = f"{n_invalid} of {n_boot} bootstrap draws had a zero cell and were discarded (> 5 %)"
        elif n_invalid:
            status = f"{n_invalid} of {n_boot} bootstrap draws had a zero cell and were discarded"
    return IVInterval(iv, float(se), float(lower), float(upper), level, method, nb, n_invalid, converged, status)


# ---------------------------------------------------------------- tests
def divergence_test(counts_p, counts_q, *, kind: str = "jeffreys", alpha: float = 0.05,
                    q_is_population: bool = False, zero: str = "error", pseudocount: float = 0.5) -> DivergenceTest:
    """χ² test of p = q from bin counts (correction C2; Yurdakul-Naranjo for PSI).

    T = 2 N_eff D(p̂, q̂)/φ''(1) → χ²_{k-1} under H0, N_eff = n_p n_q/(n_p + n_q) (= n_p when q is a fixed
    population), φ''(1) = 1 (kl, triangular), 2 (jeffreys: T = N_eff·IV), 1/4 (js, hellinger).
    Divergence-scale critical value φ''(1)·χ²_{1-α,k-1}/(2 N_eff).
    """
    return _divergence_test(counts_p, counts_q, kind, alpha, q_is_population, zero, pseudocount,
                            ("counts_p", "counts_q"))


def _divergence_test(counts_p, counts_q, kind, alpha, q_is_population, zero, pseudocount, names):
    check_option(kind, "kind", KINDS, error=CreditInputError)
    alpha = _check_alpha(alpha)
    prep = prepare(counts_p, counts_q, zero=zero, pseudocount=pseudocount, name_p=names[0], name_q=names[1],
                   needs_log=kind in LOG_KINDS)
    require_two_bins(prep, "a divergence test")
    d = float(_DIV_JIT[kind](*prep.padded()[:3]))
    n_eff = _n_eff(prep.total_p, prep.total_q, bool(q_is_population))
    dof = int(prep.mask.sum()) - 1
    if dof < 1:
        raise CreditInputError(f"a divergence test needs at least 2 bins left after zero='drop', got {dof + 1}")
    t = 2.0 * n_eff * d / PHI2[kind]
    crit = float(stats.chi2.ppf(1.0 - alpha, dof))
    return DivergenceTest(d, t, dof, float(stats.chi2.sf(t, dof)), crit, PHI2[kind] * crit / (2.0 * n_eff),
                          bool(t > crit), alpha, n_eff, kind)


def iv_test(n_good, n_bad, *, alpha: float = 0.05, zero: str = "error", pseudocount: float = 0.5) -> DivergenceTest:
    """χ² test of IV = 0: T = N_eff·IV ~ χ²_{k-1} under H0 (correction C2 of paper eq. 21)."""
    return _divergence_test(n_good, n_bad, "jeffreys", alpha, False, zero, pseudocount, ("n_good", "n_bad"))


def psi_test(actual, expected, *, alpha: float = 0.05, expected_is_population: bool = False, zero: str = "error",
             pseudocount: float = 0.5) -> DivergenceTest:
    """χ² test of PSI = 0: T = N_eff·PSI ~ χ²_{k-1}, N_eff = n_A n_E/(n_A + n_E) or n_A for a fixed population."""
    return _divergence_test(actual, expected, "jeffreys", alpha, expected_is_population, zero, pseudocount,
                            ("actual", "expected"))


def psi_critical_value(n_actual, n_expected, n_bins, *, alpha: float = 0.05,
                       expected_is_population: bool = False) -> float:
    """PSI above which the χ² test rejects: χ²_{1-α,k-1}(1/n_A + 1/n_E) (1/n_A for a fixed population) (C2, C6)."""
    na = check_positive(n_actual, "n_actual", error=CreditInputError)
    ne = check_positive(n_expected, "n_expected", error=CreditInputError)
    k = check_positive(n_bins, "n_bins", error=CreditInputError)
    if k != int(k) or k < 2:
        raise CreditInputError(f"n_bins must be an integer >= 2, got {n_bins!r}")
    alpha = _check_alpha(alpha)
    crit = float(stats.chi2.ppf(1.0 - alpha, int(k) - 1))
    return crit / na if expected_is_population else crit * (1.0 / na + 1.0 / ne)


def divergence_power(p, q, n_p, n_q, *, alpha: float = 0.05, kind: str = "jeffreys",
                     q_is_population: bool = False) -> float:
    """Asymptotic power of the χ² test: 1 - F_ncχ²(χ²_{1-α,k-1}; k-1, λ), λ = 2 N_eff D(p, q)/φ''(1) (spec §2)."""
    check_option(kind, "kind", KINDS, error=CreditInputError)
    alpha = _check_alpha(alpha)
    a, b = shares_pair(p, q)
    n_p = check_positive(n_p, "n_p", error=CreditInputError)
    n_q = check_positive(n_q, "n_q", error=CreditInputError)
    mask = ((a + b) > 0).astype(float)
    if kind in LOG_KINDS and ((a > 0) != (b > 0)).any():
        return 1.0  # an infinite divergence is detected with probability -> 1
    k = int(mask.sum())
    if k < 2:
        raise CreditInputError(f"power needs at least 2 bins with positive share, got {k}")
    size = bucket(a.size)
    d = float(_DIV_JIT[kind](pad(a, size), pad(b, size), pad(mask, size)))
    lam = 2.0 * _n_eff(n_p, n_q, bool(q_is_population)) * d / PHI2[kind]
    crit = stats.chi2.ppf(1.0 - alpha, k - 1)
    return float(stats.chi2.sf(crit, k - 1)) if lam <= 0 else float(stats.ncx2.sf(crit, k - 1, lam))


def paper_z_test(n_good, n_bad, *, alpha: float = 0.05) -> PaperZTest:
    """Paper eq. (21): Z = IV/SE_paper, one-sided p = 1 - Φ(Z), reject if Z > z_{1-α}; Z = 0 if IV = 0.

    Kept to exhibit correction C2: under H0 Z² ≈ N_eff·IV ~ χ²_{k-1}, so the size tends to P(χ²_{k-1} > z²_{1-α}).
    Zero cells raise :class:`ZeroCellError` (the paper's SE is undefined there).
    """
    alpha = _check_alpha(alpha)
    prep = prepare(n_good, n_bad)
    p, q, mask, n_p, n_q = prep.padded()
    iv = float(_DIV_JIT["jeffreys"](p, q, mask))
    se = float(jnp.sqrt(paper_variance(p, q, n_p, n_q, mask)))
    z = iv / se if se > 0 else 0.0
    return PaperZTest(z, se, float(stats.norm.sf(z)), bool(z > stats.norm.ppf(1.0 - alpha)), alpha)
