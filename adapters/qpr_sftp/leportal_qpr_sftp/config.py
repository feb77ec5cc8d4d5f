"""The pickup's configuration: a TOML file (stdlib ``tomllib``, RFC-like TOML 1.0) read into a
frozen :class:`PickupConfig`, with every problem collected before anything connects.

Secrets never sit in the object's ``repr`` and are never printed: the password is read from an
environment variable (``password_env``) or a file (``password_file``) when the connection is made,
not from the configuration file itself. Relative paths count from the configuration file's folder.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from leportal_core.errors import ConfigurationError, InvalidIdentifier, Location, Problem
from leportal_core.files import read_input_bytes
from leportal_core.identifiers import ik

_MAX_CONFIG_BYTES = 1 << 20

__all__ = ["AFTER_FETCH", "DEFAULT_MAX_SIZE", "PickupConfig", "load_config", "parse_config"]

AFTER_FETCH = ("keep", "delete", "move")
DEFAULT_MAX_SIZE = 200 * 1024 * 1024
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_KNOWN_KEYS = {
    "host",
    "port",
    "user",
    "private_key",
    "passphrase_env",
    "password_env",
    "password_file",
    "host_key",
    "known_hosts",
    "remote_dir",
    "target_dir",
    "quarantine_dir",
    "store",
    "recipient_ik",
    "recipient_email",
    "after_fetch",
    "move_to",
    "max_size",
    "timeout_seconds",
    "transfer_timeout_seconds",
}


@attrs.frozen(kw_only=True)
class PickupConfig:
    """Where to fetch from, how to authenticate, whom the reports are for, and where they go.

    Exactly one of ``host_key`` (an OpenSSH public key line pinned for this server) and
    ``known_hosts`` (an OpenSSH known_hosts file) is set: a server whose key matches neither is
    refused. Authentication uses ``private_key`` (optionally encrypted, passphrase from
    ``passphrase_env``) and/or a password from ``password_env`` or ``password_file``.

    Deadlines: ``timeout_seconds`` for connecting and logging in and for every single SFTP request
    (open, read, lstat, close, listing, delete/move — the idle time), ``transfer_timeout_seconds``
    for one file's whole transfer.
    """

    host: str
    port: int = 22
    user: str
    private_key: Path | None = None
    passphrase_env: str | None = None
    password_env: str | None = None
    password_file: Path | None = None
    host_key: str | None = attrs.field(default=None, repr=False)
    known_hosts: Path | None = None
    remote_dir: str
    target_dir: Path
    quarantine_dir: Path
    store: Path
    recipient_ik: str
    recipient_email: str
    after_fetch: str = "keep"
    move_to: str | None = None
    max_size: int = DEFAULT_MAX_SIZE
    timeout_seconds: float = 30.0
    transfer_timeout_seconds: float = 600.0

    def password(self) -> str | None:
        """The password from its environment variable or file (``None`` when none is configured).

        Raises :class:`ConfigurationError` (``qpr_sftp.config.password``) when the named source is
        missing; the message names the source, never the secret.
        """
        if self.password_env is not None:
            value = os.environ.get(self.password_env)
            if value is None:
                raise ConfigurationError(
                    f"environment variable {self.password_env} (password_env) is not set",
                    [
                        _problem(
                            code="qpr_sftp.config.password",
                            message="password_env is not set",
                            key="password_env",
                        )
                    ],
                )
            return value
        if self.password_file is not None:
            try:
                raw = read_input_bytes(self.password_file, _MAX_CONFIG_BYTES)
                return raw.decode("utf-8").rstrip("\r\n")
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigurationError(
                    f"cannot read password_file {self.password_file}: {type(exc).__name__}",
                    [
                        _problem(
                            code="qpr_sftp.config.password",
                            message="password_file unreadable",
                            key="password_file",
                        )
                    ],
                ) from exc
        return None

    def passphrase(self) -> str | None:
        """The private key's passphrase from ``passphrase_env`` (``None`` when not configured)."""
        if self.passphrase_env is None:
            return None
        value = os.environ.get(self.passphrase_env)
        if value is None:
            raise ConfigurationError(
                f"environment variable {self.passphrase_env} (passphrase_env) is not set",
                [
                    _problem(
                        code="qpr_sftp.config.password",
                        message="passphrase_env is not set",
                        key="passphrase_env",
                    )
                ],
            )
        return value


def _problem(code: str, message: str, key: str) -> Problem:
    return Problem(code=code, message=message, location=Location(pointer=f"/{key}"))


def load_config(path: str | Path) -> PickupConfig:
    """Read and check the TOML configuration at ``path``; :class:`ConfigurationError` lists every
    problem (codes ``qpr_sftp.config.*``)."""
    path = Path(path)
    try:
        data = tomllib.loads(read_input_bytes(path, _MAX_CONFIG_BYTES).decode("utf-8"))
    except OSError as exc:
        raise ConfigurationError(
            f"cannot read the configuration {path}: {exc.strerror or exc}",
            [
                Problem(
                    code="qpr_sftp.config.unreadable",
                    message=str(exc.strerror or exc),
                    location=Location(file=str(path)),
                )
            ],
        ) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigurationError(
            f"the configuration {path} is not valid TOML",
            [
                Problem(
                    code="qpr_sftp.config.syntax",
                    message=str(exc),
                    location=Location(file=str(path)),
                )
            ],
        ) from exc
    return parse_config(data, base=path.parent)


