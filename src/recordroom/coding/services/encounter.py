"""The encounter form the edits and the grouper read (issue 7; extra fields are allowed and ignored):

    {"encounter_type": "inpatient", "admit_date": "2026-03-01", "discharge_date": "2026-03-05",
     "discharge_disposition": "01", "patient": {"birth_date": "1950-01-01", "sex": "F"},
     "diagnoses": [{"code": "I21.4", "poa": "Y", "principal": true}, {"code": "E11.9", "poa": "Y"}],
     "procedures": [{"code": "02703DZ", "date": "2026-03-02"}]}

Codes are normalised where that is safe: surrounding spaces and case, and the one dot after the third
character of an ICD-10-CM code (RULES §10.1: strip the dot, upper-case, then
``^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$``). Anything else (a dot elsewhere, inner spaces, punctuation, a PCS code
that is not seven characters of the PCS alphabet, which has no I or O) is refused with the field named:
guessing what a coder meant would put a wrong code on a claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from recordroom.coding.errors import CodingError, CodingErrorCode

MAX_DIAGNOSES = 100
MAX_PROCEDURES = 100
ENCOUNTER_TYPES = ("inpatient", "outpatient", "observation", "emergency", "day_surgery", "newborn")
SEXES = {"F": 1, "M": 0, "U": 2}
_CM = re.compile(r"^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$")
_PCS = re.compile(r"^[0-9A-HJ-NP-Z]{7}$")
_DISPOSITION = re.compile(r"^[0-9]{1,2}$")
EXEMPT_POA = ("", "1", "EXEMPT")


@dataclass(frozen=True)
class Diagnosis:
    code: str
    entered: str
    poa: str
    principal: bool
    field: str


@dataclass(frozen=True)
class Procedure:
    code: str
    entered: str
    performed_on: date | None
    field: str


@dataclass(frozen=True)
class Encounter:
    encounter_type: str
    admit_date: date | None
    discharge_date: date | None
    service_date: date
    discharge_disposition: int
    birth_date: date
    sex: str
    diagnoses: tuple[Diagnosis, ...]
    procedures: tuple[Procedure, ...]

    @property
    def inpatient(self) -> bool:
        return self.encounter_type == "inpatient"

    @property
    def age(self) -> int:
        """Age in years at admission (or at the service date), as the MCE age edits use it."""
        at = self.admit_date or self.service_date
        years = at.year - self.birth_date.year - ((at.month, at.day) < (self.birth_date.month, self.birth_date.day))
        return max(years, 0)

    @property
    def principal(self) -> Diagnosis | None:
        marked = [d for d in self.diagnoses if d.principal]
        return marked[0] if marked else None

    def sequence(self) -> list[Diagnosis]:
        """Diagnoses in reporting order: the principal first, then the others as listed."""
        principal = self.principal
        return [d for d in self.diagnoses if d is principal] + [d for d in self.diagnoses if d is not principal]


def _fail(message: str, field: str) -> CodingError:
    return CodingError(CodingErrorCode.INVALID_INPUT, message, field=field)


def _date(value: Any, field: str, *, required: bool) -> date | None:
    if value in (None, ""):
        if required:
            raise _fail(f"{field} is required (YYYY-MM-DD)", field)
        return None
    if not isinstance(value, str):
        raise _fail(f"{field} is a date as YYYY-MM-DD", field)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _fail(f"{field} is not a valid date (YYYY-MM-DD)", field) from None


def normalise_cm(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(f"{field} is required: an ICD-10-CM code such as E11.9", field)
    text = value.strip().upper()
    if "." in text:
        if text.count(".") != 1 or text.index(".") != 3 or text.endswith("."):
            raise _fail(f"{field}: an ICD-10-CM code has its dot after the third character (E11.9)", field)
        text = text.replace(".", "")
    if not _CM.match(text):
        raise _fail(
            f"{field}: not an ICD-10-CM code format (a letter, a digit, a digit or letter, then up to four "
            "digits or letters)",
            field,
        )
    return text


def normalise_pcs(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(f"{field} is required: an ICD-10-PCS code such as 02703DZ", field)
    text = value.strip().upper()
    if not _PCS.match(text):
        raise _fail(f"{field}: an ICD-10-PCS code is seven letters or digits, without I or O and without a dot", field)
    return text


def parse_encounter(data: Any) -> Encounter:
    """Check and normalise one encounter; raises CodingError naming the first field at fault."""
    if not isinstance(data, dict):
        raise _fail("the encounter is a JSON object", "encounter")
    kind = data.get("encounter_type")
    if kind not in ENCOUNTER_TYPES:
        raise _fail(f"encounter_type is one of {', '.join(ENCOUNTER_TYPES)}", "encounter_type")
    inpatient = kind == "inpatient"
    admit = _date(data.get("admit_date"), "admit_date", required=inpatient)
    discharge = _date(data.get("discharge_date"), "discharge_date", required=inpatient)
    service = _date(data.get("service_date"), "service_date", required=False)
    if admit and discharge and discharge < admit:
        raise _fail("discharge_date is before admit_date", "discharge_date")
    day = discharge or service or admit
    if day is None:
        raise _fail("give discharge_date (inpatient) or service_date", "service_date")
    disposition_raw = data.get("discharge_disposition", "01")
    disposition_text = str(disposition_raw) if isinstance(disposition_raw, (str, int)) else ""
    if not _DISPOSITION.match(disposition_text):
        raise _fail(
            "discharge_disposition is a UB-04 patient discharge status code such as 01", "discharge_disposition"
        )
    patient = data.get("patient")
    if not isinstance(patient, dict):
        raise _fail("patient is an object with birth_date and sex", "patient")
    birth = _date(patient.get("birth_date"), "patient.birth_date", required=True)
    assert birth is not None  # noqa: S101 - required=True
    if birth > (admit or day):
        raise _fail("patient.birth_date is after the admission", "patient.birth_date")
    sex = patient.get("sex")
    if not isinstance(sex, str) or sex.upper() not in SEXES:
        raise _fail("patient.sex is F, M or U", "patient.sex")
    diagnoses = _diagnoses(data.get("diagnoses"))
    procedures = _procedures(data.get("procedures", []))
    return Encounter(
        encounter_type=str(kind),
        admit_date=admit,
        discharge_date=discharge,
        service_date=day,
        discharge_disposition=int(disposition_text),
        birth_date=birth,
        sex=sex.upper(),
        diagnoses=diagnoses,
        procedures=procedures,
    )


def _diagnoses(value: Any) -> tuple[Diagnosis, ...]:
    if not isinstance(value, list) or not value:
        raise _fail("diagnoses is a non-empty list", "diagnoses")
    if len(value) > MAX_DIAGNOSES:
        raise _fail(f"at most {MAX_DIAGNOSES} diagnoses", "diagnoses")
    out: list[Diagnosis] = []
    for position, item in enumerate(value):
        field = f"diagnoses[{position}]"
        if not isinstance(item, dict):
            raise _fail(f"{field} is an object with a code", field)
        poa = item.get("poa")
        if poa is None:
            poa = ""
        if not isinstance(poa, str):
            raise _fail(f"{field}.poa is Y, N, U, W or blank (exempt)", f"{field}.poa")
        principal = item.get("principal", False)
        if not isinstance(principal, bool):
            raise _fail(f"{field}.principal is true or false", f"{field}.principal")
        raw = item.get("code")
        out.append(
            Diagnosis(normalise_cm(raw, f"{field}.code"), str(raw).strip(), poa.strip().upper(), principal, field)
        )
    return tuple(out)


def _procedures(value: Any) -> tuple[Procedure, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _fail("procedures is a list", "procedures")
    if len(value) > MAX_PROCEDURES:
        raise _fail(f"at most {MAX_PROCEDURES} procedures", "procedures")
    out: list[Procedure] = []
    for position, item in enumerate(value):
        field = f"procedures[{position}]"
        if not isinstance(item, dict):
            raise _fail(f"{field} is an object with a code", field)
        performed = _date(item.get("date"), f"{field}.date", required=False)
        raw = item.get("code")
        out.append(Procedure(normalise_pcs(raw, f"{field}.code"), str(raw).strip(), performed, field))
    return tuple(out)
