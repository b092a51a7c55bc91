"""Public data bundled with the package, loaded as pandas DataFrames.

>>> import theory.datasets as d
>>> d.names()[:3]
['agents_empirical', 'chinchilla_epoch', 'chinchilla_kyo_takano']
>>> d.load("llama3_isoflops").shape
(133, 5)

Each folder beside this file holds the files verbatim as published, with a
README giving the source repository, commit and licence; :func:`readme`
returns it. The files ship inside the wheel, so loading works from an
installed package, not only from a source checkout.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from theory._errors import DatasetError

__all__ = ["DatasetError", "describe", "load", "names", "readme", "source_files"]


@dataclass(frozen=True)
class _Dataset:
    folder: str
    files: tuple[str, ...]
    description: str
    reader: Callable[[list[Path]], pd.DataFrame] | None = None


def _read_csv(paths: list[Path]) -> pd.DataFrame:
    return pd.read_csv(paths[0])


def _read_german_codes(paths: list[Path]) -> pd.DataFrame:
    # The UCI file is space separated with no header; columns follow the UCI
    # documentation (A1..A20, then 1 = good, 2 = bad).
    frame = pd.read_csv(paths[0], sep=r"\s+", header=None)
    frame.columns = [f"A{i}" for i in range(1, 21)] + ["class"]
    return frame


def _read_multipower(paths: list[Path]) -> pd.DataFrame:
    frames = []
    for path in paths:
        frame = pd.read_csv(path)
        frame.insert(0, "schedule", path.stem)
        frame.insert(0, "model", path.parent.name.removeprefix("csv_") + "M")
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _read_multipower_optimized(paths: list[Path]) -> pd.DataFrame:
    frames = []
    for path in paths:
        lr = np.load(path)
        # The arrays hold the LR after the 2,160 warm-up steps (see wsd/README.md).
        frames.append(pd.DataFrame({"model": f"{path.stem}M", "step": 2160 + np.arange(lr.size), "lr": lr}))
    return pd.concat(frames, ignore_index=True)


_MULTIPOWER_STEMS = ("constant_24000", "constant_72000", "cosine_24000", "cosine_72000",
                     "wsd_20000_24000", "wsdcon_18", "wsdcon_3", "wsdcon_9", "wsdld_20000_24000")

_REGISTRY: dict[str, _Dataset] = {
    "agents_empirical": _Dataset("agents", ("agents_empirical.csv",),
                                 "published multi-agent numbers (Kim 2025, Li 2024, Kohli 2026)"),
    "chinchilla_epoch": _Dataset("chinchilla", ("epoch_svg_extracted_data.csv",),
                                 "Chinchilla Fig. 4 points extracted by Epoch AI (245 rows)"),
    "chinchilla_openathena_epochai": _Dataset("chinchilla", ("openathena_epochai_chinchilla_isoflops.csv",),
                                              "Chinchilla IsoFLOPs, Epoch extraction, Open-Athena schema (123)"),
    "chinchilla_ml_scalefit": _Dataset("chinchilla", ("openathena_ml_scalefit_chinchilla_isoflops.csv",),
                                       "Chinchilla IsoFLOPs from apple/ml-scalefit, Open-Athena schema (124)"),
    "chinchilla_kyo_takano": _Dataset("chinchilla", ("kyo_takano_chinchilla_subset_df.csv",),
                                      "Chinchilla subset used by kyo-takano/chinchilla (234; Apache-2.0)"),
    "llama3_isoflops": _Dataset("llama3", ("llama3_isoflops_points.csv",),
                                "Llama 3 Fig. 2 IsoFLOP points, digitised (133)"),
    "llama3_openathena": _Dataset("llama3", ("openathena_llama_3_isoflops.csv",),
                                  "Llama 3 IsoFLOPs, Open-Athena schema, raw and exp loss (266)"),
    "isoflop_experiments": _Dataset("isoflop_experiments", ("isoflops_annotated.csv",),
                                    "eight IsoFLOP experiments with outlier annotations (947)"),
    "isoflop_experiments_extracted": _Dataset("isoflop_experiments", ("isoflops_extracted.csv",),
                                              "the same eight experiments before annotation (947)"),
    "marin_202603": _Dataset("marin_202603", ("openathena_marin_202603_isoflops.csv",),
                             "Marin scaling-ladder IsoFLOPs, Open-Athena schema (258)"),
    "marin_202603_raw_comma": _Dataset("marin_202603", ("raw_isoflop-comma.csv",), "Marin raw runs, Comma data (91)"),
    "marin_202603_raw_dclm": _Dataset("marin_202603", ("raw_isoflop-dclm.csv",), "Marin raw runs, DCLM data (84)"),
    "marin_202603_raw_nemotron": _Dataset("marin_202603", ("raw_isoflop-nemotron.csv",),
                                          "Marin raw runs, Nemotron data (95)"),
    "misfitting_checkpoints": _Dataset("misfitting", ("scaling_results.csv",),
                                       "(Mis)Fitting Scaling Laws, every checkpoint (4,852)"),
    "misfitting_final": _Dataset("misfitting", ("scaling_results_last_ckpt_only.csv",),
                                 "(Mis)Fitting Scaling Laws, final checkpoints (261)"),
    "misfitting_isoflops": _Dataset("misfitting", ("openathena_misfitting_isoflops.csv",),
                                    "(Mis)Fitting IsoFLOP curves built by Open-Athena (176)"),
    "german_credit": _Dataset("credit", ("german_credit.csv",),
                              "UCI Statlog German credit, labelled (1000 x 21; one column repaired)"),
    "german_credit_codes": _Dataset("credit", ("german.data",), "UCI Statlog German credit, original codes",
                                    _read_german_codes),
    "wsd_multipower": _Dataset("wsd/multipowerlaw", tuple(f"csv_{m}/{s}.csv" for m in (25, 100, 400)
                                                         for s in _MULTIPOWER_STEMS),
                               "Multi-Power-Law loss curves, 25M/100M/400M (Luo et al. 2025; MIT)",
                               _read_multipower),
    "wsd_multipower_optimized": _Dataset("wsd/multipowerlaw", tuple(f"optimized_schedules/{m}.npy"
                                                                   for m in (25, 100, 400)),
                                         "LR schedules minimising the fitted Multi-Power Law (MIT)",
                                         _read_multipower_optimized),
    "wsd_schaipp_runs": _Dataset("wsd/lr_scheduling_schaipp", ("runs.csv",),
                                 "Schaipp et al. 2025 runs: schedule settings and final loss (MIT)"),
    "wsd_schaipp_val_curves": _Dataset("wsd/lr_scheduling_schaipp", ("val_curves.csv",),
                                       "Schaipp et al. 2025 validation curves (MIT)"),
    "wsd_schaipp_train_curves": _Dataset("wsd/lr_scheduling_schaipp", ("train_curves.csv",),
                                         "Schaipp et al. 2025 training curves (MIT)"),
}


def names() -> list[str]:
    """The names :func:`load` accepts, sorted."""
    return sorted(_REGISTRY)


def _entry(name: str) -> _Dataset:
    if not isinstance(name, str) or name not in _REGISTRY:
        raise DatasetError(f"unknown dataset name {name!r}; valid names are: {', '.join(names())}")
    return _REGISTRY[name]


def _root() -> Path:
    return Path(str(resources.files(__name__)))


def source_files(name: str) -> list[Path]:
    """Paths of the bundled files behind dataset ``name``."""
    entry = _entry(name)
    return [_root() / entry.folder / file for file in entry.files]


def describe(name: str) -> str:
    """One line saying what dataset ``name`` holds."""
    return _entry(name).description


def readme(name: str) -> str:
    """The README of the folder that holds dataset ``name`` (sources, columns, licences)."""
    entry = _entry(name)
    return (_root() / entry.folder.split("/")[0] / "README.md").read_text(encoding="utf-8")


@functools.lru_cache(maxsize=None)
def _load_cached(name: str) -> pd.DataFrame:
    entry = _entry(name)
    paths = source_files(name)
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise DatasetError(f"dataset {name!r} is missing bundled file(s) {missing}; reinstall the package")
    return (entry.reader or _read_csv)(paths)


def load(name: str) -> pd.DataFrame:
    """Load bundled dataset ``name`` as a new :class:`pandas.DataFrame`.

    Raises :class:`theory.TheoryError` (a :class:`DatasetError`) for an
    unknown name, listing the valid ones. The frame is a copy: changing it
    does not change what the next call returns.
    """
    return _load_cached(name).copy()
