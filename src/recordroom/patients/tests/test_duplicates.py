"""The duplicate batch and review queue: planted duplicates are found and twins are not; decisions stick;
merged records are left out; refusals are recorded and change nothing; values never reach the evidence,
the audit trail or the command's output."""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from recordroom.access.errors import AccessDeniedError
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.audit.models import AuditEvent
from recordroom.core.vocabulary import Purpose
from recordroom.patients.errors import PatientsError, PatientsErrorCode
from recordroom.patients.models import DuplicatePair, DuplicateRun, DuplicateStatus, Patient
from recordroom.patients.services import (
    duplicate_queue,
    find_duplicates,
    mark_not_duplicate,
    merge_patients,
    review_duplicate_pair,
)
from recordroom.patients.tests.factories import make_patient

pytestmark = pytest.mark.django_db
OPS = Purpose.OPERATIONS
BACKGROUND = 40
GIVEN = ("Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "Lucas", "Isabella", "Mateo", "Mia", "Ethan",
         "Chloé", "Amir", "Yuki", "Ngozi", "Priya", "Diego", "Fatima", "Oskar")  # fmt: skip
FAMILY = ("Smith", "Nguyen", "García", "Kowalski", "O'Brien", "Müller", "Patel", "Kim", "Johansson", "Dubois",
          "Rossi", "Haddad", "Moreau", "Tanaka", "Adeyemi", "Novak", "Silva", "Cohen", "Ivanova", "Byrne")  # fmt: skip


def _address(line: str, postal_code: str) -> dict[str, str]:
    return {"line": line, "city": "Springfield", "state": "IL", "postal_code": postal_code}


def plant(actor: Any) -> dict[str, Any]:
    """A small index registered through the real service: unrelated people, three planted duplicates
    (a typo with the same phone, swapped names, a slipped date of birth with the same SSN), and twins
    (same family name, birth date, address and phone; different given name and SSN)."""
    for n in range(BACKGROUND):
        make_patient(
            actor=actor,
            given_name=GIVEN[n % len(GIVEN)],
            family_name=FAMILY[(n * 7) % len(FAMILY)],
            date_of_birth=date(1940 + n, 1 + n % 12, 1 + n % 28),
            administrative_sex="F" if n % 2 else "M",
            phone=f"217555{n:04d}",
            address=_address(f"{100 + n} Elm St", f"6{n:04d}"),
            ssn=f"{101 + n:03d}22{1000 + n:04d}",
        )
    people: dict[str, Any] = {}
    people["typo"] = (
        make_patient(actor=actor, given_name="Margarethe", family_name="Okonkwo", date_of_birth=date(1961, 7, 4),
                     administrative_sex="F", phone="2175550199", address=_address("12 Oak Ave", "62704")),
        make_patient(actor=actor, given_name="Margarete", family_name="Okonkwo", date_of_birth=date(1961, 7, 4),
                     administrative_sex="F", phone="2175550199", address=_address("12 Oak Ave", "62704")),
    )  # fmt: skip
    people["swap"] = (
        make_patient(actor=actor, given_name="José", family_name="Hernández", date_of_birth=date(1975, 2, 14),
                     administrative_sex="M", ssn="234567890", email="jh@example.org"),
        make_patient(actor=actor, given_name="Hernandez", family_name="Jose", date_of_birth=date(1975, 2, 14),
                     administrative_sex="M", ssn="234567890"),
    )  # fmt: skip
    people["dob"] = (
        make_patient(actor=actor, given_name="Søren", family_name="Lindqvist-Berg", date_of_birth=date(1988, 11, 23),
                     administrative_sex="M", ssn="345678901", phone="3125550123"),
        make_patient(actor=actor, given_name="Soren", family_name="Lindqvist-Berg", date_of_birth=date(1988, 11, 28),
                     administrative_sex="M", ssn="345678901"),
    )  # fmt: skip
    home = _address("9 Birch Rd", "60540")
    people["twins"] = (
        make_patient(actor=actor, given_name="Amara", family_name="Quintero", date_of_birth=date(2015, 5, 9),
                     administrative_sex="F", ssn="456789012", phone="6305550111", address=home),
        make_patient(actor=actor, given_name="Nia", family_name="Quintero", date_of_birth=date(2015, 5, 9),
                     administrative_sex="F", ssn="456789013", phone="6305550111", address=home),
    )  # fmt: skip
    return people


