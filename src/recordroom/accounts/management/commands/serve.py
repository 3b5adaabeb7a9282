"""``recordroom serve [--port N] [--host H]``: serve Recordroom with waitress (a production WSGI server).

TLS belongs to a reverse proxy in front (see README, "Production"); bind to 127.0.0.1 unless a proxy on
another host needs to reach it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandParser

from recordroom.core.management.base import RecordroomCommand


class Command(RecordroomCommand):
    help = "Serve Recordroom over HTTP with waitress."

    def add_command_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-migrate", action="store_true", help="do not apply pending migrations first")

    def run(self, *, actor: Any, **options: Any) -> dict[str, Any]:
        from waitress import serve

        from recordroom.wsgi import application

        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        if getattr(settings, "RECORDROOM_ENV", "") == "production":
            call_command("collectstatic", interactive=False, verbosity=0)
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(f"Recordroom is serving on {url}  (Ctrl+C to stop)")
        self.stdout.flush()
        serve(
            application,
            host=options["host"],
            port=options["port"],
            threads=options["threads"],
            ident="Recordroom",
        )
        return {}
