"""Production refuses to start without a configured checkpoint signing key (ONC 170.315(d)(2)(v):
alteration must be detectable, which needs a key the database does not hold)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from recordroom.config import env_str


@register(Tags.security)
def audit_signing_key_configured(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if getattr(settings, "RECORDROOM_ENV", "") != "production":
        return []
    configured = env_str("AUDIT_SIGNING_KEY_FILE", "")
    if not configured or not Path(configured).is_file():
        return [
            Error(
                "RECORDROOM_AUDIT_SIGNING_KEY_FILE must name the Ed25519 key that signs audit checkpoints.",
                hint="Create one with: recordroom audit keygen PATH (keep it outside the database server).",
                id="recordroom.E010",
            )
        ]
    return []
