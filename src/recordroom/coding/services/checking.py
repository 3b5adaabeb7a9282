"""Validate and group one encounter (the CLI ``recordroom coding validate|group --json FILE`` and
``POST /api/v1/coding/validate|group``).

The code sets in force are chosen by the discharge date (inpatient) or the date of service (RULES §10.1).
MS-DRG grouping uses msdrg (MIT; validated against the CMS Java grouper on 50,000+ claims): v43.0 for
discharges Oct 1, 2025 - Mar 31, 2026 and v43.1 from Apr 1, 2026 (CMS FY2026 IPPS Final Rule and the April
update). Relative weights and length-of-stay means come from the DrgWeight table a user loads from CMS
Table 5; without it ``weight`` is null and ``weight_note`` says so (weights are never typed in).

An encounter sent here is the caller's data, not a stored record: nothing is saved; the run is audited with
counts and the DRG only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Max
from django.http import HttpRequest

from recordroom.access.decisions import Resource
from recordroom.access.services import enforce
from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.coding.audit_events import CodingEvent
from recordroom.coding.errors import CodingError, CodingErrorCode
from recordroom.coding.models import CodeSystem, DrgWeight
from recordroom.coding.permissions import CodingPermission
from recordroom.coding.services import mce
from recordroom.coding.services.codesets import code_set_for, code_sets_in_force
from recordroom.coding.services.edits import ERROR, Edit, run_edits
from recordroom.coding.services.encounter import SEXES, Encounter, parse_encounter
from recordroom.coding.services.index import CodeIndex, index_for
from recordroom.core.vocabulary import Purpose, ResourceType

# msdrg grouper versions by discharge date (msdrg documentation: 430 = FY2026 Oct-Mar, 431 = FY2026 Apr-Sep).
GROUPER_VERSIONS: tuple[tuple[date, date, int], ...] = (
    (date(2025, 10, 1), date(2026, 3, 31), 430),
    (date(2026, 4, 1), date(2026, 9, 30), 431),
)


@dataclass(frozen=True)
class Checked:
    encounter: Encounter
    cm: CodeIndex
    pcs: CodeIndex | None
    edits: list[Edit]

    @property
    def errors(self) -> int:
        return sum(1 for e in self.edits if e.severity == ERROR)

    def as_dict(self) -> dict[str, Any]:
        return {
            "edits": [e.as_dict() for e in self.edits],
            "errors": self.errors,
            "warnings": len(self.edits) - self.errors,
            "code_sets": {"icd10cm": self.cm.version, "icd10pcs": self.pcs.version if self.pcs else None},
            "date": self.encounter.service_date.isoformat(),
        }


def check_encounter(data: Any) -> Checked:
    """Parse, pick the code sets in force, and run every edit (no policy, nothing saved)."""
    encounter = parse_encounter(data)
    day = encounter.service_date
    in_force = code_sets_in_force(day)
    cm = index_for(in_force.get(CodeSystem.ICD10CM) or code_set_for(CodeSystem.ICD10CM, day))
    pcs_set = in_force.get(CodeSystem.ICD10PCS)
    if pcs_set is None and encounter.procedures:
        pcs_set = code_set_for(CodeSystem.ICD10PCS, day)  # raises, naming the date and what is loaded
    pcs = index_for(pcs_set) if pcs_set is not None else None
    return Checked(encounter, cm, pcs, run_edits(encounter, cm, pcs, day))


def grouper_version_for(day: date) -> int:
    for first, last, version in GROUPER_VERSIONS:
        if first <= day <= last:
            return version
    raise CodingError(
        CodingErrorCode.GROUPER_VERSION,
        f"no MS-DRG grouper version is configured for a discharge on {day.isoformat()} (FY2026 only)",
        field="discharge_date",
    )


def group_checked(checked: Checked) -> dict[str, Any]:
    """MS-DRG for an inpatient encounter: DRG, MDC, weight, GMLOS, the CC/MCC that drove it, and the DRG
    without them (what losing that documentation would change)."""
    enc = checked.encounter
    if not enc.inpatient:
        raise CodingError(
            CodingErrorCode.INVALID_INPUT, "MS-DRG grouping is for inpatient encounters", field="encounter_type"
        )
    principal = enc.principal
    if principal is None:
        raise CodingError(
            CodingErrorCode.INVALID_INPUT,
            "no diagnosis is marked principal: the grouper needs a principal diagnosis",
            field="diagnoses",
        )
    assert enc.discharge_date is not None  # noqa: S101 - parse_encounter requires it for inpatients
    version = grouper_version_for(enc.discharge_date)
    secondaries = list(enc.sequence()[1:])
    claim = _claim(enc, version, principal.code, principal.poa, [(d.code, d.poa) for d in secondaries])
    try:
        result = mce.group(claim)
    except mce.GroupingFailed as exc:
        raise CodingError(
            CodingErrorCode.INVALID_INPUT, f"the grouper refused the claim: {exc}", field="diagnoses"
        ) from None
    sdx_out = result.get("sdx_output") or []
    hacs = [
        {"code": _display(out.get("code", "")), "hac": hac.get("hac_list"), "description": hac.get("description")}
        for out in sdx_out
        for hac in out.get("hacs") or []
        if hac.get("hac_status") == "HAC_CRITERIA_MET"
    ]
    hac_codes = {h["code"] for h in hacs}
    drivers = [
        {"code": _display(out.get("code", "")), "level": out.get("severity"), "drg_impact": out.get("drg_impact")}
        for out in sdx_out
        if out.get("severity") in ("CC", "MCC")
        and out.get("drg_impact") not in (None, "NONE")
        and _display(out.get("code", "")) not in hac_codes
    ]
    payload: dict[str, Any] = {
        "drg": _drg(result.get("final_drg")),
        "drg_title": result.get("final_drg_description"),
        "mdc": _mdc(result.get("final_mdc")),
        "mdc_title": result.get("final_mdc_description"),
        "severity": result.get("final_severity"),
        "return_code": result.get("return_code"),
        "grouper": f"MS-DRG v{version // 10}.{version % 10} (msdrg)",
        "cc_mcc": drivers,
        "principal_severity": (result.get("pdx_output") or {}).get("severity"),
        # CMS HAC-POA: a hospital-acquired condition (POA N or U) does not count as a CC/MCC (RULES §10.5).
        "hacs": hacs,
        "drg_before_hac": _drg(result.get("initial_drg"))
        if result.get("initial_drg") != result.get("final_drg")
        else None,
    }
    payload.update(_weights(version, result.get("final_drg")))
    if drivers:
        dropped = {d["code"].replace(".", "") for d in drivers}
        without = mce.group(
            _claim(
                enc,
                version,
                principal.code,
                principal.poa,
                [(d.code, d.poa) for d in secondaries if d.code not in dropped],
            )
        )
        payload["without_cc_mcc"] = {
            "drg": _drg(without.get("final_drg")),
            "drg_title": without.get("final_drg_description"),
            **_weights(version, without.get("final_drg")),
        }
    else:
        payload["without_cc_mcc"] = None
    payload["if_documented"] = _if_documented(
        enc, version, principal.code, principal.poa, secondaries=secondaries, result=result
    )
    return payload


# Secondary diagnoses that the MS-DRG v43 CC/MCC list classes as MCC or CC, used to show what the DRG family
# assigns when a CC or MCC is documented (a CDI question); two of each, in case the principal excludes one.
_WHAT_IF = {"MCC": ("J9601", "R6521"), "CC": ("E871", "N179")}


def _if_documented(
    enc: Encounter, version: int, pdx: str, pdx_poa: str, *, secondaries: list[Any], result: dict[str, Any]
) -> dict[str, Any]:
    """The DRG if a CC or an MCC (present on admission) were documented and coded, where that changes it."""
    current = result.get("final_drg")
    found: dict[str, Any] = {}
    base = [(d.code, d.poa) for d in secondaries]
    for level, candidates in _WHAT_IF.items():
        for code in candidates:
            if code == pdx:
                continue
            try:
                trial = mce.group(_claim(enc, version, pdx, pdx_poa, [*base, (code, "Y")]))
            except mce.GroupingFailed:
                continue
            added = [out for out in trial.get("sdx_output") or [] if out.get("code") == code]
            if not added or added[0].get("severity") != level:
                continue  # excluded by this principal diagnosis (CC exclusion list): try the next example
            if trial.get("final_drg") != current:
                found[level.lower()] = {
                    "drg": _drg(trial.get("final_drg")),
                    "drg_title": trial.get("final_drg_description"),
                    **_weights(version, trial.get("final_drg")),
                }
            break
    return found


def _claim(enc: Encounter, version: int, pdx: str, pdx_poa: str, sdx: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "version": version,
        "age": enc.age,
        "sex": SEXES[enc.sex],
        "discharge_status": enc.discharge_disposition,
        "hospital_status": "NOT_EXEMPT",
        "pdx": _dx(pdx, pdx_poa),
        "sdx": [_dx(code, poa) for code, poa in sdx],
        "procedures": [{"code": p.code} for p in enc.procedures],
    }


_weight_cache: dict[int, tuple[int, dict[int, DrgWeight]]] = {}


def _weight_table(version: int) -> dict[int, DrgWeight]:
    """The weights of one grouper version (about 770 rows), read once and again only when a load changes
    them (the count and the newest id are the version stamp: one cheap query per grouping)."""
    stamp = DrgWeight.objects.filter(grouper_version=version).aggregate(n=Count("id"), last=Max("id"))
    key = hash((stamp["n"], stamp["last"]))
    cached = _weight_cache.get(version)
    if cached is None or cached[0] != key:
        rows = {row.drg: row for row in DrgWeight.objects.filter(grouper_version=version)}
        cached = (key, rows)
        _weight_cache[version] = cached
    return cached[1]


def _dx(code: str, poa: str) -> dict[str, str]:
    """A diagnosis for the grouper: POA only when it is Y, N, U or W (blank and exempt go without)."""
    return {"code": code, "poa": poa} if poa in ("Y", "N", "U", "W") else {"code": code}


def _weights(version: int, drg: Any) -> dict[str, Any]:
    row = _weight_table(version).get(int(drg)) if drg else None
    if row is None:
        return {
            "weight": None,
            "gmlos": None,
            "amlos": None,
            "weight_note": "no MS-DRG weights loaded for this grouper version (recordroom coding load-weights)",
        }
    return {"weight": float(row.weight), "gmlos": float(row.gmlos), "amlos": float(row.amlos), "weight_note": ""}


def _drg(value: Any) -> str | None:
    return f"{int(value):03d}" if value is not None else None


def _mdc(value: Any) -> str | None:
    return f"{int(value):02d}" if value is not None else None


def _display(code: str) -> str:
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def validate_encounter(*, actor: Any, data: Any, request: HttpRequest | None = None) -> dict[str, Any]:
    """Edits for one encounter, for a user the policy lets code (policy action ``code`` on ``coding``)."""
    enforce(
        actor,
        CodingPermission.CODE_ENCOUNTER.action,
        Resource(type=ResourceType.CODING),
        Purpose.PAYMENT,
        request=request,
    )
    checked = check_encounter(data)
    payload = checked.as_dict()
    _record(CodingEvent.ENCOUNTER_VALIDATED, actor, request, {"edits": len(checked.edits), "errors": checked.errors})
    return payload


def group_encounter(*, actor: Any, data: Any, request: HttpRequest | None = None) -> dict[str, Any]:
    enforce(
        actor,
        CodingPermission.CODE_ENCOUNTER.action,
        Resource(type=ResourceType.CODING),
        Purpose.PAYMENT,
        request=request,
    )
    checked = check_encounter(data)
    payload = {**checked.as_dict(), **group_checked(checked)}
    _record(
        CodingEvent.ENCOUNTER_GROUPED,
        actor,
        request,
        {"edits": len(checked.edits), "errors": checked.errors, "drg": payload.get("drg") or ""},
    )
    return payload


def _record(event: CodingEvent, actor: Any, request: HttpRequest | None, detail: dict[str, Any]) -> None:
    record(
        event,
        action=AuditAction.READ,
        outcome=Outcome.SUCCESS,
        actor=actor,
        request=request,
        purpose=Purpose.PAYMENT,
        resource_type=ResourceType.CODING.value,
        detail=detail,
    )
