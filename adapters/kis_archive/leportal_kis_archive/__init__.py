"""leportal adapter ``kis_archive``: HL7 v2 MDM archive messages and archive export folders.

Read MDM^T02/T10/T11 messages (single, MLLP-framed or FHS/BHS batches) and export folders with an
index CSV into core :class:`~leportal_core.Document` objects, and write the MD's documents back as
MDM^T02/T10 messages an archive accepts. See ``docs/format-hl7-mdm.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from leportal_core.lazyimport import lazy_exports

if TYPE_CHECKING:
    from leportal_kis_archive.codec import MdmCodec
    from leportal_kis_archive.config import KdlSource, MdmConfig
    from leportal_kis_archive.export_folder import IndexLayout, read_export_folder
    from leportal_kis_archive.importer import ImportSummary, import_paths
    from leportal_kis_archive.mdm_read import iter_messages, read_message
    from leportal_kis_archive.mdm_write import document_uid, encode_message
    from leportal_kis_archive.model import ArchiveMessage, ImportItem, MdmEvent, MessageOutcome
    from leportal_kis_archive.versions import DocumentVersions

# Imported on first use (PEP 562): the plug-in manager imports this package's ``plugin`` module,
# which must not pull in the adapter's dependencies.
_EXPORTS = {
    "MdmCodec": "codec",
    "KdlSource": "config",
    "MdmConfig": "config",
    "IndexLayout": "export_folder",
    "read_export_folder": "export_folder",
    "ImportSummary": "importer",
    "import_paths": "importer",
    "iter_messages": "mdm_read",
    "read_message": "mdm_read",
    "document_uid": "mdm_write",
    "encode_message": "mdm_write",
    "ArchiveMessage": "model",
    "ImportItem": "model",
    "MdmEvent": "model",
    "MessageOutcome": "model",
    "DocumentVersions": "versions",
}

__getattr__ = lazy_exports(__name__, _EXPORTS)


__version__ = "0.1.0"

__all__ = [
    "ArchiveMessage",
    "DocumentVersions",
    "ImportItem",
    "ImportSummary",
    "IndexLayout",
    "KdlSource",
    "MdmCodec",
    "MdmConfig",
    "MdmEvent",
    "MessageOutcome",
    "__version__",
    "document_uid",
    "encode_message",
    "import_paths",
    "iter_messages",
    "read_export_folder",
    "read_message",
]