def pair_of(a: Patient, b: Patient) -> DuplicatePair | None:
    left, right = sorted((a.pk, b.pk))
    return DuplicatePair.objects.filter(left_id=left, right_id=right).first()


def events(event_type: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type=event_type).order_by("seq"))


def test_planted_duplicates_are_queued_with_evidence_and_twins_are_not():
    clerk = make_user([Role.HIM_CLERK]).user
    people = plant(clerk)

    run = find_duplicates(actor=clerk, purpose=OPS)

    for kind in ("typo", "swap", "dob"):
        pair = pair_of(*people[kind])
        assert pair is not None, kind
        assert pair.status == DuplicateStatus.OPEN
        assert pair.match_probability >= run.threshold
        assert pair.run_id == run.pk
    assert pair_of(*people["twins"]) is None
    assert run.patients_scanned == BACKGROUND + 8
    assert run.pairs_queued == DuplicatePair.objects.count() >= 3
    assert run.finished_at is not None
    summary = run.model_summary
    assert {"prior", "comparisons", "blocking_rules", "threshold", "counts", "timings"} <= set(summary)
    assert {level["level"] for level in summary["comparisons"]["dob"]} >= {"exact", "one digit slipped or transposed"}
    assert summary["counts"]["new"] == run.pairs_queued
    swap = pair_of(*people["swap"])
    assert swap is not None
    levels = {item["attribute"]: item["level"] for item in swap.evidence}
    assert levels["name"] == "given and family swapped"
    assert levels["ssn"] == "exact"
    # Labels and numbers only: no value of either record in the evidence, the summary or the trail.
    stored = json.dumps([list(DuplicatePair.objects.values_list("evidence", flat=True)), summary])
    trail = json.dumps(list(AuditEvent.objects.values_list("detail", flat=True)))
    for value in ("Okonkwo", "Margaret", "Hernández", "Lindqvist", "2175550199", "234567890", "1961-07-04"):
        assert value not in stored
        assert value not in trail
    (event,) = events("patients.duplicates_detected")
    detail = json.loads(event.detail)
    assert detail["pairs_queued"] == run.pairs_queued
    assert detail["patients_scanned"] == BACKGROUND + 8
    assert event.outcome == "success"


def test_a_pair_marked_not_a_duplicate_stays_marked_and_merged_records_are_left_out():
    clerk = make_user([Role.HIM_CLERK]).user
    people = plant(clerk)
    first = find_duplicates(actor=clerk, purpose=OPS)
    dismissed = pair_of(*people["dob"])
    assert dismissed is not None

    mark_not_duplicate(actor=clerk, purpose=OPS, pair_id=dismissed.public_id, reason="family_member")
    survivor, retired = people["typo"]
    merge_patients(
        actor=clerk, purpose=OPS, survivor_id=survivor.public_id, retired_id=retired.public_id, reason="same person"
    )
    second = find_duplicates(actor=clerk, purpose=OPS)

    dismissed.refresh_from_db()
    assert dismissed.status == DuplicateStatus.NOT_DUPLICATE
    assert dismissed.decision_reason == "family_member"
    assert dismissed.decided_by_id == clerk.pk
    assert dismissed.run_id == second.pk  # rescored, not reopened
    assert second.model_summary["counts"]["kept_not_duplicate"] == 1
    merged = pair_of(survivor, retired)
    assert merged is not None
    assert merged.status == DuplicateStatus.MERGED
    assert merged.run_id == first.pk  # the merged record was not read again
    assert second.patients_scanned == first.patients_scanned - 1
    (decision,) = {json.loads(e.detail)["reason"] for e in events("patients.duplicate_dismissed")}
    assert decision == "family_member"
    assert {e.patient_id for e in events("patients.duplicate_dismissed")} == {p.pk for p in people["dob"]}


