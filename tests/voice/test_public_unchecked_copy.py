"""On PostgreSQL a customer's POST uses this process's copy of the public survey without reading
its version first: the write checks the version itself (``voice.public._UNCHANGED_SQL``, a
condition of the statement that stores the answer). A survey changed by anyone in between
writes nothing from the old copy: the request is answered again from a fresh one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from outsidein.analytics import rollups
from outsidein.analytics.models import DailyRollup
from outsidein.voice import public, services
from outsidein.voice.models import Feedback, Question, Survey, SurveyStatus
from tests.voice.conftest import form_token

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PostgreSQL only: SQLite reads the version"
    ),
]

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(params=["one statement", "transaction"])
def tasks(request: Any, settings: Any) -> str:
    """Both write paths: the one statement (database queue) and the usual transaction."""
    settings.TASKS = DATABASE_TASKS if request.param == "one statement" else IMMEDIATE_TASKS
    return str(request.param)


def _stamp_later(survey: Survey) -> Any:
    return timezone.now() + timedelta(seconds=1)


def test_a_submission_with_a_warm_copy_sends_only_its_write(
    settings: Any, survey: Survey, client: Client, public_url: str
) -> None:
    settings.TASKS = DATABASE_TASKS
    token = form_token(client.get(public_url).content)  # the copy is now in this process
    with CaptureQueriesContext(connection) as captured:
        response = client.post(public_url, {"form_token": token, "nps": "9"})
    assert response.status_code == 200
    sent = [query["sql"] for query in captured.captured_queries]
    assert len(sent) == 1, sent
    assert sent[0].startswith("WITH f AS (INSERT INTO") and "voice_survey" in sent[0]
    stored = Feedback.objects.get()
    assert DBTaskResult.objects.get().args_kwargs["kwargs"]["feedback_id"] == stored.pk


def test_a_question_added_elsewhere_is_asked_before_anything_is_stored(
    tasks: str, survey: Survey, client: Client, public_url: str
) -> None:
    token = form_token(client.get(public_url).content)
    # Another process adds a required question: this process's copy does not know it.
    services.add_question(
        survey, key="effort", kind="ces", required=True, text_nl="Moeite?", text_en="Effort?"
    )
    refused = client.post(public_url, {"form_token": token, "nps": "8"})
    assert refused.status_code == 200
    assert b'id="err-effort"' in refused.content
    assert not Feedback.objects.exists()
    assert not DailyRollup.objects.exists()
    assert not DBTaskResult.objects.exists()
    accepted = client.post(public_url, {"form_token": token, "nps": "8", "effort": "2"})
    assert accepted.status_code == 200
    assert list(Feedback.objects.values_list("nps", "ces")) == [(8, 2)]
    daily = rollups.snapshot(survey.organisation_id)
    rollups.rebuild(survey.organisation_id)
    assert rollups.snapshot(survey.organisation_id) == daily


def test_an_older_question_changed_by_a_plain_update_is_seen_by_the_write(
    tasks: str, survey: Survey, client: Client, public_url: str
) -> None:
    """Not the newest question, its timestamp moved back (a clock that stepped back): the
    version compares every question's id and timestamp, not the latest one."""
    token = form_token(client.get(public_url).content)
    older = survey.questions.order_by("pk").first()
    assert older is not None and older.key == "nps"
    Question.objects.filter(pk=older.pk).update(
        kind="csat", updated_at=older.updated_at - timedelta(hours=1)
    )
    refused = client.post(public_url, {"form_token": token, "nps": "9"})
    assert b'id="err-nps"' in refused.content  # 9 is out of the new scale (1 to 5)
    assert not Feedback.objects.exists()


def test_a_survey_closed_elsewhere_stores_nothing_from_the_old_copy(
    tasks: str, survey: Survey, client: Client, public_url: str
) -> None:
    token = form_token(client.get(public_url).content)
    Survey.objects.filter(pk=survey.pk).update(
        status=SurveyStatus.CLOSED, updated_at=_stamp_later(survey)
    )
    assert client.post(public_url, {"form_token": token, "nps": "9"}).status_code == 410
    assert not Feedback.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_a_deleted_survey_answers_not_found_from_the_old_copy(
    tasks: str, survey: Survey, client: Client, public_url: str
) -> None:
    token = form_token(client.get(public_url).content)
    Survey.objects.filter(pk=survey.pk).delete()
    assert client.post(public_url, {"form_token": token, "nps": "9"}).status_code == 404
    assert not Feedback.objects.exists()


def test_a_renamed_organisation_changes_the_version(
    tasks: str, survey: Survey, client: Client, public_url: str
) -> None:
    client.get(public_url)
    cached = public._surveys[survey.public_key]
    type(survey.organisation).objects.filter(pk=survey.organisation_id).update(name="Acme 2")
    with pytest.raises(services.SurveyChanged):
        services.submit_response(
            cached.survey,
            data={"nps": "9"},
            channel="link",
            language="nl",
            questions=cached.questions,
            survey_unchanged=cached.unchanged,
        )
    assert not Feedback.objects.exists()
    assert not DailyRollup.objects.exists()


def test_an_error_from_an_unchecked_copy_is_given_from_a_checked_one(
    tasks: str, survey: Survey, client: Client, public_url: str
) -> None:
    """A required question removed elsewhere: the old copy would refuse the answer without it;
    the customer is answered from the survey as it is now, and the answer is stored."""
    services.add_question(survey, key="why", kind="text", required=True, text_nl="Waarom?")
    token = form_token(client.get(public_url).content)  # the copy asks "why"
    Question.objects.filter(survey=survey, key="why").delete()
    response = client.post(public_url, {"form_token": token, "nps": "6"})
    assert response.status_code == 200 and b"err-why" not in response.content
    assert list(Feedback.objects.values_list("nps", flat=True)) == [6]


def test_a_request_answered_again_counts_once_against_the_rate_limit(
    settings: Any, tasks: str, survey: Survey, client: Client, public_url: str
) -> None:
    settings.PUBLIC_RATE_LIMIT = 1
    token = form_token(client.get(public_url).content)
    Survey.objects.filter(pk=survey.pk).update(updated_at=_stamp_later(survey))
    assert client.post(public_url, {"form_token": token, "nps": "9"}).status_code == 200
    assert client.post(public_url, {"form_token": token, "nps": "9"}).status_code == 429
    assert Feedback.objects.count() == 1
