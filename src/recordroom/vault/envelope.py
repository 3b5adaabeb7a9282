"""AES-256-GCM formats (NIST SP 800-38D; FIPS 197): sealed values and sealed streams.

A *sealed value* is ``0x01 | nonce (12) | ciphertext | tag (16)``. The associated data (AAD) names where
the value belongs (table, column, row, subject), so a ciphertext copied to another row, column or patient
fails authentication (HIPAA 164.312(c)(1) integrity, (a)(2)(iv) encryption).

A *sealed stream* (document blobs, backups) is a header followed by chunks of at most ``chunk_size``
plaintext bytes, each sealed with a nonce ``prefix (7) | counter (4) | last (1)`` under a key derived for
that stream alone (HKDF-SHA256, RFC 5869, with a random 32-byte salt in the header). The counter stops
reordering, the ``last`` flag stops truncation, and the header is bound into every chunk's AAD: the
construction of Hoang, Reyhanitabar, Rogaway and Vizár's STREAM ("Online authenticated-encryption and its
nonce-reuse misuse-resistance", CRYPTO 2015), as used by Tink's streaming AEAD.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Iterator
from typing import BinaryIO, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from recordroom.vault.errors import VaultError, VaultErrorCode

VALUE_FORMAT = 1
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = 32
_VALUE_OVERHEAD = 1 + NONCE_BYTES + TAG_BYTES

STREAM_MAGIC = b"RRS1"
DEFAULT_CHUNK = 1 << 16
_STREAM_HEADER = struct.Struct(">4sI32s7s")  # magic, chunk size, HKDF salt, nonce prefix
STREAM_HEADER_BYTES = _STREAM_HEADER.size


class Sink(Protocol):
    def write(self, data: bytes, /) -> int: ...


def new_key() -> bytes:
    """A fresh 256-bit key from the operating system's CSPRNG (NIST SP 800-90A via os.urandom)."""
    return os.urandom(KEY_BYTES)


def seal_value(aead: AESGCM, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt ``plaintext`` bound to ``aad``. A random 96-bit nonce per value: with a key per patient the
    2^32-invocation bound of SP 800-38D 8.3 is never near."""
    nonce = os.urandom(NONCE_BYTES)
    return b"\x01" + nonce + aead.encrypt(nonce, plaintext, aad)


def open_value(aead: AESGCM, sealed: bytes, aad: bytes) -> bytes:
    """Decrypt a sealed value; a short, unknown-format or altered one raises a named :class:`VaultError`."""
    if len(sealed) < _VALUE_OVERHEAD:
        raise VaultError(VaultErrorCode.CIPHERTEXT_TRUNCATED, "the sealed value is shorter than its header")
    if sealed[0] != VALUE_FORMAT:
        raise VaultError(VaultErrorCode.CIPHERTEXT_FORMAT, f"unknown sealed-value format {sealed[0]}")
    try:
        return aead.decrypt(sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :], aad)
    except InvalidTag:
        raise VaultError(
            VaultErrorCode.CIPHERTEXT_TAMPERED,
            "the sealed value failed authentication: altered, truncated, or moved from another row",
        ) from None


def _stream_key(key: bytes, salt: bytes, info: bytes) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=info).derive(key)
    return AESGCM(derived)


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", counter) + (b"\x01" if last else b"\x00")


class StreamSealer:
    """Writes a sealed stream to ``sink``: call :meth:`write` any number of times, then :meth:`close`.

    Holds at most one chunk of plaintext in memory, so a 200 MB scan never sits whole in memory.
    """

    def __init__(
        self, sink: Sink, key: bytes, *, info: bytes, aad: bytes = b"", chunk_size: int = DEFAULT_CHUNK
    ) -> None:
        salt, prefix = os.urandom(32), os.urandom(7)
        self._header = _STREAM_HEADER.pack(STREAM_MAGIC, chunk_size, salt, prefix)
        self._aead = _stream_key(key, salt, info)
        self._prefix = prefix
        self._aad = hashlib.sha256(self._header + aad).digest()
        self._sink = sink
        self._chunk = chunk_size
        self._buffer = bytearray()
        self._counter = 0
        self.plaintext_sha256 = hashlib.sha256()
        self.plaintext_size = 0
        sink.write(self._header)

    def write(self, data: bytes) -> int:
        self.plaintext_sha256.update(data)
        self.plaintext_size += len(data)
        self._buffer += data
        # Keep at least one byte back so the final chunk (flagged last) is never empty unless the stream is.
        while len(self._buffer) > self._chunk:
            self._emit(bytes(self._buffer[: self._chunk]), last=False)
            del self._buffer[: self._chunk]
        return len(data)

    def _emit(self, chunk: bytes, *, last: bool) -> None:
        if self._counter >= 0xFFFFFFFF:
            raise VaultError(VaultErrorCode.CIPHERTEXT_FORMAT, "the stream is longer than its counter allows")
        self._sink.write(self._aead.encrypt(_nonce(self._prefix, self._counter, last), chunk, self._aad))
        self._counter += 1

    def close(self) -> None:
        self._emit(bytes(self._buffer), last=True)
        self._buffer.clear()


def open_stream(
    source: BinaryIO,
    key: bytes,
    *,
    info: bytes,
    aad: bytes = b"",
    error: VaultErrorCode = VaultErrorCode.CIPHERTEXT_TAMPERED,
    what: str = "stream",
) -> Iterator[bytes]:
    """Yield the plaintext chunks of a sealed stream, each authenticated before it is yielded.

    A bad header, an altered, reordered or missing chunk, a missing final chunk or bytes after it raise a
    :class:`VaultError` with ``error`` as its code.
    """
    header = source.read(STREAM_HEADER_BYTES)
    if len(header) != STREAM_HEADER_BYTES:
        raise VaultError(error, f"the {what} is shorter than its header")
    magic, chunk_size, salt, prefix = _STREAM_HEADER.unpack(header)
    if magic != STREAM_MAGIC or not 0 < chunk_size <= 1 << 24:
        raise VaultError(error, f"the {what} header is not a Recordroom sealed stream")
    aead = _stream_key(key, salt, info)
    bound = hashlib.sha256(header + aad).digest()
    counter = 0
    sealed_size = chunk_size + TAG_BYTES
    pending = source.read(sealed_size)
    while True:
        following = source.read(sealed_size) if len(pending) == sealed_size else b""
        last = not following
        if len(pending) < TAG_BYTES:
            raise VaultError(error, f"the {what} ends before its final chunk (truncated)")
        try:
            chunk = aead.decrypt(_nonce(prefix, counter, last), pending, bound)
        except InvalidTag:
            raise VaultError(
                error, f"chunk {counter} of the {what} failed authentication (altered or truncated)"
            ) from None
        yield chunk
        if last:
            return
        counter += 1
        pending = following
