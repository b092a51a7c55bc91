"""Performance-fairness frontier: maximise score-bin IV under a demographic-IV budget (spec §3.5; paper §8).

Hard-binned IV is piecewise constant in β and maximising a convex divergence is not a convex programme
(correction C5), so we ascend a smoothed surrogate: sigmoid bin memberships around stop-gradient quantile
cuts, with a quadratic penalty on IV_fair^soft above ε, by projected Adam (sign constraints, ‖β‖ = 1) in
three (μ, τ) stages, vmapped over the budgets ε. Reported metrics are always the hard-binned ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.scipy.special import expit

from theory._validate import as_float_array, check_positive, check_probability
from theory.credit._batch import check_binary
from theory.credit._divergence import jeffreys_terms
from theory.credit._errors import CreditInputError

STAGES = ((10.0, 0.1), (100.0, 0.05), (1000.0, 0.02))


@dataclass(frozen=True)
class FairnessFrontier:
    """One row per budget ε: hard-binned IV_model, IV_fair, AUC and AIR of the optimised score β (rows of coef)."""

    epsilons: jax.Array
    iv_model: jax.Array
    iv_fair: jax.Array
    auc: jax.Array
    air: jax.Array
    air_ok: jax.Array
    feasible: jax.Array
    violation: jax.Array
    coef: jax.Array
    unconstrained: dict
    converged: bool
    status: str


@jax.jit
def logistic_irls(Z, y):
    """Logistic regression with intercept by IRLS (Newton); a 1e-8 ridge keeps separable data finite."""
    A = jnp.concatenate([jnp.ones((Z.shape[0], 1)), Z], axis=1)

    def step(beta, _):
        p = expit(A @ beta)
        w = p * (1 - p)
        H = A.T @ (A * w[:, None]) + 1e-8 * jnp.eye(A.shape[1])
        return beta + jnp.linalg.solve(H, A.T @ (y - p)), None

    beta, _ = jax.lax.scan(step, jnp.zeros(A.shape[1]), None, length=30)
    return beta


def _j(p, q):
    return jnp.sum(jeffreys_terms(p, q, ((p > 0) & (q > 0)).astype(p.dtype)))


@partial(jax.jit, static_argnames=("k",))
def hard_metrics(beta, Z, y, a, k: int, approval_rate):
    """Hard-binned IV_model, IV_fair (pooled k-quantile bins of s = Zβ), AUC of s for y, and AIR."""
    s = Z @ beta
    cuts = jnp.quantile(s, jnp.arange(1, k) / k)
    codes = jnp.searchsorted(cuts, s, side="right")
    onehot = jax.nn.one_hot(codes, k, dtype=s.dtype)
    ng, nb = onehot.T @ (1 - y), onehot.T @ y
    n0, n1 = onehot.T @ (1 - a), onehot.T @ a
    iv_m = _j(ng / ng.sum(), nb / nb.sum())
    iv_f = _j(n0 / n0.sum(), n1 / n1.sum())
    ranks = jax.scipy.stats.rankdata(s)
    n_b = jnp.sum(y)
    auc = (jnp.sum(ranks * y) - n_b * (n_b + 1) / 2) / (n_b * (y.shape[0] - n_b))
    approved = s <= jnp.quantile(s, approval_rate)
    air = jnp.sum(approved * a) / jnp.sum(a) / (jnp.sum(approved * (1 - a)) / jnp.sum(1 - a))
    return iv_m, iv_f, auc, air


def _soft_ivs(beta, Z, y, a, k, tau):
    s = Z @ beta
    st = (s - s.mean()) / s.std()
    cuts = jax.lax.stop_gradient(jnp.quantile(st, jnp.arange(1, k) / k))
    upper = jnp.concatenate([expit((st[:, None] - cuts[None, :]) / tau), jnp.zeros((st.shape[0], 1))], axis=1)
    lower = jnp.concatenate([jnp.ones((st.shape[0], 1)), upper[:, :-1]], axis=1)
    m = lower - upper                                   # σ((s̃-c_{k-1})/τ) - σ((s̃-c_k)/τ), rows sum to 1
    ng, nb = m.T @ (1 - y), m.T @ y
    n0, n1 = m.T @ (1 - a), m.T @ a
    return _j(ng / ng.sum(), nb / nb.sum()), _j(n0 / n0.sum(), n1 / n1.sum())


def _optimise(beta0, eps, signs, Z, y, a, k: int, steps, learning_rate):
    # steps and learning rate are traced so that changing them does not recompile
    opt = optax.adam(learning_rate)

    def project(beta):
        beta = jnp.where(signs * beta < 0, 0.0, beta)
        return beta / jnp.maximum(jnp.linalg.norm(beta), 1e-12)

    def run_stage(beta, mu_tau):
        mu, tau = mu_tau

        def loss(b):
            ivm, ivf = _soft_ivs(b, Z, y, a, k, tau)
            return -(ivm - mu * jnp.maximum(0.0, ivf - eps) ** 2)

        def step(_, carry):
            b, state = carry
            g = jax.grad(loss)(b)
            upd, state = opt.update(g, state, b)
            return project(optax.apply_updates(b, upd)), state

        beta, _ = jax.lax.fori_loop(0, steps, step, (beta, opt.init(beta)))
        return beta, None

    beta, _ = jax.lax.scan(run_stage, project(beta0), jnp.asarray(STAGES))
    return beta


# one compiled programme per (k, data shape, number of budgets): vmapped over ε inside the jit
_optimise_many = jax.jit(jax.vmap(_optimise, in_axes=(None, 0, None, None, None, None, None, None, None)),
                         static_argnames=("k",))
_hard_many = jax.jit(jax.vmap(hard_metrics, in_axes=(0, None, None, None, None, None)), static_argnames=("k",))


def fairness_frontier(X, y, a, *, epsilons=None, n_score_bins: int = 10, signs=None, approval_rate: float = 0.7,
                      steps: int = 300, learning_rate: float = 0.02) -> FairnessFrontier:
    """Trace max IV_model(β) s.t. IV_fair(β) ≤ ε over budgets ε (paper §8, eqs. 29-30; spec §3.5; correction C5).

    Z = standardised X; β_LR by IRLS; ``signs`` default sign(β_LR) (0 = free); s = Zβ, ‖β‖ = 1. Per ε, projected
    Adam on IV_model^soft - μ·max(0, IV_fair^soft - ε)² in stages (μ, τ) = (10, .1), (100, .05), (1000, .02),
    ``steps`` each, from β_LR. Hard-bin metrics reported; AIR approves the ``approval_rate`` share with lowest s;
    air_ok = AIR ≥ 0.8; violation = max(0, IV_fair - ε)/ε. Default ε = IV_fair(β_LR)·{0.1, ..., 1.0}.
    """
    Xa = as_float_array(X, "X", error=CreditInputError, ndim=2)
    yy = check_binary(y, "y").astype(np.float64)
    aa = check_binary(a, "a").astype(np.float64)
    if not (Xa.shape[0] == yy.size == aa.size):
        raise CreditInputError(f"X, y and a must have the same number of rows: {Xa.shape[0]}, {yy.size}, {aa.size}")
    sd = Xa.std(axis=0)
    if (sd == 0).any():
        raise CreditInputError(f"X column {int(np.flatnonzero(sd == 0)[0])} is constant")
    if isinstance(n_score_bins, bool) or int(n_score_bins) != n_score_bins or n_score_bins < 2:
        raise CreditInputError(f"n_score_bins must be an integer >= 2, got {n_score_bins!r}")
    if isinstance(steps, bool) or int(steps) != steps or steps < 1:
        raise CreditInputError(f"steps must be a positive integer, got {steps!r}")
    ar = check_probability(approval_rate, "approval_rate", error=CreditInputError)
    lr = check_positive(learning_rate, "learning_rate", error=CreditInputError)
    k = int(n_score_bins)
    Z = jnp.asarray((Xa - Xa.mean(axis=0)) / sd)
    yj, aj = jnp.asarray(yy), jnp.asarray(aa)
    beta_full = logistic_irls(Z, yj)
    beta_lr = np.asarray(beta_full[1:])
    if signs is None:
        sg = np.sign(beta_lr)
    else:
        sg = as_float_array(signs, "signs", error=CreditInputError)
        if sg.size != Xa.shape[1] or not np.isin(sg, (-1.0, 0.0, 1.0)).all():
            raise CreditInputError(f"signs must be {Xa.shape[1]} values in {{-1, 0, 1}}, got {sg.tolist()!r}")
    b0 = jnp.asarray(beta_lr / np.linalg.norm(beta_lr))
    ivm0, ivf0, auc0, air0 = (float(v) for v in hard_metrics(b0, Z, yj, aj, k, ar))
    if epsilons is None:
        eps = ivf0 * np.arange(1, 11) / 10.0
    else:
        eps = as_float_array(epsilons, "epsilons", error=CreditInputError, positive=True)
    coef = _optimise_many(b0, jnp.asarray(eps), jnp.asarray(sg), Z, yj, aj, k, int(steps), lr)
    ivm, ivf, auc, air = _hard_many(coef, Z, yj, aj, k, ar)
    epsj = jnp.asarray(eps)
    violation = jnp.maximum(0.0, ivf - epsj) / epsj
    finite = bool(np.isfinite(np.asarray(coef)).all())
    worst = float(jnp.max(violation))
    status = ("ok" if finite else "non-finite coefficients") + f"; worst relative violation {worst:.3g}"
    unconstrained = {"coef": jnp.asarray(beta_lr), "intercept": float(beta_full[0]), "direction": b0,
                     "iv_model": ivm0, "iv_fair": ivf0, "auc": auc0, "air": air0}
    return FairnessFrontier(epsj, ivm, ivf, auc, air, air >= 0.8, ivf <= epsj, violation, coef, unconstrained,
                            finite, status)
