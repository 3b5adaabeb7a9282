"""Data keys: one per subject (patient), created on first use, cached unwrapped for a short time, rewrapped
on rotation and destroyed for crypto-shredding.

HIPAA 164.312(a)(2)(iv) (encryption and decryption); NIST SP 800-57 Part 1 Rev. 5 (key hierarchy,
cryptoperiods, 8.2.2 rekeying by rewrapping); NIST SP 800-88 Rev. 1, 2.5 (cryptographic erase).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import IntegrityError, connection, transaction

from recordroom.core import clock
from recordroom.vault.envelope import new_key, open_value, seal_value
from recordroom.vault.errors import VaultError, VaultErrorCode
from recordroom.vault.keyring import get_keyring, reload_keyring
from recordroom.vault.models import DataKey

logger = logging.getLogger(__name__)
_VALUE_AAD = b"rr-value/1|"
_WRAP_AAD = b"rr-datakey/1|"


class _KeyCache:
    """Unwrapped data keys (as ready AES-GCM objects), least recently used first out, each for at most
    ``RECORDROOM_VAULT_KEY_CACHE_SECONDS``. Only keys whose row is committed are cached."""

    def __init__(self) -> None:
        self._entries: OrderedDict[uuid.UUID, tuple[AESGCM, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, subject: uuid.UUID) -> AESGCM | None:
        with self._lock:
            entry = self._entries.get(subject)
            if entry is None:
                return None
            if entry[1] < time.monotonic():
                del self._entries[subject]
                return None
            self._entries.move_to_end(subject)
            return entry[0]

    def put(self, subject: uuid.UUID, aead: AESGCM) -> None:
        size = settings.RECORDROOM_VAULT_KEY_CACHE_SIZE
        if size <= 0:
            return
        expires = time.monotonic() + settings.RECORDROOM_VAULT_KEY_CACHE_SECONDS
        with self._lock:
            self._entries[subject] = (aead, expires)
            self._entries.move_to_end(subject)
            while len(self._entries) > size:
                self._entries.popitem(last=False)

    def discard(self, subject: uuid.UUID) -> None:
        with self._lock:
            self._entries.pop(subject, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_cache = _KeyCache()
_local = threading.local()


def _uncommitted() -> set[uuid.UUID]:
    """Subjects whose data key this thread created in a transaction that has not committed (yet)."""
    pending: set[uuid.UUID] | None = getattr(_local, "pending", None)
    if pending is None:
        pending = set()
        _local.pending = pending
    return pending


def clear_key_cache() -> None:
    """Drop every cached data key (tests; after restoring a backup)."""
    _cache.clear()


def _as_subject(subject_id: uuid.UUID | str) -> uuid.UUID:
    if isinstance(subject_id, uuid.UUID):
        return subject_id
    try:
        return uuid.UUID(str(subject_id))
    except ValueError:
        raise VaultError(VaultErrorCode.DATA_KEY_MISSING, "a vault subject id must be a UUID") from None


def _wrap_aad(subject: uuid.UUID) -> bytes:
    return _WRAP_AAD + subject.bytes


def unwrap_data_key(version: int, wrapped: bytes, subject: uuid.UUID) -> bytes:
    """Unwrap one stored data key (rotation, backup checks); names the problem if it cannot."""
    try:
        return get_keyring().unwrap(version, wrapped, _wrap_aad(subject))
    except VaultError as exc:
        if exc.code is not VaultErrorCode.UNKNOWN_KEY_VERSION:
            raise
    # Another process may have rotated the keyring since this one loaded it.
    return reload_keyring().unwrap(version, wrapped, _wrap_aad(subject))


def _create(subject: uuid.UUID) -> AESGCM:
    key = new_key()
    version, wrapped = get_keyring().wrap(key, _wrap_aad(subject))
    try:
        with transaction.atomic():
            DataKey.objects.create(subject=subject, kek_version=version, wrapped=wrapped)
    except IntegrityError:  # another transaction created it first
        return _aead_for(subject, create=False)
    aead = AESGCM(key)
    pending = _uncommitted()
    pending.add(subject)

    def committed() -> None:
        pending.discard(subject)
        _cache.put(subject, aead)

    transaction.on_commit(committed)
    return aead


def _aead_for(subject: uuid.UUID, *, create: bool) -> AESGCM:
    cached = _cache.get(subject)
    if cached is not None:
        return cached
    row = DataKey.objects.filter(subject=subject).values_list("kek_version", "wrapped").first()
    if row is None:
        if create:
            return _create(subject)
        raise VaultError(VaultErrorCode.DATA_KEY_MISSING, f"no data key for subject {subject}")
    version, wrapped = row
    if wrapped is None:
        raise VaultError(
            VaultErrorCode.DATA_KEY_DESTROYED,
            f"the data key of subject {subject} was destroyed: its records are unrecoverable",
        )
    aead = AESGCM(unwrap_data_key(version, bytes(wrapped), subject))
    if subject not in _uncommitted():
        _cache.put(subject, aead)
    return aead


def create_data_keys(subject_ids: list[uuid.UUID]) -> int:
    """Create data keys for many new subjects in one insert (bulk registration, e.g. an import batch).

    Every subject must be new: one that already has a key fails the whole batch (IntegrityError) and
    nothing is created. The keys are cached once the caller's transaction commits, so the records sealed
    afterwards need no further key lookups.
    """
    keyring = get_keyring()
    rows, ready = [], []
    for subject in subject_ids:
        key = new_key()
        version, wrapped = keyring.wrap(key, _wrap_aad(subject))
        rows.append(DataKey(subject=subject, kek_version=version, wrapped=wrapped))
        ready.append((subject, AESGCM(key)))
    with transaction.atomic():
        DataKey.objects.bulk_create(rows, batch_size=2000)
    pending = _uncommitted()
    pending.update(subject for subject, _ in ready)

    def committed() -> None:
        for subject, aead in ready:
            pending.discard(subject)
            _cache.put(subject, aead)

    transaction.on_commit(committed)
    return len(rows)


def ensure_data_key(subject_id: uuid.UUID | str) -> None:
    """Create the subject's data key now if it has none (idempotent)."""
    _aead_for(_as_subject(subject_id), create=True)


