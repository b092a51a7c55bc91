"""Shared test data: the Epoch 240-point Chinchilla set and Llama 3 raw-loss IsoFLOPs."""

from __future__ import annotations

import functools

import numpy as np

import theory.datasets as ds
from theory.scaling import isoflop_experiment


@functools.cache
def epoch240():
    """Epoch AI's 240 rows: ``loss < sorted(loss)[-5]``; N = Model Size, D = C/(6N) (spec §8)."""
    df = ds.load("chinchilla_epoch")
    df = df[df["loss"] < np.sort(df["loss"].to_numpy())[-5]]
    N = df["Model Size"].to_numpy()
    C = df["Training FLOP"].to_numpy()
    return N, C / (6 * N), df["loss"].to_numpy(), C


@functools.cache
def llama3():
    d = isoflop_experiment("llama_3__raw_loss")
    return tuple(np.asarray(v) for v in (d.N, d.D, d.L, d.C))