def parse_config(data: Mapping[str, Any], *, base: Path) -> PickupConfig:
    """Check a parsed configuration table; relative paths are resolved against ``base``."""
    problems: list[Problem] = []
    table = data.get("qpr_sftp", data)  # a [qpr_sftp] table or top-level keys
    if not isinstance(table, Mapping):
        raise ConfigurationError(
            "[qpr_sftp] must be a table",
            [
                _problem(
                    code="qpr_sftp.config.type",
                    message="[qpr_sftp] must be a table",
                    key="qpr_sftp",
                )
            ],
        )
    for key in sorted(set(table) - _KNOWN_KEYS):
        problems.append(
            _problem(code="qpr_sftp.config.unknown_key", message=f"unknown key {key!r}", key=key)
        )

    def text(key: str, *, required: bool = False) -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                problems.append(
                    _problem(code="qpr_sftp.config.missing", message=f"{key} is required", key=key)
                )
            return None
        if not isinstance(value, str) or not value.strip():
            problems.append(
                _problem(
                    code="qpr_sftp.config.type",
                    message=f"{key} must be a non-empty string",
                    key=key,
                )
            )
            return None
        return value

    def path(key: str, *, required: bool = False) -> Path | None:
        value = text(key, required=required)
        return None if value is None else (base / Path(value).expanduser())

    def seconds(key: str, default: float, low: float, high: float) -> float:
        value = table.get(key, default)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            problems.append(
                _problem(
                    code="qpr_sftp.config.type",
                    message=f"{key} must be a number of seconds {low}..{high}",
                    key=key,
                )
            )
            return default
        return float(value)

    def number(key: str, default: int, low: int, high: int) -> int:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            problems.append(
                _problem(
                    code="qpr_sftp.config.type",
                    message=f"{key} must be an integer {low}..{high}",
                    key=key,
                )
            )
            return default
        return value

    host, user = text("host", required=True), text("user", required=True)
    port = number("port", 22, 1, 65535)
    max_size = number("max_size", DEFAULT_MAX_SIZE, 1, 2**40)
    timeout = seconds("timeout_seconds", 30.0, 0.01, 3600)
    transfer_timeout = seconds("transfer_timeout_seconds", 600.0, 0.01, 86400)
    remote_dir = text("remote_dir") or "."
    target_dir = path("target_dir", required=True)
    quarantine_dir = path("quarantine_dir")
    store = path("store")
    private_key, known_hosts = path("private_key"), path("known_hosts")
    password_env, password_file = text("password_env"), path("password_file")
    passphrase_env, host_key = text("passphrase_env"), text("host_key")
    if "password" in table:
        problems.append(
            _problem(
                code="qpr_sftp.config.inline_secret",
                message="a password must not be written into the configuration; use password_env or "
                "password_file",
                key="password",
            )
        )
    if private_key is None and password_env is None and password_file is None:
        problems.append(
            _problem(
                code="qpr_sftp.config.no_credentials",
                message="set private_key, password_env or password_file",
                key="private_key",
            )
        )
    if password_env is not None and password_file is not None:
        problems.append(
            _problem(
                code="qpr_sftp.config.conflict",
                message="set password_env or password_file, not both",
                key="password_file",
            )
        )
    if (host_key is None) == (known_hosts is None):
        problems.append(
            _problem(
                code="qpr_sftp.config.host_key",
                message="pin the server: set exactly one of host_key and known_hosts (unknown host keys are refused)",
                key="host_key",
            )
        )
    recipient_ik = text("recipient_ik", required=True)
    if recipient_ik is not None:
        try:
            recipient_ik = ik.validate(recipient_ik)
        except InvalidIdentifier as exc:
            problems.extend(
                Problem(code=p.code, message=p.message, location=Location(pointer="/recipient_ik"))
                for p in exc.problems
            )
    email = text("recipient_email", required=True)
    if email is not None and not _EMAIL.match(email):
        problems.append(
            _problem(
                code="qpr_sftp.config.email",
                message="recipient_email is not an e-mail address",
                key="recipient_email",
            )
        )
    after_fetch = text("after_fetch") or "keep"
    if after_fetch not in AFTER_FETCH:
        problems.append(
            _problem(
                code="qpr_sftp.config.after_fetch",
                message=f"after_fetch must be one of {', '.join(AFTER_FETCH)}",
                key="after_fetch",
            )
        )
    move_to = text("move_to")
    if after_fetch == "move" and move_to is None:
        problems.append(
            _problem(
                code="qpr_sftp.config.missing",
                message="after_fetch = 'move' needs move_to",
                key="move_to",
            )
        )
    if problems:
        raise ConfigurationError(
            f"the QPR pickup configuration has {len(problems)} problem(s)", problems
        )
    # all checked above; the asserts narrow the types for mypy
    assert host is not None
    assert user is not None
    assert target_dir is not None
    assert recipient_ik is not None
    assert email is not None
    return PickupConfig(
        host=host,
        port=port,
        user=user,
        private_key=private_key,
        passphrase_env=passphrase_env,
        password_env=password_env,
        password_file=password_file,
        host_key=host_key,
        known_hosts=known_hosts,
        remote_dir=remote_dir,
        target_dir=target_dir,
        quarantine_dir=quarantine_dir or target_dir / "quarantaene",
        store=store or target_dir / ".leportal-qpr.sqlite",
        recipient_ik=recipient_ik,
        recipient_email=email,
        after_fetch=after_fetch,
        move_to=move_to,
        max_size=max_size,
        timeout_seconds=timeout,
        transfer_timeout_seconds=transfer_timeout,
    )
