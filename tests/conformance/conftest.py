"""Adapter modules that misbehave when imported (the point of them): not for doctest collection."""

collect_ignore = ["exits_at_import.py", "blocks_at_import.py"]
