"""Map a task over a list of parameter sets, in-process or on dask.distributed.

A sweep is written once as ``map_tasks(task, [dict(...), dict(...), ...])``:
the same list runs in this process (``executor="local"``) or on a
``dask.distributed`` cluster (``executor="dask"``), joining ``scheduler`` if
given and otherwise starting a :class:`~dask.distributed.LocalCluster`.
Tasks must be picklable module-level functions for the dask path. Results
come back in the order of ``tasks`` whatever order they finish in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tqdm.auto import tqdm

from simulations._registry import SimulationError

__all__ = ["EXECUTORS", "map_tasks"]

EXECUTORS = ("local", "dask")


def _call(task: Callable[..., Any], params: Mapping[str, Any]) -> Any:
    return task(**params)


def map_tasks(
    task: Callable[..., Any],
    tasks: Sequence[Mapping[str, Any]],
    *,
    executor: str = "local",
    scheduler: str | None = None,
    n_workers: int = 2,
    desc: str | None = None,
    progress: bool = True,
) -> list[Any]:
    """Return ``[task(**params) for params in tasks]``, computed by ``executor``."""
    if executor not in EXECUTORS:
        raise SimulationError(f"executor must be one of {EXECUTORS}, got {executor!r}")
    tasks = list(tasks)
    bad = [i for i, t in enumerate(tasks) if not isinstance(t, Mapping)]
    if bad:
        raise SimulationError(f"tasks must be mappings of keyword arguments; item {bad[0]} is {tasks[bad[0]]!r}")
    bar = tqdm(total=len(tasks), desc=desc, disable=not progress or len(tasks) < 2, leave=False)
    try:
        if executor == "local":
            results = []
            for params in tasks:
                results.append(_call(task, params))
                bar.update()
            return results
        return _map_dask(task, tasks, scheduler, n_workers, bar)
    finally:
        bar.close()


def _map_dask(task, tasks, scheduler, n_workers, bar) -> list[Any]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise SimulationError("executor 'dask' needs dask.distributed: pip install 'theory[distributed]'") from exc

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=40)
    try:
        with Client(scheduler if scheduler is not None else cluster) as client:
            futures = client.map(_call, [task] * len(tasks), tasks, pure=False)
            index = {f.key: i for i, f in enumerate(futures)}
            results: list[Any] = [None] * len(tasks)
            for future in as_completed(futures):
                results[index[future.key]] = future.result()
                bar.update()
            return results
    finally:
        if cluster is not None:
            cluster.close()