def test_roles_without_the_grant_are_refused_recorded_and_nothing_is_written():
    clerk = make_user([Role.HIM_CLERK]).user
    make_patient(actor=clerk)
    coder = make_user([Role.CODER]).user

    with pytest.raises(AccessDeniedError):
        find_duplicates(actor=coder, purpose=Purpose.PAYMENT)
    with pytest.raises(AccessDeniedError):
        duplicate_queue(actor=coder, purpose=Purpose.PAYMENT)

    assert not DuplicateRun.objects.exists()
    assert not DuplicatePair.objects.exists()
    denied = events("access.denied")
    assert [json.loads(e.detail)["action"] for e in denied] == ["review", "review"]
    assert {e.actor_id for e in denied} == {coder.pk}
    assert not events("patients.duplicates_detected")


def test_a_threshold_outside_the_range_is_refused_and_nothing_is_written():
    clerk = make_user([Role.HIM_CLERK]).user
    for bad in (0.2, 1.0, "high"):
        with pytest.raises(PatientsError) as caught:
            find_duplicates(actor=clerk, purpose=OPS, threshold=bad)  # type: ignore[arg-type]
        assert caught.value.code is PatientsErrorCode.INVALID_INPUT
        assert caught.value.field == "threshold"
    assert not DuplicateRun.objects.exists()
    assert not events("patients.duplicates_detected")


def test_the_queue_shows_no_values_and_the_review_opens_both_records_as_recorded_reads():
    clerk = make_user([Role.HIM_CLERK]).user
    people = plant(clerk)
    find_duplicates(actor=clerk, purpose=OPS)
    pair = pair_of(*people["typo"])
    assert pair is not None

    entries, total = duplicate_queue(actor=clerk, purpose=OPS)
    review = review_duplicate_pair(actor=clerk, purpose=OPS, pair_id=pair.public_id)

    assert total == len(entries) == DuplicatePair.objects.filter(status=DuplicateStatus.OPEN).count()
    assert [e.probability for e in entries] == sorted((e.probability for e in entries), reverse=True)
    listed = json.dumps([e.as_dict() for e in entries])
    assert "Okonkwo" not in listed
    assert "Name" in next(e for e in entries if e.public_id == pair.public_id).agreeing
    rows = {row.attribute: row for row in review.rows}
    assert {rows["name"].left, rows["name"].right} == {"Margarethe Okonkwo", "Margarete Okonkwo"}
    assert rows["contact"].agrees
    assert review.survivor == people["typo"][0]  # the older registration survives by default
    (queue_event,) = events("patients.duplicate_queue_viewed")
    assert json.loads(queue_event.detail)["shown"] == len(entries)
    reads = [e for e in events("patients.viewed") if "duplicate_review" in e.detail]
    assert {e.patient_id for e in reads} == {p.pk for p in people["typo"]}


def test_a_decision_needs_a_known_reason_and_a_merged_pair_cannot_be_dismissed():
    clerk = make_user([Role.HIM_CLERK]).user
    people = plant(clerk)
    find_duplicates(actor=clerk, purpose=OPS)
    pair = pair_of(*people["swap"])
    assert pair is not None

    with pytest.raises(PatientsError) as caught:
        mark_not_duplicate(actor=clerk, purpose=OPS, pair_id=pair.public_id, reason="looks different")
    assert caught.value.field == "reason"
    with pytest.raises(PatientsError) as missing:
        mark_not_duplicate(actor=clerk, purpose=OPS, pair_id="not-a-uuid", reason="other")
    assert missing.value.code is PatientsErrorCode.NOT_FOUND
    survivor, retired = people["swap"]
    merge_patients(
        actor=clerk, purpose=OPS, survivor_id=survivor.public_id, retired_id=retired.public_id, reason="same person"
    )
    with pytest.raises(PatientsError) as merged:
        mark_not_duplicate(actor=clerk, purpose=OPS, pair_id=pair.public_id, reason="other")
    assert merged.value.code is PatientsErrorCode.RECORD_MERGED

    pair.refresh_from_db()
    assert pair.status == DuplicateStatus.MERGED
    assert not events("patients.duplicate_dismissed")


