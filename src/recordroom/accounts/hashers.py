"""Password hashers.

The default is Django's argon2id hasher (RFC 9106). With ``RECORDROOM_FIPS=true`` the only hasher is
PBKDF2-HMAC-SHA256 (NIST SP 800-132, a FIPS 140 approved function, RULES.md 8.2 (d)(12) and ONC-14) with
at least 600,000 iterations (OWASP Password Storage Cheat Sheet, 2023).
"""

from __future__ import annotations

from django.contrib.auth.hashers import PBKDF2PasswordHasher

FIPS_MIN_ITERATIONS = 600_000


class FipsPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    iterations = max(FIPS_MIN_ITERATIONS, PBKDF2PasswordHasher.iterations)
