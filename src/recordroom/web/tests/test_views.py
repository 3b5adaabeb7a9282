"""The web shell: dashboards by role, navigation, error pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.test.utils import override_settings

from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user, sign_in
from recordroom.web.navigation import DASHBOARD_PANELS

pytestmark = pytest.mark.django_db


def test_dashboard_shows_only_the_panels_of_the_users_roles(client):
    person = make_user([Role.CODER, Role.PHYSICIAN])
    sign_in(client, person)
    body = client.get("/").content.decode()
    for role in (Role.CODER, Role.PHYSICIAN):
        for panel in DASHBOARD_PANELS[role]:
            assert f'data-panel="{role.value}.{panel.key}"' in body
    assert 'data-panel="privacy_officer.' not in body
    assert 'data-panel="sysadmin.' not in body


def test_every_role_has_a_dashboard():
    assert set(DASHBOARD_PANELS) == set(Role)


def test_dashboard_requires_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_navigation_marks_the_current_page(client):
    sign_in(client, make_user())
    body = client.get("/accounts/me/").content.decode()
    assert 'href="/accounts/me/" aria-current="page"' in body


def test_not_found_page_is_plain(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"Traceback" not in response.content


def test_server_error_shows_no_stack_trace():
    from django.urls import path

    def boom(request):
        raise RuntimeError("secret detail about patient 123-45-6789")

    urlpatterns = [path("boom/", boom)]
    module = type("Urls", (), {"urlpatterns": urlpatterns, "handler500": "recordroom.web.views.server_error"})
    with override_settings(ROOT_URLCONF=module):
        client = Client(raise_request_exception=False)
        response = client.get("/boom/")
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content
    assert b"123-45-6789" not in response.content
    assert b"Traceback" not in response.content


def test_sysadmin_dashboard_counts_recent_failed_sign_ins(client):
    admin = make_user([Role.SYSADMIN])
    Client().post("/accounts/login/", {"username": "someone.else", "password": "wrong password here"})
    sign_in(client, admin)
    body = client.get("/").content.decode()
    assert "1 failed sign-in(s), lockout(s) or refused token(s) in the last 24 hours." in body


def test_privacy_officer_dashboard_links_to_emergency_reviews(client):
    from recordroom.access.services import break_glass

    physician = make_user([Role.PHYSICIAN], enrolled=False).user
    break_glass(actor=physician, patient_id=3, reason="code blue")
    sign_in(client, make_user([Role.PRIVACY_OFFICER]))
    body = client.get("/").content.decode()
    assert '<a href="/access/emergency/">1 emergency access window(s) wait for your review.</a>' in body
