"""Access services: enforce, break the glass, emergency review, restriction grants."""

from __future__ import annotations

from datetime import timedelta

import pytest

from recordroom.access.decisions import Resource, authorize
from recordroom.access.errors import AccessDeniedError, AccessError
from recordroom.access.models import EmergencyAccess, RestrictionGrant
from recordroom.access.services import (
    break_glass,
    end_emergency_access,
    enforce,
    grant_restriction,
    review_emergency_access,
    revoke_restriction,
)
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.audit.models import AuditEvent
from recordroom.audit.services import verify_chain
from recordroom.core import clock
from recordroom.core.vocabulary import Action, Purpose, Relationship, ResourceType, Restriction

pytestmark = pytest.mark.django_db

PSYCH = Resource(ResourceType.DOCUMENT, id="n1", patient_id=21, document_type="psychotherapy_note")


def test_enforce_records_the_denial_and_raises():
    coder = make_user([Role.CODER], enrolled=False).user
    with pytest.raises(AccessDeniedError) as caught:
        enforce(coder, Action.READ, PSYCH, Purpose.PAYMENT)
    assert "21" not in caught.value.message
    denied = AuditEvent.objects.get(event_type="access.denied")
    assert (denied.actor_id, denied.patient_id, denied.outcome, denied.data_category) == (
        coder.pk,
        21,
        "denied",
        "psychotherapy_note",
    )
    assert denied.detail_data == {"rule": "default-deny", "action": "read"}


def test_enforce_allows_without_recording():
    physician = make_user([Role.PHYSICIAN], enrolled=False).user
    resource = Resource(ResourceType.DOCUMENT, patient_id=2, document_type="progress_note",
                        relationships=frozenset({Relationship.CARE_TEAM}))  # fmt: skip
    assert enforce(physician, Action.READ, resource, Purpose.TREATMENT).allowed
    assert not AuditEvent.objects.filter(event_type="access.denied").exists()


def test_break_glass_opens_a_timed_window_and_alerts_the_privacy_officer():
    """RULES.md ONC-09."""
    physician = make_user([Role.PHYSICIAN], enrolled=False).user
    window = break_glass(actor=physician, patient_id=21, reason="code blue, patient unresponsive")
    assert window.expires_at - window.created_at == timedelta(minutes=60)
    started = AuditEvent.objects.get(event_type="access.emergency_started")
    assert started.action == "break_glass"
    assert started.emergency is True
    assert started.patient_id == 21
    assert "code blue" not in started.detail  # the reason stays out of the trail
    assert authorize(physician, Action.READ, PSYCH, Purpose.EMERGENCY).emergency
    officer = make_user([Role.PRIVACY_OFFICER], enrolled=False).user
    from recordroom.access.selectors import unreviewed_emergency_count

    assert unreviewed_emergency_count(officer) == 1
    assert unreviewed_emergency_count(physician) is None


def test_break_glass_refused_for_roles_outside_the_group():
    """RULES.md ONC-10."""
    coder = make_user([Role.CODER], enrolled=False).user
    with pytest.raises(AccessDeniedError):
        break_glass(actor=coder, patient_id=21, reason="curious about this one")
    assert not EmergencyAccess.objects.exists()
    refused = AuditEvent.objects.get(event_type="access.emergency_refused")
    assert refused.outcome == "denied"
    assert refused.detail_data == {"reason_code": "roles_not_allowed"}


@pytest.mark.parametrize("reason", ["", "   ", "no", "x" * 501])
def test_break_glass_needs_a_reason(reason):
    physician = make_user([Role.PHYSICIAN], enrolled=False).user
    with pytest.raises(AccessError, match="State the reason"):
        break_glass(actor=physician, patient_id=21, reason=reason)
    assert not EmergencyAccess.objects.exists()
    assert AuditEvent.objects.get(event_type="access.emergency_refused").detail_data == {
        "reason_code": "reason_missing"
    }


