"""Chinchilla scaling-law fitting: Approach 2 and its bias, Approach 3 by variable projection."""
