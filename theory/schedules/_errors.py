"""The error this module raises on bad input."""

from __future__ import annotations

from theory._errors import TheoryError

__all__ = ["ScheduleError"]


class ScheduleError(TheoryError):
    """A schedule, valley, loss curve or fit was given an invalid argument; the message names it."""
