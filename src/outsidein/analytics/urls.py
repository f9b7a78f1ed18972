from django.urls import path

from outsidein.analytics import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("data.json", views.dashboard_data, name="dashboard-data"),
    path("export/<str:name>.<str:fmt>", views.dashboard_export, name="dashboard-export"),
]
