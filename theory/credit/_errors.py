"""Errors raised at the public boundary of ``theory.credit``."""

from theory._errors import TheoryError

__all__ = ["CreditInputError", "ZeroCellError"]


class CreditInputError(TheoryError):
    """Bad input to a ``theory.credit`` function; the message names the argument and its value."""


class ZeroCellError(CreditInputError):
    """A bin has one class empty, so its WoE and IV term are infinite (``zero="error"``); names the bins."""
