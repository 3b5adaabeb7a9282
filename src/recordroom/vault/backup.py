"""The backup archive format: one file, encrypted whole, with a manifest of hashes (HIPAA 164.308(a)(7)(ii)(A)
data backup plan, (B) disaster recovery plan; 164.312(a)(2)(iv) encryption).

Layout::

    b"RRBACKUP" | header length (4) | header JSON | SHA-256 of the three before (32) | sealed stream

The header (no secrets, no PHI) carries the scrypt parameters (RFC 7914) and the archive key wrapped by the
passphrase-derived key (AES-256-GCM). The sealed stream (:mod:`recordroom.vault.envelope`, header bound into
every chunk) holds a tar stream: ``database/…``, ``documents/<aa>/<address>``, ``keyring.json`` and, last,
``manifest.json`` with the SHA-256 and size of every other member and the row count of every table.

A flipped byte anywhere is caught: in the header by its SHA-256, in the stream by AES-GCM. A wrong
passphrase fails the key unwrap and is named as such.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import struct
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from recordroom.core import clock
from recordroom.vault.envelope import NONCE_BYTES, StreamSealer, new_key, open_stream
from recordroom.vault.errors import VaultError, VaultErrorCode

MAGIC = b"RRBACKUP"
FORMAT = 1
MIN_PASSPHRASE = 12
SCRYPT_R, SCRYPT_P = 8, 1
CHUNK = 1 << 20
_LENGTH = struct.Struct(">I")
_STREAM_INFO = b"recordroom backup/1"
_KEY_AAD = b"rr-backup-key/1"
MEMBER = re.compile(
    r"^(manifest\.json|keyring\.json|database/db\.(sqlite3|pgdump)|documents/[0-9a-f]{2}/[0-9a-f]{64})$"
)


def _derive(passphrase: str, salt: bytes, log2n: int) -> AESGCM:
    if len(passphrase) < MIN_PASSPHRASE:
        raise VaultError(
            VaultErrorCode.BACKUP_PASSPHRASE, f"a backup passphrase has at least {MIN_PASSPHRASE} characters"
        )
    key = Scrypt(salt=salt, length=32, n=1 << log2n, r=SCRYPT_R, p=SCRYPT_P).derive(passphrase.encode())
    return AESGCM(key)


class _SealingWriter:
    """The write-only file object tarfile's stream mode writes to: every byte goes into the sealer."""

    def __init__(self, sealer: StreamSealer) -> None:
        self.sealer = sealer

    def write(self, data: bytes) -> int:
        return self.sealer.write(bytes(data))


class _Hashing(io.RawIOBase):
    def __init__(self, source: BinaryIO) -> None:
        self.source = source
        self.sha256 = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data


