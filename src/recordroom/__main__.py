"""The ``recordroom`` console command: a thin wrapper over Django's management commands.

recordroom demo [--port N]      migrate, create demo users, serve on http://127.0.0.1:8000
recordroom serve [--port N]     serve (waitress) with the configured settings
recordroom migrate              apply database migrations
recordroom createuser NAME ...  create a user with roles
recordroom <any management command>
"""

from __future__ import annotations

import os
import sys

ALIASES = {"demo": "demo", "serve": "serve", "migrate": "migrate", "createuser": "createuser"}


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recordroom.settings.dev")
    from django.core.management import execute_from_command_line

    if not args or args[0] in {"-h", "--help", "help"}:
        sys.stdout.write(__doc__ or "")
        if not args:
            return
    elif args[0] in ALIASES:
        args[0] = ALIASES[args[0]]
    execute_from_command_line(["recordroom", *args])


if __name__ == "__main__":
    main()
