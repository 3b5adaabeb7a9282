"""``recordroom mpi search QUERY [--dob YYYY-MM-DD] [--all] [--json] --actor USER``.

Finds patients in the master patient index as a named user, under the policy and audited like the search
screen. The search term is never logged, recorded or echoed in an error (DESIGN invariant 3): the run is
recorded as ``mpi search`` with its outcome only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import CommandParser

from recordroom.access.errors import AccessDeniedError
from recordroom.core.management.base import CommandFailed, RecordroomCommand
from recordroom.patients.errors import PatientsError
from recordroom.patients.selectors import default_purpose_for
from recordroom.patients.services import find_patients
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
        search = sub.add_parser("search", parents=[self.shared_options()], help="find patients by name or MRN")
        search.add_argument("query", help="a name (spelling may be approximate) or an MRN")
        search.add_argument("--dob", help="date of birth, YYYY-MM-DD")
        search.add_argument("--all", action="store_true", help=f"up to {MAX_LIMIT} results (default {DEFAULT_LIMIT})")

    def run(self, *, actor: Any, **options: Any) -> dict[str, Any]:
        if actor is None:
            raise CommandFailed("a patient search acts as a named user: --actor USERNAME")
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
