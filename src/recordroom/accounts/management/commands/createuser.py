"""``recordroom createuser NAME --role ROLE [--role ROLE ...]``: create a workforce account."""

from __future__ import annotations

import secrets
import sys
from typing import Any

from django.core.management.base import CommandParser

from recordroom.accounts.errors import AccountsError
from recordroom.accounts.models import User
from recordroom.accounts.roles import Role
from recordroom.accounts.services import create_user
from recordroom.core.management.base import CommandFailed, RecordroomCommand


class Command(RecordroomCommand):
    help = "Create a user with one or more roles. The password comes from stdin or is generated and shown once."

    def add_command_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", action="append", default=[], help="a role (repeat for more)")
        parser.add_argument("--display-name", default="", help="the person's name as shown in the app")
        parser.add_argument("--email", default="")
        parser.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
        parser.add_argument("--service-account", action="store_true", help="a named account for a machine")

    def run(self, *, actor: Any, **options: Any) -> dict[str, Any]:
        try:
            roles = [Role.parse(value) for value in options["role"]]
        except ValueError as exc:
            raise CommandFailed(str(exc)) from None
        if not roles:
            raise CommandFailed("give at least one --role")
        generated = not options["password_stdin"]
        password = secrets.token_urlsafe(18) if generated else sys.stdin.readline().rstrip("\n")
        try:
            user: User = create_user(
                username=options["username"],
                display_name=options["display_name"] or options["username"],
                email=options["email"],
                roles=roles,
                password=password,
                is_service_account=options["service_account"],
                actor=actor,
            )
        except AccountsError as exc:
            raise CommandFailed(exc.message) from None
        result: dict[str, Any] = {
            "id": str(user.public_id),
            "username": user.username,
            "roles": sorted(r.value for r in roles),
            "message": f"created {user.username} with roles {', '.join(sorted(r.value for r in roles))}",
        }
        if generated:
            result["password"] = password
            result["message"] += f"\npassword (shown once): {password}\nTwo-step sign-in is set up at first sign-in."
        return result
