from django.urls import path

from recordroom.documents import views

app_name = "documents"

urlpatterns = [
    path("for-patient/<uuid:patient_id>/", views.for_patient_view, name="for_patient"),
    path("new/<uuid:patient_id>/", views.file_view, name="file"),
    path("search/", views.search_view, name="search"),
    path("scans/", views.scans_view, name="scans"),
    path("scans/<uuid:public_id>/", views.scan_view, name="scan"),
    path("scans/<uuid:public_id>/content/", views.scan_content_view, name="scan_content"),
    path("scans/<uuid:public_id>/index/", views.index_scan_view, name="index_scan"),
    path("scans/<uuid:public_id>/reject/", views.reject_scan_view, name="reject_scan"),
    path("amendments/", views.amendments_view, name="amendments"),
    path("amendments/<uuid:public_id>/", views.amendment_view, name="amendment"),
    path("amendments/<uuid:public_id>/<slug:step>/", views.amendment_step_view, name="amendment_step"),
    path("<uuid:public_id>/", views.document_view, name="detail"),
    path("<uuid:public_id>/content/<int:number>/", views.content_view, name="content"),
    path("<uuid:public_id>/sign/", views.sign_view, name="sign"),
    path("<uuid:public_id>/cosign/", views.cosign_view, name="cosign"),
    path("<uuid:public_id>/version/", views.version_view, name="version"),
    path("<uuid:public_id>/correct/", views.correct_view, name="correct"),
    path("<uuid:public_id>/addendum/", views.addendum_view, name="addendum"),
    path("<uuid:public_id>/amend-request/", views.request_amendment_view, name="request_amendment"),
]
