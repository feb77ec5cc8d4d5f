"""KDL 2026 (DVMD) with IHE-D typeCode/classCode maps, as package data ``kdl-2026.csv``.

GPL-3.0-or-later. Source: Gefyra/KDL-IG-Publisher (FHIR package ``dvmd.kdl.r4`` 2026.0.0).
``leportal_core.terminology.installed_kdl_table()`` reads it when this distribution is installed.
"""

from __future__ import annotations

__all__ = ["DATA_FILE", "VERSION"]

VERSION = "2026.0.0"
DATA_FILE = "kdl-2026.csv"