def test_window_expires_and_can_be_ended_early():
    physician = make_user([Role.PHYSICIAN], enrolled=False).user
    window = break_glass(actor=physician, patient_id=21, reason="trauma bay")
    end_emergency_access(window=window, actor=physician)
    assert not authorize(physician, Action.READ, PSYCH, Purpose.EMERGENCY)
    other = break_glass(actor=physician, patient_id=21, reason="trauma bay again")
    with clock.frozen(other.expires_at + timedelta(seconds=1)):
        assert not authorize(physician, Action.READ, PSYCH, Purpose.EMERGENCY)


def test_privacy_officer_reviews_emergency_access():
    physician = make_user([Role.PHYSICIAN], enrolled=False).user
    officer = make_user([Role.PRIVACY_OFFICER], enrolled=False).user
    window = break_glass(actor=physician, patient_id=21, reason="code blue")
    with pytest.raises(AccessError):
        review_emergency_access(window=window, actor=officer, finding="looks fine")
    review_emergency_access(window=window, actor=officer, finding="appropriate")
    window.refresh_from_db()
    assert (window.review_finding, window.reviewed_by_id) == ("appropriate", officer.pk)
    assert AuditEvent.objects.get(event_type="access.emergency_reviewed").detail_data == {"finding": "appropriate"}


def test_only_the_privacy_officer_reviews_and_never_their_own():
    physician = make_user([Role.PHYSICIAN, Role.PRIVACY_OFFICER], enrolled=False).user
    window = break_glass(actor=physician, patient_id=21, reason="code blue")
    with pytest.raises(AccessError, match="Nobody reviews their own"):
        review_emergency_access(window=window, actor=physician, finding="appropriate")
    coder = make_user([Role.CODER], enrolled=False).user
    with pytest.raises(AccessDeniedError):
        review_emergency_access(window=window, actor=coder, finding="appropriate")
    window.refresh_from_db()
    assert window.reviewed_at is None


def test_restriction_grant_lets_one_user_past_one_restriction():
    officer = make_user([Role.PRIVACY_OFFICER], enrolled=False).user
    roi = make_user([Role.ROI_SPECIALIST], enrolled=False).user
    covered = Resource(ResourceType.DOCUMENT, patient_id=30, document_type="substance_use_treatment_note",
                       relationships=frozenset({Relationship.COVERED_BY_AUTHORIZATION}))  # fmt: skip
    assert not authorize(roi, Action.READ, covered, Purpose.ROI)
    grant = grant_restriction(user=roi, restriction=Restriction.PART2, actor=officer, reason="Part 2 consent on file",
                              days=7, patient_id=30)  # fmt: skip
    assert authorize(roi, Action.READ, covered, Purpose.ROI)
    revoke_restriction(grant=grant, actor=officer)
    roi.__dict__.pop("_rr_clearances", None)
    assert not authorize(roi, Action.READ, covered, Purpose.ROI)
    types = list(
        AuditEvent.objects.filter(event_type__startswith="access.restriction").values_list("event_type", flat=True)
    )
    assert types == ["access.restriction_granted", "access.restriction_revoked"]


def test_only_the_privacy_officer_grants_restrictions():
    clerk = make_user([Role.HIM_CLERK], enrolled=False).user
    with pytest.raises(AccessDeniedError):
        grant_restriction(user=clerk, restriction=Restriction.VIP, actor=clerk, reason="please", days=1)
    assert not RestrictionGrant.objects.exists()


def test_the_chain_verifies_after_access_work():
    physician = make_user([Role.PHYSICIAN], enrolled=False).user
    break_glass(actor=physician, patient_id=21, reason="code blue")
    assert verify_chain().ok


def test_free_text_reasons_are_sealed_at_rest():
    physician = make_user([Role.PHYSICIAN], enrolled=False).user
    officer = make_user([Role.PRIVACY_OFFICER], enrolled=False).user
    window = break_glass(actor=physician, patient_id=21, reason="daughter Maria Lopez asked in the ED")
    grant_restriction(
        user=physician, restriction=Restriction.VIP, actor=officer, reason="treating Dr Able's wife", days=1
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM access_emergencyaccess UNION ALL SELECT reason FROM access_restrictiongrant")
        stored = b"".join(bytes(row[0]) for row in cursor.fetchall())
    assert b"Maria" not in stored
    assert b"Able" not in stored
    assert EmergencyAccess.objects.get(pk=window.pk).reason == "daughter Maria Lopez asked in the ED"
