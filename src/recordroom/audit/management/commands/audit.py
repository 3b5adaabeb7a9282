"""``recordroom audit verify|checkpoint|export|forward|keygen``.

recordroom audit verify [--from SEQ] [--json]           exit 1 and name the first bad event
recordroom audit checkpoint [--export FILE]              sign the head now (cron: every minute)
recordroom audit export --format csv|fhir --output FILE --actor USER [--from ISO] [--to ISO]
                                                        [--patient ID] [--user ID]
recordroom audit forward --to udp://host:514|tcp://host:601   send new events to syslog
recordroom audit keygen PATH                             a new Ed25519 checkpoint key (production)
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management.base import CommandParser
from django.utils.dateparse import parse_datetime

from recordroom.access.errors import AccessDeniedError
from recordroom.audit.exports import csv_lines, fhir_bundle
from recordroom.audit.selectors import AuditQuery, audit_events_for_export
from recordroom.audit.services import verify_chain, write_checkpoint
from recordroom.audit.services.forwarding import ForwardingError, forward_to_syslog
from recordroom.core.management.base import CommandFailed, RecordroomCommand


def _moment(value: str | None, flag: str) -> datetime | None:
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None or parsed.tzinfo is None:
        raise CommandFailed(f"{flag} must be an ISO 8601 time with a zone, e.g. 2025-01-01T00:00:00Z")
    return parsed


class Command(RecordroomCommand):
    help = "Verify, checkpoint, export and forward the audit trail."

    def add_command_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        common = self.shared_options()
        verify = sub.add_parser("verify", parents=[common], help="check the hash chain and checkpoints")
        verify.add_argument("--from", dest="from_seq", type=int, default=1)
        checkpoint = sub.add_parser("checkpoint", parents=[common], help="sign the chain head now")
        checkpoint.add_argument("--export", type=Path, help="append the checkpoint (JSON line) to this file")
        export = sub.add_parser("export", parents=[common], help="export events as CSV or FHIR AuditEvent")
        export.add_argument("--format", choices=["csv", "fhir"], required=True)
        export.add_argument("--output", type=Path, required=True)
        export.add_argument("--from", dest="start")
        export.add_argument("--to", dest="end")
        export.add_argument("--patient", type=int)
        export.add_argument("--user", type=int)
        forward = sub.add_parser("forward", parents=[common], help="send new events to a syslog collector")
        forward.add_argument("--to", dest="destination", required=True)
        forward.add_argument("--batch", type=int, default=1000)
        keygen = sub.add_parser("keygen", parents=[common], help="write a new Ed25519 checkpoint key")
        keygen.add_argument("path", type=Path)

    def run(self, *, actor: Any, **options: Any) -> dict[str, Any]:
        sub = options["subcommand"]
        if sub == "verify":
            result = verify_chain(from_seq=max(1, options["from_seq"]))
            if not result.ok:
                if self.as_json:
                    self.stdout.write(json.dumps({"ok": False, **result.as_dict()}, indent=2))
                    raise SystemExit(1)
                raise CommandFailed(f"audit chain broken at event #{result.first_bad_seq}: {result.problem}")
            message = f"audit chain verified: {result.checked} events, {result.checkpoints_checked} checkpoints"
            return {**result.as_dict(), "message": message}
        if sub == "checkpoint":
            checkpoint = write_checkpoint(export_to=options.get("export"))
            if checkpoint is None:
                return {"message": "the audit trail is empty: nothing to sign"}
            return {"seq": checkpoint.seq, "hash": checkpoint.hash, "key_id": checkpoint.key_id,
                    "message": f"checkpoint at event #{checkpoint.seq} ({checkpoint.hash[:16]}...)"}  # fmt: skip
        if sub == "export":
            return self._export(actor, options)
        if sub == "forward":
            try:
                sent = forward_to_syslog(options["destination"], batch=max(1, min(options["batch"], 10_000)))
            except ForwardingError as exc:
                raise CommandFailed(str(exc)) from None
            return {"sent": sent, "message": f"forwarded {sent} events"}
        return self._keygen(options["path"])

    def _export(self, actor: Any, options: dict[str, Any]) -> dict[str, Any]:
        if actor is None:
            raise CommandFailed("an export names the person it is for: --actor USERNAME")
        query = AuditQuery(
            start=_moment(options.get("start"), "--from"),
            end=_moment(options.get("end"), "--to"),
            patient_id=options.get("patient"),
            actor_id=options.get("user"),
            sort="seq",
        )
        try:
            events = audit_events_for_export(actor, query, export_format=options["format"])
        except AccessDeniedError as exc:
            raise CommandFailed(exc.message) from None
        path: Path = options["output"]
        count = 0
        with path.open("w", encoding="utf-8", newline="") as handle:
            if options["format"] == "csv":
                for line in csv_lines(events.iterator(chunk_size=2000)):
                    handle.write(line)
                    count += 1
                count -= 1
            else:
                bundle = fhir_bundle(events.iterator(chunk_size=2000))
                json.dump(bundle, handle, indent=1)
                count = int(bundle["total"])
        return {"events": count, "output": str(path), "message": f"exported {count} events to {path}"}

    def _keygen(self, path: Path) -> dict[str, Any]:
        if path.exists():
            raise CommandFailed(f"{path} exists: refusing to overwrite a signing key")
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        return {"path": str(path), "message": f"wrote {path}; set RECORDROOM_AUDIT_SIGNING_KEY_FILE={path}"}
