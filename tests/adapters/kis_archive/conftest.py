"""The kis_archive adapter is not installed in the venv yet: import it from its source folder."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
ADAPTER = ROOT / "adapters" / "kis_archive"
if str(ADAPTER) not in sys.path:
    sys.path.insert(0, str(ADAPTER))
