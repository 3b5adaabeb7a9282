"""Errors raised by the vault, with a stable code per problem (STYLE R14/R15).

Messages name the problem and the object (a subject id, a key version, a blob address, a file) and never
carry a plaintext value, a key or a ciphertext (DESIGN.md invariant 3).
"""

from __future__ import annotations

from enum import StrEnum

from recordroom.core.errors import RecordroomError


class VaultErrorCode(StrEnum):
    KEYRING_MISSING = "keyring_missing"
    KEYRING_INVALID = "keyring_invalid"
    KEYRING_PERMISSIONS = "keyring_permissions"
    UNKNOWN_KEY_VERSION = "unknown_key_version"
    KEY_VERSION_RETIRED = "key_version_retired"
    RETIRE_REFUSED = "retire_refused"
    WRONG_KEY = "wrong_key"
    DATA_KEY_MISSING = "data_key_missing"
    DATA_KEY_DESTROYED = "data_key_destroyed"
    CIPHERTEXT_TRUNCATED = "ciphertext_truncated"
    CIPHERTEXT_FORMAT = "ciphertext_format"
    CIPHERTEXT_TAMPERED = "ciphertext_tampered"
    PLAINTEXT_QUERY_REFUSED = "plaintext_query_refused"
    INVALID_INDEX_VALUE = "invalid_index_value"
    BLOB_NOT_FOUND = "blob_not_found"
    BLOB_CORRUPT = "blob_corrupt"
    BACKUP_FORMAT = "backup_format"
    BACKUP_WRONG_KEY = "backup_wrong_key"
    BACKUP_CORRUPT = "backup_corrupt"
    BACKUP_CHECK_FAILED = "backup_check_failed"
    BACKUP_PASSPHRASE = "backup_passphrase"  # noqa: S105  (an error code, not a credential)
    BACKUP_TOOL_FAILED = "backup_tool_failed"
    RESTORE_REFUSED = "restore_refused"
    TLS_CONFIG = "tls_config"


class VaultError(RecordroomError[VaultErrorCode]):
    """An error of this app; ``code`` is stable, ``message`` is for people."""

    def __str__(self) -> str:
        return f"{self.message} [{self.code.value}]"
