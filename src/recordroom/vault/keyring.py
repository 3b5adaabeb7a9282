"""The keyring: versioned key-encryption keys (KEKs) and the blind-index key, kept outside the database.

Envelope encryption (NIST SP 800-57 Part 1 Rev. 5, 6.2.1 and 8.2.2): each patient's data is sealed with
its own data key, and each data key is stored wrapped (AES-256-GCM) by the active KEK. Rotating the KEK
rewraps the data keys without touching the data; a retired KEK version is erased from the keyring.

Sources, in order:

1. ``RECORDROOM_VAULT_KEYRING`` (or ``RECORDROOM_VAULT_KEYRING_FILE``): the keyring JSON in the
   environment or a secrets mount, read-only (rotation needs the file form);
2. the file at ``settings.RECORDROOM_VAULT_KEYRING_PATH`` (mode 0600; group or world access is refused);
3. in dev and test only, a new keyring generated into that file on first use.

A production start with none of these stops at the system check ``recordroom.vault.E001``.

A key-management service plugs in behind :class:`KeyProvider` (``RECORDROOM_VAULT_KEY_PROVIDER``):
``wrap``/``unwrap`` map to the KMS's Encrypt/Decrypt with the AAD as encryption context; see
docs/operations/keys.md.
"""

from __future__ import annotations

import base64
import json
import os
import stat
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.utils.module_loading import import_string

from recordroom.config import get_secret
from recordroom.core import clock
from recordroom.vault.envelope import KEY_BYTES, NONCE_BYTES, new_key
from recordroom.vault.errors import VaultError, VaultErrorCode

KEYRING_FORMAT = "recordroom-keyring/1"


class KeyProvider(Protocol):
    """What the vault needs from a key store. ``FileKeyring`` implements it; a KMS adapter can too."""

    @property
    def keyring_id(self) -> str: ...

    @property
    def active_version(self) -> int: ...

    def versions(self) -> dict[int, str | None]:
        """Every version the keyring knows, with its retirement time (ISO 8601) or ``None`` if usable."""
        ...

    def wrap(self, data_key: bytes, aad: bytes) -> tuple[int, bytes]:
        """Wrap ``data_key`` with the active KEK; returns (version, wrapped)."""
        ...

    def unwrap(self, version: int, wrapped: bytes, aad: bytes) -> bytes:
        """Unwrap with KEK ``version``; raises VaultError (unknown or retired version, wrong key)."""
        ...

    def index_key(self) -> bytes:
        """The root key of the blind indexes (HMAC-SHA256), never used for encryption."""
        ...

    def add_version(self) -> int:
        """Create a new KEK version, make it active and persist; returns the new version."""
        ...

    def retire(self, version: int) -> None:
        """Erase KEK ``version`` (not the active one) and persist."""
        ...

    def export(self) -> bytes:
        """The whole keyring as bytes, for an encrypted backup."""
        ...


@dataclass
class _Version:
    material: bytes | None
    created_at: str
    retired_at: str | None = None
    aead: AESGCM | None = field(default=None, repr=False)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any, what: str) -> bytes:
    try:
        value = base64.b64decode(str(text), validate=True)
    except ValueError:
        raise VaultError(VaultErrorCode.KEYRING_INVALID, f"the keyring's {what} is not base64") from None
    if len(value) != KEY_BYTES:
        raise VaultError(VaultErrorCode.KEYRING_INVALID, f"the keyring's {what} is not a 256-bit key")
    return value


