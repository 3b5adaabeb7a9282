"""Tests: the database comes from ``RECORDROOM_DATABASE_URL`` so CI runs the suite on SQLite and again
on PostgreSQL (DESIGN.md "Stack"); fast password hashing; everything written goes to a temporary
RECORDROOM_HOME."""

import os
import tempfile

os.environ.setdefault("RECORDROOM_HOME", tempfile.mkdtemp(prefix="recordroom-test-"))

from recordroom.settings.base import *
from recordroom.settings.database import sqlite_database

RECORDROOM_ENV = "test"
SECRET_KEY = "test-only-secret-key-not-for-any-deployment-0123456789abcdef"  # noqa: S105
if not os.environ.get("RECORDROOM_DATABASE_URL"):
    DATABASES = {"default": sqlite_database(":memory:")}
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("RECORDROOM_TEST_DATABASE_NAME")}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "recordroom.accounts.hashers.FipsPBKDF2PasswordHasher",
]

WHITENOISE_AUTOREFRESH = True
OTP_TOTP_THROTTLE_FACTOR = 0  # throttling has its own test (test_mfa.py); elsewhere it would make timing matter

# The vault's test-only sample app (encrypted fields and blind indexes on synthetic records).
INSTALLED_APPS = [*INSTALLED_APPS, "recordroom.vault.tests.sample_records"]
