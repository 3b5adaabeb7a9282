"""``recordroom access policy-table [--write PATH]``: print (or write) the access policy as Markdown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from recordroom.access.policy import active_policy, policy_markdown
from recordroom.core.management.base import RecordroomCommand


class Command(RecordroomCommand):
    help = "Show the access policy in force as Markdown tables."

    def add_command_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        table = sub.add_parser("policy-table", help="the policy as Markdown")
        table.add_argument("--write", type=Path, help="write to this file instead of printing")

    def run(self, *, actor: Any, **options: Any) -> dict[str, Any]:
        text = policy_markdown(active_policy())
        if options.get("write"):
            options["write"].write_text(text, encoding="utf-8")
            return {"written": str(options["write"]), "message": f"wrote {options['write']}"}
        return {"markdown": text, "message": text}
