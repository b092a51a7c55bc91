"""Drivers for theory.credit: SE calibration, German credit IVs, PSI power and the fairness frontier."""
