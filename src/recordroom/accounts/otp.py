"""TOTP (RFC 6238) enrollment helpers and recovery codes.

TOTP verification itself is django-otp's ``TOTPDevice`` (drift tolerance of one 30 s step, replay
refused because a code's time step must be later than the last one used, exponential throttling).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from binascii import unhexlify

import segno

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


def base32_secret(hex_key: str) -> str:
    """The TOTP key as the base32 text an authenticator app accepts for manual entry."""
    return base64.b32encode(unhexlify(hex_key)).decode().rstrip("=")


def qr_svg(otpauth_uri: str) -> str:
    """An inline SVG QR code of the ``otpauth://`` URI (no external service sees the secret)."""
    qr = segno.make(otpauth_uri, error="m")
    svg: str = qr.svg_inline(scale=5, dark="#1b1b1b", light="#ffffff", title="TOTP enrollment QR code")
    return svg


def looks_like_totp(token: str) -> bool:
    return len(token) in (6, 8) and token.isdigit()
