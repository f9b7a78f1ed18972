from django.urls import path

from outsidein.mailin import views

urlpatterns = [
    path("settings/mail/", views.settings_page, name="mail-settings"),
    path("settings/mail/<int:mailbox_id>/", views.edit_mailbox, name="mail-edit"),
    path("settings/mail/<int:mailbox_id>/test/", views.test_mailbox, name="mail-test"),
    path("settings/mail/<int:mailbox_id>/poll/", views.poll_now, name="mail-poll"),
    path("settings/mail/<int:mailbox_id>/delete/", views.delete_mailbox, name="mail-delete"),
    path("settings/mail/failures/<int:mail_id>/retry/", views.retry_mail, name="mail-retry"),
    path("settings/mail/failures/<int:mail_id>/raw/", views.raw_mail, name="mail-raw"),
    path("settings/mail/answers/<int:outbound_id>/send/", views.resend_answer, name="mail-resend"),
    path("mail/attachments/<int:attachment_id>/", views.attachment, name="mail-attachment"),
]
