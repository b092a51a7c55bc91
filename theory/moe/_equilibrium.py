"""Public equilibrium API: solve (single and batched), implicit-gradient loads, policy, Φ and G (spec §2–3)."""

from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from theory.moe import _checks, _model, _solver
from theory.moe._errors import MoEInputError
from theory.moe._results import Equilibrium

__all__ = ["dual_objective", "equilibrium_loads", "potential", "route_policy", "solve_equilibrium",
           "solve_equilibrium_batch"]


def _model_args(quality, gamma, tau, top_k, weights, cost, relaxation, toll):
    q = _checks.quality_matrix(quality)
    n, e = q.shape
    return dict(
        q=q,
        gamma=_checks.gamma_value(gamma),
        tau=_checks.tau_value(tau),
        top_k=_checks.top_k_value(top_k, e),
        w=_checks.weight_vector(weights, n),
        cost=_checks.option(cost, "cost", _checks.COSTS),
        relaxation=_checks.option(relaxation, "relaxation", _checks.RELAXATIONS),
        toll=_checks.expert_vector(toll, e, "toll"),
    )


def _solver_options(method, omega, tol, max_iter, cost, init_bias, num_experts):
    method = _checks.option(method, "method", _checks.METHODS)
    if method == "damped" and cost != "linear":
        raise MoEInputError(f"method='damped' needs cost='linear' (the fixed point b = t + γL), got cost={cost!r}")
    omega = -1.0 if omega is None else _checks.omega_value(omega)
    tol = _checks.check_positive(tol, "tol", error=MoEInputError)
    max_iter = _solver.DEFAULT_MAX_ITER[method] if max_iter is None else _checks.count_value(max_iter, "max_iter")
    b0 = _checks.expert_vector(init_bias, num_experts, "init_bias", default=np.nan)
    return method, omega, tol, max_iter, b0


def solve_equilibrium(quality: Any, gamma: Any, tau: Any, *, top_k: int = 1, weights: Any = None,
                      cost: str = "linear", relaxation: str = "scaled", toll: Any = None, method: str = "newton",
                      omega: Any = None, tol: float = 1e-10, max_iter: int | None = None,
                      init_bias: Any = None) -> Equilibrium:
    """Logit equilibrium of the routing congestion game (spec §2, *reconstructed*).

    Solves ``b* = c(L(b*))`` with ``L(b) = Σ_i w_i π_i(b)``, ``π_i = K·softmax((q_i − b)/τ)`` (scaled) or
    ``σ((q_i − b − ν_i)/τ)`` (capped), ``c = γL + t`` (linear) or ``γ log L + t`` (log), by minimising the
    strictly convex dual ``G(b) = Σ w_i h*(q_i − b) + Σ_e C_e*(b_e)`` (Beckmann potential plus entropy,
    Fisk's logit SUE; *standard*). ``method``: ``"newton"`` (Armijo on G), ``"lbfgs"`` (optax L-BFGS on G),
    ``"damped"`` (``b ← (1−ω)b + ω(t + γL(b))``, linear cost only, default ``ω = 1/(1 + γλ̄)``).
    Starts from ``init_bias`` or, by default, the uniform-load price ``t + c(K/E)``. Stops when
    ``‖b − c(L(b))‖∞ ≤ tol·max(1, ‖b‖∞)`` (relative at large prices, where round-off sets the floor);
    ``γ = 0`` gives ``b = t``. At the solution ``Φ(π*) + G(b*) = 0``.
    """
    m = _model_args(quality, gamma, tau, top_k, weights, cost, relaxation, toll)
    method, omega, tol, max_iter, b0 = _solver_options(method, omega, tol, max_iter, m["cost"], init_bias,
                                                       m["q"].shape[1])
    out = _solver.solve_and_summarise(m["q"], m["w"], m["gamma"], m["tau"], m["toll"], b0, omega, tol,
                                      max_iter=max_iter, top_k=m["top_k"], cost=m["cost"],
                                      relaxation=m["relaxation"], method=method)
    b, load, pi, phi, g, res, overflow, it, status = out
    return Equilibrium(bias=b, loads=load, policy=pi, potential=float(phi), dual_value=float(g),
                       residual=float(res), overflow=float(overflow), iterations=int(it),
                       converged=bool(status == 0), status=_solver.STATUS[int(status)], method=method)


def _batch_scalar(value, name, size, check):
    """A scalar broadcast to (B,) or a (B,) vector, each entry passed through ``check``."""
    if np.ndim(value) == 0:
        return np.full(size, check(value, name))
    vec = _checks.as_float_array(value, name, error=MoEInputError, ndim=1)
    if vec.shape != (size,):
        raise MoEInputError(f"{name} must be a scalar or have shape ({size},), got shape {vec.shape}")
    return np.array([check(v, f"{name}[{i}]") for i, v in enumerate(vec)])


