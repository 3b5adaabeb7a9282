"""Blind indexes: keyed, truncated HMAC-SHA256 digests of normalized values for exact lookup, and of
Double Metaphone codes for name search, so the MPI can find a patient without decrypting every row.

HMAC-SHA256 (FIPS 198-1, RFC 2104) under a key derived per index kind (HKDF-SHA256, RFC 5869) from the
keyring's index key, so the same value in two kinds (an MRN and a member id, say) gives unrelated digests.
Digests are truncated to 128 bits (NIST SP 800-107 Rev. 1, 5.3.4). Without the index key nobody can test a
guess against a digest; with the database alone an attacker still sees which rows share a value, which is
the documented price of exact lookup (docs/security/encryption.md, "What the indexes reveal").
Double Metaphone: Lawrence Philips, "The Double Metaphone Search Algorithm", C/C++ Users Journal, 2000.
"""

from __future__ import annotations

import hmac
import re
import threading
import unicodedata
from datetime import date
from enum import StrEnum

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from doublemetaphone import doublemetaphone  # type: ignore[import-untyped]

from recordroom.vault.errors import VaultError, VaultErrorCode
from recordroom.vault.keyring import get_keyring

DIGEST_BYTES = 16
DIGEST_LENGTH = DIGEST_BYTES * 2  # hex characters
MAX_IDENTIFIER = 64
SSN_DIGITS = 9
NANP_DIGITS = 10


class IndexKind(StrEnum):
    MRN = "mrn"
    SSN = "ssn"
    DOB = "dob"
    MEMBER_ID = "member_id"
    PHONE = "phone"
    EMAIL = "email"
    NAME = "name"
    NAME_PHONETIC = "name_phonetic"


_keys: dict[tuple[str, str], bytes] = {}
_keys_lock = threading.Lock()
_NOT_LETTERS = re.compile(r"[^A-Z]+")
# Latin letters that Unicode does not decompose into a base letter and a mark; folded the way the
# ICAO Doc 9303 machine-readable-zone transliteration does (Part 3, section 6), so "Søren" finds "Soren".
_LATIN_FOLDS = str.maketrans(
    {"Ø": "O", "ø": "o", "Ł": "L", "ł": "l", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "Đ": "D", "đ": "d",
     "Þ": "TH", "þ": "th", "\u0131": "i", "ß": "ss", "Ð": "D", "ð": "d", "Ħ": "H", "ħ": "h"}
)  # fmt: skip
_SPACES = re.compile(r"[\s\-./]+")


def _key(kind: str) -> bytes:
    keyring = get_keyring()
    cache_key = (keyring.keyring_id, kind)
    key = _keys.get(cache_key)
    if key is None:
        key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"recordroom blind index|" + kind.encode()
        ).derive(keyring.index_key())
        with _keys_lock:
            _keys[cache_key] = key
    return key


def _invalid(kind: IndexKind, rule: str) -> VaultError:
    return VaultError(VaultErrorCode.INVALID_INDEX_VALUE, f"a {kind.value.replace('_', ' ')} {rule}")


def normalize(kind: IndexKind, value: object) -> str:
    """The canonical form a value is indexed and looked up by; a malformed value raises (no echo)."""
    if kind is IndexKind.DOB:
        if isinstance(value, date):
            return value.isoformat()
        try:
            return date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise _invalid(kind, "is a date as YYYY-MM-DD") from None
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if kind in {IndexKind.MRN, IndexKind.MEMBER_ID}:
        compact = _SPACES.sub("", text).upper()
        if not compact or len(compact) > MAX_IDENTIFIER:
            raise _invalid(kind, f"has 1-{MAX_IDENTIFIER} characters")
        return compact
    if kind is IndexKind.SSN:
        digits = re.sub(r"[\s\-]", "", text)
        if len(digits) != SSN_DIGITS or not digits.isdigit():
            raise _invalid(kind, "has 9 digits")
        return digits
    if kind is IndexKind.PHONE:
        digits = re.sub(r"\D", "", text)
        if len(digits) == NANP_DIGITS + 1 and digits.startswith("1"):
            digits = digits[1:]
        if not 7 <= len(digits) <= 15:  # ITU-T E.164: at most 15 digits
            raise _invalid(kind, "has 7-15 digits")
        return digits
    if kind is IndexKind.EMAIL:
        lowered = text.lower()
        if "@" not in lowered or len(lowered) > 254:
            raise _invalid(kind, "is an address with an @")
        return lowered
    tokens = name_tokens(text)
    if not tokens:
        raise _invalid(kind, "has at least one letter")
    return " ".join(tokens)


def digest(kind: IndexKind, canonical: str) -> str:
    """The blind index of an already-normalized value: 32 hex characters."""
    return hmac.digest(_key(kind.value), canonical.encode("utf-8"), "sha256")[:DIGEST_BYTES].hex()


def blind_index(kind: IndexKind, value: object) -> str:
    """Normalize ``value`` for ``kind`` and return its blind index (what a lookup filters on)."""
    return digest(kind, normalize(kind, value))


def _drops_marks(ch: str) -> bool:
    """Latin and Greek letters lose their accents (Greek capitals are written without tonos); other
    scripts keep their marks, which there make different letters (Cyrillic й, Devanagari vowel signs)."""
    return ch < "\u0250" or unicodedata.name(ch, "").startswith(("LATIN", "GREEK"))


def name_tokens(text: str) -> list[str]:
    """A name as upper-case letter tokens, Latin accents folded: "Zoë O'Brien-Núñez" -> ZOE O BRIEN NUNEZ.

    Latin letters fold to ASCII (so a search typed without accents finds the accented name) and Greek loses
    its accents; letters of other scripts (Han, Cyrillic, Arabic, Devanagari, ...) keep their marks and are
    upper-cased where the script has case, so every legal name can be registered and found by its own
    spelling. Tokens are runs of letters and their combining marks (Unicode general categories L and M)."""
    folded = unicodedata.normalize("NFKD", text.translate(_LATIN_FOLDS))
    tokens: list[str] = []
    current: list[str] = []
    drop_marks = True
    for ch in folded:
        category = unicodedata.category(ch)
        if category.startswith("M"):
            if current and not drop_marks:
                current.append(ch)
            continue
        if category.startswith("L"):
            drop_marks = _drops_marks(ch)
            current.append(ch)
            continue
        if current:
            tokens.append("".join(current))
            current = []
    if current:
        tokens.append("".join(current))
    return [unicodedata.normalize("NFC", token.upper()) for token in tokens]


def phonetic_codes(token: str) -> set[str]:
    """The Double Metaphone primary and alternate codes of one name token."""
    return {code for code in doublemetaphone(token) if code}


def name_digests(text: str) -> tuple[set[str], set[str]]:
    """(exact, phonetic) blind indexes of every token in a name."""
    tokens = name_tokens(text)
    exact = {digest(IndexKind.NAME, token) for token in tokens}
    phonetic = {digest(IndexKind.NAME_PHONETIC, code) for token in tokens for code in phonetic_codes(token)}
    return exact, phonetic


def address_digest(data: bytes) -> str:
    """A full 256-bit keyed digest (64 hex characters) for content addresses of document blobs: equal
    content of one subject gets one address, and the address tells nothing about the content."""
    return hmac.digest(_key("blob_address"), data, "sha256").hex()


def forget_derived_keys() -> None:
    """Drop derived index keys (after the keyring is replaced, e.g. by a restore)."""
    with _keys_lock:
        _keys.clear()
