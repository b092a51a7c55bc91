"""Time our code and a peer's in one process and report the ratio.

A benchmark module ``benchmarks/NAME.py`` defines ``run(quick: bool) -> list[Comparison]``
and a module docstring saying what it compares. ``python -m benchmarks NAME``
calls it, prints a table and writes ``benchmarks/results/NAME.json``.

Timings: the first call is timed on its own (it includes JAX compilation),
then ``warmup`` untimed calls, then ``repeats`` timed calls whose minimum and
median are reported. Results of JAX calls are blocked on before the clock
stops, so asynchronous dispatch cannot flatter our side.
"""

from __future__ import annotations

import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Comparison", "Timing", "compare", "report", "time_callable"]

RESULTS = Path(__file__).resolve().parent / "results"


def _block(value: Any) -> Any:
    try:
        import jax

        return jax.block_until_ready(value)
    except (ImportError, TypeError):
        return value


@dataclass(frozen=True)
class Timing:
    label: str
    first_s: float
    min_s: float
    median_s: float
    repeats: int


def time_callable(fn: Callable[[], Any], *, label: str = "", warmup: int = 1, repeats: int = 5) -> Timing:
    """Time ``fn()``: the first (cold) call, then ``repeats`` warm calls."""
    start = time.perf_counter()
    _block(fn())
    first = time.perf_counter() - start
    for _ in range(warmup):
        _block(fn())
    times = []
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        _block(fn())
        times.append(time.perf_counter() - start)
    return Timing(label, first, min(times), statistics.median(times), len(times))


@dataclass(frozen=True)
class Comparison:
    """Our timing beside a peer's; ``ratio`` = peer median / our median (> 1: we are faster)."""

    name: str
    ours: Timing
    peer: Timing
    goal: float | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.peer.median_s / self.ours.median_s

    @property
    def ratio_first(self) -> float:
        return self.peer.first_s / self.ours.first_s

    @property
    def meets_goal(self) -> bool | None:
        return None if self.goal is None else self.ratio >= self.goal


def compare(name: str, ours: Callable[[], Any], peer: Callable[[], Any], *, ours_label: str = "theory",
            peer_label: str = "peer", warmup: int = 1, repeats: int = 5, peer_repeats: int | None = None,
            goal: float | None = None, notes: dict[str, Any] | None = None) -> Comparison:
    """Time ``ours`` and ``peer`` in this process and pair the timings."""
    mine = time_callable(ours, label=ours_label, warmup=warmup, repeats=repeats)
    theirs = time_callable(peer, label=peer_label, warmup=min(warmup, 1),
                           repeats=repeats if peer_repeats is None else peer_repeats)
    return Comparison(name, mine, theirs, goal, dict(notes or {}))


def recorded(name: str, ours: Timing, *, peer_label: str, peer_seconds: float, goal: float | None = None,
             notes: dict[str, Any] | None = None) -> Comparison:
    """A comparison against a peer time measured elsewhere (peer not installable); says so in ``notes``."""
    peer = Timing(f"{peer_label} (recorded, not run)", peer_seconds, peer_seconds, peer_seconds, 0)
    return Comparison(name, ours, peer, goal, {"peer_recorded": True, **(notes or {})})


def _fmt(seconds: float) -> str:
    return f"{seconds * 1e3:10.3f} ms" if seconds < 1 else f"{seconds:10.3f} s "


def report(bench: str, comparisons: list[Comparison], *, out_dir: Path = RESULTS, quick: bool = False) -> Path:
    """Print a table of ``comparisons`` and write them to ``out_dir/BENCH.json``."""
    print(f"== benchmark {bench}{' (quick)' if quick else ''}")
    for c in comparisons:
        goal = "" if c.goal is None else f"  goal >= {c.goal:g}x: {'met' if c.meets_goal else 'MISSED'}"
        print(f"-- {c.name}")
        print(f"   ours  {c.ours.label:<40} median {_fmt(c.ours.median_s)}  first {_fmt(c.ours.first_s)}")
        print(f"   peer  {c.peer.label:<40} median {_fmt(c.peer.median_s)}  first {_fmt(c.peer.first_s)}")
        print(f"   ratio (peer/ours, warm) {c.ratio:10.1f}x   first calls {c.ratio_first:8.1f}x{goal}")
        for key, value in c.notes.items():
            print(f"   {key}: {value}")
    payload = {
        "benchmark": bench,
        "quick": quick,
        "machine": {"python": platform.python_version(), "processor": platform.machine(),
                    "system": platform.system()},
        "comparisons": [{**asdict(c), "ratio": c.ratio, "ratio_first": c.ratio_first, "meets_goal": c.meets_goal}
                        for c in comparisons],
    }
    from simulations._output import to_jsonable, write_json

    path = out_dir / f"{bench}{'_quick' if quick else ''}.json"
    write_json(path, to_jsonable(payload))
    print(f"wrote {path}")
    return path
