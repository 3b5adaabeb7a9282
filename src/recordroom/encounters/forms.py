"""Admit, transfer, discharge, cancel and consultant forms, the unit and bed administration forms and the
record-index filter. They parse; the services check the rules and say which
field is wrong (the views put a service's message on that field)."""

from __future__ import annotations

from typing import Any

from django import forms

from recordroom.encounters.codes import (
    AdmitSource,
    AdmitType,
    CancelReason,
    DischargeDisposition,
    EncounterClass,
    ExpectedPayer,
    UnitKind,
)
from recordroom.encounters.models import Bed, CodeSystem
from recordroom.encounters.selectors import beds_in_service, physician_choices
from recordroom.encounters.services.capacity import MAX_BEDS
from recordroom.encounters.services.indices import RecordIndex

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _when(label: str) -> forms.DateTimeField:
    widget = forms.DateTimeInput(attrs={"type": "datetime-local", "autocomplete": "off"}, format=DATETIME_FORMAT)
    return forms.DateTimeField(label=label, input_formats=[DATETIME_FORMAT], widget=widget)


def _choice(choices: Any, label: str) -> forms.ChoiceField:
    return forms.ChoiceField(choices=[("", "Choose..."), *choices], label=label)


class BedChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Bed) -> str:
        return f"{obj.unit.code} {obj.code} ({obj.unit.name})"


class PhysicianChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class AdmitForm(forms.Form):
    encounter_class = _choice(EncounterClass.choices, "Encounter class")
    admitted_at = _when("Admitted at")
    admit_type = _choice(AdmitType.choices, "Admit type (UB-04 FL14)")
    admit_source = _choice(AdmitSource.choices, "Point of origin (UB-04 FL15)")
    attending = PhysicianChoiceField(queryset=physician_choices(), label="Attending physician", empty_label="Choose...")
    bed = BedChoiceField(queryset=beds_in_service(), required=False, label="Bed (optional)", empty_label="No bed")
    expected_payer = _choice(ExpectedPayer.choices, "Expected payer")


class TransferForm(forms.Form):
    bed = BedChoiceField(queryset=beds_in_service(), label="New bed", empty_label="Choose...")
    effective_at = _when("Transferred at")


class DischargeForm(forms.Form):
    discharged_at = _when("Discharged at")
    disposition = _choice(DischargeDisposition.choices, "Discharge status (UB-04 FL17)")


class CancelForm(forms.Form):
    reason_code = _choice(CancelReason.choices, "Reason for cancelling")


class ConsultantForm(forms.Form):
    physician = PhysicianChoiceField(
        queryset=physician_choices(), label="Consulting physician", empty_label="Choose..."
    )


def _day(label: str, *, required: bool = True) -> forms.DateField:
    widget = forms.DateInput(attrs={"type": "date", "autocomplete": "off"}, format="%Y-%m-%d")
    return forms.DateField(label=label, required=required, input_formats=["%Y-%m-%d"], widget=widget)


def _beds(label: str) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=MAX_BEDS)


class UnitForm(forms.Form):
    code = forms.CharField(label="Unit code", max_length=16, help_text="Letters, digits, - or _ (e.g. 4WEST).")
    name = forms.CharField(label="Name", max_length=80)
    kind = _choice(UnitKind.choices, "Kind of unit")
    licensed_beds = _beds("Licensed beds")
    staffed_beds = _beds("Staffed beds")
    effective_from = _day("In service from")


class CapacityForm(forms.Form):
    licensed_beds = _beds("Licensed beds")
    staffed_beds = _beds("Staffed beds")
    effective_from = _day("Effective from")


class BedForm(forms.Form):
    code = forms.CharField(label="Bed code", max_length=16, help_text="Letters, digits, - or _ (e.g. 12A).")


class IndexFilterForm(forms.Form):
    """The record-index filters (GET: they carry dates and codes, never a patient's data)."""

    index = forms.ChoiceField(
        choices=[(i.value, i.label) for i in RecordIndex], label="Index", initial=RecordIndex.PHYSICIAN.value
    )
    start = _day("From", required=False)
    end = _day("To", required=False)
    code_system = forms.ChoiceField(
        choices=[("", "Any"), *CodeSystem.choices], required=False, label="Code system (disease and procedure)"
    )
    code_prefix = forms.CharField(required=False, max_length=32, label="Code starts with (disease and procedure)")
    physician = PhysicianChoiceField(
        queryset=physician_choices(), required=False, label="Physician (physician index)", empty_label="Any"
    )


def form_field(form: forms.Form, service_field: str) -> str | None:
    """The form field a service error names, or ``None`` (a form-wide error)."""
    return service_field if service_field in form.fields else None
