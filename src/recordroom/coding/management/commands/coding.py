"""``recordroom coding load [--fiscal-year 2026] [--force]``, ``recordroom coding load-cpt PATH [--version V]``,
``recordroom coding load-weights PATH --grouper-version 431``, ``recordroom coding validate --json FILE`` and
``recordroom coding group --json FILE``.

validate/group read one encounter (issue 7's JSON form) and print ``{"edits": [...], ...}`` (group adds
``drg``, ``mdc``, ``weight``, ...). Exit status: 0 when no edit is an error, 2 when an edit is an error (the
edits are still printed), 1 when the input is refused (not JSON, a missing field, a bad date or code format,
no code set in force on the date), with the reason.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from recordroom.coding.errors import CodingError
from recordroom.coding.services import check_encounter, group_checked, load_code_sets, load_cpt, load_weights
from recordroom.core.management.base import CommandFailed, RecordroomCommand

MAX_FILE = 1024 * 1024


def _read_json(path: str) -> Any:
    file = Path(path)
    try:
        if file.stat().st_size > MAX_FILE:
            raise CommandFailed(f"{file.name}: an encounter file is at most 1 MiB")
        return json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CommandFailed(f"{file.name}: no such file") from None
    except UnicodeDecodeError:
        raise CommandFailed(f"{file.name}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise CommandFailed(f"{file.name}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None


class Command(RecordroomCommand):
    help = "Code sets, edits and MS-DRG grouping."

    def add_command_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        load = sub.add_parser("load", parents=[self.shared_options()], help="load ICD-10-CM and ICD-10-PCS")
        load.add_argument("--fiscal-year", type=int, default=2026, dest="fiscal_year")
        load.add_argument("--force", action="store_true", help="replace a release already loaded")
        cpt = sub.add_parser("load-cpt", parents=[self.shared_options()], help="load a licensed CPT CSV file")
        cpt.add_argument("path")
        cpt.add_argument("--version", dest="cpt_version", default="", help="release label (default: CPT <year>)")
        weights = sub.add_parser("load-weights", parents=[self.shared_options()], help="load CMS Table 5 weights")
        weights.add_argument("path")
        weights.add_argument("--grouper-version", type=int, required=True, dest="grouper_version")
        for name in ("validate", "group"):
            one = sub.add_parser(name, parents=[self.shared_options()], help=f"{name} one encounter JSON file")
            one.add_argument("file")

    def run(self, *, actor: Any, **options: Any) -> dict[str, Any]:
        subcommand = options["subcommand"]
        try:
            if subcommand == "load":
                results = load_code_sets(fiscal_year=options["fiscal_year"], force=options["force"])
                lines = [
                    f"{r.system} {r.version}: {r.codes} codes ({r.billable} reportable)"
                    + ("" if r.created else ", already loaded")
                    for r in results
                ]
                return {"code_sets": [r.as_dict() for r in results], "message": "\n".join(lines)}
            if subcommand == "load-cpt":
                loaded = load_cpt(Path(options["path"]), version=options["cpt_version"])
                return {**loaded.as_dict(), "message": f"{loaded.version}: {loaded.codes} codes loaded"}
            if subcommand == "load-weights":
                count = load_weights(Path(options["path"]), grouper_version=options["grouper_version"])
                return {"drgs": count, "message": f"{count} MS-DRG weights loaded"}
            checked = check_encounter(_read_json(options["file"]))
            payload = checked.as_dict()
            if subcommand == "group":
                payload.update(group_checked(checked))
        except CodingError as exc:
            prefix = f"{exc.field}: " if exc.field and exc.field not in exc.message else ""
            raise CommandFailed(prefix + exc.message) from None
        self.exit_status = 2 if checked.errors else 0
        return payload if self.as_json else {**payload, "message": _text(payload)}

    def handle(self, *args: Any, **options: Any) -> None:
        self.exit_status = 0
        super().handle(*args, **options)
        if self.exit_status:
            sys.exit(self.exit_status)


def _text(payload: dict[str, Any]) -> str:
    lines = [f"{e['severity']:7} {e['edit']:24} {' '.join(e['codes'])}  {e['message']}" for e in payload["edits"]]
    if "drg" in payload:
        lines.append(
            f"MS-DRG {payload['drg']} {payload['drg_title']} (MDC {payload['mdc']}) weight {payload['weight']}"
        )
    lines.append(f"{payload['errors']} error(s), {payload['warnings']} warning(s)")
    return "\n".join(lines)
