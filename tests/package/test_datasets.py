import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import theory
import theory.datasets as datasets

ROOT = Path(__file__).resolve().parents[2]

# Row counts stated in the READMEs of ../shared/data (and specs); a changed file shows up here.
EXPECTED_ROWS = {
    "chinchilla_epoch": 245,
    "chinchilla_openathena_epochai": 123,
    "chinchilla_ml_scalefit": 124,
    "chinchilla_kyo_takano": 234,
    "llama3_isoflops": 133,
    "llama3_openathena": 266,
    "isoflop_experiments": 947,
    "isoflop_experiments_extracted": 947,
    "marin_202603": 258,
    "misfitting_checkpoints": 4852,
    "misfitting_final": 261,
    "misfitting_isoflops": 176,
    "german_credit": 1000,
    "german_credit_codes": 1000,
    "wsd_schaipp_runs": 235,
    "agents_empirical": 12,
}


def test_names_sorted_and_complete():
    names = datasets.names()
    assert names == sorted(names)
    assert set(EXPECTED_ROWS) <= set(names)


@pytest.mark.parametrize("name", sorted(EXPECTED_ROWS))
def test_row_counts(name):
    assert len(datasets.load(name)) == EXPECTED_ROWS[name]


@pytest.mark.parametrize("name", datasets.names())
def test_every_dataset_loads_with_readme(name):
    frame = datasets.load(name)
    assert isinstance(frame, pd.DataFrame) and len(frame) > 0
    assert datasets.describe(name)
    assert "#" in datasets.readme(name)
    assert all(p.is_file() for p in datasets.source_files(name))


def test_german_credit_shape_and_outcome():
    frame = datasets.load("german_credit")
    assert frame.shape == (1000, 21)
    assert frame["creditability"].value_counts().to_dict() == {"good": 700, "bad": 300}


def test_multipower_schedules():
    frame = datasets.load("wsd_multipower")
    assert set(frame["model"]) == {"25M", "100M", "400M"}
    assert frame.groupby("model")["schedule"].nunique().min() == 9
    opt = datasets.load("wsd_multipower_optimized")
    assert opt.groupby("model").size().to_dict() == {"25M": 21840, "100M": 21840, "400M": 21840}
    assert opt["step"].min() == 2160


def test_load_returns_a_copy():
    a = datasets.load("agents_empirical")
    a.loc[0, "value"] = -1.0
    assert datasets.load("agents_empirical").loc[0, "value"] == 0.45


@pytest.mark.parametrize("bad", ["nope", "", None, 3])
def test_unknown_name_raises_listing_valid_names(bad):
    with pytest.raises(theory.TheoryError, match="valid names are: agents_empirical, chinchilla_epoch"):
        datasets.load(bad)


@pytest.mark.slow
def test_data_ships_in_the_wheel(tmp_path):
    """Build a wheel, install it into a bare folder and load data from there, away from the source tree."""
    # Build from a copy: setuptools leaves build/ behind, and a stale build/ in the checkout could leak
    # deleted files into later wheels.
    src = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build")
    for name in ("theory", "simulations", "benchmarks"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    wheel_dir = tmp_path / "wheel"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(wheel_dir), str(src)], check=True, cwd=tmp_path)
    (wheel,) = wheel_dir.glob("theory-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        members = set(zf.namelist())
    for name in datasets.names():
        for path in datasets.source_files(name):
            rel = path.relative_to(Path(datasets.__file__).parent)
            assert f"theory/datasets/{rel.as_posix()}" in members, rel
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, cwd=tmp_path)
    code = ("import theory, theory.datasets as d; assert 'site' in theory.__file__, theory.__file__; "
            "print(len(d.names()), d.load('german_credit').shape)")
    out = subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path, capture_output=True, text=True,
                         env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"})
    assert out.stdout.split() == [str(len(datasets.names())), "(1000,", "21)"]
