"""Schemas of the coding API (STYLE R14)."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class CodeOut(Schema):
    system: str
    code: str
    code_undotted: str
    title: str
    kind: str
    billable: bool
    notes: dict[str, Any]
    seventh_characters: dict[str, str] | None
    valid_from: str | None
    valid_to: str | None
    code_set: str
    mce: list[str]


class CodeSearchOut(Schema):
    count: int
    codes: list[CodeOut]


class EditOut(Schema):
    edit: str
    severity: str
    codes: list[str]
    message: str
    citation: str


class ValidateOut(Schema):
    edits: list[EditOut]
    errors: int
    warnings: int
    code_sets: dict[str, str | None]
    date: str


class DriverOut(Schema):
    code: str
    level: str | None
    drg_impact: str | None


class GroupOut(ValidateOut):
    drg: str | None
    drg_title: str | None
    mdc: str | None
    mdc_title: str | None
    severity: str | None
    return_code: str | None
    grouper: str
    weight: float | None
    gmlos: float | None
    amlos: float | None
    weight_note: str
    cc_mcc: list[DriverOut]
    principal_severity: str | None
    hacs: list[dict[str, Any]]
    drg_before_hac: str | None
    without_cc_mcc: dict[str, Any] | None
    if_documented: dict[str, Any]
