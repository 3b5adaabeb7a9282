"""``recordroom keys init|status|rotate|retire VERSION``: the vault keyring (docs/operations/keys.md).

``rotate`` adds a key-encryption key version and rewraps every data key under it (the data is not
re-encrypted); ``retire`` erases an old version once nothing is wrapped by it (NIST SP 800-57 Part 1
Rev. 5, 8.2.2 and 8.3.4). ``init`` creates the keyring file of a new production installation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandParser

from recordroom.core.management.base import CommandFailed, RecordroomCommand
from recordroom.vault.errors import VaultError
from recordroom.vault.keyring import FileKeyring
from recordroom.vault.services import key_status, retire_key_version, rotate_keys


class Command(RecordroomCommand):
    help = "Manage the vault keyring: init, status, rotate, retire VERSION."
    # The production system check refuses to start without a keyring; `keys init` is how one is made.
    requires_system_checks: list[str] = []

    def add_command_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["init", "status", "rotate", "retire"])
        parser.add_argument("version", nargs="?", type=int, help="the version to retire")
        parser.add_argument("--batch-size", type=int, default=5000, help="data keys rewrapped per transaction")

    def run(self, *, actor: Any, **options: Any) -> dict[str, Any]:
        action = options["action"]
        try:
            if action == "init":
                path = Path(settings.RECORDROOM_VAULT_KEYRING_PATH)
                if path.exists():
                    raise CommandFailed(f"a keyring already exists at {path}")
                keyring = FileKeyring.generate(path)
                return {
                    "message": f"Created keyring {keyring.keyring_id} at {path} (mode 0600). Escrow a copy "
                    "offline now: without it no record can be read.",
                    "keyring_id": keyring.keyring_id,
                    "path": str(path),
                }
            if action == "status":
                status = key_status()
                lines = [f"keyring {status['keyring_id']}, active version {status['active_version']}"]
                for entry in status["versions"]:
                    state = f"retired {entry['retired_at']}" if entry["retired_at"] else "usable"
                    lines.append(f"  v{entry['version']}: {state}, {entry['data_keys']} data keys")
                lines.append(f"  destroyed data keys: {status['destroyed_data_keys']}")
                return {"message": "\n".join(lines), **status}
            if action == "rotate":
                result = rotate_keys(batch_size=options["batch_size"])
                return {
                    "message": f"Key-encryption key version {result.new_version} is active; "
                    f"{result.rewrapped} data keys rewrapped in {result.seconds:.1f} s.",
                    "new_version": result.new_version,
                    "rewrapped": result.rewrapped,
                    "seconds": round(result.seconds, 3),
                }
            if options["version"] is None:
                raise CommandFailed("keys retire needs the VERSION to retire")
            retire_key_version(options["version"])
            return {"message": f"Version {options['version']} is retired.", "retired": options["version"]}
        except VaultError as exc:
            raise CommandFailed(str(exc)) from None
