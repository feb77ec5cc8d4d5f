"""``leportal totp …``: make, enrol, confirm and verify TOTP codes (RFC 6238) from the shell.

The sealing key comes from ``LEPORTAL_SEAL_KEY`` (URL-safe base64 of 32 bytes) or ``--key-file``.
``--at`` sets the time for ``verify``/``confirm`` for tests and demonstrations only: it is the
caller's time, not a trusted clock, and a real login must never take its time from the request.
The seed is never printed unless ``--show-secret`` asks for it.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from leportal_core.cli.output import (
    ReportedGroup,
    Result,
    problem_lines,
    report,
    shown,
    utf8_option,
)
from leportal_core.cli.params import InputPath, json_option, required_store, store_alias_option
from leportal_core.errors import ConfigurationError, Problem
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


def _policy(algorithm: str, digits: int, period: int, past_steps: int = 1) -> TotpPolicy:
    return TotpPolicy(
        algorithm=Algorithm(algorithm.upper()), digits=digits, period=period, past_steps=past_steps
    )


def _open_store(
    path: str, key_file: Path | None, clock: Clock = system_clock, past_steps: int = 1
) -> SecondFactorStore:
    keyring = Keyring(key_from_env_or_file(key_file))
    return SecondFactorStore.open(path, keyring=keyring, clock=clock, past_steps=past_steps)


def _store_path(ctx: click.Context, alias: str | None) -> str:
    # Passed on as given (a path or URL): a missing store is the store's own error (exit 74).
    return required_store(ctx, alias)


def _store_option(command: F) -> F:
    """The deprecated per-command ``--store`` and the context, which carries ``leportal --store``."""
    return click.pass_context(store_alias_option(command))  # type: ignore[return-value]


def _clock_at(at: float | None) -> Clock:
    if at is None:
        return system_clock
    return lambda: at


def _key_file_option(command: F) -> F:
    return click.option(
        "--key-file",
        type=InputPath(),
        help="File with the sealing key (URL-safe base64 of 32 bytes); default: $LEPORTAL_SEAL_KEY.",
    )(command)


@click.group(cls=ReportedGroup)
def totp() -> None:
    """TOTP second factor (RFC 6238): codes, enrolment, verification."""


def _policy_options(command: F) -> F:
    for option in reversed(
        [
            click.option(
                "--algorithm",
                type=_ALGORITHMS,
                default="SHA1",
                show_default=True,
                help="HMAC hash of the codes.",
            ),
            click.option(
                "--digits",
                type=click.Choice(["6", "8"]),
                default="6",
                show_default=True,
                help="Digits of a code.",
            ),
            click.option(
                "--period",
                type=click.IntRange(1, 300),
                default=30,
                show_default=True,
                help="Seconds a code is valid.",
            ),
        ]
    ):
        command = option(command)
    return command


def _account_option(command: F) -> F:
    return click.option(
        "--account", required=True, callback=utf8_option, help="The account's name in the store."
    )(command)


def _done(as_json: bool, message: str, ok: bool = True, **data: Any) -> None:
    report(Result(ok, data=data, text=lambda: click.echo(message)), as_json=as_json)


@totp.command()
@click.option("--secret", required=True, envvar="LEPORTAL_TOTP_SECRET", help="Base32 seed.")
@_policy_options
@click.option("--at", type=_UNIX_TIME, help="UNIX time instead of now.")
@click.option("--counter", type=click.IntRange(0, (1 << 64) - 1), help="HOTP counter (RFC 4226).")
@json_option
def code(
    secret: str,
    algorithm: str,
    digits: str,
    period: int,
    at: float | None,
    counter: int | None,
    as_json: bool,
) -> None:
    """Print the code of a Base32 SECRET now, at --at, or for an HOTP --counter."""
    policy = _policy(algorithm, int(digits), period)
    seed = decode_secret(secret)
    if counter is None:
        counter = policy.step(system_clock() if at is None else at)
    value = hotp(seed, counter, digits=policy.digits, algorithm=policy.algorithm)
    _done(as_json, value, code=value, counter=counter)


@totp.command()
@_store_option
@_account_option
@click.option(
    "--issuer", default="leportal", show_default=True, help="Issuer shown by the authenticator app."
)
@_policy_options
@click.option("--replace", is_flag=True, help="Replace an active factor (after re-authentication).")
@click.option("--show-secret", is_flag=True, help="Also print the Base32 seed (handle with care).")
@click.option("--svg", type=click.Path(dir_okay=False, path_type=Path), help="Write the QR as SVG.")
@click.option("--png", type=click.Path(dir_okay=False, path_type=Path), help="Write the QR as PNG.")
@click.option("--no-qr", is_flag=True, help="Do not print the terminal QR code.")
@_key_file_option
@json_option
def enroll(
    ctx: click.Context,
    store_alias: str | None,
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
    as_json: bool,
) -> None:
    """Start an enrolment: print the otpauth:// URI and a QR code; confirm with `totp confirm`."""
    store_path = _store_path(ctx, store_alias)
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
    uri = enrolment.uri if show_secret else _without_secret(enrolment.uri)
    confirm = (
        f"leportal --store {shlex.quote(str(store_path))} totp confirm "
        f"--account {shlex.quote(shown(account))} CODE"
    )

    def text() -> None:
        if not no_qr:
            click.echo(qr_terminal(enrolment.uri), nl=False)
        click.echo(uri)
        if show_secret:
            click.echo(f"secret: {encode_secret(enrolment.secret)}")
        click.echo(f"pending: confirm with `{confirm}`")

    data: dict[str, Any] = {"account": shown(account), "uri": uri, "confirm": confirm}
    if show_secret:
        data["secret"] = encode_secret(enrolment.secret)
    report(Result(True, data=data, text=text), as_json=as_json)


