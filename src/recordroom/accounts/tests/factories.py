"""Factories for accounts. Users are built through the real services, so every row a test sees was
made the way production makes it (STYLE R10)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import pyotp
import pytest
from django.test import Client

from recordroom.accounts.models import User
from recordroom.accounts.otp import base32_secret
from recordroom.accounts.roles import Role
from recordroom.accounts.services import begin_totp_enrollment, create_user

DEFAULT_PASSWORD = "correct horse battery staple 42"
_counter = itertools.count(1)


@dataclass
class Person:
    user: User
    password: str
    totp: pyotp.TOTP | None

    @property
    def username(self) -> str:
        return self.user.username

    def code(self, offset_steps: int = 0) -> str:
        assert self.totp is not None
        import time

        return self.totp.at(int(time.time()) + 30 * offset_steps)


def make_user(
    roles: Iterable[Role] = (Role.HIM_CLERK,),
    *,
    username: str | None = None,
    password: str = DEFAULT_PASSWORD,
    enrolled: bool = True,
) -> Person:
    """A user with roles and a password, and (by default) a confirmed TOTP device."""
    name = username or f"user{next(_counter):04d}"
    user = create_user(username=name, display_name=f"Test {name}", roles=list(roles), password=password, actor=None)
    totp = None
    if enrolled:
        device = begin_totp_enrollment(user)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        totp = pyotp.TOTP(base32_secret(device.bin_key))
    return Person(user=user, password=password, totp=totp)


def sign_in(client: Client, person: Person) -> None:
    """Sign ``person`` in through the real flow: password, then TOTP."""
    response = client.post("/accounts/login/", {"username": person.username, "password": person.password})
    assert response.status_code == 302, response.status_code
    response = client.post("/accounts/login/verify/", {"code": person.code()})
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.fixture
def person(db) -> Person:
    return make_user()


@pytest.fixture
def sysadmin(db) -> Person:
    return make_user([Role.SYSADMIN], username="admin.one")


@pytest.fixture
def signed_in_client(client: Client, person: Person) -> Client:
    sign_in(client, person)
    return client
