"""Document forms: filing (upload or typed text), new version, correction, addendum, search, scan upload and
indexing, and the amendment-request steps. They parse; the services check the rules and say which field is
wrong (the views put a service's message on that field)."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from recordroom.documents.models import DenialBasis
from recordroom.documents.services.filing import CORRECTION_REASONS, REVISION_REASONS
from recordroom.documents.services.scans import REJECT_REASONS

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _labelled(codes: tuple[str, ...]) -> list[tuple[str, str]]:
    return [("", "Choose..."), *[(c, c.replace("_", " ").capitalize()) for c in codes]]


def _date(label: str, **kwargs: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}), **kwargs)


def form_field(form: forms.Form, name: str) -> str | None:
    """The form field a service error names, or ``None`` (a form-wide error)."""
    aliases = {"content": "file", "patient_id": "mrn", "encounter_id": "encounter", "author": "author_name"}
    name = aliases.get(name, name)
    return name if name in form.fields else None


class _Body(forms.Form):
    """A file, or text typed into the box (filed as text/plain)."""

    file = forms.FileField(label="File (PDF, PNG, TIFF, JPEG or text)", required=False)
    text = forms.CharField(label="Or type the text", required=False, widget=forms.Textarea(attrs={"rows": 8}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("file") and not (data.get("text") or "").strip():
            raise forms.ValidationError("Choose a file or type the text.")
        return data

    def body(self) -> tuple[Any, str]:
        upload = self.cleaned_data.get("file")
        if upload:
            return upload, upload.content_type or "application/octet-stream"
        return self.cleaned_data["text"].encode("utf-8"), "text/plain"


class FileDocumentForm(_Body):
    document_type = forms.ChoiceField(label="Document type")
    title = forms.CharField(label="Title", max_length=200)
    service_date = forms.DateTimeField(
        label="Date and time of service", input_formats=[DATETIME_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )  # fmt: skip
    encounter = forms.ChoiceField(label="Encounter", required=False)
    author_name = forms.CharField(label="Author (if not you)", max_length=200, required=False)
    late_entry = forms.BooleanField(label="Late entry (written after the time it should have been)", required=False)

    def __init__(self, *args: Any, types: list[tuple[str, str]], encounters: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["document_type"]).choices = [("", "Choose..."), *types]
        cast(forms.ChoiceField, self.fields["encounter"]).choices = [("", "No encounter"), *encounters]
        self.order_fields(["document_type", "title", "service_date", "encounter", "author_name", "late_entry"])


class VersionForm(_Body):
    reason_code = forms.ChoiceField(label="Reason for the new version", choices=_labelled(REVISION_REASONS))


class CorrectionForm(_Body):
    reason_code = forms.ChoiceField(label="Reason for the correction", choices=_labelled(CORRECTION_REASONS))


class AddendumForm(_Body):
    title = forms.CharField(label="Addendum title", max_length=200)


class SearchForm(forms.Form):
    query = forms.CharField(label="Words in the document", max_length=200)


class ScanUploadForm(forms.Form):
    file = forms.FileField(label="Scanned file (PDF, TIFF, PNG or JPEG)")


class IndexScanForm(forms.Form):
    mrn = forms.CharField(label="Patient MRN", max_length=40)
    encounter = forms.IntegerField(label="Encounter number (optional)", required=False, min_value=1)
    document_type = forms.ChoiceField(label="Document type")
    title = forms.CharField(label="Title", max_length=200)
    service_date = _date("Date of service")
    author_name = forms.CharField(label="Author", max_length=200, required=False)

    def __init__(self, *args: Any, types: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["document_type"]).choices = [("", "Choose..."), *types]


class RejectScanForm(forms.Form):
    reason_code = forms.ChoiceField(label="Reason", choices=_labelled(REJECT_REASONS))


class AmendmentRequestForm(forms.Form):
    received_on = _date("Date the written request was received")
    requested_change = forms.CharField(label="Amendment requested", widget=forms.Textarea(attrs={"rows": 4}))
    reason = forms.CharField(label="Reason given", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ExtendForm(forms.Form):
    notice_on = _date("Date the written notice of delay was sent")
    reason = forms.CharField(label="Reason for the delay", widget=forms.Textarea(attrs={"rows": 3}))
    promised_on = _date("Date promised in the notice (optional)", required=False)


class AcceptForm(_Body):
    notify = forms.CharField(
        label="Persons to notify (one per line)", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Persons the patient named and persons known to rely on the record (164.526(c)(3)).",
    )  # fmt: skip

    def recipients(self) -> list[str]:
        return [line.strip() for line in (self.cleaned_data.get("notify") or "").splitlines() if line.strip()]


class DenyForm(forms.Form):
    basis = forms.ChoiceField(label="Basis for denial", choices=[("", "Choose..."), *DenialBasis.choices])
    explanation = forms.CharField(label="Explanation (plain language)", widget=forms.Textarea(attrs={"rows": 4}))


class DisagreementForm(forms.Form):
    received_on = _date("Date the statement of disagreement was received")
    statement = forms.CharField(label="Statement of disagreement", widget=forms.Textarea(attrs={"rows": 4}))


class RebuttalForm(forms.Form):
    written_on = _date("Date of the rebuttal")
    rebuttal = forms.CharField(label="Rebuttal", widget=forms.Textarea(attrs={"rows": 4}))
