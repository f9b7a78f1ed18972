from django.urls import path

from outsidein.ideas import public, views

urlpatterns = [
    # Staff pages.
    path("innovation/ideas/", views.idea_list, name="idea-list"),
    path("innovation/ideas/new/", views.idea_create, name="idea-create"),
    path("innovation/ideas/insights/", views.insights, name="idea-insights"),
    path("innovation/ideas/<int:idea_id>/", views.idea_detail, name="idea-detail"),
    path("innovation/ideas/<int:idea_id>/status/", views.idea_status, name="idea-status"),
    path("innovation/ideas/<int:idea_id>/team/", views.idea_team, name="idea-team"),
    path("innovation/ideas/<int:idea_id>/merge/", views.idea_merge, name="idea-merge"),
    path("innovation/ideas/<int:idea_id>/comment/", views.idea_comment, name="idea-comment"),
    path(
        "innovation/ideas/<int:idea_id>/decision/",
        views.idea_link_decision,
        name="idea-link-decision",
    ),
    path("innovation/ideas/<int:idea_id>/delete/", views.idea_delete, name="idea-delete"),
    # The customers' portal.
    path("ideas/<slug:slug>/", public.portal, name="ideas-portal"),
    path("ideas/<slug:slug>/join/", public.join, name="ideas-portal-join"),
    path("ideas/<slug:slug>/verify/<str:token>/", public.verify, name="ideas-portal-verify"),
    path("ideas/<slug:slug>/leave/", public.leave, name="ideas-portal-leave"),
    path("ideas/<slug:slug>/mine/", public.mine, name="ideas-portal-mine"),
    path("ideas/<slug:slug>/new/", public.new_idea, name="ideas-portal-new"),
    path("ideas/<slug:slug>/similar/", public.similar_ideas, name="ideas-portal-similar"),
    path(
        "ideas/<slug:slug>/unsubscribe/<str:token>/",
        public.unsubscribe,
        name="ideas-portal-unsubscribe",
    ),
    path("ideas/<slug:slug>/<int:idea_id>/", public.idea_page, name="ideas-portal-idea"),
    path("ideas/<slug:slug>/<int:idea_id>/vote/", public.vote, name="ideas-portal-vote"),
    path("ideas/<slug:slug>/<int:idea_id>/comment/", public.comment, name="ideas-portal-comment"),
]
