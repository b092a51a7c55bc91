"""Atomic writes of a driver's outputs: ``NAME.png``, ``NAME.csv``, ``NAME.json``.

Every file is written to a temporary file in the destination folder and then
renamed over the target (``os.replace`` is atomic on POSIX), so an interrupted
driver never leaves a half-written figure where a good one was.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["atomic_write", "to_jsonable", "write_csv", "write_figure", "write_json"]


def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temporary sibling of ``path``, then rename it to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        # mkstemp creates the file 0600; give it the permissions a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_figure(path: Path, figure: Any, *, dpi: int = 130) -> Path:
    """Save a matplotlib figure as PNG, atomically."""
    return atomic_write(path, lambda tmp: figure.savefig(tmp, format="png", dpi=dpi, bbox_inches="tight"))


def write_csv(path: Path, table: Any) -> Path:
    """Save a pandas DataFrame (or anything ``pandas.DataFrame`` accepts) as CSV, atomically."""
    import pandas as pd

    frame = table if isinstance(table, pd.DataFrame) else pd.DataFrame(table)
    return atomic_write(path, lambda tmp: frame.to_csv(tmp, index=False))


def to_jsonable(value: Any) -> Any:
    """Convert numpy / JAX scalars and arrays, paths and tuples to JSON types.

    Non-finite floats become the strings ``"nan"``, ``"inf"``, ``"-inf"``: JSON
    has no spelling for them and silently writing ``NaN`` makes invalid JSON.
    """
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "__array__") and not isinstance(value, (str, bytes)):
        arr = np.asarray(value)
        return to_jsonable(arr.item()) if arr.ndim == 0 else to_jsonable(arr.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        x = float(value)
        return x if math.isfinite(x) else str(x)
    return value


def write_json(path: Path, data: dict) -> Path:
    """Save headline numbers as indented JSON, atomically."""
    text = json.dumps(to_jsonable(data), indent=2, sort_keys=False) + "\n"
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
