from django.urls import path

from outsidein.mystery import views

urlpatterns = [
    path("mystery/", views.mine, name="mystery-mine"),
    path("mystery/shops/", views.assignment_list, name="mystery-assignments"),
    path("mystery/shops/plan/", views.plan, name="mystery-plan"),
    path("mystery/shops/<int:assignment_id>/", views.assignment_detail, name="mystery-assignment"),
    path("mystery/shops/<int:assignment_id>/skip/", views.assignment_skip, name="mystery-skip"),
    path("mystery/scenarios/", views.scenario_list, name="mystery-scenarios"),
    path("mystery/scenarios/new/", views.scenario_edit, name="mystery-scenario-create"),
    path("mystery/scenarios/<int:scenario_id>/", views.scenario_edit, name="mystery-scenario-edit"),
    path(
        "mystery/scenarios/<int:scenario_id>/delete/",
        views.scenario_delete,
        name="mystery-scenario-delete",
    ),
    path("mystery/results/", views.results, name="mystery-results"),
    path("mystery/settings/", views.programme_settings, name="mystery-settings"),
]
