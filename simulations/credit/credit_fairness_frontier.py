"""Performance-fairness frontier on synthetic credit data: max score-bin IV s.t. IV between groups ≤ ε."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pandas as pd

from simulations import RunContext, driver, new_figure
from theory.credit import fairness_frontier, simulate_credit
from theory.credit._frontier import hard_metrics, logistic_irls


def _base_iv_fair(Z, y, a) -> float:
    """IV_fair of the unconstrained logistic score (the frontier's ε scale)."""
    zs = (Z - Z.mean(axis=0)) / Z.std(axis=0)
    beta = np.asarray(logistic_irls(jnp.asarray(zs), jnp.asarray(y, dtype=float)))[1:]
    return float(hard_metrics(jnp.asarray(beta / np.linalg.norm(beta)), jnp.asarray(zs), jnp.asarray(y, float),
                              jnp.asarray(a, float), 10, 0.7)[1])


@driver("credit_fairness_frontier", "Fairness frontier on simulated credit data: IV_model vs IV_fair, AUC and AIR")
def credit_fairness_frontier(ctx: RunContext) -> dict:
    n, steps = (4000, 100) if ctx.quick else (20000, 300)
    data = simulate_credit(ctx.key(), n)
    Z, y, a = np.asarray(data.Z), np.asarray(data.y), np.asarray(data.a)
    fracs = np.array([0.25, 0.5, 0.75, 1.0]) if ctx.quick else np.arange(1, 11) / 10.0
    eps = _base_iv_fair(Z, y, a) * fracs
    fr = fairness_frontier(Z, y, a, epsilons=eps, steps=steps)
    base = fr.unconstrained
    table = pd.DataFrame({"epsilon": np.asarray(fr.epsilons), "epsilon_frac": fracs,
                          "iv_model": np.asarray(fr.iv_model), "iv_fair": np.asarray(fr.iv_fair),
                          "auc": np.asarray(fr.auc), "air": np.asarray(fr.air), "air_ok": np.asarray(fr.air_ok),
                          "feasible": np.asarray(fr.feasible), "violation": np.asarray(fr.violation)})
    for j, name in enumerate(data.feature_names):
        table[f"coef_{name}"] = np.asarray(fr.coef)[:, j]

    fig, axes = new_figure(1, 2, width=13, height=4.8)
    ax = axes[0]
    ax.plot(table["iv_fair"], table["iv_model"], "o-", label="frontier (hard-binned, per ε)")
    ax.plot([base["iv_fair"]], [base["iv_model"]], "r*", ms=14, label="unconstrained logistic β_LR")
    for r in table.itertuples():
        ax.annotate(f"ε={r.epsilon:.3f}", (r.iv_fair, r.iv_model), fontsize=7, xytext=(4, -10),
                    textcoords="offset points")
    ax.set(xlabel="IV_fair = J(score bins | a=0, a=1) [nats]", ylabel="IV_model = J(goods, bads) [nats]",
           title=f"Performance-fairness frontier (n = {n}, 10 score bins)")
    ax.legend()
    ax = axes[1]
    ax.plot(table["epsilon"], table["auc"], "o-", label="AUC (training data)")
    ax.plot(table["epsilon"], table["air"], "s-", label="AIR at 70 % approval")
    ax.axhline(0.8, color="k", ls="--", lw=1, label="four-fifths line AIR = 0.8")
    ax.axhline(base["auc"], color="C0", ls=":", lw=1, label="AUC of β_LR")
    ax.axhline(base["air"], color="C1", ls=":", lw=1, label="AIR of β_LR")
    ax.set(xlabel="fairness budget ε on IV_fair [nats]", ylabel="AUC, AIR [fraction]",
           title="Discrimination and adverse impact vs budget")
    ax.legend(fontsize=8)

    ivf0 = base["iv_fair"]
    big = table["epsilon"] >= 0.2 * ivf0 - 1e-12
    bigger = table["epsilon"] >= 0.3 * ivf0 - 1e-12
    small = table["epsilon"] <= 0.3 * ivf0 + 1e-12
    top = table.iloc[-1]
    summary = {
        "n": n, "steps": steps, "iv_model_lr": base["iv_model"], "iv_fair_lr": ivf0, "auc_lr": base["auc"],
        "air_lr": base["air"],
        "max_violation_eps_ge_0.2": float(table["violation"][big].max()),
        "max_violation_eps_ge_0.3": float(table["violation"][bigger].max()),
        "max_decrease_iv_model": float(max(0.0, -np.diff(table["iv_model"]).min())) if len(table) > 1 else 0.0,
        "iv_model_at_full_budget_minus_lr": float(top["iv_model"] - base["iv_model"]),
        "air_ok_for_eps_le_0.3": bool(table["air_ok"][small].all()) if small.any() else None,
        "coef_lr": [float(v) for v in np.asarray(base["coef"])],
        "converged": fr.converged, "status": fr.status,
    }
    ctx.save(figure=fig, table=table, summary=summary)
    return summary
