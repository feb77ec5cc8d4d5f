# A frozen copy of this module at commit 5d11ea0 (raw sqlite3, before issue 18), kept only so
# bench/bench_store.py can compare the new store layer with the code it replaced. Not maintained.
"""Second-factor state in the embedded SQLite store (component ``secondfactor``).

Accounts with their sealed seeds and last accepted step, attempt counters and locks, machine-login
seeds and outstanding one-time passcodes live in one SQLite file (:mod:`leportal_core.store`).
Every attempt is judged inside one ``BEGIN IMMEDIATE`` transaction: the read of "last accepted
step" and the write of the new one cannot interleave with another process's, so two verifiers
sharing the file accept a code at most once (RFC 6238 §5.2, NIST SP 800-63B §5.1.4.2).

Locks survive revocation and re-enrolment on purpose: only :meth:`SecondFactorStore.unlock`, an
administrator's action, lifts one. One store object serves one thread at a time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Literal

import attrs

from leportal_core import store as core_store
from leportal_core.errors import ConfigurationError, Problem
from leportal_core.secondfactor.clock import Clock, system_clock
from leportal_core.secondfactor.enrolment import check_account, check_issuer, key_uri, new_secret
from leportal_core.secondfactor.errors import EnrolmentError
from leportal_core.secondfactor.policy import Algorithm, TotpPolicy, check_secret_length
from leportal_core.secondfactor.sealing import Keyring, SealedSecret
from leportal_core.secondfactor.throttle import AttemptState, ThrottlePolicy, unlocked
from leportal_core.secondfactor.verify import Outcome, Verdict, check_totp

__all__ = ["COMPONENT", "Enrolment", "MachineSeed", "SecondFactorStore"]

COMPONENT = "secondfactor"

MIGRATIONS = [
    """
    CREATE TABLE secondfactor_account (
        account TEXT PRIMARY KEY,
        status TEXT NOT NULL CHECK (status IN ('pending', 'active')),
        algorithm TEXT NOT NULL,
        digits INTEGER NOT NULL,
        period INTEGER NOT NULL,
        key_id TEXT NOT NULL,
        sealed BLOB NOT NULL,
        last_step INTEGER,
        created_at REAL NOT NULL,
        activated_at REAL
    );
    CREATE TABLE secondfactor_throttle (
        account TEXT NOT NULL,
        factor TEXT NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        not_before REAL NOT NULL DEFAULT 0,
        locked INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (account, factor)
    );
    CREATE TABLE secondfactor_machine (
        account TEXT PRIMARY KEY,
        algorithm TEXT NOT NULL,
        digits INTEGER NOT NULL,
        period INTEGER NOT NULL,
        key_id TEXT NOT NULL,
        sealed BLOB NOT NULL,
        last_step INTEGER
    );
    CREATE TABLE secondfactor_passcode (
        account TEXT NOT NULL,
        purpose TEXT NOT NULL,
        key_id TEXT NOT NULL,
        digest BLOB NOT NULL,
        issued_at REAL NOT NULL,
        expires_at REAL NOT NULL,
        PRIMARY KEY (account, purpose)
    );
    """
]

_TOTP = "totp"


@attrs.frozen(kw_only=True, slots=True)
class Enrolment:
    """A started enrolment: show ``uri`` (as QR code) once; ``secret`` only if explicitly asked."""

    account: str
    issuer: str
    policy: TotpPolicy
    uri: str = attrs.field(repr=False)
    secret: bytes = attrs.field(repr=False)


@attrs.frozen(kw_only=True, slots=True)
class MachineSeed:
    """A portal account's seed held for automated login, opened for one use."""

    account: str
    policy: TotpPolicy
    secret: bytes = attrs.field(repr=False)
    last_step: int | None


