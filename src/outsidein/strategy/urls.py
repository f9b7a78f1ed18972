from django.urls import path

from outsidein.strategy import views

urlpatterns = [
    path("strategy/", views.segments, name="strategy-segments"),
    path("strategy/segments/<int:segment_id>/", views.segment_detail, name="strategy-segment"),
    path("strategy/compare/", views.compare, name="strategy-compare"),
    path("strategy/rules/", views.rules, name="strategy-rules"),
    path("strategy/rules/run/", views.rules_run, name="strategy-rules-run"),
    path("strategy/rules/<int:rule_id>/", views.rule_edit, name="strategy-rule"),
    path(
        "strategy/customers/<int:customer_id>/segment/",
        views.customer_segment,
        name="strategy-customer-segment",
    ),
    path("strategy/needs/", views.needs, name="strategy-needs"),
    path("strategy/needs/<int:need_id>/", views.need_detail, name="strategy-need"),
    path("strategy/no/", views.declined, name="strategy-declined"),
    path("strategy/journeys/", views.journeys, name="strategy-journeys"),
    path("strategy/journeys/<int:journey_id>/", views.journey_detail, name="strategy-journey"),
    path("strategy/journeys/<int:journey_id>/map/", views.journey_map, name="strategy-journey-map"),
    path(
        "strategy/touchpoints/<int:touchpoint_id>/",
        views.touchpoint_detail,
        name="strategy-touchpoint",
    ),
    path("strategy/processes/", views.processes, name="strategy-processes"),
    path("strategy/processes/new/", views.process_edit, name="strategy-process-create"),
    path("strategy/processes/<int:process_id>/", views.process_edit, name="strategy-process"),
    path("strategy/network/", views.network, name="strategy-network"),
    path("strategy/flags/", views.flags, name="strategy-flags"),
    path(
        "strategy/feedback/<int:feedback_id>/need/",
        views.feedback_need,
        name="strategy-feedback-need",
    ),
    path(
        "strategy/feedback/<int:feedback_id>/touchpoint/",
        views.feedback_touchpoint,
        name="strategy-feedback-touchpoint",
    ),
]
