"""Document bodies in the encrypted store: put, stream out, verify (HIPAA 164.312(a)(2)(iv) encryption,
164.312(c)(2) mechanism to authenticate ePHI: SHA-256 of the plaintext, FIPS 180-4, checked on every read).

A body is read from a stream in chunks and written sealed chunk by chunk, so memory use does not grow with
its size; the address is known only at the end (a keyed digest of the subject and the plaintext SHA-256).
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings

from recordroom.vault.blind_index import address_digest
from recordroom.vault.blobs import BlobStore, blob_header, read_blob_header
from recordroom.vault.envelope import StreamSealer, new_key, open_stream
from recordroom.vault.errors import VaultError, VaultErrorCode
from recordroom.vault.models import Blob
from recordroom.vault.services.keys import seal, unseal

READ_SIZE = 1 << 20
_STREAM_INFO = b"recordroom blob/1"
_KEY_CONTEXT = "vault.blob.content_key"


class _HashingWriter:
    """Passes writes on to a file and keeps the SHA-256 of what went through (the ciphertext)."""

    def __init__(self, sink: BinaryIO) -> None:
        self.sink = sink
        self.sha256 = hashlib.sha256()

    def write(self, data: bytes, /) -> int:
        self.sha256.update(data)
        return self.sink.write(data)


@dataclass(frozen=True)
class StoredDocument:
    address: str
    size: int
    sha256: str


def document_store() -> BlobStore:
    return BlobStore(settings.RECORDROOM_DOCUMENT_STORE)


def _chunks(body: BinaryIO | Iterable[bytes] | bytes) -> Iterator[bytes]:
    if isinstance(body, bytes | bytearray | memoryview):
        yield bytes(body)
        return
    read = getattr(body, "read", None)
    if read is None:
        yield from body
        return
    while True:
        chunk = read(READ_SIZE)
        if not chunk:
            return
        yield chunk


def put_document(body: BinaryIO | Iterable[bytes] | bytes, *, subject_id: uuid.UUID) -> StoredDocument:
    """Store a document body sealed to ``subject_id``; the same body stored twice for one subject is kept
    once. Returns its address, size and plaintext SHA-256."""
    store = document_store()
    content_key = new_key()
    sealed_key = seal(content_key, subject_id=subject_id, context=_KEY_CONTEXT)
    with store.writing() as (temporary, handle):
        sink = _HashingWriter(handle)
        sink.write(blob_header(sealed_key))
        sealer = StreamSealer(sink, content_key, info=_STREAM_INFO, aad=subject_id.bytes)
        for chunk in _chunks(body):
            sealer.write(chunk)
        sealer.close()
        plaintext_sha256 = sealer.plaintext_sha256.hexdigest()
        address = address_digest(subject_id.bytes + bytes.fromhex(plaintext_sha256))
        existing = Blob.objects.filter(address=address).first()
        if existing is not None and store.exists(address):
            return StoredDocument(address=address, size=existing.size, sha256=plaintext_sha256)
        store.commit(handle, temporary, address)
    Blob.objects.update_or_create(
        address=address,
        defaults={
            "subject": subject_id,
            "size": sealer.plaintext_size,
            "ciphertext_sha256": sink.sha256.hexdigest(),
            "sha256": plaintext_sha256,
        },
    )
    return StoredDocument(address=address, size=sealer.plaintext_size, sha256=plaintext_sha256)


def _blob(address: str) -> Blob:
    blob = Blob.objects.filter(address=address).first()
    if blob is None:
        raise VaultError(VaultErrorCode.BLOB_NOT_FOUND, f"blob {address} is not in the store")
    return blob


def open_document(address: str) -> Iterator[bytes]:
    """Stream a document body. Every chunk is authenticated before it is yielded; at the end the SHA-256
    and size are compared with the stored ones. Any damage raises ``blob_corrupt`` naming the address."""
    blob = _blob(address)
    expected = blob.sha256
    with document_store().open(address) as handle:
        sealed_key = read_blob_header(handle, address)
        try:
            content_key = unseal(sealed_key, subject_id=blob.subject, context=_KEY_CONTEXT)
        except VaultError as exc:
            if exc.code is VaultErrorCode.CIPHERTEXT_TAMPERED:
                raise VaultError(
                    VaultErrorCode.BLOB_CORRUPT, f"the key header of blob {address} failed authentication"
                ) from None
            raise
        digest, size = hashlib.sha256(), 0
        for chunk in open_stream(
            handle,
            content_key,
            info=_STREAM_INFO,
            aad=blob.subject.bytes,
            error=VaultErrorCode.BLOB_CORRUPT,
            what=f"blob {address}",
        ):
            digest.update(chunk)
            size += len(chunk)
            yield chunk
    if size != blob.size or not hmac.compare_digest(digest.hexdigest(), expected):
        raise VaultError(VaultErrorCode.BLOB_CORRUPT, f"blob {address} does not match its recorded SHA-256 and size")


def read_document(address: str) -> bytes:
    """A whole document body in memory: for small bodies; stream big ones with :func:`open_document`."""
    return b"".join(open_document(address))


def verify_document(address: str) -> StoredDocument:
    """Decrypt a stored body without keeping it, proving it intact; returns its size and SHA-256."""
    for _chunk in open_document(address):
        pass
    blob = _blob(address)
    return StoredDocument(address=address, size=blob.size, sha256=blob.sha256)
