"""Property-based fuzzing of the whole REST API against its own OpenAPI document (schemathesis).

Every operation of ``/api/v1/openapi.json`` gets a test. Schemathesis generates valid and invalid
requests from the document and sends them in-process to the real WSGI application, as the tenant's
admin with an API token. Each response must:

* not be a server error (5xx);
* use a status code, content type and body that the document describes for the operation;
* reject invalid input (negative cases) with a 4xx: 422 for a bad query or body, 404 for a path
  that is no URL of the API at all (Django's ``<int:…>`` converter does not match it);
* accept valid input (positive cases), except that a domain rule the document cannot express
  (an unknown ``segment_id``, a taken slug) may answer 422 in the API's own error shape.

Each generated request runs in a savepoint that is rolled back afterwards, so every example sees
the same seeded segment, teams, customers, contact person, job and token, and path parameters
are drawn from the ids of those records half of the time so that GET/PATCH/DELETE by id reach
real objects. Generation is derandomized and the examples per operation are capped, so the run is
deterministic and fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from outsidein.api.api import api
from outsidein.core.services import create_api_token
from outsidein.jobs.models import Job
from outsidein.wsgi import application
from tests.conftest import Tenant
from tests.factories import CustomerFactory, SegmentFactory, TeamFactory

MAX_EXAMPLES = 20
SEED = 20_240_917


def _wsgi_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """The project's WSGI application, as Django's own test client runs it.

    A request normally ends by closing "old" database connections; inside the test transaction
    that would close (PostgreSQL) or break it, so, like ``django.test.Client``, keep the
    connection for the duration of the request.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = application(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            # The token goes in the Authorization header below; don't generate credentials.
            "with-security-parameters": False,
        },
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": False},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
        "checks": {
            "enabled": False,
            "not_a_server_error": {"enabled": True},
            "status_code_conformance": {"enabled": True},
            "content_type_conformance": {"enabled": True},
            "response_schema_conformance": {"enabled": True},
            "negative_data_rejection": {"enabled": True},
            "positive_data_acceptance": {"enabled": True},
        },
    }
)

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(), config=CONFIG)
schema.app = _wsgi_app

# Ids of the seeded records, per path parameter; filled by the ``seeded`` fixture of each test.
_REAL_IDS: dict[str, list[int]] = {}


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    """Half of the time, point each integer id in the path at a seeded record."""
    if not path_parameters:
        return st.just(path_parameters)

    def pick(name: str, value: Any) -> st.SearchStrategy[Any]:
        ids = _REAL_IDS.get(name)
        if not ids or not isinstance(value, int) or isinstance(value, bool) or value < 0:
            return st.just(value)
        return st.one_of(st.sampled_from(ids), st.just(value))

    return st.fixed_dictionaries(
        {name: pick(name, value) for name, value in path_parameters.items()}
    )


def _domain_rule_422(ctx: schemathesis.CheckContext, response: Any, case: Any) -> bool | None:
    """422 from the API's own validation handler, not from the request parser.

    ninja's parser reports ``loc`` as ``["body", "payload", field]`` / ``["query", field]``; the
    handler for Django ``ValidationError`` (unknown related id, unique slug, model validation)
    reports ``["body", field]``. Only the latter is acceptable for input the document calls valid.
    """
    if response.status_code != 422:
        return None
    detail = response.json().get("detail")
    assert isinstance(detail, list) and detail, f"422 without a list of errors: {detail!r}"
    for error in detail:
        loc = error.get("loc", [])
        if len(loc) > 2 or (len(loc) == 2 and loc[0] != "body"):
            raise AssertionError(
                f"Valid input (by the API's own schema) was refused by the request parser: {error}"
            )
    return True


@pytest.fixture
def seeded(tenant: Tenant) -> Iterator[dict[str, str]]:
    organisation = tenant.organisation
    segment = SegmentFactory(organisation=organisation, name="Retail")
    department = TeamFactory(organisation=organisation, kind="department", name="Sales")
    team = TeamFactory(organisation=organisation, parent=department, name="Field sales")
    customers = [
        CustomerFactory(organisation=organisation, segment=segment),
        CustomerFactory(organisation=organisation, kind="business", language="en"),
        CustomerFactory(organisation=organisation, email="", city="Utrecht"),
    ]
    customers[1].contact_people.create(
        organisation=organisation, name="Ada Contact", email="ada@example.net"
    )
    job = Job.objects.create(
        organisation=organisation, kind="import", title="Import customers", created_by=tenant.admin
    )
    spare_token = create_api_token(tenant.manager, name="spare")
    _REAL_IDS.update(
        segment_id=[segment.pk],
        team_id=[department.pk, team.pk],
        person_id=[tenant.manager.pk, tenant.employee.pk],
        customer_id=[customer.pk for customer in customers],
        token_id=[spare_token.token.pk],
        job_id=[job.pk],
    )
    yield tenant.api_headers(tenant.admin)
    _REAL_IDS.clear()


@schema.parametrize()
@settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=MAX_EXAMPLES,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_api_operation_conforms_to_schema(case: schemathesis.Case, seeded: dict[str, str]) -> None:
    with transaction.atomic():
        case.call_and_validate(headers=seeded)
        transaction.set_rollback(True)
