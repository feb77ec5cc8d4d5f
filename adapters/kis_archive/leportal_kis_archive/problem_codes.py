"""The problem codes of leportal_kis_archive, declared once; registered by ``plugin.leportal_register_problem_codes``.

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
        "KIS archive adapter (`kis_archive.*`)",
        "Details: [format-hl7-mdm.md](format-hl7-mdm.md).",
        (
            P("kis_archive.input.type", Kind.INPUT, "the input is not bytes"),
            P("kis_archive.input.empty", Kind.INPUT, "no HL7 segment in the input"),
            P(
                "kis_archive.input.multiple",
                Kind.INPUT,
                "`read_message`/the codec got several messages; use `iter_messages`",
            ),
            P(
                "kis_archive.input.truncated",
                Kind.INPUT,
                "the last segment has no terminator, or the MLLP frame no end block: the file was cut short",
            ),
            P(
                "kis_archive.input.no_terminator",
                Kind.INPUT,
                "warning (`--lenient-terminator`): the last segment has no terminator; a cut at a segment end cannot be detected",
                WARNING,
            ),
            P("kis_archive.msh.missing", Kind.FORMAT, "the message does not start with MSH"),
            P(
                "kis_archive.msh.invalid",
                Kind.FORMAT,
                "MSH-1/MSH-2 (delimiters) missing, repeated or not printable punctuation",
            ),
            P(
                "kis_archive.msh9.unsupported",
                Kind.INPUT,
                "MSH-9 is not MDM^T02, MDM^T10 or MDM^T11",
            ),
            P(
                "kis_archive.charset.unsupported",
                Kind.FORMAT,
                "MSH-18 names a character set this adapter does not read",
            ),
            P(
                "kis_archive.charset.undecodable",
                Kind.FORMAT,
                "a field's bytes are not valid in the declared character set",
            ),
            P(
                "kis_archive.segment.invalid",
                Kind.FORMAT,
                "a line is not a segment (no valid segment id): truncation or a stray line break",
            ),
            P("kis_archive.txa.missing", Kind.INPUT, "no TXA segment"),
            P("kis_archive.txa12.missing", Kind.INPUT, "TXA-12 (unique document number) is empty"),
            P("kis_archive.txa13.missing", Kind.INPUT, "a T10 without TXA-13 (replaced document)"),
            P(
                "kis_archive.txa17.not_deliverable",
                Kind.INPUT,
                "warning: the completion status is not one that may go to the MD",
                WARNING,
            ),
            P("kis_archive.date.invalid", Kind.INPUT, "TXA-4/TXA-6/MSH-7 is not an HL7 date"),
            P("kis_archive.date.missing", Kind.INPUT, "no document date at all"),
            P("kis_archive.obx.missing", Kind.INPUT, "T02/T10 without any OBX"),
            P(
                "kis_archive.obx.not_ed",
                Kind.INPUT,
                "no OBX with OBX-2 `ED` (the document is missing)",
            ),
            P("kis_archive.ed.encoding", Kind.FORMAT, "the ED encoding (OBX-5.4) is not Base64"),
            P("kis_archive.ed.base64", Kind.FORMAT, "OBX-5.5 is not valid base64"),
            P(
                "kis_archive.obx5.empty",
                Kind.INPUT,
                "OBX-5 or its data OBX-5.5 is empty (reader: warning; import: error)",
                WARNING,
            ),
            P(
                "kis_archive.content.type_mismatch",
                Kind.INPUT,
                "warning: the declared media type (OBX-5.2/5.3, index) contradicts the content's signature; not deliverable",
                WARNING,
            ),
            P(
                "kis_archive.content.not_pdf",
                Kind.INPUT,
                "warning: the content is not a PDF; imported, never deliverable (completeness cannot be verified)",
                WARNING,
            ),
            P(
                "kis_archive.kdl.invalid",
                Kind.INPUT,
                "warning (message) or error (index row): not a KDL level-3 code",
                WARNING,
            ),
            P(
                "kis_archive.kdl.unmapped",
                Kind.INPUT,
                "warning: a local document type is not in the type table",
                WARNING,
            ),
            P(
                "kis_archive.kvnr.invalid",
                Kind.INPUT,
                "warning: the KVNR in PID-3 fails its check digit",
                WARNING,
            ),
            P(
                "kis_archive.event.no_document",
                Kind.INPUT,
                "the codec was asked to decode a message without content (T11)",
            ),
            P("kis_archive.file.unreadable", Kind.STORAGE, "a message file cannot be read"),
            P(
                "kis_archive.file.too_large",
                Kind.INPUT,
                "a message file is larger than `max_message_bytes`",
            ),
            P(
                "kis_archive.index.unreadable",
                Kind.STORAGE,
                "the export folder's index cannot be read (missing, not UTF-8, > 16 MiB)",
            ),
            P("kis_archive.index.columns", Kind.INPUT, "the index lacks a required column"),
            P("kis_archive.index.csv", Kind.FORMAT, "the index is broken CSV"),
            P(
                "kis_archive.index.file_missing",
                Kind.INPUT,
                "an index row names no file, or a file that is not in the folder",
            ),
            P(
                "kis_archive.index.path_outside",
                Kind.INPUT,
                "an index row names a path outside the export folder; refused",
            ),
            P(
                "kis_archive.index.date",
                Kind.INPUT,
                "an index row's date is not in one of the date formats",
            ),
            P(
                "kis_archive.export.type",
                Kind.INPUT,
                "export was given something that is not a Document / ArchiveMessage",
            ),
            P(
                "kis_archive.export.document_missing",
                Kind.INPUT,
                "T02/T10 export without a document",
            ),
            P(
                "kis_archive.export.parent_missing",
                Kind.INPUT,
                "T10 export without the replaced document's number",
            ),
            P(
                "kis_archive.export.uid_missing",
                Kind.INPUT,
                "export without a unique document number",
            ),
            P(
                "kis_archive.export.characters",
                Kind.INPUT,
                "a TXA/PID value contains control characters",
            ),
            P(
                "kis_archive.clock.naive",
                Kind.INPUT,
                "the injected clock returned a naive datetime",
            ),
            P(
                "kis_archive.config.charset",
                Kind.CONFIGURATION,
                "`MdmConfig.default_charset` is not a supported MSH-18 value",
            ),
            P(
                "kis_archive.config.limit",
                Kind.CONFIGURATION,
                "`MdmConfig.max_message_bytes` is not positive",
            ),
            P(
                "kis_archive.config.empty",
                Kind.CONFIGURATION,
                "`pdf_subtype` or `kdl_coding_system` is empty",
            ),
        ),
        owner="leportal_kis_archive",
    ),
)
