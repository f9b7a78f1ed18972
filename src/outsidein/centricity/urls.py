from django.urls import path

from outsidein.centricity import report_views, views

urlpatterns = [
    path("mirror/", views.gap, name="mirror-gap"),
    path("mirror/reliability/", views.reliability, name="mirror-reliability"),
    path("mirror/answer/", views.answer_list, name="mirror-answer-list"),
    path("mirror/answer/<int:wave_id>/", views.answer, name="mirror-answer"),
    path("mirror/waves/", views.wave_list, name="mirror-waves"),
    path("mirror/waves/<int:wave_id>/", views.wave_detail, name="mirror-wave"),
    path(
        "mirror/waves/<int:wave_id>/<str:action>/",
        views.wave_action,
        name="mirror-wave-action",
    ),
    path("mirror/statements/", views.item_list, name="mirror-items"),
    path("mirror/statements/new/", views.item_edit, name="mirror-item-create"),
    path("mirror/statements/<int:item_id>/", views.item_edit, name="mirror-item-edit"),
    path(
        "mirror/statements/<int:item_id>/<str:action>/",
        views.item_action,
        name="mirror-item-action",
    ),
    path("mirror/teams/", views.served, name="mirror-served"),
    path("report/", report_views.report_page, name="report"),
    path("report/subscriptions/", report_views.subscriptions, name="report-subscriptions"),
    path(
        "report/subscriptions/<int:subscription_id>/delete/",
        report_views.subscription_delete,
        name="report-subscription-delete",
    ),
    path("report/<str:month>.pdf", report_views.report_pdf, name="report-pdf"),
]

from outsidein.centricity import index_views  # noqa: E402

urlpatterns += [
    path("index/", index_views.index_page, name="centricity-index"),
    path("index/settings/", index_views.settings_page, name="index-settings"),
    path("index/scorecards/", index_views.scorecards_page, name="index-scorecards"),
    path(
        "index/scorecards/export.<str:fmt>",
        index_views.scorecards_export,
        name="index-scorecards-export",
    ),
]
