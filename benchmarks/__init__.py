"""Side-by-side timings of this package against the peer libraries users would otherwise pick."""

from benchmarks._harness import Comparison, Timing, compare, recorded, report, time_callable

__all__ = ["Comparison", "Timing", "compare", "recorded", "report", "time_callable"]
