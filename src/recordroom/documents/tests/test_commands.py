"""``recordroom documents process-scans|upload-scan|file``: the worker runs as the system; filing and
uploading act as a named user under the policy and never echo titles or content."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.audit.models import AuditEvent
from recordroom.documents.models import Document, ScannedItem, ScanState
from recordroom.documents.services import scans as scans_module
from recordroom.documents.tests.factories import png_with_text
from recordroom.encounters.tests.factories import make_encounter

pytestmark = pytest.mark.django_db


def test_upload_then_process_scans(tmp_path, monkeypatch):
    monkeypatch.setattr(scans_module, "_tesseract", lambda _data: "OPERATIVE NOTE")
    clerk = make_user([Role.HIM_CLERK])
    scan = tmp_path / "page.png"
    scan.write_bytes(png_with_text("OPERATIVE NOTE"))
    out = io.StringIO()
    call_command("documents", "upload-scan", str(scan), "--actor", clerk.username, "--json", stdout=out)
    assert json.loads(out.getvalue())["pages"] == 1
    out = io.StringIO()
    call_command("documents", "process-scans", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {
        "ok": True, "processed": 1, "failed": 0, "retried": 0, "remaining": 0,
        "message": "1 processed, 0 failed, 0 waiting",
    }  # fmt: skip
    assert ScannedItem.objects.get().state == ScanState.READY
    run = AuditEvent.objects.filter(event_type="system.command_run").latest("seq")
    assert run.outcome == "success"


def test_file_as_a_named_user_and_refusals(tmp_path):
    clerk = make_user([Role.HIM_CLERK])
    encounter = make_encounter()
    note = tmp_path / "note.txt"
    note.write_text("Discharged home in good condition.")
    args = [
        "documents", "file", str(note), "--patient", str(encounter.patient.public_id), "--type",
        "discharge_summary", "--title", "Secret title", "--date", "2026-01-07", "--author-name", "Dr. A",
    ]  # fmt: skip
    out = io.StringIO()
    call_command(*args, "--actor", clerk.username, "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert Document.objects.get(public_id=result["document_id"]).document_type == "discharge_summary"
    assert "Secret" not in out.getvalue()
    with pytest.raises(CommandError, match="--actor"):
        call_command(*args)
    sysadmin = make_user([Role.SYSADMIN])
    with pytest.raises(CommandError, match="access denied"):
        call_command(*args, "--actor", sysadmin.username)
    with pytest.raises(CommandError, match="--date"):
        call_command(*args[:-4], "--date", "07/01/2026", "--actor", clerk.username)
    assert Document.objects.count() == 1


def test_the_worker_thread_processes_the_queue_and_stops(monkeypatch):
    import threading

    from recordroom.documents.services import upload_scan
    from recordroom.documents.tasks import run_scan_worker

    monkeypatch.setattr(scans_module, "_tesseract", lambda _data: "TEXT")
    clerk = make_user([Role.HIM_CLERK]).user
    from recordroom.core.vocabulary import Purpose

    upload_scan(actor=clerk, purpose=Purpose.OPERATIONS, content=png_with_text("x"))
    stop = threading.Event()
    original = scans_module.process_scans

    def once_then_stop(**kwargs):
        try:
            return original(**kwargs)
        finally:
            stop.set()

    monkeypatch.setattr("recordroom.documents.tasks.process_scans", once_then_stop)
    result = run_scan_worker(interval=0.5, stop=stop)
    assert (result.processed, result.remaining) == (1, 0)
    assert ScannedItem.objects.get().state == ScanState.READY
