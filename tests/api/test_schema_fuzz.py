"""Property-based fuzzing of the whole REST API against its own OpenAPI document (schemathesis).

Every operation of the API's OpenAPI document (the one served at ``/api/v1/openapi.json``) becomes
one test. Schemathesis generates valid ("positive") and invalid ("negative") requests from the
document and sends them in-process to the project's real WSGI application, authenticated as the
tenant's admin with an API token. Every response must:

* not be a server error (5xx);
* have a status code, content type and body that the document describes for the operation;
* for invalid input, be a rejection: 422 (or 400 for a body that is not JSON);
* for valid input, be accepted; the only refusals allowed are 403/404/409, and 422 for a domain
  rule the document cannot express (an unknown ``segment_id``, a taken slug), which the API's
  own ``ValidationError`` handler reports as ``loc: ["body", field]``. A 422 from the request
  parser (``loc: ["body", "payload", …]`` / ``["query", …]``), or one that refuses a ``null``
  the document allows, means document and server disagree;
* ignore no authentication: the same request without a token, or with a wrong one, gets 401.

Each request runs in a savepoint that is rolled back afterwards, so every example sees the same
seeded segment, teams, customers, contact person, job and spare token (and the admin stays an
admin with a valid token); integer ids in the path point at those records half of the time, so
GET/PATCH/DELETE by id also reach real objects. Generation is seeded and derandomized and the
examples per operation are capped, so the run is deterministic and takes some seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
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

# Fuzzing examples per operation, on top of schemathesis' deterministic "coverage" cases
# (boundary values, missing required fields, wrong types, null for every field, …).
MAX_EXAMPLES = 15
SEED = 20_240_917

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            # The Authorization header is sent by the test itself.
            "with-security-parameters": False,
        },
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
        "checks": {
            "enabled": False,
            "not_a_server_error": {"enabled": True},
            "status_code_conformance": {"enabled": True},
            "content_type_conformance": {"enabled": True},
            "response_schema_conformance": {"enabled": True},
            "ignored_auth": {"enabled": True},
            "negative_data_rejection": {"enabled": True, "expected-statuses": ["400", "422"]},
            "positive_data_acceptance": {
                "enabled": True,
                "expected-statuses": ["2xx", "403", "404", "409", "422"],
            },
        },
    }
)


def _wsgi_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The project's WSGI application, run the way ``django.test.Client`` runs it.

    The end of a request closes "old" database connections; inside the test's transaction that
    would close (PostgreSQL) the connection under the test. Like the test client, keep it open.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = application(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            response.close()  # type: ignore[attr-defined]
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# The document the API serves at /api/v1/openapi.json, built without a request so that loading
# it needs no database at collection time.
_document = api.get_openapi_schema()
schema = schemathesis.openapi.from_dict(_document, config=CONFIG)
# Query filters whose id must name a record of the caller's organisation (api.schemas.*Ref):
# the schema cannot say which ids exist, so a 422 for one of them is a domain answer.
SCOPED_QUERY_PARAMETERS = {
    parameter["name"]
    for operations in _document["paths"].values()
    for operation in operations.values()
    for parameter in operation.get("parameters", [])
    if "x-scoped-to" in str(parameter.get("schema", {}))
}
schema.app = _wsgi_app

# Ids of the seeded records by path parameter name; filled by the ``seeded`` fixture.
_SEEDED_IDS: dict[str, list[int]] = {}


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    """Half of the time, point an integer id in the path at a seeded record."""
    if not path_parameters:
        return st.just(path_parameters)

    def pick(name: str, value: Any) -> st.SearchStrategy[Any]:
        ids = _SEEDED_IDS.get(name)
        if not ids or type(value) is not int or value < 0:
            return st.just(value)  # not a valid id (negative case): leave it alone
        return st.one_of(st.just(value), st.sampled_from(ids))

    return st.fixed_dictionaries(
        {name: pick(name, value) for name, value in path_parameters.items()}
    )


def validation_errors_are_api_errors(ctx: Any, response: Any, case: schemathesis.Case) -> bool:
    """A 422 lists its errors; for input the document calls valid, only domain rules may 422."""
    if response.status_code != 422:
        return True
    detail = response.json().get("detail")
    assert isinstance(detail, list) and detail, f"422 without a list of errors: {detail!r}"
    for error in detail:
        assert isinstance(error.get("loc"), list) and isinstance(error.get("msg"), str), error
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return True
    body = case.body if isinstance(case.body, dict) else {}
    for error in detail:
        loc = error["loc"]
        if loc[:1] == ["query"] and len(loc) == 2 and loc[1] in SCOPED_QUERY_PARAMETERS:
            continue  # an id that is not a record of the caller's organisation: a domain rule
        if "between the years 1900 and 2999" in error["msg"]:
            continue  # the documented years (pattern ^(19|2x)xx-); a date strategy may ignore it
        assert loc[:1] == ["body"] and len(loc) <= 2, (
            f"The request parser refused input that the API's own schema calls valid: {error}"
        )
        field = loc[1] if len(loc) == 2 else None
        assert not (field in body and body[field] is None), (
            f"`{field}: null` is allowed by the document but refused: {error['msg']}"
        )
    return True


@pytest.fixture
def seeded(tenant: Tenant) -> Iterator[dict[str, str]]:
    """A few records to reach by id; the admin's Authorization header."""
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
    spare_token = create_api_token(tenant.admin, name="spare").token
    from outsidein.ideas import services as idea_services
    from outsidein.practice import services as practice

    case = practice.open_case(organisation, kind="question", subject="Seeded question")
    contact = practice.log_contact(tenant.admin, kind="call", learned="Seeded")
    decision = practice.create_decision(organisation, title="Seeded decision")
    idea = idea_services.submit_idea(organisation, title="Seeded idea")
    _SEEDED_IDS.update(
        case_id=[case.pk],
        contact_id=[contact.pk],
        decision_id=[decision.pk],
        idea_id=[idea.pk],
    )
    _SEEDED_IDS.update(
        segment_id=[segment.pk],
        team_id=[department.pk, team.pk],
        person_id=[tenant.admin.pk, tenant.manager.pk, tenant.employee.pk],
        customer_id=[customer.pk for customer in customers],
        token_id=[spare_token.pk],
        job_id=[job.pk],
    )
    yield tenant.api_headers(tenant.admin)
    _SEEDED_IDS.clear()


@schema.parametrize()
@settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=MAX_EXAMPLES,
    # One tenant per operation, shared by its examples; each example is rolled back.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_api_operation_conforms_to_schema(case: schemathesis.Case, seeded: dict[str, str]) -> None:
    with transaction.atomic():
        case.call_and_validate(headers=seeded, additional_checks=[validation_errors_are_api_errors])
        transaction.set_rollback(True)