def seal(plaintext: bytes, *, subject_id: uuid.UUID | str, context: str) -> bytes:
    """Encrypt ``plaintext`` with the subject's data key (created on first use), bound to ``context``.

    ``context`` says where the value lives; encrypted fields use ``"<table>.<column>|<row public id>"``
    (see :func:`field_context`). Opening needs the same subject and context.
    """
    subject = _as_subject(subject_id)
    return seal_value(_aead_for(subject, create=True), plaintext, _VALUE_AAD + subject.bytes + context.encode())


def unseal(sealed: bytes, *, subject_id: uuid.UUID | str, context: str) -> bytes:
    """Decrypt a value sealed by :func:`seal`. A destroyed or missing data key, a wrong keyring, and an
    altered, truncated or moved ciphertext each raise a named :class:`VaultError`, never garbage."""
    subject = _as_subject(subject_id)
    try:
        return open_value(_aead_for(subject, create=False), sealed, _VALUE_AAD + subject.bytes + context.encode())
    except VaultError as exc:
        where = context.split("|", 1)[0]
        logger.warning("vault: %s opening %s of subject %s", exc.code.value, where, subject)
        raise


def field_context(table: str, column: str, row_id: object) -> str:
    """The associated data of a column value: binds it to its table, column and row."""
    return f"{table}.{column}|{row_id}"


@dataclass(frozen=True)
class RotationResult:
    new_version: int
    rewrapped: int
    seconds: float


