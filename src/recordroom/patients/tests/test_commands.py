"""``recordroom mpi search``: as a named user, under the policy, and never echoing the search term."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.audit.models import AuditEvent
from recordroom.patients.tests.factories import make_patient

pytestmark = pytest.mark.django_db


def test_search_prints_json_summaries():
    clerk = make_user([Role.HIM_CLERK])
    patient = make_patient(given_name="John", family_name="Smith", date_of_birth=date(1980, 3, 2), actor=clerk.user)
    out = io.StringIO()
    call_command("mpi", "search", "Jon Smyth", "--dob", "1980-03-02", "--json", "--actor", clerk.username, stdout=out)
    assert json.loads(out.getvalue()) == {
        "ok": True,
        "count": 1,
        "patients": [
            {
                "public_id": str(patient.public_id),
                "display_name": "Smith, John",
                "date_of_birth": "1980-03-02",
                "administrative_sex": patient.administrative_sex,
                "mrn": patient.mrn,
                "status": "active",
                "replaced_by": None,
            }
        ],
    }
    run = AuditEvent.objects.filter(event_type="system.command_run").latest("seq")
    assert json.loads(run.detail) == {"action": "search", "command": "mpi"}
    assert "smyth" not in json.dumps(list(AuditEvent.objects.values_list())).lower()


def test_search_prints_a_line_per_patient():
    clerk = make_user([Role.HIM_CLERK])
    patient = make_patient(given_name="Ada", family_name="Okafor", date_of_birth=date(1990, 1, 2), actor=clerk.user)
    out = io.StringIO()
    call_command("mpi", "--actor", clerk.username, "search", "okafor", "--all", stdout=out)
    assert out.getvalue() == (
        f"{patient.mrn}  1990-01-02  {patient.administrative_sex}  active    Okafor, Ada\n1 patient(s) found\n"
    )


def test_search_needs_an_actor_allowed_to_search():
    admin = make_user([Role.SYSADMIN])
    with pytest.raises(CommandError, match="named user"):
        call_command("mpi", "search", "Quartermaine")
    with pytest.raises(CommandError) as caught:
        call_command("mpi", "search", "Quartermaine", "--actor", admin.username)
    assert str(caught.value) == "access denied: the actor may not search patients"
    assert AuditEvent.objects.filter(event_type="access.denied", actor_id=admin.user.pk).count() == 1


def test_a_mistyped_mrn_or_date_is_refused_without_echoing_it():
    clerk = make_user([Role.HIM_CLERK])
    with pytest.raises(CommandError) as caught:
        call_command("mpi", "search", "10000009", "--actor", clerk.username)
    assert "10000009" not in str(caught.value)
    assert "check digit" in str(caught.value)
    with pytest.raises(CommandError, match="--dob is a date as YYYY-MM-DD"):
        call_command("mpi", "search", "Smith", "--dob", "03/02/1980", "--actor", clerk.username)


def test_export_index_writes_the_csv_as_the_named_director(tmp_path):
    clerk = make_user([Role.HIM_CLERK])
    patient = make_patient(actor=clerk.user)
    director = make_user([Role.HIM_DIRECTOR])
    target = tmp_path / "mpi.csv"
    out = io.StringIO()
    call_command("mpi", "export-index", "--csv", str(target), "--json", "--actor", director.username, stdout=out)
    assert json.loads(out.getvalue())["rows"] == 1
    lines = target.read_text().splitlines()
    assert lines[0].startswith("mrn,name,")
    assert lines[1].startswith(patient.mrn)
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    assert AuditEvent.objects.filter(event_type="patients.index_exported").count() == 1
    with pytest.raises(CommandError):
        call_command("mpi", "export-index", "--csv", str(target), "--actor", clerk.username, stdout=io.StringIO())


def test_search_finds_a_patient_by_another_authoritys_identifier():
    clerk = make_user([Role.HIM_CLERK])
    patient = make_patient(
        actor=clerk.user, identifiers=[{"authority": "US-CMS", "type_code": "MC", "value": "1EG4-TE5-MK73"}]
    )
    out = io.StringIO()
    call_command("mpi", "search", "1EG4TE5MK73", "--json", "--actor", clerk.username, stdout=out)
    assert [p["public_id"] for p in json.loads(out.getvalue())["patients"]] == [str(patient.public_id)]
    assert "1EG4" not in AuditEvent.objects.filter(event_type="patients.searched").latest("seq").detail


def test_search_all_without_a_query_lists_every_active_patient():
    clerk = make_user([Role.HIM_CLERK])
    patients = [make_patient(actor=clerk.user) for _ in range(3)]
    out = io.StringIO()
    call_command("mpi", "search", "--all", "--json", "--actor", clerk.username, stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["count"] == 3
    assert [p["mrn"] for p in payload["patients"]] == [p.mrn for p in patients]
    with pytest.raises(CommandError):
        call_command("mpi", "search", "--actor", clerk.username, stdout=io.StringIO())
