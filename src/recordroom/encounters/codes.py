"""Code tables of an encounter, kept in the app with their labels.

Source: NUBC *Official UB-04 Data Specifications Manual* (National Uniform Billing Committee), form
locators FL14 (Priority (Type) of Admission or Visit), FL15 (Point of Origin for Admission or Visit) and
FL17 (Patient Discharge Status). Code 7 of FL15 (emergency room) was retired by NUBC in 2010 and code 30
of FL17 (still a patient) is not a discharge, so neither is offered. Encounter classes follow the HL7 v3
ActEncounterCode classes used by FHIR ``Encounter.class`` (IMP, OBSENC, EMER, AMB, plus day surgery and
newborn as the department distinguishes them).
"""

from __future__ import annotations

import re

from django.db import models


class EncounterClass(models.TextChoices):
    INPATIENT = "inpatient", "Inpatient"
    OBSERVATION = "observation", "Observation"
    EMERGENCY = "emergency", "Emergency"
    OUTPATIENT = "outpatient", "Outpatient"
    DAY_SURGERY = "day_surgery", "Day surgery"
    NEWBORN = "newborn", "Newborn"


class AdmitType(models.TextChoices):
    """UB-04 FL14, priority (type) of admission or visit."""

    EMERGENCY = "1", "1 Emergency"
    URGENT = "2", "2 Urgent"
    ELECTIVE = "3", "3 Elective"
    NEWBORN = "4", "4 Newborn"
    TRAUMA = "5", "5 Trauma"
    NOT_AVAILABLE = "9", "9 Information not available"


class AdmitSource(models.TextChoices):
    """UB-04 FL15, point of origin for admission or visit (non-newborn codes)."""

    NON_HEALTH_CARE = "1", "1 Non-health care facility point of origin"
    CLINIC = "2", "2 Clinic or physician's office"
    HOSPITAL = "4", "4 Transfer from a hospital (different facility)"
    SNF = "5", "5 Transfer from a SNF, ICF or assisted living facility"
    OTHER_FACILITY = "6", "6 Transfer from another health care facility"
    COURT = "8", "8 Court/law enforcement"
    NOT_AVAILABLE = "9", "9 Information not available"
    SAME_HOSPITAL = "D", "D Transfer from one distinct unit of the hospital to another"
    AMBULATORY_SURGERY = "E", "E Transfer from ambulatory surgery center"
    HOSPICE = "F", "F Transfer from a hospice facility"
    DISASTER_SITE = "G", "G Transfer from a designated disaster alternate care site"


class DischargeDisposition(models.TextChoices):
    """UB-04 FL17, patient discharge status."""

    HOME = "01", "01 Discharged to home or self care"
    SHORT_TERM_HOSPITAL = "02", "02 Discharged/transferred to a short-term general hospital for inpatient care"
    SNF = "03", "03 Discharged/transferred to a skilled nursing facility (SNF) with Medicare certification"
    ICF = "04", "04 Discharged/transferred to a facility that provides custodial or supportive care"
    CANCER_OR_CHILDRENS = "05", "05 Discharged/transferred to a designated cancer center or children's hospital"
    HOME_HEALTH = "06", "06 Discharged/transferred to home under care of an organized home health service"
    AMA = "07", "07 Left against medical advice or discontinued care"
    ADMITTED_HERE = "09", "09 Admitted as an inpatient to this hospital"
    EXPIRED = "20", "20 Expired"
    COURT = "21", "21 Discharged/transferred to court/law enforcement"
    FEDERAL = "43", "43 Discharged/transferred to a federal health care facility"
    HOSPICE_HOME = "50", "50 Hospice - home"
    HOSPICE_FACILITY = "51", "51 Hospice - medical facility"
    SWING_BED = "61", "61 Discharged/transferred to a hospital-based Medicare approved swing bed"
    IRF = "62", "62 Discharged/transferred to an inpatient rehabilitation facility (IRF)"
    LTCH = "63", "63 Discharged/transferred to a Medicare certified long term care hospital (LTCH)"
    NF_MEDICAID = "64", "64 Discharged/transferred to a nursing facility certified under Medicaid only"
    PSYCHIATRIC = "65", "65 Discharged/transferred to a psychiatric hospital or psychiatric distinct part unit"
    CAH = "66", "66 Discharged/transferred to a critical access hospital (CAH)"
    OTHER_INSTITUTION = "70", "70 Discharged/transferred to another type of health care institution"


class ExpectedPayer(models.TextChoices):
    """The expected primary payer class (a short code; the claims issue maps it to payer ids)."""

    MEDICARE = "medicare", "Medicare"
    MEDICAID = "medicaid", "Medicaid"
    COMMERCIAL = "commercial", "Commercial insurance"
    SELF_PAY = "self_pay", "Self-pay"
    OTHER = "other", "Other"


class UnitKind(models.TextChoices):
    MEDICAL = "medical", "Medical"
    SURGICAL = "surgical", "Surgical"
    ICU = "icu", "Intensive care"
    OB = "ob", "Obstetrics"
    NURSERY = "nursery", "Nursery"
    ED = "ed", "Emergency department"
    OBSERVATION = "observation", "Observation"


class CancelReason(models.TextChoices):
    """Why a movement is cancelled: a short code, never free text (no PHI in the ADT history)."""

    ENTERED_IN_ERROR = "entered_in_error", "Entered in error"
    WRONG_PATIENT = "wrong_patient", "Wrong patient"
    WRONG_TIME = "wrong_time", "Wrong time"
    WRONG_LOCATION = "wrong_location", "Wrong unit or bed"
    DID_NOT_HAPPEN = "did_not_happen", "Did not happen"


# ---------------------------------------------------------------------------- reported code shapes

