"""FHIR R4 resources to Recordroom's records: a strict structural check of every element the import uses,
then the mapping. Database-free, so the FHIR API can reuse it.

Checked, each failure an :class:`InteropError` naming the entry and the element (FHIR R4 base resources,
https://hl7.org/fhir/R4/; US Core 3.1 extensions for race and ethnicity):

- Patient: a name with a family name and a given name, ``birthDate`` (YYYY-MM-DD), ``gender`` from
  administrative-gender. Identifiers keep their assigning authority (``system``) and table 0203 type.
- Encounter: ``status``, ``class.code``, ``subject``, ``period.start``; ``period.end`` not before it.
- Condition / Procedure: ``code.coding`` with ``system`` and ``code``, ``subject``.
- DocumentReference: ``subject``, ``content[0].attachment`` with ``contentType`` and base64 ``data`` (an
  attachment given only by ``url`` cannot be fetched: the document is skipped with a warning).

Why not fhir.resources by default: measured on this machine, its R4B models validate a Synthea Encounter
in about 0.6 ms, which alone caps an import near 1,600 resources/s before any database work; this check
costs microseconds. ``recordroom import fhir --full-validation`` runs the fhir.resources models as well.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from recordroom.interop.errors import InteropError, InteropErrorCode
from recordroom.interop.fhir.reading import Entry

SUPPORTED = ("Patient", "Encounter", "Condition", "Procedure", "DocumentReference")
TYPE_RANK = {"Practitioner": 0, "Patient": 1, "Encounter": 2, "Condition": 3, "Procedure": 3, "DocumentReference": 4}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$")

# FHIR Encounter.class (HL7 v3 ActEncounterCode) -> Recordroom encounter class.
ENCOUNTER_CLASSES = {
    "IMP": "inpatient", "ACUTE": "inpatient", "NONAC": "inpatient", "OBSENC": "observation",
    "EMER": "emergency", "AMB": "outpatient", "HH": "outpatient", "VR": "outpatient", "FLD": "outpatient",
    "PRENC": "outpatient", "SS": "day_surgery",
}  # fmt: skip
# UB-04 FL14 priority of the visit by class (emergency; inpatient unknown; scheduled ambulatory = elective).
ADMIT_TYPES = {"emergency": "1", "inpatient": "9", "observation": "9"}
# FHIR discharge-disposition (HL7 terminology) -> UB-04 FL17 patient status.
DISPOSITIONS = {
    "home": "01", "alt-home": "01", "other-hcf": "70", "hosp": "02", "long": "63", "aadvice": "07", "exp": "20",
    "psy": "65", "rehab": "62", "snf": "03", "oth": "70",
}  # fmt: skip
CODE_SYSTEMS = {
    "http://snomed.info/sct": "snomed", "http://hl7.org/fhir/sid/icd-10-cm": "icd10cm",
    "http://www.cms.gov/Medicare/Coding/ICD10": "icd10pcs", "http://www.ama-assn.org/go/cpt": "cpt",
    "urn:oid:2.16.840.1.113883.6.285": "hcpcs", "http://loinc.org": "loinc",
}  # fmt: skip
# LOINC document ontology codes -> the policy's document types.
DOCUMENT_TYPES = {
    "34117-2": "history_and_physical", "11506-3": "progress_note", "51847-2": "progress_note",
    "34109-9": "progress_note", "18842-5": "discharge_summary", "11504-8": "operative_report",
    "34111-5": "emergency_department_record", "34878-9": "emergency_department_record",
    "11488-4": "consultation", "11526-1": "pathology_report", "18748-4": "radiology_report",
    "11502-2": "laboratory_result", "10160-0": "medication_list", "11450-4": "problem_list",
    "59284-0": "consent", "34746-8": "nursing_note", "57133-1": "correspondence",
}  # fmt: skip
UNTYPED_DOCUMENT = "scanned_paper"  # "not yet typed": a clerk assigns the type in the indexing queue
SEX = {"female": "F", "male": "M", "other": "O", "unknown": "U"}
IDENTIFIER_TYPES = {"MR", "PI", "PT", "SS", "DL", "PPN", "MA", "MC", "MB", "AN"}
US_STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA", "colorado": "CO",
    "connecticut": "CT", "delaware": "DE", "district of columbia": "DC", "florida": "FL", "georgia": "GA",
    "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS",
    "kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD", "massachusetts": "MA",
    "michigan": "MI", "minnesota": "MN", "mississippi": "MS", "missouri": "MO", "montana": "MT",
    "nebraska": "NE", "nevada": "NV", "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM",
    "new york": "NY", "north carolina": "NC", "north dakota": "ND", "ohio": "OH", "oklahoma": "OK",
    "oregon": "OR", "pennsylvania": "PA", "rhode island": "RI", "south carolina": "SC", "south dakota": "SD",
    "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA",
    "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY", "puerto rico": "PR",
}  # fmt: skip
SSN_SYSTEM = "http://hl7.org/fhir/sid/us-ssn"
RACE_URL = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race"
ETHNICITY_URL = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity"
MAX_AUTHORITY = 64


def _bad(entry: Entry, element: str, rule: str) -> InteropError:
    return InteropError(InteropErrorCode.INVALID_RESOURCE, f"{entry.type}.{element} {rule}", where=entry.where,
                        field=element)  # fmt: skip


def _obj(entry: Entry, value: Any, element: str, *, required: bool = False) -> dict[str, Any]:
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise _bad(entry, element, "is missing" if value is None else "is not an object")
    return value


def _list(entry: Entry, value: Any, element: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _bad(entry, element, "is not a list")
    return value


def _str(entry: Entry, value: Any, element: str, *, required: bool = False) -> str:
    if value is None or value == "":
        if required:
            raise _bad(entry, element, "is missing")
        return ""
    if not isinstance(value, str):
        raise _bad(entry, element, "is not a string")
    return value


def parse_date(entry: Entry, value: Any, element: str, *, required: bool = False) -> date | None:
    text = _str(entry, value, element, required=required)
    if not text:
        return None
    if not _DATE.fullmatch(text):
        raise _bad(entry, element, "is not a date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _bad(entry, element, "is not a real date") from None


def parse_datetime(entry: Entry, value: Any, element: str, *, required: bool = False) -> datetime | None:
    """A FHIR dateTime; a partial one (year, year-month, date) is taken at its first instant, in UTC."""
    text = _str(entry, value, element, required=required)
    if not text:
        return None
    if not _DATETIME.fullmatch(text):
        raise _bad(entry, element, "is not a FHIR dateTime")
    try:
        if "T" in text:
            moment = datetime.fromisoformat(text)
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        parts = [int(p) for p in text.split("-")] + [1, 1]
        return datetime.combine(date(parts[0], parts[1], parts[2]), time(), tzinfo=UTC)
    except ValueError:
        raise _bad(entry, element, "is not a real date and time") from None


def reference(entry: Entry, value: Any, element: str, *, required: bool = True) -> str:
    ref = _obj(entry, value, element, required=required)
    return _str(entry, ref.get("reference"), f"{element}.reference", required=required)


def first_coding(entry: Entry, concept: Any, element: str, *, required: bool = True) -> tuple[str, str, str]:
    """(system, code, display) of a CodeableConcept's first coding."""
    value = _obj(entry, concept, element, required=required)
    codings = _list(entry, value.get("coding"), f"{element}.coding")
    if not codings:
        if required:
            raise _bad(entry, f"{element}.coding", "is missing")
        return "", "", ""
    coding = _obj(entry, codings[0], f"{element}.coding[0]", required=True)
    system = _str(entry, coding.get("system"), f"{element}.coding[0].system", required=required)
    code = _str(entry, coding.get("code"), f"{element}.coding[0].code", required=required)
    display = _str(entry, coding.get("display"), f"{element}.coding[0].display") or _str(
        entry, value.get("text"), f"{element}.text"
    )
    return system, code, display


