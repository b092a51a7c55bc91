"""Decay fraction × decay shape: the river-valley toy, the convex bound Ω*, and the 124M runs of Schaipp et al."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulations import RunContext, driver, new_figure
from simulations.schedules._common import X0, base_valley
from theory import datasets
from theory.schedules import convex_bound, valley_moments, wsd_schedule

FRACTIONS = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0)
SHAPES = ("linear", "cosine", "1-sqrt", "inverse", "exponential")


def _floor(shape: str) -> float:
    return 0.01 if shape in ("inverse", "exponential") else 0.0


def _sweep_shape(shape: str, fractions: tuple, toy_steps: int, bound_steps: int) -> list[dict]:
    f = _floor(shape)
    toy = np.stack([np.asarray(wsd_schedule(1.0, toy_steps, decay_fraction=fr, decay_shape=shape,
                                            min_lr_ratio=f).values()) for fr in fractions])
    final = np.asarray(valley_moments(toy, base_valley(), x0=X0).final_loss)
    rows = []
    for fr, loss in zip(fractions, final, strict=True):
        bound = convex_bound(wsd_schedule(1.0, bound_steps, decay_fraction=fr, decay_shape=shape, min_lr_ratio=f))
        rows.append({"shape": shape, "min_lr_ratio": f, "decay_fraction": fr, "toy_final_loss": float(loss),
                     "omega_star": bound.optimal_bound, "optimal_scale": bound.optimal_scale})
    return rows


def schaipp_best_by_fraction() -> pd.DataFrame:
    """Best final validation loss over peak LR per cooldown fraction: 124M (12 layers, width 768), 50k steps."""
    runs = datasets.load("wsd_schaipp_runs")
    sel = runs[(runs.subdir == ".") & (runs.n_layer == 12) & (runs.n_embd == 768) & (runs.iterations == 50_000)
               & (runs.scheduler == "wsd") & (runs.wsd_fract_decay > 0)]
    best = sel.loc[sel.groupby(["decay_type", "wsd_fract_decay"]).final_val_loss.idxmin()]
    return best[["decay_type", "wsd_fract_decay", "lr", "final_val_loss"]].reset_index(drop=True)


@driver("wsd_decay_sweep", "Decay fraction x shape: river-valley final E[L], convex bound, and 124M runs")
def wsd_decay_sweep(ctx: RunContext) -> dict:
    toy_steps, bound_steps = (1000, 1000) if ctx.quick else (10_000, 50_000)
    fractions = (0.1, 0.2, 0.5) if ctx.quick else FRACTIONS
    tasks = [dict(shape=s, fractions=fractions, toy_steps=toy_steps, bound_steps=bound_steps) for s in SHAPES]
    rows = [row for part in ctx.map(_sweep_shape, tasks, desc="decay shapes") for row in part]
    table = pd.DataFrame(rows)
    real = schaipp_best_by_fraction()

    fig, axes = new_figure(1, 3, width=14.0, height=4.0)
    for shape in SHAPES:
        part = table[table["shape"] == shape]
        label = f"{shape} → {_floor(shape):g}·η_max"
        axes[0].plot(part.decay_fraction, part.toy_final_loss, "o-", ms=3, label=label)
        axes[1].plot(part.decay_fraction, part.omega_star, "o-", ms=3, label=label)
    axes[0].set(yscale="log", xlabel="decay fraction d/T", ylabel="final E[L] (log scale)",
                title=f"River valley (μ=1e-4, σ_h²=0.1), T={toy_steps}")
    axes[1].set(xlabel="decay fraction d/T", ylabel="Ω* = 2√(t₁(t₂+t₃))  (G = D = 1)",
                title=f"Convex bound at the best LR scale, T={bound_steps}")
    for decay_type, marker in (("linear", "o-"), ("sqrt", "s")):
        part = real[real.decay_type == decay_type]
        axes[2].plot(part.wsd_fract_decay, part.final_val_loss, marker, label=f"WSD {decay_type} cooldown")
    axes[2].set(xlabel="cooldown fraction", ylabel="final validation loss [nats]",
                title="124M, 50k steps: best over peak LR")
    for ax in axes:
        ax.legend(fontsize=7)
    fig.suptitle("How long to decay: toy model, convex bound, and real runs (Schaipp et al. 2025 logs)")

    summary = {"toy_steps": toy_steps, "bound_steps": bound_steps}
    for shape in SHAPES:
        part = table[table["shape"] == shape]
        i, j = part.toy_final_loss.idxmin(), part.omega_star.idxmin()
        summary[f"best_fraction_toy[{shape}]"] = float(table.decay_fraction[i])
        summary[f"best_fraction_bound[{shape}]"] = float(table.decay_fraction[j])
        summary[f"min_omega_star[{shape}]"] = float(table.omega_star[j])
    lin = real[real.decay_type == "linear"]
    summary["real_best_fraction_linear"] = float(lin.wsd_fract_decay[lin.final_val_loss.idxmin()])
    summary["real_best_loss_linear"] = float(lin.final_val_loss.min())
    summary["real_loss_linear_20pct"] = float(lin.final_val_loss[lin.wsd_fract_decay == 0.2].iloc[0])
    out = table.merge(real.rename(columns={"wsd_fract_decay": "decay_fraction", "lr": "real_best_lr",
                                           "final_val_loss": "real_final_val_loss",
                                           "decay_type": "real_decay_type"}),
                      on="decay_fraction", how="outer")
    ctx.save(figure=fig, table=out, summary=summary)
    return summary
