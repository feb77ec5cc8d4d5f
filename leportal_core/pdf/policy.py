"""What the receiving Medizinischer Dienst accepts: the size limit and how to treat active content.

The 500 MB default is MD Nord's published upload limit (md-nord.de, LE-Portal FAQ); every MD sets
its own, so the limit is a per-MD setting. Active content (JavaScript, Launch actions, embedded
files) is not forbidden by the eVV, but an auditor's viewer should not run code: the default rejects
it, a host may downgrade it to a warning.
"""

from __future__ import annotations

import enum

import attrs

__all__ = ["DEFAULT_MAX_SIZE", "ActiveContentAction", "PdfPolicy"]

DEFAULT_MAX_SIZE = 500 * 1000 * 1000


class ActiveContentAction(enum.Enum):
    """What an active-content finding does to the verdict."""

    REJECT = "reject"
    WARN = "warn"


def _positive(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{attribute.name} must be a positive int, got {value!r}")


def _positive_seconds(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError(f"{attribute.name} must be a positive number, got {value!r}")


@attrs.frozen(kw_only=True)
class PdfPolicy:
    """Limits for one receiving MD.

    ``max_size`` is the largest accepted file in bytes; ``max_objects`` and ``max_depth`` bound the
    walk over the document structure (hostile files: reference loops, deep nesting), and
    ``max_repair_bytes`` is the largest file pypdf may load whole. ``max_parsed_objects``,
    ``max_inflated_bytes`` and ``max_cpu_seconds`` are the work budget of one inspection (objects
    and cross-reference entries parsed, bytes decompressed, CPU time); exceeding one gives
    ``pdf.work_budget``.
    """

    max_size: int = attrs.field(default=DEFAULT_MAX_SIZE, validator=_positive)
    active_content: ActiveContentAction = attrs.field(
        default=ActiveContentAction.REJECT,
        validator=attrs.validators.instance_of(ActiveContentAction),
    )
    max_objects: int = attrs.field(default=200_000, validator=_positive)
    max_depth: int = attrs.field(default=64, validator=_positive)
    max_repair_bytes: int = attrs.field(default=64 * 1024 * 1024, validator=_positive)
    max_parsed_objects: int = attrs.field(default=2_000_000, validator=_positive)
    max_inflated_bytes: int = attrs.field(default=128_000_000, validator=_positive)
    max_cpu_seconds: float = attrs.field(default=30.0, validator=_positive_seconds)
