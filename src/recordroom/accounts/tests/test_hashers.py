"""Password storage: argon2id by default, PBKDF2-SHA256 >= 600,000 iterations under FIPS (ONC-14)."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, identify_hasher

from recordroom.accounts.hashers import FipsPBKDF2PasswordHasher
from recordroom.accounts.models import User
from recordroom.accounts.tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_default_hasher_is_argon2id():
    encoded = Argon2PasswordHasher().encode("a long enough passphrase", Argon2PasswordHasher().salt())
    assert encoded.startswith("argon2$argon2id$")


def test_fips_hasher_format_and_iterations(settings):
    settings.PASSWORD_HASHERS = ["recordroom.accounts.hashers.FipsPBKDF2PasswordHasher"]
    person = make_user(password="a long enough passphrase", enrolled=False)
    stored = User.objects.get(pk=person.user.pk).password
    algorithm, iterations, salt, digest = stored.split("$")
    assert algorithm == "pbkdf2_sha256"
    assert int(iterations) >= 600_000
    assert salt
    assert digest
    assert "a long enough passphrase" not in stored
    assert isinstance(identify_hasher(stored), FipsPBKDF2PasswordHasher)


def test_plaintext_is_never_stored():
    make_user(password="another long passphrase", enrolled=False)
    assert User.objects.filter(password__contains="another long passphrase").count() == 0
