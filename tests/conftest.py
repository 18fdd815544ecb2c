"""Hypothesis settings profiles, chosen by the ``HYPOTHESIS_PROFILE`` environment variable.

``dev`` (the default) is quick for local edits; ``ci`` (what ``.ci/run`` exports) explores more,
deterministically and without the example database; ``thorough`` is a long run to do by hand.
Tests that fix their own ``max_examples`` (e.g. the fixed-seed DM 1.2 search) ignore the profile.

Also here: the session's shared exhaustive checks (``checks``, from ``tests/shared.py``) and the
release of each test's Hypothesis state machine classes.
"""

import gc
import os

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, RuleStrategy
from shared import CHECKS, SharedChecks

settings.register_profile("dev", max_examples=60, stateful_step_count=30, deadline=None)
# ci: 100 examples (it was 300, a tenth of the suite's CPU). Only the tests that look for no bug
# (the change request's random interleavings, the kit's own machines) use the profile's number;
# every test that must find a seeded bug fixes its own budget.
settings.register_profile(
    "ci",
    max_examples=100,
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

# The suite allocates millions of short-lived objects (slots, packages, Hypothesis choices): with
# the interpreter's default thresholds (700, 10, 10) the cyclic collector ran tens of thousands of
# times and walked the long-lived heap thousands of times. Collecting less often changes no
# result and saves a few percent of the suite's CPU.
gc.set_threshold(20_000, 20, 20)


@pytest.fixture(autouse=True)
def _forget_state_machine_classes():
    """Let each test's state machine classes go when it ends.

    Hypothesis keeps what it learnt of each state machine class in class-level caches
    (``RuleBasedStateMachine._setup_state_per_class``, ``_to_test_case`` and
    ``RuleStrategy._setup_for``), and every ``protocol_machine`` is a new class holding its
    runs' caches: kept, they grew the session by a million objects, which every later garbage
    collection walked (about a tenth of the suite's CPU). A class used again is set up again."""
    yield
    per_class = getattr(RuleBasedStateMachine, "_setup_state_per_class", None)
    if isinstance(per_class, dict):
        per_class.clear()
    for cached in (RuleBasedStateMachine._to_test_case, getattr(RuleStrategy, "_setup_for", None)):
        cache_clear = getattr(cached, "cache_clear", None)
        if cache_clear is not None:
            cache_clear()


@pytest.fixture(scope="session")
def checks() -> SharedChecks:
    """Exhaustive checks shared by the test files (``tests/shared.py``): each named
    configuration and variant is checked at most once per session, when first asked for."""
    return CHECKS