# --------------------------------------------------------------------------------------------- Patient


@dataclass
class PatientIn:
    fields: dict[str, Any]
    identifiers: list[dict[str, str]]
    warnings: list[str] = field(default_factory=list)


def authority_of(system: str) -> str:
    """An identifier system as an assigning authority of at most 64 characters: long URIs keep their host
    and last path segment (``standardhealthrecord.org/passportNumber``)."""
    if len(system) <= MAX_AUTHORITY:
        return system
    host = re.sub(r"^[a-z]+://", "", system).split("/", 1)[0]
    return f"{host}/{system.rstrip('/').rsplit('/', 1)[-1]}"[:MAX_AUTHORITY]


def _extension_codes(entry: Entry, resource: dict[str, Any], url: str) -> list[str]:
    codes = []
    for ext in _list(entry, resource.get("extension"), "extension"):
        if isinstance(ext, dict) and ext.get("url") == url:
            for part in _list(entry, ext.get("extension"), "extension.extension"):
                if isinstance(part, dict) and part.get("url") == "ombCategory":
                    code = _obj(entry, part.get("valueCoding"), "extension.valueCoding").get("code")
                    if isinstance(code, str):
                        codes.append(code)
    return codes


def map_patient(entry: Entry) -> PatientIn:  # noqa: PLR0915  (one statement per element mapped)
    r = entry.resource
    names = [n for n in _list(entry, r.get("name"), "name") if isinstance(n, dict)]
    if not names:
        raise _bad(entry, "name", "is missing")
    name = next((n for n in names if n.get("use") == "official"), names[0])
    family = _str(entry, name.get("family"), "name.family", required=True)
    given = [g for g in _list(entry, name.get("given"), "name.given") if isinstance(g, str) and g.strip()]
    if not given:
        raise _bad(entry, "name.given", "is missing")
    born = parse_date(entry, r.get("birthDate"), "birthDate", required=True)
    gender = _str(entry, r.get("gender"), "gender")
    if gender and gender not in SEX:
        raise _bad(entry, "gender", "is not male, female, other or unknown")
    warnings = [] if gender else ["gender_missing"]
    phone = email = ""
    for telecom in _list(entry, r.get("telecom"), "telecom"):
        if isinstance(telecom, dict):
            if telecom.get("system") == "phone" and not phone:
                phone = _str(entry, telecom.get("value"), "telecom.value")
            elif telecom.get("system") == "email" and not email:
                email = _str(entry, telecom.get("value"), "telecom.value")
    address = None
    addresses = [a for a in _list(entry, r.get("address"), "address") if isinstance(a, dict)]
    if addresses:
        a = addresses[0]
        lines = [x for x in _list(entry, a.get("line"), "address.line") if isinstance(x, str)]
        state = _str(entry, a.get("state"), "address.state")
        address = {
            "line": ", ".join(lines), "city": _str(entry, a.get("city"), "address.city"),
            "state": US_STATES.get(state.lower(), state),
            "postal_code": _str(entry, a.get("postalCode"), "address.postalCode"),
        }  # fmt: skip
    deceased = parse_datetime(entry, r.get("deceasedDateTime"), "deceasedDateTime")
    language = ""
    for communication in _list(entry, r.get("communication"), "communication"):
        if isinstance(communication, dict):
            _, code, _ = first_coding(entry, communication.get("language"), "communication.language", required=False)
            language = code.split("-", 1)[0].lower()
            break
    ssn = ""
    identifiers = []
    seen = set()
    for ident in _list(entry, r.get("identifier"), "identifier"):
        if not isinstance(ident, dict):
            continue
        system = _str(entry, ident.get("system"), "identifier.system")
        value = _str(entry, ident.get("value"), "identifier.value")
        _, type_code, _ = first_coding(entry, ident.get("type"), "identifier.type", required=False)
        if not system or not value:
            continue
        if type_code == "SS" or system == SSN_SYSTEM:
            ssn = value
            continue
        key = (authority_of(system), value)
        if key in seen:
            continue
        seen.add(key)
        identifiers.append({"authority": key[0], "type_code": type_code if type_code in IDENTIFIER_TYPES else "PT",
                            "value": value})  # fmt: skip
    fields = {
        "given_name": given[0], "middle_name": " ".join(given[1:]), "family_name": family, "date_of_birth": born,
        "administrative_sex": SEX.get(gender, "U"), "phone": phone, "email": email, "address": address,
        "deceased_date": deceased.date() if deceased else None, "ssn": ssn, "preferred_language": language,
        "race": _extension_codes(entry, r, RACE_URL), "ethnicity": _extension_codes(entry, r, ETHNICITY_URL)[:1],
    }  # fmt: skip
    return PatientIn(fields=fields, identifiers=identifiers, warnings=warnings)