def test_the_command_prints_counts_and_pairs_as_ids_only():
    clerk = make_user([Role.HIM_CLERK])
    people = plant(clerk.user)
    out = io.StringIO()

    call_command("mpi", "find-duplicates", "--json", "--actor", clerk.username, stdout=out)

    payload = json.loads(out.getvalue())
    assert set(payload) == {
        "ok", "run_id", "patients_scanned", "pairs_scored", "pairs_queued", "threshold", "counts", "timings", "pairs",
    }  # fmt: skip
    assert payload["pairs_queued"] == len(payload["pairs"]) >= 3
    assert set(payload["pairs"][0]) == {"pair_id", "left", "right", "probability", "match_weight", "status"}
    typo = {str(p.public_id) for p in people["typo"]}
    assert any({p["left"], p["right"]} == typo for p in payload["pairs"])
    assert "Okonkwo" not in out.getvalue()
    assert {"read", "predict", "total"} <= set(payload["timings"])


def test_the_command_needs_an_actor_allowed_to_run_it():
    admin = make_user([Role.SYSADMIN])
    with pytest.raises(CommandError, match="named user"):
        call_command("mpi", "find-duplicates")
    with pytest.raises(CommandError, match="access denied"):
        call_command("mpi", "find-duplicates", "--actor", admin.username)
    assert not DuplicateRun.objects.exists()


def test_an_index_too_small_to_compare_records_a_run_with_nothing_queued():
    clerk = make_user([Role.HIM_CLERK]).user
    make_patient(actor=clerk)

    run = find_duplicates(actor=clerk, purpose=OPS)

    assert (run.patients_scanned, run.pairs_scored, run.pairs_queued) == (1, 0, 0)
    assert run.model_summary["counts"]["new"] == 0
    assert not DuplicatePair.objects.exists()
    (event,) = events("patients.duplicates_detected")
    assert json.loads(event.detail)["pairs_queued"] == 0


def test_a_run_that_fails_is_recorded_as_a_failure_and_writes_nothing(monkeypatch):
    clerk = make_user([Role.HIM_CLERK]).user
    make_patient(actor=clerk)
    make_patient(actor=clerk)

    def out_of_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr("recordroom.patients.services.duplicates.link", out_of_memory)
    with pytest.raises(MemoryError):
        find_duplicates(actor=clerk, purpose=OPS)

    assert not DuplicateRun.objects.exists()
    (event,) = events("patients.duplicates_detected")
    assert event.outcome == "failure"
    assert json.loads(event.detail) == {"error": "MemoryError"}


def test_a_pair_with_a_restricted_record_is_withheld_from_a_reviewer_not_cleared_for_it():
    registrar = make_user([Role.HIM_CLERK]).user
    plant(registrar)
    vip = {"family_name": "Castellanos", "date_of_birth": date(1970, 4, 4), "administrative_sex": "F",
           "ssn": "567890123", "restrictions": ["vip"]}  # fmt: skip
    first = make_patient(actor=registrar, given_name="Isabel", **vip)
    second = make_patient(actor=registrar, given_name="Isabell", **vip)
    find_duplicates(actor=registrar, purpose=OPS)
    pair = pair_of(first, second)
    assert pair is not None
    reviewer = make_user([Role.HIM_CLERK]).user

    entries, total = duplicate_queue(actor=reviewer, purpose=OPS)
    with pytest.raises(AccessDeniedError):
        review_duplicate_pair(actor=reviewer, purpose=OPS, pair_id=pair.public_id)
    with pytest.raises(AccessDeniedError):
        mark_not_duplicate(actor=reviewer, purpose=OPS, pair_id=pair.public_id, reason="other")

    assert pair.public_id not in {e.public_id for e in entries}
    assert len(entries) == total - 1
    assert json.loads(events("patients.duplicate_queue_viewed")[-1].detail)["withheld"] == 1
    pair.refresh_from_db()
    assert pair.status == DuplicateStatus.OPEN
    denied = [e for e in events("access.denied") if e.actor_id == reviewer.pk]
    assert {e.patient_id for e in denied} == {first.pk}
    assert not [e for e in events("patients.viewed") if e.actor_id == reviewer.pk]
