"""Batched L-BFGS (optax) for the 5-D multistart, driven in blocks so finished starts stop costing time.

``optax.lbfgs`` with its zoom line search is the L-BFGS; under ``vmap`` a ``while_loop`` runs every start for
as long as the slowest one, and each outer step costs as many line-search evaluations as the worst start
needs. So the host runs blocks of ``steps`` iterations and, between blocks, keeps only the starts still
running (padded to a few bucket sizes so each size compiles once). The result is the same as one long
vmapped loop; only finished starts are no longer recomputed.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import optax
import optax.tree_utils as otu

__all__ = ["minimize_batched"]

_BUCKETS = (16, 64, 256, 1024, 4096, 16384)
# flags: 0 running, 1 gtol, 2 ftol, 3 diverged (non-finite), 5 max_iter


def _opt():
    return optax.lbfgs()


@partial(jax.jit, static_argnames=("fun",))
def _init(x0, args, fun):
    f = partial(fun, args=args)

    def one(x):
        v = f(x)
        return (x, _opt().init(x), jnp.asarray(0), jnp.asarray(1), v,
                jnp.where(jnp.isfinite(v), 0, 3))

    return jax.vmap(one)(x0)


@partial(jax.jit, static_argnames=("fun", "steps"))
def _block(state, maxiter, ftol, gtol, args, fun, steps):
    f = partial(fun, args=args)
    opt = _opt()
    value_and_grad = optax.value_and_grad_from_state(f)

    def run(st):
        def cond(c):
            i, s = c
            return (i < steps) & (s[-1] == 0)

        def body(c):
            i, (x, ostate, it, n_eval, v_old, _) = c
            v, g = value_and_grad(x, state=ostate)
            updates, ostate = opt.update(g, ostate, x, value=v, grad=g, value_fn=f)
            x_new = optax.apply_updates(x, updates)
            v_new = otu.tree_get(ostate, "value")
            g_new = otu.tree_get(ostate, "grad")
            n_eval = n_eval + otu.tree_get(ostate, "num_linesearch_steps")
            # Stopping as in scipy's L-BFGS-B: relative decrease below ftol, or max |grad| below gtol.
            small_f = (v - v_new) <= ftol * jnp.maximum(jnp.maximum(jnp.abs(v), jnp.abs(v_new)), 1.0)
            small_g = jnp.max(jnp.abs(g_new)) <= gtol
            bad = ~(jnp.isfinite(v_new) & jnp.all(jnp.isfinite(x_new)))
            it = it + 1
            flag = jnp.select([bad, small_g, small_f, it >= maxiter], [3, 1, 2, 5], 0)
            return i + 1, (x_new, ostate, it, n_eval, v_new, flag)

        return jax.lax.while_loop(cond, body, (0, st))[1]

    return jax.vmap(run)(state)


def minimize_batched(fun, x0, args, *, maxiter: int, ftol: float, gtol: float, steps: int = 50):
    """Minimise ``fun(x, args=args)`` by L-BFGS from every row of ``x0``; returns (x, f, n_iter, n_evals, flag).

    A start stops when max|∇f| ≤ gtol, when ``f_k − f_{k+1} ≤ ftol·max(|f_k|, |f_{k+1}|, 1)`` (as in scipy's
    L-BFGS-B), when f or x becomes non-finite, or after ``maxiter`` iterations.
    """
    state = jax.tree.map(np.asarray, _init(jnp.asarray(x0), args, fun=fun))
    leaves, treedef = jax.tree.flatten(state)
    flag_of = lambda lv: jax.tree.unflatten(treedef, lv)[-1]  # noqa: E731
    while True:
        active = np.flatnonzero(flag_of(leaves) == 0)
        if active.size == 0:
            break
        size = next((b for b in _BUCKETS if b >= active.size), active.size)
        pad = np.concatenate([active, np.full(size - active.size, active[0])])
        sub = jax.tree.unflatten(treedef, [jnp.asarray(a[pad]) for a in leaves])
        out = jax.tree.leaves(_block(sub, maxiter, ftol, gtol, args, fun=fun, steps=steps))
        new = []
        for a, b in zip(leaves, out, strict=True):
            a = a.copy()
            a[active] = np.asarray(b)[: active.size]
            new.append(a)
        leaves = new
    x, _, it, nfev, v, flag = jax.tree.unflatten(treedef, leaves)
    return x, v, it, nfev, flag
