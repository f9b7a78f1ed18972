from django.urls import include, path

from bench_floor import views

urlpatterns = [
    path("bench-floor/", views.submit),
    path("", include("outsidein.urls")),
]
