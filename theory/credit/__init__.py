"""WoE, IV and PSI as divergences, with valid standard errors and tests."""
