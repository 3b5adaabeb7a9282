"""The base class for every Recordroom management command (STYLE R12).

It adds ``--json`` (machine-readable output on stdout), ``--actor`` (the user a command acts as; the
``system`` actor when omitted) and ``--automated`` (run by cron: no prompts). A command implements
``run()`` and returns a dict; failures raise :class:`CommandFailed` and exit non-zero.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, transaction
from django.utils.module_loading import import_string

logger = logging.getLogger("recordroom.commands")


class CommandFailed(CommandError):
    """A command could not do what was asked; the message says why (no PHI)."""


class RecordroomCommand(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
        parser.add_argument("--actor", help="username to act as (default: the system actor)")
        parser.add_argument("--automated", action="store_true", help="non-interactive (cron) run")
        self.add_command_arguments(parser)

    def add_command_arguments(self, parser: CommandParser) -> None:
        """Subclasses add their own arguments here."""

    @staticmethod
    def shared_options() -> Any:
        """A parent parser for subcommands, so ``--json``/``--actor``/``--automated`` may also follow the
        subcommand (``recordroom audit verify --json``). SUPPRESS keeps a value given before it."""
        parent = argparse.ArgumentParser(add_help=False)
        parent.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
        parent.add_argument("--actor", default=argparse.SUPPRESS)
        parent.add_argument("--automated", action="store_true", default=argparse.SUPPRESS)
        return parent

    def resolve_actor(self, username: str | None) -> AbstractBaseUser | None:
        if not username:
            return None
        model = get_user_model()
        try:
            return model.objects.get(username=username, is_active=True)
        except model.DoesNotExist:
            raise CommandFailed("--actor names no active user") from None

    def handle(self, *args: Any, **options: Any) -> None:
        self.as_json = bool(options.get("json"))
        self.automated = bool(options.get("automated"))
        rest = {key: value for key, value in options.items() if key != "actor"}
        actor = None
        outcome = "failure"
        try:
            actor = self.resolve_actor(options.get("actor"))
            result = self.run(actor=actor, **rest)
            outcome = "success"
        except CommandFailed as exc:
            if self.as_json:
                self.stdout.write(json.dumps({"ok": False, "error": str(exc)}))
                sys.exit(1)
            raise
        finally:
            self._record_run(options, actor, outcome)
        if self.as_json:
            self.stdout.write(json.dumps({"ok": True, **result}, default=str, indent=2))
        elif result.get("message"):
            self.stdout.write(str(result["message"]))

    def _record_run(self, options: dict[str, Any], actor: AbstractBaseUser | None, outcome: str) -> None:
        """Hand the run to the recorder named by ``RECORDROOM_COMMAND_RECORDER`` (the audit trail; core
        may not import it). A database that is not migrated yet (``keys init`` on a new machine) has no
        trail to write to: that is logged, and the command's own result stands."""
        recorder_path = getattr(settings, "RECORDROOM_COMMAND_RECORDER", "")
        if not recorder_path:
            return
        command = type(self).__module__.rsplit(".", 1)[-1]
        action = str(options.get("subcommand") or options.get("action") or "")
        try:
            recorder = import_string(recorder_path)
            with transaction.atomic():
                recorder(command=command, action=action, actor=actor, outcome=outcome)
        except DatabaseError:
            logger.warning("command %s %s: the audit trail is not available to record the run", command, action)

    def run(self, *, actor: AbstractBaseUser | None, **options: Any) -> dict[str, Any]:
        raise CommandFailed(f"{type(self).__module__} does not implement run()")
