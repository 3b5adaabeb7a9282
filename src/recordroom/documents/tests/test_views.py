"""The document screens through the Django test client: the patient page's document list (htmx fragment),
filing, the viewer (text, inline body with no-store and nosniff), sign/cosign/version/addendum forms,
search by POST, the scan queue and indexing, and the amendment screens; each asks the policy through the
services."""

from __future__ import annotations

import pytest

from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user, sign_in
from recordroom.audit.models import AuditEvent
from recordroom.documents.models import AmendmentRequest, AuthStatus, Document, ScannedItem, ScanState
from recordroom.documents.services import process_scans
from recordroom.documents.services import scans as scans_module
from recordroom.documents.tests.factories import NOTE, authored_note, encounter_of, make_document, png_with_text
from recordroom.encounters.tests.factories import make_encounter

pytestmark = pytest.mark.django_db


def signed_in(client, roles=(Role.HIM_CLERK,), person=None):
    person = person or make_user(roles)
    sign_in(client, person)
    return person.user


def test_the_patient_page_loads_the_documents_and_a_clerk_sees_index_only(client):
    clerk = signed_in(client)
    document = make_document()
    patient = document.patient
    page = client.get(f"/patients/{patient.public_id}/").content.decode()
    assert f'hx-get="/documents/for-patient/{patient.public_id}/"' in page
    body = client.get(f"/documents/for-patient/{patient.public_id}/").content.decode()
    assert f"/documents/{document.public_id}/" in body
    assert "index only" in body
    assert f"/documents/new/{patient.public_id}/" in body
    assert AuditEvent.objects.filter(event_type="documents.listed", actor_id=clerk.pk).count() == 1
    viewer = client.get(f"/documents/{document.public_id}/").content.decode()
    assert 'id="content-restricted"' in viewer
    assert "rounds" not in viewer


def test_a_sysadmin_sees_a_refusal_sentence(client):
    signed_in(client, [Role.SYSADMIN])
    document = make_document()
    body = client.get(f"/documents/for-patient/{document.patient.public_id}/").content.decode()
    assert 'id="documents-refused"' in body
    assert client.get(f"/documents/{document.public_id}/").status_code == 403


def test_a_clerk_files_a_typed_document(client):
    signed_in(client)
    encounter = make_encounter()
    response = client.post(
        f"/documents/new/{encounter.patient.public_id}/",
        {"document_type": "consent", "title": "Consent for treatment", "service_date": "2026-01-05T10:00",
         "encounter": str(encounter.public_id), "author_name": "Patient", "text": "I consent."},
    )  # fmt: skip
    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.document_type, document.encounter_id) == ("consent", encounter.pk)
    bad = client.post(
        f"/documents/new/{encounter.patient.public_id}/",
        {"document_type": "consent", "title": "x", "service_date": "2026-01-05T10:00", "author_name": "P"},
    )
    assert bad.status_code == 400
    assert "Choose a file or type the text." in bad.content.decode()
    assert Document.objects.count() == 1


def test_the_author_reads_signs_and_the_attending_cosigns(client):
    from django.test import Client

    author_person = make_user([Role.PHYSICIAN])
    document, _author = authored_note(encounter=make_encounter(attending=author_person.user))
    person = make_user([Role.PHYSICIAN])
    encounter_of(document).consulting.add(person.user)
    author_client = Client()
    signed_in(author_client, person=author_person)
    page = author_client.get(f"/documents/{document.public_id}/").content.decode()
    assert "Lungs clear" in page
    assert "Sign version 1" in page
    assert author_client.post(f"/documents/{document.public_id}/sign/").status_code == 302
    again = author_client.post(f"/documents/{document.public_id}/sign/")
    assert again.status_code == 400
    assert "already signed" in again.content.decode()
    signed_in(client, person=person)
    assert "Cosign version 1" in client.get(f"/documents/{document.public_id}/").content.decode()
    assert client.post(f"/documents/{document.public_id}/cosign/").status_code == 302
    document.refresh_from_db()
    assert document.auth_status == AuthStatus.COSIGNED
    body = client.get(f"/documents/{document.public_id}/content/1/")
    assert "no-store" in body["Cache-Control"]
    assert body["X-Content-Type-Options"] == "nosniff"
    assert body["Content-Disposition"].startswith("attachment")
    assert b"".join(body.streaming_content) == NOTE


def test_search_is_a_post_and_shows_only_readable_hits(client):
    person = make_user([Role.PHYSICIAN])
    encounter = make_encounter(attending=person.user)
    document = make_document(encounter=encounter, content=b"Findings consistent with cholelithiasis.")
    signed_in(client, person=person)
    assert client.get("/documents/search/").status_code == 200
    response = client.post("/documents/search/", {"query": "cholelithiasis"})
    body = response.content.decode()
    assert f"/documents/{document.public_id}/" in body
    assert "cholelithiasis" not in response.wsgi_request.get_full_path()
    empty = client.post("/documents/search/", {"query": "!!"})
    assert empty.status_code == 400


