"""``python -m leportal_core``: the ``leportal`` command, for hosts without the script on PATH."""

from leportal_core.cli import main

main()
