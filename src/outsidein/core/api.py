"""API endpoints of the core app: customers, contact people, segments, teams, people, tokens.

Handlers are thin: parse, check the caller's permission, call a service, answer.
"""

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate

from outsidein.api.access import (
    caller,
    delete_scoped,
    get_scoped_or_404,
    related_or_422,
    require,
    scoped,
)
from outsidein.api.schemas import (
    Email,
    Flag,
    Id,
    InputSchema,
    Pagination,
    PatchSchema,
    SegmentRef,
    TeamRef,
)
from outsidein.core import services
from outsidein.core.models import (
    ApiToken,
    Customer,
    CustomerContactPerson,
    Person,
    Segment,
    Team,
)
from outsidein.core.permissions import Action, require_may_assign

router = Router()

LanguageCode = Literal["nl", "en"]


# --- segments --------------------------------------------------------------------------------


class SegmentIn(InputSchema):
    name: str = Field(min_length=1, max_length=120)
    description: str = ""


class SegmentPatch(PatchSchema):
    name: str | None = Field(None, min_length=1, max_length=120)
    description: str | None = None


class SegmentOut(Schema):
    id: int
    name: str
    description: str
    created_at: datetime


class SegmentFilter(FilterSchema):
    q: Annotated[str | None, FilterLookup("name__icontains")] = Field(
        None, description="Part of the name"
    )


@router.get("/segments", response=list[SegmentOut], tags=["segments"])
@paginate(Pagination)
def list_segments(request: HttpRequest, filters: Query[SegmentFilter]) -> Any:
    return filters.filter(scoped(caller(request), Segment))


@router.get("/segments/{segment_id}", response=SegmentOut, tags=["segments"])
def get_segment(request: HttpRequest, segment_id: int) -> Any:
    return get_scoped_or_404(caller(request), Segment, segment_id)


@router.post("/segments", response={201: SegmentOut}, tags=["segments"])
def create_segment(request: HttpRequest, payload: SegmentIn) -> Any:
    person = caller(request)
    require(person, Action.CREATE, Segment)
    return Status(201, services.create_segment(person.organisation, **payload.model_dump()))


@router.patch("/segments/{segment_id}", response=SegmentOut, tags=["segments"])
def update_segment(request: HttpRequest, segment_id: int, payload: SegmentPatch) -> Any:
    person = caller(request)
    segment = get_scoped_or_404(person, Segment, segment_id)
    require(person, Action.CHANGE, segment)
    return services.update_segment(segment, **payload.changes())


@router.delete("/segments/{segment_id}", response={204: None}, tags=["segments"])
def delete_segment(request: HttpRequest, segment_id: int) -> Any:
    return delete_scoped(request, Segment, segment_id, services.delete_segment)


# --- teams -----------------------------------------------------------------------------------


class TeamIn(InputSchema):
    name: str = Field(min_length=1, max_length=120)
    slug: str = Field(min_length=1, max_length=60, pattern=r"^[-a-z0-9_]+$")
    kind: Literal["department", "team"] = "team"
    parent_id: Id | None = None
    description: str = ""


class TeamPatch(PatchSchema):
    CLEARABLE: ClassVar[frozenset[str]] = frozenset({"parent_id"})

    name: str | None = Field(None, min_length=1, max_length=120)
    slug: str | None = Field(None, min_length=1, max_length=60, pattern=r"^[-a-z0-9_]+$")
    kind: Literal["department", "team"] | None = None
    parent_id: Id | None = None
    description: str | None = None


class TeamOut(Schema):
    id: int
    name: str
    slug: str
    kind: str
    parent_id: int | None
    description: str


class TeamFilter(FilterSchema):
    q: Annotated[str | None, FilterLookup("name__icontains")] = Field(
        None, description="Part of the name"
    )
    parent_id: TeamRef | None = Field(None, description="Only teams directly under this one")
    kind: Literal["department", "team"] | None = None


def _team_fields(person: Person, data: dict[str, Any]) -> dict[str, Any]:
    if "parent_id" in data:
        data["parent"] = related_or_422(person, Team, data.pop("parent_id"), "parent_id")
    return data


