"""Admit, transfer, discharge and cancel forms. They parse; the services check the rules and say which
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
)
from recordroom.encounters.models import Bed
from recordroom.encounters.selectors import beds_in_service, physician_choices

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


def form_field(form: forms.Form, service_field: str) -> str | None:
    """The form field a service error names, or ``None`` (a form-wide error)."""
    return service_field if service_field in form.fields else None
