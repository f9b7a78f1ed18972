from django.urls import path

from outsidein.sso import views

urlpatterns = [
    path("sso/start/", views.start, name="sso-start"),
    path("sso/callback/", views.callback, name="sso-callback"),
    path("settings/sso/", views.settings_page, name="sso-settings"),
]
