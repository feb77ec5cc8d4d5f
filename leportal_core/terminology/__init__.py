"""Document terminologies: IHE-D XDS classCode/typeCode (CC-BY-4.0, shipped), the KDL (GPL, loaded
from a host file or the optional ``leportal-kdl-data`` distribution), and leportal's own documented
table from IHE-D codes to the eVV categories.
"""

from __future__ import annotations

from leportal_core.terminology.evv_map import (
    CLASS_CODE_TABLE,
    TYPE_CODE_TABLE,
    CategoryRule,
    CategoryTable,
)
from leportal_core.terminology.ihe import (
    CLASS_CODE_SYSTEM,
    EVENT_CODE_VS,
    FACILITY_TYPE_VS,
    FORMAT_CODE_VS,
    PRACTICE_SETTING_VS,
    TYPE_CODE_SYSTEM,
    Concept,
    class_codes,
    in_value_set,
    type_codes,
    value_set,
)
from leportal_core.terminology.kdl import (
    KdlEntry,
    KdlTable,
    installed_kdl_table,
    load_kdl_csv,
    parse_kdl_csv,
)

__all__ = [
    "CLASS_CODE_SYSTEM",
    "CLASS_CODE_TABLE",
    "EVENT_CODE_VS",
    "FACILITY_TYPE_VS",
    "FORMAT_CODE_VS",
    "PRACTICE_SETTING_VS",
    "TYPE_CODE_SYSTEM",
    "TYPE_CODE_TABLE",
    "CategoryRule",
    "CategoryTable",
    "Concept",
    "KdlEntry",
    "KdlTable",
    "class_codes",
    "in_value_set",
    "installed_kdl_table",
    "load_kdl_csv",
    "parse_kdl_csv",
    "type_codes",
    "value_set",
]
