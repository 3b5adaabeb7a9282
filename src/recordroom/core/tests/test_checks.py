"""The production system check refuses unsafe settings (recordroom.core.checks)."""

from __future__ import annotations

import pytest

from recordroom.core.checks import production_settings

GOOD_SECRET = "k" * 20 + "Q7x!pZ2#mN8&vB4^rT6*yU1(wE3)sD5_" + "h" * 10


@pytest.fixture
def production(settings):
    settings.RECORDROOM_ENV = "production"
    settings.SECRET_KEY = GOOD_SECRET
    settings.DEBUG = False
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 63072000
    settings.ALLOWED_HOSTS = ["records.example.org"]
    return settings


def ids(settings_) -> list[str]:
    return [str(message.id) for message in production_settings()]


def test_safe_production_settings_pass(production):
    assert ids(production) == []


def test_not_production_is_not_checked(settings):
    settings.RECORDROOM_ENV = "dev"
    settings.DEBUG = True
    assert production_settings() == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"SECRET_KEY": ""}, "recordroom.E001"),
        ({"SECRET_KEY": "django-insecure-" + "a" * 60}, "recordroom.E001"),
        ({"DEBUG": True}, "recordroom.E002"),
        ({"SESSION_COOKIE_SECURE": False}, "recordroom.E003"),
        ({"CSRF_COOKIE_SECURE": False}, "recordroom.E003"),
        ({"SECURE_HSTS_SECONDS": 3600}, "recordroom.E004"),
        ({"ALLOWED_HOSTS": ["*"]}, "recordroom.E005"),
        ({"ALLOWED_HOSTS": []}, "recordroom.E005"),
    ],
)
def test_each_unsafe_setting_is_refused(production, change, expected):
    for name, value in change.items():
        setattr(production, name, value)
    assert ids(production) == [expected]
