"""``recordroom documents process-scans|upload-scan|file``.

recordroom documents process-scans [--limit N] [--watch [--interval S]] [--json]
    recognize the text of queued scanned paper (the background worker; runs as the system, every item
    recorded as ``documents.scan_processed`` or ``documents.scan_failed``). Cron it every minute, or keep
    ``--watch`` running beside ``recordroom serve`` (``./rr demo`` does).
recordroom documents upload-scan FILE [--patient ID] --actor USER [--json]
    queue a scanned PDF/TIFF/PNG/JPEG for text recognition and indexing, as a named user.
recordroom documents file FILE --patient ID --type CODE --title TEXT --date YYYY-MM-DD
    [--encounter ID] [--author-name NAME] [--media-type TYPE] [--source-key KEY] --actor USER [--json]
    file a document into a patient's record, as a named user (source ``manual``).

Titles, names and content are never echoed or recorded; errors name the field at fault.
"""

from __future__ import annotations

import mimetypes
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from recordroom.access.errors import AccessDeniedError
from recordroom.core.management.base import CommandFailed, RecordroomCommand
from recordroom.documents.errors import DocumentsError
from recordroom.documents.selectors import default_purpose_for
from recordroom.documents.services import file_document, process_scans, upload_scan
from recordroom.documents.tasks import run_scan_worker


def _read(path: str) -> bytes:
    file = Path(path)
    if not file.is_file():
        raise CommandFailed("FILE is not a readable file")
    return file.read_bytes()


class Command(RecordroomCommand):
    help = "Process scanned paper and file documents."

    def add_command_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        common = self.shared_options()
        process = sub.add_parser("process-scans", parents=[common], help="recognize the text of queued scans")
        process.add_argument("--limit", type=int, default=50, help="items per pass (default 50)")
        process.add_argument("--watch", action="store_true", help="keep running, a pass every --interval seconds")
        process.add_argument("--interval", type=float, default=5.0)
        upload = sub.add_parser("upload-scan", parents=[common], help="queue a scanned file")
        upload.add_argument("file")
        upload.add_argument("--patient", help="the patient's id, if the cover sheet names the patient")
        filing = sub.add_parser("file", parents=[common], help="file a document into a patient's record")
        filing.add_argument("file")
        filing.add_argument("--patient", required=True)
        filing.add_argument("--encounter")
        filing.add_argument("--type", dest="document_type", required=True)
        filing.add_argument("--title", required=True)
        filing.add_argument("--date", dest="service_date", required=True, help="date of service, YYYY-MM-DD")
        filing.add_argument("--author-name")
        filing.add_argument("--media-type")
        filing.add_argument("--source-key")

    def run(self, *, actor: Any, **options: Any) -> dict[str, Any]:
        subcommand = options["subcommand"]
        if subcommand == "process-scans":
            return self._process(options)
        if actor is None:
            raise CommandFailed(f"documents {subcommand} acts as a named user: --actor USERNAME")
        try:
            if subcommand == "upload-scan":
                item = upload_scan(
                    actor=actor, purpose=default_purpose_for(actor), content=_read(options["file"]),
                    file_name=Path(options["file"]).name, patient_id=options.get("patient"),
                )  # fmt: skip
                return {"scan_id": str(item.public_id), "pages": item.pages, "message": f"queued scan {item.public_id}"}
            return self._file(actor, options)
        except AccessDeniedError:
            raise CommandFailed("access denied: the actor may not do this") from None
        except DocumentsError as exc:
            raise CommandFailed(exc.message) from None

    def _process(self, options: dict[str, Any]) -> dict[str, Any]:
        limit = max(1, int(options["limit"]))
        if options.get("watch"):
            try:
                result = run_scan_worker(interval=float(options["interval"]), limit=limit)
            except KeyboardInterrupt:
                return {"message": "scan worker stopped"}
        else:
            result = process_scans(limit=limit)
        totals = {
            "processed": result.processed, "failed": result.failed, "retried": result.retried,
            "remaining": result.remaining,
        }  # fmt: skip
        message = f"{result.processed} processed, {result.failed} failed, {result.remaining} waiting"
        return {**totals, "message": message}

    def _file(self, actor: Any, options: dict[str, Any]) -> dict[str, Any]:
        try:
            service_date = date.fromisoformat(options["service_date"])
        except ValueError:
            raise CommandFailed("--date is a date as YYYY-MM-DD") from None
        media_type = options.get("media_type") or mimetypes.guess_type(options["file"])[0] or "application/octet-stream"
        filed = file_document(
            actor=actor, purpose=default_purpose_for(actor), patient_id=options["patient"],
            encounter_id=options.get("encounter"), document_type=options["document_type"], title=options["title"],
            content=_read(options["file"]), media_type=media_type, service_date=service_date, author=None,
            author_name=options.get("author_name"), source="manual", source_key=options.get("source_key"),
        )  # fmt: skip
        verb = "filed" if filed.created else "already filed as"
        return {
            "document_id": str(filed.public_id),
            "version": filed.version,
            "created": filed.created,
            "message": f"{verb} document {filed.public_id}",
        }
