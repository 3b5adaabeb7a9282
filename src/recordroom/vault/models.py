"""The vault's tables: wrapped data keys, name-search tokens and the index of encrypted blobs.

Nothing here holds plaintext PHI (DESIGN.md invariant 3): data keys are stored wrapped by a key that lives
outside the database, search tokens are keyed HMACs, and a blob's plaintext digest is itself sealed.
"""

from __future__ import annotations

from django.db import models

from recordroom.core import clock
from recordroom.vault.fields import EncryptedTextField


class DataKey(models.Model):
    """One subject's (patient's) data key, wrapped by key-encryption key ``kek_version``.

    ``wrapped`` is NULL once the key is destroyed (crypto-shredding, NIST SP 800-88 Rev. 1 "cryptographic
    erase"): every ciphertext of the subject is then unrecoverable. The row stays as the record of when.
    """

    subject = models.UUIDField(unique=True)
    kek_version = models.PositiveIntegerField()
    wrapped = models.BinaryField(null=True)
    created_at = models.DateTimeField(default=clock.now)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["kek_version"], name="vault_datakey_version")]

    def __str__(self) -> str:
        return f"data key {self.subject} (v{self.kek_version})"

    def is_destroyed(self) -> bool:
        return self.wrapped is None


class SearchToken(models.Model):
    """A blind-index token of one row's name (exact or phonetic) for search without decryption.

    ``scope`` names the indexed column (e.g. ``patients.patient.name``); ``row_id`` is the row's public id.
    """

    scope = models.CharField(max_length=80)
    row_id = models.UUIDField()
    digest = models.CharField(max_length=32)
    phonetic = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["scope", "digest"], name="vault_token_lookup"),
            models.Index(fields=["scope", "row_id"], name="vault_token_row"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} token of {self.row_id}"


class Blob(models.Model):
    """An encrypted document body in the store, addressed by a keyed hash of its content.

    ``ciphertext_sha256`` lets a backup or a scrub find a damaged file without any key; ``sha256`` (of the
    plaintext, sealed to the subject) proves a decrypted body is the one stored (HIPAA 164.312(c)(2)).
    """

    address = models.CharField(max_length=64, unique=True)
    subject = models.UUIDField(db_index=True)
    size = models.BigIntegerField()
    ciphertext_sha256 = models.CharField(max_length=64)
    sha256 = EncryptedTextField(subject_field="subject", row_field="address")
    created_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"blob {self.address[:12]}"
