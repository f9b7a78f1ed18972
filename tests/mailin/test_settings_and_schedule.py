"""The settings page (administrators only, the password stored encrypted and never shown),
the schedule with its per-mailbox lease, and ``outsidein mail poll``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from outsidein.cli import main
from outsidein.mailin import crypto, services
from outsidein.mailin.models import Mailbox
from outsidein.voice.models import Feedback
from tests.mailin.test_mail import mail

pytestmark = pytest.mark.django_db


def test_admin_connects_a_mailbox_and_the_password_is_never_shown(
    tenant: Any, imap: Any, folder: str
):
    client = tenant.client_for(tenant.admin)
    form = {
        "name": "Service",
        "host": imap.host,
        "port": imap.port,
        "username": imap.username,
        "password": imap.password,
        "folder": folder,
        "kind": "question",
        "address": "service@acme.test",
        "poll_minutes": 5,
        "ca_certificate": imap.ca_pem,
        "is_active": "on",
    }
    response = client.post(reverse("mail-settings"), form, follow=True)
    assert response.status_code == 200
    mailbox = Mailbox.objects.get(organisation=tenant.organisation)
    assert mailbox.password_encrypted != imap.password
    assert crypto.decrypt(mailbox.password_encrypted) == imap.password
    page = response.content.decode()
    assert imap.password not in page and mailbox.password_encrypted not in page
    edit = client.get(reverse("mail-edit", args=[mailbox.pk])).content.decode()
    assert imap.password not in edit
    # Saving without a password keeps the stored one.
    client.post(reverse("mail-edit", args=[mailbox.pk]), {**form, "password": "", "name": "S2"})
    mailbox.refresh_from_db()
    assert mailbox.name == "S2" and crypto.decrypt(mailbox.password_encrypted) == imap.password
    page = client.post(reverse("mail-test", args=[mailbox.pk]), follow=True).content.decode()
    assert "Connected: 0 messages" in page


def test_bad_input_is_named(tenant: Any):
    client = tenant.client_for(tenant.admin)
    response = client.post(
        reverse("mail-settings"),
        {
            "name": "x",
            "host": "imap.example.com",
            "port": 993,
            "username": "u",
            "password": "",
            "folder": "INBOX",
            "kind": "complaint",
            "address": "not an address",
            "poll_minutes": 5,
            "ca_certificate": "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----",
        },
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert set(errors) >= {"password", "address"}
    assert not Mailbox.objects.exists()


def test_only_administrators_and_only_their_own(tenant: Any, other_tenant: Any, mailbox: Any):
    assert tenant.client_for(tenant.manager).get(reverse("mail-settings")).status_code == 403
    foreign = other_tenant.client_for(other_tenant.admin)
    assert foreign.get(reverse("mail-edit", args=[mailbox.pk])).status_code == 404
    assert foreign.post(reverse("mail-test", args=[mailbox.pk])).status_code == 404
    assert foreign.post(reverse("mail-delete", args=[mailbox.pk])).status_code == 404
    assert Mailbox.objects.filter(pk=mailbox.pk).exists()


def test_the_lease_keeps_a_second_worker_out(mailbox: Any):
    assert services.claim(mailbox.pk, "worker-a")
    assert not services.claim(mailbox.pk, "worker-b")
    assert services.poll_with_lease(mailbox.pk) is None  # held: this worker skips it
    # A dead holder's lease expires and the next worker takes the mailbox over.
    later = timezone.now() + timedelta(hours=1)
    assert services.claim(mailbox.pk, "worker-b", now=later)
    services.release(mailbox.pk, "worker-b")
    assert services.claim(mailbox.pk, "worker-c")


def test_the_schedule_polls_each_due_mailbox_once(tenant: Any, imap: Any, mailbox: Any):
    imap.deliver(mail(message_id="<sched@x>"))
    now = timezone.now()
    assert services.schedule_due(now) == [mailbox.pk]  # the immediate backend polls at once
    assert Feedback.objects.filter(organisation=tenant.organisation).count() == 1
    # Not due again until poll_minutes have passed, whichever worker asks.
    assert services.schedule_due(now + timedelta(minutes=1)) == []
    assert services.schedule_due(now + timedelta(minutes=6)) == [mailbox.pk]
    mailbox.refresh_from_db()
    assert mailbox.lease_holder == "" and mailbox.last_error == ""


def test_the_worker_maintenance_pass_schedules_the_polls(tenant: Any, imap: Any, mailbox: Any):
    from outsidein.jobs.worker import maintain

    imap.deliver(mail(message_id="<maint@x>"))
    maintain(scheduler=True, fallback=None)
    assert Feedback.objects.filter(organisation=tenant.organisation).count() == 1


def test_cli_mail_poll(tenant: Any, imap: Any, mailbox: Any, capsys: Any):
    imap.deliver(mail(message_id="<cli@x>"))
    assert main(["mail", "poll", "--org", tenant.organisation.slug]) in (0, None)
    out = capsys.readouterr().out
    assert "Service: 1 read, 1 new items, 0 replies, 0 ignored, 0 failed." in out
    assert Feedback.objects.filter(organisation=tenant.organisation).count() == 1


def test_cli_mail_poll_fails_when_a_mailbox_cannot_be_read(
    tenant: Any, imap: Any, mailbox: Any, capsys: Any
):
    services.update_mailbox(mailbox, password="wrong")
    assert main(["mail", "poll"]) not in (0, None)
    captured = capsys.readouterr()
    assert "wrong credentials" in captured.out
    assert "1 mailbox(es) could not be read" in captured.err
