"""The audit report's filter form (every field optional; times in the facility's zone)."""

from __future__ import annotations

from django import forms

from recordroom.audit.selectors import SORTABLE, AuditQuery
from recordroom.audit.services import AuditAction, Outcome

SORT_CHOICES = [(f, f) for f in SORTABLE] + [(f"-{f}", f"{f} (descending)") for f in SORTABLE]


class AuditFilterForm(forms.Form):
    start = forms.DateTimeField(required=False, label="From (inclusive)", help_text="e.g. 2025-01-01 00:00")
    end = forms.DateTimeField(required=False, label="To (exclusive)")
    patient = forms.IntegerField(required=False, min_value=1, label="Patient id")
    user = forms.IntegerField(required=False, min_value=1, label="User id")
    action = forms.ChoiceField(required=False, choices=[("", "any"), *[(a.value, a.value) for a in AuditAction]])
    outcome = forms.ChoiceField(required=False, choices=[("", "any"), *[(o.value, o.value) for o in Outcome]])
    event_type = forms.CharField(required=False, max_length=64, label="Event type")
    emergency = forms.BooleanField(required=False, label="Emergency access only")
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES, initial="-seq")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start >= end:
            raise forms.ValidationError("'From' must be before 'To'.")
        return data

    def query(self) -> AuditQuery:
        data = self.cleaned_data
        return AuditQuery(
            start=data.get("start"),
            end=data.get("end"),
            patient_id=data.get("patient"),
            actor_id=data.get("user"),
            action=data.get("action") or "",
            outcome=data.get("outcome") or "",
            event_type=data.get("event_type") or "",
            emergency_only=bool(data.get("emergency")),
            sort=data.get("sort") or "-seq",
        )
