from django.urls import path

from outsidein.privacy import views

urlpatterns = [
    path("settings/privacy/", views.privacy_settings, name="privacy-settings"),
    path("customers/<int:customer_id>/gdpr/export/", views.customer_export, name="gdpr-export"),
    path("customers/<int:customer_id>/gdpr/erase/", views.customer_erase, name="gdpr-erase"),
]
