"""The ideas app's parts of the shared practice pages: evidence kind, My work, the norm."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from outsidein.ideas import services
from outsidein.ideas.models import Idea, Participant
from outsidein.practice import registry
from outsidein.practice.models import Decision, Evidence
from tests.conftest import Tenant
from tests.ideas.conftest import make_participant

pytestmark = pytest.mark.django_db


def test_evidence_kind_resolves_label_url_and_opted_in_recipients(
    tenant: Tenant, idea: Idea, participant: Participant, other_tenant: Tenant
) -> None:
    services.vote(idea, make_participant(tenant, "jo@example.net", language="en", name="Jo"))
    services.vote(idea, make_participant(tenant, "no@example.net", notify=False))
    kind = registry.evidence_kinds()["idea"]
    theirs = services.submit_idea(other_tenant.organisation, title="Theirs")
    items = kind.resolve(tenant.organisation.pk, [idea.pk, theirs.pk, 999999])
    assert set(items) == {idea.pk}
    item = items[idea.pk]
    assert "3 votes" in item.label and idea.title in item.label
    assert item.url == f"/innovation/ideas/{idea.pk}/"
    assert {(r.email, r.language) for r in item.recipients} == {
        ("sanne@example.net", "nl"),
        ("jo@example.net", "en"),
    }


def test_linking_a_decision_cites_the_idea(tenant: Tenant, idea: Idea) -> None:
    decision = Decision.objects.create(organisation=tenant.organisation, title="Solar in the app")
    client = tenant.client_for(tenant.admin)
    response = client.post(
        f"/innovation/ideas/{idea.pk}/decision/", {"decision": decision.pk, "note": "Top idea"}
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.kind, evidence.ref_id, evidence.decision) == ("idea", idea.pk, decision)
    assert services.decisions_citing(idea) == [decision]
    assert b"Solar in the app" in client.get(f"/innovation/ideas/{idea.pk}/").content


def test_work_source_lists_old_untriaged_ideas_for_managers_only(tenant: Tenant) -> None:
    old = timezone.now() - timedelta(days=9)
    services.submit_idea(tenant.organisation, title="Waiting", created_at=old)
    source = next(s for s in registry.work_sources() if s.__module__ == "outsidein.ideas.wiring")
    items = list(source(tenant.manager))
    assert [item.title for item in items] == ["Waiting"]
    assert items[0].is_customer is False
    assert items[0].breached(timezone.now())
    assert list(source(tenant.employee)) == []


def test_norm_is_registered() -> None:
    norm = next(n for n in registry.norms() if n.key == "ideas")
    assert (norm.position, norm.url_name, norm.target) == (5, "idea-list", 80.0)
    assert norm.measure is services.measure
