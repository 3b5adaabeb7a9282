from django.urls import path

from recordroom.access import views

app_name = "access"

urlpatterns = [
    path("emergency/", views.emergency_queue_view, name="emergency_queue"),
    path("emergency/<uuid:public_id>/review/", views.review_view, name="review_emergency"),
]
