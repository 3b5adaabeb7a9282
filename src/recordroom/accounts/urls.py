from django.urls import path

from recordroom.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/verify/", views.mfa_view, name="mfa"),
    path("login/enroll/", views.enroll_view, name="enroll"),
    path("logout/", views.logout_view, name="logout"),
    path("timed-out/", views.timed_out_view, name="timed_out"),
    path("session/keepalive/", views.keepalive_view, name="keepalive"),
    path("me/", views.account_view, name="account"),
    path("me/password/", views.change_password_view, name="change_password"),
    path("me/tokens/", views.issue_token_view, name="issue_token"),
    path("me/tokens/<uuid:public_id>/revoke/", views.revoke_token_view, name="revoke_token"),
    path("me/recovery-codes/", views.regenerate_codes_view, name="regenerate_codes"),
    path("users/", views.users_view, name="users"),
    path("users/new/", views.create_user_view, name="create_user"),
    path("users/<uuid:public_id>/", views.user_detail_view, name="user_detail"),
]
