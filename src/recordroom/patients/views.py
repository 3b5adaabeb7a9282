"""Patient search, registration and demographics screens. Views are thin: parse the form, call one
service, render (STYLE R2). Search terms travel in a POST body, never in the URL, so they stay out of
server logs, proxies and browser history (DESIGN invariant 3)."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from recordroom.access.decisions import Resource, authorize
from recordroom.access.errors import AccessDeniedError
from recordroom.accounts.auth import signed_in_user
from recordroom.core.vocabulary import Purpose, ResourceType
from recordroom.patients import services
from recordroom.patients.codes import LANGUAGES, Ethnicity, GenderIdentity, IdentifierType, Race
from recordroom.patients.errors import PatientsError, PatientsErrorCode
from recordroom.patients.forms import (
    EditDemographicsForm,
    IdentifierForm,
    IndexFilterForm,
    PickForm,
    ReasonForm,
    RegistrationForm,
    SearchForm,
    SplitForm,
    form_field,
)
from recordroom.patients.models import AdministrativeSex, Patient, PatientStatus
from recordroom.patients.permissions import PatientsPermission
from recordroom.patients.selectors import default_purpose_for, may
from recordroom.patients.services.common import parse_public_id


def _purpose(request: HttpRequest) -> Purpose:
    """The purpose of use for this user's patient work; a user without patient access is turned away
    before any form is shown (the services still decide, and record, every access)."""
    purpose = default_purpose_for(signed_in_user(request))
    if purpose is None:
        raise PermissionDenied
    return purpose


def _may_at_all(request: HttpRequest, permission: PatientsPermission, purpose: Purpose) -> bool:
    """Whether the policy grants ``permission`` on unrestricted patients (to show a link; services decide)."""
    user = signed_in_user(request)
    return bool(user and authorize(user, permission.action, Resource(ResourceType.PATIENT), purpose))


def _require(request: HttpRequest, permission: PatientsPermission, purpose: Purpose) -> None:
    if not _may_at_all(request, permission, purpose):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def search_view(request: HttpRequest) -> HttpResponse:
    purpose = _purpose(request)
    form = SearchForm(request.POST if request.method == "POST" else None)
    context: dict[str, Any] = {
        "form": form, "results": None, "purpose": purpose,
        "may_merge": _may_at_all(request, PatientsPermission.MERGE_PATIENTS, purpose),
    }  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            context["results"] = services.find_patients(
                actor=signed_in_user(request),
                purpose=purpose,
                query=form.cleaned_data["query"],
                dob=form.cleaned_data["dob"],
                request=request,
            )
        except AccessDeniedError as exc:
            raise PermissionDenied from exc
        except PatientsError as exc:
            form.add_error("dob" if exc.field == "dob" else "query", exc.message)
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "patients/search.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def register_view(request: HttpRequest) -> HttpResponse:
    purpose = _purpose(request)
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    duplicates: tuple[str, ...] = ()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            patient = services.register_patient(
                actor=signed_in_user(request), purpose=purpose, given_name=data["given_name"],
                middle_name=data["middle_name"], family_name=data["family_name"],
                preferred_name=data["preferred_name"], date_of_birth=data["date_of_birth"],
                administrative_sex=data["administrative_sex"], ssn=data["ssn"], phone=data["phone"],
                email=data["email"], address=form.address(), restrictions=data["restrictions"],
                gender_identity=data["gender_identity"], preferred_language=data["preferred_language"],
                race=data["race"], ethnicity=[data["ethnicity"]] if data["ethnicity"] else [],
                identifiers=form.identifiers(), accept_possible_duplicates=data["register_anyway"], request=request,
            )  # fmt: skip
        except AccessDeniedError as exc:
            raise PermissionDenied from exc
        except PatientsError as exc:
            if exc.code is PatientsErrorCode.POSSIBLE_DUPLICATES:
                duplicates = exc.candidates
            else:
                form.add_error(form_field(exc.field) if exc.field else None, exc.message)
        else:
            return HttpResponseRedirect(reverse("patients:detail", args=[patient.public_id]) + "?registered=1")
    status = 400 if request.method == "POST" else 200
    return render(request, "patients/register.html", {"form": form, "duplicates": duplicates}, status=status)


@login_required
@require_GET
def patient_view(request: HttpRequest, public_id: str) -> HttpResponse:
    purpose = _purpose(request)
    try:
        patient = services.get_patient(
            actor=signed_in_user(request), purpose=purpose, public_id=public_id, request=request
        )
    except AccessDeniedError as exc:
        raise PermissionDenied from exc
    except PatientsError as exc:
        raise Http404 from exc
    user = signed_in_user(request)
    context = {
        "patient": patient,
        "display_name": services.display_name(patient),
        "sex_label": AdministrativeSex(patient.administrative_sex).label,
        "registered": request.GET.get("registered") == "1",
        "notice": NOTICES.get(next((key for key in NOTICES if request.GET.get(key) == "1"), ""), ""),
        "coded": coded_demographics(patient),
        "identifiers": [
            (IdentifierType(i.type_code).label, i.authority, i.value) for i in patient.identifiers.order_by("pk")
        ],
        "addresses": services.address_history(patient),
        "merged_into": services.current_record(patient) if patient.status == PatientStatus.MERGED else None,
        "may_update": may(user, PatientsPermission.UPDATE_PATIENT.action, patient, purpose),
        "may_merge": may(user, PatientsPermission.MERGE_PATIENTS.action, patient, purpose),
        "may_unmerge": may(user, PatientsPermission.UNMERGE_PATIENTS.action, patient, purpose),
    }
    return render(request, "patients/patient.html", context)


NOTICES = {
    "merged": "The duplicate record was merged into this one. Its rows are listed in the merge history.",
    "updated": "Demographics saved. The values replaced are kept in the record's history.",
    "split": "The second person's record was created and the chosen rows moved to it.",
    "identifier": "Identifier added.",
}


def coded_demographics(patient: Patient) -> dict[str, str]:
    """Labels of the coded demographics, for display ("not recorded" when empty)."""
    gender = patient.gender_identity
    return {
        "gender_identity": GenderIdentity(gender).label if gender in GenderIdentity.values else "not recorded",
        "preferred_language": LANGUAGES.get(patient.preferred_language or "", "not recorded"),
        "race": ", ".join(str(Race(c).label) for c in patient.race or () if c in Race.values) or "not recorded",
        "ethnicity": ", ".join(str(Ethnicity(c).label) for c in patient.ethnicity or () if c in Ethnicity.values)
        or "not recorded",
    }


# --- MPI maintenance: corrections, identifiers, merge, unmerge, overlay split, the index -----------------


def _open(request: HttpRequest, purpose: Purpose, public_id: Any) -> Patient:
    """Read one patient through the service (audited); refusals are 403, unknown ids 404."""
    try:
        return services.get_patient(
            actor=signed_in_user(request), purpose=purpose, public_id=public_id, request=request
        )
    except AccessDeniedError as exc:
        raise PermissionDenied from exc
    except PatientsError as exc:
        raise Http404 from exc


def _demographics_initial(patient: Patient) -> dict[str, Any]:
    address = patient.address or {}
    return {
        "given_name": patient.given_name, "middle_name": patient.middle_name or "",
        "family_name": patient.family_name, "preferred_name": patient.preferred_name or "",
        "date_of_birth": patient.date_of_birth, "administrative_sex": patient.administrative_sex,
        "ssn": patient.ssn or "", "phone": patient.phone or "", "email": patient.email or "",
        "gender_identity": patient.gender_identity or "", "preferred_language": patient.preferred_language or "",
        "race": list(patient.race or ()), "ethnicity": (patient.ethnicity or [""])[0],
        **{part: address.get(part, "") for part in ("line", "city", "state", "postal_code")},
    }  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def edit_view(request: HttpRequest, public_id: str) -> HttpResponse:
    purpose = _purpose(request)
    patient = _open(request, purpose, public_id)
    form = EditDemographicsForm(
        request.POST if request.method == "POST" else None, initial=_demographics_initial(patient)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_demographics(
                actor=signed_in_user(request), purpose=purpose, public_id=patient.public_id,
                changes=form.demographics(), moved_on=form.cleaned_data["moved_on"], request=request,
            )  # fmt: skip
        except AccessDeniedError as exc:
            raise PermissionDenied from exc
        except PatientsError as exc:
            form.add_error(form_field(exc.field, EditDemographicsForm) if exc.field else None, exc.message)
        else:
            return HttpResponseRedirect(reverse("patients:detail", args=[patient.public_id]) + "?updated=1")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "patient": patient, "display_name": services.display_name(patient)}
    return render(request, "patients/edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def identifier_view(request: HttpRequest, public_id: str) -> HttpResponse:
    purpose = _purpose(request)
    patient = _open(request, purpose, public_id)
    form = IdentifierForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_identifier(
                actor=signed_in_user(request), purpose=purpose, public_id=patient.public_id, request=request,
                **form.cleaned_data,
            )  # fmt: skip
        except AccessDeniedError as exc:
            raise PermissionDenied from exc
        except PatientsError as exc:
            names = {"identifier_authority": "authority", "identifier_type": "type_code", "identifier_value": "value"}
            form.add_error(names.get(exc.field), exc.message)
        else:
            return HttpResponseRedirect(reverse("patients:detail", args=[patient.public_id]) + "?identifier=1")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "patient": patient, "display_name": services.display_name(patient)}
    return render(request, "patients/identifier.html", context, status=status)


def _resolve(request: HttpRequest, purpose: Purpose, text: str) -> Patient | None:
    """A record typed as its id or its MRN (one exact match), or None."""
    text = text.strip()
    if parse_public_id(text) is not None:
        return Patient.objects.filter(public_id=text).first()
    try:
        found = services.find_patients(actor=signed_in_user(request), purpose=purpose, query=text, request=request)
    except PatientsError:
        return None
    exact = [r for r in found if r.mrn == text.upper().replace(" ", "").replace("-", "")]
    return Patient.objects.filter(public_id=exact[0].public_id).first() if len(exact) == 1 else None


def _comparison(patient: Patient) -> dict[str, str]:
    """What a merge reviewer compares, and no more (164.514(d)): identity, contact, SSN's last four,
    and how many rows of each kind hang on the record."""
    address = patient.address or {}
    counts = Counter(row.model_label for row in services.linked_rows(patient))
    names = {label: str(apps.get_model(label)._meta.verbose_name_plural) for label in counts}
    return {
        "MRN": patient.mrn,
        "Name": services.display_name(patient),
        "Date of birth": patient.date_of_birth.isoformat(),
        "Sex": AdministrativeSex(patient.administrative_sex).label,
        "SSN": f"***-**-{patient.ssn[-4:]}" if patient.ssn else "not recorded",
        "Phone": patient.phone or "not recorded",
        "Address": ", ".join(v for v in (address.get("line"), address.get("city"), address.get("state"),
                                         address.get("postal_code")) if v) or "not recorded",
        "Status": patient.get_status_display(),
        "Linked rows": "; ".join(f"{names[label]}: {n}" for label, n in sorted(counts.items())) or "none",
    }  # fmt: skip


def _side_by_side(survivor: Patient, retired: Patient) -> list[tuple[str, str, str, bool]]:
    """(item, surviving value, retired value, whether they differ) per compared item."""
    left, right = _comparison(survivor), _comparison(retired)
    return [(item, left[item], right[item], item in COMPARED and left[item] != right[item]) for item in left]


# The identity items whose disagreement a reviewer must weigh (MRNs and row counts always differ).
COMPARED = frozenset({"Name", "Date of birth", "Sex", "SSN", "Phone", "Address"})


@login_required
@require_http_methods(["GET", "POST"])
def merge_view(request: HttpRequest) -> HttpResponse:
    """Pick (by MRN or id) -> compare side by side with a reason -> confirm -> merge (three steps)."""
    purpose = _purpose(request)
    _require(request, PatientsPermission.MERGE_PATIENTS, purpose)
    step = request.POST.get("step", "") if request.method == "POST" else ""
    if step == "pick":
        pick = PickForm(request.POST)
        if pick.is_valid():
            survivor = _resolve(request, purpose, pick.cleaned_data["survivor"])
            retired = _resolve(request, purpose, pick.cleaned_data["retired"])
            if survivor is None:
                pick.add_error("survivor", "No single record has that MRN or id.")
            if retired is None:
                pick.add_error("retired", "No single record has that MRN or id.")
            if survivor is not None and retired is not None:
                query = urlencode({"survivor": survivor.public_id, "retired": retired.public_id})
                return HttpResponseRedirect(f"{reverse('patients:merge')}?{query}")
        return render(request, "patients/merge.html", {"pick": pick}, status=400)
    survivor_id = request.POST.get("survivor") or request.GET.get("survivor", "")
    retired_id = request.POST.get("retired") or request.GET.get("retired", "")
    if not (parse_public_id(survivor_id) and parse_public_id(retired_id)):
        initial = {"survivor": survivor_id, "retired": retired_id}
        return render(request, "patients/merge.html", {"pick": PickForm(initial=initial)})
    survivor, retired = _open(request, purpose, survivor_id), _open(request, purpose, retired_id)
    form = ReasonForm(request.POST if step in {"review", "confirm"} else None)
    context: dict[str, Any] = {
        "form": form, "survivor": survivor, "retired": retired, "rows": _side_by_side(survivor, retired),
        "confirming": False,
    }  # fmt: skip
    if step in {"review", "confirm"} and form.is_valid():
        if step == "review":
            context["confirming"] = True
            return render(request, "patients/merge.html", context)
        try:
            services.merge_patients(
                actor=signed_in_user(request), purpose=purpose, survivor_id=survivor.public_id,
                retired_id=retired.public_id, reason=form.cleaned_data["reason"], request=request,
            )  # fmt: skip
        except AccessDeniedError as exc:
            raise PermissionDenied from exc
        except PatientsError as exc:
            form.add_error("reason" if exc.field == "reason" else None, exc.message)
        else:
            return HttpResponseRedirect(reverse("patients:detail", args=[survivor.public_id]) + "?merged=1")
    return render(request, "patients/merge.html", context, status=400 if step else 200)


@login_required
@require_GET
def merges_view(request: HttpRequest, public_id: str) -> HttpResponse:
    purpose = _purpose(request)
    patient = _open(request, purpose, public_id)
    return _history(request, purpose, patient, error="", status=200)


def _history(request: HttpRequest, purpose: Purpose, patient: Patient, *, error: str, status: int) -> HttpResponse:
    user = signed_in_user(request)
    entries = [
        {
            "merge": m,
            "rows": m.moves.count(),
            "other": m.retired if m.survivor_id == patient.pk else m.survivor,
            "role": "retired record" if m.survivor_id == patient.pk else "surviving record",
        }
        for m in services.merge_history(patient)
    ]
    context = {
        "patient": patient, "display_name": services.display_name(patient), "entries": entries, "error": error,
        "may_unmerge": may(user, PatientsPermission.UNMERGE_PATIENTS.action, patient, purpose),
        "undone": request.GET.get("undone") == "1", "form": ReasonForm(),
    }  # fmt: skip
    return render(request, "patients/merges.html", context, status=status)


@login_required
@require_POST
def unmerge_view(request: HttpRequest, merge_id: uuid.UUID) -> HttpResponse:
    purpose = _purpose(request)
    patient = _open(request, purpose, request.POST.get("patient", ""))
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _history(request, purpose, patient, error="State the reason for the unmerge (4-500 characters).",
                        status=400)  # fmt: skip
    try:
        services.unmerge_patients(
            actor=signed_in_user(request), purpose=purpose, merge_id=merge_id, reason=form.cleaned_data["reason"],
            request=request,
        )  # fmt: skip
    except AccessDeniedError as exc:
        raise PermissionDenied from exc
    except PatientsError as exc:
        return _history(request, purpose, patient, error=exc.message, status=400)
    return HttpResponseRedirect(reverse("patients:merges", args=[patient.public_id]) + "?undone=1")


@login_required
@require_http_methods(["GET", "POST"])
def split_view(request: HttpRequest, public_id: str) -> HttpResponse:
    purpose = _purpose(request)
    _require(request, PatientsPermission.UNMERGE_PATIENTS, purpose)
    patient = _open(request, purpose, public_id)
    rows = services.linked_rows(patient)
    choices = [
        (f"{r.model_label}|{r.public_id}", f"{r.label}{f', {r.created_at:%Y-%m-%d}' if r.created_at else ''}")
        for r in rows
    ]
    form = SplitForm(request.POST if request.method == "POST" else None, row_choices=choices)
    if request.method == "POST" and form.is_valid():
        chosen = [tuple(value.split("|", 1)) for value in form.cleaned_data["rows"]]
        try:
            split = services.split_overlay(
                actor=signed_in_user(request), purpose=purpose, source_id=patient.public_id,
                rows=[(label, row_id) for label, row_id in chosen], demographics=form.demographics(),
                reason=form.cleaned_data["reason"], request=request,
            )  # fmt: skip
        except AccessDeniedError as exc:
            raise PermissionDenied from exc
        except PatientsError as exc:
            form.add_error(form_field(exc.field, SplitForm) if exc.field else None, exc.message)
        else:
            return HttpResponseRedirect(reverse("patients:detail", args=[split.retired.public_id]) + "?split=1")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "patient": patient, "display_name": services.display_name(patient), "rows": rows}
    return render(request, "patients/split.html", context, status=status)


@login_required
@require_GET
def index_view(request: HttpRequest) -> HttpResponse:
    purpose = _purpose(request)
    form = IndexFilterForm(request.GET or None)
    status, page = "", 1
    if form.is_valid():
        status, page = form.cleaned_data["status"] or "", form.cleaned_data["page"] or 1
    try:
        listing = services.list_index(
            actor=signed_in_user(request), purpose=purpose, status=status, page=page, request=request
        )
    except AccessDeniedError as exc:
        raise PermissionDenied from exc
    may_export = _may_at_all(request, PatientsPermission.EXPORT_INDEX, purpose)
    context = {
        "form": form,
        "listing": listing,
        "may_export": may_export,
        "status_query": urlencode({"status": status}),
    }
    return render(request, "patients/index.html", context)


@login_required
@require_GET
def index_csv_view(request: HttpRequest) -> StreamingHttpResponse:
    purpose = _purpose(request)
    status = request.GET.get("status", "")
    try:
        lines = services.export_index(actor=signed_in_user(request), purpose=purpose, status=status, request=request)
    except AccessDeniedError as exc:
        raise PermissionDenied from exc
    except PatientsError as exc:
        raise Http404 from exc
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="master-patient-index.csv"'
    return response


# ------------------------------------------------------------------ duplicate review queue (issue 5)


@login_required
@require_GET
def duplicates_view(request: HttpRequest) -> HttpResponse:
    """Open pairs by probability: ids, score and which attributes agree, nothing more (164.514(d))."""
    purpose = _purpose(request)
    try:
        entries, total = services.duplicate_queue(actor=signed_in_user(request), purpose=purpose, request=request)
    except AccessDeniedError as exc:
        raise PermissionDenied from exc
    context = {
        "entries": entries,
        "total": total,
        "run": services.last_duplicate_run(),
        "dismissed": request.GET.get("dismissed") == "1",
    }
    return render(request, "patients/duplicates.html", context)


def _pair_page(request: HttpRequest, purpose: Purpose, pair_id: uuid.UUID, *, error: str = "") -> HttpResponse:
    try:
        review = services.review_duplicate_pair(
            actor=signed_in_user(request), purpose=purpose, pair_id=pair_id, request=request
        )
    except AccessDeniedError as exc:
        raise PermissionDenied from exc
    except PatientsError as exc:
        raise Http404 from exc
    merge_query = urlencode({"survivor": review.survivor.public_id, "retired": review.retired.public_id})
    swap_query = urlencode({"survivor": review.retired.public_id, "retired": review.survivor.public_id})
    context = {
        "review": review,
        "reasons": [(reason.value, reason.label) for reason in services.NotDuplicateReason],
        "merge_url": f"{reverse('patients:merge')}?{merge_query}",
        "swap_url": f"{reverse('patients:merge')}?{swap_query}",
        "error": error,
    }
    return render(request, "patients/duplicates_pair.html", context, status=400 if error else 200)


@login_required
@require_GET
def duplicate_pair_view(request: HttpRequest, pair_id: uuid.UUID) -> HttpResponse:
    """Both records side by side with the model's evidence (opened here only, recorded as two reads)."""
    return _pair_page(request, _purpose(request), pair_id)


@login_required
@require_POST
def not_duplicate_view(request: HttpRequest, pair_id: uuid.UUID) -> HttpResponse:
    purpose = _purpose(request)
    try:
        services.mark_not_duplicate(
            actor=signed_in_user(request), purpose=purpose, pair_id=pair_id,
            reason=request.POST.get("reason", ""), request=request,
        )  # fmt: skip
    except AccessDeniedError as exc:
        raise PermissionDenied from exc
    except PatientsError as exc:
        if exc.code is PatientsErrorCode.NOT_FOUND:
            raise Http404 from exc
        return _pair_page(request, purpose, pair_id, error=exc.message)
    return HttpResponseRedirect(reverse("patients:duplicates") + "?dismissed=1")


@login_required
@require_GET
def recent_merges_view(request: HttpRequest) -> HttpResponse:
    purpose = _purpose(request)
    try:
        merges = services.recent_merges(actor=signed_in_user(request), purpose=purpose, request=request)
    except AccessDeniedError as exc:
        raise PermissionDenied from exc
    return render(request, "patients/recent_merges.html", {"merges": merges})
