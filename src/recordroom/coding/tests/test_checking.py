"""MS-DRG grouping of known cases, cross-checked with drgpy (an independent MS-DRG implementation), and the
validate/group services' policy and audit."""

from __future__ import annotations

import json

import pytest
from drgpy.msdrg_allvers import DRGEngine  # type: ignore[import-untyped]

from recordroom.access.errors import AccessDeniedError
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.audit.models import AuditEvent
from recordroom.coding.errors import CodingError
from recordroom.coding.services import check_encounter, group_checked, group_encounter, validate_encounter
from recordroom.coding.tests.factories import encounter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("code_sets")]


def _drgpy(pdx: str, sdx: list[str], procedures: list[str]) -> str:
    """drgpy's MS-DRG v43 for the same codes (the principal first)."""
    return str(DRGEngine(version="v43").get_drg([pdx, *sdx], procedures))


def test_ami_with_drug_eluting_stent_groups_to_drg_321_or_322():
    data = encounter("I21.4", "E11.9")
    result = group_checked(check_encounter(data))
    # I21.4 (NSTEMI) with a percutaneous coronary dilation with intraluminal device (02703DZ), no CC/MCC
    # secondary: "Percutaneous cardiovascular procedures with intraluminal device without MCC".
    assert result["drg"] == "322"
    assert result["mdc"] == "05"
    assert result["cc_mcc"] == []
    assert result["without_cc_mcc"] is None
    assert _drgpy("I214", ["E119"], ["02703DZ"]) == "322"


def test_mcc_drives_the_drg_and_its_absence_is_shown():
    data = encounter("I21.4", "J96.01")
    result = group_checked(check_encounter(data))
    assert result["drg"] == "321"
    assert result["cc_mcc"] == [{"code": "J96.01", "level": "MCC", "drg_impact": "BOTH"}]
    assert result["without_cc_mcc"]["drg"] == "322"
    assert _drgpy("I214", ["J9601"], ["02703DZ"]) == "321"


def test_hip_replacement_for_fracture():
    data = encounter(
        "S72.001A",
        procedures=[{"code": "0SR9019", "date": "2026-03-02"}],
        patient={"birth_date": "1940-05-01", "sex": "F"},
    )
    result = group_checked(check_encounter(data))
    # MS-DRG 521-522: hip replacement with principal diagnosis of hip fracture (without MCC = 522).
    assert result["drg"] == "522"
    assert result["mdc"] == "08"
    assert _drgpy("S72001A", [], ["0SR9019"]) == "522"


def test_grouper_version_follows_the_discharge_date():
    april = encounter("I21.4", admit_date="2026-04-01", discharge_date="2026-04-03")
    assert group_checked(check_encounter(april))["grouper"] == "MS-DRG v43.1 (msdrg)"
    march = encounter("I21.4")
    assert group_checked(check_encounter(march))["grouper"] == "MS-DRG v43.0 (msdrg)"


def test_weight_is_null_without_loaded_weights():
    result = group_checked(check_encounter(encounter("I21.4")))
    assert result["weight"] is None
    assert "load-weights" in result["weight_note"]


def test_no_code_set_for_the_date_is_refused():
    with pytest.raises(CodingError) as caught:
        check_encounter(encounter("I21.4", admit_date="2024-03-01", discharge_date="2024-03-05"))
    assert caught.value.code.value == "no_code_set"
    assert "2024-03-05" in caught.value.message


def test_outpatient_is_not_grouped():
    data = encounter("I10", encounter_type="outpatient", service_date="2026-03-05")
    with pytest.raises(CodingError):
        group_checked(check_encounter(data))


def test_validate_needs_the_code_permission_and_is_audited():
    clerk = make_user([Role.HIM_CLERK])
    before = AuditEvent.objects.count()
    with pytest.raises(AccessDeniedError):
        validate_encounter(actor=clerk.user, data=encounter("I21.4"))
    assert AuditEvent.objects.filter(event_type="access.denied", actor_id=clerk.user.pk).count() == 1
    assert AuditEvent.objects.count() == before + 1
    coder = make_user([Role.CODER])
    payload = validate_encounter(actor=coder.user, data=encounter("I21.4", "E11"))
    assert payload["errors"] == 1
    event = AuditEvent.objects.filter(event_type="coding.encounter_validated").latest("seq")
    assert event.actor_id == coder.user.pk
    assert json.loads(event.detail) == {"edits": 1, "errors": 1}


def test_group_service_is_audited_with_the_drg():
    coder = make_user([Role.CODER])
    payload = group_encounter(actor=coder.user, data=encounter("I21.4"))
    assert payload["drg"] == "322"
    event = AuditEvent.objects.filter(event_type="coding.encounter_grouped").latest("seq")
    assert json.loads(event.detail)["drg"] == "322"


def test_a_hospital_acquired_fracture_does_not_count_as_mcc():
    """CMS HAC-POA (RULES §10.5, POA-06/07): a fall with hip fracture not present on admission (HAC 05) is
    not a CC/MCC for Medicare grouping; present on admission it is."""
    hospital_acquired = encounter("J18.9", ("S72.001A", "N"), ("W18.30XA", "N"), procedures=[])
    result = group_checked(check_encounter(hospital_acquired))
    assert (result["drg"], result["drg_before_hac"]) == ("195", "193")
    assert result["hacs"] == [{"code": "S72.001A", "hac": "HAC05", "description": "Falls and Trauma"}]
    assert result["cc_mcc"] == []
    present = encounter("J18.9", ("S72.001A", "Y"), ("W18.30XA", "Y"), procedures=[])
    result = group_checked(check_encounter(present))
    assert (result["drg"], result["drg_before_hac"], result["hacs"]) == ("193", None, [])
    assert result["cc_mcc"][0]["code"] == "S72.001A"


def test_what_a_documented_cc_or_mcc_would_change():
    """DRG 322 (PCI with intraluminal device without MCC) has one sibling, 321 with MCC; a CC changes nothing."""
    result = group_checked(check_encounter(encounter("I21.4", "E11.9")))
    assert set(result["if_documented"]) == {"mcc"}
    assert result["if_documented"]["mcc"]["drg"] == "321"
    heart_failure = group_checked(check_encounter(encounter("I50.9", procedures=[])))
    assert heart_failure["drg"] == "293"  # heart failure and shock without CC/MCC
    assert {k: v["drg"] for k, v in heart_failure["if_documented"].items()} == {"mcc": "291", "cc": "292"}
