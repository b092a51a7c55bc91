"""The error type of :mod:`theory.agents`."""

from __future__ import annotations

from theory._errors import TheoryError

__all__ = ["AgentsError"]


class AgentsError(TheoryError):
    """Bad input to :mod:`theory.agents`; the message names the argument and its value."""
