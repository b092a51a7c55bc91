import pytest

from simulations import SimulationError, map_tasks


def _power(base: float, exponent: int) -> float:
    return base**exponent


TASKS = [{"base": b, "exponent": e} for b in (1.5, 2.0, 3.0) for e in (1, 2, 3)]
EXPECTED = [t["base"] ** t["exponent"] for t in TASKS]


def test_local_executor_preserves_order():
    assert map_tasks(_power, TASKS, progress=False) == EXPECTED


@pytest.mark.slow
def test_dask_executor_on_a_two_worker_local_cluster():
    pytest.importorskip("dask.distributed")
    assert map_tasks(_power, TASKS, executor="dask", n_workers=2, progress=False) == EXPECTED


@pytest.mark.slow
def test_dask_executor_joins_an_existing_scheduler():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as c:
        assert map_tasks(_power, TASKS, executor="dask", scheduler=c.scheduler_address, progress=False) == EXPECTED


def test_bad_executor_and_tasks():
    with pytest.raises(SimulationError, match="executor must be one of"):
        map_tasks(_power, TASKS, executor="mpi")
    with pytest.raises(SimulationError, match="item 1 is 3"):
        map_tasks(_power, [{"base": 1, "exponent": 1}, 3])
