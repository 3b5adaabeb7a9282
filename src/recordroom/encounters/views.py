"""Encounter screens: a patient's encounter list (an htmx fragment on the patient page), the admit form,
the encounter page with its ADT timeline and the transfer, discharge, cancel and consultant forms (POST
only), the units and beds administration, and the record indices with their CSV export.
Views are thin: parse the form, call one service, render (STYLE R2)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from recordroom.access.errors import AccessDeniedError
from recordroom.accounts.auth import signed_in_user
from recordroom.core import clock
from recordroom.core.vocabulary import Purpose
from recordroom.encounters import selectors, services
from recordroom.encounters.errors import EncountersError, EncountersErrorCode
from recordroom.encounters.forms import (
    AdmitForm,
    BedForm,
    CancelForm,
    CapacityForm,
    ConsultantForm,
    DischargeForm,
    IndexFilterForm,
    TransferForm,
    UnitForm,
    form_field,
)
from recordroom.encounters.models import Bed, Encounter, Unit
from recordroom.encounters.services import capacity, indices
from recordroom.patients import services as patient_services
from recordroom.patients.errors import PatientsError
from recordroom.patients.models import Patient

NOTICES = {
    "admitted": "Patient admitted.",
    "transferred": "Transfer recorded.",
    "discharged": "Discharge recorded.",
    "cancelled": "Movement cancelled.",
    "consultant": "Consulting physician added.",
    "unit": "Unit created.",
    "capacity": "Bed counts recorded.",
    "bed": "Bed added.",
    "bed_off": "Bed taken out of service.",
    "bed_on": "Bed back in service.",
}


def _purpose(request: HttpRequest) -> Purpose:
    purpose = selectors.default_purpose_for(signed_in_user(request))
    if purpose is None:
        raise PermissionDenied
    return purpose


def _patient(request: HttpRequest, purpose: Purpose, patient_id: str) -> Patient:
    try:
        return patient_services.get_patient(
            actor=signed_in_user(request), purpose=purpose, public_id=patient_id, request=request
        )
    except AccessDeniedError as exc:
        raise PermissionDenied from exc
    except PatientsError as exc:
        raise Http404 from exc


def _encounter(request: HttpRequest, purpose: Purpose, public_id: str) -> Encounter:
    try:
        return services.get_encounter(
            actor=signed_in_user(request), purpose=purpose, public_id=public_id, request=request
        )
    except AccessDeniedError as exc:
        raise PermissionDenied from exc
    except EncountersError as exc:
        raise Http404 from exc


def _add_error(form: forms.Form, exc: EncountersError) -> None:
    form.add_error(form_field(form, exc.field), exc.message)


@login_required
@require_GET
def for_patient_view(request: HttpRequest, patient_id: str) -> HttpResponse:
    """The encounters section of the patient page. A refusal is recorded by the selector and shown as a
    sentence in the fragment (htmx swaps only successful responses)."""
    user = signed_in_user(request)
    purpose = selectors.default_purpose_for(user)
    context: dict[str, Any] = {"encounters": None, "patient_id": patient_id, "may_admit": False}
    try:
        patient = patient_services.get_patient(actor=user, purpose=purpose, public_id=patient_id, request=request)
        context["encounters"] = selectors.encounters_for_patient(user, purpose, patient, request=request)
        context["may_admit"] = selectors.may_admit(user, patient, purpose)
    except AccessDeniedError:
        pass
    except PatientsError as exc:
        raise Http404 from exc
    return render(request, "encounters/_patient_encounters.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def admit_view(request: HttpRequest, patient_id: str) -> HttpResponse:
    purpose = _purpose(request)
    patient = _patient(request, purpose, patient_id)
    if request.method == "GET" and not selectors.may_admit(signed_in_user(request), patient, purpose):
        raise PermissionDenied
    form = AdmitForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            encounter = services.admit_patient(
                actor=signed_in_user(request), purpose=purpose, patient=patient,
                encounter_class=data["encounter_class"], admitted_at=data["admitted_at"],
                admit_type=data["admit_type"], admit_source=data["admit_source"], attending=data["attending"],
                bed=data["bed"], expected_payer=data["expected_payer"], request=request,
            )  # fmt: skip
        except AccessDeniedError as exc:
            raise PermissionDenied from exc
        except EncountersError as exc:
            _add_error(form, exc)
        else:
            return HttpResponseRedirect(reverse("encounters:detail", args=[encounter.public_id]) + "?done=admitted")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "patient": patient, "display_name": patient_services.display_name(patient)}
    return render(request, "encounters/admit.html", context, status=status)


def _render_encounter(
    request: HttpRequest, encounter: Encounter, purpose: Purpose, status: int = 200, **forms_: forms.Form
) -> HttpResponse:
    user = signed_in_user(request)
    context: dict[str, Any] = {
        "encounter": encounter,
        "timeline": selectors.adt_timeline(encounter),
        "consultants": list(encounter.consulting.order_by("display_name")),
        "may_update": selectors.may_record_movements(user, encounter, purpose),
        "notice": NOTICES.get(request.GET.get("done", "")),
        "transfer_form": forms_.get("transfer_form") or TransferForm(),
        "discharge_form": forms_.get("discharge_form") or DischargeForm(),
        "cancel_form": forms_.get("cancel_form") or CancelForm(),
        "consultant_form": forms_.get("consultant_form") or ConsultantForm(),
    }
    return render(request, "encounters/encounter.html", context, status=status)


@login_required
@require_GET
def encounter_view(request: HttpRequest, public_id: str) -> HttpResponse:
    purpose = _purpose(request)
    return _render_encounter(request, _encounter(request, purpose, public_id), purpose)


def _done(encounter: Encounter, what: str) -> HttpResponse:
    return HttpResponseRedirect(reverse("encounters:detail", args=[encounter.public_id]) + f"?done={what}")


@login_required
@require_POST
def transfer_view(request: HttpRequest, public_id: str) -> HttpResponse:
    purpose = _purpose(request)
    encounter = _encounter(request, purpose, public_id)
    form = TransferForm(request.POST)
    if form.is_valid():
        try:
            services.transfer_patient(
                actor=signed_in_user(request), purpose=purpose, encounter=encounter, bed=form.cleaned_data["bed"],
                effective_at=form.cleaned_data["effective_at"], request=request,
            )  # fmt: skip
        except AccessDeniedError as exc:
            raise PermissionDenied from exc
        except EncountersError as exc:
            _add_error(form, exc)
        else:
            return _done(encounter, "transferred")
    return _render_encounter(request, encounter, purpose, 400, transfer_form=form)


@login_required
@require_POST
def discharge_view(request: HttpRequest, public_id: str) -> HttpResponse:
    purpose = _purpose(request)
    encounter = _encounter(request, purpose, public_id)
    form = DischargeForm(request.POST)
    if form.is_valid():
        try:
            services.discharge_patient(
                actor=signed_in_user(request), purpose=purpose, encounter=encounter,
                discharged_at=form.cleaned_data["discharged_at"], disposition=form.cleaned_data["disposition"],
                request=request,
            )  # fmt: skip
        except AccessDeniedError as exc:
            raise PermissionDenied from exc
        except EncountersError as exc:
            _add_error(form, exc)
        else:
            return _done(encounter, "discharged")
    return _render_encounter(request, encounter, purpose, 400, discharge_form=form)


@login_required
@require_POST
def cancel_view(request: HttpRequest, public_id: str, event_id: str) -> HttpResponse:
    purpose = _purpose(request)
    encounter = _encounter(request, purpose, public_id)
    event = selectors.adt_event_of(encounter, event_id)
    if event is None:
        raise Http404
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.cancel_event(
                actor=signed_in_user(request), purpose=purpose, event=event,
                reason_code=form.cleaned_data["reason_code"], request=request,
            )  # fmt: skip
        except AccessDeniedError as exc:
            raise PermissionDenied from exc
        except EncountersError as exc:
            if exc.code is EncountersErrorCode.NOT_CANCELLABLE:
                form.add_error(None, exc.message)
            else:
                _add_error(form, exc)
        else:
            return _done(encounter, "cancelled")
    return _render_encounter(request, encounter, purpose, 400, cancel_form=form)


@login_required
@require_POST
def consultant_view(request: HttpRequest, public_id: str) -> HttpResponse:
    purpose = _purpose(request)
    encounter = _encounter(request, purpose, public_id)
    form = ConsultantForm(request.POST)
    if form.is_valid():
        try:
            services.add_consulting_physician(
                actor=signed_in_user(request), purpose=purpose, encounter=encounter,
                physician=form.cleaned_data["physician"], request=request,
            )  # fmt: skip
        except AccessDeniedError as exc:
            raise PermissionDenied from exc
        except EncountersError as exc:
            form.add_error("physician", exc.message)
        else:
            return _done(encounter, "consultant")
    return _render_encounter(request, encounter, purpose, 400, consultant_form=form)


# ------------------------------------------------------------------------------ units and beds


def _units_page(request: HttpRequest, form: UnitForm | None = None, status: int = 200) -> HttpResponse:
    try:
        rows = capacity.units_overview(signed_in_user(request), request=request)
    except AccessDeniedError as exc:
        raise PermissionDenied from exc
    context = {
        "rows": rows, "form": form or UnitForm(), "notice": NOTICES.get(request.GET.get("done", "")),
    }  # fmt: skip
    return render(request, "encounters/units.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def units_view(request: HttpRequest) -> HttpResponse:
    """The units with today's bed counts, and the form that sets up a unit with its first counts."""
    if request.method == "GET":
        return _units_page(request)
    form = UnitForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            unit = capacity.create_unit(
                actor=signed_in_user(request), code=data["code"], name=data["name"], kind=data["kind"],
                licensed_beds=data["licensed_beds"], staffed_beds=data["staffed_beds"],
                effective_from=data["effective_from"], request=request,
            )  # fmt: skip
        except AccessDeniedError as exc:
            raise PermissionDenied from exc
        except EncountersError as exc:
            _add_error(form, exc)
        else:
            return HttpResponseRedirect(reverse("encounters:unit", args=[unit.code]) + "?done=unit")
    return _units_page(request, form, 400)


