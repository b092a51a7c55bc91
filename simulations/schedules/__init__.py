"""Drivers for theory.schedules: WSD on the river valley, decay sweeps, loss-curve laws, caution regime, WSD-S."""
