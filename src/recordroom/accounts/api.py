"""Accounts API: who is calling (``GET /api/v1/accounts/me``)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from recordroom.accounts.auth import request_roles, signed_in_user
from recordroom.accounts.schemas import MeOut

router = Router(tags=["accounts"])


@router.get("/me", response=MeOut, operation_id="accounts_me", url_name="accounts_me")
def me(request: HttpRequest) -> MeOut:
    user = signed_in_user(request)
    return MeOut(
        id=user.public_id,
        username=user.username,
        display_name=user.display_name,
        roles=sorted(r.value for r in request_roles(request)),
        authenticated_by="token" if request.headers.get("Authorization") else "session",
    )
