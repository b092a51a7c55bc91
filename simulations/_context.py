"""What a driver receives: its options and the helpers every driver uses."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from simulations import _output
from simulations._executor import map_tasks

__all__ = ["RunContext"]


@dataclass
class RunContext:
    """Options of one driver run, and the only way a driver writes files.

    ``quick`` asks for a run of seconds (the tests use it); ``seed`` seeds
    every ``jax.random`` key the driver makes through :meth:`key`.
    """

    name: str
    quick: bool = False
    out: Path = Path("figures")
    seed: int = 0
    executor: str = "local"
    scheduler: str | None = None
    progress_bars: bool = True
    written: list[Path] = field(default_factory=list)

    def key(self, offset: int = 0):
        """A ``jax.random`` key derived from ``--seed`` (plus ``offset``)."""
        import jax

        return jax.random.PRNGKey(self.seed + offset)

    def progress(self, iterable: Iterable, *, desc: str | None = None, total: int | None = None) -> Iterable:
        """Wrap ``iterable`` in a progress bar labelled with the driver's name."""
        return tqdm(iterable, desc=desc or self.name, total=total, disable=not self.progress_bars, leave=False)

    def map(self, task: Callable[..., Any], tasks: Sequence[Mapping[str, Any]], *, desc: str | None = None) -> list:
        """Run a sweep on the executor chosen with ``--executor`` (see :func:`map_tasks`)."""
        return map_tasks(task, tasks, executor=self.executor, scheduler=self.scheduler,
                         desc=desc or self.name, progress=self.progress_bars)

    def save(self, *, figure: Any = None, table: Any = None, summary: Mapping[str, Any] | None = None,
             name: str | None = None) -> dict[str, Path]:
        """Write ``NAME.png``, ``NAME.csv`` and ``NAME.json`` atomically under ``out``.

        ``summary`` holds the headline numbers; the run's options are added to
        it so every JSON says how it was made. The figure is closed once saved.
        """
        stem = name or self.name
        paths: dict[str, Path] = {}
        if figure is not None:
            paths["png"] = _output.write_figure(self.out / f"{stem}.png", figure)
            import matplotlib.pyplot as plt

            plt.close(figure)
        if table is not None:
            paths["csv"] = _output.write_csv(self.out / f"{stem}.csv", table)
        if summary is not None:
            meta = {"driver": self.name, "quick": self.quick, "seed": self.seed}
            paths["json"] = _output.write_json(self.out / f"{stem}.json", {**meta, **dict(summary)})
        self.written.extend(paths.values())
        return paths
