"""``recordroom coding validate|group --json FILE``: the JSON keys are contracts; bad input exits non-zero."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from recordroom.coding.tests.factories import encounter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("code_sets")]


def run(capsys, *args):
    with pytest.raises(SystemExit) as exited:
        call_command("coding", *args)
        raise SystemExit(0)
    out = capsys.readouterr().out
    return exited.value.code or 0, json.loads(out) if out.strip().startswith("{") else out


def write(tmp_path, data, name="encounter.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def test_validate_prints_the_edit_contract(tmp_path, capsys):
    status, body = run(capsys, "validate", "--json", write(tmp_path, encounter("I21.4", "E11", "E11.9")))
    assert status == 2
    assert body["edits"][0] == {
        "edit": "NOT_BILLABLE",
        "severity": "error",
        "codes": ["E11"],
        "message": body["edits"][0]["message"],
        "citation": body["edits"][0]["citation"],
    }
    assert set(body) >= {"edits", "errors", "warnings", "code_sets"}


def test_validate_clean_encounter_exits_zero_with_extra_fields(tmp_path, capsys):
    data = encounter("I21.4", "E11.9")
    data["facility"] = "extra fields are allowed"
    status, body = run(capsys, "validate", "--json", write(tmp_path, data))
    assert status == 0
    assert body["edits"] == []


def test_group_adds_drg_mdc_weight(tmp_path, capsys):
    status, body = run(capsys, "group", "--json", write(tmp_path, encounter("I21.4", "E11.9")))
    assert status == 0
    assert body["drg"] == "322"
    assert body["mdc"] == "05"
    assert "weight" in body
    assert set(body) >= {"edits", "drg", "mdc", "weight", "gmlos", "cc_mcc", "without_cc_mcc"}


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{not json", "not JSON"),
        (json.dumps({"encounter_type": "inpatient"}), "admit_date"),
        (json.dumps(encounter("I21.4", admit_date="2026-02-30")), "admit_date"),
        (json.dumps(encounter("I21.4", "E1.19")), "diagnoses[1].code"),
        (json.dumps(encounter("I21.4", discharge_date="2024-03-05", admit_date="2024-03-01")), "no ICD-10-CM code set"),
    ],
)
def test_bad_input_exits_one_with_a_clear_error(tmp_path, capsys, content, needle):
    status, body = run(capsys, "validate", "--json", write(tmp_path, content))
    assert status == 1
    assert body["ok"] is False
    assert needle in body["error"]


def test_unknown_code_exits_two_and_names_it(tmp_path, capsys):
    status, body = run(capsys, "group", "--json", write(tmp_path, encounter("I21.4", "E11.9Q")))
    assert status == 2
    assert {"edit": "INVALID_CODE", "codes": ["E11.9Q"]}.items() <= body["edits"][0].items()


def test_load_is_idempotent(capsys):
    status, body = run(capsys, "load", "--json", "--fiscal-year", "2026")
    assert status == 0
    assert [c["created"] for c in body["code_sets"]] == [False, False]
    assert body["code_sets"][0]["billable"] == 74719


def test_load_of_an_unpackaged_year_is_refused(capsys):
    status, body = run(capsys, "load", "--json", "--fiscal-year", "2025")
    assert status == 1
    assert "FY2025" in body["error"]
