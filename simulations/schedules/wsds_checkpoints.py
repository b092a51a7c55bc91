"""Many checkpoints from one budget: WSD branches vs WSD-S vs cyclic cosine on the river valley (paper §4)."""

from __future__ import annotations

import pandas as pd

from simulations import RunContext, driver, new_figure
from simulations.schedules._common import X0, base_valley
from theory.schedules import multi_checkpoint

METHODS = ("wsd", "wsds", "cyclic_cosine")


def _method(method: str, checkpoints: list) -> dict:
    r = multi_checkpoint(method, checkpoints, base_valley(), x0=X0)
    return {"method": method, "loss": r.loss, "compute": r.compute, "lr_sum": r.lr_sum}


@driver("wsds_checkpoints", "WSD branches vs WSD-S vs cyclic cosine: loss at each checkpoint vs compute spent")
def wsds_checkpoints(ctx: RunContext) -> dict:
    cps = [2500, 5000, 7500, 10_000]
    if ctx.quick:
        cps = [c // 5 for c in cps]
    results = ctx.map(_method, [dict(method=m, checkpoints=cps) for m in METHODS], desc="methods")
    fig, axes = new_figure(1, 2, width=11.0, height=4.0)
    labels = {"wsd": "WSD, one branch per checkpoint", "wsds": "WSD-S (one run)", "cyclic_cosine": "cyclic cosine"}
    rows = []
    for r in results:
        axes[0].plot(r["compute"], r["loss"], "o-", label=labels[r["method"]])
        axes[1].plot(cps, r["loss"], "o-", label=labels[r["method"]])
        for c, comp, loss, s in zip(cps, r["compute"], r["loss"], r["lr_sum"], strict=True):
            rows.append({"method": r["method"], "checkpoint": c, "compute_steps": int(comp), "loss": float(loss),
                         "lr_sum": float(s)})
    axes[0].set(yscale="log", xlabel="compute spent [SGD steps, incl. decay branches]",
                ylabel="E[L] at checkpoint (log scale)", title="Loss vs compute")
    axes[1].set(yscale="log", xlabel="checkpoint step c_k", ylabel="E[L] at checkpoint (log scale)",
                title="Loss at each checkpoint")
    for ax in axes:
        ax.legend(fontsize=8)
    fig.suptitle("River valley μ=1e-4, σ_h²=0.1; 20% 1-sqrt decays (cyclic cosine: full cycles)")
    table = pd.DataFrame(rows)
    summary = {"checkpoints": cps}
    for r in results:
        summary[f"final_loss[{r['method']}]"] = float(r["loss"][-1])
        summary[f"total_compute[{r['method']}]"] = int(r["compute"][-1])
    summary["wsds_over_wsd_final"] = summary["final_loss[wsds]"] / summary["final_loss[wsd]"]
    summary["wsd_extra_compute_fraction"] = summary["total_compute[wsd]"] / cps[-1] - 1.0
    ctx.save(figure=fig, table=table, summary=summary)
    return summary
