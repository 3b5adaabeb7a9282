"""The checkpoint signing key (Ed25519, RFC 8032).

The private key lives outside the database: ``RECORDROOM_AUDIT_SIGNING_KEY_FILE`` in production, or a
file generated once under ``RECORDROOM_HOME/keys/audit`` (mode 0600) in development. Public keys of
every key ever used are kept beside it as ``<key id>.pub`` so old checkpoints still verify after a new
key is introduced. Someone who can rewrite the database cannot forge a checkpoint without the key.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from recordroom.config import env_str, home_dir

KEY_FILE = "signing-key.pem"


class SigningKeyError(RuntimeError):
    """The signing key is missing, unreadable or not an Ed25519 key."""


def key_directory() -> Path:
    return home_dir("keys", "audit")


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id_of(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(_raw_public(key)).hexdigest()[:16]


def _write_private(path: Path, key: Ed25519PrivateKey) -> None:
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


@cache
def signing_key() -> Ed25519PrivateKey:
    """The private key; generated on first use only when no key file is configured (dev and test)."""
    configured = env_str("AUDIT_SIGNING_KEY_FILE", "")
    if configured:
        path = Path(configured)
    else:
        path = key_directory() / KEY_FILE
        if not path.exists():
            _write_private(path, Ed25519PrivateKey.generate())
    try:
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise SigningKeyError(f"audit signing key {path} cannot be loaded: {type(exc).__name__}") from None
    if not isinstance(loaded, Ed25519PrivateKey):
        raise SigningKeyError(f"audit signing key {path} is not an Ed25519 key")
    public = loaded.public_key()
    pub_path = key_directory() / f"{key_id_of(public)}.pub"
    if not pub_path.exists():
        pub_path.write_text(_raw_public(public).hex() + "\n", encoding="ascii")
    return loaded


def current_key_id() -> str:
    return key_id_of(signing_key().public_key())


def current_public_hex() -> str:
    return _raw_public(signing_key().public_key()).hex()


def public_key_from_hex(public_hex: str) -> Ed25519PublicKey | None:
    try:
        return Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex))
    except ValueError:
        return None


def public_keys() -> dict[str, Ed25519PublicKey]:
    """Every known verification key, by key id (the current one included)."""
    keys = {current_key_id(): signing_key().public_key()}
    for pub in key_directory().glob("*.pub"):
        try:
            key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(pub.read_text(encoding="ascii").strip()))
        except ValueError:
            continue
        keys[key_id_of(key)] = key
    return keys


def checkpoint_message(seq: int, chain_hash: str, signed_us: int) -> bytes:
    return f"recordroom-audit-checkpoint|{seq}|{chain_hash}|{signed_us}".encode("ascii")


def sign(message: bytes) -> str:
    return signing_key().sign(message).hex()


def signature_valid(key: Ed25519PublicKey, message: bytes, signature_hex: str) -> bool:
    try:
        key.verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError):
        return False
    return True
