"""Request ids and no-store caching on every dynamic response."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_every_response_has_a_request_id_and_no_store(client):
    first = client.get("/accounts/login/")
    second = client.get("/accounts/login/")
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert first["Cache-Control"] == "no-store, max-age=0"


def test_static_files_are_cacheable(client):
    response = client.get("/static/web/recordroom.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
