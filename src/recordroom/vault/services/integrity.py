"""Integrity checks of a database and its document store: row counts, every data key against the keyring,
every blob against its hashes, and the checks other apps register in ``RECORDROOM_BACKUP_CHECKS`` (the audit
chain). ``backup verify`` runs them in a separate process against the restored copy (HIPAA
164.308(a)(7)(ii)(D) testing of backups; 164.312(c)(2) mechanism to authenticate ePHI).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils.module_loading import import_string

from recordroom.vault.errors import VaultError
from recordroom.vault.models import Blob, DataKey
from recordroom.vault.services.documents import document_store, verify_document
from recordroom.vault.services.keys import unwrap_data_key


def _row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def _check_data_keys() -> tuple[bool, str]:

    checked = 0
    for subject, version, wrapped in (
        DataKey.objects.filter(wrapped__isnull=False)
        .values_list("subject", "kek_version", "wrapped")
        .iterator(chunk_size=5000)
    ):
        try:
            unwrap_data_key(version, bytes(wrapped or b""), subject)
        except VaultError as exc:
            return False, f"data key of subject {subject}: {exc}"
        checked += 1
    return True, f"{checked} data keys open with the keyring"


def _check_blobs() -> tuple[bool, str]:
    store = document_store()
    checked = 0
    for blob in Blob.objects.order_by("id").iterator(chunk_size=500):
        try:
            with store.open(blob.address) as handle:
                digest = hashlib.sha256()
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
            if digest.hexdigest() != blob.ciphertext_sha256:
                return False, f"blob {blob.address} does not match its ciphertext hash"
            if DataKey.objects.filter(subject=blob.subject, wrapped__isnull=False).exists():
                verify_document(blob.address)
        except VaultError as exc:
            return False, str(exc)
        checked += 1
    return True, f"{checked} document blobs intact"


def run_integrity_checks(extra: list[str] | None = None) -> dict[str, Any]:
    """Check the configured database: row counts, every data key against the keyring, every blob, and the
    callables named in ``extra`` (default ``RECORDROOM_BACKUP_CHECKS``), each returning (ok, message)."""
    checks: list[dict[str, Any]] = []
    for name, check in (("vault.data_keys", _check_data_keys), ("vault.blobs", _check_blobs)):
        ok, message = check()
        checks.append({"name": name, "ok": ok, "message": message})
    for dotted in settings.RECORDROOM_BACKUP_CHECKS if extra is None else extra:
        try:
            ok, message = import_string(dotted)()
        except Exception as exc:  # noqa: BLE001  (a broken check is a failed check, named)
            ok, message = False, f"raised {type(exc).__name__}"
        checks.append({"name": dotted, "ok": bool(ok), "message": str(message)})
    return {"ok": all(c["ok"] for c in checks), "row_counts": _row_counts(), "checks": checks}


# ------------------------------------------------------------------ restore for real
