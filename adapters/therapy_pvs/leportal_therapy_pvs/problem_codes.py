"""The problem codes of leportal_therapy_pvs, declared once; registered by ``plugin.leportal_register_problem_codes``.

Plain data: importing this module loads nothing heavy (see docs/plugins.md).
"""

from __future__ import annotations

from leportal_core.errors import Severity
from leportal_core.problems import Kind, Section
from leportal_core.problems import ProblemCode as P

__all__ = ["SECTIONS"]

WARNING = Severity.WARNING

SECTIONS = (
    Section(
        "Therapy PVS adapter (`therapy_pvs.*`)",
        "Details: [therapy.md](therapy.md).",
        (
            P("therapy_pvs.json", Kind.FORMAT, "the input is not UTF-8 JSON, or too large"),
            P("therapy_pvs.gdt.type", Kind.INPUT, "GDT input is not bytes"),
            P("therapy_pvs.gdt.empty", Kind.INPUT, "the GDT file is empty"),
            P("therapy_pvs.gdt.too_large", Kind.INPUT, "the GDT file is larger than 1 MiB"),
            P(
                "therapy_pvs.gdt.line_format",
                Kind.INPUT,
                "a line does not start with 7 digits or does not end with CR LF",
            ),
            P(
                "therapy_pvs.gdt.line_endings",
                Kind.FORMAT,
                "the file has LF-only line ends; GDT lines end with CR LF",
            ),
            P(
                "therapy_pvs.gdt.version",
                Kind.INPUT,
                "field 9218 names GDT 3.x, which is not supported (2.0 and 2.1 are)",
            ),
            P(
                "therapy_pvs.gdt.kvnr_invalid",
                Kind.INPUT,
                "warning: 3105 holds no valid KVNR (e.g. pre-eGK); the patient is read without it",
                WARNING,
            ),
            P(
                "therapy_pvs.gdt.line_length",
                Kind.INPUT,
                "a line's declared length differs from its byte length",
            ),
            P(
                "therapy_pvs.gdt.satzart",
                Kind.INPUT,
                "no 8000 first, an unknown Satzart, or not the one expected",
            ),
            P("therapy_pvs.gdt.multiple_records", Kind.INPUT, "more than one record in the file"),
            P(
                "therapy_pvs.gdt.encoding",
                Kind.FORMAT,
                "field 9206 unknown, or bytes not valid in its character set",
            ),
            P(
                "therapy_pvs.gdt.record_length",
                Kind.INPUT,
                "8100 Satzlänge differs from the record's byte count",
            ),
            P(
                "therapy_pvs.gdt.missing",
                Kind.INPUT,
                "a mandatory field (8100, 3000, 3101, 3102, 3103, 6200, 6302–6305) is missing",
            ),
            P("therapy_pvs.gdt.date", Kind.INPUT, "a date is not a valid TTMMJJJJ"),
            P("therapy_pvs.gdt.file_format", Kind.FORMAT, "6303 Dateiformat is not `PDF`"),
            P("therapy_pvs.gdt.field_id", Kind.INPUT, "writing: a field id is not four digits"),
            P("therapy_pvs.gdt.line_break", Kind.INPUT, "writing: a value contains a line break"),
            P(
                "therapy_pvs.gdt.unencodable",
                Kind.INPUT,
                "writing: a character has no code in the chosen character set",
            ),
            P(
                "therapy_pvs.gdt.too_long",
                Kind.INPUT,
                "writing: a value does not fit a GDT line (990 bytes)",
            ),
            P(
                "therapy_pvs.render.uncovered_character",
                Kind.INPUT,
                "the report holds a character the shipped PDF font lacks (outside the repertoire: German and European Latin, Greek, quotes, dashes, arrows, €); nothing is rendered",
            ),
        ),
        owner="leportal_therapy_pvs",
    ),
)
