"""theory: exact, fast models of results that shape how large models are trained.

Five modules, each the JAX implementation of one paper's model:

* :mod:`theory.scaling`   Chinchilla scaling-law fits (Approach 2 bias, Approach 3 by variable projection)
* :mod:`theory.agents`    phase transitions in budgeted multi-agent majority trees
* :mod:`theory.moe`       mixture-of-experts routing as a congestion game
* :mod:`theory.schedules` warmup-stable-decay learning rates on a river-valley landscape
* :mod:`theory.credit`    WoE, IV and PSI as divergences, with valid inference

Importing :mod:`theory` turns on JAX's 64-bit mode (``jax_enable_x64``): every
result the package returns is float64, whatever the dtype of its input. The
subpackages are imported lazily, on first attribute access.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

import jax

from theory._errors import DatasetError, TheoryError

# Float64 everywhere: the fits in this package (5-D Hessians with condition
# numbers near 1e11, NNLS on nearly collinear columns) are wrong in float32.
jax.config.update("jax_enable_x64", True)

__version__ = "0.1.0"
_SUBPACKAGES = ("agents", "credit", "datasets", "moe", "scaling", "schedules")
__all__ = ["DatasetError", "TheoryError", "__version__", *_SUBPACKAGES]

if TYPE_CHECKING:  # pragma: no cover
    from theory import agents, credit, datasets, moe, scaling, schedules  # noqa: F401


def __getattr__(name: str):
    if name in _SUBPACKAGES:
        return importlib.import_module(f"theory.{name}")
    raise AttributeError(f"module 'theory' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_SUBPACKAGES))
