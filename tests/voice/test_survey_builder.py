"""The survey builder: editing questions, reordering, jumps (branching), preview, copy and
the snippets; answers keep their meaning once given."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from outsidein.audit.models import AuditEntry
from outsidein.voice import flow, services
from outsidein.voice.models import Feedback, Question, Survey
from tests.conftest import Tenant
from tests.voice.conftest import form_token

pytestmark = pytest.mark.django_db

CHOICES = [
    {"value": "c1", "nl": "Prijs", "en": "Price"},
    {"value": "c2", "nl": "Service", "en": "Service"},
]


def branching_survey(tenant: Tenant, **extra: Any) -> Survey:
    """1 nps (required; 0–6 jumps to "why", 9–10 ends) · 2 topic (choice; "Prijs" jumps to
    "why") · 3 extra (text) · 4 why (text)."""
    survey = services.create_survey(
        tenant.organisation,
        name="Vertakt",
        template="blank",
        allow_anonymous=True,
        team=tenant.manager.team,
        **extra,
    )
    services.add_question(
        survey, key="nps", kind="nps", text_nl="Aanbevelen?", text_en="Recommend?", required=True
    )
    services.add_question(
        survey, key="topic", kind="single", text_nl="Onderwerp?", text_en="Topic?", choices=CHOICES
    )
    services.add_question(survey, key="extra", kind="text", text_nl="Nog iets?", required=True)
    why = services.add_question(survey, key="why", kind="text", text_nl="Waarom?", text_en="Why?")
    nps = survey.questions.get(key="nps")
    services.update_question(
        nps, branches=[{"min": 0, "max": 6, "goto": "why"}, {"min": 9, "max": 10, "goto": "end"}]
    )
    services.update_question(
        survey.questions.get(key="topic"), branches=[{"choice": "c1", "goto": why.key}]
    )
    return services.open_survey(survey)


# --- the route and its checks (pure) ------------------------------------------------------------


def test_route_follows_jumps_and_ends(tenant: Tenant) -> None:
    questions = list(branching_survey(tenant).questions.all())
    assert flow.route(questions, {"nps": 3}) == ["nps", "why"]
    assert flow.route(questions, {"nps": 10}) == ["nps"]
    assert flow.route(questions, {"nps": 7}) == ["nps", "topic", "extra", "why"]
    assert flow.route(questions, {"nps": 8, "topic": "c1"}) == ["nps", "topic", "why"]
    assert flow.route(questions, {}) == ["nps", "topic", "extra", "why"]


def test_a_backward_jump_is_refused_as_a_loop_naming_the_question(tenant: Tenant) -> None:
    survey = branching_survey(tenant)
    why = survey.questions.get(key="why")
    services.update_question(why, kind="single", choices=CHOICES)
    why.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        services.update_question(why, branches=[{"choice": "c1", "goto": "topic"}])
    message = " ".join(caught.value.messages)
    assert message.startswith("Question 4 “Why?” jumps back to question 2 “Topic?”")
    assert "loop" in message
    assert survey.questions.get(key="why").branches == []


def test_a_question_that_becomes_unreachable_is_named(tenant: Tenant) -> None:
    survey = branching_survey(tenant)
    nps = survey.questions.get(key="nps")
    # Every score jumps: 0–6 to "why", 7–10 to the end; nps is required, so 2 and 3 are lost.
    with pytest.raises(ValidationError) as caught:
        services.update_question(
            nps,
            branches=[{"min": 0, "max": 6, "goto": "why"}, {"min": 7, "max": 10, "goto": "end"}],
        )
    message = " ".join(caught.value.messages)
    assert "Question 2 “Topic?” can never be reached" in message
    assert "question 1 “Recommend?”" in message
    # Optional, the unanswered customer goes on to question 2: then it is allowed.
    services.update_question(nps, required=False)
    services.update_question(
        survey.questions.get(key="nps"),
        branches=[{"min": 0, "max": 6, "goto": "why"}, {"min": 7, "max": 10, "goto": "end"}],
    )


def test_jump_targets_and_conditions_are_checked(tenant: Tenant) -> None:
    survey = branching_survey(tenant)
    topic = survey.questions.get(key="topic")
    for branches, words in [
        ([{"choice": "c9", "goto": "why"}], "choice"),
        ([{"choice": "c1", "goto": "nope"}], "nope"),
    ]:
        with pytest.raises(ValidationError) as caught:
            services.update_question(topic, branches=branches)
        assert words in " ".join(caught.value.messages)
    with pytest.raises(ValidationError):
        services.update_question(
            survey.questions.get(key="nps"), branches=[{"min": 5, "max": 12, "goto": "why"}]
        )
    with pytest.raises(ValidationError):
        services.update_question(
            survey.questions.get(key="extra"), branches=[{"min": 1, "goto": "why"}]
        )


def test_deleting_a_jump_target_is_refused(tenant: Tenant) -> None:
    survey = branching_survey(tenant)
    with pytest.raises(ValidationError) as caught:
        services.delete_question(survey.questions.get(key="why"))
    assert "why" in " ".join(caught.value.messages)
    assert survey.questions.filter(key="why").exists()


# --- the public page and the API enforce the route -----------------------------------------------


def test_public_page_takes_the_jump_and_ignores_skipped_answers(tenant: Tenant) -> None:
    survey = branching_survey(tenant)
    client = Client()
    url = f"/r/{survey.public_key}/"
    page = client.get(url)
    assert b'id="survey-flow"' in page.content
    token = form_token(page.content)
    # A detractor jumps to "why": "extra" is required but skipped, its answer ignored.
    response = client.post(
        url, {"form_token": token, "nps": "3", "topic": "c2", "extra": "skip me", "why": "Duur"}
    )
    assert response.status_code == 200 and b"err-" not in response.content
    feedback = Feedback.objects.get()
    assert feedback.answers == {"nps": 3, "why": "Duur"}
    # A passive goes the whole way: the required "extra" must be answered.
    again = Client()
    page = again.get(url)
    missing = again.post(url, {"form_token": form_token(page.content), "nps": "7"})
    assert b'id="err-extra"' in missing.content
    # The form shows the questions off the route hidden (here after a 10: all but the first).
    page = again.get(url)
    broken = again.post(url, {"form_token": form_token(page.content), "nps": "10", "why": "x"})
    assert b"Thank you" in broken.content or b"Bedankt" in broken.content
    assert Feedback.objects.filter(is_complete=True).count() == 2
    assert Feedback.objects.order_by("-pk").first().answers == {"nps": 10}  # type: ignore[union-attr]


def test_a_hidden_question_starts_hidden_when_the_page_is_shown_again(tenant: Tenant) -> None:
    survey = branching_survey(tenant)
    client = Client()
    url = f"/r/{survey.public_key}/"
    page = client.get(url)
    # Missing "why" is not required; an invalid topic with nps 3 is skipped, so no error.
    response = client.post(url, {"form_token": form_token(page.content), "topic": "c1"})
    content = response.content.decode()
    assert 'id="err-nps"' in content
    assert 'q-text is-hidden" id="q-extra"' in content  # "Prijs" jumps past "extra"


def test_api_response_follows_the_route(tenant: Tenant) -> None:
    survey = branching_survey(tenant)
    client = Client()
    headers = tenant.api_headers(tenant.admin)
    url = f"/api/v1/surveys/{survey.pk}/responses"

    def post(answers: dict[str, Any]) -> Any:
        return client.post(
            url,
            json.dumps({"answers": answers}),
            content_type="application/json",
            headers=headers,
        )

    ok = post({"nps": 2, "topic": "c1", "extra": "ignored", "why": "Te duur"})
    assert ok.status_code == 201, ok.content
    assert ok.json()["comment"] == "Te duur"
    assert Feedback.objects.get().answers == {"nps": 2, "why": "Te duur"}
    missing = post({"nps": 7, "topic": "c2"})
    assert missing.status_code == 422
    assert "extra" in json.dumps(missing.json())
    detail = client.get(f"/api/v1/surveys/{survey.pk}", headers=headers).json()
    nps = next(q for q in detail["questions"] if q["key"] == "nps")
    assert nps["branches"][1] == {"min": 9, "max": 10, "goto": "end"}


# --- editing -------------------------------------------------------------------------------------


def test_manager_edits_a_question_in_both_languages(tenant: Tenant) -> None:
    survey = branching_survey(tenant)
    client = tenant.client_for(tenant.manager)
    question = survey.questions.get(key="topic")
    url = f"/surveys/{survey.pk}/questions/{question.pk}/edit/"
    page = client.get(url)
    assert page.status_code == 200 and b"Onderwerp?" in page.content
    response = client.post(
        url,
        {
            "kind": "single",
            "text_nl": "Waarover gaat het?",
            "text_en": "What is it about?",
            "required": "on",
            "choice_c1_nl": "Prijs",
            "choice_c1_en": "Price",
            "choice_c2_nl": "Dienst",
            "choice_c2_en": "Service",
            "new_choices": "Levering | Delivery",
            "jump_0_choice": "c2",
            "jump_0_goto": "why",
        },
    )
    assert response.status_code == 302, response.content.decode().split("<main")[-1][:3000]
    question.refresh_from_db()
    assert (question.text_nl, question.text_en, question.required) == (
        "Waarover gaat het?",
        "What is it about?",
        True,
    )
    assert [c["nl"] for c in question.choices] == ["Prijs", "Dienst", "Levering"]
    assert question.branches == [{"choice": "c2", "goto": "why"}]
    nps = survey.questions.get(key="nps")
    labels = client.post(
        f"/surveys/{survey.pk}/questions/{nps.pk}/edit/",
        {
            "kind": "nps",
            "text_nl": "Aanbevelen?",
            "required": "on",
            "low_nl": "Nooit",
            "low_en": "Never",
            "high_nl": "Zeker",
            "high_en": "Certainly",
            "jump_0_min": "0",
            "jump_0_max": "6",
            "jump_0_goto": "why",
        },
    )
    assert labels.status_code == 302
    english = Client().get(f"/r/{survey.public_key}/?lang=en").content.decode()
    assert "Never" in english and "Certainly" in english and "What is it about?" in english


def test_edit_errors_name_the_question_and_save_nothing(tenant: Tenant) -> None:
    survey = branching_survey(tenant)
    client = tenant.client_for(tenant.manager)
    extra = survey.questions.get(key="extra")
    nps = survey.questions.get(key="nps")
    response = client.post(
        f"/surveys/{survey.pk}/questions/{nps.pk}/edit/",
        {
            "kind": "nps",
            "text_nl": "Aanbevelen?",
            "required": "on",
            "jump_0_min": "0",
            "jump_0_max": "10",
            "jump_0_goto": "why",
        },
    )
    assert response.status_code == 422
    assert 'data-testid="form-error"' in response.content.decode()
    assert extra.text_nl in response.content.decode()  # "question 2 … can never be reached"
    nps.refresh_from_db()
    assert nps.branches[0]["max"] == 6


def test_roles_tenants_and_csrf_guard_the_builder(tenant: Tenant, other_tenant: Tenant) -> None:
    survey = branching_survey(tenant)
    question = survey.questions.get(key="topic")
    edit = f"/surveys/{survey.pk}/questions/{question.pk}/edit/"
    employee = tenant.client_for(tenant.employee)
    assert employee.get(edit).status_code == 403
    assert employee.post(f"/surveys/{survey.pk}/copy/").status_code == 403
    assert employee.post(f"/surveys/{survey.pk}/questions/{question.pk}/move/").status_code == 403
    stranger = other_tenant.client_for(other_tenant.admin)
    assert stranger.get(edit).status_code == 404
    assert stranger.get(f"/surveys/{survey.pk}/preview/").status_code == 404
    assert stranger.post(f"/surveys/{survey.pk}/copy/").status_code == 404
    ids = ",".join(str(pk) for pk in survey.questions.values_list("pk", flat=True))
    assert (
        stranger.post(f"/surveys/{survey.pk}/questions/order/", {"order": ids}).status_code == 404
    )
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(tenant.manager.user)
    assert strict.post(edit, {"text_nl": "x", "kind": "single"}).status_code == 403
    assert Question.objects.get(pk=question.pk).text_nl == "Onderwerp?"


def test_answered_questions_keep_their_meaning(tenant: Tenant) -> None:
    survey = branching_survey(tenant)
    services.submit_response(
        survey, data={"nps": 8, "topic": "c2", "extra": "ok"}, channel="api", language="nl"
    )
    topic = survey.questions.get(key="topic")
    with pytest.raises(ValidationError) as caught:
        services.update_question(topic, kind="multiple")
    assert "kind" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.update_question(topic, choices=[CHOICES[0]])
    assert "Service" in caught.value.message_dict["choices"][0]
    # Wording, new choices and jumps may change; the old wording stays in the audit log.
    services.update_question(
        topic,
        text_nl="Waar ging het over?",
        choices=[*CHOICES, {"value": "c3", "nl": "Levering", "en": "Delivery"}],
    )
    entry = AuditEntry.objects.filter(object_type="voice.question").latest("pk")
    assert "Onderwerp?" in json.dumps(entry.changes)
    # The edit page says so and offers no kind change nor removing a choice.
    client = tenant.client_for(tenant.manager)
    page = client.get(f"/surveys/{survey.pk}/questions/{topic.pk}/edit/").content.decode()
    assert 'data-testid="answered-note"' in page
    assert 'name="kind"' in page and "disabled" in page.split('name="kind"')[1][:200]
    # A question without answers ("why") may still change kind.
    services.update_question(survey.questions.get(key="why"), kind="single", choices=CHOICES)


# --- order, preview, copy, snippets ---------------------------------------------------------------


def test_reorder_by_buttons_and_by_drag_checks_the_jumps(tenant: Tenant) -> None:
    survey = branching_survey(tenant)
    client = tenant.client_for(tenant.manager)
    extra = survey.questions.get(key="extra")
    moved = client.post(
        f"/surveys/{survey.pk}/questions/{extra.pk}/move/", {"direction": "up"}, follow=True
    )
    assert moved.status_code == 200
    assert list(survey.questions.values_list("key", flat=True)) == ["nps", "extra", "topic", "why"]
    # Moving "why" above "topic" would turn topic's jump backwards: refused, named, unchanged.
    why = survey.questions.get(key="why")
    refused = client.post(
        f"/surveys/{survey.pk}/questions/{why.pk}/move/", {"direction": "up"}, follow=True
    )
    assert "Topic?" in refused.content.decode()
    assert list(survey.questions.values_list("key", flat=True)) == ["nps", "extra", "topic", "why"]
    by_key = dict(survey.questions.values_list("key", "pk"))
    order = [by_key[k] for k in ("nps", "topic", "extra", "why")]
    dragged = client.post(
        f"/surveys/{survey.pk}/questions/order/", {"order": ",".join(map(str, order))}
    )
    assert dragged.status_code == 200, dragged.content
    assert list(survey.questions.values_list("key", flat=True)) == ["nps", "topic", "extra", "why"]
    incomplete = client.post(
        f"/surveys/{survey.pk}/questions/order/", {"order": ",".join(map(str, order[:3]))}
    )
    assert incomplete.status_code == 422 and "every question" in incomplete.json()["detail"]
    loop = client.post(
        f"/surveys/{survey.pk}/questions/order/",
        {"order": ",".join(map(str, [order[3], order[0], order[1], order[2]]))},
    )
    assert loop.status_code == 422 and "Recommend?" in loop.json()["detail"]
    assert list(survey.questions.values_list("key", flat=True)) == ["nps", "topic", "extra", "why"]


def test_preview_in_both_languages_stores_nothing(tenant: Tenant) -> None:
    survey = branching_survey(tenant)
    services.close_survey(survey)  # a preview works whatever the status
    client = tenant.client_for(tenant.employee)
    dutch = client.get(f"/surveys/{survey.pk}/preview/?lang=nl").content.decode()
    english = client.get(f"/surveys/{survey.pk}/preview/?lang=en").content.decode()
    assert "Aanbevelen?" in dutch and 'data-testid="preview-bar"' in dutch
    assert "Recommend?" in english and "Aanbevelen?" not in english
    errors = client.post(f"/surveys/{survey.pk}/preview/?lang=en", {"nps": "7"})
    assert 'id="err-extra"' in errors.content.decode()
    done = client.post(
        f"/surveys/{survey.pk}/preview/?lang=en", {"nps": "2", "extra": "no", "why": "Slow"}
    )
    text = done.content.decode()
    assert 'data-testid="preview-answers"' in text and "Slow" in text and ">no<" not in text
    assert client.post(f"/surveys/{survey.pk}/preview/", {"partial": "1"}).status_code == 204
    assert not Feedback.objects.exists()


def test_copy_keeps_questions_jumps_and_settings_not_responses(tenant: Tenant) -> None:
    survey = branching_survey(tenant, intro_nl="Welkom", allowed_origins="https://a.example")
    services.submit_response(survey, data={"nps": 10}, channel="api", language="nl")
    client = tenant.client_for(tenant.manager)
    response = client.post(f"/surveys/{survey.pk}/copy/")
    copy = Survey.objects.exclude(pk=survey.pk).get()
    assert response.status_code == 302 and response["Location"] == f"/surveys/{copy.pk}/"
    assert copy.status == "draft" and copy.public_key != survey.public_key
    assert (copy.intro_nl, copy.allowed_origins, copy.team) == (
        "Welkom",
        "https://a.example",
        survey.team,
    )
    fields = ("key", "kind", "text_nl", "text_en", "choices", "required", "branches", "position")
    assert list(copy.questions.values_list(*fields)) == list(survey.questions.values_list(*fields))
    assert not Feedback.objects.filter(survey=copy).exists()
    assert survey.name in copy.name


def test_builder_page_shows_jumps_moves_and_whole_snippets(tenant: Tenant) -> None:
    survey = branching_survey(tenant)
    page = tenant.client_for(tenant.manager).get(f"/surveys/{survey.pk}/").content.decode()
    assert page.count('data-testid="jump"') == 3
    assert page.count('name="direction"') == 8
    assert 'data-snippet-copy="widget-snippet"' in page and 'data-fallback="' in page
    snippet = page.split('data-testid="widget-snippet">')[1].split("</pre>")[0]
    assert survey.public_key in snippet and "async&gt;&lt;/script&gt;" in snippet
    assert f"/surveys/{survey.pk}/preview/?lang=en" in page
    employee = tenant.client_for(tenant.employee).get(f"/surveys/{survey.pk}/").content.decode()
    assert 'name="direction"' not in employee and "/preview/" in employee