def test_scan_upload_queue_and_indexing(client, monkeypatch):
    monkeypatch.setattr(scans_module, "_tesseract", lambda _data: "DISCHARGE SUMMARY")
    signed_in(client)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("page.png", png_with_text("DISCHARGE SUMMARY"), content_type="image/png")
    assert client.post("/documents/scans/", {"file": upload}).status_code == 302
    bad = client.post(
        "/documents/scans/", {"file": SimpleUploadedFile("x.pdf", b"not a pdf", content_type="application/pdf")}
    )
    assert bad.status_code == 400
    assert "is not an accepted file type" in bad.content.decode()
    process_scans()
    item = ScannedItem.objects.get()
    queue = client.get("/documents/scans/").content.decode()
    assert f"/documents/scans/{item.public_id}/" in queue
    page = client.get(f"/documents/scans/{item.public_id}/").content.decode()
    assert "DISCHARGE SUMMARY" in page
    image = client.get(f"/documents/scans/{item.public_id}/content/")
    assert image["Content-Type"] == "image/png"
    encounter = make_encounter()
    wrong = client.post(
        f"/documents/scans/{item.public_id}/index/",
        {"mrn": "0000000", "document_type": "discharge_summary", "title": "Discharge summary",
         "service_date": "2026-01-06"},
    )  # fmt: skip
    assert wrong.status_code == 400
    ok = client.post(
        f"/documents/scans/{item.public_id}/index/",
        {"mrn": encounter.patient.mrn, "encounter": encounter.number, "document_type": "discharge_summary",
         "title": "Discharge summary", "service_date": "2026-01-06"},
    )  # fmt: skip
    assert ok.status_code == 302
    item.refresh_from_db()
    assert item.state == ScanState.INDEXED


def test_amendment_screens(client):
    clerk = signed_in(client)
    document, _doctor = authored_note()
    assert client.get(f"/documents/{document.public_id}/amend-request/").status_code == 200
    response = client.post(
        f"/documents/{document.public_id}/amend-request/",
        {"received_on": "2026-01-10", "requested_change": "Correct my allergy.", "reason": ""},
    )
    assert response.status_code == 302
    amendment = AmendmentRequest.objects.get()
    page = client.get(f"/documents/amendments/{amendment.public_id}/").content.decode()
    assert "2026-03-11" in page  # 60 days after 2026-01-10
    assert str(amendment.public_id) in client.get("/documents/amendments/").content.decode()
    denied = client.post(
        f"/documents/amendments/{amendment.public_id}/deny/",
        {"basis": "accurate_complete", "explanation": "The record is accurate."},
    )
    assert denied.status_code == 302
    amendment.refresh_from_db()
    assert (amendment.status, amendment.decided_by_id) == ("denied", clerk.pk)


def test_a_pdf_is_framed_inline_and_html_is_never_rendered(client):
    import io

    from PIL import Image

    person = make_user([Role.PHYSICIAN])
    encounter = make_encounter(attending=person.user)
    out = io.BytesIO()
    Image.open(io.BytesIO(png_with_text("ECHO REPORT"))).convert("RGB").save(out, format="PDF")
    pdf = make_document(encounter=encounter, content=out.getvalue(), media_type="application/pdf")
    html = make_document(
        encounter=encounter,
        content=b"<p>Impression: <b>normal</b></p><script>alert(1)</script>",
        media_type="text/html",
    )
    signed_in(client, person=person)
    page = client.get(f"/documents/{pdf.public_id}/").content.decode()
    assert 'title="Version 1 of the document (PDF)"' in page
    assert f'src="/documents/{pdf.public_id}/content/1/"' in page
    body = client.get(f"/documents/{pdf.public_id}/content/1/")
    assert (body["Content-Type"], body["X-Frame-Options"]) == ("application/pdf", "SAMEORIGIN")
    assert body["Content-Disposition"].startswith("inline")
    assert "frame-ancestors 'self'" in body["Content-Security-Policy"]
    viewer = client.get(f"/documents/{html.public_id}/").content.decode()
    assert "Impression: normal" in viewer
    assert "alert(1)" not in viewer
    download = client.get(f"/documents/{html.public_id}/content/1/")
    assert (download["Content-Type"], download["Content-Disposition"][:10]) == (
        "application/octet-stream",
        "attachment",
    )


def test_a_clerk_uploads_a_new_version_of_an_unsigned_document(client):
    signed_in(client)
    document = make_document()
    page = client.get(f"/documents/{document.public_id}/").content.decode()
    assert 'id="id_version-text"' in page
    response = client.post(
        f"/documents/{document.public_id}/version/",
        {"version-reason_code": "transcription_error", "version-text": "Corrected transcription."},
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.current_version == 2
    missing = client.post(f"/documents/{document.public_id}/version/", {"version-reason_code": "other"})
    assert missing.status_code == 400
    document.refresh_from_db()
    assert document.current_version == 2
