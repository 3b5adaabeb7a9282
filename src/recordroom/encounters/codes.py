"""Code tables of an encounter, kept in the app with their labels.

Source: NUBC *Official UB-04 Data Specifications Manual* (National Uniform Billing Committee), form
locators FL14 (Priority (Type) of Admission or Visit), FL15 (Point of Origin for Admission or Visit) and
FL17 (Patient Discharge Status). Code 7 of FL15 (emergency room) was retired by NUBC in 2010 and code 30
of FL17 (still a patient) is not a discharge, so neither is offered. Encounter classes follow the HL7 v3
ActEncounterCode classes used by FHIR ``Encounter.class`` (IMP, OBSENC, EMER, AMB, plus day surgery and
newborn as the department distinguishes them).
"""

from __future__ import annotations

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
