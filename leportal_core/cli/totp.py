"""``leportal totp …``: make, enrol, confirm and verify TOTP codes (RFC 6238) from the shell.

The sealing key comes from ``LEPORTAL_SEAL_KEY`` (URL-safe base64 of 32 bytes) or ``--key-file``.
``--at`` sets the time for ``verify``/``confirm`` for tests and demonstrations only: it is the
caller's time, not a trusted clock, and a real login must never take its time from the request.
The seed is never printed unless ``--show-secret`` asks for it.
"""

from __future__ import annotations

import functools
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from leportal_core.cli.output import emit_json, problem_lines, shown, storage_failure, utf8_option
from leportal_core.errors import ConfigurationError, LeportalError, Problem, StorageError
from leportal_core.files import read_input_bytes
from leportal_core.secondfactor.clock import Clock, Sleeper, system_clock, system_sleeper
from leportal_core.secondfactor.enrolment import parse_key_uri, qr_png, qr_svg, qr_terminal
from leportal_core.secondfactor.errors import SecondFactorInputError
from leportal_core.secondfactor.machine import MachineLogin
from leportal_core.secondfactor.policy import (
    Algorithm,
    TotpPolicy,
    decode_secret,
    encode_secret,
    hotp,
)
from leportal_core.secondfactor.sealing import Keyring, SealingKey, key_from_env_or_file
from leportal_core.secondfactor.store import SecondFactorStore
from leportal_core.secondfactor.verify import Verdict

__all__ = ["totp"]

# Module-level so tests can substitute a manual clock; a real run uses the system's.
_machine_clock: Clock = system_clock
_machine_sleeper: Sleeper = system_sleeper

F = TypeVar("F", bound=Callable[..., Any])

_ALGORITHMS = click.Choice([a.value for a in Algorithm], case_sensitive=False)
_UNIX_TIME = click.FloatRange(min=0, max=253_402_300_799)  # up to the end of year 9999
_MAX_URI_FILE = 8192


def _mapped_errors(command: F) -> F:
    """Exit 74 for the store, 2 for configuration errors, 1 for rejected input, no traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except StorageError as exc:
            storage_failure(exc, as_json=bool(kwargs.get("as_json")))
        except LeportalError as exc:
            if kwargs.get("as_json"):  # --json promises a JSON document on stdout, errors too
                emit_json(
                    {
                        "accepted": False,
                        "error": exc.message,
                        "problems": [p.as_dict() for p in exc.problems],
                    }
                )
            else:
                click.echo(f"error: {exc}", err=True)
            sys.exit(2 if isinstance(exc, ConfigurationError) else 1)

    return wrapper  # type: ignore[return-value]


def _policy(algorithm: str, digits: int, period: int, past_steps: int = 1) -> TotpPolicy:
    return TotpPolicy(
        algorithm=Algorithm(algorithm.upper()), digits=digits, period=period, past_steps=past_steps
    )


def _open_store(
    path: str | Path, key_file: Path | None, clock: Clock = system_clock, past_steps: int = 1
) -> SecondFactorStore:
    keyring = Keyring(key_from_env_or_file(key_file))
    return SecondFactorStore.open(path, keyring=keyring, clock=clock, past_steps=past_steps)


def _store_option(command: F) -> F:
    # Not click's exists=True: a missing store is the store's own error (store.missing, exit 74).
    return click.option(
        "--store",
        "store_path",
        required=True,
        # A str, not a Path: a postgresql:// URL must keep its "//". The store judges it
        # (store.unavailable, exit 74).
        type=click.Path(),
        help="The store file or postgresql:// URL, made once by `leportal store init`.",
    )(command)


def _clock_at(at: float | None) -> Clock:
    if at is None:
        return system_clock
    return lambda: at


def _key_file_option(command: F) -> F:
    return click.option(
        "--key-file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="File with the sealing key (URL-safe base64 of 32 bytes); default: $LEPORTAL_SEAL_KEY.",
    )(command)


@click.group()
def totp() -> None:
    """TOTP second factor (RFC 6238): codes, enrolment, verification."""


@totp.command()
@click.option("--secret", required=True, envvar="LEPORTAL_TOTP_SECRET", help="Base32 seed.")
@click.option("--algorithm", type=_ALGORITHMS, default="SHA1", show_default=True)
@click.option("--digits", type=click.Choice(["6", "8"]), default="6", show_default=True)
@click.option("--period", type=click.IntRange(1, 300), default=30, show_default=True)
@click.option("--at", type=_UNIX_TIME, help="UNIX time instead of now.")
@click.option("--counter", type=click.IntRange(0, (1 << 64) - 1), help="HOTP counter (RFC 4226).")
@_mapped_errors
def code(
    secret: str, algorithm: str, digits: str, period: int, at: float | None, counter: int | None
) -> None:
    """Print the code of a Base32 SECRET now, at --at, or for an HOTP --counter."""
    policy = _policy(algorithm, int(digits), period)
    seed = decode_secret(secret)
    if counter is not None:
        click.echo(hotp(seed, counter, digits=policy.digits, algorithm=policy.algorithm))
        return
    when = system_clock() if at is None else at
    click.echo(hotp(seed, policy.step(when), digits=policy.digits, algorithm=policy.algorithm))


@totp.command()
@_store_option
@click.option("--account", required=True, callback=utf8_option)
@click.option("--issuer", default="leportal", show_default=True)
@click.option("--algorithm", type=_ALGORITHMS, default="SHA1", show_default=True)
@click.option("--digits", type=click.Choice(["6", "8"]), default="6", show_default=True)
@click.option("--period", type=click.IntRange(1, 300), default=30, show_default=True)
@click.option("--replace", is_flag=True, help="Replace an active factor (after re-authentication).")
@click.option("--show-secret", is_flag=True, help="Also print the Base32 seed (handle with care).")
@click.option("--svg", type=click.Path(dir_okay=False, path_type=Path), help="Write the QR as SVG.")
@click.option("--png", type=click.Path(dir_okay=False, path_type=Path), help="Write the QR as PNG.")
@click.option("--no-qr", is_flag=True, help="Do not print the terminal QR code.")
@_key_file_option
@_mapped_errors
def enroll(
    store_path: str,
    account: str,
    issuer: str,
    algorithm: str,
    digits: str,
    period: int,
    replace: bool,
    show_secret: bool,
    svg: Path | None,
    png: Path | None,
    no_qr: bool,
    key_file: Path | None,
) -> None:
    """Start an enrolment: print the otpauth:// URI and a QR code; confirm with `totp confirm`."""
    store = _open_store(store_path, key_file)
    try:
        enrolment = store.enroll(
            account, issuer=issuer, policy=_policy(algorithm, int(digits), period), replace=replace
        )
    finally:
        store.close()
    if svg is not None:
        svg.write_text(qr_svg(enrolment.uri), encoding="utf-8")
    if png is not None:
        png.write_bytes(qr_png(enrolment.uri))
    if not no_qr:
        click.echo(qr_terminal(enrolment.uri), nl=False)
    click.echo(enrolment.uri if show_secret else _without_secret(enrolment.uri))
    if show_secret:
        click.echo(f"secret: {encode_secret(enrolment.secret)}")
    click.echo(
        f"pending: confirm with `leportal totp confirm --store {shlex.quote(str(store_path))} "
        f"--account {shlex.quote(shown(account))} CODE`"
    )


