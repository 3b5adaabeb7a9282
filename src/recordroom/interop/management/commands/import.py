# ruff: noqa: N999  (the module is named after the command: `recordroom import fhir`)
"""``recordroom import fhir PATH... [--source LABEL] [--full-validation] [--json] --actor USER``.

Loads FHIR R4 bundles (``.json``) and bulk NDJSON (``.ndjson``) from files and folders
(``interop.services.import_fhir``). Each file is all or nothing; the report lists per file what was
created, what was already there, what was skipped and why, and the error of a refused file (file and entry
or line, never a value). Exits non-zero when any file was refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from recordroom.access.errors import AccessDeniedError
from recordroom.core.management.base import CommandFailed, RecordroomCommand
from recordroom.interop.errors import InteropError
from recordroom.interop.services import import_fhir


class Command(RecordroomCommand):
    help = "Import records from other systems (FHIR R4 bundles and bulk NDJSON)."

    def add_command_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        fhir = sub.add_parser("fhir", parents=[self.shared_options()], help="FHIR R4 bundles and NDJSON")
        fhir.add_argument("paths", nargs="+", type=Path, help="files or folders")
        fhir.add_argument("--source", default="fhir", help="label of the sending system (keys re-imports)")
        fhir.add_argument("--full-validation", action="store_true", help="also validate with fhir.resources")

    def run(self, *, actor: Any, **options: Any) -> dict[str, Any]:
        if actor is None:
            raise CommandFailed("an import acts as a named user: --actor USERNAME")
        try:
            report = import_fhir(
                actor=actor, paths=options["paths"], source=options["source"],
                full_validation=options["full_validation"],
            )  # fmt: skip
        except AccessDeniedError:
            raise CommandFailed("access denied: the actor may not import patients, encounters and documents") from None
        except InteropError as exc:
            raise CommandFailed(exc.message) from None
        payload = report.as_dict()
        if not report.ok:
            failed = [f.error for f in report.files if not f.ok]
            raise CommandFailed(f"{len(failed)} file(s) refused, nothing of them kept:\n" + "\n".join(failed))
        if self.as_json:
            return payload
        lines = []
        for item in report.files:
            created = ", ".join(f"{k} {v}" for k, v in sorted(item.created.items()) if v) or "nothing new"
            lines.append(f"{item.name}: {item.resources} resources; created {created}")
        lines.append(
            f"{payload['resources']} resources in {payload['seconds']} s ({payload['resources_per_second']}/s)"
        )
        return {**payload, "message": "\n".join(lines)}
