"""Document screens: a patient's document list (an htmx fragment on the patient page), filing, the document
viewer with versions, signatures, addenda and amendment requests, the POST-only sign, cosign, version,
correction and addendum forms, full-text search (POST, so no term is in a URL or a log), the scanned-paper
queue and indexing page, and the amendment work list. Views are thin: parse, call one service, render
(STYLE R2). Bodies are served with ``Cache-Control: no-store`` (the middleware) and ``nosniff``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from csp.constants import SELF
from csp.decorators import csp_replace
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from recordroom.access.errors import AccessDeniedError
from recordroom.accounts.auth import signed_in_user
from recordroom.core.vocabulary import Purpose
from recordroom.documents import selectors, services
from recordroom.documents.errors import DocumentsError, DocumentsErrorCode
from recordroom.documents.forms import (
    AcceptForm,
    AddendumForm,
    AmendmentRequestForm,
    CorrectionForm,
    DenyForm,
    DisagreementForm,
    ExtendForm,
    FileDocumentForm,
    IndexScanForm,
    RebuttalForm,
    RejectScanForm,
    ScanUploadForm,
    SearchForm,
    VersionForm,
    form_field,
)
from recordroom.documents.models import AmendmentRequest, Document, ScannedItem
from recordroom.documents.permissions import DocumentsPermission
from recordroom.documents.services import amendments as amendment_services
from recordroom.documents.services import lookup, scans
from recordroom.documents.services.common import INLINE_TYPES, document_type_labels
from recordroom.encounters.models import Encounter
from recordroom.patients import services as patient_services
from recordroom.patients.errors import PatientsError
from recordroom.patients.models import Patient

NOTICES = {
    "filed": "Document filed.",
    "signed": "Document signed.",
    "cosigned": "Document cosigned.",
    "version": "New version added; the earlier version is kept.",
    "corrected": "Correction added; sign it to authenticate it.",
    "addendum": "Addendum added.",
    "uploaded": "Scan queued for text recognition.",
    "indexed": "Scan indexed into the patient's record.",
    "rejected": "Scan taken off the queue.",
    "requested": "Amendment request recorded.",
    "extended": "Extension recorded.",
    "accepted": "Amendment accepted and appended.",
    "denied": "Denial recorded.",
    "disagreement": "Statement of disagreement recorded.",
    "rebuttal": "Rebuttal recorded.",
}


def _purpose(request: HttpRequest) -> Purpose:
    purpose = selectors.default_purpose_for(signed_in_user(request))
    if purpose is None:
        raise PermissionDenied
    return purpose


def _document(request: HttpRequest, purpose: Purpose, public_id: str) -> Document:
    try:
        return services.get_document(
            actor=signed_in_user(request), purpose=purpose, public_id=public_id, request=request
        )
    except AccessDeniedError as exc:
        raise PermissionDenied from exc
    except DocumentsError as exc:
        raise Http404 from exc


def _patient(request: HttpRequest, purpose: Purpose, patient_id: str) -> Patient:
    try:
        return patient_services.get_patient(
            actor=signed_in_user(request), purpose=purpose, public_id=patient_id, request=request
        )
    except AccessDeniedError as exc:
        raise PermissionDenied from exc
    except PatientsError as exc:
        raise Http404 from exc


def _add_error(form: forms.Form, exc: DocumentsError) -> None:
    form.add_error(form_field(form, exc.field), exc.message)


def _done(url: str, what: str) -> HttpResponse:
    return HttpResponseRedirect(f"{url}?done={what}")


def _detail_url(document: Document | Any) -> str:
    return reverse("documents:detail", args=[document.public_id])


# ------------------------------------------------------------------------------------------- patient list


@login_required
@require_GET
def for_patient_view(request: HttpRequest, patient_id: str) -> HttpResponse:
    """The documents section of the patient page: what the reader may see, newest first. A refusal is
    recorded by the service and shown as a sentence (htmx swaps only successful responses)."""
    user = signed_in_user(request)
    purpose = selectors.default_purpose_for(user)
    context: dict[str, Any] = {
        "rows": None, "patient_id": patient_id, "may_file": False, "may_scan": False, "labels": {},
    }  # fmt: skip
    try:
        patient = patient_services.get_patient(actor=user, purpose=purpose, public_id=patient_id, request=request)
        context["rows"] = services.documents_for_patient(actor=user, purpose=purpose, patient=patient, request=request)
        context["may_file"] = selectors.may_file_for(user, patient, purpose)
        context["may_scan"] = selectors.may_scan_for(user, patient, purpose)
        context["labels"] = document_type_labels()
    except AccessDeniedError:
        pass
    except PatientsError as exc:
        raise Http404 from exc
    return render(request, "documents/_patient_documents.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def file_view(request: HttpRequest, patient_id: str) -> HttpResponse:
    purpose = _purpose(request)
    user = signed_in_user(request)
    patient = _patient(request, purpose, patient_id)
    types = selectors.fileable_types(user, patient, purpose)
    if not types:
        raise PermissionDenied
    encounters = [
        (str(e.public_id), f"{e.number} ({e.get_encounter_class_display()}, {e.admitted_at:%Y-%m-%d})")
        for e in Encounter.objects.filter(patient=patient).order_by("-admitted_at")
    ]
    form = FileDocumentForm(
        request.POST if request.method == "POST" else None, request.FILES or None, types=types, encounters=encounters
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        content, media_type = form.body()
        author_name = data["author_name"] or None
        try:
            filed = services.file_document(
                actor=user, purpose=purpose, patient_id=patient.public_id, encounter_id=data["encounter"] or None,
                document_type=data["document_type"], title=data["title"], content=content, media_type=media_type,
                service_date=data["service_date"], author=None if author_name else user, author_name=author_name,
                source="manual", source_key=None, late_entry=data["late_entry"], request=request,
            )  # fmt: skip
        except AccessDeniedError as exc:
            raise PermissionDenied from exc
        except DocumentsError as exc:
            _add_error(form, exc)
        else:
            return _done(_detail_url(filed), "filed")
    context = {"form": form, "patient": patient, "display_name": patient_services.display_name(patient)}
    return render(request, "documents/file.html", context, status=400 if form.errors else 200)


# ------------------------------------------------------------------------------------------- the viewer


def _render_document(
    request: HttpRequest, document: Document, purpose: Purpose, status: int = 200, **forms_: forms.Form
) -> HttpResponse:
    user = signed_in_user(request)
    may_read = lookup.may_read_content(user, document, purpose)
    shown = None
    if may_read:
        try:
            wanted = int(request.GET["version"]) if "version" in request.GET else None
        except ValueError:
            wanted = None
        try:
            shown = services.read_text(actor=user, purpose=purpose, document=document, version=wanted, request=request)
        except DocumentsError as exc:
            raise Http404 from exc
        except AccessDeniedError:
            may_read = False
    context: dict[str, Any] = {
        "document": document,
        "type_label": document_type_labels().get(document.document_type, document.document_type),
        "versions": lookup.versions_of(document),
        "signatures": lookup.signatures_of(document),
        "addenda": lookup.addenda_of(document),
        "amendments": amendment_services.amendments_for(document),
        "may_read": may_read,
        "shown": shown,
        "inline": shown is not None and shown.media_type in INLINE_TYPES,
        "is_pdf": shown is not None and shown.media_type == "application/pdf",
        "may_sign": lookup.may(user, DocumentsPermission.SIGN_DOCUMENT, document, purpose),
        "may_amend": lookup.may(user, DocumentsPermission.AMEND_CONTENT, document, purpose),
        "may_revise": lookup.may(user, DocumentsPermission.REVISE_INDEX, document, purpose)
        or lookup.may(user, DocumentsPermission.AUTHOR_DOCUMENT, document, purpose),
        "may_request_amendment": lookup.may(user, DocumentsPermission.HANDLE_AMENDMENT, document, purpose),
        "is_author": document.author_id == user.pk,
        "notice": NOTICES.get(request.GET.get("done", "")),
        "version_form": forms_.get("version_form") or VersionForm(prefix="version"),
        "correction_form": forms_.get("correction_form") or CorrectionForm(prefix="correction"),
        "addendum_form": forms_.get("addendum_form") or AddendumForm(prefix="addendum"),
        "sign_error": forms_.get("sign_error"),
    }
    return render(request, "documents/document.html", context, status=status)


@login_required
@require_GET
def document_view(request: HttpRequest, public_id: str) -> HttpResponse:
    purpose = _purpose(request)
    return _render_document(request, _document(request, purpose, public_id), purpose)


@login_required
@require_GET
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": [SELF]})  # type: ignore[arg-type]
def content_view(request: HttpRequest, public_id: str, number: int) -> StreamingHttpResponse:
    """A version's body: PDFs and images inline (the viewer frames them), anything else as a download; text
    types are never rendered by the browser (HTML could carry script)."""
    purpose = _purpose(request)
    document = _document(request, purpose, public_id)
    try:
        version, chunks = services.open_body(
            actor=signed_in_user(request), purpose=purpose, document=document, version=number, request=request
        )
    except AccessDeniedError as exc:
        raise PermissionDenied from exc
    except DocumentsError as exc:
        raise Http404 from exc
    inline = version.media_type in INLINE_TYPES
    response = StreamingHttpResponse(chunks, content_type=version.media_type if inline else "application/octet-stream")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="document-{document.public_id}-v{version.number}"'
    response["Content-Length"] = str(version.size)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _post_action(
    request: HttpRequest, public_id: str, call: Callable[[Any, Purpose, Document], Any], what: str
) -> HttpResponse:
    purpose = _purpose(request)
    document = _document(request, purpose, public_id)
    try:
        call(signed_in_user(request), purpose, document)
    except AccessDeniedError as exc:
        raise PermissionDenied from exc
    except DocumentsError as exc:
        return _render_document(request, document, purpose, 400, sign_error=exc.message)  # type: ignore[arg-type]
    return _done(_detail_url(document), what)


@login_required
@require_POST
def sign_view(request: HttpRequest, public_id: str) -> HttpResponse:
    return _post_action(
        request, public_id,
        lambda user, purpose, doc: services.sign_document(actor=user, purpose=purpose, document=doc, request=request),
        "signed",
    )  # fmt: skip


@login_required
@require_POST
def cosign_view(request: HttpRequest, public_id: str) -> HttpResponse:
    return _post_action(
        request, public_id,
        lambda user, purpose, doc: services.cosign_document(actor=user, purpose=purpose, document=doc, request=request),
        "cosigned",
    )  # fmt: skip


def _new_content(
    request: HttpRequest,
    public_id: str,
    *,
    form_class: type[VersionForm | CorrectionForm],
    prefix: str,
    write: Callable[..., object],
    done: str,
) -> HttpResponse:
    """A new version or a correction of the document: the same form shape, one service each."""
    purpose = _purpose(request)
    document = _document(request, purpose, public_id)
    form = form_class(request.POST, request.FILES, prefix=prefix)
    if form.is_valid():
        content, media_type = form.body()
        try:
            write(
                actor=signed_in_user(request), purpose=purpose, document=document, content=content,
                media_type=media_type, reason_code=form.cleaned_data["reason_code"], request=request,
            )  # fmt: skip
        except AccessDeniedError as exc:
            raise PermissionDenied from exc
        except DocumentsError as exc:
            _add_error(form, exc)
        else:
            return _done(_detail_url(document), done)
    return _render_document(request, document, purpose, 400, **{f"{prefix}_form": form})


@login_required
@require_POST
def version_view(request: HttpRequest, public_id: str) -> HttpResponse:
    return _new_content(
        request, public_id, form_class=VersionForm, prefix="version", write=services.add_version, done="version"
    )


@login_required
@require_POST
def correct_view(request: HttpRequest, public_id: str) -> HttpResponse:
    return _new_content(
        request, public_id, form_class=CorrectionForm, prefix="correction", write=services.correct_document,
        done="corrected",
    )  # fmt: skip


@login_required
@require_POST
def addendum_view(request: HttpRequest, public_id: str) -> HttpResponse:
    purpose = _purpose(request)
    document = _document(request, purpose, public_id)
    form = AddendumForm(request.POST, request.FILES, prefix="addendum")
    if form.is_valid():
        content, media_type = form.body()
        try:
            filed = services.add_addendum(
                actor=signed_in_user(request), purpose=purpose, document=document, title=form.cleaned_data["title"],
                content=content, media_type=media_type, request=request,
            )  # fmt: skip
        except AccessDeniedError as exc:
            raise PermissionDenied from exc
        except DocumentsError as exc:
            _add_error(form, exc)
        else:
            return _done(_detail_url(filed), "addendum")
    return _render_document(request, document, purpose, 400, addendum_form=form)


# ------------------------------------------------------------------------------------------- search


@login_required
@require_http_methods(["GET", "POST"])
def search_view(request: HttpRequest) -> HttpResponse:
    purpose = _purpose(request)
    form = SearchForm(request.POST if request.method == "POST" else None)
    context: dict[str, Any] = {"form": form, "hits": None, "labels": document_type_labels()}
    if request.method == "POST" and form.is_valid():
        try:
            context["hits"] = services.search_documents(
                actor=signed_in_user(request), purpose=purpose, query=form.cleaned_data["query"], request=request
            )
        except AccessDeniedError as exc:
            raise PermissionDenied from exc
        except DocumentsError as exc:
            form.add_error("query", exc.message)
    return render(request, "documents/search.html", context, status=400 if form.errors else 200)


# ------------------------------------------------------------------------------------------- scanned paper


@login_required
@require_http_methods(["GET", "POST"])
def scans_view(request: HttpRequest) -> HttpResponse:
    """The indexing queue and the upload form (``?patient=<id>`` when the cover sheet names the patient)."""
    purpose = _purpose(request)
    user = signed_in_user(request)
    form = ScanUploadForm(request.POST if request.method == "POST" else None, request.FILES or None)
    patient_id = request.POST.get("patient") or request.GET.get("patient") or None
    if request.method == "POST" and form.is_valid():
        try:
            scans.upload_scan(
                actor=user, purpose=purpose, content=form.cleaned_data["file"],
                file_name=form.cleaned_data["file"].name, patient_id=patient_id, request=request,
            )  # fmt: skip
        except AccessDeniedError as exc:
            raise PermissionDenied from exc
        except DocumentsError as exc:
            form.add_error("file", exc.message)
        else:
            return _done(reverse("documents:scans"), "uploaded")
    try:
        items = services.scan_queue(actor=user, purpose=purpose, request=request)
    except AccessDeniedError as exc:
        raise PermissionDenied from exc
    context = {
        "form": form,
        "items": items,
        "patient_id": patient_id,
        "notice": NOTICES.get(request.GET.get("done", "")),
    }
    return render(request, "documents/scans.html", context, status=400 if form.errors else 200)


def _scan(public_id: str) -> ScannedItem:
    item = scans.find_scan(public_id)
    if item is None:
        raise Http404
    return item


def _render_scan(
    request: HttpRequest, item: ScannedItem, purpose: Purpose, status: int = 200, **forms_: forms.Form
) -> HttpResponse:
    user = signed_in_user(request)
    try:
        _body, text = services.read_scan(actor=user, purpose=purpose, item=item, request=request)
    except AccessDeniedError as exc:
        raise PermissionDenied from exc
    types = list(document_type_labels().items())
    context = {
        "item": item,
        "text": text,
        "is_pdf": item.media_type == "application/pdf",
        "index_form": forms_.get("index_form") or IndexScanForm(types=types),
        "reject_form": forms_.get("reject_form") or RejectScanForm(),
        "indexable": item.state in ("ready", "failed"),
    }
    return render(request, "documents/scan.html", context, status=status)


@login_required
@require_GET
def scan_view(request: HttpRequest, public_id: str) -> HttpResponse:
    return _render_scan(request, _scan(public_id), _purpose(request))


@login_required
@require_GET
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": [SELF]})  # type: ignore[arg-type]
def scan_content_view(request: HttpRequest, public_id: str) -> HttpResponse:
    purpose = _purpose(request)
    item = _scan(public_id)
    try:
        body, _text = services.read_scan(actor=signed_in_user(request), purpose=purpose, item=item, request=request)
    except AccessDeniedError as exc:
        raise PermissionDenied from exc
    response = HttpResponse(body, content_type=item.media_type)
    response["Content-Disposition"] = f'inline; filename="scan-{item.public_id}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _patient_by_mrn(request: HttpRequest, purpose: Purpose, mrn: str) -> str | None:
    """The public id of the one patient with exactly this MRN, or ``None``."""
    try:
        found = patient_services.find_patients(
            actor=signed_in_user(request), purpose=purpose, query=mrn, request=request
        )
    except PatientsError:
        return None
    wanted = "".join(mrn.split()).upper()
    exact = [p for p in found if "".join(p.mrn.split()).upper() == wanted]
    return str(exact[0].public_id) if len(exact) == 1 else None


@login_required
@require_POST
def index_scan_view(request: HttpRequest, public_id: str) -> HttpResponse:
    purpose = _purpose(request)
    item = _scan(public_id)
    form = IndexScanForm(request.POST, types=list(document_type_labels().items()))
    if form.is_valid():
        data = form.cleaned_data
        try:
            patient_id = _patient_by_mrn(request, purpose, data["mrn"])
            if patient_id is None:
                form.add_error("mrn", "No patient has that MRN.")
            else:
                services.index_scan(
                    actor=signed_in_user(request), purpose=purpose, item=item, patient_id=patient_id,
                    document_type=data["document_type"], title=data["title"], service_date=data["service_date"],
                    encounter_number=data["encounter"], author_name=data["author_name"] or None, request=request,
                )  # fmt: skip
                return _done(reverse("documents:scans"), "indexed")
        except AccessDeniedError as exc:
            raise PermissionDenied from exc
        except DocumentsError as exc:
            if exc.code is DocumentsErrorCode.NOT_INDEXABLE:
                form.add_error(None, exc.message)
            else:
                _add_error(form, exc)
    return _render_scan(request, item, purpose, 400, index_form=form)


@login_required
@require_POST
def reject_scan_view(request: HttpRequest, public_id: str) -> HttpResponse:
    purpose = _purpose(request)
    item = _scan(public_id)
    form = RejectScanForm(request.POST)
    if form.is_valid():
        try:
            scans.reject_scan(
                actor=signed_in_user(request), purpose=purpose, item=item,
                reason_code=form.cleaned_data["reason_code"], request=request,
            )  # fmt: skip
        except AccessDeniedError as exc:
            raise PermissionDenied from exc
        except DocumentsError as exc:
            form.add_error(None, exc.message)
        else:
            return _done(reverse("documents:scans"), "rejected")
    return _render_scan(request, item, purpose, 400, reject_form=form)


# ------------------------------------------------------------------------------------------- amendments


@login_required
@require_GET
def amendments_view(request: HttpRequest) -> HttpResponse:
    purpose = _purpose(request)
    try:
        rows = services.amendment_worklist(actor=signed_in_user(request), purpose=purpose, request=request)
    except AccessDeniedError as exc:
        raise PermissionDenied from exc
    return render(request, "documents/amendments.html", {"rows": rows, "labels": document_type_labels()})


@login_required
@require_http_methods(["GET", "POST"])
def request_amendment_view(request: HttpRequest, public_id: str) -> HttpResponse:
    purpose = _purpose(request)
    document = _document(request, purpose, public_id)
    if not lookup.may(signed_in_user(request), DocumentsPermission.HANDLE_AMENDMENT, document, purpose):
        raise PermissionDenied
    form = AmendmentRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            amendment = services.request_amendment(
                actor=signed_in_user(request), purpose=purpose, document=document, received_on=data["received_on"],
                requested_change=data["requested_change"], reason=data["reason"] or None, request=request,
            )  # fmt: skip
        except AccessDeniedError as exc:
            raise PermissionDenied from exc
        except DocumentsError as exc:
            _add_error(form, exc)
        else:
            return _done(reverse("documents:amendment", args=[amendment.public_id]), "requested")
    context = {"form": form, "document": document}
    return render(request, "documents/amendment_new.html", context, status=400 if form.errors else 200)


def _amendment(request: HttpRequest, purpose: Purpose, public_id: str) -> AmendmentRequest:
    amendment = amendment_services.find_amendment(public_id)
    if amendment is None:
        raise Http404
    # The amendment is read through its document's index, under the policy and audited.
    _document(request, purpose, str(amendment.document.public_id))
    if not lookup.may(signed_in_user(request), DocumentsPermission.HANDLE_AMENDMENT, amendment.document, purpose):
        raise PermissionDenied
    return amendment


def _render_amendment(
    request: HttpRequest, amendment: AmendmentRequest, status: int = 200, **forms_: forms.Form
) -> HttpResponse:
    context = {
        "amendment": amendment,
        "document": amendment.document,
        "open": amendment.status in ("open", "extended"),
        "notice": NOTICES.get(request.GET.get("done", "")),
        "extend_form": forms_.get("extend_form") or ExtendForm(),
        "accept_form": forms_.get("accept_form") or AcceptForm(),
        "deny_form": forms_.get("deny_form") or DenyForm(),
        "disagreement_form": forms_.get("disagreement_form") or DisagreementForm(),
        "rebuttal_form": forms_.get("rebuttal_form") or RebuttalForm(),
        "error": forms_.get("error"),
    }
    return render(request, "documents/amendment.html", context, status=status)


@login_required
@require_GET
def amendment_view(request: HttpRequest, public_id: str) -> HttpResponse:
    return _render_amendment(request, _amendment(request, _purpose(request), public_id))


_STEPS: dict[str, tuple[type[forms.Form], str]] = {
    "extend": (ExtendForm, "extend_form"),
    "accept": (AcceptForm, "accept_form"),
    "deny": (DenyForm, "deny_form"),
    "disagreement": (DisagreementForm, "disagreement_form"),
    "rebuttal": (RebuttalForm, "rebuttal_form"),
}


def _run_step(request: HttpRequest, step: str, amendment: AmendmentRequest, form: forms.Form, purpose: Purpose) -> None:
    user = signed_in_user(request)
    data = form.cleaned_data
    common: dict[str, Any] = {"actor": user, "purpose": purpose, "amendment": amendment, "request": request}
    if step == "extend":
        services.extend_amendment(
            **common, notice_on=data["notice_on"], reason=data["reason"], promised_on=data["promised_on"]
        )
    elif step == "accept":
        if not isinstance(form, AcceptForm):
            raise TypeError("the accept step takes an AcceptForm")
        content, media_type = form.body()
        services.accept_amendment(**common, content=content, media_type=media_type, notify=form.recipients())
    elif step == "deny":
        services.deny_amendment(**common, basis=data["basis"], explanation=data["explanation"])
    elif step == "disagreement":
        services.record_disagreement(**common, received_on=data["received_on"], statement=data["statement"])
    else:
        services.record_rebuttal(**common, written_on=data["written_on"], rebuttal=data["rebuttal"])


@login_required
@require_POST
def amendment_step_view(request: HttpRequest, public_id: str, step: str) -> HttpResponse:
    if step not in _STEPS:
        raise Http404
    purpose = _purpose(request)
    amendment = _amendment(request, purpose, public_id)
    form_class, key = _STEPS[step]
    form = form_class(request.POST, request.FILES) if step == "accept" else form_class(request.POST)
    if form.is_valid():
        try:
            _run_step(request, step, amendment, form, purpose)
        except AccessDeniedError as exc:
            raise PermissionDenied from exc
        except DocumentsError as exc:
            field = form_field(form, exc.field)
            form.add_error(field, exc.message)
        else:
            done = {"extend": "extended", "accept": "accepted", "deny": "denied"}.get(step, step)
            return _done(reverse("documents:amendment", args=[amendment.public_id]), done)
    amendment.refresh_from_db()
    return _render_amendment(request, amendment, 400, **{key: form})
