"""The driver registry: a driver is one decorated function in one file.

>>> @driver("demo_sine", "a sine wave", figures=("demo_sine",))
... def demo_sine(ctx): ...

:func:`discover` imports every public module under :mod:`simulations` once,
which runs the decorators; the CLI then looks drivers up by name.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

from theory import TheoryError

__all__ = ["DRIVERS", "Driver", "SimulationError", "discover", "driver", "get_driver"]


class SimulationError(TheoryError):
    """Bad input to the simulation CLI or a driver (unknown name, bad option)."""


@dataclass(frozen=True)
class Driver:
    name: str
    description: str
    figures: tuple[str, ...]
    run: Callable
    module: str


DRIVERS: dict[str, Driver] = {}


def driver(name: str, description: str, *, figures: tuple[str, ...] | None = None) -> Callable:
    """Register ``fn(ctx: RunContext) -> dict | None`` as driver ``name``.

    ``figures`` lists the stems the driver writes (default: ``(name,)``); the
    returned dict, if any, is the driver's headline numbers.
    """
    if not name.isidentifier():
        raise SimulationError(f"driver name must be an identifier, got {name!r}")

    def register(fn: Callable) -> Callable:
        if name in DRIVERS and DRIVERS[name].module != fn.__module__:
            raise SimulationError(f"driver {name!r} is registered twice ({DRIVERS[name].module}, {fn.__module__})")
        DRIVERS[name] = Driver(name, description, tuple(figures or (name,)), fn, fn.__module__)
        return fn

    return register


_discovered = False


def discover() -> dict[str, Driver]:
    """Import every public module of the package so that its drivers register."""
    global _discovered
    if not _discovered:
        import simulations

        for info in pkgutil.walk_packages(simulations.__path__, prefix="simulations."):
            leaf = info.name.rsplit(".", 1)[-1]
            if not leaf.startswith("_"):
                importlib.import_module(info.name)
        _discovered = True
    return DRIVERS


def get_driver(name: str) -> Driver:
    """The driver called ``name``; :class:`SimulationError` listing the valid names otherwise."""
    drivers = discover()
    if name not in drivers:
        raise SimulationError(f"unknown driver {name!r}; valid drivers: {', '.join(sorted(drivers))}")
    return drivers[name]
