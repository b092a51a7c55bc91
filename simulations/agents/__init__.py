"""Drivers for theory.agents: phase diagrams, recursion vs Monte Carlo, budgets, synergy regions, empirical anchors."""
