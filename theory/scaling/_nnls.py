"""Exact 3-column non-negative least squares by active-set enumeration, and Huber IRLS on top of it.

The design matrix of the VarPro inner problem has 3 columns (1, N^-alpha, D^-beta), so NNLS has only 8 candidate
supports. The NNLS optimum is the unconstrained LS solution on its own support, and every feasible support's
LS solution is a feasible point; hence the best feasible candidate *is* the optimum. Enumeration is exact,
branch-free and vmaps, which the iterative Lawson-Hanson (scipy.optimize.nnls) does not.
"""

from __future__ import annotations

import itertools

import jax
import jax.numpy as jnp

__all__ = ["MASKS", "gram_nnls", "huber_irls", "nnls3", "ols3", "support_solve"]

# The 8 supports; row 0 is the empty one (p = 0, always feasible).
MASKS = jnp.asarray(list(itertools.product([0.0, 1.0], repeat=3)))


def _solve3(G, r):
    """Solve the 3×3 system G q = r by cofactors; G is symmetric with unit diagonal after Jacobi scaling, so the
    adjugate formula is as accurate as LU here and costs a handful of flops (it runs 8 times per grid point)."""
    g01, g02, g12 = G[..., 0, 1], G[..., 0, 2], G[..., 1, 2]
    g00, g11, g22 = G[..., 0, 0], G[..., 1, 1], G[..., 2, 2]
    c00 = g11 * g22 - g12 * g12
    c01 = g02 * g12 - g01 * g22
    c02 = g01 * g12 - g02 * g11
    c11 = g00 * g22 - g02 * g02
    c12 = g01 * g02 - g00 * g12
    c22 = g00 * g11 - g01 * g01
    det = g00 * c00 + g01 * c01 + g02 * c02
    r0, r1, r2 = r[..., 0], r[..., 1], r[..., 2]
    q = jnp.stack([c00 * r0 + c01 * r1 + c02 * r2,
                   c01 * r0 + c11 * r1 + c12 * r2,
                   c02 * r0 + c12 * r1 + c22 * r2], axis=-1)
    return q / det[..., None]


def _masked_solves(Z, ys):
    """LS solutions of ``min ||ys − Z q||`` on each of the 8 supports (one refinement step with the explicit
    residual recovers the digits the normal equations lose on nearly collinear columns)."""
    G = Z.T @ Z
    r = Z.T @ ys

    def one(m):
        Gm = G * m[:, None] * m[None, :] + jnp.diag(1.0 - m)
        q = _solve3(Gm, r * m)
        q = q + _solve3(Gm, (Z.T @ (ys - Z @ q)) * m)
        return q * m

    return jax.vmap(one)(MASKS)


def _scaled(X, y, om):
    sw = jnp.sqrt(om)
    Xs = X * sw[:, None]
    norms = jnp.sqrt(jnp.sum(Xs * Xs, axis=0))
    s = jnp.where(norms > 0, 1.0 / jnp.where(norms > 0, norms, 1.0), 0.0)
    return Xs * s, y * sw, s


def nnls3(X, y, om):
    """Exact ``argmin_{p >= 0} Σ om_i (y_i − X_i p)²`` for a 3-column X (best feasible of the 8 supports)."""
    Z, ys, s = _scaled(X, y, om)
    Q = _masked_solves(Z, ys)  # (8, 3) in scaled coordinates
    P = Q * s
    rss = jnp.sum(om[None, :] * (y[None, :] - P @ X.T) ** 2, axis=1)
    feasible = jnp.all(P >= 0.0, axis=1)
    return P[jnp.argmin(jnp.where(feasible, rss, jnp.inf))]


def ols3(X, y, om):
    """Unconstrained weighted LS on all 3 columns (``inner="ols"``)."""
    Z, ys, s = _scaled(X, y, om)
    return _masked_solves(Z, ys)[-1] * s


