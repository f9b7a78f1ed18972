from django.urls import path

from outsidein.chat import views

urlpatterns = [
    path("settings/chat/", views.settings_page, name="chat-settings"),
    path("settings/chat/<int:channel_id>/", views.edit_channel, name="chat-edit"),
    path("settings/chat/<int:channel_id>/test/", views.send_test, name="chat-test"),
    path("settings/chat/<int:channel_id>/delete/", views.delete_channel, name="chat-delete"),
]