@router.get("/teams", response=list[TeamOut], tags=["teams"])
@paginate(Pagination)
def list_teams(request: HttpRequest, filters: Query[TeamFilter]) -> Any:
    return filters.filter(scoped(caller(request), Team))


@router.get("/teams/{team_id}", response=TeamOut, tags=["teams"])
def get_team(request: HttpRequest, team_id: int) -> Any:
    return get_scoped_or_404(caller(request), Team, team_id)


@router.post("/teams", response={201: TeamOut}, tags=["teams"])
def create_team(request: HttpRequest, payload: TeamIn) -> Any:
    person = caller(request)
    require(person, Action.CREATE, Team)
    fields = _team_fields(person, payload.model_dump())
    return Status(201, services.create_team(person.organisation, **fields))


@router.patch("/teams/{team_id}", response=TeamOut, tags=["teams"])
def update_team(request: HttpRequest, team_id: int, payload: TeamPatch) -> Any:
    person = caller(request)
    team = get_scoped_or_404(person, Team, team_id)
    require(person, Action.CHANGE, team)
    return services.update_team(team, **_team_fields(person, payload.changes()))


@router.delete("/teams/{team_id}", response={204: None}, tags=["teams"])
def delete_team(request: HttpRequest, team_id: int) -> Any:
    return delete_scoped(request, Team, team_id, services.delete_team)


# --- people ----------------------------------------------------------------------------------

RoleCode = Literal["admin", "manager", "employee"]


class PersonIn(InputSchema):
    name: str = Field(min_length=1, max_length=200)
    email: Email
    role: RoleCode = "employee"
    team_id: Id | None = None
    job_title: str = ""
    customer_facing: Flag = False
    language: LanguageCode = "nl"
    invite: Flag = Field(False, description="Email them a link to set their own password")


class PersonPatch(PatchSchema):
    CLEARABLE: ClassVar[frozenset[str]] = frozenset({"team_id"})

    name: str | None = Field(None, min_length=1, max_length=200)
    email: Email | None = None
    role: RoleCode | None = None
    team_id: Id | None = None
    job_title: str | None = None
    customer_facing: Flag | None = None
    language: LanguageCode | None = None
    is_active: Flag | None = None
    may_import: Flag | None = Field(
        None, description="Administrators only: grant (true), withdraw (false), role default (null)"
    )
    may_export: Flag | None = Field(
        None, description="Administrators only: grant (true), withdraw (false), role default (null)"
    )


class PersonOut(Schema):
    id: int
    name: str
    email: str
    role: str
    team_id: int | None
    job_title: str
    customer_facing: bool
    language: str
    is_active: bool
    has_login: bool
    can_import: bool
    can_export: bool


class PersonFilter(FilterSchema):
    q: Annotated[str | None, FilterLookup(["name__icontains", "email__icontains"])] = Field(
        None, description="Part of name or email"
    )
    team_id: TeamRef | None = None
    role: RoleCode | None = None
    customer_facing: bool | None = None
    is_active: bool | None = None


def _person_fields(person: Person, data: dict[str, Any]) -> dict[str, Any]:
    if "team_id" in data:
        data["team"] = related_or_422(person, Team, data.pop("team_id"), "team_id")
    return data


@router.get("/people", response=list[PersonOut], tags=["people"])
@paginate(Pagination)
def list_people(request: HttpRequest, filters: Query[PersonFilter]) -> Any:
    return filters.filter(scoped(caller(request), Person).select_related("user"))


@router.get("/people/{person_id}", response=PersonOut, tags=["people"])
def get_person(request: HttpRequest, person_id: int) -> Any:
    return get_scoped_or_404(caller(request), Person, person_id)


@router.post("/people", response={201: PersonOut}, tags=["people"])
def create_person(request: HttpRequest, payload: PersonIn) -> Any:
    person = caller(request)
    require(person, Action.CREATE, Person)
    data = payload.model_dump()
    invite = data.pop("invite")
    fields = _person_fields(person, data)
    require_may_assign(person, role=fields["role"], team=fields["team"])
    if invite:
        created = services.invite_person(
            person.organisation,
            invited_by=person,
            base_url=request.build_absolute_uri("/"),
            **fields,
        )
    else:
        created = services.create_person(person.organisation, **fields)
    return Status(201, created)


