"""authorize(): deny by default, minimum necessary by document type, restrictions, emergency access."""

from __future__ import annotations

from datetime import timedelta

import pytest

from recordroom.access.decisions import Resource, authorize
from recordroom.access.models import EmergencyAccess, RestrictionGrant
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.core import clock
from recordroom.core.vocabulary import Action, Purpose, Relationship, ResourceType, Restriction

pytestmark = pytest.mark.django_db

QUEUE = frozenset({Relationship.CODING_QUEUE})
CARE = frozenset({Relationship.CARE_TEAM})


def doc(kind: str, *, patient: int = 7, rel=frozenset(), restrictions=frozenset()) -> Resource:
    return Resource(ResourceType.DOCUMENT, id="d1", patient_id=patient, document_type=kind,
                    relationships=rel, restrictions=restrictions)  # fmt: skip


def test_coder_reads_a_discharge_summary_in_their_queue():
    coder = make_user([Role.CODER], enrolled=False).user
    decision = authorize(coder, Action.READ, doc("discharge_summary", rel=QUEUE), Purpose.PAYMENT)
    assert decision.allowed
    assert decision.rule == "coder#2"


@pytest.mark.parametrize(
    ("resource", "purpose", "reason"),
    [
        (doc("discharge_summary"), Purpose.PAYMENT, "applies only with relationship coding_queue"),
        (doc("psychotherapy_note", rel=QUEUE), Purpose.PAYMENT, "outside coder#2 (minimum necessary)"),
        (doc("nursing_note", rel=QUEUE), Purpose.PAYMENT, "outside coder#2"),
        (doc("discharge_summary", rel=QUEUE), Purpose.TREATMENT, "purpose treatment is not allowed for coder#2"),
        (doc("discharge_summary", rel=QUEUE), None, "no purpose of use was given"),
        (doc("made_up_type", rel=QUEUE), Purpose.PAYMENT, "unknown document type 'made_up_type'"),
        (Resource(ResourceType.DOCUMENT), Purpose.PAYMENT, "must name the document type"),
    ],
)  # fmt: skip
def test_coder_is_denied_outside_minimum_necessary(resource, purpose, reason):
    coder = make_user([Role.CODER], enrolled=False).user
    decision = authorize(coder, Action.READ, resource, purpose)
    assert not decision.allowed
    assert reason in decision.reason


def test_unknown_action_and_missing_role_are_denials():
    nobody = make_user([], enrolled=False).user
    assert authorize(nobody, Action.READ, Resource(ResourceType.PATIENT, patient_id=1), Purpose.OPERATIONS).reason == (
        "the user holds no role"
    )
    clerk = make_user([Role.HIM_CLERK], enrolled=False).user
    assert not authorize(clerk, "read", Resource(ResourceType.PATIENT), Purpose.OPERATIONS)  # type: ignore[arg-type]
    assert not authorize(clerk, Action.READ, Resource(ResourceType.PATIENT), "operations")  # type: ignore[arg-type]
    assert not authorize(None, Action.READ, Resource(ResourceType.PATIENT), Purpose.OPERATIONS)


def test_inactive_user_is_denied():
    clerk = make_user([Role.HIM_CLERK], enrolled=False).user
    clerk.is_active = False
    assert authorize(clerk, Action.READ, Resource(ResourceType.PATIENT), Purpose.OPERATIONS).reason == "no active user"


def test_clerk_indexes_documents_but_does_not_read_them():
    clerk = make_user([Role.HIM_CLERK], enrolled=False).user
    index = Resource(ResourceType.DOCUMENT_INDEX, patient_id=3, document_type="progress_note")
    assert authorize(clerk, Action.UPDATE, index, Purpose.OPERATIONS)
    assert not authorize(clerk, Action.READ, doc("progress_note"), Purpose.OPERATIONS)


