from django.urls import path

from outsidein.voice import public

urlpatterns = [
    path("i/<str:token>/", public.answer_invitation, name="answer-invitation"),
    path("u/<str:token>/", public.unsubscribe, name="unsubscribe"),
    path("<str:key>/", public.answer_public, name="answer-public"),
    path("<str:key>/embed/", public.answer_embedded, name="answer-embedded"),
]