# ------------------------------------------------------------------------------------------- Encounter


@dataclass
class EncounterIn:
    patient_ref: str
    encounter_class: str
    admit_type: str
    admitted_at: datetime
    discharged_at: datetime | None
    disposition: str
    attending_ref: str
    attending_display: str
    skip: str = ""
    warnings: list[str] = field(default_factory=list)


def map_encounter(entry: Entry) -> EncounterIn:
    r = entry.resource
    status = _str(entry, r.get("status"), "status", required=True)
    klass = _obj(entry, r.get("class"), "class", required=True)
    code = _str(entry, klass.get("code"), "class.code", required=True)
    warnings = []
    encounter_class = ENCOUNTER_CLASSES.get(code.upper())
    if encounter_class is None:
        encounter_class = "outpatient"
        warnings.append("class_unmapped")
    patient_ref = reference(entry, r.get("subject"), "subject")
    period = _obj(entry, r.get("period"), "period", required=True)
    start = parse_datetime(entry, period.get("start"), "period.start", required=True)
    end = parse_datetime(entry, period.get("end"), "period.end")
    assert start is not None  # required above  # noqa: S101
    if end is not None and end < start:
        raise _bad(entry, "period.end", "is before period.start")
    if status == "finished" and end is None:
        end = start
    if status not in {"finished", "cancelled", "entered-in-error"} and status != "unknown":
        end = None  # still open (planned, arrived, triaged, in-progress, onleave)
    disposition = ""
    if end is not None:
        hospitalization = _obj(entry, r.get("hospitalization"), "hospitalization")
        _, dcode, _ = first_coding(entry, hospitalization.get("dischargeDisposition"),
                                   "hospitalization.dischargeDisposition", required=False)  # fmt: skip
        disposition = DISPOSITIONS.get(dcode, "01")
    attending_ref = attending_display = ""
    for participant in _list(entry, r.get("participant"), "participant"):
        individual = _obj(entry, _obj(entry, participant, "participant").get("individual"), "participant.individual")
        if individual:
            attending_ref = _str(entry, individual.get("reference"), "participant.individual.reference")
            attending_display = _str(entry, individual.get("display"), "participant.individual.display")
            break
    skip = status if status in {"planned", "cancelled", "entered-in-error"} else ""
    return EncounterIn(
        patient_ref=patient_ref, encounter_class=encounter_class, admit_type=ADMIT_TYPES.get(encounter_class, "3"),
        admitted_at=start, discharged_at=end, disposition=disposition, attending_ref=attending_ref,
        attending_display=attending_display, skip=skip, warnings=warnings,
    )  # fmt: skip


