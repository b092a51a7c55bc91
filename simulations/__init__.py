"""Simulation drivers that regenerate the papers' figures and tables.

``python -m simulations list`` lists them; ``run NAME`` runs one and ``all``
runs every driver. A driver is one function registered with :func:`driver`
that receives a :class:`RunContext` and writes through ``ctx.save``.
"""

from simulations._context import RunContext
from simulations._executor import map_tasks
from simulations._registry import DRIVERS, Driver, SimulationError, discover, driver, get_driver
from simulations._style import new_figure

__all__ = ["DRIVERS", "Driver", "RunContext", "SimulationError", "discover", "driver", "get_driver",
           "map_tasks", "new_figure"]
