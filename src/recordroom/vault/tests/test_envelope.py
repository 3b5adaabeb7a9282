"""vault.envelope: sealed values and sealed streams detect every kind of damage."""

from __future__ import annotations

import io
import tracemalloc

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from recordroom.vault.envelope import (
    STREAM_HEADER_BYTES,
    TAG_BYTES,
    StreamSealer,
    new_key,
    open_stream,
    open_value,
    seal_value,
)
from recordroom.vault.errors import VaultError, VaultErrorCode

AAD = b"table.column|row"


def test_sealed_value_opens_with_the_same_key_and_aad():
    aead = AESGCM(new_key())
    sealed = seal_value(aead, b"Jane Doe", AAD)
    assert b"Jane Doe" not in sealed
    assert sealed[0] == 1
    assert len(sealed) == 1 + 12 + len(b"Jane Doe") + TAG_BYTES
    assert open_value(aead, sealed, AAD) == b"Jane Doe"


def test_two_seals_of_one_value_differ():
    aead = AESGCM(new_key())
    assert seal_value(aead, b"x", AAD) != seal_value(aead, b"x", AAD)


@pytest.mark.parametrize(
    ("damage", "code"),
    [
        (lambda s: s[:10], VaultErrorCode.CIPHERTEXT_TRUNCATED),
        (lambda s: s[:-1], VaultErrorCode.CIPHERTEXT_TAMPERED),
        (lambda s: s[:20] + bytes([s[20] ^ 1]) + s[21:], VaultErrorCode.CIPHERTEXT_TAMPERED),
        (lambda s: b"\x02" + s[1:], VaultErrorCode.CIPHERTEXT_FORMAT),
    ],
)
def test_damaged_value_is_named(damage, code):
    aead = AESGCM(new_key())
    sealed = seal_value(aead, b"123-45-6789", AAD)
    with pytest.raises(VaultError) as caught:
        open_value(aead, damage(sealed), AAD)
    assert caught.value.code is code
    assert "123-45-6789" not in str(caught.value)


def test_value_moved_to_another_row_fails():
    aead = AESGCM(new_key())
    sealed = seal_value(aead, b"secret", b"t.c|row-1")
    with pytest.raises(VaultError) as caught:
        open_value(aead, sealed, b"t.c|row-2")
    assert caught.value.code is VaultErrorCode.CIPHERTEXT_TAMPERED


def _sealed_stream(data: bytes, key: bytes, chunk: int = 16) -> bytes:
    out = io.BytesIO()
    sealer = StreamSealer(out, key, info=b"test", aad=b"subject", chunk_size=chunk)
    for start in range(0, len(data), 7):
        sealer.write(data[start : start + 7])
    sealer.close()
    return out.getvalue()


def _open(blob: bytes, key: bytes) -> bytes:
    return b"".join(open_stream(io.BytesIO(blob), key, info=b"test", aad=b"subject"))


@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, 32, 100])
def test_stream_round_trips_at_every_chunk_boundary(size):
    key = new_key()
    data = bytes(range(256))[:size] if size <= 256 else b""
    assert _open(_sealed_stream(data, key), key) == data


def test_stream_truncated_at_a_chunk_boundary_is_detected():
    key = new_key()
    blob = _sealed_stream(b"a" * 64, key)
    cut = STREAM_HEADER_BYTES + 2 * (16 + TAG_BYTES)
    with pytest.raises(VaultError) as caught:
        _open(blob[:cut], key)
    assert caught.value.code is VaultErrorCode.CIPHERTEXT_TAMPERED


def test_stream_with_reordered_chunks_is_detected():
    key = new_key()
    blob = _sealed_stream(b"a" * 16 + b"b" * 16 + b"c", key)
    size = 16 + TAG_BYTES
    first = blob[STREAM_HEADER_BYTES : STREAM_HEADER_BYTES + size]
    second = blob[STREAM_HEADER_BYTES + size : STREAM_HEADER_BYTES + 2 * size]
    swapped = blob[:STREAM_HEADER_BYTES] + second + first + blob[STREAM_HEADER_BYTES + 2 * size :]
    with pytest.raises(VaultError):
        _open(swapped, key)


def test_stream_with_bytes_appended_is_detected():
    key = new_key()
    with pytest.raises(VaultError):
        _open(_sealed_stream(b"abc", key) + b"\x00" * 20, key)


def test_stream_with_a_wrong_key_or_subject_is_detected():
    key = new_key()
    blob = _sealed_stream(b"abc", key)
    with pytest.raises(VaultError):
        _open(blob, new_key())
    with pytest.raises(VaultError):
        b"".join(open_stream(io.BytesIO(blob), key, info=b"test", aad=b"another subject"))


class _Discard:
    def __init__(self):
        self.written = 0

    def write(self, data):
        self.written += len(data)
        return len(data)


def test_stream_uses_memory_of_one_chunk_not_of_the_body():
    key = new_key()
    sink = _Discard()
    tracemalloc.start()
    try:
        sealer = StreamSealer(sink, key, info=b"test", chunk_size=1 << 16)
        block = b"x" * (1 << 20)
        for _ in range(8):
            sealer.write(block)
        sealer.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sink.written > 8 << 20
    assert peak < 3 << 20  # the 1 MiB block written, plus one chunk: not the 8 MiB body