# ------------------------------------------------------------------------------- Condition, Procedure


@dataclass
class CodeIn:
    patient_ref: str
    encounter_ref: str
    code_system: str
    code: str
    display: str
    at: datetime | None
    status: str
    verification: str = ""
    skip: str = ""


def map_condition(entry: Entry) -> CodeIn:
    r = entry.resource
    system, code, display = first_coding(entry, r.get("code"), "code")
    _, clinical, _ = first_coding(entry, r.get("clinicalStatus"), "clinicalStatus", required=False)
    _, verification, _ = first_coding(entry, r.get("verificationStatus"), "verificationStatus", required=False)
    return CodeIn(
        patient_ref=reference(entry, r.get("subject"), "subject"),
        encounter_ref=reference(entry, r.get("encounter"), "encounter", required=False),
        code_system=CODE_SYSTEMS.get(system, "other"), code=code, display=display[:500],
        at=parse_datetime(entry, r.get("onsetDateTime"), "onsetDateTime")
        or parse_datetime(entry, r.get("recordedDate"), "recordedDate"),
        status=clinical, verification=verification,
        skip="entered-in-error" if verification == "entered-in-error" else "",
    )  # fmt: skip


def map_procedure(entry: Entry) -> CodeIn:
    r = entry.resource
    status = _str(entry, r.get("status"), "status", required=True)
    system, code, display = first_coding(entry, r.get("code"), "code")
    performed = parse_datetime(entry, r.get("performedDateTime"), "performedDateTime")
    if performed is None:
        period = _obj(entry, r.get("performedPeriod"), "performedPeriod")
        performed = parse_datetime(entry, period.get("start"), "performedPeriod.start")
    return CodeIn(
        patient_ref=reference(entry, r.get("subject"), "subject"),
        encounter_ref=reference(entry, r.get("encounter"), "encounter", required=False),
        code_system=CODE_SYSTEMS.get(system, "other"), code=code, display=display[:500], at=performed,
        status=status, skip="entered-in-error" if status == "entered-in-error" else "",
    )  # fmt: skip


