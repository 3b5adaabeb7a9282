"""The API's OpenAPI document equals the reviewed snapshot (STYLE R14), and every route needs
authentication and has an operation id."""

from __future__ import annotations

import json
from pathlib import Path

from recordroom.api import api

SNAPSHOT = Path(__file__).resolve().parents[1] / "snapshots" / "openapi.json"


def test_openapi_matches_the_snapshot():
    current = json.loads(json.dumps(api.get_openapi_schema(), sort_keys=True))
    assert current == json.loads(SNAPSHOT.read_text(encoding="utf-8")), (
        "the API changed: review it, then run tools/checks/openapi_snapshot.py and commit the snapshot"
    )


def test_every_route_is_authenticated_and_named():
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("operationId"), (path, method)
            assert operation.get("security"), f"{method.upper()} {path} has no authentication"
