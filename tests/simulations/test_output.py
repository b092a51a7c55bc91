import json
import math
import os

import jax.numpy as jnp
import numpy as np
import pytest

from simulations._output import atomic_write, to_jsonable, write_json


def test_atomic_write_replaces_only_on_success(tmp_path):
    target = tmp_path / "fig.png"
    target.write_text("good old figure")

    def half_write(tmp):
        tmp.write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, half_write)
    assert target.read_text() == "good old figure"
    assert [p.name for p in tmp_path.iterdir()] == ["fig.png"], "temporary file left behind"

    atomic_write(target, lambda tmp: tmp.write_text("new figure"))
    assert target.read_text() == "new figure"
    assert oct(os.stat(target).st_mode & 0o777) != oct(0o600)


def test_to_jsonable_handles_arrays_and_non_finite(tmp_path):
    data = {"a": jnp.asarray(1.5), "b": np.arange(3), "c": (np.float32(2.0), np.bool_(True)), "d": math.inf,
            "e": float("nan"), "f": np.int64(3)}
    out = to_jsonable(data)
    assert out == {"a": 1.5, "b": [0, 1, 2], "c": [2.0, True], "d": "inf", "e": "nan", "f": 3}
    path = write_json(tmp_path / "x.json", data)
    assert json.loads(path.read_text())["d"] == "inf"
