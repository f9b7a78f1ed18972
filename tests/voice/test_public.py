"""Customers answering surveys: public link, personal invitation, widget, unsubscribe."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from outsidein.analytics.models import DailyRollup
from outsidein.voice import distribution, services
from outsidein.voice.models import Feedback, Invitation, Question, Survey
from tests.conftest import Tenant
from tests.factories import CustomerFactory, TeamFactory
from tests.voice.conftest import form_token

pytestmark = pytest.mark.django_db


def test_public_link_records_an_answer_and_counts_it(
    survey: Survey, public_url: str, answer: Any
) -> None:
    response = answer(public_url, {"nps": "4", "reason": "De factuur klopte niet."})
    assert response.status_code == 200
    assert b"Thank you" in response.content or b"Bedankt" in response.content
    feedback = Feedback.objects.get()
    assert (feedback.nps, feedback.channel, feedback.kind) == (4, "link", "response")
    assert feedback.comment == "De factuur klopte niet."
    assert feedback.team == survey.team
    assert DailyRollup.objects.get().detractors == 1


def test_missing_required_answer_is_named_and_nothing_is_stored(
    public_url: str, answer: Any
) -> None:
    response = answer(public_url, {"reason": "no score"})
    assert response.status_code == 200
    assert b'id="err-nps"' in response.content
    assert b"no score" in response.content  # what was typed is kept
    assert not Feedback.objects.exists()


def test_out_of_range_score_is_refused(public_url: str, answer: Any) -> None:
    for bad in ("11", "ten"):
        assert b'id="err-nps"' in answer(public_url, {"nps": bad}).content
    assert not Feedback.objects.exists()


def test_honeypot_catches_bots(public_url: str, answer: Any) -> None:
    response = answer(public_url, {"nps": "10", "website": "http://spam.example"})
    assert response.status_code == 200
    assert not Feedback.objects.exists()


def test_a_forged_form_token_is_refused(client: Client, public_url: str) -> None:
    response = client.post(public_url, {"form_token": "x", "nps": "9"})
    assert response.status_code == 400
    assert not Feedback.objects.exists()


def test_public_submissions_are_rate_limited(settings: Any, public_url: str, answer: Any) -> None:
    settings.PUBLIC_RATE_LIMIT = 2
    assert answer(public_url, {"nps": "9"}).status_code == 200
    assert answer(public_url, {"nps": "9"}).status_code == 200
    assert answer(public_url, {"nps": "9"}).status_code == 429
    assert Feedback.objects.count() == 2


def test_partial_answers_are_kept_and_completed(client: Client, public_url: str) -> None:
    token = form_token(client.get(public_url).content)
    assert (
        client.post(public_url, {"form_token": token, "nps": "3", "partial": "1"}).status_code
        == 204
    )
    partial = Feedback.objects.get()
    assert not partial.is_complete and partial.nps == 3
    done = client.post(public_url, {"form_token": token, "nps": "5", "reason": "Te duur"})
    assert done.status_code == 200
    feedback = Feedback.objects.get()
    assert feedback.pk == partial.pk and feedback.is_complete and feedback.nps == 5
    assert DailyRollup.objects.get().detractors == 1


def test_completing_a_partial_answer_reads_it_again_instead_of_trusting_the_callers_copy(
    survey: Survey,
) -> None:
    """A submission retried after a lost connection gets back the object its first attempt
    changed in memory (complete, new scores) while the database rolled it back: the partial row
    is read again, so it is completed once, not stored a second time beside it."""
    partial = services.submit_response(
        survey, data={"nps": "3"}, channel="link", language="nl", partial=True
    )
    stale = Feedback.objects.get(pk=partial.pk)
    stale.is_complete, stale.nps = True, 5  # what a rolled-back attempt leaves in memory
    done = services.submit_response(
        survey, data={"nps": "5"}, channel="link", language="nl", previous=stale
    )
    assert done.pk == partial.pk
    assert list(Feedback.objects.values_list("pk", "is_complete", "nps")) == [(partial.pk, True, 5)]
    rollup = DailyRollup.objects.get()
    assert (rollup.items, rollup.nps_n, rollup.detractors) == (1, 1, 1)  # counted once


def test_follow_up_answer_is_dropped_when_its_condition_fails(tenant: Tenant, answer: Any) -> None:
    survey = services.create_survey(
        tenant.organisation, name="CSAT", template="csat", allow_anonymous=True
    )
    services.open_survey(survey)
    answer(f"/r/{survey.public_key}/", {"csat": "5", "reason": "should be ignored"})
    assert Feedback.objects.get().answers == {"csat": 5}


def test_closed_survey_says_so(survey: Survey, client: Client, public_url: str) -> None:
    services.close_survey(survey)
    assert client.get(public_url).status_code == 410


def test_survey_without_public_link_is_not_found(survey: Survey, client: Client) -> None:
    services.update_survey(survey, allow_anonymous=False)
    assert client.get(f"/r/{survey.public_key}/").status_code == 404


def test_widget_may_be_framed_by_allowed_origins_only(survey: Survey, client: Client) -> None:
    response = client.get(f"/r/{survey.public_key}/embed/")
    assert response.status_code == 200
    assert "frame-ancestors https://www.acme.example" in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response
    staff_page = client.get("/login/")
    assert staff_page["X-Frame-Options"] == "DENY"


def test_language_follows_the_request(survey: Survey, client: Client) -> None:
    english = client.get(f"/r/{survey.public_key}/?lang=en")
    assert b"How likely are you to recommend us" in english.content
    dutch = client.get(f"/r/{survey.public_key}/?lang=nl")
    assert b"Hoe waarschijnlijk" in dutch.content


# --- personal invitations -------------------------------------------------------------------


def _invite(survey: Survey, **customer: Any) -> Invitation:
    person = CustomerFactory(organisation=survey.organisation, **customer)
    plan = distribution.invite(survey, [person])
    return plan.invited[0]


def test_invitation_link_answers_once_in_the_customers_language(
    survey: Survey, client: Client
) -> None:
    invitation = _invite(survey, language="en")
    url = f"/r/i/{distribution.invitation_token(invitation)}/"
    page = client.get(url)
    assert b"How likely are you to recommend us" in page.content
    token = form_token(page.content)
    assert client.post(url, {"form_token": token, "nps": "10"}).status_code == 200
    feedback = Feedback.objects.get()
    assert feedback.customer == invitation.customer and feedback.channel == "email"
    invitation.refresh_from_db()
    assert invitation.status == "responded" and invitation.opened_at is not None
    again = client.get(url)
    assert b"already answered" in again.content
    replay = client.post(url, {"form_token": token, "nps": "0"})
    assert b"already answered" in replay.content
    assert Feedback.objects.get().nps == 10


def test_expired_or_forged_invitation_shows_a_friendly_page(survey: Survey, client: Client) -> None:
    invitation = _invite(survey)
    token = distribution.invitation_token(invitation)
    assert client.get(f"/r/i/{token[:-3]}abc/").status_code == 404
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(1))
    expired = client.get(f"/r/i/{token}/")
    assert expired.status_code == 404
    assert b"no longer works" in expired.content


def test_invitations_respect_consent_email_and_the_contact_frequency(
    survey: Survey, tenant: Tenant
) -> None:
    consenting = CustomerFactory(organisation=tenant.organisation)
    refused = CustomerFactory(organisation=tenant.organisation, consent_surveys=False)
    no_email = CustomerFactory(organisation=tenant.organisation, email="")
    plan = distribution.invite(survey, [consenting, refused, no_email])
    assert [i.customer for i in plan.invited] == [consenting]
    assert plan.skipped == {"no_consent": 1, "no_email": 1}
    other = services.open_survey(services.create_survey(tenant.organisation, name="Other"))
    Invitation.objects.update(sent_at=timezone.now(), status="sent")
    again = distribution.invite(other, [consenting])
    assert again.skipped == {"recently_invited": 1}
    Invitation.objects.update(sent_at=timezone.now() - timedelta(days=31))
    assert len(distribution.invite(other, [consenting]).invited) == 1
    assert distribution.invite(survey, [consenting]).skipped == {"already_invited": 1}


def test_invitation_email_over_smtp_with_working_unsubscribe(
    survey: Survey, smtp_inbox: Any, client: Client
) -> None:
    invitation = _invite(survey, language="nl", name="Joris Visser")
    assert distribution.send_pending(survey, base_url="http://testserver") == 1
    message = smtp_inbox.messages[0]
    assert message["To"] == invitation.customer.email
    header = " ".join(message["List-Unsubscribe"].split())
    assert header.startswith("<http://testserver/r/u/")
    body = message.get_payload(0).get_payload(decode=True).decode()
    assert "Joris Visser" in body and "/r/i/" in body
    unsubscribe_url = header.strip("<>").replace("http://testserver", "")
    assert client.get(unsubscribe_url).status_code == 200
    assert client.post(unsubscribe_url).status_code == 200
    invitation.customer.refresh_from_db()
    assert invitation.customer.consent_surveys is False


def test_one_reminder_after_some_days_if_unanswered(
    survey: Survey, smtp_inbox: Any, settings: Any
) -> None:
    answered = _invite(survey)
    waiting = _invite(survey)
    distribution.send_pending(survey, base_url="http://testserver")
    Feedback.objects.create(
        organisation=survey.organisation,
        kind="response",
        channel="email",
        survey=survey,
        invitation=answered,
        language="nl",
        nps=9,
    )
    Invitation.objects.filter(pk=answered.pk).update(status="responded")
    later = timezone.now() + timedelta(days=settings.SURVEY_REMINDER_AFTER_DAYS + 1)
    assert distribution.send_reminders(base_url="http://testserver", now=later) == 1
    assert distribution.send_reminders(base_url="http://testserver", now=later) == 0
    waiting.refresh_from_db()
    assert waiting.status == "reminded"
    assert (
        "Reminder" in smtp_inbox.messages[-1]["Subject"]
        or "Herinnering" in smtp_inbox.messages[-1]["Subject"]
    )


# --- the per-process cache of public surveys: an edit is seen by the very next request ----------


def test_a_survey_closed_after_answers_refuses_the_next_one(
    survey: Survey, client: Client, public_url: str
) -> None:
    token = form_token(client.get(public_url).content)
    assert client.post(public_url, {"form_token": token, "nps": "9"}).status_code == 200
    services.close_survey(survey)
    assert client.post(public_url, {"form_token": token, "nps": "9"}).status_code == 410
    assert Feedback.objects.count() == 1


def test_a_changed_thank_you_text_shows_on_the_next_submission(
    survey: Survey, public_url: str, answer: Any
) -> None:
    assert b"Tot ziens" not in answer(public_url, {"nps": "9", "lang": "nl"}).content
    services.update_survey(survey, thanks_nl="Tot ziens en bedankt!")
    assert b"Tot ziens en bedankt!" in answer(public_url, {"nps": "9", "lang": "nl"}).content


def test_added_and_deleted_questions_count_from_the_next_submission(
    survey: Survey, client: Client, public_url: str, answer: Any
) -> None:
    assert answer(public_url, {"nps": "8"}).status_code == 200
    question = services.add_question(
        survey, key="effort", kind="ces", required=True, text_nl="Moeite?", text_en="Effort?"
    )
    refused = answer(public_url, {"nps": "8"})
    assert b'id="err-effort"' in refused.content  # the new required question is asked
    assert Feedback.objects.count() == 1
    answer(public_url, {"nps": "8", "effort": "2"})
    assert Feedback.objects.latest("pk").ces == 2
    services.delete_question(question)
    answer(public_url, {"nps": "7", "effort": "6"})
    assert Feedback.objects.latest("pk").ces is None


def test_a_survey_changed_by_another_process_is_seen_without_any_invalidation(
    survey: Survey, client: Client, public_url: str
) -> None:
    """The cache is per process; its version is read from the database on every request, so
    an edit made elsewhere (another server process, a plain UPDATE) counts at once."""
    token = form_token(client.get(public_url).content)
    assert client.post(public_url, {"form_token": token, "nps": "9"}).status_code == 200
    Survey.objects.filter(pk=survey.pk).update(
        allow_anonymous=False, updated_at=timezone.now() + timedelta(seconds=1)
    )
    assert client.post(public_url, {"form_token": token, "nps": "9"}).status_code == 404
    assert Feedback.objects.count() == 1


def test_deleting_the_owning_team_of_an_open_survey_keeps_submissions_working(
    tenant: Tenant, public_url: str, answer: Any, survey: Survey
) -> None:
    """Deleting the team nulls ``survey.team`` without touching ``updated_at``: the cached
    survey must not keep the deleted team (its submission would fail on the missing team)."""
    owners = TeamFactory(organisation=tenant.organisation, name="Owners", slug="owners")
    services.update_survey(survey, team=owners)
    assert answer(public_url, {"nps": "9"}).status_code == 200  # cached with its team
    assert Feedback.objects.get().team == owners
    owners.delete()
    response = answer(public_url, {"nps": "3"})
    assert response.status_code == 200
    latest = Feedback.objects.latest("pk")
    assert (latest.nps, latest.team) == (3, None)


def test_an_older_question_changed_without_a_newer_timestamp_is_seen(
    survey: Survey, client: Client, public_url: str
) -> None:
    """An edit of a question that is not the newest one, written with ``update()`` and a
    timestamp that does not move the latest one (a clock that stepped back), counts at once."""
    questions = list(survey.questions.order_by("updated_at", "pk"))
    assert len(questions) >= 2
    older = questions[0]
    assert b"Would you recommend Acme?" not in client.get(f"{public_url}?lang=en").content
    Question.objects.filter(pk=older.pk).update(
        text_en="Would you recommend Acme?", updated_at=older.updated_at - timedelta(hours=1)
    )
    assert b"Would you recommend Acme?" in client.get(f"{public_url}?lang=en").content
