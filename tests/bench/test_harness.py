import json
import time

import pytest

from benchmarks import compare, recorded, report, time_callable
from benchmarks.__main__ import main


def test_time_callable_counts_repeats():
    calls = []
    timing = time_callable(lambda: calls.append(1), label="x", warmup=2, repeats=3)
    assert len(calls) == 1 + 2 + 3
    assert timing.repeats == 3 and 0 <= timing.min_s <= timing.median_s


def test_compare_reports_ratio_and_writes_json(tmp_path, capsys):
    comp = compare("sleep", lambda: None, lambda: time.sleep(0.002), repeats=2, goal=2.0, notes={"n": 1})
    assert comp.ratio > 1 and comp.meets_goal in (True, False)
    rec = recorded("rec", comp.ours, peer_label="elsewhere", peer_seconds=1.0)
    assert rec.notes["peer_recorded"] is True
    path = report("unit", [comp, rec], out_dir=tmp_path)
    data = json.loads(path.read_text())
    assert data["benchmark"] == "unit" and len(data["comparisons"]) == 2
    assert data["comparisons"][0]["ratio"] == pytest.approx(comp.ratio)
    assert "ratio (peer/ours, warm)" in capsys.readouterr().out


def test_unknown_benchmark_is_an_error(capsys):
    assert main(["no_such_bench"]) == 2
    assert "unknown benchmark(s) no_such_bench" in capsys.readouterr().err
