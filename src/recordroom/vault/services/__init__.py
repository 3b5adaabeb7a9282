"""The vault services: the only code that creates, uses, rotates or destroys keys, and that writes the
document store and backups (STYLE R2). Split by topic; import from here."""

from recordroom.vault.services.backups import (
    BackupResult,
    VerifyResult,
    create_backup,
    restore_backup,
    verify_backup,
)
from recordroom.vault.services.bulk import OpenedColumns, open_columns
from recordroom.vault.services.documents import (
    StoredDocument,
    open_document,
    put_document,
    read_document,
    verify_document,
)
from recordroom.vault.services.integrity import run_integrity_checks
from recordroom.vault.services.keys import (
    RotationResult,
    clear_key_cache,
    create_data_keys,
    destroy_data_key,
    ensure_data_key,
    field_context,
    key_status,
    retire_key_version,
    rotate_keys,
    seal,
    unseal,
)
from recordroom.vault.services.search import NameMatch, forget_name, index_name, search_name

__all__ = [
    "BackupResult",
    "NameMatch",
    "OpenedColumns",
    "RotationResult",
    "StoredDocument",
    "VerifyResult",
    "clear_key_cache",
    "create_backup",
    "create_data_keys",
    "destroy_data_key",
    "ensure_data_key",
    "field_context",
    "forget_name",
    "index_name",
    "key_status",
    "open_columns",
    "open_document",
    "put_document",
    "read_document",
    "restore_backup",
    "retire_key_version",
    "rotate_keys",
    "run_integrity_checks",
    "seal",
    "search_name",
    "unseal",
    "verify_backup",
    "verify_document",
]