def test_roi_reads_what_an_authorization_covers_but_not_restricted_types():
    roi = make_user([Role.ROI_SPECIALIST], enrolled=False).user
    covered = frozenset({Relationship.COVERED_BY_AUTHORIZATION})
    assert authorize(roi, Action.READ, doc("operative_report", rel=covered), Purpose.ROI)
    assert not authorize(roi, Action.READ, doc("operative_report"), Purpose.ROI)
    denied = authorize(roi, Action.READ, doc("substance_use_treatment_note", rel=covered), Purpose.ROI)
    assert "restricted (part2)" in denied.reason


def test_vip_patient_needs_an_explicit_grant():
    physician = make_user([Role.PHYSICIAN], enrolled=False).user
    vip = frozenset({Restriction.VIP})
    assert not authorize(physician, Action.READ, doc("progress_note", rel=CARE, restrictions=vip), Purpose.TREATMENT)
    officer = make_user([Role.PRIVACY_OFFICER], enrolled=False).user
    RestrictionGrant.objects.create(
        user=physician, restriction="vip", patient_id=8, expires_at=clock.now() + timedelta(days=1),
        granted_by=officer, reason="attending physician",
    )  # fmt: skip
    physician.__dict__.pop("_rr_clearances", None)
    assert not authorize(
        physician, Action.READ, doc("progress_note", patient=7, rel=CARE, restrictions=vip), Purpose.TREATMENT
    )
    assert authorize(
        physician, Action.READ, doc("progress_note", patient=8, rel=CARE, restrictions=vip), Purpose.TREATMENT
    )


def test_privacy_officer_policy_clears_vip_for_demographics_only():
    officer = make_user([Role.PRIVACY_OFFICER], enrolled=False).user
    vip = Resource(ResourceType.PATIENT, patient_id=4, restrictions=frozenset({Restriction.VIP}))
    assert authorize(officer, Action.READ, vip, Purpose.OPERATIONS)
    assert not authorize(officer, Action.READ, doc("progress_note", patient=4), Purpose.OPERATIONS)


def test_sysadmin_sees_no_patient_information():
    admin = make_user([Role.SYSADMIN], enrolled=False).user
    for resource_type in (ResourceType.PATIENT, ResourceType.ENCOUNTER, ResourceType.AUDIT_TRAIL):
        assert not authorize(admin, Action.READ, Resource(resource_type, patient_id=1), Purpose.OPERATIONS)
    assert authorize(admin, Action.ADMINISTER, Resource(ResourceType.USER_ACCOUNT), Purpose.OPERATIONS)


def test_emergency_purpose_needs_an_open_window():
    physician = make_user([Role.PHYSICIAN], enrolled=False).user
    psych = doc("psychotherapy_note", patient=11)
    assert "break the glass first" in authorize(physician, Action.READ, psych, Purpose.EMERGENCY).reason
    window = EmergencyAccess.objects.create(
        user=physician, patient_id=11, reason="code blue", expires_at=clock.now() + timedelta(minutes=60)
    )
    decision = authorize(physician, Action.READ, psych, Purpose.EMERGENCY)
    assert decision.allowed
    assert decision.emergency
    assert not authorize(physician, Action.READ, doc("progress_note", patient=12), Purpose.EMERGENCY)
    assert not authorize(physician, Action.UPDATE, psych, Purpose.EMERGENCY)
    with clock.frozen(window.expires_at):
        assert not authorize(physician, Action.READ, psych, Purpose.EMERGENCY)


def test_roles_outside_the_break_glass_group_cannot_use_emergency():
    coder = make_user([Role.CODER], enrolled=False).user
    EmergencyAccess.objects.create(
        user=coder, patient_id=5, reason="should not matter", expires_at=clock.now() + timedelta(minutes=60)
    )
    decision = authorize(coder, Action.READ, doc("progress_note", patient=5), Purpose.EMERGENCY)
    assert not decision.allowed
    assert decision.reason == "the user's roles may not use emergency access"