def rotate_keys(*, batch_size: int = 5000, progress: Callable[[int], None] | None = None) -> RotationResult:
    """Add a key-encryption key version, make it active, and rewrap every live data key under it.

    The data itself is not re-encrypted (SP 800-57 8.2.2). Each batch commits on its own; an interrupted
    rotation leaves every key usable (old versions stay in the keyring) and the next rotation finishes it.
    A key destroyed meanwhile stays destroyed: the update only touches rows still wrapped by the version
    that was read.
    """
    started = time.perf_counter()
    keyring = get_keyring()
    new_version = keyring.add_version()
    table = connection.ops.quote_name(DataKey._meta.db_table)
    sql = (
        f"UPDATE {table} SET wrapped = %s, kek_version = %s "  # noqa: S608  (quoted model table name)
        "WHERE id = %s AND kek_version = %s AND wrapped IS NOT NULL"
    )
    done, last_id = 0, 0
    while True:
        rows = list(
            DataKey.objects.filter(id__gt=last_id, wrapped__isnull=False)
            .exclude(kek_version=new_version)
            .order_by("id")
            .values_list("id", "subject", "kek_version", "wrapped")[:batch_size]
        )
        if not rows:
            break
        updates = []
        for row_id, subject, version, wrapped in rows:
            aad = _wrap_aad(subject)
            key = keyring.unwrap(version, bytes(wrapped or b""), aad)
            wrapped_version, rewrapped = keyring.wrap(key, aad)
            updates.append((rewrapped, wrapped_version, row_id, version))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, updates)
        done += len(updates)
        last_id = rows[-1][0]
        if progress is not None:
            progress(done)
    seconds = time.perf_counter() - started
    logger.info("vault: rotated to key version %s, %s data keys rewrapped in %.1f s", new_version, done, seconds)
    return RotationResult(new_version=new_version, rewrapped=done, seconds=seconds)


def retire_key_version(version: int) -> None:
    """Erase KEK ``version`` from the keyring once no live data key is wrapped by it (SP 800-57 8.3.4)."""
    remaining = DataKey.objects.filter(kek_version=version, wrapped__isnull=False).count()
    if remaining:
        raise VaultError(
            VaultErrorCode.RETIRE_REFUSED,
            f"{remaining} data key(s) are still wrapped by version {version}; run `recordroom keys rotate`",
        )
    get_keyring().retire(version)
    logger.info("vault: key version %s retired", version)


def key_status() -> dict[str, Any]:
    """The keyring's versions with the number of live data keys each wraps (no key material)."""
    keyring = get_keyring()
    versions = keyring.versions()
    return {
        "keyring_id": keyring.keyring_id,
        "active_version": keyring.active_version,
        "versions": [
            {
                "version": number,
                "retired_at": retired_at,
                "data_keys": DataKey.objects.filter(kek_version=number, wrapped__isnull=False).count(),
            }
            for number, retired_at in versions.items()
        ],
        "destroyed_data_keys": DataKey.objects.filter(wrapped__isnull=True).count(),
    }


@transaction.atomic
def destroy_data_key(*, subject_id: uuid.UUID | str) -> bool:
    """Crypto-shred a subject: destroy their data key, so every ciphertext sealed under it (fields and
    document blobs) is unrecoverable (NIST SP 800-88 Rev. 1, 2.5 cryptographic erase).

    Returns False if the key was already destroyed or never existed. On SQLite the freed bytes are
    overwritten (``secure_delete``) and the write-ahead log is truncated after commit. Backups made before
    the shred still hold the wrapped key until they expire (docs/security/encryption.md).
    """
    subject = _as_subject(subject_id)
    _cache.discard(subject)
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")
    changed = DataKey.objects.filter(subject=subject, wrapped__isnull=False).update(
        wrapped=None, destroyed_at=clock.now()
    )

    def after_commit() -> None:
        _cache.discard(subject)
        if sqlite:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    transaction.on_commit(after_commit)
    if changed:
        logger.info("vault: data key of subject %s destroyed (crypto-shredding)", subject)
    return changed == 1