_SHAPES: dict[str, tuple[re.Pattern[str], str]] = {
    # ICD-10-CM (CDC/NCHS tabular list conventions): a letter, a digit, a digit or letter (C4A, Z3A), then
    # after the dot up to four characters.
    "icd10cm": (
        re.compile(r"[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?"),
        "a letter, two characters and up to 4 after a dot",
    ),
    # ICD-10-PCS (CMS reference manual): exactly seven characters of 0-9 and A-Z without the letters I and O.
    "icd10pcs": (re.compile(r"[0-9A-HJ-NP-Z]{7}"), "7 characters, digits and letters other than I and O"),
    # CPT (AMA): five digits; Category II codes end in F, Category III in T, PLA codes in U.
    "cpt": (re.compile(r"[0-9]{4}[0-9FTU]"), "5 digits (or 4 digits and F, T or U)"),
    # HCPCS Level II (CMS): a letter A-V and four digits.
    "hcpcs": (re.compile(r"[A-V][0-9]{4}"), "a letter A-V and 4 digits"),
    # SNOMED CT identifier (SNOMED International TIG 6.2): 6 to 18 digits, no leading zero, Verhoeff check.
    "snomed": (re.compile(r"[1-9][0-9]{5,17}"), "6 to 18 digits ending in a Verhoeff check digit"),
    # LOINC (Regenstrief users' guide): up to five digits, a hyphen and a mod-10 check digit.
    "loinc": (re.compile(r"[0-9]{1,5}-[0-9]"), "up to 5 digits, a hyphen and a check digit"),
    "other": (re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-_:]{0,31}"), "1 to 32 letters, digits or . - _ :"),
}

# Which systems may report which kind of fact: diagnoses in ICD-10-CM, SNOMED CT or another system;
# procedures in ICD-10-PCS, CPT, HCPCS, SNOMED CT, LOINC (orderable tests) or another system.
CONDITION_SYSTEMS = frozenset({"icd10cm", "snomed", "other"})
PROCEDURE_SYSTEMS = frozenset({"icd10pcs", "cpt", "hcpcs", "snomed", "loinc", "other"})

_VERHOEFF_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 3, 4, 0, 6, 7, 8, 9, 5), (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7), (4, 0, 1, 2, 3, 9, 5, 6, 7, 8), (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2), (7, 6, 5, 9, 8, 2, 1, 0, 4, 3), (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)  # fmt: skip
_VERHOEFF_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 5, 7, 6, 2, 8, 3, 0, 9, 4), (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7), (9, 4, 5, 3, 1, 2, 6, 8, 7, 0), (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5), (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)  # fmt: skip


def verhoeff_valid(digits: str) -> bool:
    """The Verhoeff dihedral-group check (SNOMED CT identifiers end in one)."""
    check = 0
    for position, char in enumerate(reversed(digits)):
        check = _VERHOEFF_D[check][_VERHOEFF_P[position % 8][int(char)]]
    return check == 0


def loinc_check_valid(code: str) -> bool:
    """LOINC's mod-10 check digit (Regenstrief LOINC Users' Guide, appendix: computing the check digit)."""
    number, check = code.split("-")
    digits = [int(c) for c in number]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 0:
            doubled = digit * 2
            total += doubled // 10 + doubled % 10
        else:
            total += digit
    return (10 - total % 10) % 10 == int(check)


def normalize_code(system: str, code: str) -> str:
    """The stored form of a code: trimmed, upper case for the classification systems, and ICD-10-CM with
    its dot after the third character (``e119`` and ``E11.9`` both become ``E11.9``)."""
    value = code.strip()
    if system in ("icd10cm", "icd10pcs", "cpt", "hcpcs"):
        value = value.upper()
    if system == "icd10cm":
        bare = value.replace(".", "")
        value = bare if len(bare) <= 3 else f"{bare[:3]}.{bare[3:]}"
    return value


def code_shape_problem(system: str, code: str) -> str | None:
    """Why ``code`` (already normalized) is not a well-formed code of ``system``, or ``None``."""
    shape = _SHAPES.get(system)
    if shape is None:
        return "unknown code system"
    pattern, expected = shape
    if not pattern.fullmatch(code):
        return f"expected {expected}"
    if system == "snomed" and not verhoeff_valid(code):
        return "the SNOMED CT check digit does not match"
    if system == "loinc" and not loinc_check_valid(code):
        return "the LOINC check digit does not match"
    return None


# FHIR R4 code system URIs (terminology.hl7.org, "Using ... with HL7 Standards") and HL7 v2 table 0396
# coding-system names, mapped to the short codes a reported diagnosis or procedure is stored with.
CODE_SYSTEM_ALIASES: dict[str, str] = {
    "http://hl7.org/fhir/sid/icd-10-cm": "icd10cm",
    "http://www.cms.gov/medicare/coding/icd10": "icd10pcs",
    "http://snomed.info/sct": "snomed",
    "http://www.ama-assn.org/go/cpt": "cpt",
    "urn:oid:2.16.840.1.113883.6.285": "hcpcs",
    "https://www.cms.gov/medicare/coding/hcpcsreleasecodesets": "hcpcs",
    "http://loinc.org": "loinc",
    "I10": "icd10cm",
    "I10C": "icd10cm",
    "I10P": "icd10pcs",
    "SCT": "snomed",
    "SNM": "snomed",
    "C4": "cpt",
    "CPT4": "cpt",
    "HCPCS": "hcpcs",
    "HCPT": "hcpcs",
    "LN": "loinc",
}


def code_system_for(system: str) -> str:
    """The short code system of a FHIR system URI or an HL7 v2 coding-system name (``other`` when it is
    none of the systems Recordroom checks)."""
    return CODE_SYSTEM_ALIASES.get((system or "").strip(), "other")
