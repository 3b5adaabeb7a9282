"""``record()``: append one event to the chain, in the caller's transaction.

- The event type must be registered (STYLE R6); every field is checked: ids and codes only, and a
  free field that looks like PHI (spaces, an SSN, a phone number, an e-mail address) is refused
  (DESIGN invariant 3).
- The append locks the chain head, so events get consecutive sequence numbers in commit order; a
  transaction that rolls back takes its events with it, and :func:`recorded_attempt` then records the
  attempt as a failure (DESIGN invariant 2: failures are recorded too).
- Every ``RECORDROOM_AUDIT_CHECKPOINT_EVERY`` events, and when the last checkpoint is older than a
  minute, a signed checkpoint is written in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Any, Protocol

from django.db import connection, transaction
from django.http import HttpRequest

from recordroom.audit.audit_events import SystemEvent
from recordroom.audit.chain import CHAIN_COLUMNS, canonical_text, link
from recordroom.audit.errors import AuditError, AuditErrorCode
from recordroom.audit.models import GENESIS_HASH
from recordroom.audit.registry import UnknownEventTypeError, registered
from recordroom.audit.services.checkpoints import checkpoint_due, insert_checkpoint
from recordroom.core import clock
from recordroom.core.requests import client_ip, request_id, user_agent
from recordroom.core.vocabulary import Purpose


class AuditAction(StrEnum):
    """ASTM E2147-18 7.1.8 type of action, plus the account actions of 170.210(e)(1)(i)."""

    CREATE = "create"
    READ = "read"
    QUERY = "query"
    UPDATE = "update"
    DELETE = "delete"
    PRINT = "print"
    COPY = "copy"
    EXPORT = "export"
    DISCLOSE = "disclose"
    MERGE = "merge"
    UNMERGE = "unmerge"
    SIGN = "sign"
    AMEND = "amend"
    LOGIN = "login"
    LOGOUT = "logout"
    PRIVILEGE_CHANGE = "privilege_change"
    BREAK_GLASS = "break_glass"
    VERIFY = "verify"
    SECURITY = "security"


class Outcome(StrEnum):
    SUCCESS = "success"
    DENIED = "denied"
    FAILURE = "failure"


class Actor(Protocol):
    pk: Any

    def role_set(self) -> Any: ...


_CODE = re.compile(r"^[A-Za-z0-9_.:@/+\-]{0,64}$")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_SSN = re.compile(r"\d{3}-?\d{2}-?\d{4}")
_PHONE = re.compile(r"\(?\d{3}\)?[-. ]?\d{3}[-. ]?\d{4}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_LIST = 20


def _code(value: str, field: str) -> str:
    if not _CODE.fullmatch(value):
        raise AuditError(AuditErrorCode.INVALID_FIELD, f"audit field {field} must be a short code or id")
    if _SSN.fullmatch(value) or _PHONE.fullmatch(value) or _EMAIL.fullmatch(value):
        raise AuditError(AuditErrorCode.PHI_IN_FREE_FIELD, f"audit field {field} looks like PHI; record ids only")
    return value


def _detail_value(key: str, value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return _code(value, f"detail.{key}")
    if isinstance(value, list | tuple):
        if len(value) > MAX_LIST:
            raise AuditError(AuditErrorCode.INVALID_FIELD, f"audit field detail.{key} has more than {MAX_LIST} items")
        return [_detail_value(key, item) for item in value]
    raise AuditError(AuditErrorCode.INVALID_FIELD, f"audit field detail.{key} must be a code, number or list")


def canonical_detail(detail: dict[str, Any] | None) -> str:
    cleaned: dict[str, Any] = {}
    for key, value in (detail or {}).items():
        if not _KEY.fullmatch(key):
            raise AuditError(AuditErrorCode.INVALID_FIELD, "audit detail keys are short snake_case names")
        cleaned[key] = _detail_value(key, value)
    return json.dumps(cleaned, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _session_digest(request: HttpRequest | None) -> str:
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None) if session is not None else None
    if not key:
        return ""
    return hashlib.sha256(("recordroom-session:" + key).encode()).hexdigest()[:32]


def _request_id(request: HttpRequest | None) -> str:
    rid = request_id(request)
    return "" if rid == "-" else _code(rid[:64], "request_id")


def _roles_of(actor: Actor | None) -> str:
    if actor is None:
        return ""
    return ",".join(sorted(str(role.value) for role in actor.role_set()))


def record(
    event_type: StrEnum,
    *,
    action: AuditAction,
    outcome: Outcome,
    actor: Actor | None = None,
    request: HttpRequest | None = None,
    purpose: Purpose | None = None,
    resource_type: str = "",
    resource_id: str | int | None = None,
    patient_id: int | None = None,
    data_category: str = "",
    emergency: bool = False,
    on_behalf_of: str = "",
    detail: dict[str, Any] | None = None,
) -> int:
    """Append one event; returns its sequence number. Raises :class:`AuditError` on a bad field
    (nothing is written). Joins the caller's transaction, or makes its own."""
    try:
        member = registered(event_type)
    except UnknownEventTypeError as exc:
        raise AuditError(AuditErrorCode.UNKNOWN_EVENT_TYPE, str(exc)) from None
    values = {
        "event_type": member.value,
        "action": AuditAction(action).value,
        "outcome": Outcome(outcome).value,
        "actor_id": "" if actor is None else str(int(actor.pk)),
        "actor_roles": _roles_of(actor),
        "on_behalf_of": _code(on_behalf_of or str(getattr(request, "rr_on_behalf_of", "")), "on_behalf_of"),
        "resource_type": _code(resource_type, "resource_type"),
        "resource_id": _code("" if resource_id is None else str(resource_id), "resource_id"),
        "patient_id": "" if patient_id is None else str(int(patient_id)),
        "data_category": _code(data_category, "data_category"),
        "purpose": "" if purpose is None else Purpose(purpose).value,
        "emergency": "1" if emergency else "0",
        "source_ip": (client_ip(request) or "") if request is not None else "",
        "user_agent": _CONTROL.sub(" ", user_agent(request)) if request is not None else "",
        "session_id": _session_digest(request),
        "request_id": _request_id(request),
        "detail": canonical_detail(detail),
    }
    with transaction.atomic(savepoint=False):
        return _append(values)


