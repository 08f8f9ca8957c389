"""Shared test configuration: hypothesis profiles.

Under CI (the ``CI`` environment variable is set) hypothesis runs derandomized,
so a run is repeatable and nothing is flaky; on a developer's machine it
explores new examples each run.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=200,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("dev", deadline=None, max_examples=100)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
