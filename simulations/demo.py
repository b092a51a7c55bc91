"""A tiny demonstration driver; it exists so the CLI has something to run."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulations import RunContext, driver, new_figure


def _damped_sine(decay: float, n: int) -> dict:
    t = np.linspace(0.0, 10.0, n)
    y = np.exp(-decay * t) * np.sin(2 * np.pi * t / 3)
    return {"decay": decay, "t": t, "y": y, "peak": float(np.abs(y).max())}


@driver("demo_sine", "demonstration: damped sine waves, one sweep task per decay rate")
def demo_sine(ctx: RunContext) -> dict:
    decays = [0.1, 0.3] if ctx.quick else [0.05, 0.1, 0.2, 0.4, 0.8]
    rows = ctx.map(_damped_sine, [{"decay": d, "n": 200} for d in decays], desc="decay rates")
    fig, ax = new_figure()
    for row in rows:
        ax.plot(row["t"], row["y"], label=f"decay {row['decay']:g} 1/s")
    ax.set(xlabel="time t [s]", ylabel="amplitude [a.u.]", title="Damped sine waves")
    ax.legend()
    table = pd.DataFrame([{"decay": r["decay"], "peak": r["peak"]} for r in rows])
    summary = {"max_peak": max(r["peak"] for r in rows), "n_curves": len(rows)}
    ctx.save(figure=fig, table=table, summary=summary)
    return summary