def _without_secret(uri: str) -> str:
    # The URI carries the seed; printed in full only with --show-secret (the QR code carries it).
    head, _, query = uri.partition("?")
    parts = ["secret=…" if p.startswith("secret=") else p for p in query.split("&")]
    return head + "?" + "&".join(parts)


def _report(verdict: Verdict, account: str, as_json: bool) -> None:
    if as_json:
        problem = verdict.problem
        emit_json(
            {
                "account": account,
                "accepted": verdict.accepted,
                "outcome": verdict.outcome.value,
                "step": verdict.step,
                "retry_after": verdict.retry_after,
                "problems": [problem.as_dict()] if problem else [],
            }
        )
    elif verdict.accepted:
        click.echo(f"{account}: accepted (step {verdict.step})")
    else:
        click.echo(f"{account}: refused: {verdict.outcome.value}")
        if verdict.problem is not None:
            click.echo(problem_lines([verdict.problem]))
    sys.exit(0 if verdict.accepted else 1)


def _judging_command(name: str, help_text: str) -> Callable[[F], click.Command]:
    def decorate(function: F) -> click.Command:
        decorated: Any = _mapped_errors(function)
        for option in reversed(
            [
                _store_option,
                click.option("--account", required=True, callback=utf8_option),
                click.argument("code_text", metavar="CODE"),
                click.option(
                    "--at",
                    type=_UNIX_TIME,
                    help="UNIX time for tests/demos only: NOT a trusted clock.",
                ),
                click.option(
                    "--past-steps", type=click.IntRange(0, 10), default=1, show_default=True
                ),
                click.option("--json", "as_json", is_flag=True, help="Machine-readable output."),
            ]
        ):
            decorated = option(decorated)
        decorated = _key_file_option(decorated)
        return totp.command(name=name, help=help_text)(decorated)

    return decorate


