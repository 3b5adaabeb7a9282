"""Audit exports: CSV for people, FHIR R4 AuditEvent for machines, RFC 5424 lines for syslog.

The FHIR mapping follows the R4 AuditEvent resource (http://hl7.org/fhir/R4/auditevent.html) with the
DICOM/HL7 codes it names: ``type`` rest/110110 (patient record) or 110114 (user authentication),
``action`` C/R/U/D/E, ``outcome`` 0 (success), 4 (minor failure: denied), 8 (serious failure),
``purposeOfEvent`` from v3-ActReason (TREAT, HPAYMT, HOPERAT, ...).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from recordroom.audit.models import AuditEvent

CSV_COLUMNS = (
    "seq", "occurred_at", "event_type", "action", "outcome", "actor_id", "actor_roles", "on_behalf_of",
    "resource_type", "resource_id", "patient_id", "data_category", "purpose", "emergency", "source_ip",
    "request_id", "hash",
)  # fmt: skip

_FHIR_ACTION = {
    "create": "C", "read": "R", "query": "E", "update": "U", "delete": "D", "print": "R", "copy": "R",
    "export": "R", "disclose": "R", "merge": "U", "unmerge": "U", "sign": "U", "amend": "U", "login": "E",
    "logout": "E", "privilege_change": "U", "break_glass": "E", "verify": "E", "security": "E",
}  # fmt: skip
_FHIR_OUTCOME = {"success": "0", "denied": "4", "failure": "8"}
_PURPOSE = {
    "treatment": "TREAT", "payment": "HPAYMT", "operations": "HOPERAT", "roi": "HDIRECT",
    "research": "HRESCH", "public_health": "PUBHLTH", "emergency": "ETREAT",
}  # fmt: skip
_DCM = "http://dicom.nema.org/resources/ontology/DCM"


def _row(event: AuditEvent) -> list[Any]:
    return [
        event.seq, event.occurred_at.isoformat(), event.event_type, event.action, event.outcome, event.actor_id or "",
        event.actor_roles, event.on_behalf_of, event.resource_type, event.resource_id, event.patient_id or "",
        event.data_category, event.purpose, "yes" if event.emergency else "no", event.source_ip, event.request_id,
        event.hash,
    ]  # fmt: skip


def csv_lines(events: Iterable[AuditEvent]) -> Iterator[str]:
    """Stream CSV (a header, then one line per event); values are ids and codes only."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    for event in events:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(_row(event))
        yield buffer.getvalue()


def fhir_audit_event(event: AuditEvent) -> dict[str, Any]:
    """One R4 AuditEvent resource for ``event``."""
    is_login = event.action in {"login", "logout"}
    resource: dict[str, Any] = {
        "resourceType": "AuditEvent",
        "id": f"recordroom-{event.seq}",
        "type": (
            {"system": _DCM, "code": "110114", "display": "User Authentication"}
            if is_login
            else {"system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest"}
        ),
        "subtype": [{"system": "urn:recordroom:audit-event-type", "code": event.event_type}],
        "action": _FHIR_ACTION.get(event.action, "E"),
        "recorded": event.occurred_at.isoformat(),
        "outcome": _FHIR_OUTCOME.get(event.outcome, "8"),
        "agent": [
            {
                "who": {"identifier": {"system": "urn:recordroom:user", "value": str(event.actor_id or "system")}},
                "requestor": True,
                **({"network": {"address": event.source_ip, "type": "2"}} if event.source_ip else {}),
                **({"role": [{"text": event.actor_roles}]} if event.actor_roles else {}),
            }
        ],
        "source": {"observer": {"display": "Recordroom"}, "type": [{"system": _DCM, "code": "110150"}]},
    }
    if event.purpose:
        resource["purposeOfEvent"] = [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/v3-ActReason",
                        "code": _PURPOSE.get(event.purpose, "HOPERAT"),
                    }
                ]
            }
        ]
    entities: list[dict[str, Any]] = []
    if event.patient_id is not None:
        entities.append(
            {
                "what": {"identifier": {"system": "urn:recordroom:patient", "value": str(event.patient_id)}},
                "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "1"},
                "role": {"system": "http://terminology.hl7.org/CodeSystem/object-role", "code": "1"},
            }
        )
    if event.resource_type:
        entity: dict[str, Any] = {
            "what": {
                "identifier": {"system": f"urn:recordroom:{event.resource_type}", "value": event.resource_id or "-"}
            },
            "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "2"},
        }
        if event.data_category:
            entity["securityLabel"] = [{"system": "urn:recordroom:data-category", "code": event.data_category}]
        entities.append(entity)
    if entities:
        resource["entity"] = entities
    return resource


def fhir_bundle(events: Iterable[AuditEvent]) -> dict[str, Any]:
    entries = [{"resource": fhir_audit_event(event)} for event in events]
    return {"resourceType": "Bundle", "type": "collection", "total": len(entries), "entry": entries}


def syslog_line(event: AuditEvent, *, hostname: str = "recordroom", app: str = "recordroom") -> str:
    """One RFC 5424 message: facility 13 (log audit), severity 5 (notice) or 4 (warning) for refusals,
    with the event as structured data (SD-ID ``audit@32473``, the example enterprise number of RFC 5612)."""
    severity = 5 if event.outcome == "success" else 4
    pri = 13 * 8 + severity

    def sd(value: Any) -> str:
        return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")

    params = {
        "seq": event.seq, "type": event.event_type, "action": event.action, "outcome": event.outcome,
        "actor": event.actor_id or "", "patient": event.patient_id or "", "resource": event.resource_type,
        "resourceId": event.resource_id, "purpose": event.purpose, "emergency": int(event.emergency),
        "hash": event.hash,
    }  # fmt: skip
    data = " ".join(f'{key}="{sd(value)}"' for key, value in params.items())
    stamp = event.occurred_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"<{pri}>1 {stamp} {hostname} {app} - {event.event_type} [audit@32473 {data}]"


def json_line(event: AuditEvent) -> str:
    return json.dumps(fhir_audit_event(event), sort_keys=True)