def _unit_page(
    request: HttpRequest, unit: Unit, status: int = 200, bed_error: str = "", **forms_: forms.Form
) -> HttpResponse:
    try:
        periods, beds = capacity.unit_detail(signed_in_user(request), unit, request=request)
    except AccessDeniedError as exc:
        raise PermissionDenied from exc
    occupied = capacity.occupied_bed_ids([b.pk for b in beds])
    context: dict[str, Any] = {
        "unit": unit, "periods": periods, "beds": [(b, b.pk in occupied) for b in beds],
        "capacity_form": forms_.get("capacity_form") or CapacityForm(),
        "bed_form": forms_.get("bed_form") or BedForm(), "bed_error": bed_error,
        "notice": NOTICES.get(request.GET.get("done", "")),
    }  # fmt: skip
    return render(request, "encounters/unit.html", context, status=status)


def _unit_done(unit: Unit, what: str) -> HttpResponse:
    return HttpResponseRedirect(reverse("encounters:unit", args=[unit.code]) + f"?done={what}")


@login_required
@require_GET
def unit_view(request: HttpRequest, code: str) -> HttpResponse:
    """A unit's bed counts over time and its beds, with the forms that change them."""
    return _unit_page(request, get_object_or_404(Unit, code=code))


@login_required
@require_POST
def capacity_view(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_object_or_404(Unit, code=code)
    form = CapacityForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            capacity.change_capacity(
                actor=signed_in_user(request), unit=unit, licensed_beds=data["licensed_beds"],
                staffed_beds=data["staffed_beds"], effective_from=data["effective_from"], request=request,
            )  # fmt: skip
        except AccessDeniedError as exc:
            raise PermissionDenied from exc
        except EncountersError as exc:
            _add_error(form, exc)
        else:
            return _unit_done(unit, "capacity")
    return _unit_page(request, unit, 400, capacity_form=form)


@login_required
@require_POST
def add_bed_view(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_object_or_404(Unit, code=code)
    form = BedForm(request.POST)
    if form.is_valid():
        try:
            capacity.add_bed(actor=signed_in_user(request), unit=unit, code=form.cleaned_data["code"], request=request)
        except AccessDeniedError as exc:
            raise PermissionDenied from exc
        except EncountersError as exc:
            _add_error(form, exc)
        else:
            return _unit_done(unit, "bed")
    return _unit_page(request, unit, 400, bed_form=form)


@login_required
@require_POST
def bed_active_view(request: HttpRequest, code: str, bed_id: int) -> HttpResponse:
    """Take a bed out of service (``active=0``) or put it back (``active=1``)."""
    unit = get_object_or_404(Unit, code=code)
    bed = get_object_or_404(Bed.objects.select_related("unit"), unit=unit, pk=bed_id)
    active = request.POST.get("active") == "1"
    try:
        capacity.set_bed_active(actor=signed_in_user(request), bed=bed, active=active, request=request)
    except AccessDeniedError as exc:
        raise PermissionDenied from exc
    except EncountersError as exc:
        return _unit_page(request, unit, 400, bed_error=f"Bed {bed.code}: {exc.message}")
    return _unit_done(unit, "bed_on" if active else "bed_off")


# ------------------------------------------------------------------------------ record indices


def _index_request(form: IndexFilterForm) -> tuple[indices.RecordIndex, indices.IndexFilter]:
    data = form.cleaned_data
    physician = data.get("physician")
    return indices.RecordIndex(data["index"]), indices.IndexFilter(
        start=data.get("start"), end=data.get("end"), code_prefix=data.get("code_prefix") or "",
        code_system=data.get("code_system") or "", physician_id=None if physician is None else physician.pk,
    )  # fmt: skip


@login_required
@require_GET
def indices_view(request: HttpRequest) -> HttpResponse:
    """The physician, disease and procedure indices: the filter form and, once asked, the first rows."""
    form = IndexFilterForm(request.GET if "index" in request.GET else None)
    page = None
    status = 200
    if form.is_bound and form.is_valid():
        index, filters = _index_request(form)
        try:
            page = indices.view_index(
                actor=signed_in_user(request), purpose=Purpose.OPERATIONS, index=index, filters=filters,
                request=request,
            )  # fmt: skip
        except AccessDeniedError as exc:
            raise PermissionDenied from exc
        except EncountersError as exc:
            _add_error(form, exc)
            status = 400
    elif form.is_bound:
        status = 400
    elif not selectors.may_view_indices(signed_in_user(request)):
        raise PermissionDenied
    context = {"form": form, "page": page, "export_query": request.GET.urlencode(), "max_rows": indices.MAX_SCREEN_ROWS}
    return render(request, "encounters/indices.html", context, status=status)


@login_required
@require_GET
def index_export_view(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The index asked for, every row, as a CSV download (recorded as an export before it is produced)."""
    form = IndexFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponse("Bad filters: correct them on the index page.", status=400, content_type="text/plain")
    index, filters = _index_request(form)
    try:
        lines = indices.export_index(
            actor=signed_in_user(request), purpose=Purpose.OPERATIONS, index=index, filters=filters, request=request
        )
    except AccessDeniedError as exc:
        raise PermissionDenied from exc
    except EncountersError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain")
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{index.value}-index-{clock.now():%Y%m%dT%H%M%SZ}.csv"'
    return response
