"""Test setup: installed entry points are not loaded unless a test asks for them."""

from __future__ import annotations

import os

# The plug-in manager reads this; tests that want installed plug-ins set it themselves.
os.environ["LEPORTAL_PLUGINS"] = ""