class SecondFactorStore:
    """TOTP enrolment, verification, locks and key rotation over one SQLite connection."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        *,
        keyring: Keyring,
        clock: Clock = system_clock,
        throttle: ThrottlePolicy | None = None,
        past_steps: int = 1,
    ) -> None:
        core_store.ensure_schema(connection, COMPONENT, MIGRATIONS)
        self.connection = connection
        self.keyring = keyring
        self.clock = clock
        self.throttle = throttle or ThrottlePolicy()
        self.past_steps = TotpPolicy(past_steps=past_steps).past_steps  # validated
        self._policies: dict[tuple[str, int, int], TotpPolicy] = {}
        self._default_policy = TotpPolicy(past_steps=self.past_steps)
        self._dummy = keyring.seal(bytes(20), account="")

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        keyring: Keyring,
        clock: Clock = system_clock,
        throttle: ThrottlePolicy | None = None,
        past_steps: int = 1,
        synchronous: Literal["FULL", "NORMAL"] = "FULL",
        create: bool = False,
    ) -> SecondFactorStore:
        """Open the store file at ``path`` on a connection of its own.

        The file must hold a store already; ``create=True`` makes a new one
        (:func:`leportal_core.store.connect`: a missing store is never made silently).

        ``synchronous="FULL"`` (the store's default) makes every accepted step survive a power
        cut before "accepted" is answered; it costs one fsync per attempt (~200 µs on a typical
        SSD-backed VM). ``"NORMAL"`` (WAL) survives process crashes but may lose the last
        commits on power loss — then a code accepted in the last moment before the cut could be
        replayed if the host is back within the code's window. Choose it knowingly.
        """
        if synchronous not in ("FULL", "NORMAL"):
            raise ConfigurationError(
                f"synchronous must be FULL or NORMAL, got {synchronous!r}",
                [Problem(code="secondfactor.store.failed", message="bad synchronous setting")],
            )
        connection = core_store.connect(path, create=create)
        try:
            with core_store.guarded(connection, doing="open"):
                connection.execute(f"PRAGMA synchronous = {synchronous}")
            return cls(
                connection,
                keyring=keyring,
                clock=clock,
                throttle=throttle,
                past_steps=past_steps,
            )
        except BaseException:
            connection.close()
            raise

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A ``BEGIN IMMEDIATE`` transaction on the store; failures are ``StorageError``s."""
        with core_store.transaction(self.connection) as connection:
            yield connection

    def _reading(self) -> AbstractContextManager[None]:
        return core_store.guarded(self.connection, doing="read")

    def _policy(self, algorithm: str, digits: int, period: int) -> TotpPolicy:
        key = (algorithm, digits, period)
        policy = self._policies.get(key)
        if policy is None:
            policy = TotpPolicy(
                algorithm=Algorithm(algorithm),
                digits=digits,
                period=period,
                past_steps=self.past_steps,
            )
            self._policies[key] = policy
        return policy

    # -- enrolment ---------------------------------------------------------------------------

    def enroll(
        self,
        account: str,
        *,
        issuer: str,
        policy: TotpPolicy | None = None,
        replace: bool = False,
    ) -> Enrolment:
        """Start an enrolment: a new seed, sealed and stored as *pending* until :meth:`confirm`.

        An active factor is replaced only with ``replace=True`` (the host must have
        re-authenticated the person); a pending one is simply started afresh.
        """
        check_account(account)
        check_issuer(issuer)
        policy = policy or TotpPolicy()
        secret = new_secret(policy.algorithm)
        sealed = self.keyring.seal(secret, account=account)
        with self.transaction() as tx:
            row = tx.execute(
                "SELECT status FROM secondfactor_account WHERE account = ?", (account,)
            ).fetchone()
            if row is not None and row[0] == "active" and not replace:
                raise EnrolmentError(
                    f"{account!r} already has an active second factor",
                    [
                        Problem(
                            code="secondfactor.enrolment.exists",
                            message="revoke it or pass replace=True",
                        )
                    ],
                )
            tx.execute(
                "INSERT INTO secondfactor_account (account, status, algorithm, digits, period, "
                "key_id, sealed, last_step, created_at) VALUES (?, 'pending', ?, ?, ?, ?, ?, NULL, ?) "
                "ON CONFLICT(account) DO UPDATE SET status = 'pending', algorithm = excluded.algorithm, "
                "digits = excluded.digits, period = excluded.period, key_id = excluded.key_id, "
                "sealed = excluded.sealed, last_step = NULL, created_at = excluded.created_at, "
                "activated_at = NULL",
                (
                    account,
                    policy.algorithm.value,
                    policy.digits,
                    policy.period,
                    sealed.key_id,
                    sealed.blob,
                    self.clock(),
                ),
            )
        uri = key_uri(secret, account=account, issuer=issuer, policy=policy)
        return Enrolment(account=account, issuer=issuer, policy=policy, uri=uri, secret=secret)

    def confirm(self, account: str, code: str) -> Verdict:
        """Activate a pending enrolment with a first valid code (throttled like a login).

        The confirming step counts as used, so the same code cannot then log in. Confirming an
        active factor is an :class:`EnrolmentError` (the host's flow is out of step).
        """
        if self.status(account) == "active":
            raise EnrolmentError(
                f"{account!r} is already active; nothing to confirm",
                [Problem(code="secondfactor.enrolment.state", message="already active")],
            )
        return self._attempt(account, code, want_status="pending")

    def verify(self, account: str, code: str) -> Verdict:
        """Judge a login code for ``account`` at the trusted clock's time."""
        return self._attempt(account, code, want_status="active")

    def _attempt(self, account: str, code: str, *, want_status: str) -> Verdict:
        with self.transaction() as tx:
            # One statement for account and throttle state (the left join keeps throttle-only rows
            # of unenrolled accounts, so a lock survives revocation).
            row = tx.execute(
                "SELECT a.status, a.algorithm, a.digits, a.period, a.key_id, a.sealed, a.last_step, "
                "t.failures, t.not_before, t.locked FROM (SELECT ? AS account, ? AS factor) AS q "
                "LEFT JOIN secondfactor_account AS a ON a.account = q.account "
                "LEFT JOIN secondfactor_throttle AS t ON t.account = q.account AND t.factor = q.factor",
                (account, _TOTP),
            ).fetchone()
            secret = None
            policy = self._default_policy
            last_step = None
            if row[0] == want_status:
                policy = self._policy(row[1], row[2], row[3])
                secret = self.keyring.open(
                    SealedSecret(key_id=row[4], blob=row[5]), account=account
                )
                last_step = row[6]
            else:  # open a dummy too, so unknown accounts cost the same decryption
                self.keyring.open(self._dummy, account="")
            state = AttemptState(
                last_step=last_step,
                failures=row[7] or 0,
                not_before=row[8] or 0.0,
                locked=bool(row[9]),
            )
            verdict, new = check_totp(
                secret=secret,
                policy=policy,
                throttle=self.throttle,
                state=state,
                code=code,
                now=self.clock(),
            )
            if new is not state:
                if (new.failures, new.not_before, new.locked) != (
                    state.failures,
                    state.not_before,
                    state.locked,
                ):
                    self.save_attempt_state(tx, account, _TOTP, new)
                if verdict.outcome is Outcome.ACCEPTED:
                    tx.execute(
                        "UPDATE secondfactor_account SET last_step = ?, status = 'active', "
                        "activated_at = COALESCE(activated_at, ?) WHERE account = ?",
                        (new.last_step, self.clock(), account),
                    )
        return verdict

    @staticmethod
    def save_attempt_state(
        tx: sqlite3.Connection, account: str, factor: str, state: AttemptState
    ) -> None:
        """Write failures, delay and lock of ``account``/``factor`` inside the transaction ``tx``."""
        if state.failures == 0 and not state.locked:
            tx.execute(
                "DELETE FROM secondfactor_throttle WHERE account = ? AND factor = ?",
                (account, factor),
            )
            return
        tx.execute(
            "INSERT INTO secondfactor_throttle (account, factor, failures, not_before, locked) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(account, factor) DO UPDATE SET "
            "failures = excluded.failures, not_before = excluded.not_before, locked = excluded.locked",
            (account, factor, state.failures, state.not_before, int(state.locked)),
        )

    def load_throttle(self, account: str, factor: str) -> AttemptState:
        """The failures, delay and lock of ``account`` for ``factor`` (``totp`` or ``passcode``)."""
        with self._reading():
            row = self.connection.execute(
                "SELECT failures, not_before, locked FROM secondfactor_throttle "
                "WHERE account = ? AND factor = ?",
                (account, factor),
            ).fetchone()
        if row is None:
            return AttemptState()
        return AttemptState(failures=row[0], not_before=row[1], locked=bool(row[2]))

    def status(self, account: str) -> str | None:
        """``"pending"``, ``"active"`` or ``None`` (not enrolled)."""
        with self._reading():
            row = self.connection.execute(
                "SELECT status FROM secondfactor_account WHERE account = ?", (account,)
            ).fetchone()
        return None if row is None else str(row[0])

    def revoke(self, account: str) -> bool:
        """Remove ``account``'s TOTP factor (pending or active); True when there was one."""
        with self.transaction() as tx:
            cursor = tx.execute("DELETE FROM secondfactor_account WHERE account = ?", (account,))
        return cursor.rowcount > 0

    def unlock(self, account: str) -> None:
        """The administrator's unlock: clears failures, delays and locks of every factor."""
        with self.transaction() as tx:
            for factor, failures, not_before, locked in tx.execute(
                "SELECT factor, failures, not_before, locked FROM secondfactor_throttle "
                "WHERE account = ?",
                (account,),
            ).fetchall():
                state = AttemptState(failures=failures, not_before=not_before, locked=bool(locked))
                self.save_attempt_state(tx, account, factor, unlocked(state))

    # -- machine login seeds -----------------------------------------------------------------

    def save_machine_seed(
        self, account: str, secret: bytes, policy: TotpPolicy | None = None
    ) -> None:
        """Keep the seed of a portal account (from the portal's QR/URI) for automated login."""
        check_account(account)
        check_secret_length(secret)
        policy = policy or TotpPolicy()
        sealed = self.keyring.seal(secret, account=account, purpose="machine")
        with self.transaction() as tx:
            tx.execute(
                "INSERT INTO secondfactor_machine (account, algorithm, digits, period, key_id, "
                "sealed, last_step) VALUES (?, ?, ?, ?, ?, ?, NULL) ON CONFLICT(account) DO UPDATE "
                "SET algorithm = excluded.algorithm, digits = excluded.digits, period = "
                "excluded.period, key_id = excluded.key_id, sealed = excluded.sealed, last_step = NULL",
                (
                    account,
                    policy.algorithm.value,
                    policy.digits,
                    policy.period,
                    sealed.key_id,
                    sealed.blob,
                ),
            )

    def machine_seed(self, account: str) -> MachineSeed:
        """Open the machine seed of ``account``; :class:`EnrolmentError` when there is none."""
        with self._reading():
            row = self.connection.execute(
                "SELECT algorithm, digits, period, key_id, sealed, last_step "
                "FROM secondfactor_machine WHERE account = ?",
                (account,),
            ).fetchone()
        if row is None:
            raise EnrolmentError(
                f"no machine seed for {account!r}",
                [Problem(code="secondfactor.machine.unknown", message="no machine seed stored")],
            )
        secret = self.keyring.open(
            SealedSecret(key_id=row[3], blob=row[4]), account=account, purpose="machine"
        )
        return MachineSeed(
            account=account,
            policy=self._policy(row[0], row[1], row[2]),
            secret=secret,
            last_step=row[5],
        )

    def claim_machine_step(self, account: str, step: int) -> bool:
        """Record that ``step``'s code is being used; False when it (or a later one) already was."""
        with self.transaction() as tx:
            cursor = tx.execute(
                "UPDATE secondfactor_machine SET last_step = ? "
                "WHERE account = ? AND (last_step IS NULL OR last_step < ?)",
                (step, account, step),
            )
        return cursor.rowcount == 1

    # -- key rotation ------------------------------------------------------------------------

    def rotate_keys(self, *, batch: int = 100) -> int:
        """Re-seal every seed not under the keyring's current key; returns how many were re-sealed.

        Runs in small transactions with a compare-and-set on the old key id, so verifications in
        other processes go on meanwhile (they hold the old key in their keyring until all are
        done). Safe to interrupt and repeat.
        """
        done = 0
        current = self.keyring.current.key_id
        for table, purpose in (
            ("secondfactor_account", _TOTP),
            ("secondfactor_machine", "machine"),
        ):
            while True:
                with self._reading():
                    rows = self.connection.execute(
                        f"SELECT account, key_id, sealed FROM {table} WHERE key_id != ? LIMIT ?",
                        (current, batch),
                    ).fetchall()
                if not rows:
                    break
                with self.transaction() as tx:
                    for account, key_id, blob in rows:
                        secret = self.keyring.open(
                            SealedSecret(key_id=key_id, blob=blob), account=account, purpose=purpose
                        )
                        sealed = self.keyring.seal(secret, account=account, purpose=purpose)
                        cursor = tx.execute(
                            f"UPDATE {table} SET key_id = ?, sealed = ? "
                            "WHERE account = ? AND key_id = ? AND sealed = ?",
                            (sealed.key_id, sealed.blob, account, key_id, blob),
                        )
                        done += cursor.rowcount
        return done
