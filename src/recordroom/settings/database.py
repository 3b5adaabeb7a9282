"""``RECORDROOM_DATABASE_URL`` -> Django ``DATABASES`` entry.

SQLite (the embedded default) runs in WAL mode with a busy timeout and IMMEDIATE transactions, so
concurrent writers queue instead of failing with "database is locked"; PostgreSQL is the
production engine. Both run every test in CI (DESIGN.md "Stack").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url

from recordroom.config import ConfigError, env_str, home_dir

SQLITE_BUSY_TIMEOUT_S = 20


def sqlite_database(path: Path | str) -> dict[str, Any]:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "timeout": SQLITE_BUSY_TIMEOUT_S,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                f"PRAGMA journal_mode=WAL;PRAGMA synchronous=FULL;PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000};"
            ),
        },
        "ATOMIC_REQUESTS": False,
    }


def database_from_env() -> dict[str, Any]:
    url = env_str("DATABASE_URL", "")
    if not url:
        return sqlite_database(home_dir("db") / "recordroom.sqlite3")
    if url.startswith("sqlite:"):
        parsed = dj_database_url.parse(url)
        return sqlite_database(parsed["NAME"])
    if url.startswith(("postgres://", "postgresql://")):
        config = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
        config["ENGINE"] = "django.db.backends.postgresql"
        return config
    raise ConfigError("RECORDROOM_DATABASE_URL must start with sqlite:// or postgresql://")
