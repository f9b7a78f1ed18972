from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from outsidein.api.api import api

urlpatterns = [
    # Customers' survey links first: Django tries patterns in order, and these are the
    # busiest requests (nothing else starts with r/<one segment>/).
    path("r/", include("outsidein.voice.urls_public")),
    path("", include("outsidein.core.urls")),
    path("jobs/", include("outsidein.jobs.urls")),
    path("dashboard/", include("outsidein.analytics.urls")),
    path("", include("outsidein.voice.urls")),
    path("", include("outsidein.practice.urls")),
    path("", include("outsidein.ideas.urls")),
    path("", include("outsidein.mystery.urls")),
    path("", include("outsidein.centricity.urls")),
    path("", include("outsidein.strategy.urls")),
    path("", include("outsidein.text.urls")),
    path("", include("outsidein.audit.urls")),
    path("", include("outsidein.privacy.urls")),
    path("", include("outsidein.sso.urls")),
    path("", include("outsidein.chat.urls")),
    path("", include("outsidein.mailin.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
]
