"""The feedback table's links to an invitation and a customer are indexed only where they are
set: one response per invitation stays enforced by the database, and an anonymous answer (or
an imported row without an invitation) writes no index entry for a link it does not have."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from outsidein.voice import distribution, services
from outsidein.voice.models import Feedback, Survey
from tests.conftest import Tenant
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _response(survey: Survey, **links: object) -> Feedback:
    return Feedback.objects.create(
        organisation=survey.organisation,
        kind="response",
        channel="link",
        survey=survey,
        language="nl",
        nps=8,
        **links,
    )


def test_the_database_keeps_one_response_per_invitation(tenant: Tenant, survey: Survey) -> None:
    customer = CustomerFactory(organisation=tenant.organisation)
    [invitation] = distribution.invite(survey, [customer]).invited
    _response(survey, invitation=invitation, customer=customer)
    with pytest.raises(IntegrityError), transaction.atomic():
        _response(survey, invitation=invitation, customer=customer)
    # Responses without an invitation are not one another's duplicates.
    _response(survey)
    _response(survey)
    assert Feedback.objects.filter(invitation__isnull=True).count() == 2


def test_a_customers_feedback_is_found_through_the_partial_index(
    tenant: Tenant, survey: Survey
) -> None:
    customer = CustomerFactory(organisation=tenant.organisation)
    _response(survey, customer=customer)
    _response(survey)
    assert list(customer.feedback.values_list("customer_id", flat=True)) == [customer.pk]
    services.delete_feedback(Feedback.objects.get(customer=customer))
    assert Feedback.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's catalogue")
def test_the_link_indexes_hold_only_rows_that_have_the_link() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'voice_feedback' "
            "AND (indexdef LIKE '%%(invitation_id)%%' OR indexdef LIKE '%%(customer_id)%%')"
        )
        found = dict(cursor.fetchall())
    assert set(found) == {"feedback_one_per_invitation", "feedback_customer"}, found
    assert "UNIQUE" in found["feedback_one_per_invitation"]
    assert all(definition.endswith("IS NOT NULL)") for definition in found.values()), found
