"""The RecordroomCommand base: --json, --actor, and every run recorded in the audit trail."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def runs() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type="system.command_run").order_by("seq"))


def test_a_successful_run_is_recorded_without_its_arguments():
    make_user([Role.SYSADMIN], username="ops.admin", enrolled=False)
    call_command("createuser", "pat.smith", "--role", "coder", "--actor", "ops.admin", stdout=io.StringIO())
    run = runs()[-1]
    assert run.outcome == "success"
    assert run.detail_data == {"command": "createuser"}
    assert run.on_behalf_of == "system:cli"
    assert "pat.smith" not in run.detail


def test_a_failed_run_is_recorded_as_a_failure():
    with pytest.raises(CommandError):
        call_command("deactivateuser", "nobody", "--reason", "x")
    assert runs()[-1].outcome == "failure"


def test_subcommands_are_recorded_by_name():
    call_command("audit", "verify", stdout=io.StringIO())
    assert runs()[-1].detail_data == {"command": "audit", "action": "verify"}


def test_unknown_actor_is_refused_and_json_says_so():
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("audit", "verify", "--actor", "ghost", "--json", stdout=out)
    assert exited.value.code == 1
    assert json.loads(out.getvalue()) == {"ok": False, "error": "--actor names no active user"}
    assert runs()[-1].outcome == "failure"
