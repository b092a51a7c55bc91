"""Mixture-of-experts routing as a congestion game."""
