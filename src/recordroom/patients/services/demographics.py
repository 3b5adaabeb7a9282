"""Checking what a person types before anything is written, and the minimum-necessary summary.

Each refusal names the field and the rule, never the value (a name or a date of birth is PHI). Rules:
names need a letter and fit 100 characters; a date of birth is not in the future nor before 1880; an SSN
follows the SSA's assignment rules (no area 000, 666 or 900-999, no group 00, no serial 0000); a phone
number is a North American number (NANP) or an international one in E.164 form (ITU-T E.164: at most
15 digits); an e-mail address passes Django's validator (RFC 5321 lengths); a US address has a two-letter
state and a ZIP or ZIP+4 code (USPS Publication 28); gender identity, preferred language, race and
ethnicity are codes from ``patients/codes.py`` (45 CFR 170.207(o)(2), BCP 47, OMB SPD 15 (1997) as CDC
Race & Ethnicity codes), a null flavor (declined, unknown) standing alone.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from recordroom.core import clock
from recordroom.core.vocabulary import Restriction
from recordroom.patients.codes import LANGUAGES, NULL_FLAVORS, Ethnicity, GenderIdentity, Race
from recordroom.patients.errors import PatientsError, PatientsErrorCode
from recordroom.patients.models import PATIENT_RESTRICTIONS, AdministrativeSex, Patient
from recordroom.vault.blind_index import name_tokens, phonetic_codes

EARLIEST_BIRTH = date(1880, 1, 1)
MAX_NAME = 100
MAX_ADDRESS_PART = 100
MAX_EMAIL = 254
ADDRESS_PARTS = ("line", "city", "state", "postal_code")
LABELS = {
    "given_name": "given name",
    "family_name": "family name",
    "middle_name": "middle name",
    "preferred_name": "preferred name",
    "date_of_birth": "date of birth",
    "deceased_date": "date of death",
    "administrative_sex": "sex",
    "ssn": "SSN",
    "phone": "phone number",
    "email": "e-mail address",
    "address.line": "street address",
    "address.city": "city",
    "address.state": "state",
    "address.postal_code": "ZIP code",
    "gender_identity": "gender identity",
    "preferred_language": "preferred language",
    "race": "race",
    "ethnicity": "ethnicity",
}
_PHONE_CHARS = re.compile(r"^\+?[\d\s().\-]{7,25}$")
_NANP = re.compile(r"^[2-9]\d{2}[2-9]\d{6}$")
_STATE = re.compile(r"^[A-Z]{2}$")
_ZIP = re.compile(r"^\d{5}(-\d{4})?$")


def invalid(field: str, rule: str) -> PatientsError:
    return PatientsError(PatientsErrorCode.INVALID_INPUT, f"The {LABELS.get(field, field)} {rule}.", field=field)


@dataclass(frozen=True)
class Demographics:
    """Checked, normalized registration data (plaintext, in memory only)."""

    given_name: str
    family_name: str
    middle_name: str | None
    preferred_name: str | None
    date_of_birth: date
    administrative_sex: str
    ssn: str | None
    phone: str | None
    email: str | None
    address: dict[str, str] | None
    deceased_date: date | None
    restrictions: tuple[str, ...]
    gender_identity: str | None = None
    preferred_language: str | None = None
    race: tuple[str, ...] = ()
    ethnicity: tuple[str, ...] = ()

    def names(self) -> list[str]:
        return [n for n in (self.given_name, self.middle_name, self.family_name, self.preferred_name) if n]


def _text(value: object) -> str:
    return " ".join(str(value or "").split())


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn"} for ch in text)


def _name(value: object, field: str, *, required: bool) -> str | None:
    text = _text(value)
    if not text:
        if required:
            raise invalid(field, "is required")
        return None
    if len(text) > MAX_NAME:
        raise invalid(field, f"has at most {MAX_NAME} characters")
    if _has_control(text) or not name_tokens(text):
        raise invalid(field, "needs at least one letter and no control characters")
    return text


def _required_name(value: object, field: str) -> str:
    text = _name(value, field, required=True)
    if text is None:
        raise invalid(field, "is required")
    return text


def _date(value: object, field: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise invalid(field, "is a date (YYYY-MM-DD)")
    return value


def today() -> date:
    return timezone.localdate(clock.now())


def _birth_date(value: object) -> date:
    born = _date(value, "date_of_birth")
    if born > today():
        raise invalid("date_of_birth", "cannot be in the future")
    if born < EARLIEST_BIRTH:
        raise invalid("date_of_birth", f"cannot be before {EARLIEST_BIRTH.year}")
    return born


def _deceased(value: object, born: date) -> date | None:
    if value is None or value == "":
        return None
    died = _date(value, "deceased_date")
    if died > today():
        raise invalid("deceased_date", "cannot be in the future")
    if died < born:
        raise invalid("deceased_date", "cannot be before the date of birth")
    return died


def _sex(value: object) -> str:
    code = _text(value).upper()
    if code not in AdministrativeSex.values:
        raise invalid("administrative_sex", "is F, M, O or U")
    return code


def _ssn(value: object) -> str | None:
    text = _text(value)
    if not text:
        return None
    digits = re.sub(r"[\s\-]", "", text)
    if len(digits) != 9 or not digits.isdigit():
        raise invalid("ssn", "has 9 digits")
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in {"000", "666"} or area.startswith("9") or group == "00" or serial == "0000":
        raise invalid("ssn", "is not a number the SSA assigns")
    return digits


def _phone(value: object) -> str | None:
    text = _text(value)
    if not text:
        return None
    if not _PHONE_CHARS.fullmatch(text):
        raise invalid("phone", "has digits, spaces, dashes, dots or brackets, and may start with +")
    digits = re.sub(r"\D", "", text)
    if text.startswith("+") and not digits.startswith("1"):
        if not 7 <= len(digits) <= 15:
            raise invalid("phone", "has at most 15 digits after the country code (E.164)")
        return f"+{digits}"
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if not _NANP.fullmatch(digits):
        raise invalid("phone", "is a 10-digit North American number or starts with + and a country code")
    return f"+1{digits}"


def _email(value: object) -> str | None:
    text = _text(value)
    if not text:
        return None
    try:
        validate_email(text)
    except ValidationError:
        raise invalid("email", "is not a valid address") from None
    if len(text) > MAX_EMAIL:
        raise invalid("email", f"has at most {MAX_EMAIL} characters")
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def _address(value: Mapping[str, Any] | None) -> dict[str, str] | None:
    if not value:
        return None
    unknown = set(value) - set(ADDRESS_PARTS)
    if unknown:
        raise invalid("address", "has only line, city, state and postal_code")
    cleaned: dict[str, str] = {}
    for part in ADDRESS_PARTS:
        text = _text(value.get(part))
        field = f"address.{part}"
        if len(text) > MAX_ADDRESS_PART or _has_control(text):
            raise invalid(field, f"has at most {MAX_ADDRESS_PART} characters")
        if part == "state" and text:
            text = text.upper()
            if not _STATE.fullmatch(text):
                raise invalid(field, "is a two-letter code")
        if part == "postal_code" and text and not _ZIP.fullmatch(text):
            raise invalid(field, "is 5 digits, or ZIP+4 (12345-6789)")
        if text:
            cleaned[part] = text
    return cleaned or None


def _restrictions(values: Iterable[Restriction | str]) -> tuple[str, ...]:
    codes = set()
    for value in values:
        try:
            restriction = Restriction(value)
        except ValueError:
            raise invalid("restrictions", "are vip, employee or confidential") from None
        if restriction not in PATIENT_RESTRICTIONS:
            raise invalid("restrictions", "are vip, employee or confidential")
        codes.add(restriction.value)
    return tuple(sorted(codes))


def _code(value: object, field: str, allowed: Iterable[str]) -> str | None:
    text = _text(value)
    if not text:
        return None
    if text not in set(allowed):
        raise invalid(field, "is not a code of its value set")
    return text


def _codes(values: object, field: str, allowed: Iterable[str], *, many: bool) -> tuple[str, ...]:
    if values is None or values == "":
        return ()
    items = [values] if isinstance(values, str) else list(values)  # type: ignore[call-overload]
    codes = sorted({_text(v) for v in items if _text(v)})
    known = set(allowed)
    if any(code not in known for code in codes):
        raise invalid(field, "is not a code of its value set")
    if len(codes) > 1 and (not many or NULL_FLAVORS & set(codes)):
        rule = "has one answer" if not many else "is declined or unknown, or one or more categories"
        raise invalid(field, rule)
    return tuple(codes)


def clean_codes(
    *, gender_identity: object = "", preferred_language: object = "", race: object = (), ethnicity: object = ()
) -> dict[str, Any]:
    """The coded demographics, checked (each a :class:`PatientsError` naming the field)."""
    return {
        "gender_identity": _code(gender_identity, "gender_identity", GenderIdentity.values),
        "preferred_language": _code(preferred_language, "preferred_language", LANGUAGES),
        "race": _codes(race, "race", Race.values, many=True),
        "ethnicity": _codes(ethnicity, "ethnicity", Ethnicity.values, many=False),
    }


def clean_demographics(
    *,
    given_name: object,
    family_name: object,
    date_of_birth: object,
    administrative_sex: object,
    middle_name: object = "",
    preferred_name: object = "",
    ssn: object = "",
    phone: object = "",
    email: object = "",
    address: Mapping[str, Any] | None = None,
    deceased_date: object = None,
    restrictions: Iterable[Restriction | str] = (),
    gender_identity: object = "",
    preferred_language: object = "",
    race: object = (),
    ethnicity: object = (),
) -> Demographics:
    """Check every field (first fault raises :class:`PatientsError` ``invalid_input`` naming the field)."""
    given = _required_name(given_name, "given_name")
    family = _required_name(family_name, "family_name")
    born = _birth_date(date_of_birth)
    return Demographics(
        given_name=given,
        family_name=family,
        middle_name=_name(middle_name, "middle_name", required=False),
        preferred_name=_name(preferred_name, "preferred_name", required=False),
        date_of_birth=born,
        administrative_sex=_sex(administrative_sex),
        ssn=_ssn(ssn),
        phone=_phone(phone),
        email=_email(email),
        address=_address(address),
        deceased_date=_deceased(deceased_date, born),
        restrictions=_restrictions(restrictions),
        **clean_codes(
            gender_identity=gender_identity, preferred_language=preferred_language, race=race, ethnicity=ethnicity
        ),
    )


def names_match(query: str, patient: Patient) -> bool:
    """Whether every token of ``query`` is one of the patient's name tokens or sounds like one (Double
    Metaphone, primary or alternate code): "Jon Smyth" matches John Smith, "Smith" matches him too."""
    wanted = name_tokens(query)
    names = [patient.given_name, patient.middle_name, patient.family_name, patient.preferred_name]
    have = {token for name in names if name for token in name_tokens(name)}
    sounds = {token: phonetic_codes(token) for token in have}
    for token in wanted:
        codes = phonetic_codes(token)
        if token not in have and not any(codes & other for other in sounds.values()):
            return False
    return bool(wanted)


@dataclass(frozen=True)
class PatientSummary:
    """What a search shows of a patient, and no more (45 CFR 164.514(d) minimum necessary)."""

    public_id: uuid.UUID
    display_name: str
    date_of_birth: date
    administrative_sex: str
    mrn: str
    status: str
    replaced_by: uuid.UUID | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "public_id": str(self.public_id),
            "display_name": self.display_name,
            "date_of_birth": self.date_of_birth.isoformat(),
            "administrative_sex": self.administrative_sex,
            "mrn": self.mrn,
            "status": self.status,
            "replaced_by": str(self.replaced_by) if self.replaced_by else None,
        }


def display_name(patient: Patient) -> str:
    given = " ".join(n for n in (patient.given_name, patient.middle_name) if n)
    return f"{patient.family_name}, {given}"


def summarize(patient: Patient) -> PatientSummary:
    return PatientSummary(
        public_id=patient.public_id,
        display_name=display_name(patient),
        date_of_birth=patient.date_of_birth,
        administrative_sex=patient.administrative_sex,
        mrn=patient.mrn,
        status=patient.status,
        replaced_by=current_record(patient).public_id if patient.replaced_by_id else None,
    )


MAX_MERGE_CHAIN = 50


def current_record(patient: Patient) -> Patient:
    """The record that holds a merged patient's chart now: ``replaced_by``, followed while it was itself
    merged (a chain is bounded; an active record is its own current record)."""
    seen = 0
    while patient.replaced_by_id is not None and seen < MAX_MERGE_CHAIN:
        patient = Patient.objects.get(pk=patient.replaced_by_id)
        seen += 1
    return patient