class ArchiveWriter:
    """Writes an encrypted archive to ``path`` (via ``path.part``, renamed on :meth:`close`)."""

    def __init__(self, path: Path, *, passphrase: str, log2n: int) -> None:
        salt = os.urandom(16)
        wrapping = _derive(passphrase, salt, log2n)
        self._archive_key = new_key()
        nonce = os.urandom(NONCE_BYTES)
        header = json.dumps(
            {
                "format": FORMAT,
                "kdf": {
                    "name": "scrypt",
                    "log2n": log2n,
                    "r": SCRYPT_R,
                    "p": SCRYPT_P,
                    "salt": base64.b64encode(salt).decode(),
                },
                "wrapped_key": base64.b64encode(nonce + wrapping.encrypt(nonce, self._archive_key, _KEY_AAD)).decode(),
            },
            sort_keys=True,
        ).encode()
        prefix = MAGIC + _LENGTH.pack(len(header)) + header
        self.path = path
        self._partial = path.with_name(path.name + ".part")
        fd = os.open(self._partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._file = os.fdopen(fd, "wb")
        self._file.write(prefix + hashlib.sha256(prefix).digest())
        self._sealer = StreamSealer(self._file, self._archive_key, info=_STREAM_INFO, aad=prefix, chunk_size=CHUNK)
        self._tar = tarfile.open(fileobj=_SealingWriter(self._sealer), mode="w|", format=tarfile.PAX_FORMAT)  # type: ignore[call-overload]  # noqa: SIM115
        self.members: dict[str, dict[str, object]] = {}

    def _info(self, name: str, size: int) -> tarfile.TarInfo:
        info = tarfile.TarInfo(name)
        info.size = size
        info.mode = 0o600
        return info

    def add_file(self, name: str, source: Path) -> None:
        with source.open("rb") as handle:
            hashing = _Hashing(handle)
            size = source.stat().st_size
            self._tar.addfile(self._info(name, size), hashing)
        if hashing.size != size:
            raise VaultError(VaultErrorCode.BACKUP_TOOL_FAILED, f"{name} changed size while it was archived")
        self.members[name] = {"sha256": hashing.sha256.hexdigest(), "size": size}

    def add_bytes(self, name: str, data: bytes) -> None:
        self._tar.addfile(self._info(name, len(data)), io.BytesIO(data))
        self.members[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}

    def close(self, manifest: dict[str, object]) -> None:
        data = json.dumps(manifest, indent=2, sort_keys=True).encode()
        self._tar.addfile(self._info("manifest.json", len(data)), io.BytesIO(data))
        self._tar.close()
        self._sealer.close()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._partial.replace(self.path)

    def abort(self) -> None:
        self._file.close()
        self._partial.unlink(missing_ok=True)


class _ChunkReader(io.RawIOBase):
    """A readable file object over an iterator of byte chunks."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        if size < 0:
            size = len(self._buffer)
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data


def _read_header(handle: BinaryIO, path: Path) -> tuple[bytes, dict[str, object]]:
    start = handle.read(len(MAGIC) + _LENGTH.size)
    if start[: len(MAGIC)] != MAGIC:
        raise VaultError(VaultErrorCode.BACKUP_FORMAT, f"{path.name} is not a Recordroom backup")
    if len(start) != len(MAGIC) + _LENGTH.size:
        raise VaultError(VaultErrorCode.BACKUP_CORRUPT, f"{path.name} ends inside its header")
    (length,) = _LENGTH.unpack(start[len(MAGIC) :])
    header = handle.read(length) if length <= 1 << 16 else b""
    checksum = handle.read(32)
    prefix = start + header
    if len(header) != length or hashlib.sha256(prefix).digest() != checksum:
        raise VaultError(VaultErrorCode.BACKUP_CORRUPT, f"the header of {path.name} is damaged")
    parsed = json.loads(header)
    if parsed.get("format") != FORMAT:
        raise VaultError(VaultErrorCode.BACKUP_FORMAT, f"{path.name} is backup format {parsed.get('format')}")
    return prefix, parsed


def read_archive(path: Path, *, passphrase: str) -> Iterator[tuple[str, IO[bytes]]]:
    """Yield ``(member name, file object)`` for each member in order; read each fully before the next.

    Raises ``backup_format``, ``backup_wrong_key`` or ``backup_corrupt`` (with what was wrong).
    """
    with path.open("rb") as handle:
        prefix, header = _read_header(handle, path)
        kdf = header["kdf"]
        wrapped = base64.b64decode(str(header["wrapped_key"]))
        if not isinstance(kdf, dict) or kdf.get("name") != "scrypt":
            raise VaultError(VaultErrorCode.BACKUP_FORMAT, f"{path.name} uses an unknown key derivation")
        wrapping = _derive(passphrase, base64.b64decode(str(kdf["salt"])), int(kdf["log2n"]))
        try:
            archive_key = wrapping.decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _KEY_AAD)
        except InvalidTag:
            raise VaultError(
                VaultErrorCode.BACKUP_WRONG_KEY, f"the passphrase does not open {path.name} (wrong backup key)"
            ) from None
        chunks = open_stream(
            handle,
            archive_key,
            info=_STREAM_INFO,
            aad=prefix,
            error=VaultErrorCode.BACKUP_CORRUPT,
            what=f"backup {path.name}",
        )
        try:
            with tarfile.open(fileobj=_ChunkReader(chunks), mode="r|") as tar:
                for member in tar:
                    if not member.isfile() or not MEMBER.match(member.name):
                        raise VaultError(VaultErrorCode.BACKUP_CORRUPT, f"{path.name} holds an unexpected member")
                    extracted = tar.extractfile(member)
                    if extracted is None:
                        raise VaultError(VaultErrorCode.BACKUP_CORRUPT, f"{path.name} holds an unreadable member")
                    yield member.name, extracted
        except tarfile.TarError:
            raise VaultError(VaultErrorCode.BACKUP_CORRUPT, f"the archive inside {path.name} is damaged") from None


def new_archive_name() -> str:
    """``recordroom-<UTC time>-<random>.rrbackup``: sortable, and two backups in one second differ."""
    return f"recordroom-{clock.now():%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}.rrbackup"
