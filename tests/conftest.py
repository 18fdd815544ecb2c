"""Hypothesis settings profiles, chosen by the ``HYPOTHESIS_PROFILE`` environment variable.

``dev`` (the default) is quick for local edits; ``ci`` (what ``.ci/run`` exports) explores more,
deterministically and without the example database; ``thorough`` is a long run to do by hand.
Tests that fix their own ``max_examples`` (e.g. the fixed-seed DM 1.2 search) ignore the profile.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=60, stateful_step_count=30, deadline=None)
settings.register_profile(
    "ci",
    max_examples=300,
    stateful_step_count=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    max_examples=4000,
    stateful_step_count=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
