"""``recordroom serve [--port N] [--host H] [--tls-cert FILE --tls-key FILE | --self-signed]``: serve
Recordroom with a production WSGI server.

Plain HTTP uses waitress; put TLS at a reverse proxy in front (docs/security/encryption.md, "In transit")
and bind to 127.0.0.1 unless a proxy on another host needs to reach it. With ``--tls-cert``/``--tls-key``
(or ``--self-signed`` for local use, written under RECORDROOM_HOME/keys/tls) it serves HTTPS itself with
cheroot, TLS 1.2 or newer only (HIPAA 164.312(e)(1); RULES.md ONC-12).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandParser
from django.utils.module_loading import import_string

from recordroom.config import home_dir
from recordroom.core.management.base import CommandFailed, RecordroomCommand
from recordroom.vault.errors import VaultError
from recordroom.vault.tls import https_server, write_self_signed


def start_background_workers() -> list[str]:
    """Start each of ``RECORDROOM_BACKGROUND_WORKERS`` (e.g. the scanned-paper OCR queue) as a daemon
    thread beside the server; the apps that own them are above accounts, so they are named in settings."""
    started = []
    for path in settings.RECORDROOM_BACKGROUND_WORKERS:
        import_string(path)()
        started.append(path)
    return started


class Command(RecordroomCommand):
    help = "Serve Recordroom over HTTP with waitress, or over HTTPS (TLS 1.2+) with cheroot."

    def add_command_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-migrate", action="store_true", help="do not apply pending migrations first")
        parser.add_argument(
            "--no-workers", action="store_true", help="do not start the background workers (another process runs them)"
        )
        parser.add_argument("--tls-cert", type=Path, help="serve HTTPS with this PEM certificate (chain)")
        parser.add_argument("--tls-key", type=Path, help="the PEM private key of --tls-cert")
        parser.add_argument(
            "--self-signed", action="store_true", help="serve HTTPS with a self-signed certificate (local use)"
        )

    def _tls_files(self, options: dict[str, Any]) -> tuple[Path, Path] | None:
        cert, key = options.get("tls_cert"), options.get("tls_key")
        if options.get("self_signed"):
            if cert or key:
                raise CommandFailed("--self-signed and --tls-cert/--tls-key exclude each other")
            return write_self_signed(home_dir("keys", "tls"))
        if bool(cert) != bool(key):
            raise CommandFailed("--tls-cert and --tls-key go together")
        return (Path(cert), Path(key)) if cert and key else None

    def run(self, *, actor: Any, **options: Any) -> dict[str, Any]:
        from recordroom.wsgi import application

        tls = self._tls_files(options)
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        if getattr(settings, "RECORDROOM_ENV", "") == "production":
            call_command("collectstatic", interactive=False, verbosity=0)
        if settings.RECORDROOM_SERVE_WORKERS and not options["no_workers"]:
            start_background_workers()
        if tls is not None:
            try:
                server = https_server(
                    application,
                    host=options["host"],
                    port=options["port"],
                    cert=tls[0],
                    key=tls[1],
                    threads=options["threads"],
                )
            except VaultError as exc:
                raise CommandFailed(str(exc)) from None
            self.stdout.write(
                f"Recordroom is serving on https://{options['host']}:{options['port']}/  (Ctrl+C to stop)"
            )
            self.stdout.flush()
            try:
                server.start()
            except KeyboardInterrupt:
                server.stop()
            return {}
        from waitress import serve

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
