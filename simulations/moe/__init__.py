"""Drivers for :mod:`theory.moe`: MoE routing as a congestion game (Mouzouni 2026, arXiv:2604.04230)."""
