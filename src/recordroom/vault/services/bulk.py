"""Opening the sealed columns of many rows at once (batch jobs such as duplicate detection).

Opening a row's fields one attribute at a time looks each row's data key up in its own query; a batch over
the whole master patient index would make one query per patient. :func:`open_columns` reads the rows and
their wrapped data keys in one streamed query (the caller's queryset joined to the data-key table),
unwraps each key once and opens every asked column with the same AAD (table, column, row, subject) the
fields seal with, so nothing is weakened: a moved or altered ciphertext still fails authentication (HIPAA
164.312(a)(2)(iv) and (c)(1)). Plaintext stays in the returned Python objects only; nothing is written or
logged. A subject whose key was destroyed (crypto-shredded, NIST SP 800-88 Rev. 1, 2.5) is skipped and
counted, never an error: its record is gone.

Keys unwrapped here are not put into the shared key cache, so a batch over a large index does not evict
the keys of the people being worked on right now.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import connections, models

from recordroom.vault.envelope import NONCE_BYTES, TAG_BYTES, VALUE_FORMAT
from recordroom.vault.errors import VaultError, VaultErrorCode
from recordroom.vault.fields import EncryptedField
from recordroom.vault.keyring import get_keyring
from recordroom.vault.models import DataKey
from recordroom.vault.services.keys import _VALUE_AAD, _WRAP_AAD, unwrap_data_key

logger = logging.getLogger(__name__)
DEFAULT_CHUNK = 5000


@dataclass
class OpenedColumns:
    """The opened rows (``row_field`` value as text, the clear values, then one plaintext per asked column,
    ``None`` where empty) and how many rows were skipped because their data key is destroyed or missing."""

    rows: list[tuple[Any, ...]] = field(default_factory=list)
    skipped: int = 0


def _uuid_parts(value: Any) -> tuple[bytes, str]:
    """A UUID column as read by the driver (a ``UUID`` from psycopg, 32 hex digits from SQLite): its 16
    bytes and its canonical text (what the fields bind into the AAD)."""
    if isinstance(value, str) and len(value) == 32:  # SQLite's char(32): no UUID object needed
        text = value.lower()
        return bytes.fromhex(text), f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
    parsed = value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    return parsed.bytes, str(parsed)


def _unwrap(version: int, wrapped: bytes, subject: bytes) -> AESGCM:
    try:
        return AESGCM(get_keyring().unwrap(version, wrapped, _WRAP_AAD + subject))
    except VaultError as exc:
        if exc.code is not VaultErrorCode.UNKNOWN_KEY_VERSION:
            raise
    return AESGCM(unwrap_data_key(version, wrapped, uuid.UUID(bytes=subject)))  # rotated meanwhile: reload


def _open(aead: AESGCM, sealed: bytes, aad: bytes, where: str, subject: str) -> bytes:
    if len(sealed) < 1 + NONCE_BYTES + TAG_BYTES or sealed[0] != VALUE_FORMAT:
        code = VaultErrorCode.CIPHERTEXT_TRUNCATED if len(sealed) < 2 else VaultErrorCode.CIPHERTEXT_FORMAT
        logger.warning("vault: %s opening %s of subject %s", code.value, where, subject)
        raise VaultError(code, "a sealed value is shorter than its header or of an unknown format")
    try:
        return aead.decrypt(sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :], aad)
    except InvalidTag:
        code = VaultErrorCode.CIPHERTEXT_TAMPERED
        logger.warning("vault: %s opening %s of subject %s", code.value, where, subject)
        raise VaultError(
            code, "the sealed value failed authentication: altered, truncated, or moved from another row"
        ) from None


def _fields(model: type[models.Model], columns: Sequence[str]) -> list[EncryptedField]:
    fields: list[EncryptedField] = []
    for name in columns:
        candidate = model._meta.get_field(name)
        if not isinstance(candidate, EncryptedField):
            raise VaultError(VaultErrorCode.PLAINTEXT_QUERY_REFUSED, f"{model._meta.label}.{name} is not sealed")
        fields.append(candidate)
    if any(f.subject_field != fields[0].subject_field or f.row_field != fields[0].row_field for f in fields):
        raise VaultError(VaultErrorCode.DATA_KEY_MISSING, "the columns are sealed under different subjects")
    return fields


def open_columns(
    query: models.QuerySet[Any, Any],
    columns: Sequence[str],
    *,
    clear: Sequence[str] = (),
    decode: bool = True,
    chunk_size: int = DEFAULT_CHUNK,
) -> OpenedColumns:
    """Open ``columns`` (encrypted fields of ``query``'s model) for every row of ``query``.

    Each returned row is ``(row id, *clear values, *opened values)``: the row id is the fields'
    ``row_field`` (``public_id``) as text, the ``clear`` columns (not sealed: keys, codes, blind indexes)
    come as the driver reads them, and each opened value is what the field's attribute would return, or,
    with ``decode=False``, the plaintext as UTF-8 text (dates as ISO 8601, JSON as its text: cheaper when
    the caller hands them on to a columnar engine). Raises :class:`VaultError` if a column is not an
    encrypted field, the fields disagree on their subject or row field, or a ciphertext fails
    authentication (an integrity problem must stop a batch, not be skipped).
    """
    if not columns:
        return OpenedColumns()
    model = query.model
    fields = _fields(model, columns)
    meta = model._meta
    subject_column = str(cast("models.Field[Any, Any]", meta.get_field(fields[0].subject_field)).column)
    values = query.values_list(fields[0].subject_field, fields[0].row_field, *clear, *columns)
    inner, params = values.query.sql_with_params()
    connection = connections[query.db]
    quote = connection.ops.quote_name
    keys = DataKey._meta
    version_column, wrapped_column, key_subject = (
        quote(str(cast("models.Field[Any, Any]", keys.get_field(name)).column))
        for name in ("kek_version", "wrapped", "subject")
    )
    # Quoted model names only; the inner query and its parameters are Django's own.
    sql = f"SELECT q.*, k.{version_column}, k.{wrapped_column} FROM ({inner}) q "  # noqa: S608
    sql += f"LEFT JOIN {quote(keys.db_table)} k ON k.{key_subject} = q.{quote(subject_column)}"
    prefixes = [f"{meta.db_table}.{f.column}|" for f in fields]
    labels = [f.label for f in fields]
    decoders = [f.from_bytes for f in fields]
    skip = 2 + len(clear)
    result = OpenedColumns()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while True:
            chunk = cursor.fetchmany(chunk_size)
            if not chunk:
                break
            for row in chunk:
                version, wrapped = row[-2], row[-1]
                if wrapped is None:
                    result.skipped += 1
                    continue
                subject, subject_text = _uuid_parts(row[0])
                aead = _unwrap(int(version), bytes(wrapped), subject)
                _, row_text = _uuid_parts(row[1])
                aad_prefix = _VALUE_AAD + subject
                opened: list[Any] = [row_text, *row[2:skip]]
                for position, sealed in enumerate(row[skip:-2]):
                    if sealed is None:
                        opened.append(None)
                        continue
                    aad = aad_prefix + (prefixes[position] + row_text).encode()
                    try:  # the common case inline (one call per value); anything unusual goes to _open
                        plain = aead.decrypt(sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :], aad)
                        if sealed[0] != VALUE_FORMAT:
                            raise InvalidTag
                    except (InvalidTag, ValueError):
                        plain = _open(aead, bytes(sealed), aad, labels[position], subject_text)
                    opened.append(decoders[position](plain) if decode else plain.decode("utf-8"))
                result.rows.append(tuple(opened))
    if result.skipped:
        logger.info("vault: %s row(s) skipped in a bulk read: data key destroyed or missing", result.skipped)
    return result


__all__ = ["OpenedColumns", "open_columns"]
