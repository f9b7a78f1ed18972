"""Strategy services against the database: rules applied in the background with overrides
pinned, the journey map's figures, deleting a touchpoint keeps its feedback, the demo."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outsidein.core.models import Customer
from outsidein.jobs.models import Job
from outsidein.jobs.services import start_job
from outsidein.practice.models import Case
from outsidein.strategy import reports, services
from outsidein.strategy.jobs import KIND
from outsidein.strategy.models import SegmentAssignmentLog, TouchpointLink
from outsidein.voice import services as voice
from outsidein.voice.models import Feedback
from tests.conftest import Tenant
from tests.factories import CustomerFactory, SegmentFactory
from tests.strategy.conftest import Journeyed

pytestmark = pytest.mark.django_db


def test_rules_run_as_a_job_and_leave_manual_overrides_alone(
    tenant: Tenant, django_capture_on_commit_callbacks: object
) -> None:
    organisation = tenant.organisation
    homes = SegmentFactory(organisation=organisation, name="Homes")
    big = SegmentFactory(organisation=organisation, name="Big business")
    consumer = CustomerFactory(organisation=organisation, kind="consumer")
    large = CustomerFactory(organisation=organisation, kind="business")
    pinned = CustomerFactory(organisation=organisation, kind="consumer")
    services.set_attribute(large, "size", "250+")
    services.create_rule(
        organisation, name="Consumers", segment=homes,
        conditions=[{"field": "kind", "op": "is", "value": "consumer"}],
    )  # fmt: skip
    services.create_rule(
        organisation, name="Large", segment=big,
        conditions=[{"field": "attr:size", "op": "in", "value": ["250+"]}],
    )  # fmt: skip
    services.override_segment(pinned, big, by=tenant.admin, reason="Owns a chain of shops")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        job = start_job(organisation, kind=KIND, title="Rules", created_by=tenant.admin)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert job.result == {"changed": 2, "matched": 2, "unmatched": 0, "pinned": 1, "overlaps": 0}
    assert Customer.objects.get(pk=consumer.pk).segment == homes
    assert Customer.objects.get(pk=large.pk).segment == big
    assert Customer.objects.get(pk=pinned.pk).segment == big  # the override holds
    logged = SegmentAssignmentLog.objects.filter(customer=consumer).get()
    assert (logged.source, logged.to_segment, logged.by) == ("rule", homes, tenant.admin)
    # Lifting the override lets the rules decide again.
    services.release_override(pinned, by=tenant.admin)
    assert services.apply_rules(organisation)["changed"] == 1
    assert Customer.objects.get(pk=pinned.pk).segment == homes
    assert Job.objects.filter(organisation=organisation, kind=KIND).count() == 1


def test_an_invalid_rule_is_refused_naming_the_conditions(tenant: Tenant) -> None:
    segment = SegmentFactory(organisation=tenant.organisation)
    with pytest.raises(ValidationError) as caught:
        services.create_rule(
            tenant.organisation,
            name="Bad",
            segment=segment,
            conditions=[{"field": "shoe_size", "op": "is", "value": "44"}],
        )
    assert "conditions" in caught.value.message_dict
    assert "shoe_size" in caught.value.message_dict["conditions"][0]


def test_an_override_needs_a_reason(tenant: Tenant) -> None:
    customer = CustomerFactory(organisation=tenant.organisation)
    with pytest.raises(ValidationError) as caught:
        services.override_segment(customer, None, by=tenant.admin, reason=" ")
    assert "reason" in caught.value.message_dict
    assert not SegmentAssignmentLog.objects.exists()


def test_journey_map_counts_the_segments_responses_and_linked_items(
    tenant: Tenant, journeyed: Journeyed
) -> None:
    organisation = tenant.organisation
    survey = voice.create_survey(organisation, template="csat", name="Contact CSAT")
    other_segment = SegmentFactory(organisation=organisation)
    mine = CustomerFactory(organisation=organisation, segment=journeyed.segment)
    theirs = CustomerFactory(organisation=organisation, segment=other_segment)
    for score in (5, 5, 4, 2):
        voice.record_feedback(
            organisation, kind="response", channel="email", survey=survey, customer=mine,
            csat=score,
        )  # fmt: skip
    voice.record_feedback(
        organisation, kind="response", channel="email", survey=survey, customer=theirs, csat=1
    )
    complaint = voice.record_feedback(
        organisation, kind="complaint", channel="phone", customer=theirs, comment="Waited 40 min"
    )[0]
    services.link(journeyed.touchpoint, kind="survey", ref_id=survey.pk)
    services.link(journeyed.touchpoint, kind="feedback", ref_id=complaint.pk)
    today = timezone.localdate()
    with CaptureQueriesContext(connection) as queries:
        rows = reports.journey_map(journeyed.journey, today - timedelta(days=30), today)
    cell = rows[0].cells[0]
    assert cell.measure == "csat" and cell.suggested
    assert cell.csat.n == 4 and cell.csat.value == 75.0  # the other segment's response is not ours
    assert not cell.csat.enough and cell.heat == "thin"  # honest: not enough data
    assert cell.items == 5 and cell.complaints == 1
    # the complaint and the unhappy response (CSAT 2) opened follow-ups
    assert (
        cell.open_follow_ups
        == Case.objects.exclude(status="closed").filter(feedback__customer=mine).count() + 1
    )
    fixed = len(queries.captured_queries)
    second = services.create_touchpoint(
        organisation, stage=journeyed.support, name="Chat", channel="widget"
    )
    services.link(second, kind="survey", ref_id=survey.pk)
    with CaptureQueriesContext(connection) as more:
        reports.journey_map(journeyed.journey, today - timedelta(days=30), today)
    assert len(more.captured_queries) == fixed  # grouped, not a query per cell


def test_deleting_a_touchpoint_keeps_its_feedback_unlinked(
    tenant: Tenant, journeyed: Journeyed
) -> None:
    feedback = voice.record_feedback(
        tenant.organisation, kind="complaint", channel="phone", comment="Nobody answered"
    )[0]
    services.link(journeyed.touchpoint, kind="feedback", ref_id=feedback.pk)
    services.delete_touchpoint(journeyed.touchpoint)
    assert Feedback.objects.filter(pk=feedback.pk).exists()
    (unlinked,) = reports.unlinked_items(tenant.organisation.pk)
    assert (unlinked.ref_id, unlinked.touchpoint, unlinked.former_touchpoint) == (
        feedback.pk,
        None,
        "Helpdesk phone",
    )
    # Linking it again elsewhere takes it off the unlinked list.
    other = services.create_touchpoint(
        tenant.organisation, stage=journeyed.support, name="Chat", team=tenant.manager.team
    )
    services.link(other, kind="feedback", ref_id=feedback.pk)
    assert reports.unlinked_items(tenant.organisation.pk) == []
    assert TouchpointLink.objects.get().touchpoint == other


def test_linking_an_item_of_another_organisation_is_refused(
    tenant: Tenant, other_tenant: Tenant, journeyed: Journeyed
) -> None:
    theirs = voice.record_feedback(
        other_tenant.organisation, kind="complaint", channel="phone", comment="x"
    )[0]
    with pytest.raises(ValidationError) as caught:
        services.link(journeyed.touchpoint, kind="feedback", ref_id=theirs.pk)
    assert "ref_id" in caught.value.message_dict


def test_flags_and_network(tenant: Tenant, journeyed: Journeyed) -> None:
    services.create_process(tenant.organisation, name="Month-end close", team=tenant.manager.team)
    found, _period = reports.flag_facts(tenant.organisation.pk, timezone.localdate())
    kinds = {(f.kind, f.name) for f in found}
    assert ("process_no_touchpoint", "Month-end close") in kinds
    assert ("touchpoint_unmeasured", "Helpdesk phone") in kinds
    graph = reports.network(tenant.organisation.pk, timezone.localdate())
    ids = {node["id"] for node in graph["nodes"]}
    assert {"customer", f"segment-{journeyed.segment.pk}", f"journey-{journeyed.journey.pk}"} <= ids
    assert graph["total_flags"] == len(found)
    assert all(
        edge["source"] in ids or edge["source"].startswith("team-") for edge in graph["edges"]
    )


def test_needs_under_pressure(tenant: Tenant, journeyed: Journeyed) -> None:
    need = services.create_need(
        tenant.organisation,
        segment=journeyed.segment,
        name="Pay monthly on actual use",
        stance="declined",
        reason="Does not fit our billing model",
    )
    for index in range(5):
        question = voice.record_feedback(
            tenant.organisation,
            kind="question",
            channel="email",
            comment=f"Can I pay monthly {index}?",
        )[0]
        services.tag_need(need, kind="feedback", ref_id=question.pk)
    ((_segment, rows),) = [g for g in reports.needs_by_segment(tenant.organisation.pk) if g[1]]
    assert rows[0].feedback == 5 and rows[0].pressure
    with pytest.raises(ValidationError) as caught:
        services.create_need(
            tenant.organisation, segment=journeyed.segment, name="PAY MONTHLY ON ACTUAL USE",
            stance="served", reason="x",
        )  # fmt: skip
    assert "name" in caught.value.message_dict


def test_demo_is_deterministic_and_idempotent(tenant: Tenant) -> None:
    from outsidein.strategy.demo import seed_strategy_demo

    for name in ("Huishoudens", "MKB"):
        SegmentFactory(organisation=tenant.organisation, name=name)
    first = seed_strategy_demo(tenant.organisation, seed=1)
    assert first["journeys"] == 2 and first["processes"] >= 8
    assert seed_strategy_demo(tenant.organisation, seed=1) == first
