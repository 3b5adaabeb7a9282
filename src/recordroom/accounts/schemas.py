from __future__ import annotations

from uuid import UUID

from ninja import Schema


class MeOut(Schema):
    id: UUID
    username: str
    display_name: str
    roles: list[str]
    authenticated_by: str
