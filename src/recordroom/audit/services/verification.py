"""``verify_chain()``: find the first change, deletion, insertion, reordering or truncation of the
trail, and any bad checkpoint (ONC 170.315(d)(2)(v) and (d)(10)(iv): "detect whether the audit log has
been altered"; RULES.md ONC-06: a row altered by hand -> ``Broken(seq=...)``).

The events are read in keyset-paginated batches with every column cast to text by SQL, so each row is
one string join and one SHA-256: the chain is checked at close to the speed SQLite can hand rows over.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import connection

from recordroom.audit import signing
from recordroom.audit.chain import SEPARATOR, select_as_text
from recordroom.audit.models import GENESIS_HASH

BATCH = 20_000


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    last_seq: int
    checkpoints_checked: int
    first_bad_seq: int | None = None
    problem: str = ""
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "last_seq": self.last_seq,
            "checkpoints_checked": self.checkpoints_checked,
            "first_bad_seq": self.first_bad_seq,
            "problem": self.problem,
        }


def _fail(result: VerifyResult, seq: int, problem: str) -> VerifyResult:
    result.ok = False
    result.first_bad_seq = seq
    result.problem = problem
    return result


CheckpointRow = tuple[int, str, int, str, str, str]


def _checkpoints(from_seq: int) -> tuple[dict[int, str], list[CheckpointRow]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT seq, hash, signed_us, key_id, public_key, signature FROM audit_auditcheckpoint "
            "WHERE seq >= %s ORDER BY seq",
            [from_seq],
        )
        rows = [(int(r[0]), str(r[1]), int(r[2]), str(r[3]), str(r[4]), str(r[5])) for r in cursor.fetchall()]
    return {row[0]: row[1] for row in rows}, rows


def _checkpoint_problem(row: CheckpointRow, pinned: dict[str, Ed25519PublicKey], trust_recorded_keys: bool) -> str:
    seq, chain_hash, signed_us, key_id, public_hex, signature = row
    recorded = signing.public_key_from_hex(public_hex)
    if recorded is None or signing.key_id_of(recorded) != key_id:
        return f"checkpoint #{seq} names a key that does not match its recorded public key"
    key = pinned.get(key_id)
    if key is None:
        if not trust_recorded_keys:
            return f"checkpoint #{seq} is signed by key {key_id}, which is not one of this installation's keys"
        key = recorded
    if not signing.signature_valid(key, signing.checkpoint_message(seq, chain_hash, signed_us), signature):
        return f"checkpoint #{seq} has a bad signature (forged or altered)"
    return ""


def verify_chain(*, from_seq: int = 1, trust_recorded_keys: bool = False) -> VerifyResult:
    """Check the trail from ``from_seq`` (the stored hash of ``from_seq - 1`` is trusted as the start).

    Checkpoint signatures are checked against this installation's keys (kept outside the database).
    ``trust_recorded_keys`` also accepts the public key recorded with a checkpoint: only for a restored
    copy in a temporary place, where the installation's key directory is not at hand.
    """
    result = VerifyResult(ok=True, checked=0, last_seq=from_seq - 1, checkpoints_checked=0)
    expected_hashes, checkpoint_rows = _checkpoints(from_seq)
    pinned = signing.public_keys()
    for row in checkpoint_rows:
        problem = _checkpoint_problem(row, pinned, trust_recorded_keys)
        if problem:
            return _fail(result, row[0], problem)
        result.checkpoints_checked += 1

    query = select_as_text("audit_auditevent") + " WHERE seq >= %s ORDER BY seq LIMIT %s"
    with connection.cursor() as cursor:
        previous = GENESIS_HASH
        if from_seq > 1:
            cursor.execute("SELECT hash FROM audit_auditevent WHERE seq = %s", [from_seq - 1])
            start = cursor.fetchone()
            if start is None:
                return _fail(result, from_seq - 1, f"event #{from_seq - 1} is missing (deleted)")
            previous = str(start[0])
        expected = from_seq
        join = SEPARATOR.join
        sha256 = hashlib.sha256
        while True:
            cursor.execute(query, [expected, BATCH])
            rows = cursor.fetchall()
            if not rows:
                break
            for row in rows:
                seq = int(row[0])
                if seq != expected:
                    return _fail(result, expected, f"event #{expected} is missing (deleted)")
                stored = row[-1]
                if sha256((previous + join(row[:-1])).encode("utf-8")).hexdigest() != stored:
                    return _fail(result, seq, f"event #{seq} does not match the chain (altered, inserted or reordered)")
                checkpoint_hash = expected_hashes.get(seq)
                if checkpoint_hash is not None and checkpoint_hash != stored:
                    return _fail(result, seq, f"event #{seq} differs from its signed checkpoint")
                previous = stored
                expected += 1
            result.checked += len(rows)
            result.last_seq = expected - 1
        cursor.execute("SELECT seq, hash FROM audit_audithead WHERE id = 1")
        head = cursor.fetchone()
    last = result.last_seq
    head_seq = int(head[0]) if head is not None else 0
    if head is None and last > 0:
        return _fail(result, last, "the chain head is missing")
    if head_seq > last:
        return _fail(result, last + 1, f"events after #{last} are missing (truncated; the head says #{head_seq})")
    if head_seq < last:
        return _fail(result, head_seq + 1, f"event #{head_seq + 1} was added outside audit.record()")
    if head is not None and last >= from_seq and str(head[1]) != previous:
        return _fail(result, last, f"the chain head does not match event #{last}")
    beyond = [seq for seq in expected_hashes if seq > last]
    if beyond:
        return _fail(result, last + 1, f"a checkpoint signs event #{min(beyond)}, which is missing (truncated)")
    return result


def backup_check() -> tuple[bool, str]:
    """The audit chain check that ``backup verify`` runs against a restored copy (164.308(a)(7): a
    backup is only as good as a verified restore, and a restored trail must still be tamper-evident)."""
    result = verify_chain(trust_recorded_keys=True)
    if result.ok:
        return True, f"audit chain verified: {result.checked} events, {result.checkpoints_checked} checkpoints"
    return False, f"audit chain broken at event #{result.first_bad_seq}: {result.problem}"
