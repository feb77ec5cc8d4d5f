"""One-time passcodes (MASS by e-mail/SMS, the LE-Portal's initial one-time password).

Random (``secrets``), short-lived, single use, stored only as a keyed hash, delivered by the host
through the ``leportal_deliver_passcode`` hook, attempts throttled like TOTP (NIST SP 800-63B
§5.1.3 out-of-band secrets; ASVS 5.0 §6.6; BSI TR-03161 O.Auth_7).

Why HMAC-SHA256 with a secret pepper and not scrypt: a 6-digit passcode has 10⁶ values, so a
thief of the database file brute-forces *any* unkeyed hash, scrypt included, in minutes — slowness
does not protect a tiny code space. What protects it is a key the file does not contain: the
pepper is derived from the host's sealing key (kept outside the store), and without it the stored
digests reveal nothing. The code also dies within minutes and after one use, and HMAC keeps
verification cheap so throttling — not CPU cost — is what limits an online attacker.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import string
import unicodedata
from typing import TYPE_CHECKING

import attrs
import pluggy

from leportal_core.errors import ConfigurationError, Problem
from leportal_core.secondfactor.enrolment import check_account
from leportal_core.secondfactor.errors import SecondFactorInputError
from leportal_core.secondfactor.policy import MAX_CODE_INPUT, normalise_code
from leportal_core.secondfactor.store import SecondFactorStore
from leportal_core.secondfactor.throttle import AttemptState, record_failure
from leportal_core.secondfactor.verify import Outcome, Verdict

if TYPE_CHECKING:
    from leportal_core.store import Tx

__all__ = ["ALPHANUMERIC", "NUMERIC", "PasscodeDelivery", "PasscodePolicy", "Passcodes"]

NUMERIC = string.digits
ALPHANUMERIC = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
"""Upper-case letters and digits without 0/O and 1/I/L, which people confuse when typing."""

_FACTOR = "passcode"
_DUMMY_PEPPER = b"leportal.secondfactor.no-passcode-outstanding.pepper"


def _length_in_range(_: object, __: object, value: int) -> None:
    if not 6 <= value <= 32:
        raise SecondFactorInputError(
            f"passcode length must be 6..32, got {value}",
            [Problem(code="secondfactor.policy.invalid", message="passcode length out of range")],
        )


def _lifetime_in_range(_: object, __: object, value: float) -> None:
    if not 30 <= value <= 7 * 86_400:
        raise SecondFactorInputError(
            f"passcode lifetime must be 30 s .. 7 days, got {value}",
            [Problem(code="secondfactor.policy.invalid", message="passcode lifetime out of range")],
        )


@attrs.frozen(kw_only=True, slots=True)
class PasscodePolicy:
    """Alphabet (``NUMERIC`` or ``ALPHANUMERIC``), length and lifetime in seconds.

    The default, 8 digits for 10 minutes, follows NIST SP 800-63B's 10-minute ceiling for
    out-of-band secrets; an initial one-time password sent by letter may live longer.
    """

    alphabet: str = attrs.field(
        default=NUMERIC, validator=attrs.validators.in_([NUMERIC, ALPHANUMERIC])
    )
    length: int = attrs.field(default=8, validator=_length_in_range)
    lifetime: float = attrs.field(default=600.0, validator=_lifetime_in_range)


@attrs.frozen(kw_only=True, slots=True)
class PasscodeDelivery:
    """What the ``leportal_deliver_passcode`` hook gets: send ``code`` to ``recipient``.

    ``code`` is the secret itself: hooks must not log it; it is left out of ``repr``.
    """

    account: str
    recipient: str
    purpose: str
    code: str = attrs.field(repr=False)
    expires_at: dt.datetime = attrs.field(validator=lambda _, __, v: _aware(v))


def _aware(value: dt.datetime) -> None:
    if value.tzinfo is None:
        raise ValueError("expires_at must be timezone-aware")


def _digest(pepper: bytes, account: str, purpose: str, code: str) -> bytes:
    message = b"\x00".join(part.encode("utf-8") for part in (account, purpose, code))
    return hmac.digest(pepper, message, "sha256")


def normalise_passcode(text: str, policy: PasscodePolicy) -> str | None:
    """Spaces and hyphens removed, full-width forms folded (NFKC), letters upper-cased.

    >>> normalise_passcode("ab2c-d3ef", PasscodePolicy(alphabet=ALPHANUMERIC))
    'AB2CD3EF'
    """
    if policy.alphabet == NUMERIC:
        return normalise_code(text, digits=policy.length)
    if len(text) > MAX_CODE_INPUT:
        return None
    kept = []
    for ch in text:
        if ch in " \t-" or unicodedata.category(ch) == "Zs":
            continue
        kept.append(unicodedata.normalize("NFKC", ch).upper())
    compact = "".join(kept)
    if len(compact) != policy.length or set(compact) - set(policy.alphabet):
        return None
    return compact


class Passcodes:
    """Issue and check one-time passcodes; state in the second-factor store."""

    def __init__(
        self,
        store: SecondFactorStore,
        pm: pluggy.PluginManager,
        *,
        policy: PasscodePolicy | None = None,
    ) -> None:
        self._store = store
        self._pm = pm
        self.policy = policy or PasscodePolicy()

    def issue(self, account: str, *, recipient: str, purpose: str = "login") -> dt.datetime:
        """Make a passcode, store its hash (replacing an outstanding one), hand it to the delivery
        hook; returns when it expires. :class:`ConfigurationError` when no hook sent it, and then
        nothing stays stored."""
        check_account(account)
        code = "".join(secrets.choice(self.policy.alphabet) for _ in range(self.policy.length))
        now = self._store.clock()
        key_id = self._store.keyring.current.key_id
        pepper = self._store.keyring.passcode_pepper(key_id)
        assert pepper is not None  # the current key is always in the keyring
        expires = now + self.policy.lifetime
        with self._store.transaction() as tx:
            tx.execute(
                "INSERT INTO secondfactor_passcode (account, purpose, key_id, digest, issued_at, "
                "expires_at) VALUES (:account, :purpose, :key_id, :digest, :now, :expires) "
                "ON CONFLICT(account, purpose) DO UPDATE SET "
                "key_id = excluded.key_id, digest = excluded.digest, issued_at = excluded.issued_at, "
                "expires_at = excluded.expires_at",
                {
                    "account": account,
                    "purpose": purpose,
                    "key_id": key_id,
                    "digest": _digest(pepper, account, purpose, code),
                    "now": now,
                    "expires": expires,
                },
            )
        expires_at = dt.datetime.fromtimestamp(expires, tz=dt.UTC)
        delivery = PasscodeDelivery(
            account=account, recipient=recipient, purpose=purpose, code=code, expires_at=expires_at
        )
        # Delivered outside the transaction: an e-mail server must not hold the store's write lock.
        try:
            sent = self._pm.hook.leportal_deliver_passcode(delivery=delivery)
        except Exception as exc:
            self._withdraw(account, purpose)
            raise ConfigurationError(
                f"delivering the passcode failed: {type(exc).__name__}",
                [Problem(code="secondfactor.passcode.undelivered", message=str(exc))],
            ) from exc
        if sent is not True:
            self._withdraw(account, purpose)
            raise ConfigurationError(
                "no plug-in delivered the passcode (implement leportal_deliver_passcode)",
                [Problem(code="secondfactor.passcode.undelivered", message="no delivery hook")],
            )
        return expires_at

    def _withdraw(self, account: str, purpose: str) -> None:
        with self._store.transaction() as tx:
            tx.execute(
                "DELETE FROM secondfactor_passcode WHERE account = :account AND purpose = :purpose",
                {"account": account, "purpose": purpose},
            )

    def verify(self, account: str, code: str, *, purpose: str = "login") -> Verdict:
        """Judge a passcode; accepted at most once, then gone."""
        store = self._store

        # Repeated from the start on a serialisation failure (PostgreSQL): store work only.
        def work(tx: Tx) -> Verdict:
            found = tx.one(
                "SELECT key_id, digest, expires_at FROM secondfactor_passcode "
                "WHERE account = :account AND purpose = :purpose",
                {"account": account, "purpose": purpose},
            )
            row = None if found is None else (str(found[0]), bytes(found[1]), float(found[2]))
            state = store.load_throttle(account, _FACTOR, tx)
            now = store.clock()
            candidate = normalise_passcode(code, self.policy)
            pepper = (store.keyring.passcode_pepper(row[0]) if row else None) or _DUMMY_PEPPER
            # Same work on every path: hash and compare even when the answer is already known.
            probe = _digest(pepper, account, purpose, candidate or "")
            matches = hmac.compare_digest(probe, row[1] if row else b"\x00" * 32)
            verdict, new = self._judge(row, state, now, candidate, matches)
            if new is not state:
                store.save_attempt_state(tx, account, _FACTOR, new)
            if verdict.outcome in (Outcome.ACCEPTED, Outcome.EXPIRED):
                tx.execute(
                    "DELETE FROM secondfactor_passcode WHERE account = :account "
                    "AND purpose = :purpose",
                    {"account": account, "purpose": purpose},
                )
            return verdict

        return store.run(work)

    def _judge(
        self,
        row: tuple[str, bytes, float] | None,
        state: AttemptState,
        now: float,
        candidate: str | None,
        matches: bool,
    ) -> tuple[Verdict, AttemptState]:
        if state.locked:
            return Verdict(outcome=Outcome.LOCKED, failures=state.failures), state
        if now < state.not_before:
            return Verdict(
                outcome=Outcome.THROTTLED,
                retry_after=state.not_before - now,
                failures=state.failures,
            ), state
        if row is None:
            return Verdict(outcome=Outcome.NOT_ENROLLED), state
        if now >= row[2]:
            return Verdict(outcome=Outcome.EXPIRED), state
        if candidate is None or not matches:
            new = record_failure(state, self._store.throttle, now)
            outcome = Outcome.MALFORMED if candidate is None else Outcome.WRONG
            retry = new.not_before - now if new.not_before > now else None
            return Verdict(outcome=outcome, retry_after=retry, failures=new.failures), new
        return Verdict(outcome=Outcome.ACCEPTED), AttemptState()
