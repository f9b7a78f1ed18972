from django.contrib.auth import views as auth_views
from django.urls import path

from outsidein.core import account_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("customers/", views.customer_list, name="customer-list"),
    path("customers/new/", views.customer_edit, name="customer-create"),
    path("customers/export/", views.customer_export, name="customer-export"),
    path("customers/<int:customer_id>/", views.customer_detail, name="customer-detail"),
    path("customers/<int:customer_id>/edit/", views.customer_edit, name="customer-edit"),
    path("customers/<int:customer_id>/delete/", views.customer_delete, name="customer-delete"),
    path(
        "customers/<int:customer_id>/contacts/new/",
        views.contact_person_add,
        name="contact-person-add",
    ),
    path(
        "customers/<int:customer_id>/contacts/<int:contact_id>/delete/",
        views.contact_person_delete,
        name="contact-person-delete",
    ),
    path("segments/", views.segment_list, name="segment-list"),
    path("segments/new/", views.segment_edit, name="segment-create"),
    path("segments/<int:segment_id>/edit/", views.segment_edit, name="segment-edit"),
    path("segments/<int:segment_id>/delete/", views.segment_delete, name="segment-delete"),
    path("teams/", views.team_list, name="team-list"),
    path("teams/new/", views.team_edit, name="team-create"),
    path("teams/<int:team_id>/", views.team_detail, name="team-detail"),
    path("teams/<int:team_id>/edit/", views.team_edit, name="team-edit"),
    path("teams/<int:team_id>/delete/", views.team_delete, name="team-delete"),
    path("settings/organisation/", views.organisation_settings, name="organisation-settings"),
    path("people/invite/", views.person_invite, name="person-invite"),
    path("people/<int:person_id>/edit/", views.person_edit, name="person-edit"),
    path("settings/tokens/", views.token_list, name="token-list"),
    path("settings/tokens/<int:token_id>/revoke/", views.token_revoke, name="token-revoke"),
    # accounts
    path("login/", account_views.RateLimitedLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(template_name="core/accounts/password_change.html"),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="core/accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("password/reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="core/accounts/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="core/accounts/password_reset_confirm.html"
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="core/accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("invitation/<str:token>/", account_views.accept_invitation, name="accept-invitation"),
]
