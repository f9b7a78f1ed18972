from django.urls import path

from outsidein.voice import hook_views, import_views, views

urlpatterns = [
    path("hooks/<str:key>/", hook_views.receive, name="webhook-receive"),
    path("settings/webhooks/", hook_views.settings_page, name="webhook-settings"),
    path(
        "settings/webhooks/<str:direction>/<int:hook_id>/delete/",
        hook_views.delete_hook,
        name="webhook-delete",
    ),
    path(
        "settings/webhooks/out/<int:hook_id>/events/",
        hook_views.hook_events_view,
        name="webhook-events",
    ),
    path("settings/webhooks/out/<int:hook_id>/test/", hook_views.send_test, name="webhook-test"),
    path(
        "settings/webhooks/deliveries/<int:delivery_id>/redeliver/",
        hook_views.redeliver,
        name="webhook-redeliver",
    ),
    path("imports/", import_views.import_start, name="import-start"),
    path("imports/<str:upload_id>/", import_views.import_map, name="import-map"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/new/", views.feedback_create, name="feedback-create"),
    path("inbox/export.csv", views.inbox_export, name="inbox-export"),
    path("inbox/<int:feedback_id>/", views.feedback_detail, name="feedback-detail"),
    path("inbox/<int:feedback_id>/tags/", views.feedback_tags, name="feedback-tags"),
    path("inbox/<int:feedback_id>/delete/", views.feedback_delete, name="feedback-delete"),
    path("surveys/", views.survey_list, name="survey-list"),
    path("surveys/new/", views.survey_create, name="survey-create"),
    path("surveys/<int:survey_id>/", views.survey_detail, name="survey-detail"),
    path("surveys/<int:survey_id>/settings/", views.survey_settings, name="survey-settings"),
    path(
        "surveys/<int:survey_id>/open/",
        views.survey_status,
        {"action": "open"},
        name="survey-open",
    ),
    path(
        "surveys/<int:survey_id>/close/",
        views.survey_status,
        {"action": "close"},
        name="survey-close",
    ),
    path("surveys/<int:survey_id>/questions/", views.question_add, name="question-add"),
    path(
        "surveys/<int:survey_id>/questions/<int:question_id>/delete/",
        views.question_delete,
        name="question-delete",
    ),
    path(
        "surveys/<int:survey_id>/questions/<int:question_id>/edit/",
        views.question_edit,
        name="question-edit",
    ),
    path(
        "surveys/<int:survey_id>/questions/<int:question_id>/move/",
        views.question_move,
        name="question-move",
    ),
    path("surveys/<int:survey_id>/questions/order/", views.question_order, name="question-order"),
    path("surveys/<int:survey_id>/copy/", views.survey_copy, name="survey-copy"),
    path("surveys/<int:survey_id>/preview/", views.survey_preview, name="survey-preview"),
    path("surveys/<int:survey_id>/invite/", views.survey_invite, name="survey-invite"),
    path("surveys/<int:survey_id>/qr.<str:fmt>", views.survey_qr, name="survey-qr"),
]