def _without_secret(uri: str) -> str:
    # The URI carries the seed; printed in full only with --show-secret (the QR code carries it).
    head, _, query = uri.partition("?")
    parts = ["secret=…" if p.startswith("secret=") else p for p in query.split("&")]
    return head + "?" + "&".join(parts)


def _report(verdict: Verdict, account: str, as_json: bool) -> None:
    problems = [verdict.problem] if verdict.problem is not None else []

    def text() -> None:
        if verdict.accepted:
            click.echo(f"{account}: accepted (step {verdict.step})")
        else:
            click.echo(f"{account}: refused: {verdict.outcome.value}")
            if problems:
                click.echo(problem_lines(problems))

    data = {
        "account": account,
        "outcome": verdict.outcome.value,
        "step": verdict.step,
        "retry_after": verdict.retry_after,
    }
    report(Result(verdict.accepted, problems, data, text), as_json=as_json)


def _judging_command(name: str, help_text: str) -> Callable[[F], click.Command]:
    def decorate(function: F) -> click.Command:
        decorated: Any = function
        for option in reversed(
            [
                _store_option,
                _account_option,
                click.argument("code_text", metavar="CODE"),
                click.option(
                    "--at",
                    type=_UNIX_TIME,
                    help="UNIX time for tests/demos only: NOT a trusted clock.",
                ),
                click.option(
                    "--past-steps",
                    type=click.IntRange(0, 10),
                    default=1,
                    show_default=True,
                    help="Also accept codes this many periods old (clock drift).",
                ),
                json_option,
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
    ctx: click.Context,
    store_alias: str | None,
    account: str,
    code_text: str,
    at: float | None,
    past_steps: int,
    as_json: bool,
    key_file: Path | None,
) -> None:
    store = _open_store(_store_path(ctx, store_alias), key_file, _clock_at(at), past_steps)
    try:
        verdict = store.verify(account, code_text)
    finally:
        store.close()
    _report(verdict, shown(account), as_json)


@_judging_command(
    "confirm", "Activate a pending enrolment with its first CODE: exit 0 active, 1 refused."
)
def confirm(
    ctx: click.Context,
    store_alias: str | None,
    account: str,
    code_text: str,
    at: float | None,
    past_steps: int,
    as_json: bool,
    key_file: Path | None,
) -> None:
    store = _open_store(_store_path(ctx, store_alias), key_file, _clock_at(at), past_steps)
    try:
        verdict = store.confirm(account, code_text)
    finally:
        store.close()
    _report(verdict, shown(account), as_json)


@totp.command()
@_store_option
@_account_option
@_key_file_option
@json_option
def revoke(
    ctx: click.Context, store_alias: str | None, account: str, key_file: Path | None, as_json: bool
) -> None:
    """Remove an account's TOTP factor; exit 1 when it had none."""
    store = _open_store(_store_path(ctx, store_alias), key_file)
    try:
        removed = store.revoke(account)
    finally:
        store.close()
    message = f"{shown(account)}: {'revoked' if removed else 'not enrolled'}"
    _done(as_json, message, removed, account=shown(account), revoked=removed)


@totp.command()
@_store_option
@_account_option
@_key_file_option
@json_option
def unlock(
    ctx: click.Context, store_alias: str | None, account: str, key_file: Path | None, as_json: bool
) -> None:
    """Administrator action: clear an account's failures and lock."""
    store = _open_store(_store_path(ctx, store_alias), key_file)
    try:
        store.unlock(account)
    finally:
        store.close()
    _done(as_json, f"{shown(account)}: unlocked", account=shown(account))


@totp.command(name="rotate-key")
@_store_option
@click.option(
    "--old-key-file",
    "old_key_files",
    multiple=True,
    required=True,
    type=InputPath(),
    help="A previous sealing key (repeatable).",
)
@_key_file_option
@json_option
def rotate_key(
    ctx: click.Context,
    store_alias: str | None,
    old_key_files: tuple[Path, ...],
    key_file: Path | None,
    as_json: bool,
) -> None:
    """Re-seal every seed under the new key (from $LEPORTAL_SEAL_KEY or --key-file)."""
    previous = [key_from_env_or_file(path) for path in old_key_files]
    keyring = Keyring(key_from_env_or_file(key_file), previous)
    store = SecondFactorStore.open(_store_path(ctx, store_alias), keyring=keyring)
    try:
        count = store.rotate_keys()
    finally:
        store.close()
    key_id = keyring.current.key_id
    message = f"re-sealed {count} seed(s) under key {key_id}"
    _done(as_json, message, resealed=count, key_id=key_id)


@totp.command(name="new-key")
@json_option
def new_key(as_json: bool) -> None:
    """Print a fresh random sealing key for LEPORTAL_SEAL_KEY (keep it in a secret store)."""
    key = SealingKey.generate().to_text()
    _done(as_json, key, key=key)


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
    type=InputPath(allow_dash=True),
    help="File with the portal's otpauth:// URI ('-' reads stdin; keeps it out of `ps`).",
)
@_key_file_option
@json_option
def machine_add(
    ctx: click.Context,
    store_alias: str | None,
    account: str,
    uri_file: Path,
    key_file: Path | None,
    as_json: bool,
) -> None:
    """Keep a portal account's seed (from its otpauth:// URI) sealed for machine login."""
    secret, policy = parse_key_uri(_read_uri(uri_file))
    store = _open_store(_store_path(ctx, store_alias), key_file)
    try:
        store.save_machine_seed(account, secret, policy)
    finally:
        store.close()
    _done(as_json, f"{shown(account)}: machine seed stored (sealed)", account=shown(account))


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
@_account_option
@_key_file_option
@json_option
def machine_code(
    ctx: click.Context, store_alias: str | None, account: str, key_file: Path | None, as_json: bool
) -> None:
    """Print a fresh, never-used code for an automated portal login (may wait up to one step)."""
    store = _open_store(_store_path(ctx, store_alias), key_file)
    try:
        code = MachineLogin(store, clock=_machine_clock, sleeper=_machine_sleeper).current_code(
            account
        )
    finally:
        store.close()
    _done(as_json, code.code, account=shown(account), code=code.code)
