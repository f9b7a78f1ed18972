from django.urls import path

from outsidein.text import views

urlpatterns = [
    path("themes/", views.themes_overview, name="text-themes"),
    path("themes/new/", views.theme_create, name="text-theme-create"),
    path("themes/reanalyse/", views.reanalyse, name="text-reanalyse"),
    path("themes/discover/", views.discover, name="text-discover"),
    path(
        "themes/<int:theme_id>/candidate/accept/",
        views.candidate_accept,
        name="text-candidate-accept",
    ),
    path(
        "themes/<int:theme_id>/candidate/rename/",
        views.candidate_rename,
        name="text-candidate-rename",
    ),
    path(
        "themes/<int:theme_id>/candidate/merge/", views.candidate_merge, name="text-candidate-merge"
    ),
    path("themes/<int:theme_id>/", views.theme_detail, name="text-theme"),
    path("themes/<int:theme_id>/merge/", views.theme_merge, name="text-theme-merge"),
    path("themes/<int:theme_id>/delete/", views.theme_delete, name="text-theme-delete"),
    path("themes/<int:theme_id>/accept/", views.theme_accept, name="text-theme-accept"),
    path("analysis/<int:analysis_id>/correct/", views.correct, name="text-correct"),
]