def solve_equilibrium_batch(quality: Any, gamma: Any, tau: Any, *, top_k: int = 1, weights: Any = None,
                            cost: str = "linear", relaxation: str = "scaled", toll: Any = None,
                            method: str = "newton", omega: Any = None, tol: float = 1e-10,
                            max_iter: int | None = None, init_bias: Any = None) -> Equilibrium:
    """:func:`solve_equilibrium` over B instances in one ``jax.jit`` call (``jax.vmap`` over chunks of 8).

    ``quality`` is (B, N, E); ``gamma``/``tau`` scalars or (B,); ``weights`` (N,) or (B, N); ``toll`` and
    ``init_bias`` (E,) or (B, E). Same equations as :func:`solve_equilibrium`; every result field gains a
    leading batch axis. One compilation per (shape, top_k, cost, relaxation, method, max_iter).
    """
    q = _checks.quality_matrix(quality, batch=True)
    bsz, n, e = q.shape
    if bsz == 0:
        raise MoEInputError("quality must hold at least one instance (B >= 1)")
    gam = _batch_scalar(gamma, "gamma", bsz, _checks.gamma_value)
    ta = _batch_scalar(tau, "tau", bsz, _checks.tau_value)
    k = _checks.top_k_value(top_k, e)
    cost = _checks.option(cost, "cost", _checks.COSTS)
    relaxation = _checks.option(relaxation, "relaxation", _checks.RELAXATIONS)

    def per_instance(value, name, shape_one, fn):
        if value is None or np.ndim(value) == len(shape_one):
            one = fn(value)
            return np.broadcast_to(one, (bsz, *one.shape)).copy()
        arr = np.asarray(value)
        if arr.shape[0] != bsz:
            raise MoEInputError(f"{name} must have a leading batch axis of length {bsz}, got shape {arr.shape}")
        return np.stack([fn(v) for v in arr])

    w = per_instance(weights, "weights", (n,), lambda v: _checks.weight_vector(v, n))
    toll_b = per_instance(toll, "toll", (e,), lambda v: _checks.expert_vector(v, e, "toll"))
    method, omega, tol, max_iter, _ = _solver_options(method, omega, tol, max_iter, cost, None, e)
    b0 = per_instance(init_bias, "init_bias", (e,),
                      lambda v: _checks.expert_vector(v, e, "init_bias", default=np.nan))
    out = _solver.solve_and_summarise_batch(q, w, gam, ta, toll_b, b0, omega, tol, max_iter=max_iter, top_k=k,
                                            cost=cost, relaxation=relaxation, method=method)
    b, load, pi, phi, g, res, overflow, it, status = out
    codes = np.asarray(status)
    return Equilibrium(bias=b, loads=load, policy=pi, potential=phi, dual_value=g, residual=res,
                       overflow=overflow, iterations=it, converged=codes == 0,
                       status=np.array([_solver.STATUS[c] for c in codes], dtype=object), method=method)


@partial(jax.jit, static_argnames=("top_k", "cost", "relaxation"))
def _equilibrium_loads(quality, gamma, tau, weights, toll, *, top_k, cost, relaxation):
    sg = jax.lax.stop_gradient
    b_star, _, _, _ = _solver.solve_core(sg(quality), sg(weights), sg(gamma), sg(tau), sg(toll),
                                         jnp.full(quality.shape[-1], jnp.nan), -1.0, 1e-12, max_iter=500,
                                         top_k=top_k,
                                         cost=cost, relaxation=relaxation, method="newton")
    b_star = sg(b_star)
    # Implicit differentiation: one Newton step from the (gradient-free) root with a frozen Hessian leaves
    # the value unchanged and has derivative −H⁻¹ ∂F/∂θ, i.e. exactly db*/dθ.
    pi = _model.policy(quality - b_star, tau, top_k, relaxation)
    grad_m, hess = _solver._grad_hess(pi, b_star, weights, gamma, tau, toll, top_k, cost, relaxation)
    b = b_star - jnp.linalg.solve(sg(hess), grad_m)
    return _model.loads(b, quality, weights, tau, top_k, relaxation)