@router.patch("/people/{person_id}", response=PersonOut, tags=["people"])
def update_person(request: HttpRequest, person_id: int, payload: PersonPatch) -> Any:
    person = caller(request)
    other = get_scoped_or_404(person, Person, person_id)
    require(person, Action.CHANGE, other)
    changes = _person_fields(person, payload.changes())
    for grant in ("may_import", "may_export"):
        if grant in payload.model_fields_set:
            if not person.is_admin:
                raise PermissionDenied(_("Only an administrator grants permissions."))
            changes[grant] = getattr(payload, grant)  # null: back to what the role allows
    require_may_assign(person, role=changes.get("role"), team=changes.get("team", other.team))
    return services.update_person(other, **changes)


@router.delete("/people/{person_id}", response={204: None}, tags=["people"])
def delete_person(request: HttpRequest, person_id: int) -> Any:
    return delete_scoped(request, Person, person_id, services.delete_person)


# --- customers -------------------------------------------------------------------------------


class CustomerIn(InputSchema):
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["business", "consumer"] = "consumer"
    external_id: str = Field("", max_length=100)
    email: Email | Literal[""] = ""
    phone: str = Field("", max_length=40)
    language: LanguageCode = "nl"
    city: str = Field("", max_length=100)
    segment_id: Id | None = None
    consent_surveys: Flag = True
    consent_marketing: Flag = False


class CustomerPatch(PatchSchema):
    CLEARABLE: ClassVar[frozenset[str]] = frozenset({"segment_id"})

    name: str | None = Field(None, min_length=1, max_length=200)
    kind: Literal["business", "consumer"] | None = None
    external_id: str | None = Field(None, max_length=100)
    email: Email | Literal[""] | None = None
    phone: str | None = Field(None, max_length=40)
    language: LanguageCode | None = None
    city: str | None = Field(None, max_length=100)
    segment_id: Id | None = None
    consent_surveys: Flag | None = None
    consent_marketing: Flag | None = None


class CustomerOut(Schema):
    id: int
    external_id: str
    kind: str
    name: str
    email: str
    phone: str
    language: str
    city: str
    segment_id: int | None
    consent_surveys: bool
    consent_marketing: bool
    created_at: datetime


class CustomerFilter(FilterSchema):
    q: str | None = Field(
        None, description="Name, email, city, phone, contact person or exact external id"
    )
    segment_id: SegmentRef | None = None
    kind: Literal["business", "consumer"] | None = None
    language: LanguageCode | None = None
    external_id: str | None = None


def _customer_fields(person: Person, data: dict[str, Any]) -> dict[str, Any]:
    if "segment_id" in data:
        data["segment"] = related_or_422(person, Segment, data.pop("segment_id"), "segment_id")
    return data


@router.get("/customers", response=list[CustomerOut], tags=["customers"])
@paginate(Pagination)
def list_customers(request: HttpRequest, filters: Query[CustomerFilter]) -> Any:
    customers = services.search_customers(
        scoped(caller(request), Customer),
        query=filters.q or "",
        segment_id=filters.segment_id,
        kind=filters.kind or "",
        language=filters.language or "",
    )
    if filters.external_id:
        customers = customers.filter(external_id=filters.external_id)
    return customers


@router.get("/customers/{customer_id}", response=CustomerOut, tags=["customers"])
def get_customer(request: HttpRequest, customer_id: int) -> Any:
    return get_scoped_or_404(caller(request), Customer, customer_id)


@router.post("/customers", response={201: CustomerOut}, tags=["customers"])
def create_customer(request: HttpRequest, payload: CustomerIn) -> Any:
    person = caller(request)
    require(person, Action.CREATE, Customer)
    fields = _customer_fields(person, payload.model_dump())
    return Status(201, services.create_customer(person.organisation, **fields))


@router.patch("/customers/{customer_id}", response=CustomerOut, tags=["customers"])
def update_customer(request: HttpRequest, customer_id: int, payload: CustomerPatch) -> Any:
    person = caller(request)
    customer = get_scoped_or_404(person, Customer, customer_id)
    require(person, Action.CHANGE, customer)
    return services.update_customer(customer, **_customer_fields(person, payload.changes()))


