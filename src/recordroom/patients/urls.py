from django.urls import path

from recordroom.patients import views

app_name = "patients"

urlpatterns = [
    path("", views.search_view, name="search"),
    path("new/", views.register_view, name="register"),
    path("<uuid:public_id>/", views.patient_view, name="detail"),
]
