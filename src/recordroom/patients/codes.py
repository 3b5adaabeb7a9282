"""The code sets of patient demographics and identifiers.

- Gender identity: the ONC value set of 45 CFR 170.207(o)(2) (SNOMED CT codes plus the HL7 null flavors
  OTH and ASKU), which USCDI v3 "Gender Identity" names; kept separate from administrative sex (FHIR
  ``administrative-gender``), as USCDI and FHIR US Core do.
- Race and ethnicity: the OMB 1997 minimum categories (OMB Statistical Policy Directive 15, 1997 revision),
  as the CDC Race & Ethnicity Code Set v1.0 codes that USCDI v3 requires (45 CFR 170.213, 170.207(f)),
  asked as two questions (ethnicity, then one or more races). We implement the 1997 standard because USCDI
  v3 and ONC certification still require it; the 2024 revision of SPD 15 (a combined race/ethnicity
  question and a seventh category, Middle Eastern or North African) is due by March 2029. Until then a
  person who identifies as Middle Eastern or North African is recorded with the CDC detailed code 2118-8
  (under White in the 1997 roll-up), so the answer is kept and can be re-mapped when USCDI adopts 2024.
  ASKU (asked but declined) and UNK (unknown) are the HL7 null flavors USCDI allows.
- Preferred language: a BCP 47 language tag (RFC 5646; USCDI "Preferred Language"); the list is the
  languages most spoken at home in the US (Census ACS) plus American Sign Language.
- Identifier types: HL7 v2 table 0203 (Identifier Type), the subset an MPI holds.
"""

from __future__ import annotations

from django.db import models


class GenderIdentity(models.TextChoices):
    """45 CFR 170.207(o)(2) gender identity value set."""

    MALE = "446151000124109", "Identifies as male"
    FEMALE = "446141000124107", "Identifies as female"
    TRANS_MALE = "407377005", "Female-to-male transsexual, transgender male"
    TRANS_FEMALE = "407376001", "Male-to-female transsexual, transgender female"
    NON_CONFORMING = "446131000124102", "Genderqueer, neither exclusively male nor female"
    OTHER = "OTH", "Additional gender category or other"
    DECLINED = "ASKU", "Choose not to disclose"


class Race(models.TextChoices):
    """OMB 1997 race categories (CDC Race & Ethnicity codes); more than one may be chosen."""

    AMERICAN_INDIAN = "1002-5", "American Indian or Alaska Native"
    ASIAN = "2028-9", "Asian"
    BLACK = "2054-5", "Black or African American"
    PACIFIC_ISLANDER = "2076-8", "Native Hawaiian or Other Pacific Islander"
    WHITE = "2106-3", "White"
    MIDDLE_EASTERN = "2118-8", "Middle Eastern or North African (reported under White, OMB 1997)"
    DECLINED = "ASKU", "Asked but declined"
    UNKNOWN = "UNK", "Unknown"


class Ethnicity(models.TextChoices):
    """OMB 1997 ethnicity categories (CDC Race & Ethnicity codes)."""

    HISPANIC = "2135-2", "Hispanic or Latino"
    NOT_HISPANIC = "2186-5", "Not Hispanic or Latino"
    DECLINED = "ASKU", "Asked but declined"
    UNKNOWN = "UNK", "Unknown"


# Null flavors stand alone: "declined" or "unknown" cannot be chosen with a category.
NULL_FLAVORS = frozenset({"ASKU", "UNK"})

LANGUAGES: dict[str, str] = {
    "en": "English",
    "es": "Spanish",
    "zh": "Chinese",
    "tl": "Tagalog",
    "vi": "Vietnamese",
    "ar": "Arabic",
    "fr": "French",
    "ko": "Korean",
    "ru": "Russian",
    "ht": "Haitian Creole",
    "de": "German",
    "pt": "Portuguese",
    "hi": "Hindi",
    "it": "Italian",
    "pl": "Polish",
    "ur": "Urdu",
    "fa": "Persian",
    "ja": "Japanese",
    "gu": "Gujarati",
    "bn": "Bengali",
    "so": "Somali",
    "am": "Amharic",
    "hmn": "Hmong",
    "nv": "Navajo",
    "ase": "American Sign Language",
}


class IdentifierType(models.TextChoices):
    """HL7 v2 table 0203 identifier type codes an MPI keeps."""

    MR = "MR", "Medical record number (another facility)"
    PI = "PI", "Patient internal identifier"
    PT = "PT", "Patient external identifier"
    SS = "SS", "Social Security number"
    DL = "DL", "Driver's license number"
    PPN = "PPN", "Passport number"
    MA = "MA", "Medicaid number"
    MC = "MC", "Medicare number"
    MB = "MB", "Member number (health plan)"
    AN = "AN", "Account number"


class MergeKind(models.TextChoices):
    MERGE = "merge", "Merge"
    SPLIT = "split", "Overlay split"
