from django.urls import path

from outsidein.practice import views

urlpatterns = [
    path("work/", views.my_work, name="my-work"),
    path("practices/", views.practices, name="practices"),
    path("queue/", views.queue, name="queue"),
    path("queue/<int:case_id>/", views.case_detail, name="case-detail"),
    path("queue/<int:case_id>/pick-up/", views.case_pick_up, name="case-pick-up"),
    path("queue/<int:case_id>/respond/", views.case_respond, name="case-respond"),
    path("queue/<int:case_id>/note/", views.case_note, name="case-note"),
    path("queue/<int:case_id>/assign/", views.case_assign, name="case-assign"),
    path("queue/<int:case_id>/close/", views.case_close, name="case-close"),
    path("queue/<int:case_id>/reopen/", views.case_reopen, name="case-reopen"),
    path("r/solved/<str:token>/<str:answer>/", views.case_solved, name="case-solved"),
    path("contacts/", views.contact_log, name="contact-log"),
    path("contacts/coverage/", views.contact_coverage, name="contact-coverage"),
    path("contacts/<int:contact_id>/", views.contact_detail, name="contact-detail"),
    path("decisions/", views.decision_list, name="decision-list"),
    path("decisions/new/", views.decision_edit, name="decision-create"),
    path("decisions/<int:decision_id>/", views.decision_detail, name="decision-detail"),
    path("decisions/<int:decision_id>/edit/", views.decision_edit, name="decision-edit"),
    path(
        "decisions/<int:decision_id>/evidence/", views.decision_evidence, name="decision-evidence"
    ),
    path("decisions/<int:decision_id>/tell/", views.decision_tell, name="decision-tell"),
    path("decisions/<int:decision_id>/delete/", views.decision_delete, name="decision-delete"),
    path("settings/practice/", views.practice_settings, name="practice-settings"),
]