class FileKeyring:
    """A keyring kept as JSON in a 0600 file (or, read-only, in the environment)."""

    def __init__(
        self,
        *,
        keyring_id: str,
        active: int,
        versions: dict[int, _Version],
        index_key: bytes,
        path: Path | None,
    ) -> None:
        self._id = keyring_id
        self._active = active
        self._versions = versions
        self._index_key = index_key
        self._path = path
        self._lock = threading.Lock()

    # ------------------------------------------------------------ loading and saving
    @classmethod
    def generate(cls, path: Path | None) -> FileKeyring:
        """A new keyring with KEK version 1 and a fresh blind-index key, written to ``path`` (0600)."""
        now = clock.now().isoformat()
        keyring = cls(
            keyring_id=str(uuid.uuid4()),
            active=1,
            versions={1: _Version(material=new_key(), created_at=now)},
            index_key=new_key(),
            path=path,
        )
        if path is not None:
            keyring.save(create=True)
        return keyring

    @classmethod
    def parse(cls, raw: bytes, path: Path | None) -> FileKeyring:
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise VaultError(VaultErrorCode.KEYRING_INVALID, "the keyring is not valid JSON") from None
        if not isinstance(data, dict) or data.get("format") != KEYRING_FORMAT:
            raise VaultError(VaultErrorCode.KEYRING_INVALID, f"the keyring is not in format {KEYRING_FORMAT}")
        try:
            versions = {
                int(number): _Version(
                    material=None if entry.get("retired_at") else _unb64(entry["key"], f"version {number}"),
                    created_at=str(entry["created_at"]),
                    retired_at=entry.get("retired_at"),
                )
                for number, entry in data["versions"].items()
            }
            active = int(data["active"])
            keyring_id = str(data["keyring_id"])
            index_key = _unb64(data["index_key"], "index key")
        except (KeyError, TypeError, ValueError, AttributeError):
            raise VaultError(VaultErrorCode.KEYRING_INVALID, "the keyring is missing a required entry") from None
        if active not in versions or versions[active].material is None:
            raise VaultError(VaultErrorCode.KEYRING_INVALID, "the keyring's active version has no key")
        return cls(keyring_id=keyring_id, active=active, versions=versions, index_key=index_key, path=path)

    def to_json(self) -> bytes:
        versions: dict[str, dict[str, Any]] = {}
        for number, entry in sorted(self._versions.items()):
            record: dict[str, Any] = {"created_at": entry.created_at, "retired_at": entry.retired_at}
            if entry.material is not None:
                record["key"] = _b64(entry.material)
            versions[str(number)] = record
        data = {
            "format": KEYRING_FORMAT,
            "keyring_id": self._id,
            "active": self._active,
            "versions": versions,
            "index_key": _b64(self._index_key),
        }
        return json.dumps(data, indent=2).encode("utf-8")

    def save(self, *, create: bool = False) -> None:
        """Write the keyring atomically: a 0600 temporary file beside it, fsync, rename."""
        if self._path is None:
            raise VaultError(
                VaultErrorCode.KEYRING_PERMISSIONS,
                "the keyring comes from the environment and cannot be changed here; use a keyring file",
            )
        write_private_file(self._path, self.to_json(), exclusive=create)

    # ------------------------------------------------------------ KeyProvider
    @property
    def keyring_id(self) -> str:
        return self._id

    @property
    def active_version(self) -> int:
        return self._active

    @property
    def path(self) -> Path | None:
        return self._path

    def versions(self) -> dict[int, str | None]:
        return {number: entry.retired_at for number, entry in sorted(self._versions.items())}

    def _aead(self, version: int) -> AESGCM:
        entry = self._versions.get(version)
        if entry is None:
            raise VaultError(
                VaultErrorCode.UNKNOWN_KEY_VERSION, f"the keyring has no key-encryption key version {version}"
            )
        if entry.material is None:
            raise VaultError(VaultErrorCode.KEY_VERSION_RETIRED, f"key-encryption key version {version} was retired")
        if entry.aead is None:
            entry.aead = AESGCM(entry.material)
        return entry.aead

    def wrap(self, data_key: bytes, aad: bytes) -> tuple[int, bytes]:
        version = self._active
        nonce = os.urandom(NONCE_BYTES)
        return version, nonce + self._aead(version).encrypt(nonce, data_key, aad)

    def unwrap(self, version: int, wrapped: bytes, aad: bytes) -> bytes:
        aead = self._aead(version)
        try:
            return aead.decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], aad)
        except InvalidTag:
            raise VaultError(
                VaultErrorCode.WRONG_KEY,
                f"key-encryption key version {version} does not open this data key "
                "(wrong keyring, or the wrapped key was altered)",
            ) from None

    def index_key(self) -> bytes:
        return self._index_key

    def add_version(self) -> int:
        with self._lock:
            version = max(self._versions) + 1
            self._versions[version] = _Version(material=new_key(), created_at=clock.now().isoformat())
            previous = self._active
            self._active = version
            try:
                self.save()
            except BaseException:
                del self._versions[version]
                self._active = previous
                raise
            return version

    def retire(self, version: int) -> None:
        with self._lock:
            entry = self._versions.get(version)
            if entry is None:
                raise VaultError(
                    VaultErrorCode.UNKNOWN_KEY_VERSION, f"the keyring has no key-encryption key version {version}"
                )
            if version == self._active:
                raise VaultError(VaultErrorCode.RETIRE_REFUSED, f"version {version} is the active version")
            if entry.material is None:
                return
            saved = (entry.material, entry.retired_at, entry.aead)
            entry.material, entry.retired_at, entry.aead = None, clock.now().isoformat(), None
            try:
                self.save()
            except BaseException:
                entry.material, entry.retired_at, entry.aead = saved
                raise

    def export(self) -> bytes:
        return self.to_json()

    # ------------------------------------------------------------ the configured keyring
    @classmethod
    def from_settings(cls) -> FileKeyring:
        env_value = get_secret("VAULT_KEYRING")
        if env_value is not None:
            return cls.parse(env_value.encode("utf-8"), path=None)
        path = Path(settings.RECORDROOM_VAULT_KEYRING_PATH)
        if not path.exists():
            if getattr(settings, "RECORDROOM_ENV", "") not in {"dev", "test"}:
                raise VaultError(
                    VaultErrorCode.KEYRING_MISSING,
                    f"no vault keyring at {path} and RECORDROOM_VAULT_KEYRING is not set; create one with "
                    "`recordroom keys init` or restore it from your key escrow",
                )
            try:
                return cls.generate(path)
            except FileExistsError:
                pass  # another process created it between the check and the write
        return cls.parse(read_private_file(path), path=path)


