"""vault.services.documents: encrypted, content-addressed, streamed, and every corruption named."""

from __future__ import annotations

import io
import uuid

import pytest

from recordroom.vault.errors import VaultError, VaultErrorCode
from recordroom.vault.models import Blob
from recordroom.vault.services import open_document, put_document, read_document, verify_document
from recordroom.vault.services.documents import document_store

pytestmark = pytest.mark.django_db

BODY = b"Discharge summary: the patient recovered well. " * 3000


def test_body_is_stored_encrypted_and_read_back():
    subject = uuid.uuid4()
    stored = put_document(io.BytesIO(BODY), subject_id=subject)
    path = document_store().path_for(stored.address)
    raw = path.read_bytes()
    assert b"Discharge" not in raw
    assert path.stat().st_mode & 0o077 == 0
    assert stored.size == len(BODY)
    assert read_document(stored.address) == BODY
    assert verify_document(stored.address) == stored
    blob = Blob.objects.get(address=stored.address)
    assert blob.sha256 == stored.sha256
    assert stored.sha256 not in repr(Blob.objects.values().get())


def test_same_body_same_subject_is_kept_once_and_other_subjects_get_their_own():
    subject = uuid.uuid4()
    first = put_document(BODY, subject_id=subject)
    again = put_document([BODY[:100], BODY[100:]], subject_id=subject)
    other = put_document(BODY, subject_id=uuid.uuid4())
    assert first.address == again.address
    assert other.address != first.address
    assert Blob.objects.count() == 2
    assert len(list(document_store().addresses())) == 2
    assert not list((document_store().root / "tmp").iterdir())


def test_large_body_streams_in_chunks():
    subject = uuid.uuid4()
    stored = put_document((bytes([i]) * (1 << 20) for i in range(6)), subject_id=subject)
    chunks = list(open_document(stored.address))
    assert stored.size == 6 << 20
    assert len(chunks) > 6
    assert max(len(c) for c in chunks) <= 1 << 16


@pytest.mark.parametrize("offset", [2, 40, 200, 5000, -5])
def test_flipped_byte_anywhere_in_a_blob_is_named(offset):
    stored = put_document(BODY, subject_id=uuid.uuid4())
    path = document_store().path_for(stored.address)
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(VaultError) as caught:
        read_document(stored.address)
    assert caught.value.code is VaultErrorCode.BLOB_CORRUPT
    assert stored.address in str(caught.value)
    assert Blob.objects.filter(address=stored.address).count() == 1


def test_truncated_blob_is_named():
    stored = put_document(BODY, subject_id=uuid.uuid4())
    path = document_store().path_for(stored.address)
    path.write_bytes(path.read_bytes()[:70000])
    with pytest.raises(VaultError) as caught:
        read_document(stored.address)
    assert caught.value.code is VaultErrorCode.BLOB_CORRUPT


def test_blob_swapped_for_another_of_the_same_subject_is_named():
    subject = uuid.uuid4()
    first = put_document(b"first body", subject_id=subject)
    second = put_document(b"second body", subject_id=subject)
    store = document_store()
    store.path_for(first.address).write_bytes(store.path_for(second.address).read_bytes())
    with pytest.raises(VaultError) as caught:
        read_document(first.address)
    assert caught.value.code is VaultErrorCode.BLOB_CORRUPT
    assert read_document(second.address) == b"second body"


def test_missing_blob_is_named():
    stored = put_document(BODY, subject_id=uuid.uuid4())
    document_store().path_for(stored.address).unlink()
    with pytest.raises(VaultError) as caught:
        read_document(stored.address)
    assert caught.value.code is VaultErrorCode.BLOB_NOT_FOUND
    with pytest.raises(VaultError) as unknown:
        read_document("0" * 64)
    assert unknown.value.code is VaultErrorCode.BLOB_NOT_FOUND
