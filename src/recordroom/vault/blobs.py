"""The encrypted document store on the filesystem: content-addressed blobs, written and read as streams.

A blob file is ``b"RRB1" | length (2) | sealed content key | sealed stream``. The content key is random per
blob and sealed with the subject's data key (so crypto-shredding the subject makes the blob unreadable);
the stream is :class:`recordroom.vault.envelope.StreamSealer` output with the subject bound into every
chunk. Files are written to ``tmp/`` beside the store, fsynced, then renamed into ``<aa>/<address>``, so a
reader never sees half a blob (HIPAA 164.312(c)(1) integrity).

S3-compatible object storage fits the same shape (write to a temporary key, then copy to the address;
objects are immutable); docs/security/encryption.md, "Document store", says how.
"""

from __future__ import annotations

import contextlib
import os
import re
import struct
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from recordroom.vault.errors import VaultError, VaultErrorCode

BLOB_MAGIC = b"RRB1"
ADDRESS = re.compile(r"^[0-9a-f]{64}$")
_LENGTH = struct.Struct(">H")


def blob_header(sealed_content_key: bytes) -> bytes:
    return BLOB_MAGIC + _LENGTH.pack(len(sealed_content_key)) + sealed_content_key


def read_blob_header(handle: BinaryIO, address: str) -> bytes:
    """The sealed content key at the start of a blob file; a damaged start raises ``blob_corrupt``."""
    start = handle.read(len(BLOB_MAGIC) + _LENGTH.size)
    if len(start) != len(BLOB_MAGIC) + _LENGTH.size or start[: len(BLOB_MAGIC)] != BLOB_MAGIC:
        raise VaultError(VaultErrorCode.BLOB_CORRUPT, f"blob {address} does not start with a blob header")
    (length,) = _LENGTH.unpack(start[len(BLOB_MAGIC) :])
    sealed = handle.read(length)
    if len(sealed) != length:
        raise VaultError(VaultErrorCode.BLOB_CORRUPT, f"blob {address} is truncated in its header")
    return sealed


class BlobStore:
    """Blob files under ``root``: ``root/<first two hex digits>/<address>``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, address: str) -> Path:
        if not ADDRESS.match(address):
            raise VaultError(VaultErrorCode.BLOB_NOT_FOUND, "a blob address is 64 hexadecimal digits")
        return self.root / address[:2] / address

    @contextlib.contextmanager
    def writing(self) -> Iterator[tuple[Path, BinaryIO]]:
        """A new temporary file in the store, removed again unless :meth:`commit` moved it into place."""
        folder = self.root / "tmp"
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = folder / f"{uuid.uuid4().hex}.part"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        handle = os.fdopen(fd, "wb")
        try:
            yield path, handle
        finally:
            handle.close()
            path.unlink(missing_ok=True)

    def commit(self, handle: BinaryIO, temporary: Path, address: str) -> bool:
        """Make a finished temporary file durable and move it to its address; False if that address already
        holds a file (content addressing: it is the same body)."""
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()
        target = self.path_for(address)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if target.exists():
            return False
        temporary.replace(target)
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        return True

    def open(self, address: str) -> BinaryIO:
        try:
            return self.path_for(address).open("rb")
        except FileNotFoundError:
            raise VaultError(VaultErrorCode.BLOB_NOT_FOUND, f"blob {address} is not in the store") from None

    def exists(self, address: str) -> bool:
        return self.path_for(address).exists()

    def addresses(self) -> Iterator[str]:
        if not self.root.exists():
            return
        for folder in sorted(self.root.iterdir()):
            if folder.is_dir() and len(folder.name) == 2:
                for entry in sorted(folder.iterdir()):
                    if ADDRESS.match(entry.name):
                        yield entry.name