def write_private_file(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Write ``data`` to ``path`` owner-only (0600), atomically (temporary file, fsync, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if exclusive and path.exists():
        raise FileExistsError(str(path))
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if exclusive:
            os.link(temporary, path)  # fails if another process won the race
            temporary.unlink()
        else:
            temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def read_private_file(path: Path) -> bytes:
    """Read a key file, refusing one that the group or others can read or write."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise VaultError(VaultErrorCode.KEYRING_MISSING, f"no vault keyring at {path}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise VaultError(
            VaultErrorCode.KEYRING_PERMISSIONS,
            f"the vault keyring {path} is readable by others (mode {stat.S_IMODE(mode):o}); chmod 600 it",
        )
    return path.read_bytes()


_provider: KeyProvider | None = None
_provider_lock = threading.Lock()


def get_keyring() -> KeyProvider:
    """The process's keyring, loaded once from the configured provider."""
    global _provider  # noqa: PLW0603
    with _provider_lock:
        if _provider is None:
            factory = import_string(settings.RECORDROOM_VAULT_KEY_PROVIDER)
            _provider = factory.from_settings()
        return _provider


def forget_keyring() -> None:
    """Forget the loaded keyring; the next use reads it again (tests; after a restore)."""
    global _provider  # noqa: PLW0603
    with _provider_lock:
        _provider = None


def reload_keyring() -> KeyProvider:
    """Read the keyring again now (after another process rotated it)."""
    forget_keyring()
    return get_keyring()