def support_solve(g01, g02, g12, c0, c1, c2, yy, nonneg=True):
    """Best support of the Jacobi-scaled 3×3 normal equations (unit diagonal, off-diagonals g, right-hand side c),
    elementwise over any broadcast shape. Each support's LS solution is in closed form and its objective is
    ``yᵀWy − c_Sᵀq_S``; with ``nonneg`` the best feasible one wins (exact NNLS), else the full support (OLS).
    Returns ((q0, q1, q2) in scaled coordinates, the winning objective)."""
    shape = jnp.broadcast_shapes(*(jnp.shape(v) for v in (g01, g02, g12, c0, c1, c2, yy)))
    g01, g02, g12, c0, c1, c2, yy = (jnp.broadcast_to(v, shape) for v in (g01, g02, g12, c0, c1, c2, yy))
    one, zero = jnp.ones(shape), jnp.zeros(shape)
    G = jnp.stack([jnp.stack([one, g01, g02], -1), jnp.stack([g01, one, g12], -1),
                   jnp.stack([g02, g12, one], -1)], -2)
    q = _solve3(G, jnp.stack([c0, c1, c2], -1))
    full = (q[..., 0], q[..., 1], q[..., 2])
    if not nonneg:
        return full, yy - (c0 * full[0] + c1 * full[1] + c2 * full[2])
    best_f = jnp.where(jnp.all(q >= 0, axis=-1), yy - (c0 * full[0] + c1 * full[1] + c2 * full[2]), yy)
    best = tuple(jnp.where(jnp.all(q >= 0, axis=-1), v, zero) for v in full)
    for (j, k), gjk in (((0, 1), g01), ((0, 2), g02), ((1, 2), g12)):
        cs = (c0, c1, c2)
        det = 1.0 - gjk * gjk
        qj, qk = (cs[j] - gjk * cs[k]) / det, (cs[k] - gjk * cs[j]) / det
        f = yy - (cs[j] * qj + cs[k] * qk)
        take = (qj >= 0) & (qk >= 0) & (f < best_f)
        cand = [zero, zero, zero]
        cand[j], cand[k] = qj, qk
        best = tuple(jnp.where(take, cv, bv) for cv, bv in zip(cand, best, strict=True))
        best_f = jnp.where(take, f, best_f)
    for j, cj in enumerate((c0, c1, c2)):
        f = yy - cj * cj
        take = (cj >= 0) & (f < best_f)
        cand = [zero, zero, zero]
        cand[j] = cj
        best = tuple(jnp.where(take, cv, bv) for cv, bv in zip(cand, best, strict=True))
        best_f = jnp.where(take, f, best_f)
    return best, best_f


def gram_nnls(X, y, om, nonneg=True):
    """(NN)LS from the weighted Gram matrix alone (≈15·n flops): the fast inner solve of each IRLS step."""
    Xw = X * om[:, None]
    G = Xw.T @ X
    c = Xw.T @ y
    d = 1.0 / jnp.sqrt(jnp.where(jnp.diag(G) > 0, jnp.diag(G), 1.0))
    Gs = G * d[:, None] * d[None, :]
    cs = c * d
    q, _ = support_solve(Gs[0, 1], Gs[0, 2], Gs[1, 2], cs[0], cs[1], cs[2], jnp.sum(om * y * y), nonneg)
    return jnp.stack(q) * d


def huber_irls(X, y, w, delta, p0, max_iter, nonneg=True):
    """Huber IRLS from ``p0``: weights ``w·1`` if |r| ≤ δ else ``w·δ/|r|``; each step solves the weighted (NN)LS
    exactly (from the weighted Gram matrix; the last step is repeated with the refined solver). This
    majorise-minimise scheme decreases the Huber objective monotonically; it stops when
    ``max|Δp| ≤ 1e-12·(1 + max|p|)`` or when ``max_iter`` solves have been made, the unweighted start counting
    as the first (vpnls counts this way: its ``max_iter=10`` is the start plus 9 reweightings).
    Returns (p, reweighting steps, converged)."""

    def cond(state):
        _, it, done = state
        return (it < max_iter - 1) & ~done

    def body(state):
        p, it, _ = state
        r = y - X @ p
        a = jnp.abs(r)
        om = w * jnp.where(a <= delta, 1.0, delta / jnp.where(a > 0, a, 1.0))
        p_new = gram_nnls(X, y, om, nonneg)
        done = jnp.max(jnp.abs(p_new - p)) <= 1e-12 * (1.0 + jnp.max(jnp.abs(p_new)))
        return p_new, it + 1, done

    p, it, done = jax.lax.while_loop(cond, body, (p0, jnp.asarray(0), jnp.asarray(False)))
    # Polish: the exact (refined) solve with the final weights, so p is accurate to the last digits.
    r = y - X @ p
    a = jnp.abs(r)
    om = w * jnp.where(a <= delta, 1.0, delta / jnp.where(a > 0, a, 1.0))
    return (nnls3 if nonneg else ols3)(X, y, om), it, done
