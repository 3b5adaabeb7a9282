"""``recordroom deactivateuser NAME --reason TEXT``: deprovision at once (sessions and tokens end)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from recordroom.accounts.errors import AccountsError
from recordroom.accounts.models import User
from recordroom.accounts.services import deactivate_user
from recordroom.core.management.base import CommandFailed, RecordroomCommand


class Command(RecordroomCommand):
    help = "Deactivate a user: sign-in stops and every session and API token ends now."

    def add_command_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="why (e.g. 'left the organization')")

    def run(self, *, actor: Any, **options: Any) -> dict[str, Any]:
        user = User.objects.filter(username=options["username"].strip().lower()).first()
        if user is None:
            raise CommandFailed("no user has that username")
        try:
            deactivate_user(user=user, actor=actor, reason=options["reason"])
        except AccountsError as exc:
            raise CommandFailed(exc.message) from None
        return {"username": user.username, "active": False, "message": f"deactivated {user.username}"}
