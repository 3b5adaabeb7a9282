"""The system check that stops a production start without a usable vault keyring (HIPAA
164.312(a)(2)(iv); NIST SP 800-57 Part 1 Rev. 5, 6.2.2: keys are protected and available when needed).

Dev and test generate a keyring on first use; production never does, so a lost or missing keyring is a
clear refusal at start-up instead of new keys that open nothing.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from recordroom.vault.errors import VaultError


@register(Tags.security)
def vault_keyring(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if getattr(settings, "RECORDROOM_ENV", "") != "production":
        return []
    from recordroom.vault.keyring import reload_keyring

    try:
        reload_keyring()
    except VaultError as exc:
        return [
            Error(
                f"The vault keyring is not usable: {exc}",
                hint=(
                    "Set RECORDROOM_VAULT_KEYRING(_FILE), or put the keyring file at RECORDROOM_KEYRING_PATH "
                    "(mode 0600); a new installation creates one with `recordroom keys init`. "
                    "See docs/operations/keys.md."
                ),
                id="recordroom.vault.E001",
            )
        ]
    return []