def equilibrium_loads(quality: Any, gamma: Any, tau: Any, *, top_k: int = 1, weights: Any = None,
                      cost: str = "linear", relaxation: str = "scaled", toll: Any = None) -> jax.Array:
    """Equilibrium loads ``L(b*)`` as a pure, unvalidated JAX function (spec §2).

    Safe under ``jax.jit``, ``jax.vmap`` and ``jax.grad`` with respect to ``quality``, ``gamma``, ``tau``,
    ``weights`` and ``toll``: derivatives come from the implicit function theorem on ``∇M(b*; θ) = 0``
    (``db*/dθ = −(∇²M)⁻¹ ∂∇M/∂θ``), not from unrolling the solver. ``quality`` is (N, E) or (E,).
    """
    q = jnp.asarray(quality, dtype=jnp.float64)
    q = q[None, :] if q.ndim == 1 else q
    n, e = q.shape
    w = jnp.full(n, 1.0 / n) if weights is None else jnp.asarray(weights, jnp.float64)
    w = w / jnp.sum(w)
    t = jnp.zeros(e) if toll is None else jnp.asarray(toll, jnp.float64)
    return _equilibrium_loads(q, jnp.asarray(gamma, jnp.float64), jnp.asarray(tau, jnp.float64), w, t,
                              top_k=top_k, cost=cost, relaxation=relaxation)


@partial(jax.jit, static_argnames=("top_k", "relaxation"))
def _policy_jit(q, b, tau, *, top_k, relaxation):
    return _model.policy(q - b, tau, top_k, relaxation)


def route_policy(quality: Any, bias: Any, tau: Any, *, top_k: int = 1, relaxation: str = "scaled") -> jax.Array:
    """Routing policy π(b), (N, E): ``K·softmax((q_i − b)/τ)`` (scaled) or ``σ((q_i − b − ν_i)/τ)`` with
    ``Σ_e π_ie = K`` (capped, Fermi–Dirac; hard top-K as τ → 0). Spec §2 (*reconstructed*)."""
    q = _checks.quality_matrix(quality)
    e = q.shape[1]
    b = _checks.expert_vector(bias, e, "bias")
    return _policy_jit(q, b, _checks.tau_value(tau), top_k=_checks.top_k_value(top_k, e),
                       relaxation=_checks.option(relaxation, "relaxation", _checks.RELAXATIONS))


@partial(jax.jit, static_argnames=("top_k", "cost", "relaxation"))
def _potential_jit(pi, q, w, gamma, tau, toll, *, top_k, cost, relaxation):
    return _model.primal_potential(pi, q, w, gamma, tau, toll, top_k, cost, relaxation)


@partial(jax.jit, static_argnames=("top_k", "cost", "relaxation"))
def _dual_jit(b, q, w, gamma, tau, toll, *, top_k, cost, relaxation):
    return _model.dual(b, q, w, gamma, tau, toll, top_k, cost, relaxation)


def potential(policy: Any, quality: Any, gamma: Any, tau: Any, *, top_k: int = 1, weights: Any = None,
              cost: str = "linear", relaxation: str = "scaled", toll: Any = None) -> float:
    """Potential ``Φ(π) = −Σ w_i⟨π_i, q_i⟩ + Σ w_i R(π_i) + Σ_e C_e(L_e)`` (spec §2; Beckmann + Fisk, *standard*).

    ``policy`` is (N, E) (or (E,) for one type); it must be feasible: entries in [0, K] (scaled) or
    [0, 1] (capped) with row sums K.
    """
    m = _model_args(quality, gamma, tau, top_k, weights, cost, relaxation, toll)
    pi = _checks.quality_matrix(policy, "policy")
    if pi.shape != m["q"].shape:
        raise MoEInputError(f"policy must have the shape of quality {m['q'].shape}, got {pi.shape}")
    upper = 1.0 if m["relaxation"] == "capped" else m["top_k"]
    if (pi < 0).any() or (pi > upper + 1e-12).any() or not np.allclose(pi.sum(axis=1), m["top_k"], atol=1e-8):
        raise MoEInputError(f"policy rows must lie in [0, {upper}] and sum to top_k = {m['top_k']}")
    return float(_potential_jit(pi, m["q"], m["w"], m["gamma"], m["tau"], m["toll"], top_k=m["top_k"],
                                cost=m["cost"], relaxation=m["relaxation"]))


def dual_objective(bias: Any, quality: Any, gamma: Any, tau: Any, *, top_k: int = 1, weights: Any = None,
                   cost: str = "linear", relaxation: str = "scaled", toll: Any = None) -> float:
    """Dual ``G(b) = Σ w_i h*(q_i − b) + Σ_e C_e*(b_e)`` (spec §2); ``min Φ = −min G``.

    ``h* = τK logsumexp(u/τ)`` (scaled) or ``min_ν [Kν + τΣ softplus((u−ν)/τ)]`` (capped);
    ``C* = (b−t)²/(2γ)`` (linear) or ``γ e^{(b−t)/γ}`` (log); at γ = 0, C* is the indicator of b = t.
    """
    m = _model_args(quality, gamma, tau, top_k, weights, cost, relaxation, toll)
    b = _checks.expert_vector(bias, m["q"].shape[1], "bias")
    return float(_dual_jit(b, m["q"], m["w"], m["gamma"], m["tau"], m["toll"], top_k=m["top_k"],
                           cost=m["cost"], relaxation=m["relaxation"]))
