"""Selectors built from the policy for list queries."""

from __future__ import annotations

import pytest

from recordroom.access.selectors import document_types_visible_to
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.core.vocabulary import Action, Purpose, Relationship, Restriction

pytestmark = pytest.mark.django_db


def test_coder_sees_the_coding_document_types_only_in_their_queue():
    coder = make_user([Role.CODER], enrolled=False).user
    queue = frozenset({Relationship.CODING_QUEUE})
    visible = document_types_visible_to(coder, Action.READ, Purpose.PAYMENT, relationships=queue)
    assert "discharge_summary" in visible
    assert "psychotherapy_note" not in visible
    assert "nursing_note" not in visible
    assert document_types_visible_to(coder, Action.READ, Purpose.PAYMENT) == frozenset()


def test_physician_sees_every_unrestricted_type_but_no_restricted_one():
    physician = make_user([Role.PHYSICIAN], enrolled=False).user
    care = frozenset({Relationship.CARE_TEAM})
    visible = document_types_visible_to(physician, Action.READ, Purpose.TREATMENT, relationships=care)
    assert {"progress_note", "operative_report", "nursing_note"} <= visible
    assert not visible & {"psychotherapy_note", "substance_use_treatment_note", "hiv_test_result"}
    vip = document_types_visible_to(
        physician, Action.READ, Purpose.TREATMENT, relationships=care, patient_restrictions=frozenset({Restriction.VIP})
    )
    assert vip == frozenset()
