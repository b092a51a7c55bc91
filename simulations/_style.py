"""One matplotlib look for every figure the drivers write."""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg")  # drivers run headless, in CI and on dask workers

import matplotlib.pyplot as plt  # noqa: E402

__all__ = ["STYLE", "new_figure"]

STYLE: dict[str, Any] = {
    "figure.dpi": 110,
    "figure.constrained_layout.use": True,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.fontsize": 8.5,
    "legend.frameon": False,
    "lines.linewidth": 1.6,
    "lines.markersize": 5,
    "axes.prop_cycle": matplotlib.cycler(color=[
        "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]),
}


def new_figure(nrows: int = 1, ncols: int = 1, *, width: float | None = None, height: float | None = None,
               **subplot_kw: Any):
    """``plt.subplots`` in the house style; size defaults to 4.2 x 3.4 inches per panel."""
    # rcParams are read at draw time as well as at creation, so the style is
    # set globally rather than in a context manager that ends too early.
    matplotlib.rcParams.update(STYLE)
    return plt.subplots(nrows, ncols, figsize=(width or 4.2 * ncols, height or 3.4 * nrows), **subplot_kw)
