from django.urls import path

from recordroom.patients import views

app_name = "patients"

urlpatterns = [
    path("", views.search_view, name="search"),
    path("new/", views.register_view, name="register"),
    path("<uuid:public_id>/", views.patient_view, name="detail"),
    path("<uuid:public_id>/edit/", views.edit_view, name="edit"),
    path("<uuid:public_id>/identifiers/new/", views.identifier_view, name="add_identifier"),
    path("<uuid:public_id>/merges/", views.merges_view, name="merges"),
    path("<uuid:public_id>/split/", views.split_view, name="split"),
    path("merge/", views.merge_view, name="merge"),
    path("merges/", views.recent_merges_view, name="recent_merges"),
    path("merges/<uuid:merge_id>/unmerge/", views.unmerge_view, name="unmerge"),
    path("index/", views.index_view, name="index"),
    path("index.csv", views.index_csv_view, name="index_csv"),
    path("duplicates/", views.duplicates_view, name="duplicates"),
    path("duplicates/<uuid:pair_id>/", views.duplicate_pair_view, name="duplicate_pair"),
    path("duplicates/<uuid:pair_id>/not-duplicate/", views.not_duplicate_view, name="not_duplicate"),
]
