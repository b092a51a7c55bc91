"""Error types of :mod:`theory.scaling`."""

from __future__ import annotations

from theory._errors import TheoryError

__all__ = ["FitError", "ScalingInputError"]


class ScalingInputError(TheoryError):
    """Bad input to a :mod:`theory.scaling` function; the message names the argument and its value."""


class FitError(TheoryError):
    """A fit cannot proceed on valid input (e.g. a budget with fewer than 3 distinct N, a concave parabola)."""
