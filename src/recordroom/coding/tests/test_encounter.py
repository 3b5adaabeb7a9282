"""Parsing the encounter JSON: safe normalisation, and refusals that name the field."""

from __future__ import annotations

import pytest

from recordroom.coding.errors import CodingError
from recordroom.coding.services.encounter import normalise_cm, normalise_pcs, parse_encounter
from recordroom.coding.tests.factories import encounter


@pytest.mark.parametrize(
    ("raw", "code"), [("e11.9", "E119"), (" E119 ", "E119"), ("w19.xxxa", "W19XXXA"), ("Z3A.39", "Z3A39")]
)
def test_safe_normalisation(raw, code):
    assert normalise_cm(raw, "code") == code


@pytest.mark.parametrize("raw", ["E1.19", "E11..9", "E11 9", "E11-9", "11.9", "E11.", ""])
def test_unsafe_cm_forms_are_refused(raw):
    with pytest.raises(CodingError):
        normalise_cm(raw, "diagnoses[0].code")


@pytest.mark.parametrize("raw", ["0SR9.019", "0SR901", "0SRI019", "0SR9O19"])
def test_unsafe_pcs_forms_are_refused(raw):
    with pytest.raises(CodingError):
        normalise_pcs(raw, "procedures[0].code")


def test_age_at_admission_and_principal():
    parsed = parse_encounter(encounter("I21.4", "E11.9", patient={"birth_date": "1950-03-02", "sex": "f"}))
    assert parsed.age == 75  # admitted 2026-03-01, the day before the 76th birthday
    assert parsed.principal is not None
    assert parsed.principal.code == "I214"
    assert parsed.sex == "F"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"encounter_type": "ward"}, "encounter_type"),
        ({"discharge_date": "2026-02-01"}, "discharge_date"),
        ({"patient": {"birth_date": "2027-01-01", "sex": "F"}}, "patient.birth_date"),
        ({"patient": {"birth_date": "1950-01-01", "sex": "X"}}, "patient.sex"),
        ({"diagnoses": []}, "diagnoses"),
        ({"procedures": "02703DZ"}, "procedures"),
        ({"discharge_disposition": "home"}, "discharge_disposition"),
    ],
)
def test_bad_input_names_the_field(change, field):
    with pytest.raises(CodingError) as caught:
        parse_encounter(encounter("I21.4", **change))
    assert caught.value.field == field
