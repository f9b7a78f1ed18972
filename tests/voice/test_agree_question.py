"""The 7-point agreement question (used by the mirror survey): parsed 1–7, rendered with its
labels at both ends, answered on the public page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from outsidein.voice import services
from outsidein.voice.models import Feedback, QuestionKind, Survey
from tests.conftest import Tenant
from tests.voice.conftest import form_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def agree_survey(tenant: Tenant) -> Survey:
    survey = services.create_survey(
        tenant.organisation, template="blank", name="Spiegel", allow_anonymous=True
    )
    services.add_question(
        survey, key="keeps", kind=QuestionKind.AGREE, text_nl="Acme doet wat ze belooft."
    )
    return services.open_survey(survey)


def test_agree_answers_are_whole_numbers_from_1_to_7(agree_survey: Survey) -> None:
    questions = list(agree_survey.questions.all())
    assert questions[0].scale == (1, 7)
    assert services.parse_answers(questions, {"keeps": "7"}).answers == {"keeps": 7}
    for bad in ("0", "8", "x"):
        assert "keeps" in services.parse_answers(questions, {"keeps": bad}).errors
    scores = services.scores_from_answers(questions, {"keeps": 5})
    assert scores == {"comment": ""}  # no headline score column: answers only


def test_public_page_renders_and_records_the_scale(agree_survey: Survey, client: Client) -> None:
    url = f"/r/{agree_survey.public_key}/"
    page = client.get(url, headers={"accept-language": "en"})
    content = page.content.decode()
    assert content.count('name="keeps"') == 7 and "scale-7" in content
    assert "Strongly disagree" in content and "Strongly agree" in content
    data: dict[str, Any] = {"form_token": form_token(page.content), "keeps": "6"}
    assert client.post(url, data).status_code == 200
    assert Feedback.objects.get().answers == {"keeps": 6}
