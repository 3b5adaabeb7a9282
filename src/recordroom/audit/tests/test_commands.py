"""``recordroom audit verify|checkpoint|export|keygen``."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.audit.services import verify_chain
from recordroom.audit.tests.factories import raw, record_events

pytestmark = pytest.mark.django_db


def test_verify_json_on_an_intact_chain():
    record_events(4)
    out = io.StringIO()
    call_command("audit", "verify", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["ok"] is True
    assert result["checked"] == 4


def test_verify_exits_non_zero_and_names_the_event():
    record_events(4)
    raw("UPDATE audit_auditevent SET resource_id = 'doc-x' WHERE seq = 3")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("audit", "verify", "--json", stdout=out)
    assert exited.value.code == 1
    assert json.loads(out.getvalue())["first_bad_seq"] == 3
    with pytest.raises(CommandError, match="audit chain broken at event #3"):
        call_command("audit", "verify")


def test_checkpoint_exports_a_line_outside_the_database(tmp_path):
    record_events(2)
    anchor = tmp_path / "anchors.jsonl"
    call_command("audit", "checkpoint", "--export", str(anchor), stdout=io.StringIO())
    line = json.loads(anchor.read_text().splitlines()[-1])
    assert line["seq"] == 2
    assert len(line["signature"]) == 128
    assert verify_chain().ok


def test_export_needs_an_actor_with_permission(tmp_path):
    record_events(2)
    with pytest.raises(CommandError, match="--actor"):
        call_command("audit", "export", "--format", "csv", "--output", str(tmp_path / "a.csv"))
    make_user([Role.CODER], username="coder.one", enrolled=False)
    with pytest.raises(CommandError, match="Access denied"):
        call_command("audit", "export", "--format", "csv", "--output", str(tmp_path / "a.csv"), "--actor", "coder.one")
    make_user([Role.AUDITOR], username="auditor.one", enrolled=False)
    out = io.StringIO()
    call_command("audit", "export", "--format", "fhir", "--output", str(tmp_path / "a.json"),
                 "--actor", "auditor.one", "--json", stdout=out)  # fmt: skip
    assert json.loads(out.getvalue())["events"] >= 2
    assert json.loads((tmp_path / "a.json").read_text())["resourceType"] == "Bundle"


def test_export_refuses_a_time_without_zone(tmp_path):
    make_user([Role.AUDITOR], username="auditor.one", enrolled=False)
    with pytest.raises(CommandError, match="ISO 8601 time with a zone"):
        call_command("audit", "export", "--format", "csv", "--output", str(tmp_path / "a.csv"),
                     "--actor", "auditor.one", "--from", "2025-01-01")  # fmt: skip


def test_keygen_writes_an_owner_only_key_and_refuses_to_overwrite(tmp_path):
    path = tmp_path / "audit.pem"
    call_command("audit", "keygen", str(path), stdout=io.StringIO())
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert path.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    with pytest.raises(CommandError, match="refusing to overwrite"):
        call_command("audit", "keygen", str(path))
