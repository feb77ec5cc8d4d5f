"""Every problem code of leportal_core, declared once (see leportal_core.problems).

Each entry: code, kind, meaning (English; hosts translate it), default severity, and the codes it
replaces (``formerly``). ``docs/problem-codes.md`` and ``codes.json`` are generated from here.
"""

from __future__ import annotations

from leportal_core.errors import Severity
from leportal_core.problems import Kind, Section
from leportal_core.problems import ProblemCode as P

__all__ = ["SECTIONS"]

WARNING = Severity.WARNING

SECTIONS = (
    Section(
        "General (`leportal_core.errors`)",
        "Default codes of the error classes, used when an error is raised without specific problems.",
        (
            P("leportal.error", Kind.GENERAL, "a leportal error without a more specific code"),
            P("validation.failed", Kind.GENERAL, "input rejected"),
            P("identifier.invalid", Kind.GENERAL, "an identifier is invalid"),
            P(
                "identifier.format",
                Kind.INPUT,
                "an identifier has characters or a structure its scheme does not allow",
            ),
            P("identifier.length", Kind.INPUT, "an identifier has the wrong length"),
            P("identifier.checksum", Kind.INPUT, "an identifier's check digit does not match"),
            P("identifier.component", Kind.INPUT, "a part of an identifier has an unknown value"),
            P("format.invalid", Kind.GENERAL, "bytes could not be decoded as the expected format"),
            P(
                "plugin.error",
                Kind.PLUGIN,
                "a plug-in could not be loaded or broke the hook contract",
            ),
            P(
                "config.invalid",
                Kind.CONFIGURATION,
                "a setting, file or environment variable is unusable",
            ),
            P(
                "transport.server.failed",
                Kind.CONNECTION,
                "a remote server (SMTP, SFTP) could not be reached, broke off, timed out or refused",
            ),
        ),
    ),
    Section(
        "Storage errors (`leportal_core.store`, `StorageError`)",
        (
            "Every store — audit cases, second factor and passcodes, document versions, and any component that\n"
            "opens its tables through `leportal_core.store` — reports a store it cannot use as one\n"
            "`StorageError` (a `LeportalError`, not a `ConfigurationError`) with one of these codes. The command\n"
            "line exits with **74** for all of them (`EX_IOERR` of sysexits.h; `--json` prints the problem),\n"
            "never with 0 and an empty answer, never with 70. The message names the file and what to do.\n"
            "\n"
            "These replace the component codes `cases.store.failed` and `kis_archive.store.failed` and the\n"
            "storage part of `secondfactor.store.failed`: one code per cause instead of one per component."
        ),
        (
            P(
                "store.missing",
                Kind.STORAGE,
                "no file at the store path: a typo, or the store was lost. Correct the path, restore a backup, or make a new store on purpose with `leportal store init PATH` (API: `connect(path, create=True)`)",
            ),
            P(
                "store.empty",
                Kind.STORAGE,
                "the store file is empty (0 bytes) or a SQLite file without any table: its data is gone. Restore the last backup; `leportal store init PATH` starts over on purpose",
            ),
            P(
                "store.foreign",
                Kind.STORAGE,
                "a SQLite database of another program, not a leportal store: check the path",
            ),
            P(
                "store.damaged",
                Kind.STORAGE,
                "not a database or malformed (random bytes, zeroed pages; SQLite `NOTADB`, `CORRUPT`). Keep the file for analysis and restore the last backup",
            ),
            P(
                "store.locked",
                Kind.STORAGE,
                "another process held the write lock longer than the busy timeout (10 s, `LEPORTAL_STORE_BUSY_TIMEOUT_MS`; SQLite `BUSY`, `LOCKED`); nothing was changed. Retry",
            ),
            P(
                "store.readonly",
                Kind.STORAGE,
                "the file, its folder or the disk is read-only (SQLite `READONLY`, or `CANTOPEN` where the file or folder is not writable: SQLite keeps `-wal` and `-shm` next to the file); nothing was changed. Give write access",
            ),
            P(
                "store.full",
                Kind.STORAGE,
                "the disk is full or the store reached its size limit (SQLite `FULL`, which is how SQLite reports `ENOSPC`); nothing was changed. Free space and retry",
            ),
            P(
                "store.unavailable",
                Kind.STORAGE,
                "the path is a folder, a FIFO or device, its folder is missing, or the file cannot be opened or read (SQLite `CANTOPEN`, `IOERR`, `PERM`)",
            ),
            P(
                "store.newer",
                Kind.STORAGE,
                "the store was written by a newer leportal (a component's schema version is higher than this version knows): upgrade leportal",
            ),
            P(
                "store.failed",
                Kind.STORAGE,
                "any other SQLite or database-server failure (the message quotes the engine, with the SQLSTATE on a server)",
            ),
            P(
                "store.text.unencodable",
                Kind.INPUT,
                "a `ValidationError`, not a storage error: a text holds a lone surrogate (U+D800–U+DFFF), which cannot be stored as UTF-8 (exit 1)",
            ),
            P(
                "store.timeout.invalid",
                Kind.CONFIGURATION,
                "a `ConfigurationError`: `LEPORTAL_STORE_BUSY_TIMEOUT_MS` is not whole milliseconds from 0 to 3600000 (exit 2)",
            ),
            P(
                "store.conflict",
                Kind.STORAGE,
                "a database server (PostgreSQL SQLSTATE `40001`, `40P01`) reported a serialisation failure or deadlock 20 times in a row for one write; nothing was changed. Retry",
            ),
            P(
                "store.unsupported",
                Kind.STORAGE,
                "a component has no migration for the database engine of the store URL (today SQLite and PostgreSQL; see docs/store.md)",
            ),
            P(
                "store.url.invalid",
                Kind.CONFIGURATION,
                "a `ConfigurationError`: the store is neither a file path nor a `postgresql://` URL, or a bad `synchronous` setting (exit 2)",
            ),
            P(
                "store.driver.missing",
                Kind.CONFIGURATION,
                "a `ConfigurationError`: the database driver of the URL is not installed (`pip install 'leportal-core[postgresql]'`) (exit 2)",
            ),
        ),
    ),
    Section(
        "Input files and command-line options (`leportal_core.files`, `leportal_core.cli`)",
        (
            "Every command checks its input files before it runs (`leportal_core.cli.params.InputPath`): a\n"
            "missing path, one it may not read and one that is not a regular file are refused with exit 2 and\n"
            "`input.file.missing`, `input.file.unreadable` or `input.not_regular`, the same for every command\n"
            "([cli.md](cli.md#exit-status)). Files are then read through `leportal_core.files.open_input` /\n"
            "`read_input_bytes`: only regular files are read, with a byte bound, so a FIFO, a device such as\n"
            "`/dev/zero` or a folder is refused at once. Commands that report unreadable files under their own\n"
            "code (e.g. `pdf.unreadable`, `kis_archive.file.unreadable`) give these reasons in the message."
        ),
        (
            P(
                "input.not_regular",
                Kind.STORAGE,
                "an input is a folder, FIFO, device or socket, not a regular file",
            ),
            P("input.too_large", Kind.STORAGE, "an input file is larger than the reader's bound"),
            P(
                "input.file.refused",
                Kind.STORAGE,
                "an input path is refused (default of `InputRefused`; the two codes above say why)",
            ),
            P(
                "cli.option.encoding",
                Kind.USAGE,
                "an option's value had bytes that are not UTF-8 (exit 2)",
            ),
            P(
                "cli.option.range",
                Kind.USAGE,
                "an option's value is out of range, e.g. `case due --today 9999-12-31` (exit 2)",
            ),
            P(
                "input.file.missing",
                Kind.USAGE,
                "a command's input file or folder does not exist (exit 2, before the command runs)",
            ),
            P(
                "input.file.unreadable",
                Kind.USAGE,
                "a command's input may not be read: permissions (exit 2, before the command runs)",
            ),
            P(
                "cli.file.unusable",
                Kind.CONFIGURATION,
                "a file a command reads or writes failed while it ran; the message says why (exit 2)",
            ),
            P(
                "cli.usage.invalid",
                Kind.USAGE,
                "the command line is wrong: unknown option or command, missing argument, bad value (exit 2)",
            ),
            P(
                "cli.internal.error",
                Kind.GENERAL,
                "a bug in leportal or a plug-in (exit 70; `LEPORTAL_DEBUG=1` shows the traceback)",
            ),
        ),
    ),
    Section(
        "Output files (`leportal_core.files.output_error`)",
        (
            "A path that cannot be an output is the caller's `ConfigurationError` (exit 2); a disk that\n"
            "cannot take the file is a `StorageError` (exit 74), never a configuration error."
        ),
        (
            P(
                "output.file.path",
                Kind.CONFIGURATION,
                "the output's folder is missing, or a file stands where a folder belongs (exit 2)",
            ),
            P(
                "output.file.readonly",
                Kind.STORAGE,
                "the output file or its folder is not writable, or the disk is read-only (exit 74)",
            ),
            P(
                "output.file.full",
                Kind.STORAGE,
                "the disk is full, a quota or the file-size limit is reached (exit 74)",
            ),
            P(
                "output.file.failed",
                Kind.STORAGE,
                "any other I/O error while writing the output (exit 74)",
            ),
        ),
    ),
    Section(
        "Identifiers ([identifiers.md](identifiers.md))",
        "",
        (
            P("ik.format", Kind.INPUT, "IK: not text, or characters other than digits"),
            P("ik.length", Kind.INPUT, "IK: not 9 digits"),
            P(
                "ik.checksum",
                Kind.INPUT,
                "IK: the check digit (position 9) does not match positions 3–8",
            ),
            P("kvnr.format", Kind.INPUT, "KVNR: not a letter followed by 9 digits"),
            P("kvnr.length", Kind.INPUT, "KVNR: not 10 characters"),
            P("kvnr.checksum", Kind.INPUT, "KVNR: the check digit (position 10) does not match"),
            P("lanr.format", Kind.INPUT, "LANR: characters other than digits"),
            P("lanr.length", Kind.INPUT, "LANR: not 9 digits"),
            P(
                "lanr.checksum",
                Kind.INPUT,
                "LANR: the check digit (position 7) does not match positions 1–6",
            ),
            P("bsnr.format", Kind.INPUT, "BSNR: characters other than digits"),
            P("bsnr.length", Kind.INPUT, "BSNR: not 9 digits"),
        ),
    ),
    Section(
        "Documents (`leportal_core.Document`)",
        "The text fields `title`, `patient_id` and `case_id` are checked by `leportal_core.validation` (one definition of printable text for every domain).",
        (
            P("document.title.missing", Kind.INPUT, "the title is missing"),
            P("document.title.type", Kind.INPUT, "`title` is not text"),
            P("document.patient_id.type", Kind.INPUT, "`patient_id` is not text"),
            P("document.case_id.type", Kind.INPUT, "`case_id` is not text"),
            P("document.title.empty", Kind.INPUT, "`title` is blank"),
            P("document.patient_id.empty", Kind.INPUT, "`patient_id` is blank"),
            P("document.case_id.empty", Kind.INPUT, "`case_id` is blank"),
            P("document.title.too_long", Kind.INPUT, "title over 1,024 characters"),
            P("document.patient_id.too_long", Kind.INPUT, "patient_id over 128 characters"),
            P("document.case_id.too_long", Kind.INPUT, "case_id over 128 characters"),
            P(
                "document.title.characters",
                Kind.INPUT,
                "`title` has control characters or lone surrogates",
            ),
            P(
                "document.patient_id.characters",
                Kind.INPUT,
                "`patient_id` has control characters or lone surrogates",
            ),
            P(
                "document.case_id.characters",
                Kind.INPUT,
                "`case_id` has control characters or lone surrogates",
            ),
            P(
                "document.media_type.invalid",
                Kind.INPUT,
                "not a lower-case `type/subtype` (RFC 6838)",
            ),
            P(
                "document.created.type",
                Kind.INPUT,
                "the creation date is not a `datetime.date` (a `datetime` is refused)",
            ),
            P("document.kdl_code.invalid", Kind.INPUT, "not a KDL level-3 code like `AD010103`"),
            P(
                "document.content.source",
                Kind.INPUT,
                "not exactly one of `content` and `path` given",
            ),
            P("document.content.type", Kind.INPUT, "content is not `bytes`"),
            P("document.path.type", Kind.INPUT, "path is not a `pathlib.Path`"),
            P("document.path.missing", Kind.INPUT, "no readable file at the path"),
        ),
    ),
    Section(
        "Billing (`billing.*`)",
        "Details: [billing.md](billing.md).",
        (
            P(
                "billing.profile.invalid",
                Kind.CONFIGURATION,
                "the profile file is not valid TOML or breaks the profile format (pointer says where)",
            ),
            P(
                "billing.profile.unknown",
                Kind.CONFIGURATION,
                "no shipped profile of that name, or the profile file cannot be read",
            ),
            P("billing.file.unreadable", Kind.STORAGE, "the billing file cannot be opened or read"),
            P("billing.file.empty", Kind.INPUT, "the file is empty"),
            P("billing.file.no_rows", Kind.INPUT, "the file has a header but no lines"),
            P(
                "billing.encoding.invalid",
                Kind.FORMAT,
                "bytes that are not valid in the profile's encoding (or a UTF-16 file)",
            ),
            P(
                "billing.encoding.suspect",
                Kind.FORMAT,
                'warning: Windows-1252 text that looks like UTF-8 ("Ã¤")',
                WARNING,
            ),
            P(
                "billing.encoding.bom_unexpected",
                Kind.FORMAT,
                "a byte order mark the profile forbids, or a UTF-8 BOM in a Windows-1252 file",
            ),
            P(
                "billing.encoding.bom_missing",
                Kind.FORMAT,
                "no byte order mark although the profile requires one",
            ),
            P(
                "billing.line_ending",
                Kind.FORMAT,
                "warning: lines end differently from the profile (CRLF/LF)",
                WARNING,
            ),
            P("billing.line.too_long", Kind.INPUT, "a physical line over 1 MiB; skipped"),
            P(
                "billing.csv.quoting",
                Kind.FORMAT,
                "broken CSV quoting (e.g. text after a closing quote, an unterminated quote, a field over 128 KiB)",
            ),
            P(
                "billing.header.missing",
                Kind.INPUT,
                "the first line is not the header row; it is read as data",
            ),
            P(
                "billing.header.missing_column",
                Kind.INPUT,
                "a column of the profile is missing from the header",
            ),
            P(
                "billing.header.extra_column",
                Kind.INPUT,
                "the header has a column the profile does not know",
            ),
            P("billing.header.duplicate", Kind.FORMAT, "a header appears twice"),
            P(
                "billing.header.order",
                Kind.INPUT,
                "the columns are in another order than the profile's",
            ),
            P("billing.row.empty", Kind.INPUT, "warning: an empty line", WARNING),
            P(
                "billing.row.missing_columns",
                Kind.INPUT,
                "a line has fewer fields than the header (a missing delimiter?)",
            ),
            P(
                "billing.row.extra_columns",
                Kind.INPUT,
                "a line has more fields than the header (an unquoted delimiter in a value?)",
            ),
            P(
                "billing.codec.type",
                Kind.INPUT,
                "only a `BillingFile` can be encoded by the billing codec",
            ),
            P("billing.value.required", Kind.INPUT, "a required cell is empty"),
            P("billing.value.too_long", Kind.INPUT, "text longer than the column allows"),
            P(
                "billing.value.characters",
                Kind.INPUT,
                "text contains a control character or lone surrogate (line breaks only where the column allows them)",
                formerly=("billing.value.control_character",),
            ),
            P("billing.value.integer", Kind.INPUT, "not a whole number"),
            P(
                "billing.value.invalid",
                Kind.INPUT,
                "a cell is not a value of its column (default of `CellError`; the codes here say why)",
            ),
            P(
                "billing.value.decimal",
                Kind.INPUT,
                "not a number in the profile's style (e.g. a decimal point instead of a comma)",
            ),
            P("billing.value.scale", Kind.INPUT, "more decimal places than the column allows"),
            P(
                "billing.value.range",
                Kind.INPUT,
                "a number out of range: too many digits, negative, below `min` or above `max`",
            ),
            P(
                "billing.value.date",
                Kind.INPUT,
                "not a date in the profile's style, or not a calendar date (30.02.)",
            ),
            P(
                "billing.value.code",
                Kind.INPUT,
                "not one of the column's values (e.g. an unknown unit)",
            ),
            P("billing.value.ik", Kind.INPUT, "not 9 digits, or a wrong IK check digit"),
            P("billing.value.boolean", Kind.INPUT, "neither the column's text for yes nor for no"),
            P(
                "billing.amount.mismatch",
                Kind.INPUT,
                "the amount is not quantity × rate rounded half-up to cents",
            ),
            P("billing.period.order", Kind.INPUT, "a period that starts after it ends"),
            P("billing.period.month", Kind.INPUT, "a period over more than one calendar month"),
            P(
                "billing.duplicate",
                Kind.INPUT,
                "a second line for the same person, Leistungsart and period (the message names the first)",
            ),
            P(
                "billing.group.inconsistent",
                Kind.INPUT,
                "a value that must be the same for the whole invoice differs (e.g. Rechnungsdatum)",
            ),
            P(
                "billing.total.mismatch",
                Kind.INPUT,
                "the control total (Rechnungsbetrag) is not the sum of the amounts",
            ),
            P(
                "billing.total.unchecked",
                Kind.INPUT,
                "warning: lines could not be read, so the control total could not be checked",
                WARNING,
            ),
            P(
                "billing.problems.truncated",
                Kind.INPUT,
                "warning: only the first `max_problems` problems are kept; the later ones were counted per code (JSON `dropped`, `dropped_codes`)",
                WARNING,
            ),
            P(
                "billing.csv.unclosed_quote",
                Kind.FORMAT,
                "a record runs on over several lines for more than 128 KiB: an unclosed quote; the rest of the file is not checked",
            ),
            P(
                "billing.value.formula",
                Kind.INPUT,
                "warning: a text cell starts with `=`, `+`, `-`, `@`, tab or CR, which a spreadsheet runs as a formula (CSV injection); `billing build` writes such text with a leading apostrophe",
                WARNING,
            ),
            P(
                "billing.internal.index",
                Kind.INPUT,
                "the temporary duplicate index (SQLite) failed",
            ),
            P(
                "billing.record.type",
                Kind.INPUT,
                "encoding: a value of the wrong Python type (e.g. float, datetime, bool for int)",
            ),
            P(
                "billing.record.empty",
                Kind.INPUT,
                "encoding: empty text; use `None` for an empty cell",
            ),
            P(
                "billing.record.unknown",
                Kind.INPUT,
                "encoding: a record key that is not a column of the profile",
            ),
            P(
                "billing.record.unencodable",
                Kind.INPUT,
                'encoding: a character the profile\'s encoding cannot hold (e.g. "Ł" in Windows-1252)',
            ),
            P(
                "billing.entry.no_approval",
                Kind.INPUT,
                "web entry: attendance that no approval covers",
            ),
            P(
                "billing.entry.hours",
                Kind.INPUT,
                "web entry: attendance for an hourly service without hours",
            ),
            P(
                "billing.reconcile.missing_on_paper",
                Kind.INPUT,
                "reconciliation: a line of the electronic file is not on the paper invoice",
            ),
            P(
                "billing.reconcile.missing_electronic",
                Kind.INPUT,
                "reconciliation: a line of the paper invoice is not in the electronic file",
            ),
            P("billing.reconcile.quantity", Kind.INPUT, "reconciliation: the quantities differ"),
            P(
                "billing.reconcile.amount",
                Kind.INPUT,
                "reconciliation: same quantity, different amount",
            ),
        ),
    ),
    Section(
        "Audit cases (`cases.*`)",
        "Details: [cases.md](cases.md).",
        (
            P(
                "cases.invalid",
                Kind.GENERAL,
                "a case step or aggregate was rejected (generic; the specific problems follow)",
            ),
            P("cases.field.missing", Kind.INPUT, "a required text field has no value (`None`)"),
            P(
                "cases.field.empty",
                Kind.INPUT,
                "a required text field is blank",
                formerly=("cases.field.missing",),
            ),
            P(
                "cases.field.type",
                Kind.INPUT,
                "a field has the wrong type (e.g. a datetime where a date belongs)",
            ),
            P(
                "cases.field.format",
                Kind.INPUT,
                "an identifier is not in compact form, or a sequence is not a whole number from 1 (too long and unprintable texts: `cases.field.too_long`, `cases.field.characters`)",
            ),
            P(
                "cases.field.too_long",
                Kind.INPUT,
                "a text field is longer than it may be",
                formerly=("cases.field.format",),
            ),
            P(
                "cases.field.characters",
                Kind.INPUT,
                "a text field holds control characters or lone surrogates",
                formerly=("cases.field.format",),
            ),
            P(
                "cases.date.order",
                Kind.INPUT,
                "two dates are in an impossible order (discharge before admission, invoice received before it was dated)",
            ),
            P(
                "cases.department.format",
                Kind.INPUT,
                "the Fachabteilung does not start with its 4-digit key",
            ),
            P("cases.state.unknown", Kind.INPUT, "not a Bundesland code"),
            P(
                "cases.pruefanzeige.no_item",
                Kind.INPUT,
                "a Prüfanzeige without Prüfgegenstand is not valid (PrüfvV § 4)",
            ),
            P("cases.pruefanzeige.duplicate_item", Kind.INPUT, "a Prüfgegenstand is named twice"),
            P(
                "cases.pruefanzeige.unknown_item",
                Kind.INPUT,
                "not one of PF000, SF000, KP000, FV000, KL000",
            ),
            P(
                "cases.pruefanzeige.late",
                Kind.STATE,
                "warning: the Prüfanzeige arrived after the Prüfeinleitungsfrist (§ 275c Abs. 1 SGB V), or after a failed Falldialog after the MD commission period too: the audit is void",
                WARNING,
            ),
            P(
                "cases.pruefeinleitung.late",
                Kind.STATE,
                "warning: the Kasse's Prüfeinleitung arrived after the Prüfeinleitungsfrist: the audit is void",
                WARNING,
            ),
            P(
                "cases.request.unknown",
                Kind.STATE,
                "a delivery or waiver names an Unterlagenanforderung the case does not have",
            ),
            P(
                "cases.request.unknown_item",
                Kind.INPUT,
                "a delivery or waiver names an item that was not requested",
            ),
            P(
                "cases.request.duplicate",
                Kind.STATE,
                "an Unterlagenanforderung with this reference exists already",
            ),
            P(
                "cases.items.duplicate",
                Kind.INPUT,
                "a list of requested, delivered or waived items names one twice",
            ),
            P("cases.waiver.no_item", Kind.INPUT, "a waiver names no item"),
            P(
                "cases.query.page",
                Kind.INPUT,
                "`limit` is not a whole number from 1, or `offset` not from 0",
            ),
            P(
                "cases.delivery.late",
                Kind.STATE,
                "warning: documents were delivered after the documents deadline (§ 7 Abs. 2 PrüfvV)",
                WARNING,
            ),
            P(
                "cases.step.illegal",
                Kind.STATE,
                "the step is not allowed in the case's current state; the message names both",
            ),
            P("cases.step.type", Kind.INPUT, "the object is not a case step"),
            P("cases.case.unknown", Kind.STATE, "no case has this id or identifier"),
            P(
                "cases.case.ambiguous",
                Kind.STATE,
                "several cases carry this identifier (e.g. a KVNR); use the case id",
            ),
            P(
                "cases.case.missing",
                Kind.INPUT,
                "a step other than the opening one was given without a case id",
            ),
            P(
                "cases.case.duplicate",
                Kind.STATE,
                "a case with this Aufnahmenummer (per hospital IK) or id exists already",
            ),
            P("cases.event.conflict", Kind.STATE, "an event id was reused for a different step"),
            P(
                "cases.event.corrupt",
                Kind.INPUT,
                "a stored event cannot be read back (damaged store)",
            ),
            P(
                "cases.sequence.conflict",
                Kind.STATE,
                "the case changed since the caller last saw it",
            ),
            P("cases.query.days", Kind.INPUT, "the day count of a due query is not 0–3660"),
            P(
                "cases.hook.failed",
                Kind.INPUT,
                "the event was recorded, but a `leportal_case_event` implementation raised",
            ),
            P("cases.begehung.no_item", Kind.INPUT, "a Begehungsliste without items"),
            P(
                "cases.struktur.standort",
                Kind.INPUT,
                "the Standortnummer is not 9 digits beginning with 77",
            ),
            P("cases.struktur.no_ops", Kind.INPUT, "a Strukturprüfung without OPS code"),
            P("cases.struktur.ops", Kind.INPUT, "a text that is not shaped like an OPS code"),
            P("cases.struktur.recurrence", Kind.INPUT, "the recurrence is not 2 or 3 years"),
        ),
    ),
    Section(
        "Deadlines (`deadline.*`)",
        "Details: [deadlines.md](deadlines.md).",
        (
            P(
                "deadline.invalid",
                Kind.GENERAL,
                "a deadline could not be computed (generic; the specific problems follow)",
            ),
            P(
                "deadline.rule.unknown",
                Kind.INPUT,
                "no rule has this key; the message lists the keys",
            ),
            P(
                "deadline.rule.not_applicable",
                Kind.INPUT,
                "the rule does not exist under the PrüfvV that governs the case",
            ),
            P(
                "deadline.state.unknown",
                Kind.INPUT,
                "not a Bundesland code (BB BE BW BY HB HE HH MV NI NW RP SH SL SN ST TH)",
            ),
            P("deadline.date.invalid", Kind.INPUT, "the start is not a `datetime.date`"),
            P("deadline.date.out_of_range", Kind.INPUT, "the end would lie beyond year 9999"),
        ),
    ),
    Section(
        "Delivery (`delivery.*`)",
        "Details: [documents.md](documents.md).",
        (
            P(
                "delivery.request.json",
                Kind.FORMAT,
                "the request file is not JSON (or larger than 4 MiB)",
            ),
            P("delivery.request.unreadable", Kind.STORAGE, "the request file cannot be read"),
            P(
                "delivery.request.shape",
                Kind.INPUT,
                "the request is not an object with `requested` and `documents` lists",
            ),
            P(
                "delivery.request.item",
                Kind.INPUT,
                "a requested item is malformed (id, `kdl_codes`)",
            ),
            P(
                "delivery.request.document",
                Kind.INPUT,
                "a document entry is malformed (id, path, `items`)",
            ),
            P("delivery.request.date", Kind.INPUT, "`due` or `created` is not a date `YYYY-MM-DD`"),
            P(
                "delivery.request.category",
                Kind.INPUT,
                "a requested item's category is not KHB, KPA, TLB or ZUS",
            ),
            P(
                "delivery.request.invalid",
                Kind.INPUT,
                "ids repeat, or a document answers an item that was not requested",
            ),
            P(
                "delivery.document.rejected",
                Kind.INPUT,
                "a document failed its PDF check and is not in the folder",
            ),
            P("delivery.item.missing", Kind.INPUT, "a requested item has no accepted document"),
            P(
                "delivery.source_changed",
                Kind.STATE,
                "a document's bytes changed between the check and the copy; nothing was written",
            ),
            P(
                "delivery.output.failed",
                Kind.INPUT,
                "the folder could not be written; the previous folder is unchanged",
            ),
            P(
                "delivery.output.foreign",
                Kind.INPUT,
                "`--out` (or a `.partial`/`.previous` beside it) holds entries no delivery build made — user files, the source archive, a file added to an earlier delivery; nothing was touched",
            ),
            P(
                "delivery.output.not_folder",
                Kind.INPUT,
                "`--out` exists and is a file or a symlink (or is the root folder); nothing was touched",
            ),
            P(
                "delivery.output.overlaps_sources",
                Kind.INPUT,
                "`--out` holds source documents of the request; nothing was touched",
            ),
            P(
                "delivery.output.busy",
                Kind.STATE,
                "another build held the target's lock for longer than the wait (60 s); retry later",
            ),
            P(
                "delivery.file.unreadable",
                Kind.STORAGE,
                "a receipt or manifest file cannot be read",
            ),
            P(
                "delivery.file.encoding",
                Kind.FORMAT,
                "a receipt or manifest file is not UTF-8 text of at most 16 MiB",
            ),
            P(
                "delivery.manifest.invalid",
                Kind.INPUT,
                "the manifest is not a leportal delivery manifest",
            ),
            P("delivery.manifest.entry", Kind.INPUT, "a manifest entry lacks path, size or sha256"),
            P("delivery.receipt.json", Kind.FORMAT, "the JSON receipt is not JSON"),
            P("delivery.receipt.files", Kind.INPUT, "the JSON receipt has no `files` list"),
            P("delivery.receipt.entry", Kind.INPUT, "a JSON receipt entry is not an object"),
            P("delivery.receipt.csv", Kind.FORMAT, "the CSV receipt is not valid CSV"),
            P("delivery.receipt.columns", Kind.INPUT, "the CSV receipt has no `name` column"),
            P("delivery.receipt.name", Kind.INPUT, "a receipt entry has no file name"),
            P("delivery.receipt.size", Kind.INPUT, "a receipt entry's size is not a byte count"),
            P(
                "delivery.receipt.sha256",
                Kind.INPUT,
                "a receipt entry's sha256 is not 64 hex digits",
            ),
            P(
                "delivery.receipt.unverifiable",
                Kind.INPUT,
                "a receipt entry has neither size nor sha256",
            ),
            P("delivery.receipt.missing", Kind.INPUT, "a sent file is not on the receipt"),
            P(
                "delivery.receipt.altered",
                Kind.STATE,
                "a sent file is on the receipt with another size or hash",
            ),
            P(
                "delivery.receipt.unexpected",
                Kind.INPUT,
                "the receipt lists a file that was not sent",
            ),
        ),
    ),
    Section(
        "PDF checks (`pdf.*`)",
        "Details: [documents.md](documents.md).",
        (
            P(
                "pdf.unreadable",
                Kind.STORAGE,
                "the file could not be opened or read (operating-system error)",
            ),
            P("pdf.empty", Kind.FORMAT, "the file has zero bytes"),
            P("pdf.not_pdf", Kind.FORMAT, "no `%PDF-` header in the first 1024 bytes"),
            P(
                "pdf.too_large",
                Kind.FORMAT,
                "the file is larger than the policy's `max_size`; it was hashed but not parsed",
            ),
            P(
                "pdf.damaged",
                Kind.FORMAT,
                "fails the damage criterion above (truncated, cross-reference chain, entries, catalog or page tree), or pypdf cannot read what the check found sound",
            ),
            P(
                "pdf.work_budget",
                Kind.FORMAT,
                "the inspection needed more than its work budget (objects parsed, bytes decompressed, CPU time) and was stopped",
            ),
            P(
                "pdf.pdfa_claim_invalid",
                Kind.INPUT,
                "warning: the XMP claims a PDF/A part or conformance level ISO 19005 does not define; the claim is ignored",
                WARNING,
            ),
            P(
                "pdf.too_complex",
                Kind.FORMAT,
                "a safety limit was hit: nesting too deep, reference chain deeper than `max_depth`, more than `max_objects` objects, or a pypdf limit",
            ),
            P(
                "pdf.decompression_bomb",
                Kind.FORMAT,
                "a stream the check must decode (XMP metadata) inflates beyond its cap",
            ),
            P(
                "pdf.encrypted",
                Kind.FORMAT,
                "the file is encrypted or password-protected; the MD cannot (or should not have to) open it",
            ),
            P("pdf.no_pages", Kind.FORMAT, "the document has zero pages"),
            P(
                "pdf.active_content.javascript",
                Kind.INPUT,
                "JavaScript (actions, the document-level JavaScript name tree, `<script>` in an XFA form); error or warning per policy",
                WARNING,
            ),
            P(
                "pdf.active_content.launch",
                Kind.INPUT,
                "a Launch action that starts a program; error or warning per policy",
            ),
            P(
                "pdf.active_content.embedded_file",
                Kind.INPUT,
                "a file specification whose `/EF` holds a file stream, however attached (name tree, annotation, `/AF` on a page, annotation or structure element); a reader-extended form's `/UR3 … /EF` permission list is not one; error or warning per policy",
            ),
        ),
    ),
    Section(
        "Second factor (`secondfactor.*`)",
        "Details: [second-factor.md](second-factor.md).",
        (
            P(
                "secondfactor.code.wrong",
                Kind.INPUT,
                "the code does not match the current or the allowed past step",
            ),
            P(
                "secondfactor.code.malformed",
                Kind.INPUT,
                "the input is not a code of the expected length and alphabet (counts as a failure)",
            ),
            P(
                "secondfactor.code.replayed",
                Kind.STATE,
                "the code (or a later one) was already accepted: alert, someone may have seen it",
            ),
            P(
                "secondfactor.account.throttled",
                Kind.STATE,
                "an attempt came before the delay after the last failure ended; `retry_after` says how long",
            ),
            P(
                "secondfactor.account.locked",
                Kind.STATE,
                "too many consecutive failures; an administrator must unlock",
            ),
            P(
                "secondfactor.account.not_enrolled",
                Kind.STATE,
                "no active second factor (or, for passcodes, none outstanding)",
            ),
            P(
                "secondfactor.account.invalid",
                Kind.INPUT,
                "an account name is empty, longer than 256 characters or has control characters",
            ),
            P(
                "secondfactor.issuer.invalid",
                Kind.INPUT,
                "an issuer is empty, too long, has control characters or a colon",
            ),
            P(
                "secondfactor.passcode.expired",
                Kind.INPUT,
                "the passcode's lifetime is over; issue a new one",
            ),
            P(
                "secondfactor.passcode.undelivered",
                Kind.INPUT,
                "no `leportal_deliver_passcode` implementation sent the passcode; nothing was stored",
            ),
            P(
                "secondfactor.enrolment.exists",
                Kind.STATE,
                "the account already has an active factor; revoke it or replace explicitly",
            ),
            P(
                "secondfactor.enrolment.state",
                Kind.STATE,
                "an enrolment operation does not fit the account's state",
            ),
            P(
                "secondfactor.machine.unknown",
                Kind.STATE,
                "no machine-login seed stored for the account",
            ),
            P(
                "secondfactor.machine.busy",
                Kind.STATE,
                "every recent step was already used: clocks or store misbehave",
            ),
            P(
                "secondfactor.seal.failed",
                Kind.INPUT,
                "a sealed seed does not open: tampered or moved from another account",
            ),
            P(
                "secondfactor.seal.unknown_key",
                Kind.INPUT,
                "the seed is sealed under a key the keyring does not hold",
            ),
            P(
                "secondfactor.key.invalid",
                Kind.INPUT,
                "the sealing key is not URL-safe base64 of exactly 32 bytes, or its file is unreadable",
            ),
            P(
                "secondfactor.key.missing",
                Kind.INPUT,
                "neither `LEPORTAL_SEAL_KEY` nor `--key-file` supplied a key",
            ),
            P(
                "secondfactor.policy.invalid",
                Kind.CONFIGURATION,
                "algorithm, digits, period, window, throttle or passcode settings out of range",
            ),
            P("secondfactor.secret.invalid", Kind.INPUT, "a secret is not Base32"),
            P(
                "secondfactor.secret.too_short",
                Kind.INPUT,
                "a seed has fewer than 128 bits (RFC 4226 §4 R6)",
            ),
            P(
                "secondfactor.counter.invalid",
                Kind.INPUT,
                "an HOTP counter or time step is outside 0..2⁶⁴−1",
            ),
            P("secondfactor.time.invalid", Kind.INPUT, "a time is not a finite number"),
            P(
                "secondfactor.uri.invalid",
                Kind.INPUT,
                "an `otpauth://` URI for machine login is not a usable TOTP URI (scheme, secret, algorithm, digits, period)",
            ),
            P(
                "secondfactor.input.invalid",
                Kind.INPUT,
                "other unusable input to the second factor",
            ),
            P(
                "secondfactor.store.failed",
                Kind.CONFIGURATION,
                "a bad store setting (`synchronous` other than FULL or NORMAL); failures of the store file are `store.*` codes ([problem-codes.md](problem-codes.md#storage-errors-leportal_corestore-storageerror))",
            ),
        ),
    ),
    Section(
        "Terminology (`terminology.*`)",
        "Details: [documents.md](documents.md).",
        (
            P(
                "terminology.kdl.columns",
                Kind.INPUT,
                "a KDL CSV lacks one of the columns `code`, `display`, `level`, `xds_typecode`, `xds_classcode`",
            ),
            P(
                "terminology.kdl.code",
                Kind.INPUT,
                "a KDL row with level `code` does not carry an 8-character level-3 code",
            ),
            P("terminology.kdl.duplicate", Kind.FORMAT, "a KDL code appears twice"),
            P("terminology.kdl.csv", Kind.FORMAT, "the KDL file is not valid CSV"),
            P("terminology.kdl.encoding", Kind.FORMAT, "the KDL file is not UTF-8"),
            P("terminology.kdl.too_large", Kind.INPUT, "the KDL file is larger than 8 MiB"),
            P("terminology.kdl.unreadable", Kind.STORAGE, "the KDL file cannot be read"),
            P(
                "terminology.table.unknown_code",
                Kind.INPUT,
                "a category-table override names a code that is not an IHE-D typeCode/classCode",
            ),
        ),
    ),
    Section(
        "Therapy reports (`therapy.*`)",
        "Details: [therapy.md](therapy.md).",
        (
            P(
                "therapy.required",
                Kind.INPUT,
                "a mandatory value or list is missing or empty (texts: `therapy.text.missing`, `therapy.text.empty`)",
            ),
            P(
                "therapy.text.missing",
                Kind.INPUT,
                "a required text field has no value",
                formerly=("therapy.type",),
            ),
            P(
                "therapy.text.empty",
                Kind.INPUT,
                "a required text field is blank",
                formerly=("therapy.required",),
            ),
            P(
                "therapy.text.too_long",
                Kind.INPUT,
                "a text field is longer than it may be (names 200, free texts 20,000 characters)",
                formerly=("therapy.too_long",),
            ),
            P(
                "therapy.text.characters",
                Kind.INPUT,
                "a text field holds control characters or lone surrogates, or a line break where only one line is allowed",
                formerly=("therapy.control_character",),
            ),
            P(
                "therapy.type",
                Kind.INPUT,
                "a value has the wrong type (e.g. a datetime where a date belongs)",
            ),
            P(
                "therapy.text.type",
                Kind.INPUT,
                "a text field is not text",
                formerly=("therapy.type",),
            ),
            P(
                "therapy.ik.invalid",
                Kind.INPUT,
                "the practice IK is invalid or not in compact form",
                formerly=("therapy.ik",),
            ),
            P(
                "therapy.kvnr.invalid",
                Kind.INPUT,
                "the patient's KVNR is invalid",
                formerly=("therapy.kvnr",),
            ),
            P(
                "therapy.lanr.invalid",
                Kind.INPUT,
                "the doctor's LANR is invalid",
                formerly=("therapy.lanr",),
            ),
            P(
                "therapy.address.invalid",
                Kind.INPUT,
                "not an e-mail/KIM address",
                formerly=("therapy.address",),
            ),
            P(
                "therapy.postal_code.invalid",
                Kind.INPUT,
                "the Postleitzahl is not five digits",
                formerly=("therapy.postal_code",),
            ),
            P(
                "therapy.icd10.invalid",
                Kind.INPUT,
                "not an ICD-10-GM code",
                formerly=("therapy.icd10",),
            ),
            P("therapy.icd10.missing", Kind.INPUT, "the Verordnung has no ICD-10 code"),
            P(
                "therapy.diagnosegruppe.invalid",
                Kind.INPUT,
                "not a Diagnosegruppe of the Heilmittelkatalog",
                formerly=("therapy.diagnosegruppe",),
            ),
            P(
                "therapy.units.invalid",
                Kind.INPUT,
                "Behandlungseinheiten not between 1 and 99",
                formerly=("therapy.units",),
            ),
            P(
                "therapy.pause_weeks.invalid",
                Kind.INPUT,
                "pause weeks missing/out of range for `pausieren`, or given without it",
                formerly=("therapy.pause_weeks",),
            ),
            P(
                "therapy.report_id.invalid",
                Kind.INPUT,
                "the report id has characters other than letters, digits, `.`, `_`, `-`",
                formerly=("therapy.report_id",),
            ),
            P(
                "therapy.date.order",
                Kind.INPUT,
                "report dated before the Verordnung, or birth after it",
                formerly=("therapy.date_order",),
            ),
            P(
                "therapy.form.type",
                Kind.INPUT,
                "JSON form: a value or object of the wrong JSON type",
            ),
            P("therapy.form.missing", Kind.INPUT, "JSON form: a mandatory field is missing"),
            P(
                "therapy.form.unknown_field",
                Kind.INPUT,
                "JSON form: a field the form does not define",
            ),
            P("therapy.form.date", Kind.INPUT, "JSON form: a date not in `YYYY-MM-DD`"),
            P(
                "therapy.form.enum",
                Kind.INPUT,
                "JSON form: a value outside the allowed German enum values",
            ),
            P(
                "therapy.form.version",
                Kind.INPUT,
                "JSON form: `form` is not `leportal.therapiebericht/1`",
            ),
            P(
                "therapy.masterdata.missing",
                Kind.INPUT,
                "a report was started before the master data were saved",
            ),
            P(
                "therapy.store.missing",
                Kind.STORAGE,
                "no therapy store at the path (missing, zero bytes, or without the therapy component): check the path, restore a backup, or `therapy init`",
            ),
            P(
                "therapy.store.damaged",
                Kind.STORAGE,
                "the store file is not a (sound) SQLite database: restore it from a backup",
            ),
            P(
                "therapy.store.locked",
                Kind.STORAGE,
                "another program held the store longer than the busy timeout: retry",
            ),
            P(
                "therapy.store.readonly",
                Kind.STORAGE,
                "the store cannot be written (permissions, read-only medium)",
            ),
            P("therapy.store.full", Kind.STORAGE, "the disk is full"),
            P("therapy.store.failed", Kind.STORAGE, "any other SQLite failure"),
            P(
                "therapy.send.in_progress",
                Kind.STATE,
                "another process holds the sending claim of this report; nothing was sent",
            ),
            P(
                "therapy.send.unknown",
                Kind.STATE,
                "an earlier attempt's outcome is unknown; nothing is sent until it is settled",
            ),
            P(
                "therapy.send.unrecorded",
                Kind.STATE,
                "the server answered, but the history could not record it; the message says which `settle` to run",
            ),
            P(
                "therapy.send.claim_lost",
                Kind.STATE,
                "an attempt outlived its lease and was declared unknown by another; settle it with this attempt's result",
            ),
            P(
                "therapy.settle.not_unknown",
                Kind.INPUT,
                "`settle` on a report whose outcome is not unknown",
            ),
            P("therapy.settle.reason", Kind.INPUT, "`settle` without a reason"),
            P(
                "therapy.smtp.unavailable",
                Kind.CONNECTION,
                "the KIM client module could not take the message (default of `SmtpUnavailable`; the codes below name the step)",
            ),
            P(
                "therapy.smtp.connect_failed",
                Kind.CONNECTION,
                "the KIM client module could not be reached, or refused the session",
            ),
            P(
                "therapy.smtp.connect_timeout",
                Kind.CONNECTION,
                "connecting took longer than `timeout`",
            ),
            P(
                "therapy.smtp.greeting_timeout",
                Kind.CONNECTION,
                "no complete greeting within `greeting_timeout` (or silence during it)",
            ),
            P(
                "therapy.smtp.command_timeout",
                Kind.CONNECTION,
                "the server did not answer a command within `timeout`",
            ),
            P(
                "therapy.smtp.deadline",
                Kind.CONNECTION,
                "the whole transaction ran past `deadline`",
            ),
            P(
                "therapy.smtp.reply_too_long",
                Kind.CONNECTION,
                "a reply (e.g. the greeting) did not end after 200 lines",
            ),
            P(
                "therapy.smtp.connection_lost",
                Kind.CONNECTION,
                "the connection broke off (before the final `.`: not delivered; after it: unknown)",
            ),
            P(
                "therapy.smtp.temporary",
                Kind.CONNECTION,
                "the server refused the message with a 4xx answer: retry later",
            ),
            P(
                "therapy.smtp.refused",
                Kind.CONNECTION,
                "the server refused login, sender, recipient or message (5xx): retrying will not help",
            ),
        ),
    ),
)
