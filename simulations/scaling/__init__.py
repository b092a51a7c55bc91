"""Drivers for theory.scaling (Czech et al. 2026, Problems with Chinchilla Approach 2)."""
