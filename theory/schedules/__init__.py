"""Warmup-stable-decay learning-rate schedules on a river-valley loss landscape."""
