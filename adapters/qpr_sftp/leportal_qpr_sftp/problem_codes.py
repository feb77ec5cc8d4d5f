"""The problem codes of leportal_qpr_sftp, declared once; registered by ``plugin.leportal_register_problem_codes``.

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
        "QPR SFTP adapter (`qpr_sftp.*`)",
        "Details: [qpr.md](qpr.md).",
        (
            P(
                "qpr_sftp.failed",
                Kind.GENERAL,
                "the pickup could not run (default code of `PickupError`)",
            ),
            P("qpr_sftp.busy", Kind.STATE, "another pickup into the same target folder is running"),
            P(
                "qpr_sftp.connect.failed",
                Kind.CONNECTION,
                "the server could not be reached or the SSH handshake failed",
            ),
            P(
                "qpr_sftp.host_key.refused",
                Kind.CONNECTION,
                "the server's host key is not the pinned one / not in known_hosts",
            ),
            P(
                "qpr_sftp.auth.failed",
                Kind.CONNECTION,
                "the server refused the login (key or password)",
            ),
            P(
                "qpr_sftp.connection.lost",
                Kind.CONNECTION,
                "the connection dropped, or three files in a row timed out; the run stopped early",
            ),
            P(
                "qpr_sftp.timeout.connect",
                Kind.CONNECTION,
                "connecting and logging in took longer than `timeout_seconds`",
            ),
            P(
                "qpr_sftp.timeout.session",
                Kind.CONNECTION,
                "starting the SFTP session took longer than `timeout_seconds`; run stopped",
            ),
            P(
                "qpr_sftp.timeout.list",
                Kind.CONNECTION,
                "listing the remote folder took longer than `timeout_seconds`; run stopped",
            ),
            P(
                "qpr_sftp.timeout.stat",
                Kind.CONNECTION,
                "an `lstat` got no answer within `timeout_seconds`; file skipped",
            ),
            P(
                "qpr_sftp.timeout.open",
                Kind.CONNECTION,
                "an `open` got no answer within `timeout_seconds`; file skipped",
            ),
            P(
                "qpr_sftp.timeout.read",
                Kind.CONNECTION,
                "a read got no answer within `timeout_seconds`; file skipped",
            ),
            P(
                "qpr_sftp.timeout.close",
                Kind.CONNECTION,
                "a `close` got no answer within `timeout_seconds`; file skipped",
            ),
            P(
                "qpr_sftp.timeout.transfer",
                Kind.CONNECTION,
                "one file's transfer took longer than `transfer_timeout_seconds`; file skipped",
            ),
            P(
                "qpr_sftp.timeout.cleanup",
                Kind.CONNECTION,
                "the remote delete/move got no answer within `timeout_seconds`; retried next run",
            ),
            P(
                "qpr_sftp.store.missing",
                Kind.STORAGE,
                "the ledger is missing, empty or has no `qpr` component: restore it, or create it (`qpr init`, `--init`)",
            ),
            P(
                "qpr_sftp.store.damaged",
                Kind.STORAGE,
                "the ledger is not a (sound) SQLite database: restore it from a backup",
            ),
            P(
                "qpr_sftp.store.locked",
                Kind.STORAGE,
                "another program held the ledger past the busy timeout: retry",
            ),
            P("qpr_sftp.store.readonly", Kind.STORAGE, "the ledger cannot be written"),
            P("qpr_sftp.store.full", Kind.STORAGE, "the disk holding the ledger is full"),
            P("qpr_sftp.store.failed", Kind.STORAGE, "any other SQLite failure of the ledger"),
            P(
                "qpr_sftp.remote.list_failed",
                Kind.CONNECTION,
                "the remote folder could not be listed (missing, no permission)",
            ),
            P(
                "qpr_sftp.remote.cleanup_failed",
                Kind.CONNECTION,
                "remote delete/move after filing failed (warning; retried)",
                WARNING,
            ),
            P(
                "qpr_sftp.name.unsafe",
                Kind.INPUT,
                "a remote name could escape the folder or hide characters; not fetched",
            ),
            P(
                "qpr_sftp.file.too_large",
                Kind.INPUT,
                "the remote file is larger than `max_size`; not fetched",
            ),
            P(
                "qpr_sftp.file.unreadable",
                Kind.STORAGE,
                "the server refused to open or read one file (warning)",
                WARNING,
            ),
            P(
                "qpr_sftp.file.changed",
                Kind.STATE,
                "the file changed while it was read (or two reads differ); not filed, fetched again next run (warning)",
                WARNING,
            ),
            P(
                "qpr_sftp.file.no_metadata",
                Kind.INPUT,
                "the server gives no size/mtime; the file was read twice and taken when both reads matched (warning)",
                WARNING,
            ),
            P(
                "qpr_sftp.file.replaced_unknown",
                Kind.STATE,
                "no times from the server, same name and size as a filed report but new content; not filed",
            ),
            P(
                "qpr_sftp.name.local_invalid",
                Kind.INPUT,
                "the local file system refuses the (normalised) name; that file is not filed, the run goes on",
            ),
            P(
                "qpr_sftp.file.not_pdf",
                Kind.INPUT,
                "the file is not a usable PDF; quarantined, not filed",
            ),
            P(
                "qpr_sftp.file.duplicate",
                Kind.STATE,
                "the same content was already filed under another remote version (warning)",
                WARNING,
            ),
            P(
                "qpr_sftp.local.write_failed",
                Kind.STORAGE,
                "the local copy could not be written (disk full, permissions); run stopped",
            ),
            P(
                "qpr_sftp.hook.failed",
                Kind.INPUT,
                "a host hook raised; the report is filed, the hook is called again next run (warning)",
                WARNING,
            ),
            P(
                "qpr_sftp.config.unreadable",
                Kind.CONFIGURATION,
                "the configuration file cannot be read",
            ),
            P(
                "qpr_sftp.config.syntax",
                Kind.CONFIGURATION,
                "the configuration file is not valid TOML",
            ),
            P("qpr_sftp.config.missing", Kind.CONFIGURATION, "a required key is missing"),
            P(
                "qpr_sftp.config.type",
                Kind.CONFIGURATION,
                "a key has the wrong type or is out of range",
            ),
            P(
                "qpr_sftp.config.unknown_key",
                Kind.CONFIGURATION,
                "a key the pickup does not know (typo?)",
            ),
            P(
                "qpr_sftp.config.inline_secret",
                Kind.CONFIGURATION,
                "a password is written into the configuration file",
            ),
            P(
                "qpr_sftp.config.no_credentials",
                Kind.CONFIGURATION,
                "neither a private key nor a password source is configured",
            ),
            P(
                "qpr_sftp.config.conflict",
                Kind.CONFIGURATION,
                "both `password_env` and `password_file` are set",
            ),
            P(
                "qpr_sftp.config.host_key",
                Kind.CONFIGURATION,
                "no (or both) host key pins, or the pinned key / known_hosts is unusable",
            ),
            P(
                "qpr_sftp.config.email",
                Kind.CONFIGURATION,
                "`recipient_email` is not an e-mail address",
            ),
            P(
                "qpr_sftp.config.after_fetch",
                Kind.CONFIGURATION,
                "`after_fetch` is not keep, delete or move",
            ),
            P(
                "qpr_sftp.config.password",
                Kind.CONFIGURATION,
                "the password/passphrase environment variable or file is missing",
            ),
            P(
                "qpr_sftp.config.private_key",
                Kind.CONFIGURATION,
                "the private key file cannot be read or decrypted",
            ),
            P(
                "qpr_sftp.config.folder",
                Kind.CONFIGURATION,
                "the target or quarantine folder cannot be created",
            ),
            P("qpr_sftp.receipt.syntax", Kind.FORMAT, "a receipt is not a UTF-8 JSON object"),
            P("qpr_sftp.receipt.too_large", Kind.INPUT, "a receipt is larger than 64 KiB"),
            P(
                "qpr_sftp.receipt.format",
                Kind.INPUT,
                "the receipt's `format` is not `leportal.qpr_sftp.receipt/1`",
            ),
            P(
                "qpr_sftp.receipt.unknown_key",
                Kind.INPUT,
                "the receipt has a key the format does not define",
            ),
            P(
                "qpr_sftp.receipt.field",
                Kind.INPUT,
                "a receipt field is missing, mistyped or invalid",
            ),
            P(
                "qpr_sftp.receipt.type",
                Kind.INPUT,
                "only a `FetchedReport` can be encoded as a receipt",
            ),
        ),
        owner="leportal_qpr_sftp",
    ),
)
