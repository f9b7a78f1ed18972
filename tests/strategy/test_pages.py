"""The strategy pages open for every role, forms with errors re-render (status 200) naming the
field, and another organisation's records are 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from outsidein.strategy import services
from outsidein.strategy.models import Process, SegmentRule, Touchpoint, TouchpointLink
from outsidein.voice import services as voice
from tests.conftest import Tenant
from tests.factories import CustomerFactory
from tests.strategy.conftest import Journeyed

pytestmark = pytest.mark.django_db


def test_every_strategy_page_opens_for_every_role(tenant: Tenant, journeyed: Journeyed) -> None:
    process = services.create_process(tenant.organisation, name="Billing run")
    need = services.create_need(
        tenant.organisation,
        segment=journeyed.segment,
        name="Clear bill",
        stance="served",
        reason="r",
    )
    customer = CustomerFactory(organisation=tenant.organisation)
    urls = [
        reverse("strategy-segments"),
        reverse("strategy-segment", args=[journeyed.segment.pk]),
        reverse("strategy-compare") + "?days=90",
        reverse("strategy-rules") + "?check=1",
        reverse("strategy-needs"),
        reverse("strategy-need", args=[need.pk]),
        reverse("strategy-declined"),
        reverse("strategy-journeys"),
        reverse("strategy-journey", args=[journeyed.journey.pk]),
        reverse("strategy-journey-map", args=[journeyed.journey.pk]),
        reverse("strategy-touchpoint", args=[journeyed.touchpoint.pk]),
        reverse("strategy-processes"),
        reverse("strategy-process", args=[process.pk]),
        reverse("strategy-network"),
        reverse("strategy-flags"),
        reverse("customer-detail", args=[customer.pk]),
    ]
    for person in (tenant.admin, tenant.manager, tenant.employee):
        client = tenant.client_for(person)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (person.role, url, response.status_code)


def test_an_invalid_rule_re_renders_with_the_line_named(
    tenant: Tenant, journeyed: Journeyed
) -> None:
    client = tenant.client_for(tenant.admin)
    response = client.post(
        reverse("strategy-rules"),
        {
            "name": "Bad",
            "segment": journeyed.segment.pk,
            "conditions": "kind is business\nshoe is 44",
        },
    )
    assert response.status_code == 200
    assert "Line 2: unknown field “shoe”" in response.content.decode()
    assert not SegmentRule.objects.exists()
    good = client.post(
        reverse("strategy-rules"),
        {"name": "Business", "segment": journeyed.segment.pk, "conditions": "kind is business"},
    )
    assert good.status_code == 302
    assert SegmentRule.objects.get().conditions == [
        {"field": "kind", "op": "is", "value": "business"}
    ]


def test_employees_read_but_do_not_edit(tenant: Tenant, journeyed: Journeyed) -> None:
    client = tenant.client_for(tenant.employee)
    response = client.post(
        reverse("strategy-touchpoint", args=[journeyed.touchpoint.pk]), {"section": "delete"}
    )
    assert response.status_code == 403
    assert Touchpoint.objects.filter(pk=journeyed.touchpoint.pk).exists()
    assert (
        client.post(
            reverse("strategy-processes").replace("processes/", "processes/new/"), {"name": "x"}
        ).status_code
        == 403
    )


def test_deleting_a_touchpoint_from_its_page_shows_the_items_unlinked(
    tenant: Tenant, journeyed: Journeyed
) -> None:
    feedback = voice.record_feedback(
        tenant.organisation, kind="complaint", channel="phone", comment="Long wait"
    )[0]
    client = tenant.client_for(tenant.manager)  # the manager of the owning team
    url = reverse("strategy-touchpoint", args=[journeyed.touchpoint.pk])
    linked = client.post(url, {"section": "link", "kind": "feedback", "ref_id": feedback.pk})
    assert linked.status_code == 302
    unknown = client.post(url, {"section": "link", "kind": "feedback", "ref_id": 987654321})
    assert unknown.status_code == 200 and "There is no such item" in unknown.content.decode()
    assert client.post(url, {"section": "delete"}).status_code == 302
    page = client.get(reverse("strategy-journeys")).content.decode()
    assert "Helpdesk phone" in page and f"#{feedback.pk} Long wait" in page
    assert TouchpointLink.objects.get().touchpoint is None


def test_foreign_records_are_404(
    tenant: Tenant, other_tenant: Tenant, other_journeyed: Journeyed
) -> None:
    client = tenant.client_for(tenant.admin)
    theirs = services.create_process(other_tenant.organisation, name="Theirs")
    assert (
        client.get(reverse("strategy-journey-map", args=[other_journeyed.journey.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("strategy-touchpoint", args=[other_journeyed.touchpoint.pk])).status_code
        == 404
    )
    assert client.get(reverse("strategy-process", args=[theirs.pk])).status_code == 404
    assert Process.objects.filter(organisation=tenant.organisation).count() == 0


def test_a_feedback_item_is_tagged_with_a_need_and_linked_from_its_page(
    tenant: Tenant, journeyed: Any
) -> None:
    from outsidein.strategy.models import Need, NeedTag, TouchpointLink
    from outsidein.voice import services as voice

    need = services.create_need(
        tenant.organisation,
        segment=journeyed.segment,
        name="Monthly billing on actual use",
        stance="declined",
        reason="Too costly to run for households",
    )
    feedback = voice.record_feedback(
        tenant.organisation, kind="complaint", channel="phone", comment="I want to pay per month"
    )[0]
    url = f"/inbox/{feedback.pk}/"
    employee_page = tenant.client_for(tenant.employee).get(url).content.decode()
    assert 'data-testid="feedback-strategy"' in employee_page
    assert "Tag with this need" not in employee_page  # administrators tag
    admin = tenant.client_for(tenant.admin)
    assert (
        admin.post(f"/strategy/feedback/{feedback.pk}/need/", {"need": need.pk}).status_code == 302
    )
    touchpoint = journeyed.touchpoint
    response = admin.post(
        f"/strategy/feedback/{feedback.pk}/touchpoint/", {"touchpoint": touchpoint.pk}
    )
    assert response.status_code == 302
    assert NeedTag.objects.filter(need=need, kind="feedback", ref_id=feedback.pk).exists()
    assert TouchpointLink.objects.filter(
        touchpoint=touchpoint, kind="feedback", ref_id=feedback.pk
    ).exists()
    page = admin.get(url).content.decode()
    assert need.name in page and touchpoint.name in page
    assert Need.objects.count() == 1
    forbidden = tenant.client_for(tenant.employee).post(
        f"/strategy/feedback/{feedback.pk}/need/", {"need": need.pk}
    )
    assert forbidden.status_code == 403


def test_a_process_page_links_the_decisions_that_changed_it(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    from outsidein.practice import services as practice

    ours = practice.create_decision(tenant.organisation, title="Maandfactuur vereenvoudigd")
    theirs = practice.create_decision(other_tenant.organisation, title="Hun besluit")
    process = services.create_process(tenant.organisation, name="Facturatie")
    client = tenant.client_for(tenant.admin)
    url = reverse("strategy-process", args=[process.pk])
    page = client.get(url).content.decode()
    assert "Maandfactuur vereenvoudigd" in page and "Hun besluit" not in page
    foreign = client.post(url, {"name": "Facturatie", "decisions": [theirs.pk]})
    assert foreign.status_code == 200 and not process.decisions.exists()
    saved = client.post(url, {"name": "Facturatie", "decisions": [ours.pk]})
    assert saved.status_code == 302
    assert list(process.decisions.all()) == [ours]
