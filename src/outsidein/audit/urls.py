from django.urls import path

from outsidein.audit import views

urlpatterns = [
    path("settings/audit/", views.audit_list, name="audit-list"),
    path("settings/audit/export.csv", views.audit_export, name="audit-export"),
]