# ----------------------------------------------------------------------------------- DocumentReference


@dataclass
class DocumentIn:
    patient_ref: str
    encounter_ref: str
    document_type: str
    title: str
    content: bytes
    media_type: str
    service_date: datetime | None
    author_display: str
    skip: str = ""
    warnings: list[str] = field(default_factory=list)


def map_document(entry: Entry) -> DocumentIn:
    r = entry.resource
    status = _str(entry, r.get("status"), "status", required=True)
    patient_ref = reference(entry, r.get("subject"), "subject")
    context = _obj(entry, r.get("context"), "context")
    encounters = _list(entry, context.get("encounter"), "context.encounter")
    encounter_ref = reference(entry, encounters[0], "context.encounter[0]") if encounters else ""
    _, loinc, display = first_coding(entry, r.get("type"), "type", required=False)
    warnings = []
    document_type = DOCUMENT_TYPES.get(loinc, "")
    if not document_type:
        document_type = UNTYPED_DOCUMENT
        warnings.append("type_unmapped")
    contents = _list(entry, r.get("content"), "content")
    if not contents:
        raise _bad(entry, "content", "is missing")
    attachment = _obj(entry, _obj(entry, contents[0], "content[0]", required=True).get("attachment"),
                      "content[0].attachment", required=True)  # fmt: skip
    media_type = _str(entry, attachment.get("contentType"), "content[0].attachment.contentType", required=True)
    data = _str(entry, attachment.get("data"), "content[0].attachment.data")
    skip = ""
    body = b""
    if not data:
        if _str(entry, attachment.get("url"), "content[0].attachment.url"):
            skip = "attachment_url_not_fetched"
        else:
            raise _bad(entry, "content[0].attachment", "has neither data nor url")
    else:
        try:
            body = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise _bad(entry, "content[0].attachment.data", "is not base64") from None
    if status == "entered-in-error":
        skip = "entered-in-error"
    when = parse_datetime(entry, r.get("date"), "date")
    if when is None:
        period = _obj(entry, context.get("period"), "context.period")
        when = parse_datetime(entry, period.get("start"), "context.period.start")
    authors = _list(entry, r.get("author"), "author")
    author = _str(entry, _obj(entry, authors[0], "author[0]").get("display"), "author[0].display") if authors else ""
    title = _str(entry, r.get("description"), "description") or display or "Imported document"
    return DocumentIn(
        patient_ref=patient_ref, encounter_ref=encounter_ref, document_type=document_type, title=title[:200],
        content=body, media_type=media_type, service_date=when, author_display=author[:120], skip=skip,
        warnings=warnings,
    )  # fmt: skip


def practitioner_key(entry: Entry) -> tuple[str, str]:
    """(NPI or id, display name) of a Practitioner resource."""
    r = entry.resource
    npi = ""
    for ident in _list(entry, r.get("identifier"), "identifier"):
        if isinstance(ident, dict) and ident.get("system") == "http://hl7.org/fhir/sid/us-npi":
            npi = str(ident.get("value") or "")
    names = [n for n in _list(entry, r.get("name"), "name") if isinstance(n, dict)]
    display = ""
    if names:
        given = " ".join(g for g in names[0].get("given") or [] if isinstance(g, str))
        display = f"{given} {names[0].get('family') or ''}".strip()
    return npi or entry.id, display


MAPPERS = {"Patient": map_patient, "Encounter": map_encounter, "Condition": map_condition,
           "Procedure": map_procedure, "DocumentReference": map_document}  # fmt: skip
