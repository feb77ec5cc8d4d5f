"""Test setup: installed entry points are not loaded unless a test asks for them; no test asserts time."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# The plug-in manager reads this; tests that want installed plug-ins set it themselves.
os.environ["LEPORTAL_PLUGINS"] = ""

# Tests never assert times (the machine is shared): no per-example deadline, no "too slow" check.
# Every property test runs under one of these profiles instead of hand-set settings; only a test
# whose examples are expensive keeps its own (smaller) ``max_examples``. LEPORTAL_HYPOTHESIS picks
# one: "leportal" (the default, 100 examples), "quick" (20, while editing), "thorough" (1000).
settings.register_profile("leportal", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("quick", settings.get_profile("leportal"), max_examples=20)
settings.register_profile("thorough", settings.get_profile("leportal"), max_examples=1000)
settings.load_profile(os.environ.get("LEPORTAL_HYPOTHESIS", "leportal"))