@_judging_command(
    "verify",
    "Verify a login CODE: exit 0 accepted, 1 refused (wrong, replayed, locked, not enrolled).",
)
def verify(
    store_path: str,
    account: str,
    code_text: str,
    at: float | None,
    past_steps: int,
    as_json: bool,
    key_file: Path | None,
) -> None:
    store = _open_store(store_path, key_file, _clock_at(at), past_steps)
    try:
        verdict = store.verify(account, code_text)
    finally:
        store.close()
    _report(verdict, shown(account), as_json)


@_judging_command(
    "confirm", "Activate a pending enrolment with its first CODE: exit 0 active, 1 refused."
)
def confirm(
    store_path: str,
    account: str,
    code_text: str,
    at: float | None,
    past_steps: int,
    as_json: bool,
    key_file: Path | None,
) -> None:
    store = _open_store(store_path, key_file, _clock_at(at), past_steps)
    try:
        verdict = store.confirm(account, code_text)
    finally:
        store.close()
    _report(verdict, shown(account), as_json)


@totp.command()
@_store_option
@click.option("--account", required=True, callback=utf8_option)
@_key_file_option
@_mapped_errors
def revoke(store_path: str, account: str, key_file: Path | None) -> None:
    """Remove an account's TOTP factor; exit 1 when it had none."""
    store = _open_store(store_path, key_file)
    try:
        removed = store.revoke(account)
    finally:
        store.close()
    click.echo(f"{shown(account)}: {'revoked' if removed else 'not enrolled'}")
    sys.exit(0 if removed else 1)


@totp.command()
@_store_option
@click.option("--account", required=True, callback=utf8_option)
@_key_file_option
@_mapped_errors
def unlock(store_path: str, account: str, key_file: Path | None) -> None:
    """Administrator action: clear an account's failures and lock."""
    store = _open_store(store_path, key_file)
    try:
        store.unlock(account)
    finally:
        store.close()
    click.echo(f"{shown(account)}: unlocked")


@totp.command(name="rotate-key")
@_store_option
@click.option(
    "--old-key-file",
    "old_key_files",
    multiple=True,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A previous sealing key (repeatable).",
)
@_key_file_option
@_mapped_errors
def rotate_key(store_path: str, old_key_files: tuple[Path, ...], key_file: Path | None) -> None:
    """Re-seal every seed under the new key (from $LEPORTAL_SEAL_KEY or --key-file)."""
    previous = [key_from_env_or_file(path) for path in old_key_files]
    keyring = Keyring(key_from_env_or_file(key_file), previous)
    store = SecondFactorStore.open(store_path, keyring=keyring)
    try:
        count = store.rotate_keys()
    finally:
        store.close()
    click.echo(f"re-sealed {count} seed(s) under key {keyring.current.key_id}")


@totp.command(name="new-key")
def new_key() -> None:
    """Print a fresh random sealing key for LEPORTAL_SEAL_KEY (keep it in a secret store)."""
    click.echo(SealingKey.generate().to_text())


@totp.command(name="machine-add")
@_store_option
@click.option(
    "--account",
    required=True,
    callback=utf8_option,
    help="Name of the portal account in this store.",
)
@click.option(
    "--uri-file",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="File with the portal's otpauth:// URI ('-' reads stdin; keeps it out of `ps`).",
)
@_key_file_option
@_mapped_errors
def machine_add(store_path: str, account: str, uri_file: Path, key_file: Path | None) -> None:
    """Keep a portal account's seed (from its otpauth:// URI) sealed for machine login."""
    secret, policy = parse_key_uri(_read_uri(uri_file))
    store = _open_store(store_path, key_file)
    try:
        store.save_machine_seed(account, secret, policy)
    finally:
        store.close()
    click.echo(f"{shown(account)}: machine seed stored (sealed)")


def _read_uri(path: Path) -> str:
    try:
        if str(path) == "-":
            raw = sys.stdin.buffer.read(_MAX_URI_FILE + 1)
        else:
            raw = read_input_bytes(path, _MAX_URI_FILE)
    except OSError as exc:  # missing, a FIFO, a device, too large
        raise ConfigurationError(f"cannot read {shown(str(path))}: {exc.strerror or exc}") from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SecondFactorInputError(
            "the URI file is not UTF-8 text",
            [Problem(code="secondfactor.uri.invalid", message=f"not UTF-8 text: {exc.reason}")],
        ) from exc


@totp.command(name="machine-code")
@_store_option
@click.option("--account", required=True, callback=utf8_option)
@_key_file_option
@_mapped_errors
def machine_code(store_path: str, account: str, key_file: Path | None) -> None:
    """Print a fresh, never-used code for an automated portal login (may wait up to one step)."""
    store = _open_store(store_path, key_file)
    try:
        code = MachineLogin(store, clock=_machine_clock, sleeper=_machine_sleeper).current_code(
            account
        )
    finally:
        store.close()
    click.echo(code.code)
