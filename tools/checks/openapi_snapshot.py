"""Rewrite tests/snapshots/openapi.json from the API as it is (STYLE R14: a deliberate API change
regenerates the snapshot in the same commit).

    DJANGO_SETTINGS_MODULE=recordroom.settings.test .venv/bin/python tools/checks/openapi_snapshot.py
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "tests" / "snapshots" / "openapi.json"


def schema_text() -> str:
    from recordroom.api import api

    return json.dumps(api.get_openapi_schema(), indent=2, sort_keys=True) + "\n"


def main() -> int:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recordroom.settings.test")
    import django

    django.setup()
    SNAPSHOT.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {SNAPSHOT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
