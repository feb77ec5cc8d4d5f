"""Test setup: installed entry points are not loaded unless a test asks for them; no test asserts time."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# The plug-in manager reads this; tests that want installed plug-ins set it themselves.
os.environ["LEPORTAL_PLUGINS"] = ""

# Tests never assert times (the machine is shared): no per-example deadline, no "too slow" check.
settings.register_profile("leportal", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("leportal")
