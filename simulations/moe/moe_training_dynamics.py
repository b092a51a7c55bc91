"""Aux-loss vs loss-free bias updates vs the equilibrium bias on one token stream (toy sigmoid router)."""

from __future__ import annotations

import jax
import numpy as np
import pandas as pd

import theory.moe as moe
from simulations import RunContext, driver, new_figure

RUNS = (("none", "none", 0.0), ("aux_loss", "aux_loss", 0.0), ("loss_free u=1e-4", "loss_free", 1e-4),
        ("loss_free u=1e-3", "loss_free", 1e-3), ("loss_free u=1e-2", "loss_free", 1e-2),
        ("equilibrium", "equilibrium", 0.0))


def _simulate(seed: int, label: str, method: str, update_rate: float, steps: int, tokens: int) -> dict:
    kw = {"update_rate": update_rate} if method == "loss_free" else {}
    tr = moe.simulate_training(jax.random.PRNGKey(seed), method, steps=steps, tokens_per_step=tokens, **kw)
    return {"seed": seed, "label": label, "max_vio": np.asarray(tr.max_vio), "quality": np.asarray(tr.quality)}


def _moving_average(x: np.ndarray, width: int) -> np.ndarray:
    width = min(width, len(x))
    return np.convolve(x, np.ones(width) / width, mode="valid")


@driver("moe_training_dynamics", "MaxVio vs step: none, aux loss, loss-free u ∈ {1e-4, 1e-3, 1e-2}, equilibrium")
def moe_training_dynamics(ctx: RunContext) -> dict:
    steps, tokens, seeds = (300, 512, [0]) if ctx.quick else (2000, 2048, [0, 1, 2, 3, 4])
    tasks = [{"seed": ctx.seed + s, "label": lab, "method": m, "update_rate": u, "steps": steps, "tokens": tokens}
             for s in seeds for lab, m, u in RUNS]
    results = ctx.map(_simulate, tasks, desc="method × key")
    raw = pd.DataFrame([{"seed": r["seed"], "method": r["label"], "step": t, "max_vio": v, "quality": qv}
                        for r in results for t, (v, qv) in enumerate(zip(r["max_vio"], r["quality"], strict=True))])
    fig, ax = new_figure(width=8.0, height=4.6)
    rows, summary = [], {}
    for i, (label, _, _) in enumerate(RUNS):
        mv = np.stack([r["max_vio"] for r in results if r["label"] == label])
        ql = np.stack([r["quality"] for r in results if r["label"] == label])
        mean = mv.mean(0)
        ma = _moving_average(mean, 100)
        ax.plot(np.arange(len(ma)) + len(mean) - len(ma), ma, color=f"C{i}", label=label)
        row = {"method": label, "max_vio_steps_0_9": float(mv[:, :10].mean()),
               "max_vio_steps_100_199": float(mv[:, 100:200].mean()), "max_vio_last_100": float(mv[:, -100:].mean()),
               "quality_last_100": float(ql[:, -100:].mean())}
        rows.append(row)
        key = label.replace(" ", "_").replace("=", "")
        summary.update({f"{key}_{k}": v for k, v in row.items() if k != "method"})
    ax.set_yscale("log")
    ax.set(xlabel="training step", ylabel="MaxVio = max/mean count − 1 (100-step moving average)",
           title=f"Load balancing on one token stream: E = 16, K = 2, {tokens} tokens/step, keys {seeds}")
    ax.legend(ncol=2, fontsize=8)
    table = pd.DataFrame(rows)
    summary.update({"steps": steps, "tokens_per_step": tokens, "keys": [ctx.seed + s for s in seeds]})
    ctx.save(figure=fig, table=raw, summary=summary)
    ctx.save(table=table, name="moe_training_dynamics_means")
    return summary
