"""The accounts management commands: createuser, deactivateuser, demo."""

from __future__ import annotations

import io
import json
from typing import Any

import pyotp
import pytest
from django.core.management import CommandError, call_command

from recordroom.accounts.models import User
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user

pytestmark = pytest.mark.django_db


def run(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command(*args, "--json", stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def test_createuser_prints_a_one_time_password_that_works():
    result = run("createuser", "pat.coder", "--role", "coder", "--role", "cdi_specialist", "--display-name", "Pat")
    user = User.objects.get(username="pat.coder")
    assert result["roles"] == ["cdi_specialist", "coder"]
    assert user.check_password(result["password"])
    assert user.display_name == "Pat"


def test_createuser_refuses_unknown_roles_and_changes_nothing():
    with pytest.raises(CommandError, match="unknown role 'janitor'"):
        call_command("createuser", "pat", "--role", "janitor")
    assert not User.objects.filter(username="pat").exists()


def test_createuser_refuses_a_lookalike_username():
    with pytest.raises(CommandError, match="a username may contain only"):
        call_command("createuser", "\u0440at.coder", "--role", "coder")
    assert not User.objects.exists()


def test_createuser_as_a_non_admin_actor_is_refused():
    clerk = make_user([Role.HIM_CLERK], username="clerk.one")
    with pytest.raises(CommandError, match="not allowed"):
        call_command("createuser", "new.person", "--role", "coder", "--actor", clerk.username)
    assert not User.objects.filter(username="new.person").exists()


def test_deactivateuser():
    person = make_user(username="leaving.soon")
    result = run("deactivateuser", "leaving.soon", "--reason", "left the organization")
    assert result == {
        "ok": True,
        "username": "leaving.soon",
        "active": False,
        "message": "deactivated leaving.soon",
    }
    assert not User.objects.get(pk=person.user.pk).is_active


def test_deactivateuser_unknown_name_fails():
    with pytest.raises(CommandError, match="no user has that username"):
        call_command("deactivateuser", "nobody", "--reason", "x")


def test_demo_creates_one_signable_user_per_role():
    result = run("demo", "--no-serve", "--demo-patients", "50", "--no-code-sets")
    assert result["hospital"]["patients"] == 50  # the small synthetic hospital (interop synth)
    assert result["code_sets"] == []  # --no-code-sets: the coding tests load them
    users = result["users"]
    assert sorted(u["role"] for u in users) == sorted(r.value for r in Role)
    for row in users:
        user = User.objects.get(username=row["username"])
        assert user.check_password(row["password"])
        assert len(pyotp.TOTP(row["totp_secret"]).now()) == 6
    again = run("demo", "--no-serve", "--demo-patients", "50", "--no-code-sets")
    assert again["hospital"] == {}  # one synthetic hospital per database
    assert User.objects.filter(username__startswith="demo.").count() == len(Role)
    first = users[0]
    assert not User.objects.get(username=first["username"]).check_password(first["password"])
    assert again["users"][0]["username"] == first["username"]


STARTED_WORKERS: list[str] = []


def _test_worker() -> tuple[Any, Any]:
    import threading

    STARTED_WORKERS.append("test")
    return threading.current_thread(), threading.Event()


def test_serve_starts_the_configured_background_workers(settings):
    """The embedded default runs its queues (e.g. scanned-paper OCR) beside the server; the scan worker
    is configured by default."""
    from recordroom.accounts.management.commands.serve import start_background_workers

    assert "recordroom.documents.tasks.start_scan_worker" in settings.RECORDROOM_BACKGROUND_WORKERS
    settings.RECORDROOM_BACKGROUND_WORKERS = [f"{__name__}._test_worker"]
    STARTED_WORKERS.clear()
    assert start_background_workers() == [f"{__name__}._test_worker"]
    assert STARTED_WORKERS == ["test"]
