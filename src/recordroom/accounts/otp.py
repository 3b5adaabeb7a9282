"""TOTP (RFC 6238) enrollment helpers and recovery codes.

TOTP verification itself is :class:`recordroom.accounts.models.TotpDevice` (django-otp's algorithm: drift
tolerance of one 30 s step, replay refused, exponential throttling), whose key the vault seals.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import quote, urlencode

import segno

from recordroom.vault.services import seal, unseal

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud over the phone
_RECOVERY_GROUPS = 4
_RECOVERY_GROUP_LEN = 4  # 16 chars from 31 symbols ~ 79 bits


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_GROUPS * _RECOVERY_GROUP_LEN))
        codes.append("-".join(raw[i : i + _RECOVERY_GROUP_LEN] for i in range(0, len(raw), _RECOVERY_GROUP_LEN)))
    return codes


def normalize_recovery_code(value: str) -> str | None:
    """Strip spaces and dashes and lower-case; ``None`` if it cannot be a recovery code."""
    compact = "".join(ch for ch in value.strip().lower() if ch not in " -")
    if len(compact) != _RECOVERY_GROUPS * _RECOVERY_GROUP_LEN or any(ch not in _RECOVERY_ALPHABET for ch in compact):
        return None
    return compact


def digest_recovery_code(normalized: str) -> str:
    return hashlib.sha256(("recordroom-recovery:" + normalized).encode()).hexdigest()


TOTP_KEY_BYTES = 20  # 160 bits, the HMAC-SHA1 block the RFC 4226 reference uses


def _context(user_public_id: object) -> str:
    return f"accounts_totpdevice.sealed_key|{user_public_id}"


def seal_totp_key(user: Any, key: bytes) -> bytes:
    """Seal a TOTP secret with the user's data key (the subject is the user's public id)."""
    return seal(key, subject_id=user.public_id, context=_context(user.public_id))


def open_totp_key(device: Any) -> bytes:
    user = device.user
    return unseal(bytes(device.sealed_key), subject_id=user.public_id, context=_context(user.public_id))


def new_totp_key() -> bytes:
    return secrets.token_bytes(TOTP_KEY_BYTES)


def base32_secret(key: bytes) -> str:
    """The TOTP key as the base32 text an authenticator app accepts for manual entry."""
    return base64.b32encode(key).decode().rstrip("=")


def otpauth_uri(key: bytes, *, account: str, issuer: str, digits: int = 6, period: int = 30) -> str:
    """The ``otpauth://totp/`` URI of the Key Uri Format that authenticator apps scan."""
    label = quote(f"{issuer}:{account}")
    query = urlencode({"secret": base32_secret(key), "issuer": issuer, "algorithm": "SHA1",
                       "digits": digits, "period": period})  # fmt: skip
    return f"otpauth://totp/{label}?{query}"


def qr_svg(otpauth_uri: str) -> str:
    """An inline SVG QR code of the ``otpauth://`` URI (no external service sees the secret)."""
    qr = segno.make(otpauth_uri, error="m")
    svg: str = qr.svg_inline(scale=5, dark="#1b1b1b", light="#ffffff", title="TOTP enrollment QR code")
    return svg


def looks_like_totp(token: str) -> bool:
    return len(token) in (6, 8) and token.isdigit()