@router.delete("/customers/{customer_id}", response={204: None}, tags=["customers"])
def delete_customer(request: HttpRequest, customer_id: int) -> Any:
    return delete_scoped(request, Customer, customer_id, services.delete_customer)


class ContactPersonIn(InputSchema):
    name: str = Field(min_length=1, max_length=200)
    email: Email | Literal[""] = ""
    phone: str = Field("", max_length=40)
    job_title: str = Field("", max_length=120)
    language: LanguageCode = "nl"
    is_primary: Flag = False


class ContactPersonOut(Schema):
    id: int
    customer_id: int
    name: str
    email: str
    phone: str
    job_title: str
    language: str
    is_primary: bool


@router.get(
    "/customers/{customer_id}/contacts", response=list[ContactPersonOut], tags=["customers"]
)
def list_contact_people(request: HttpRequest, customer_id: int) -> Any:
    customer = get_scoped_or_404(caller(request), Customer, customer_id)
    return list(customer.contact_people.all())


@router.post(
    "/customers/{customer_id}/contacts", response={201: ContactPersonOut}, tags=["customers"]
)
def add_contact_person(request: HttpRequest, customer_id: int, payload: ContactPersonIn) -> Any:
    person = caller(request)
    customer = get_scoped_or_404(person, Customer, customer_id)
    require(person, Action.CREATE, CustomerContactPerson)
    return Status(201, services.add_contact_person(customer, **payload.model_dump()))


# --- API tokens --------------------------------------------------------------------------------


class TokenIn(InputSchema):
    name: str = Field(min_length=1, max_length=100)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewTokenOut(TokenOut):
    token: str = Field(description="Shown once. Store it now; only a hash is kept.")


@router.get("/tokens", response=list[TokenOut], tags=["tokens"])
def list_tokens(request: HttpRequest) -> Any:
    return list(scoped(caller(request), ApiToken))


@router.post("/tokens", response={201: NewTokenOut}, tags=["tokens"])
def create_token(request: HttpRequest, payload: TokenIn) -> Any:
    person = caller(request)
    with transaction.atomic():
        new = services.create_api_token(person, name=payload.name)
    out = TokenOut.from_orm(new.token).model_dump()
    return Status(201, {**out, "token": new.plaintext})


@router.delete("/tokens/{token_id}", response={204: None}, tags=["tokens"])
def revoke_token(request: HttpRequest, token_id: int) -> Any:
    person = caller(request)
    token = get_scoped_or_404(person, ApiToken, token_id)
    require(person, Action.DELETE, token)
    services.revoke_api_token(token)
    return Status(204, None)


# --- who am I ----------------------------------------------------------------------------------


class MeOut(Schema):
    id: int
    name: str
    email: str
    role: str
    team_id: int | None
    organisation: str = Field(alias="organisation.slug")


@router.get("/me", response=MeOut, tags=["people"])
def me(request: HttpRequest) -> Any:
    return caller(request)


# --- the organisation's settings ---------------------------------------------------------------


class OrganisationOut(Schema):
    name: str
    slug: str
    language: str
    survey_interval_days: int


class OrganisationPatch(PatchSchema):
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    language: LanguageCode | None = None
    survey_interval_days: Annotated[int, Field(ge=1, le=365)] | None = None


def _admin(request: HttpRequest) -> Person:
    person = caller(request)
    if not person.is_admin:
        raise PermissionDenied(_("Only administrators see and change the organisation's settings."))
    return person


@router.get("/organisation", response=OrganisationOut, tags=["organisation"])
def get_organisation(request: HttpRequest) -> Any:
    """The caller's organisation's own settings (administrators only)."""
    return _admin(request).organisation


@router.patch("/organisation", response=OrganisationOut, tags=["organisation"])
def update_organisation(request: HttpRequest, payload: OrganisationPatch) -> Any:
    """Change the organisation's name, default language or contact frequency
    (``survey_interval_days``, 1–365); administrators only, audited."""
    person = _admin(request)
    return services.update_organisation(person.organisation, **payload.changes())
