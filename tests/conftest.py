"""Shared test configuration: hypothesis profiles suited to JAX (compilation makes first calls slow)."""

import os

from hypothesis import HealthCheck, settings

# The default profile is derandomized so a CI run is reproducible: the same examples every time. Exploration
# happens with HYPOTHESIS_PROFILE=thorough (random, ten times the examples), which is how edge cases such as
# subnormal schedule floors were found; each one found becomes a fix plus, where useful, an explicit test.
settings.register_profile(
    "default", deadline=None, max_examples=30, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("thorough", deadline=None, max_examples=300)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
