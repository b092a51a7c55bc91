"""SimuCredit-like synthetic credit data (spec §3.6): the paper's data are unpublished, so this generator is a
reconstruction with a protected attribute that shifts risk and mortgage size."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import jax
import jax.numpy as jnp
from jax.scipy.special import expit
from jax.scipy.stats import norm

from theory._validate import check_positive, check_probability
from theory.credit._errors import CreditInputError

FEATURES = ("mortgage", "balance", "amount_past_due", "credit_inquiry", "open_trade", "delinquency", "utilization")


@dataclass(frozen=True)
class SimulatedCredit:
    """Raw features X, model-scale features Z (logs of mortgage, 1+balance, 1+past_due), y (1 = default), a."""

    X: jax.Array
    Z: jax.Array
    feature_names: tuple[str, ...]
    y: jax.Array
    a: jax.Array
    p_default: jax.Array
    intercept: float


@partial(jax.jit, static_argnames=("n",))
def _simulate(key, n: int, default_rate, protected_share, disparity, signal):
    ka, ke, kd, ki, ko, kpd, ky = jax.random.split(key, 7)
    a = jax.random.bernoulli(ka, protected_share, (n,)).astype(jnp.float64)
    e = jax.random.normal(ke, (5, n))
    e1, e2, e3, e4, u = e[0], e[1], e[2], e[3], e[4] + 0.4 * disparity * a
    mortgage = jnp.exp(12.35 + 0.3 * e1 - 0.3 * disparity * a - 0.15 * u)
    utilization = norm.cdf(0.8 * u + 0.6 * e2 - 0.3)
    balance = utilization * jnp.exp(7.6 + 0.5 * e3)
    delinquency = jnp.minimum(jax.random.poisson(kd, jnp.exp(-1.2 + 0.8 * u)), 5).astype(jnp.float64)
    past_due = jnp.where(delinquency > 0, balance * norm.cdf(0.5 * e4), 0.0)
    inquiry = jnp.minimum(jax.random.poisson(ki, jnp.exp(-0.9 + 0.5 * u)), 3).astype(jnp.float64)
    # Binomial(inquiry, 0.6) with inquiry ≤ 3: the sum of the first `inquiry` of three Bernoulli draws
    trials = jax.random.bernoulli(ko, 0.6, (3, n))
    open_trade = jnp.sum(trials * (jnp.arange(3)[:, None] < inquiry[None, :]), axis=0).astype(jnp.float64)
    eta = signal * (2.4 * (utilization - 0.5) + 0.5 * delinquency + 0.4 * inquiry + 0.15 * open_trade
                    - (jnp.log(mortgage) - 12.35) + 0.09 * jnp.log1p(past_due) - 0.1 * (jnp.log1p(balance) - 7.0))

    def bisect(_, lohi):
        lo, hi = lohi
        mid = 0.5 * (lo + hi)
        too_high = jnp.mean(expit(mid + eta)) > default_rate
        return jnp.where(too_high, lo, mid), jnp.where(too_high, mid, hi)

    lo, hi = jax.lax.fori_loop(0, 200, bisect, (jnp.asarray(-50.0), jnp.asarray(50.0)))
    b0 = 0.5 * (lo + hi)
    p = expit(b0 + eta)
    y = jax.random.bernoulli(ky, p).astype(jnp.int32)
    X = jnp.stack([mortgage, balance, past_due, inquiry, open_trade, delinquency, utilization], axis=1)
    Z = X.at[:, 0].set(jnp.log(mortgage)).at[:, 1].set(jnp.log1p(balance)).at[:, 2].set(jnp.log1p(past_due))
    return X, Z, y, a.astype(jnp.int32), p, b0


def simulate_credit(key, n: int = 20000, *, default_rate: float = 0.15, protected_share: float = 0.3,
                    disparity: float = 1.0, signal: float = 1.0) -> SimulatedCredit:
    """Synthetic credit data of spec §3.6 (reconstruction of the paper's SimuCredit set-up, §8).

    a ~ Bern(protected_share); u ~ N(0,1) + 0.4·disparity·a drives utilization, delinquency, inquiries and
    (negatively) mortgage; y ~ Bern(σ(b₀ + η)), η = signal·[2.4(util - .5) + .5 delinq + .4 inq + .15 open
    - (ln mortgage - 12.35) + .09 ln(1 + past_due) - .1(ln(1 + balance) - 7)], b₀ by bisection so that
    mean σ(b₀ + η) = default_rate.
    """
    if key is None:
        raise CreditInputError("simulate_credit needs a jax.random key, got None")
    if isinstance(n, bool) or int(n) != n or n < 10:
        raise CreditInputError(f"n must be an integer >= 10, got {n!r}")
    dr = check_probability(default_rate, "default_rate", error=CreditInputError)
    ps = check_probability(protected_share, "protected_share", error=CreditInputError)
    d = check_positive(disparity, "disparity", error=CreditInputError, strict=False)
    s = check_positive(signal, "signal", error=CreditInputError, strict=False)
    X, Z, y, a, p, b0 = _simulate(key, int(n), dr, ps, d, s)
    return SimulatedCredit(X, Z, FEATURES, y, a, p, float(b0))