_INSERT_COLUMNS = (
    "seq", "event_us", "event_type", "action", "outcome", "actor_id", "actor_roles", "on_behalf_of",
    "resource_type", "resource_id", "patient_id", "data_category", "purpose", "emergency", "source_ip",
    "user_agent", "session_id", "request_id", "detail", "hash",
)  # fmt: skip


def _append(values: dict[str, str]) -> int:
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT seq, hash, checkpoint_seq, checkpoint_us FROM audit_audithead WHERE id = 1" + lock  # noqa: S608
        )
        head = cursor.fetchone()
        if head is None:
            cursor.execute("SELECT COUNT(*) FROM audit_auditevent")
            if cursor.fetchone()[0]:
                raise AuditError(AuditErrorCode.CHAIN_HEAD_MISSING, "the audit chain head is missing: run audit verify")
            cursor.execute(
                "INSERT INTO audit_audithead (id, seq, hash, checkpoint_seq, checkpoint_us) VALUES (1, 0, %s, 0, 0)",
                [GENESIS_HASH],
            )
            head = (0, GENESIS_HASH, 0, 0)
        previous_seq, previous_hash, checkpoint_seq, checkpoint_us = head
        seq = int(previous_seq) + 1
        event_us = clock.to_microseconds(clock.now())
        row = {"seq": str(seq), "event_us": str(event_us), **values}
        chain_hash = link(str(previous_hash), canonical_text([row[column] for column in CHAIN_COLUMNS]))
        params: list[Any] = [
            seq, event_us, values["event_type"], values["action"], values["outcome"],
            int(values["actor_id"]) if values["actor_id"] else None, values["actor_roles"], values["on_behalf_of"],
            values["resource_type"], values["resource_id"],
            int(values["patient_id"]) if values["patient_id"] else None, values["data_category"],
            values["purpose"], values["emergency"] == "1", values["source_ip"], values["user_agent"],
            values["session_id"], values["request_id"], values["detail"], chain_hash,
        ]  # fmt: skip
        markers = ", ".join(["%s"] * len(_INSERT_COLUMNS))
        cursor.execute(
            f"INSERT INTO audit_auditevent ({', '.join(_INSERT_COLUMNS)}) VALUES ({markers})",  # noqa: S608
            params,
        )
        if checkpoint_due(seq, event_us, int(checkpoint_seq), int(checkpoint_us)):
            insert_checkpoint(cursor, seq, chain_hash, event_us)
            cursor.execute(
                "UPDATE audit_audithead SET seq = %s, hash = %s, checkpoint_seq = %s, checkpoint_us = %s WHERE id = 1",
                [seq, chain_hash, seq, event_us],
            )
        else:
            cursor.execute("UPDATE audit_audithead SET seq = %s, hash = %s WHERE id = 1", [seq, chain_hash])
    return seq


@contextmanager
def recorded_attempt(event_type: StrEnum, *, action: AuditAction, **fields: Any) -> Iterator[None]:
    """Run the block in its own transaction; if it raises, the block's writes roll back and the attempt
    is then recorded as a failure (with the exception's class name) before the error goes on."""
    try:
        with transaction.atomic():
            yield
    except AuditError:
        raise
    except Exception as exc:
        detail = dict(fields.pop("detail", None) or {})
        detail["error"] = type(exc).__name__
        record(event_type, action=action, outcome=Outcome.FAILURE, detail=detail, **fields)
        raise


_COMMAND_WORD = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


def record_command(*, command: str, action: str, actor: Actor | None, outcome: Outcome) -> int:
    """Record one run of a ``recordroom`` command: which command and sub-action, by whom, and whether it
    succeeded. Arguments are never recorded (a search term could be a patient's name)."""
    detail = {"command": command if _COMMAND_WORD.fullmatch(command) else "other"}
    if action and _COMMAND_WORD.fullmatch(action):
        detail["action"] = action
    return record(
        SystemEvent.COMMAND_RUN,
        action=AuditAction.SECURITY,
        outcome=outcome,
        actor=actor,
        on_behalf_of="system:cli",
        resource_type="system",
        detail=detail,
    )
