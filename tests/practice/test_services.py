"""The practice rules: routing by cause, follow-ups that open themselves, the closed loop with the
customer's answer, batched breach alerts, contacts and reminders, decisions and their evidence."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from outsidein.analytics.services import month_end
from outsidein.practice import reports, services
from outsidein.practice.models import (
    Case,
    CaseKind,
    CaseStatus,
    Contact,
    Decision,
    DecisionStatus,
    RootCause,
)
from outsidein.voice import services as voice
from outsidein.voice.models import Feedback, Survey
from tests.conftest import Tenant
from tests.factories import CustomerFactory, PersonFactory, TeamFactory


@pytest.fixture
def billing(tenant: Tenant) -> Any:
    return TeamFactory(organisation=tenant.organisation, name="Billing", slug="billing")


@pytest.fixture
def survey(tenant: Tenant) -> Survey:
    created = voice.create_survey(
        tenant.organisation, name="Relatie-NPS", team=tenant.manager.team, allow_anonymous=True
    )
    return voice.open_survey(created)


def complaint(tenant: Tenant, text: str = "Mijn factuur klopt niet", **extra: Any) -> Feedback:
    return voice.record_feedback(
        tenant.organisation, kind="complaint", channel="email", comment=text, **extra
    )[0]


# --- routing and automatic items -----------------------------------------------------------------


def test_a_complaint_goes_to_the_team_that_owns_its_cause_not_the_account_manager(
    tenant: Tenant, billing: Any
) -> None:
    services.create_rule(
        tenant.organisation, name="Billing", keywords="factuur, nota", team=billing
    )
    account_manager = PersonFactory(organisation=tenant.organisation, role="manager")
    customer = CustomerFactory(organisation=tenant.organisation, email="k@example.com")
    feedback = complaint(tenant, customer=customer)
    case = Case.objects.get(feedback=feedback)
    assert case.kind == CaseKind.COMPLAINT
    assert case.team == billing
    assert case.owner is None  # anyone may pick it up; nobody gets it by default
    assert case.owner != account_manager
    assert "Billing" in case.routing_reason
    assert case.customer == customer


def test_without_a_matching_rule_the_survey_owner_then_the_catch_all_team_gets_it(
    tenant: Tenant, billing: Any, survey: Survey
) -> None:
    services.create_rule(tenant.organisation, name="Billing", keywords="factuur", team=billing)
    response = voice.submit_response(
        survey, data={"nps": "3", "reason": "Niemand belde terug"}, channel="link", language="nl"
    )
    assert Case.objects.get(feedback=response).team == survey.team
    services.update_settings(tenant.organisation, default_team=billing)
    other = complaint(tenant, "De monteur kwam niet")
    assert Case.objects.get(feedback=other).team == billing


def test_a_keyword_matches_words_not_parts_of_words(tenant: Tenant, billing: Any) -> None:
    services.create_rule(tenant.organisation, name="App", keywords="app, factu*", team=billing)
    assert Case.objects.get(feedback=complaint(tenant, "De appel was rot")).team_id != billing.pk
    assert Case.objects.get(feedback=complaint(tenant, "De app hangt")).team_id == billing.pk
    assert Case.objects.get(feedback=complaint(tenant, "Twee facturen")).team_id == billing.pk


def test_a_detractor_opens_a_follow_up_due_in_48_hours(tenant: Tenant, survey: Survey) -> None:
    response = voice.submit_response(survey, data={"nps": "4"}, channel="link", language="nl")
    case = Case.objects.get(feedback=response)
    assert case.kind == CaseKind.FOLLOW_UP
    assert case.first_response_due - case.opened_at == timedelta(hours=48)
    assert "NPS 4" in case.subject


def test_happy_and_passive_scores_open_nothing(tenant: Tenant, survey: Survey) -> None:
    for score in ("7", "8", "10"):
        voice.submit_response(survey, data={"nps": score}, channel="link", language="nl")
    assert not Case.objects.exists()


def test_thresholds_are_configurable(tenant: Tenant, survey: Survey) -> None:
    services.update_settings(tenant.organisation, follow_up_nps_max=4, follow_up_hours=24)
    voice.submit_response(survey, data={"nps": "5"}, channel="link", language="nl")
    assert not Case.objects.exists()
    response = voice.submit_response(survey, data={"nps": "2"}, channel="link", language="nl")
    case = Case.objects.get(feedback=response)
    assert case.first_response_due - case.opened_at == timedelta(hours=24)


def test_settings_refuse_out_of_range_thresholds(tenant: Tenant) -> None:
    with pytest.raises(ValidationError) as error:
        services.update_settings(tenant.organisation, follow_up_nps_max=11)
    assert "follow_up_nps_max" in error.value.message_dict
    assert services.settings_for(tenant.organisation).follow_up_nps_max == 6


def test_a_partial_response_opens_its_follow_up_once_when_completed(
    tenant: Tenant, survey: Survey
) -> None:
    partial = voice.submit_response(
        survey, data={"nps": "2"}, channel="link", language="nl", partial=True
    )
    assert not Case.objects.exists()
    voice.submit_response(
        survey,
        data={"nps": "2", "reason": "Te duur"},
        channel="link",
        language="nl",
        previous=partial,
    )
    assert Case.objects.filter(feedback=partial).count() == 1


def test_imported_history_opens_no_items(tenant: Tenant, survey: Survey) -> None:
    rows = [
        voice.FeedbackRow(
            kind="response",
            channel="import",
            survey_id=survey.pk,
            nps=1,
            language="nl",
            submitted_at=timezone.now() - timedelta(days=300),
            external_id=f"old-{i}",
        )
        for i in range(3)
    ]
    voice.bulk_record(tenant.organisation, rows)
    assert Feedback.objects.count() == 3
    assert not Case.objects.exists()


def test_questions_get_the_service_target_of_their_channel(tenant: Tenant) -> None:
    services.create_target(
        tenant.organisation,
        channel="phone",
        priority="normal",
        first_response_hours=2,
        resolution_hours=8,
    )
    question = voice.record_feedback(
        tenant.organisation, kind="question", channel="phone", comment="Hoe lees ik mijn meter af?"
    )[0]
    case = Case.objects.get(feedback=question)
    assert case.kind == CaseKind.QUESTION
    assert case.first_response_due - case.opened_at == timedelta(hours=2)
    assert case.resolution_due - case.opened_at == timedelta(hours=8)


def test_a_target_that_resolves_before_it_responds_is_refused(tenant: Tenant) -> None:
    with pytest.raises(ValidationError) as error:
        services.create_target(
            tenant.organisation,
            channel="",
            priority="high",
            first_response_hours=10,
            resolution_hours=5,
        )
    assert "resolution_hours" in error.value.message_dict


# --- the closed loop -----------------------------------------------------------------------------


def test_closing_a_loop_needs_the_contact_the_learning_the_cause_and_the_verdict(
    tenant: Tenant,
) -> None:
    case = Case.objects.get(feedback=complaint(tenant))
    with pytest.raises(ValidationError) as error:
        services.close_case(case, tenant.employee)
    assert {"first_response", "learned", "root_cause", "loop"} <= set(error.value.message_dict)
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_the_outer_loop_becomes_a_proposal_citing_the_feedback(
    tenant: Tenant, billing: Any
) -> None:
    services.ensure_root_causes(tenant.organisation)
    cause = RootCause.objects.filter(organisation=tenant.organisation).first()
    feedback = complaint(tenant)
    case = Case.objects.get(feedback=feedback)
    services.pick_up(case, tenant.employee)
    services.respond(case, tenant.employee, "Gebeld en excuses gemaakt")
    services.close_case(
        case, tenant.employee, learned="Termijnbedrag fout berekend", root_cause=cause, loop="outer"
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.first_response_at is not None
    proposal = case.decision
    assert proposal is not None and proposal.status == DecisionStatus.PROPOSED
    assert [(e.kind, e.ref_id) for e in proposal.evidence.all()] == [("feedback", feedback.pk)]


def test_the_customer_is_asked_whether_it_is_solved_and_a_no_reopens(
    tenant: Tenant, smtp_inbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    services.ensure_root_causes(tenant.organisation)
    customer = CustomerFactory(organisation=tenant.organisation, email="klant@example.com")
    case = Case.objects.get(feedback=complaint(tenant, customer=customer))
    services.respond(case, tenant.employee, "Teruggebeld")
    with django_capture_on_commit_callbacks(execute=True):
        services.close_case(
            case,
            tenant.employee,
            learned="Nota onduidelijk",
            root_cause=RootCause.objects.first(),
            loop="inner",
        )
    assert len(smtp_inbox.messages) == 1
    assert smtp_inbox.messages[0]["To"] == "klant@example.com"
    links = re.findall(r"http://\S+/r/solved/\S+/(?:yes|no)/", smtp_inbox.body())
    assert len(links) == 2
    no_link = next(link for link in links if link.endswith("/no/"))
    path = "/" + no_link.split("://", 1)[1].split("/", 1)[1]
    customer_browser = Client(enforce_csrf_checks=True)
    page = customer_browser.get(path)  # a mail scanner opening the link changes nothing
    assert page.status_code == 200
    case.refresh_from_db()
    assert case.customer_says_solved is None
    assert customer_browser.post(path).status_code == 200  # the customer confirms
    case.refresh_from_db()
    assert case.customer_says_solved is False
    assert case.status == CaseStatus.OPEN  # reopened, with a fresh deadline
    assert case.resolution_due > timezone.now()
    # The link belonged to that closure: after the item is closed again it is void.
    services.close_case(
        case,
        tenant.employee,
        learned="Opnieuw",
        root_cause=RootCause.objects.first(),
        loop="inner",
        ask_customer=False,
    )
    assert customer_browser.post(path).status_code == 404
    forged = Client().get("/r/solved/forged-token/yes/")
    assert forged.status_code == 404


def test_breach_alerts_are_batched_per_manager_and_sent_once(tenant: Tenant) -> None:
    earlier = timezone.now() - timedelta(days=10)
    for text in ("Eén", "Twee", "Drie"):
        services.open_case(
            tenant.organisation,
            kind="question",
            subject=text,
            team=tenant.manager.team,
            opened_at=earlier,
        )
    sent = services.send_breach_alerts(tenant.organisation)
    assert sent == 1  # one manager of the team, one email for all three items
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [tenant.manager.email]
    for text in ("Eén", "Twee", "Drie"):
        assert text in mail.outbox[0].body
    assert services.send_breach_alerts(tenant.organisation) == 0


def test_the_clock_stops_while_waiting_for_the_customer(tenant: Tenant) -> None:
    start = timezone.now() - timedelta(days=10)
    case = services.open_case(
        tenant.organisation,
        kind="question",
        subject="Klopt mijn meterstand?",
        team=tenant.manager.team,
        opened_at=start,
    )
    deadline = case.resolution_due
    assert deadline is not None
    asked = start + timedelta(hours=1)
    services.respond(
        case, tenant.manager, "Stuur je een foto van de meter?", at=asked, waiting=True
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.WAITING and case.waiting_since == asked
    # Long past the deadline, but waiting: not overdue, not alerted, not in the breached view.
    assert not case.is_breached()
    assert case.due_at() is None
    assert services.send_breach_alerts(tenant.organisation) == 0
    totals, _loops, _teams = reports.queue_report(
        tenant.organisation.pk, start.date(), timezone.localdate()
    )
    assert totals.open == 1 and totals.open_breached == 0
    # A second "still waiting" reply does not restart the pause.
    services.respond(
        case, tenant.manager, "Herinnering", at=asked + timedelta(days=2), waiting=True
    )
    case.refresh_from_db()
    assert case.waiting_since == asked
    # The customer answered after three days: the deadline moves on by the three days.
    resumed = asked + timedelta(days=3)
    services.respond(case, tenant.manager, "Dank, ik kijk ernaar.", at=resumed)
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and case.waiting_since is None
    assert case.resolution_due == deadline + timedelta(days=3)
    assert case.is_breached()  # ten days on, even three days extra are not enough
    # A new priority moves the deadline by the difference of the targets; the pause stays.
    _first_before, old_resolve = services.target_hours(tenant.organisation.pk, "", "normal")
    _first_after, resolve = services.target_hours(tenant.organisation.pk, "", "low")
    services.change_case(case, by=tenant.manager, priority="low")
    case.refresh_from_db()
    assert case.resolution_due == deadline + timedelta(days=3, hours=resolve - old_resolve)


def test_a_deadline_moved_into_the_future_is_announced_again_when_it_passes(
    tenant: Tenant,
) -> None:
    now = timezone.now()
    case = services.open_case(
        tenant.organisation,
        kind="question",
        subject="Waar blijft mijn teruggave?",
        team=tenant.manager.team,
        opened_at=now - timedelta(days=30),
    )
    services.respond(case, tenant.manager, "We zoeken het uit.", at=now - timedelta(days=29))
    assert services.send_breach_alerts(tenant.organisation) == 1
    case.refresh_from_db()
    services.respond(
        case,
        tenant.manager,
        "Heb je het rekeningnummer?",
        waiting=True,
        at=now - timedelta(days=28),
    )
    services.respond(case, tenant.manager, "Dank je.", at=now)  # waited 28 days
    case.refresh_from_db()
    assert not case.is_breached() and case.breach_alerted_at is None


def test_anyone_may_pick_up_but_only_managers_assign(tenant: Tenant) -> None:
    from outsidein.practice.permissions import may_assign_case, may_work_case

    other_team = TeamFactory(organisation=tenant.organisation, name="IT", slug="it")
    case = services.open_case(tenant.organisation, kind="question", subject="?", team=other_team)
    assert not may_work_case(tenant.employee, case)
    services.pick_up(case, tenant.employee)
    assert may_work_case(tenant.employee, case)
    assert not may_assign_case(tenant.employee, case)
    assert may_assign_case(tenant.admin, case)


# --- contacts ------------------------------------------------------------------------------------


def test_a_contact_learning_can_go_to_the_inbox(tenant: Tenant) -> None:
    customer = CustomerFactory(organisation=tenant.organisation)
    contact = services.log_contact(
        tenant.employee,
        kind="visit",
        customer=customer,
        learned="Klant snapt de jaarnota niet",
        to_inbox=True,
    )
    assert contact.feedback is not None
    assert contact.feedback.kind == "note"
    assert contact.feedback.customer == customer
    assert contact.team == tenant.employee.team


def test_a_contact_in_the_future_or_of_an_unknown_kind_is_refused(tenant: Tenant) -> None:
    with pytest.raises(ValidationError) as error:
        services.log_contact(
            tenant.employee, kind="visit", happened_on=timezone.localdate() + timedelta(days=2)
        )
    assert "happened_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.log_contact(tenant.employee, kind="telepathy")
    assert "kind" in error.value.message_dict
    assert not Contact.objects.exists()


def test_coverage_shows_customer_facing_roles_apart(tenant: Tenant) -> None:
    facing = PersonFactory(
        organisation=tenant.organisation, team=tenant.employee.team, customer_facing=True
    )
    today = timezone.localdate()
    services.log_contact(facing, kind="call", happened_on=today)
    services.log_contact(tenant.employee, kind="event", happened_on=today - timedelta(days=70))
    report = reports.coverage_report(tenant.organisation.pk, today.replace(day=1), today)
    assert (report.organisation.covered, report.organisation.n) == (1, 4)
    assert report.customer_facing.pct == 100
    assert report.others.pct == 0


def test_coverage_counts_people_as_they_were_that_month(tenant: Tenant) -> None:
    from outsidein.core import services as core
    from outsidein.core.models import Person, PersonState

    today = timezone.localdate()
    two_months_ago = (today.replace(day=1) - timedelta(days=45)).replace(day=1)
    long_ago = timezone.now() - timedelta(days=200)
    billing = TeamFactory(organisation=tenant.organisation, name="Billing", slug="billing")
    mover = core.create_person(
        tenant.organisation, name="Mo", email="mo@example.com", team=tenant.employee.team
    )
    leaver = core.create_person(
        tenant.organisation, name="Lea", email="lea@example.com", team=billing
    )
    Person.objects.filter(pk__in=[mover.pk, leaver.pk]).update(created_at=long_ago)
    PersonState.objects.filter(person__in=[mover, leaver]).update(since=long_ago)
    mover.refresh_from_db()
    leaver.refresh_from_db()
    # Mo moved to Billing and Lea left, both last week.
    core.update_person(mover, team=billing)
    core.update_person(leaver, is_active=False)
    PersonState.objects.filter(since__gt=long_ago).update(since=timezone.now() - timedelta(days=7))

    def teams(start: date) -> dict[int | None, int]:
        report = reports.coverage_report(tenant.organisation.pk, start, month_end(start))
        return {team_id: figures.n for team_id, figures in report.by_team.items()}

    earlier = teams(two_months_ago)
    assert earlier[billing.pk] == 1  # Lea, still here then
    assert earlier[tenant.employee.team_id] == 1  # Mo; the others joined this month
    now = reports.coverage_report(tenant.organisation.pk, today.replace(day=1), today)
    assert now.by_team[billing.pk].n == 1  # Mo; Lea has left
    assert now.by_team[tenant.employee.team_id].n == 2


def test_the_monthly_reminder_goes_once_to_those_without_a_contact(tenant: Tenant) -> None:
    today = date(2026, 11, 16)
    services.log_contact(tenant.employee, kind="call", happened_on=date(2026, 11, 3))
    assert services.send_contact_reminders(tenant.organisation, date(2026, 11, 10)) == 0
    sent = services.send_contact_reminders(tenant.organisation, today)
    recipients = {message.to[0] for message in mail.outbox}
    assert sent == 2
    assert recipients == {tenant.admin.email, tenant.manager.email}
    assert services.send_contact_reminders(tenant.organisation, today) == 0


# --- decisions -----------------------------------------------------------------------------------


def test_a_taken_decision_needs_evidence_or_a_reason(tenant: Tenant) -> None:
    with pytest.raises(ValidationError) as error:
        services.create_decision(tenant.organisation, title="Nieuwe huisstijl", status="taken")
    assert "without_customer_input" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.create_decision(
            tenant.organisation,
            title="Nieuwe huisstijl",
            status="taken",
            without_customer_input=True,
        )
    assert "no_input_reason" in error.value.message_dict
    decision = services.create_decision(
        tenant.organisation,
        title="Nieuwe huisstijl",
        status="taken",
        without_customer_input=True,
        no_input_reason="Besluit van de directie",
    )
    assert decision.decided_on == timezone.localdate()
    assert Decision.objects.count() == 1


def test_evidence_must_exist_in_the_organisation(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = complaint(other_tenant)
    decision = services.create_decision(tenant.organisation, title="Chat langer open")
    for kind, ref_id in (("feedback", theirs.pk), ("feedback", 987654), ("rumour", 1)):
        with pytest.raises(ValidationError) as error:
            services.add_evidence(decision, kind=kind, ref_id=ref_id)
        assert "evidence" in error.value.message_dict
    assert not decision.evidence.exists()


def test_deleted_evidence_is_shown_as_removed_not_lost(tenant: Tenant) -> None:
    feedback = complaint(tenant, "Chat is 's avonds dicht")
    decision = services.create_decision(
        tenant.organisation,
        title="Chat tot 21:00",
        status="taken",
        evidence=[("feedback", feedback.pk)],
    )
    voice.delete_feedback(feedback)
    cited = services.cited_evidence(decision)
    assert len(cited) == 1
    assert cited[0].removed
    assert "Chat is 's avonds dicht" in cited[0].evidence.label


def test_a_taken_decision_keeps_its_last_evidence(tenant: Tenant) -> None:
    feedback = complaint(tenant)
    decision = services.create_decision(
        tenant.organisation,
        title="Nota herzien",
        status="taken",
        evidence=[("feedback", feedback.pk)],
    )
    with pytest.raises(ValidationError):
        services.remove_evidence(decision.evidence.get())
    assert decision.evidence.count() == 1


def test_customers_who_opted_in_are_told_once(tenant: Tenant, smtp_inbox: Any) -> None:
    wants = CustomerFactory(
        organisation=tenant.organisation, email="ja@example.com", consent_updates=True
    )
    silent = CustomerFactory(organisation=tenant.organisation, email="nee@example.com")
    refs = [("feedback", complaint(tenant, customer=c).pk) for c in (wants, silent)]
    decision = services.create_decision(
        tenant.organisation, title="Chat tot 21:00", status="taken", evidence=refs
    )
    assert services.tell_customers(decision, tenant.admin) == 1
    assert [m["To"] for m in smtp_inbox.messages] == ["ja@example.com"]
    assert "Chat tot 21:00" in smtp_inbox.body()
    with pytest.raises(ValidationError):
        services.tell_customers(decision, tenant.admin)


def test_the_share_with_customer_input_per_team_and_quarter(tenant: Tenant) -> None:
    feedback = complaint(tenant)
    team = tenant.manager.team
    day = date(2026, 5, 10)
    services.create_decision(
        tenant.organisation,
        title="A",
        status="taken",
        decided_on=day,
        team=team,
        evidence=[("feedback", feedback.pk)],
    )
    services.create_decision(
        tenant.organisation,
        title="B",
        status="taken",
        decided_on=day,
        team=team,
        without_customer_input=True,
        no_input_reason="Wettelijk verplicht",
    )
    services.create_decision(tenant.organisation, title="C (proposed)", team=team)
    facts = reports.decision_facts(tenant.organisation.pk, date(2026, 1, 1), date(2026, 12, 31))
    assert reports.input_by(facts, "quarter") == {"2026-Q2": (50.0, 2)}
    assert reports.input_by(facts, "team_id") == {team.pk: (50.0, 2)}


def test_the_feedback_listener_stays_cheap_on_every_submission(tenant: Tenant) -> None:
    """It runs inside every survey submission: a happy answer costs one query (the settings),
    an unhappy one the settings, the duplicate check, routing rules, targets, the insert and
    the organisation's webhook endpoints (for case.opened)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    services.settings_for(tenant.organisation)
    counts = {}
    for nps in (10, 3):
        stored = Feedback.objects.create(
            organisation=tenant.organisation, kind="response", channel="link", nps=nps
        )
        feedback = Feedback.objects.select_related("organisation").get(pk=stored.pk)
        with CaptureQueriesContext(connection) as queries:
            services.open_cases_for_feedback(feedback)
        counts[nps] = len(queries.captured_queries)
    assert counts == {10: 1, 3: 6}
    assert Case.objects.get().kind == CaseKind.FOLLOW_UP
