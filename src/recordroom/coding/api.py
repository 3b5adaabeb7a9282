"""Coding API: ``GET /api/v1/coding/codes?q=...`` (code search), ``POST /api/v1/coding/validate`` and
``POST /api/v1/coding/group`` (one encounter in issue 7's JSON form; extra fields allowed). Thin: parse,
call one service, return (STYLE R2). Errors are problem+json (recordroom/api.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Body, Field, Query, Router, Schema

from recordroom.accounts.auth import signed_in_user
from recordroom.coding.schemas import CodeSearchOut, GroupOut, ValidateOut
from recordroom.coding.services import group_encounter, search_codes, validate_encounter
from recordroom.coding.services.search import DEFAULT_LIMIT, MAX_LIMIT

router = Router(tags=["coding"])


class CodeQuery(Schema):
    q: str = Field(..., description="a code prefix (E11, e11.9, E119) or words (typos tolerated)")
    on: date | None = Field(None, description="the date whose code sets are searched (default today)")
    system: str = Field("", description="icd10cm, icd10pcs or cpt (default all)")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


@router.get("/codes", response=CodeSearchOut, operation_id="coding_codes", url_name="coding_codes")
def codes(request: HttpRequest, params: Query[CodeQuery]) -> dict[str, Any]:
    results = search_codes(
        actor=signed_in_user(request),
        query=params.q,
        on=params.on,
        system=params.system,
        limit=params.limit,
        request=request,
    )
    return {"count": len(results), "codes": [r.as_dict() for r in results]}


@router.post("/validate", response=ValidateOut, operation_id="coding_validate", url_name="coding_validate")
def validate(request: HttpRequest, encounter: Body[dict[str, Any]]) -> dict[str, Any]:
    return validate_encounter(actor=signed_in_user(request), data=encounter, request=request)


@router.post("/group", response=GroupOut, operation_id="coding_group", url_name="coding_group")
def group(request: HttpRequest, encounter: Body[dict[str, Any]]) -> dict[str, Any]:
    return group_encounter(actor=signed_in_user(request), data=encounter, request=request)
