"""The customers' portal: email verification, submitting, voting, commenting, privacy, limits."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from outsidein.ideas import services
from outsidein.ideas.models import Comment, Idea, Participant, Vote
from tests.conftest import Tenant
from tests.ideas.conftest import make_participant

pytestmark = pytest.mark.django_db


def portal(tenant: Tenant, rest: str = "") -> str:
    return f"/ideas/{tenant.organisation.slug}/{rest}"


def signed_in(client: Client, participant: Participant) -> Client:
    session = client.session
    session[f"ideas:participant:{participant.organisation_id}"] = participant.pk
    session.save()
    return client


def test_the_portal_lists_public_ideas_without_signing_in(
    client: Client, tenant: Tenant, idea: Idea
) -> None:
    hidden = services.submit_idea(tenant.organisation, title="Secret plan", is_public=False)
    response = client.get(portal(tenant) + "?lang=en")
    assert response.status_code == 200
    body = response.content.decode()
    assert tenant.organisation.name in body
    assert idea.title in body
    assert hidden.title not in body
    assert "sanne@example.net" not in body  # the author's address is private
    assert "Sanne" in body  # first name only


def test_unknown_organisation_is_404(client: Client, db: Any) -> None:
    assert client.get("/ideas/nobody-here/").status_code == 404


def test_join_emails_a_link_that_signs_in_and_returns(client: Client, tenant: Tenant) -> None:
    new_page = portal(tenant, "new/")
    response = client.get(new_page)
    assert response.status_code == 302 and "/join/" in response["Location"]
    response = client.post(
        portal(tenant, "join/") + "?lang=en",
        {"email": "Kees@Example.net", "name": "Kees Jansen", "notify": "on", "next": new_page},
    )
    assert response.status_code == 200
    assert b"Check your email" in response.content
    assert [m.to for m in mail.outbox] == [["kees@example.net"]]
    link = re.search(r"http://\S+/verify/\S+/", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    assert not Participant.objects.exists()  # nothing stored before the address is proven
    path = link.group(0)[link.group(0).index("/ideas/") :]
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == new_page
    participant = Participant.objects.get()
    assert (participant.email, participant.name, participant.notify) == (
        "kees@example.net",
        "Kees Jansen",
        True,
    )
    assert client.get(new_page).status_code == 200


def test_join_form_errors_are_named(client: Client, tenant: Tenant) -> None:
    response = client.post(portal(tenant, "join/") + "?lang=en", {"email": "nope"})
    assert response.status_code == 200
    assert b'id="err-email"' in response.content
    assert mail.outbox == []


def test_a_forged_or_foreign_link_does_not_sign_in(
    client: Client, tenant: Tenant, other_tenant: Tenant
) -> None:
    token = services.request_verification(other_tenant.organisation, email="x@example.net")
    assert client.get(portal(tenant, f"verify/{token}/")).status_code == 404
    assert client.get(portal(tenant, "verify/forged/")).status_code == 404
    assert not Participant.objects.exists()


def test_honeypot_sends_nothing_and_stores_nothing(
    client: Client, tenant: Tenant, participant: Participant
) -> None:
    response = client.post(
        portal(tenant, "join/"), {"email": "bot@example.net", "website": "http://spam"}
    )
    assert response.status_code == 200
    assert mail.outbox == []
    signed_in(client, participant)
    client.post(portal(tenant, "new/"), {"title": "Buy cheap pills", "website": "x"})
    assert not Idea.objects.exists()


def test_public_writes_are_rate_limited(
    settings: Any, client: Client, tenant: Tenant, participant: Participant
) -> None:
    settings.PUBLIC_RATE_LIMIT = 2
    signed_in(client, participant)
    assert client.post(portal(tenant, "new/"), {"title": "One"}).status_code == 302
    assert client.post(portal(tenant, "new/"), {"title": "Two"}).status_code == 302
    assert client.post(portal(tenant, "new/"), {"title": "Three"}).status_code == 429
    assert Idea.objects.count() == 2


def test_verification_emails_are_limited_per_address(client: Client, tenant: Tenant) -> None:
    for _n in range(7):
        response = client.post(portal(tenant, "join/"), {"email": "same@example.net"})
    assert response.status_code == 429
    assert len(mail.outbox) == 5


def test_submit_vote_comment(client: Client, tenant: Tenant, participant: Participant) -> None:
    signed_in(client, participant)
    response = client.post(portal(tenant, "new/"), {"title": "", "description": "x"})
    assert response.status_code == 200 and b'id="err-title"' in response.content
    response = client.post(
        portal(tenant, "new/"), {"title": "Monthly usage email", "description": "Please"}
    )
    idea = Idea.objects.get()
    assert response["Location"] == portal(tenant, f"{idea.pk}/")
    page = client.get(portal(tenant, f"{idea.pk}/") + "?lang=en").content.decode()
    assert "You submitted this idea" in page
    assert "sanne@example.net" in page  # the author sees their own address

    other = signed_in(Client(), make_participant(tenant, "jan@example.net"))
    other.post(portal(tenant, f"{idea.pk}/vote/"))
    assert Idea.objects.get().vote_count == 2
    other.post(portal(tenant, f"{idea.pk}/vote/"), {"action": "unvote"})
    assert Idea.objects.get().vote_count == 1
    other_page = other.get(portal(tenant, f"{idea.pk}/")).content.decode()
    assert "sanne@example.net" not in other_page
    response = other.post(portal(tenant, f"{idea.pk}/comment/"), {"text": ""})
    assert response.status_code == 200 and b'id="err-text"' in response.content
    other.post(portal(tenant, f"{idea.pk}/comment/"), {"text": "Good one"})
    assert Comment.objects.get().participant.email == "jan@example.net"


def test_voting_without_signing_in_asks_for_the_address(
    client: Client, tenant: Tenant, idea: Idea
) -> None:
    response = client.post(portal(tenant, f"{idea.pk}/vote/"))
    assert response.status_code == 302 and "/join/?next=" in response["Location"]
    assert Vote.objects.count() == 1


def test_hidden_ideas_only_for_their_author(
    client: Client, tenant: Tenant, participant: Participant
) -> None:
    hidden = services.submit_idea(
        tenant.organisation, title="Private", author=participant, is_public=False
    )
    assert client.get(portal(tenant, f"{hidden.pk}/")).status_code == 404
    assert signed_in(client, participant).get(portal(tenant, f"{hidden.pk}/")).status_code == 200


def test_another_organisations_idea_is_404(
    client: Client, tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = services.submit_idea(other_tenant.organisation, title="Theirs")
    assert client.get(portal(tenant, f"{theirs.pk}/")).status_code == 404
    assert client.post(portal(tenant, f"{theirs.pk}/vote/")).status_code == 404


def test_a_session_for_one_organisation_is_not_one_for_another(
    client: Client, tenant: Tenant, other_tenant: Tenant, participant: Participant
) -> None:
    signed_in(client, participant)
    response = client.get(f"/ideas/{other_tenant.organisation.slug}/new/")
    assert response.status_code == 302 and "/join/" in response["Location"]


def test_merged_idea_redirects_to_the_one_it_joined(
    client: Client, tenant: Tenant, idea: Idea
) -> None:
    duplicate = services.submit_idea(tenant.organisation, title="Dup")
    services.merge(duplicate, idea)
    response = client.get(portal(tenant, f"{duplicate.pk}/"))
    assert response["Location"] == portal(tenant, f"{idea.pk}/")


def test_declined_idea_shows_the_reason(client: Client, tenant: Tenant, idea: Idea) -> None:
    services.change_status(idea, status="declined", reason="Our meters cannot do this.")
    page = client.get(portal(tenant, f"{idea.pk}/") + "?lang=en").content.decode()
    assert "Why we are not doing this" in page
    assert "Our meters cannot do this." in page


def test_language_is_the_customers_choice(client: Client, tenant: Tenant) -> None:
    assert 'lang="en"' in client.get(portal(tenant) + "?lang=en").content.decode()
    assert 'lang="nl"' in client.get(portal(tenant) + "?lang=nl").content.decode()
    assert 'lang="nl"' in client.get(portal(tenant)).content.decode()  # remembered


def test_unsubscribe_link_stops_emails(
    client: Client, tenant: Tenant, participant: Participant
) -> None:
    token = services.unsubscribe_token(participant)
    assert client.get(portal(tenant, f"unsubscribe/{token}/")).status_code == 200
    assert Participant.objects.get().notify is True
    assert client.post(portal(tenant, f"unsubscribe/{token}/")).status_code == 200
    assert Participant.objects.get().notify is False
    assert client.get(portal(tenant, "unsubscribe/forged/")).status_code == 404


def test_my_ideas_page_and_notify_choice(
    client: Client, tenant: Tenant, participant: Participant, idea: Idea
) -> None:
    assert client.get(portal(tenant, "mine/")).status_code == 302
    signed_in(client, participant)
    assert idea.title in client.get(portal(tenant, "mine/")).content.decode()
    client.post(portal(tenant, "mine/"), {})
    assert Participant.objects.get().notify is False
    client.post(portal(tenant, "mine/"), {"notify": "1"})
    assert Participant.objects.get().notify is True


def test_sign_out(client: Client, tenant: Tenant, participant: Participant) -> None:
    signed_in(client, participant)
    client.post(portal(tenant, "leave/"))
    assert client.get(portal(tenant, "new/")).status_code == 302
