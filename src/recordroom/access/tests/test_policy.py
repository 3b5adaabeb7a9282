"""Loading and validating the policy file; a malformed policy stops the start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from recordroom.access.policy import DEFAULT_POLICY, PolicyError, load_policy, parse_policy
from recordroom.access.roles import Role

VALID = DEFAULT_POLICY.read_text(encoding="utf-8")


def test_default_policy_has_an_entry_for_every_role():
    policy = load_policy(DEFAULT_POLICY)
    assert set(policy.descriptions) == set(Role)
    assert all(policy.descriptions[role] for role in Role)


def test_every_document_grant_names_its_document_types():
    policy = load_policy(DEFAULT_POLICY)
    for grant in policy.grants:
        if "document" in {r.value for r in grant.resources}:
            assert grant.document_types is None or grant.document_types, grant.rule


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("[roles.coder]", "[roles.janitor]"), "unknown role 'janitor'"),
        (
            ('actions = ["read", "search", "create", "update", "code"]', 'actions = ["read", "steal"]'),
            "unknown action 'steal'",
        ),
        (
            (
                '"pathology_report", "radiology_report", "problem_list"',
                '"pathology_report", "tarot_reading", "problem_list"',
            ),
            "unknown document type(s) 'tarot_reading'",
        ),
        (('scope = "coding_queue"', 'scope = "friends"'), "unknown scope 'friends'"),
        (('purposes = ["roi"]', 'purposes = ["emergency"]'), "the emergency purpose belongs to [break_glass] only"),
        (("version = 1", "version = 2"), "version must be 1"),
        (('name = "Recordroom default policy"', 'name = "x"\ncolour = "blue"'), "unknown key(s) colour"),
        (("minutes = 60", "minutes = 0"), "minutes must be 1-1440"),
        (('clears = ["vip", "employee", "confidential"]', 'clears = ["celebrity"]'), "unknown restriction 'celebrity'"),
        (("[roles.sysadmin]", "[roles.sysadmin]\ngrants = 3\n[roles.zzz]"), ""),
    ],
)
def test_malformed_policy_is_refused_with_a_clear_message(edit, message):
    old, new = edit
    assert old in VALID
    with pytest.raises(PolicyError) as caught:
        parse_policy(VALID.replace(old, new, 1), "test.toml")
    assert str(caught.value).startswith("test.toml")
    assert message in str(caught.value)


def test_document_grant_without_document_types_is_refused():
    broken = VALID.replace(
        '[[roles.coder.grants]]\nresources = ["claim"]', '[[roles.coder.grants]]\nresources = ["document"]'
    )
    with pytest.raises(PolicyError, match="must list its document_types"):
        parse_policy(broken, "test.toml")


def test_missing_role_entry_is_refused():
    start = VALID.index("[roles.auditor]")
    end = VALID.index("[roles.sysadmin]")
    with pytest.raises(PolicyError, match="no entry for role\\(s\\) auditor"):
        parse_policy(VALID[:start] + VALID[end:], "test.toml")


def test_invalid_toml_is_refused():
    with pytest.raises(PolicyError, match="not valid TOML"):
        parse_policy("roles = [", "test.toml")


def test_a_malformed_policy_stops_the_start(tmp_path: Path):
    bad = tmp_path / "policy.toml"
    bad.write_text(VALID.replace("[roles.coder]", "[roles.janitor]", 1), encoding="utf-8")
    env = {**os.environ, "RECORDROOM_ACCESS_POLICY": str(bad)}
    env.pop("RECORDROOM_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "django", "check"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode != 0
    assert f"{bad}: unknown role 'janitor' in [roles]" in result.stderr
