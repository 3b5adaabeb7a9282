"""The full matrix role x action x resource x purpose x document type x restriction x relationship,
decided by ``authorize()`` and, independently, by a plain reading of the policy file; then the screens
that exist, role by role, against the same policy. The documentation table is checked too."""

from __future__ import annotations

import itertools
import tomllib
from pathlib import Path

import pytest
from django.test import Client

from recordroom.access.decisions import Resource, authorize
from recordroom.access.policy import DEFAULT_POLICY, active_policy, policy_markdown
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user, sign_in
from recordroom.core.vocabulary import Action, Purpose, Relationship, ResourceType, Restriction

RAW = tomllib.loads(DEFAULT_POLICY.read_text(encoding="utf-8"))
PURPOSES = [p for p in Purpose if p is not Purpose.EMERGENCY]
RESTRICTION_SETS = [frozenset(), frozenset({Restriction.VIP}), frozenset({Restriction.PART2})]
RELATIONSHIP_SETS = [frozenset(), frozenset(Relationship)]


def oracle(role: Role, action: Action, resource: Resource, purpose: Purpose) -> bool:
    """What the policy file says, read plainly."""
    needed = set(resource.restrictions)
    if resource.document_type is not None:
        restriction = RAW["document_types"][resource.document_type].get("restriction")
        if restriction:
            needed.add(restriction)
    for grant in RAW["roles"][role.value].get("grants", []):
        if resource.type.value not in grant["resources"] or action.value not in grant["actions"]:
            continue
        if purpose.value not in grant["purposes"]:
            continue
        kinds = grant.get("document_types")
        if kinds is not None and kinds != ["*"] and resource.document_type not in kinds:
            continue
        if "scope" in grant and grant["scope"] not in {r.value for r in resource.relationships}:
            continue
        if not {str(n) for n in needed} <= set(grant.get("clears", [])):
            continue
        return True
    return False


def resources() -> list[Resource]:
    out = []
    for resource_type in ResourceType:
        kinds = list(RAW["document_types"]) if resource_type is ResourceType.DOCUMENT else [None]
        for kind, restrictions, relationships in itertools.product(kinds, RESTRICTION_SETS, RELATIONSHIP_SETS):
            out.append(Resource(resource_type, id="x", patient_id=1, document_type=kind,
                                restrictions=restrictions, relationships=relationships))  # fmt: skip
    return out


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_authorize_matches_the_policy_file_for_every_combination(role):
    user = make_user([role], enrolled=False).user
    user._rr_clearances = []  # type: ignore[attr-defined]  # no per-user grants: the policy alone decides
    checked = allowed = 0
    for resource in resources():
        for action, purpose in itertools.product(Action, PURPOSES):
            decision = authorize(user, action, resource, purpose)
            expected = oracle(role, action, resource, purpose)
            assert decision.allowed is expected, (role, action, resource, purpose, decision)
            checked += 1
            allowed += expected
    assert checked > 10_000
    assert allowed > 0


def test_access_policy_document_is_generated_from_the_policy():
    doc = Path(__file__).resolve().parents[4] / "docs" / "access-policy.md"
    assert doc.read_text(encoding="utf-8") == policy_markdown(active_policy()), (
        "docs/access-policy.md is stale: run `recordroom access policy-table --write docs/access-policy.md`"
    )


SCREENS = [
    ("/accounts/users/", Action.ADMINISTER, ResourceType.USER_ACCOUNT),
    ("/audit/", Action.SEARCH, ResourceType.AUDIT_TRAIL),
    ("/audit/export.csv", Action.EXPORT, ResourceType.AUDIT_TRAIL),
    ("/access/emergency/", Action.SEARCH, ResourceType.EMERGENCY_ACCESS),
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_screens_follow_the_policy_for_every_role(role):
    make_user([Role.SYSADMIN], username="keeper.admin", enrolled=False)  # so no role is the last sysadmin
    person = make_user([role])
    client = Client()
    sign_in(client, person)
    for url, action, resource_type in SCREENS:
        expected = oracle(role, action, Resource(resource_type), Purpose.OPERATIONS)
        status = client.get(url).status_code
        assert status == (200 if expected else 403), (role, url, status)
