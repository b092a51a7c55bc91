import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import simulations
from simulations import RunContext, SimulationError
from simulations.__main__ import main

ROOT = Path(__file__).resolve().parents[2]


@simulations.driver("_test_driver", "a driver the tests register", figures=("_test_driver",))
def _test_driver(ctx: RunContext) -> dict:
    fig, ax = simulations.new_figure()
    ax.plot([0, 1], [ctx.seed, ctx.seed + 1])
    ax.set(xlabel="x [1]", ylabel="y [1]", title="test")
    summary = {"seed": ctx.seed, "quick": ctx.quick, "value": 1.5}
    ctx.save(figure=fig, table={"x": [0, 1], "y": [0, 1]}, summary=summary)
    return summary


def test_registry_lookup_and_unknown_name():
    assert simulations.get_driver("_test_driver").description == "a driver the tests register"
    with pytest.raises(SimulationError, match="unknown driver 'nope'; valid drivers: .*_test_driver"):
        simulations.get_driver("nope")


def test_registering_a_bad_name():
    with pytest.raises(SimulationError, match="identifier"):
        simulations.driver("not a name", "x")


def test_run_writes_png_csv_json(tmp_path, capsys):
    assert main(["run", "_test_driver", "--quick", "--out", str(tmp_path), "--seed", "7", "--no-progress"]) == 0
    assert {p.name for p in tmp_path.iterdir()} == {"_test_driver.png", "_test_driver.csv", "_test_driver.json"}
    data = json.loads((tmp_path / "_test_driver.json").read_text())
    assert data == {"driver": "_test_driver", "quick": True, "seed": 7, "value": 1.5}
    assert (tmp_path / "_test_driver.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "_test_driver:" in capsys.readouterr().out


def test_list_shows_registered_driver(capsys):
    assert main(["list"]) == 0
    # names are padded to the longest registered name, so match the row, not the spacing
    assert re.search(r"^_test_driver +a driver the tests register$", capsys.readouterr().out, re.MULTILINE)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "nope"], "unknown driver 'nope'"),
        (["run", "_test_driver", "--bogus"], "unrecognized arguments: --bogus"),
        (["run", "_test_driver", "--executor", "mpi"], "invalid choice: 'mpi'"),
        (["run", "_test_driver", "--seed", "x"], "invalid int value: 'x'"),
        (["run", "_test_driver", "--scheduler", "tcp://h:1"], "--scheduler needs --executor dask"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        ([], "required: command"),
    ],
)
def test_bad_input_is_one_line_and_nonzero(argv, message, capsys):
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and err.startswith("python -m simulations: error:")


def test_cli_as_a_subprocess():
    out = subprocess.run([sys.executable, "-m", "simulations", "run", "no_such_driver"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 2
    assert out.stderr.strip().startswith("python -m simulations: error: unknown driver 'no_such_driver'")
    listing = subprocess.run([sys.executable, "-m", "simulations", "list"], cwd=ROOT, capture_output=True,
                             text=True, check=True)
    assert listing.stdout.strip(), "no driver registered"


def test_all_reports_failures(tmp_path, capsys, monkeypatch):
    @simulations.driver("_test_failing", "always fails")
    def _failing(ctx):
        raise RuntimeError("boom")

    monkeypatch.setattr(simulations._registry, "DRIVERS",
                        {k: v for k, v in simulations.DRIVERS.items() if k.startswith("_test")})
    try:
        assert main(["all", "--quick", "--out", str(tmp_path), "--no-progress"]) == 1
    finally:
        simulations.DRIVERS.pop("_test_failing", None)
    err = capsys.readouterr().err
    assert "_test_failing: FAILED: RuntimeError: boom" in err
    assert "1 driver(s) failed: _test_failing" in err
    assert (tmp_path / "_test_driver.png").exists()
