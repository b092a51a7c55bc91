"""The error type of :mod:`theory.moe`."""

from theory._errors import TheoryError

__all__ = ["MoEInputError"]


class MoEInputError(TheoryError):
    """Bad input to a :mod:`theory.moe` function; the message names the argument and its value."""
