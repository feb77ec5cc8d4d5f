"""Second-factor state in the store (component ``secondfactor``, :mod:`leportal_core.store`).

Accounts with their sealed seeds and last accepted step, attempt counters and locks, machine-login
seeds and outstanding one-time passcodes live in the shared store — a SQLite file or a PostgreSQL
server. Every attempt is judged inside one write transaction (SQLite ``BEGIN IMMEDIATE``,
PostgreSQL ``SERIALIZABLE``, retried on a serialisation failure): the read of "last accepted
step" and the write of the new one cannot interleave with another process's or server's, so
verifiers sharing the store accept a code at most once and count each failure once (RFC 6238
§5.2, NIST SP 800-63B §5.1.4.2).

Locks survive revocation and re-enrolment on purpose: only :meth:`SecondFactorStore.unlock`, an
administrator's action, lifts one. One store object serves one thread at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

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

if TYPE_CHECKING:
    from leportal_core.store import Store, Tx

T = TypeVar("T")

__all__ = ["COMPONENT", "Enrolment", "MachineSeed", "SecondFactorStore"]

_SQLITE_1 = """
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
# PostgreSQL: REAL is 4 bytes there (UNIX seconds need 8), BLOB is BYTEA, steps may pass 2**31.
_POSTGRESQL_1 = (
    _SQLITE_1.replace(" BLOB", " BYTEA")
    .replace(" REAL", " DOUBLE PRECISION")
    .replace("last_step INTEGER", "last_step BIGINT")
)
MIGRATIONS = ({"sqlite": _SQLITE_1, "postgresql": _POSTGRESQL_1},)
SCHEMA = core_store.Component(name="secondfactor", migrations=MIGRATIONS)
COMPONENT = SCHEMA.name

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
    """TOTP enrolment, verification, locks and key rotation over one :class:`Store`."""

    def __init__(
        self,
        store: Store,
        *,
        keyring: Keyring,
        clock: Clock | None = None,
        throttle: ThrottlePolicy | None = None,
        past_steps: int = 1,
        owned: bool = False,
    ) -> None:
        store.ensure(SCHEMA)
        self.store = store
        self.keyring = keyring
        self.clock: Clock = clock or (lambda: store.clock().timestamp())
        self.throttle = throttle or ThrottlePolicy()
        self.past_steps = TotpPolicy(past_steps=past_steps).past_steps  # validated
        self._policies: dict[tuple[str, int, int], TotpPolicy] = {}
        self._default_policy = TotpPolicy(past_steps=self.past_steps)
        self._dummy = keyring.seal(bytes(20), account="")
        self._owned = owned

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
        """Open the store at ``path`` (a SQLite file or a ``postgresql://`` URL) of its own.

        The store must exist already; ``create=True`` makes a new one
        (:func:`leportal_core.store.open_store`: a missing store is never made silently).

        ``synchronous="FULL"`` (the store's default) makes every accepted step survive a power
        cut before "accepted" is answered; it costs one fsync per attempt (~200 µs on a typical
        SSD-backed VM). ``"NORMAL"`` (WAL) survives process crashes but may lose the last
        commits on power loss — then a code accepted in the last moment before the cut could be
        replayed if the host is back within the code's window. Choose it knowingly. On
        PostgreSQL the server's own settings (``synchronous_commit``) decide.
        """
        if synchronous not in ("FULL", "NORMAL"):
            raise ConfigurationError(
                f"synchronous must be FULL or NORMAL, got {synchronous!r}",
                [Problem(code="secondfactor.store.failed", message="bad synchronous setting")],
            )
        store = core_store.open_store(path, create=create, synchronous=synchronous)
        try:
            return cls(
                store,
                keyring=keyring,
                clock=clock,
                throttle=throttle,
                past_steps=past_steps,
                owned=True,
            )
        except BaseException:
            store.close()
            raise

    def close(self) -> None:
        """Close the store when this object opened it (a shared one stays open)."""
        if self._owned:
            self.store.close()

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """One write transaction on the store (a single attempt); failures are ``StorageError``s."""
        with self.store.transaction() as tx:
            yield tx

    def run(self, work: Callable[[Tx], T]) -> T:
        """``work(tx)`` in a write transaction, repeated on a serialisation failure."""
        return self.store.run(work)

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
        now = self.clock()

        def work(tx: Tx) -> None:
            row = tx.one(
                "SELECT status FROM secondfactor_account WHERE account = :account",
                {"account": account},
            )
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
                "key_id, sealed, last_step, created_at) VALUES (:account, 'pending', :algorithm, "
                ":digits, :period, :key_id, :sealed, NULL, :now) "
                "ON CONFLICT(account) DO UPDATE SET status = 'pending', algorithm = excluded.algorithm, "
                "digits = excluded.digits, period = excluded.period, key_id = excluded.key_id, "
                "sealed = excluded.sealed, last_step = NULL, created_at = excluded.created_at, "
                "activated_at = NULL",
                {
                    "account": account,
                    "algorithm": policy.algorithm.value,
                    "digits": policy.digits,
                    "period": policy.period,
                    "key_id": sealed.key_id,
                    "sealed": sealed.blob,
                    "now": now,
                },
            )

        self.run(work)
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
        return self.run(lambda tx: self._judge(tx, account, code, want_status))

    def _judge(self, tx: Tx, account: str, code: str, want_status: str) -> Verdict:
        # Runs again from the start when PostgreSQL reports a serialisation failure: it only
        # reads and writes the store, so a repeat judges the state the winner left.
        # One statement for account and throttle state (the left join keeps throttle-only rows
        # of unenrolled accounts, so a lock survives revocation).
        row = tx.one(
            "SELECT a.status, a.algorithm, a.digits, a.period, a.key_id, a.sealed, a.last_step, "
            "t.failures, t.not_before, t.locked FROM (SELECT CAST(:account AS TEXT) AS account, "
            "CAST(:factor AS TEXT) AS factor) AS q "
            "LEFT JOIN secondfactor_account AS a ON a.account = q.account "
            "LEFT JOIN secondfactor_throttle AS t ON t.account = q.account AND t.factor = q.factor",
            {"account": account, "factor": _TOTP},
        )
        assert row is not None  # the subquery always yields one row
        secret = None
        policy = self._default_policy
        last_step = None
        if row[0] == want_status:
            policy = self._policy(row[1], row[2], row[3])
            secret = self.keyring.open(
                SealedSecret(key_id=row[4], blob=bytes(row[5])), account=account
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
                    "UPDATE secondfactor_account SET last_step = :step, status = 'active', "
                    "activated_at = COALESCE(activated_at, :now) WHERE account = :account",
                    {"step": new.last_step, "now": self.clock(), "account": account},
                )
        return verdict

    @staticmethod
    def save_attempt_state(tx: Tx, account: str, factor: str, state: AttemptState) -> None:
        """Write failures, delay and lock of ``account``/``factor`` inside the transaction ``tx``."""
        if state.failures == 0 and not state.locked:
            tx.execute(
                "DELETE FROM secondfactor_throttle WHERE account = :account AND factor = :factor",
                {"account": account, "factor": factor},
            )
            return
        tx.execute(
            "INSERT INTO secondfactor_throttle (account, factor, failures, not_before, locked) "
            "VALUES (:account, :factor, :failures, :not_before, :locked) ON CONFLICT(account, "
            "factor) DO UPDATE SET failures = excluded.failures, not_before = excluded.not_before, "
            "locked = excluded.locked",
            {
                "account": account,
                "factor": factor,
                "failures": state.failures,
                "not_before": state.not_before,
                "locked": int(state.locked),
            },
        )

    def load_throttle(self, account: str, factor: str, tx: Tx | None = None) -> AttemptState:
        """The failures, delay and lock of ``account`` for ``factor`` (``totp`` or ``passcode``);
        inside the transaction ``tx`` when given (a read-check-write)."""
        sql = (
            "SELECT failures, not_before, locked FROM secondfactor_throttle "
            "WHERE account = :account AND factor = :factor"
        )
        params = {"account": account, "factor": factor}
        if tx is not None:
            row = tx.one(sql, params)
        else:
            rows = self.store.query(sql, params)
            row = rows[0] if rows else None
        if row is None:
            return AttemptState()
        return AttemptState(failures=row[0], not_before=row[1], locked=bool(row[2]))

    def status(self, account: str) -> str | None:
        """``"pending"``, ``"active"`` or ``None`` (not enrolled)."""
        rows = self.store.query(
            "SELECT status FROM secondfactor_account WHERE account = :account",
            {"account": account},
        )
        row = rows[0] if rows else None
        return None if row is None else str(row[0])

    def revoke(self, account: str) -> bool:
        """Remove ``account``'s TOTP factor (pending or active); True when there was one."""
        deleted = self.run(
            lambda tx: (
                tx.execute(
                    "DELETE FROM secondfactor_account WHERE account = :account",
                    {"account": account},
                ).rowcount
            )
        )
        return deleted > 0

    def unlock(self, account: str) -> None:
        """The administrator's unlock: clears failures, delays and locks of every factor."""

        def work(tx: Tx) -> None:
            for factor, failures, not_before, locked in tx.all(
                "SELECT factor, failures, not_before, locked FROM secondfactor_throttle "
                "WHERE account = :account",
                {"account": account},
            ):
                state = AttemptState(failures=failures, not_before=not_before, locked=bool(locked))
                self.save_attempt_state(tx, account, factor, unlocked(state))

        self.run(work)

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
                "sealed, last_step) VALUES (:account, :algorithm, :digits, :period, :key_id, "
                ":sealed, NULL) ON CONFLICT(account) DO UPDATE "
                "SET algorithm = excluded.algorithm, digits = excluded.digits, period = "
                "excluded.period, key_id = excluded.key_id, sealed = excluded.sealed, last_step = NULL",
                {
                    "account": account,
                    "algorithm": policy.algorithm.value,
                    "digits": policy.digits,
                    "period": policy.period,
                    "key_id": sealed.key_id,
                    "sealed": sealed.blob,
                },
            )

    def machine_seed(self, account: str) -> MachineSeed:
        """Open the machine seed of ``account``; :class:`EnrolmentError` when there is none."""
        with self.store.transaction(write=False) as tx:
            row = tx.one(
                "SELECT algorithm, digits, period, key_id, sealed, last_step "
                "FROM secondfactor_machine WHERE account = :account",
                {"account": account},
            )
        if row is None:
            raise EnrolmentError(
                f"no machine seed for {account!r}",
                [Problem(code="secondfactor.machine.unknown", message="no machine seed stored")],
            )
        secret = self.keyring.open(
            SealedSecret(key_id=row[3], blob=bytes(row[4])), account=account, purpose="machine"
        )
        return MachineSeed(
            account=account,
            policy=self._policy(row[0], row[1], row[2]),
            secret=secret,
            last_step=row[5],
        )

    def claim_machine_step(self, account: str, step: int) -> bool:
        """Record that ``step``'s code is being used; False when it (or a later one) already was."""
        claimed = self.run(
            lambda tx: (
                tx.execute(
                    "UPDATE secondfactor_machine SET last_step = :step "
                    "WHERE account = :account AND (last_step IS NULL OR last_step < :step)",
                    {"step": step, "account": account},
                ).rowcount
            )
        )
        return claimed == 1

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
                with self.store.transaction(write=False) as reading:
                    rows = reading.all(
                        f"SELECT account, key_id, sealed FROM {table} WHERE key_id != :current "  # noqa: S608 - fixed table names
                        "LIMIT :batch",
                        {"current": current, "batch": batch},
                    )
                if not rows:
                    break
                with self.transaction() as tx:
                    for account, key_id, stored in rows:
                        blob = bytes(stored)
                        secret = self.keyring.open(
                            SealedSecret(key_id=key_id, blob=blob), account=account, purpose=purpose
                        )
                        sealed = self.keyring.seal(secret, account=account, purpose=purpose)
                        cursor = tx.execute(
                            f"UPDATE {table} SET key_id = :key_id, sealed = :sealed "  # noqa: S608
                            "WHERE account = :account AND key_id = :old_key AND sealed = :old",
                            {
                                "key_id": sealed.key_id,
                                "sealed": sealed.blob,
                                "account": account,
                                "old_key": key_id,
                                "old": blob,
                            },
                        )
                        done += cursor.rowcount
        return done
