"""Typed readers for the ``RECORDROOM_*`` environment (STYLE R11).

Every deploy-time value comes from the environment through these helpers, so a bad value stops the
start with a message that names the variable, and no secret has a default outside dev and test.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PREFIX = "RECORDROOM_"


class ConfigError(RuntimeError):
    """A ``RECORDROOM_*`` variable is missing or malformed."""


def _raw(name: str) -> str | None:
    value = os.environ.get(PREFIX + name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str) -> str:
    return _raw(name) or default


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{PREFIX}{name} must be true or false, not {value!r}")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{PREFIX}{name} must be a whole number, not {value!r}") from None
    if minimum is not None and number < minimum:
        raise ConfigError(f"{PREFIX}{name} must be at least {minimum}, not {number}")
    if maximum is not None and number > maximum:
        raise ConfigError(f"{PREFIX}{name} must be at most {maximum}, not {number}")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default)
    return [part.strip() for part in value.split(",") if part.strip()]


def home() -> Path:
    """``RECORDROOM_HOME``: where everything Recordroom writes by default lives (db, documents, keys,
    backups, logs). Defaults to ``./var`` relative to the working directory."""
    return Path(env_str("HOME", "var")).expanduser().resolve()


def home_dir(*parts: str) -> Path:
    """A directory under ``RECORDROOM_HOME``, created (owner-only) on first use."""
    path = home().joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def get_secret(name: str) -> str | None:
    """A secret from ``RECORDROOM_<NAME>`` or, if ``RECORDROOM_<NAME>_FILE`` is set, from that file
    (the Docker/Kubernetes secrets convention). ``None`` when neither is set."""
    file_path = _raw(name + "_FILE")
    if file_path is not None:
        try:
            return Path(file_path).read_text(encoding="utf-8").strip() or None
        except OSError as exc:
            raise ConfigError(f"{PREFIX}{name}_FILE cannot be read: {exc.strerror}") from None
    return _raw(name)


def get_mandatory_secret(name: str) -> str:
    value = get_secret(name)
    if value is None:
        raise ConfigError(f"{PREFIX}{name} (or {PREFIX}{name}_FILE) must be set in production")
    return value


def local_secret(name: str) -> str:
    """A secret generated once and kept in ``RECORDROOM_HOME/keys/<name>`` (mode 0600).

    Only the dev and demo settings use this, so a checkout works with no configuration and never
    ships a literal secret; production must pass its secrets in (``get_mandatory_secret``).
    """
    env_value = get_secret(name.upper())
    if env_value is not None:
        return env_value
    path = home_dir("keys") / name
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    value = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value)
    return value
