"""The package's exception types.

Every error raised on bad input derives from :class:`TheoryError`, which is a
``ValueError`` so that code catching ``ValueError`` keeps working. Each module
adds its own subclass (``theory.scaling.ScalingInputError`` and so on) and the
message always names the offending argument and its value.
"""

from __future__ import annotations

__all__ = ["TheoryError", "DatasetError"]


class TheoryError(ValueError):
    """Base class of every error this package raises on purpose."""


class DatasetError(TheoryError):
    """An unknown dataset name, or a bundled file that cannot be read."""
