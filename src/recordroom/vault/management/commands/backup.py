"""``recordroom backup create [PATH] | verify PATH | restore PATH [--force] | checks``
(HIPAA 164.308(a)(7); docs/operations/backup-restore.md).

The passphrase comes from ``--passphrase-file`` or ``RECORDROOM_BACKUP_PASSPHRASE`` (or its ``_FILE``
form), never from the command line, where other users could read it in the process list.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from recordroom.config import get_secret
from recordroom.core.management.base import CommandFailed, RecordroomCommand
from recordroom.vault.errors import VaultError
from recordroom.vault.services import create_backup, restore_backup, run_integrity_checks, verify_backup


class Command(RecordroomCommand):
    help = "Create, verify or restore an encrypted backup; `checks` checks the configured database."
    # Restoring onto a new machine must work before it has a keyring (the backup brings it).
    requires_system_checks: list[str] = []

    def add_command_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create", "verify", "restore", "checks"])
        parser.add_argument("path", nargs="?", type=Path, help="the archive (create: file or folder)")
        parser.add_argument("--passphrase-file", type=Path, help="file holding the backup passphrase")
        parser.add_argument("--force", action="store_true", help="restore over a database that holds records")
        parser.add_argument(
            "--check", action="append", dest="checks", help="(checks) run this check instead of the setting"
        )

    def _passphrase(self, options: dict[str, Any]) -> str:
        if options.get("passphrase_file"):
            try:
                return Path(options["passphrase_file"]).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise CommandFailed(f"the passphrase file cannot be read: {exc.strerror}") from None
        value = get_secret("BACKUP_PASSPHRASE")
        if value is None:
            raise CommandFailed("give the backup passphrase with --passphrase-file or RECORDROOM_BACKUP_PASSPHRASE")
        return value

    def run(self, *, actor: Any, **options: Any) -> dict[str, Any]:
        action, path = options["action"], options["path"]
        try:
            if action == "checks":
                report = run_integrity_checks(options.get("checks"))
                if not report["ok"]:
                    if self.as_json:  # the whole report, and a failing exit status
                        self.stdout.write(json.dumps(report, indent=2))
                        sys.exit(1)
                    failed = [f"{c['name']}: {c['message']}" for c in report["checks"] if not c["ok"]]
                    raise CommandFailed("integrity checks failed: " + "; ".join(failed))
                return {"message": "All integrity checks passed.", **report}
            if action == "create":
                made = create_backup(path, passphrase=self._passphrase(options))
                return {
                    "message": f"Wrote {made.path} ({made.size} bytes, {made.documents} documents) "
                    f"in {made.seconds:.1f} s.",
                    "path": str(made.path),
                    "size": made.size,
                    "vendor": made.vendor,
                    "documents": made.documents,
                    "row_counts": made.row_counts,
                }
            if path is None:
                raise CommandFailed(f"backup {action} needs the PATH of the archive")
            if action == "verify":
                result = verify_backup(path, passphrase=self._passphrase(options))
                verb = "verified"
            else:
                result = restore_backup(path, passphrase=self._passphrase(options), force=options["force"])
                verb = "restored"
            return {
                "message": f"{path.name} {verb}: {sum(result.row_counts.values())} rows in "
                f"{len(result.row_counts)} tables, {result.documents} documents, every check passed.",
                "path": str(path),
                "vendor": result.vendor,
                "row_counts": result.row_counts,
                "documents": result.documents,
                "checks": result.checks,
            }
        except VaultError as exc:
            raise CommandFailed(str(exc)) from None
