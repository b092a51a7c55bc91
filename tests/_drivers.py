"""Shared check for the modules' driver tests: run one driver with --quick and read back what it wrote."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from simulations.__main__ import main


def run_quick_driver(name: str, out: Path, headline_keys: Iterable[str]) -> dict:
    """Run driver ``name`` with ``--quick`` into ``out``; check its PNG, CSV and JSON; return the JSON."""
    assert main(["run", name, "--quick", "--out", str(out), "--no-progress"]) == 0
    for ext in ("png", "csv", "json"):
        assert (out / f"{name}.{ext}").stat().st_size > 0, f"{name}.{ext} missing or empty"
    summary = json.loads((out / f"{name}.json").read_text())
    assert summary["quick"] is True and summary["driver"] == name
    missing = [key for key in headline_keys if key not in summary]
    assert not missing, f"{name}.json lacks headline keys {missing}"
    return summary
