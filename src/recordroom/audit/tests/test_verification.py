"""audit verify: names the first bad event for every kind of tampering (RULES.md ONC-06)."""

from __future__ import annotations

import pytest

from recordroom.audit.models import AuditEvent
from recordroom.audit.services import verify_chain
from recordroom.audit.tests.factories import raw, record_events

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(settings):
    settings.RECORDROOM_AUDIT_CHECKPOINT_EVERY = 4
    record_events(10)


def test_an_intact_chain_verifies(chain):
    result = verify_chain()
    assert result.ok, result.problem
    assert result.checked == 10
    assert result.last_seq == 10
    assert result.checkpoints_checked == 3


def test_an_empty_trail_verifies():
    result = verify_chain()
    assert result.ok
    assert result.checked == 0


def test_altered_event(chain):
    raw("UPDATE audit_auditevent SET patient_id = 99 WHERE seq = 6")
    result = verify_chain()
    assert not result.ok
    assert result.first_bad_seq == 6
    assert "altered" in result.problem


def test_one_flipped_bit_in_a_stored_hash(chain):
    stored = AuditEvent.objects.get(seq=3).hash
    flipped = format(int(stored[0], 16) ^ 1, "x") + stored[1:]
    raw("UPDATE audit_auditevent SET hash = %s WHERE seq = 3", [flipped])
    assert verify_chain().first_bad_seq == 3


def test_deleted_event(chain):
    raw("DELETE FROM audit_auditevent WHERE seq = 4")
    result = verify_chain()
    assert result.first_bad_seq == 4
    assert "missing (deleted)" in result.problem


def test_inserted_event_in_the_middle(chain):
    raw("UPDATE audit_auditevent SET seq = seq + 1000 WHERE seq >= 7")
    raw("UPDATE audit_auditevent SET seq = seq - 999 WHERE seq >= 1007")
    raw(
        "INSERT INTO audit_auditevent (seq, event_us, event_type, action, outcome, actor_roles, on_behalf_of, "
        "resource_type, resource_id, data_category, purpose, emergency, source_ip, user_agent, session_id, "
        "request_id, detail, hash) SELECT 7, event_us, event_type, action, outcome, actor_roles, on_behalf_of, "
        "resource_type, resource_id, data_category, purpose, emergency, source_ip, user_agent, session_id, "
        "request_id, detail, hash FROM audit_auditevent WHERE seq = 6"
    )
    assert verify_chain().first_bad_seq == 7


def test_event_added_at_the_end_outside_record(chain):
    raw(
        "INSERT INTO audit_auditevent (seq, event_us, event_type, action, outcome, actor_roles, on_behalf_of, "
        "resource_type, resource_id, data_category, purpose, emergency, source_ip, user_agent, session_id, "
        "request_id, detail, hash) SELECT 11, event_us, event_type, action, outcome, actor_roles, on_behalf_of, "
        "resource_type, resource_id, data_category, purpose, emergency, source_ip, user_agent, session_id, "
        "request_id, detail, hash FROM audit_auditevent WHERE seq = 10"
    )
    assert verify_chain().first_bad_seq == 11


def test_reordered_events(chain):
    raw("UPDATE audit_auditevent SET seq = 1000 WHERE seq = 5")
    raw("UPDATE audit_auditevent SET seq = 5 WHERE seq = 6")
    raw("UPDATE audit_auditevent SET seq = 6 WHERE seq = 1000")
    assert verify_chain().first_bad_seq == 5


def test_truncated_trail(chain):
    raw("DELETE FROM audit_auditevent WHERE seq > 8")
    result = verify_chain()
    assert result.first_bad_seq == 9
    assert "truncated" in result.problem


def test_truncated_trail_with_a_rewritten_head_is_caught_by_a_checkpoint(chain):
    raw("DELETE FROM audit_auditevent WHERE seq > 8")
    raw("UPDATE audit_audithead SET seq = 8, hash = (SELECT hash FROM audit_auditevent WHERE seq = 8)")
    result = verify_chain()
    assert result.first_bad_seq == 9
    assert "checkpoint signs event #9" in result.problem


def test_forged_checkpoint_signature(chain):
    raw("UPDATE audit_auditcheckpoint SET signature = %s WHERE seq = 5", ["00" * 64])
    result = verify_chain()
    assert result.first_bad_seq == 5
    assert "bad signature" in result.problem


def test_checkpoint_hash_changed(chain):
    raw("UPDATE audit_auditcheckpoint SET hash = %s WHERE seq = 9", ["ab" * 32])
    assert verify_chain().first_bad_seq == 9


def test_missing_head(chain):
    raw("DELETE FROM audit_audithead")
    assert verify_chain().first_bad_seq == 10


def test_verify_from_a_later_sequence(chain):
    raw("UPDATE audit_auditevent SET patient_id = 99 WHERE seq = 2")
    assert verify_chain(from_seq=5).ok
    assert verify_chain().first_bad_seq == 2


def test_checkpoint_signed_by_a_key_this_installation_does_not_hold(chain):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from recordroom.audit import signing
    from recordroom.audit.models import AuditCheckpoint

    forger = Ed25519PrivateKey.generate()
    public_hex = forger.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()
    checkpoint = AuditCheckpoint.objects.get(seq=5)
    signature = forger.sign(signing.checkpoint_message(5, checkpoint.hash, checkpoint.signed_us)).hex()
    raw(
        "UPDATE audit_auditcheckpoint SET key_id = %s, public_key = %s, signature = %s WHERE seq = 5",
        [signing.key_id_of(forger.public_key()), public_hex, signature],
    )
    result = verify_chain()
    assert result.first_bad_seq == 5
    assert "not one of this installation's keys" in result.problem
    assert verify_chain(trust_recorded_keys=True).ok


def test_backup_check_reports_in_words(chain):
    from recordroom.audit.services.verification import backup_check

    assert backup_check() == (True, "audit chain verified: 10 events, 3 checkpoints")
    raw("DELETE FROM audit_auditevent WHERE seq = 2")
    ok, message = backup_check()
    assert not ok
    assert message.startswith("audit chain broken at event #2")
