"""Password validators beyond Django's own (NIST SP 800-63B 3.1.1.2)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

PASSWORD_MAX = 256


class MaximumLengthValidator:
    """NIST SP 800-63B lets verifiers cap length (it asks for at least 64 characters to be accepted). A
    cap of 256 keeps a megabyte-long "password" from costing a hash computation."""

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > PASSWORD_MAX:
            raise ValidationError(f"A password has at most {PASSWORD_MAX} characters.", code="password_too_long")

    def get_help_text(self) -> str:
        return f"Your password can have up to {PASSWORD_MAX} characters; long passphrases are welcome."
