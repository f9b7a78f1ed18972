"""The rules of the ideas portal: submitting, voting, triage, merging, numbers."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from outsidein.ideas import services
from outsidein.ideas.models import Comment, Idea, IdeaStatus, Participant, StatusChange, Vote
from tests.conftest import Tenant
from tests.factories import ContactPersonFactory, CustomerFactory, SegmentFactory, TeamFactory
from tests.ideas.conftest import make_participant

pytestmark = pytest.mark.django_db


def test_a_verified_address_is_linked_to_its_customer_and_segment(
    tenant: Tenant, participant: Participant, customer: Any
) -> None:
    assert participant.email == "sanne@example.net"
    assert participant.customer == customer
    assert participant.verified_at is not None
    again = services.verify_participant(tenant.organisation, email="SANNE@example.net")
    assert again.pk == participant.pk
    assert Participant.objects.count() == 1


def test_a_contact_person_address_links_to_the_business(tenant: Tenant) -> None:
    business = CustomerFactory(organisation=tenant.organisation, kind="business", email="")
    ContactPersonFactory(customer=business, name="Marieke de Boer", email="marieke@biz.example")
    participant = make_participant(tenant, "marieke@biz.example")
    assert participant.customer == business
    assert participant.name == "Marieke de Boer"


def test_a_bad_address_is_refused_naming_the_field(tenant: Tenant) -> None:
    with pytest.raises(ValidationError) as caught:
        services.verify_participant(tenant.organisation, email="not-an-address")
    assert "email" in caught.value.message_dict


def test_submitting_counts_the_authors_vote_and_snapshots_the_segment(
    idea: Idea, customer: Any
) -> None:
    assert idea.vote_count == 1
    assert idea.segment == customer.segment
    assert idea.customer == customer
    assert idea.status == IdeaStatus.NEW
    assert Vote.objects.get().segment == customer.segment


@pytest.mark.parametrize(
    ("title", "field"),
    [("", "title"), ("   ", "title"), ("x" * 161, "title"), ("ok\x00", "title")],
)
def test_bad_ideas_are_refused_naming_the_field(tenant: Tenant, title: str, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.submit_idea(tenant.organisation, title=title)
    assert field in caught.value.message_dict
    assert not Idea.objects.exists()


def test_one_vote_per_participant_and_it_can_be_withdrawn(
    tenant: Tenant, idea: Idea, participant: Participant
) -> None:
    other = make_participant(tenant, "piet@example.net")
    assert services.vote(idea, other) is True
    assert services.vote(idea, other) is False
    assert idea.vote_count == 2
    assert services.unvote(idea, other) is True
    assert idea.vote_count == 1
    assert services.unvote(idea, other) is False


def test_closed_ideas_take_no_votes(tenant: Tenant, idea: Idea) -> None:
    services.change_status(idea, status="done")
    with pytest.raises(ValidationError):
        services.vote(idea, make_participant(tenant, "late@example.net"))


def test_declining_needs_a_reason_and_leaves_the_idea_unchanged(idea: Idea) -> None:
    with pytest.raises(ValidationError) as caught:
        services.change_status(idea, status="declined", reason="  ")
    assert "decline_reason" in caught.value.message_dict
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.NEW
    assert idea.first_staff_response_at is None
    assert not StatusChange.objects.exists()


def test_a_status_change_is_logged_and_is_a_staff_response(tenant: Tenant, idea: Idea) -> None:
    services.change_status(idea, status="declined", reason="Not for now.", person=tenant.manager)
    idea.refresh_from_db()
    assert idea.decline_reason == "Not for now."
    assert idea.first_staff_response_at is not None
    change = StatusChange.objects.get()
    assert (change.from_status, change.to_status, change.person) == (
        "new",
        "declined",
        tenant.manager,
    )
    services.change_status(idea, status="planned")
    idea.refresh_from_db()
    assert idea.decline_reason == ""


def test_unknown_status_is_refused(idea: Idea) -> None:
    with pytest.raises(ValidationError) as caught:
        services.change_status(idea, status="maybe")
    assert "status" in caught.value.message_dict


def test_staff_comment_is_a_staff_response_customer_comment_is_not(
    tenant: Tenant, idea: Idea, participant: Participant
) -> None:
    services.add_comment(idea, text="Me too!", participant=participant)
    assert Idea.objects.get().first_staff_response_at is None
    services.add_comment(idea, text="We are looking into it.", person=tenant.employee)
    assert Idea.objects.get().first_staff_response_at is not None
    assert [c.is_staff for c in Comment.objects.all()] == [False, True]
    with pytest.raises(ValidationError) as caught:
        services.add_comment(idea, text="  ", person=tenant.employee)
    assert "text" in caught.value.message_dict


def test_merge_carries_votes_over_without_double_counting(
    tenant: Tenant, idea: Idea, participant: Participant
) -> None:
    piet = make_participant(tenant, "piet@example.net")
    anna = make_participant(tenant, "anna@example.net")
    duplicate = services.submit_idea(tenant.organisation, title="Solar in the app", author=piet)
    services.vote(duplicate, anna)
    services.vote(duplicate, participant)  # voted on both: must count once
    services.add_comment(duplicate, text="Yes please", participant=anna)
    assert (idea.vote_count, Idea.objects.get(pk=duplicate.pk).vote_count) == (1, 3)

    survivor = services.merge(duplicate, idea, person=tenant.admin)

    assert survivor.pk == idea.pk
    assert survivor.vote_count == 3  # Sanne, Piet, Anna
    assert set(Vote.objects.filter(idea=idea).values_list("participant__email", flat=True)) == {
        "sanne@example.net",
        "piet@example.net",
        "anna@example.net",
    }
    duplicate.refresh_from_db()
    assert duplicate.merged_into == idea
    assert duplicate.vote_count == 0
    assert duplicate.first_staff_response_at is not None
    assert Comment.objects.get().idea == idea
    assert StatusChange.objects.get(idea=duplicate).merged_into == idea


def test_merge_refuses_itself_twice_and_chains(tenant: Tenant, idea: Idea) -> None:
    other = services.submit_idea(tenant.organisation, title="Other")
    third = services.submit_idea(tenant.organisation, title="Third")
    with pytest.raises(ValidationError):
        services.merge(idea, idea)
    services.merge(other, idea)
    with pytest.raises(ValidationError):
        services.merge(other, third)  # already merged
    with pytest.raises(ValidationError):
        services.merge(third, other)  # the target was merged itself


def test_merge_refuses_another_organisation(
    tenant: Tenant, other_tenant: Tenant, idea: Idea
) -> None:
    theirs = services.submit_idea(other_tenant.organisation, title="Theirs")
    with pytest.raises(ValidationError):
        services.merge(idea, theirs)


def test_status_change_emails_author_and_opted_in_voters_once_after_commit(
    tenant: Tenant, idea: Idea, participant: Participant, django_capture_on_commit_callbacks: Any
) -> None:
    make_participant(tenant, "quiet@example.net", notify=False)
    services.vote(idea, Participant.objects.get(email="quiet@example.net"))
    services.vote(idea, make_participant(tenant, "jim@example.net", language="en", name="Jim"))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.change_status(idea, status="planned", reason="Coming in spring.")
    assert mail.outbox == []  # nothing before commit
    for callback in callbacks:
        callback()
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"sanne@example.net", "jim@example.net"}
    assert "Planned" in by_address["jim@example.net"].subject
    assert "Dear Jim" in by_address["jim@example.net"].body
    assert "Coming in spring." in by_address["jim@example.net"].body
    assert "List-Unsubscribe" in by_address["jim@example.net"].extra_headers


def test_status_emails_go_through_real_smtp(
    tenant: Tenant, idea: Idea, smtp_inbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(idea, status="declined", reason="Too costly for now.")
    assert len(smtp_inbox.messages) == 1
    assert smtp_inbox.messages[0]["To"] == "sanne@example.net"
    assert "Too costly for now." in smtp_inbox.body()


def test_merge_tells_the_duplicates_voters(
    tenant: Tenant, idea: Idea, django_capture_on_commit_callbacks: Any
) -> None:
    piet = make_participant(tenant, "piet@example.net", language="en")
    duplicate = services.submit_idea(tenant.organisation, title="Solar yield", author=piet)
    with django_capture_on_commit_callbacks(execute=True):
        services.merge(duplicate, idea)
    assert [m.to for m in mail.outbox] == [["piet@example.net"]]
    assert idea.title in mail.outbox[0].subject


def test_a_mail_server_failure_does_not_undo_the_status(
    settings: Any, idea: Idea, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(idea, status="planned")
    assert Idea.objects.get().status == "planned"


def test_stats_share_answered_and_median_time(tenant: Tenant) -> None:
    now = timezone.now()
    org = tenant.organisation
    ideas = [
        services.submit_idea(org, title=f"Idea {n}", created_at=now - timedelta(days=10))
        for n in range(4)
    ]
    services.change_status(ideas[0], status="under_review", now=now - timedelta(days=9))  # 24 h
    services.add_comment(ideas[1], text="Thanks", person=tenant.admin, now=now - timedelta(days=7))
    stats = services.idea_stats(Idea.objects.filter(organisation=org), now=now)
    assert (stats.ideas, stats.answered, stats.share_answered) == (4, 2, 50.0)
    assert stats.median_hours_to_response == pytest.approx(48.0)
    assert stats.waiting_long == 2


def test_norm_measure_per_team(tenant: Tenant) -> None:
    org = tenant.organisation
    team = tenant.manager.team
    now = timezone.now()
    answered = services.submit_idea(org, title="A", team=team, created_at=now)
    services.submit_idea(org, title="B", team=team, created_at=now)
    services.submit_idea(org, title="C", created_at=now)
    services.change_status(answered, status="planned")
    measure = services.measure(org.pk, date.today() - timedelta(days=1), date.today())
    assert measure.n == 3
    assert measure.value == pytest.approx(100 / 3)
    assert measure.by_team == {team.pk: (50.0, 2)}
    empty = services.measure(org.pk, date(2000, 1, 1), date(2000, 1, 31))
    assert (empty.value, empty.n) == (None, 0)


def test_top_ideas_per_segment_count_that_segments_votes(tenant: Tenant) -> None:
    org = tenant.organisation
    mkb = SegmentFactory(organisation=org, name="MKB")
    homes = SegmentFactory(organisation=org, name="Homes")
    business = [
        make_participant(
            tenant,
            CustomerFactory(organisation=org, segment=mkb, email=f"b{n}@biz.example").email,
        )
        for n in range(3)
    ]
    home = make_participant(
        tenant, CustomerFactory(organisation=org, segment=homes, email="h@home.example").email
    )
    invoices = services.submit_idea(org, title="Invoice per site", author=business[0])
    for voter in business[1:]:
        services.vote(invoices, voter)
    app = services.submit_idea(org, title="Dark mode", author=home)
    services.vote(app, business[1])
    tops = {top.name: top.ideas for top in services.top_by_segment(org.pk)}
    assert tops["MKB"] == [(invoices, 3), (app, 1)]
    assert tops["Homes"] == [(app, 1)]


def test_ideas_waiting_for_triage(tenant: Tenant) -> None:
    org = tenant.organisation
    old = timezone.now() - timedelta(days=8)
    own_team = services.submit_idea(org, title="Mine", team=tenant.manager.team, created_at=old)
    other_team = TeamFactory(organisation=org)
    services.submit_idea(org, title="Theirs", team=other_team, created_at=old)
    services.submit_idea(org, title="Fresh")
    unassigned = services.submit_idea(org, title="Nobody's", created_at=old)
    mine = services.ideas_waiting_for_triage(org.pk, team_ids={tenant.manager.team_id})
    assert set(mine) == {own_team, unassigned}
    assert services.ideas_waiting_for_triage(org.pk, team_ids=None).count() == 3


def test_verification_token_is_bound_to_the_organisation(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    token = services.request_verification(tenant.organisation, email="a@example.net")
    assert services.read_verification_token(tenant.organisation, token)["e"] == "a@example.net"
    assert services.read_verification_token(other_tenant.organisation, token) is None
    assert services.read_verification_token(tenant.organisation, token + "x") is None
    assert services.read_verification_token(tenant.organisation, token, max_age=-1) is None
    assert len(mail.outbox) == 1
    assert f"/ideas/{tenant.organisation.slug}/verify/" in mail.outbox[0].body


def test_a_declined_idea_enters_the_no_register_and_leaves_it_when_taken_up(
    tenant: Tenant, idea: Idea
) -> None:
    from outsidein.strategy.models import DeclinedRequest

    services.change_status(
        idea, status=IdeaStatus.DECLINED, reason="Te weinig vraag.", person=tenant.manager
    )
    entry = DeclinedRequest.objects.get(organisation=tenant.organisation, ref_id=idea.pk)
    assert (entry.source, entry.request, entry.reason) == ("idea", idea.title, "Te weinig vraag.")
    assert entry.segment_id == idea.segment_id and entry.segment_id is not None
    assert entry.customer_told and entry.decided_by == tenant.manager
    # A new reason follows; there is still one entry.
    services.change_status(
        idea,
        status=IdeaStatus.DECLINED,
        reason="Past niet bij onze strategie.",
        person=tenant.admin,
    )
    entry = DeclinedRequest.objects.get(organisation=tenant.organisation, ref_id=idea.pk)
    assert entry.reason == "Past niet bij onze strategie." and entry.decided_by == tenant.admin
    services.change_status(idea, status=IdeaStatus.PLANNED, person=tenant.admin)
    assert not DeclinedRequest.objects.filter(ref_id=idea.pk).exists()
