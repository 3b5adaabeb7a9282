"""``recordroom mpi search QUERY [--dob YYYY-MM-DD] [--all] [--json] --actor USER`` and
``recordroom mpi export-index --csv PATH [--status STATUS] --actor USER`` and
``recordroom mpi find-duplicates [--threshold P] [--json] --actor USER`` (the probabilistic duplicate batch:
counts, timings and, with ``--json``, the queued pairs as public ids with their probability, never a name).

Finds patients in the master patient index as a named user, under the policy and audited like the search
screen. The search term is never logged, recorded or echoed in an error (DESIGN invariant 3): the run is
recorded as ``mpi search`` with its outcome only.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from recordroom.access.errors import AccessDeniedError
from recordroom.core.management.base import CommandFailed, RecordroomCommand
from recordroom.patients.errors import PatientsError
from recordroom.patients.selectors import default_purpose_for
from recordroom.patients.services import export_index, find_duplicates, find_patients, run_pairs
from recordroom.patients.services.duplicates_model import DEFAULT_THRESHOLD
from recordroom.patients.services.index import MAX_PER_PAGE, list_index
from recordroom.patients.services.lookup import DEFAULT_LIMIT, MAX_LIMIT


def _dob(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandFailed("--dob is a date as YYYY-MM-DD") from None


class Command(RecordroomCommand):
    help = "Search the master patient index."

    def add_command_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        search = sub.add_parser(
            "search", parents=[self.shared_options()], help="find patients by name, MRN or identifier"
        )
        search.add_argument(
            "query", nargs="?", default=None, help="a name (spelling may be approximate), an MRN or an identifier"
        )
        search.add_argument("--dob", help="date of birth, YYYY-MM-DD")
        search.add_argument(
            "--all",
            action="store_true",
            help=f"with QUERY: up to {MAX_LIMIT} results (default {DEFAULT_LIMIT}); alone: every active patient",
        )
        export = sub.add_parser(
            "export-index", parents=[self.shared_options()], help="write the master patient index as CSV"
        )
        export.add_argument("--csv", required=True, dest="csv_path", help="the file to write (created or replaced)")
        export.add_argument("--status", default="", help="only records of this status (active, merged, inactive)")
        duplicates = sub.add_parser(
            "find-duplicates", parents=[self.shared_options()], help="score likely duplicates into the review queue"
        )
        duplicates.add_argument(
            "--threshold",
            type=float,
            default=DEFAULT_THRESHOLD,
            help=f"match probability (default {DEFAULT_THRESHOLD})",
        )

    def run(self, *, actor: Any, **options: Any) -> dict[str, Any]:
        if options.get("subcommand") == "export-index":
            return self.export(actor=actor, **options)
        if options.get("subcommand") == "find-duplicates":
            return self.find_duplicates(actor=actor, **options)
        if actor is None:
            raise CommandFailed("a patient search acts as a named user: --actor USERNAME")
        if options.get("query") is None:
            if not options.get("all"):
                raise CommandFailed("give a QUERY (name, MRN or identifier), or --all for every active patient")
            return self.every_active(actor)
        try:
            results = find_patients(
                actor=actor,
                purpose=default_purpose_for(actor),
                query=str(options["query"]),
                dob=_dob(options.get("dob")),
                limit=MAX_LIMIT if options.get("all") else DEFAULT_LIMIT,
            )
        except AccessDeniedError:
            raise CommandFailed("access denied: the actor may not search patients") from None
        except PatientsError as exc:
            raise CommandFailed(exc.message) from None
        payload: dict[str, Any] = {"count": len(results), "patients": [r.as_dict() for r in results]}
        if self.as_json:
            return payload
        lines = [
            f"{r.mrn}  {r.date_of_birth.isoformat()}  {r.administrative_sex}  {r.status:<8}  {r.display_name}"
            for r in results
        ]
        return {**payload, "message": "\n".join([*lines, f"{len(results)} patient(s) found"])}

    def export(self, *, actor: Any, **options: Any) -> dict[str, Any]:
        """Stream the index to a file (audited as an export by the service; the file holds PHI, so it is
        created readable by its owner only)."""
        if actor is None:
            raise CommandFailed("an index export acts as a named user: --actor USERNAME")
        try:
            lines = export_index(actor=actor, purpose=default_purpose_for(actor), status=options.get("status"))
        except AccessDeniedError:
            raise CommandFailed("access denied: the actor may not export the patient index") from None
        except PatientsError as exc:
            raise CommandFailed(exc.message) from None
        path = Path(str(options["csv_path"]))
        rows = -1
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as out:
                for line in lines:
                    out.write(line)
                    rows += 1
        except OSError as exc:
            raise CommandFailed(f"cannot write {path}: {exc.strerror}") from None
        return {"rows": rows, "path": str(path), "message": f"{rows} record(s) written to {path}"}

    def find_duplicates(self, *, actor: Any, **options: Any) -> dict[str, Any]:
        """Run the duplicate batch as a named HIM user (the service authorizes and records the run)."""
        if actor is None:
            raise CommandFailed("the duplicate batch acts as a named user: --actor USERNAME")
        try:
            run = find_duplicates(actor=actor, purpose=default_purpose_for(actor), threshold=options["threshold"])
        except AccessDeniedError:
            raise CommandFailed("access denied: the actor may not run the duplicate batch") from None
        except PatientsError as exc:
            raise CommandFailed(exc.message) from None
        summary = run.model_summary
        payload: dict[str, Any] = {
            "run_id": str(run.public_id),
            "patients_scanned": run.patients_scanned,
            "pairs_scored": run.pairs_scored,
            "pairs_queued": run.pairs_queued,
            "threshold": run.threshold,
            "counts": summary.get("counts", {}),
            "timings": summary.get("timings", {}),
        }
        if self.as_json:
            return {**payload, "pairs": run_pairs(run)}
        counts = payload["counts"]
        timings = payload["timings"]
        scanned = f"{run.patients_scanned} patients scanned, {run.pairs_scored} candidate pairs scored"
        queued = (
            f"new {counts.get('new', 0)}, rescored open {counts.get('rescored_open', 0)}, "
            f"kept not-duplicate {counts.get('kept_not_duplicate', 0)}, "
            f"multiple births left out {counts.get('multiple_births_left_out', 0)}"
        )
        lines = [
            f"{scanned}, {run.pairs_queued} at or above {run.threshold}",
            queued,
            "timings (s): " + ", ".join(f"{name} {seconds}" for name, seconds in timings.items()),
        ]
        return {**payload, "message": "\n".join(lines)}

    def every_active(self, actor: Any) -> dict[str, Any]:
        """``mpi search --all`` without a query: every active patient, page by page from the index listing
        (each page audited as a query; restricted records only for those cleared)."""
        found: list[dict[str, Any]] = []
        page, pages = 1, 1
        try:
            while page <= pages:
                listing = list_index(
                    actor=actor, purpose=default_purpose_for(actor), status="active", page=page, per_page=MAX_PER_PAGE
                )
                found += [
                    {"public_id": r.public_id, "display_name": r.name, "date_of_birth": r.date_of_birth,
                     "administrative_sex": r.sex, "mrn": r.mrn, "status": r.status, "replaced_by": None}
                    for r in listing.rows
                ]  # fmt: skip
                page, pages = page + 1, listing.pages
        except AccessDeniedError:
            raise CommandFailed("access denied: the actor may not search patients") from None
        payload: dict[str, Any] = {"count": len(found), "patients": found}
        if self.as_json:
            return payload
        lines = [f"{p['mrn']}  {p['date_of_birth']}  {p['administrative_sex']}  {p['display_name']}" for p in found]
        return {**payload, "message": "\n".join([*lines, f"{len(found)} active patient(s)"])}
