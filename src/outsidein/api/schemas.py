"""Building blocks every API schema uses, so that the API means what its OpenAPI says:
strict types (no "yes" for true, no "1" for 1), ids within the database's range, email
addresses validated like Django's forms, PATCH bodies that must be JSON objects, page numbers
within reason."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination
from pydantic import AfterValidator, BeforeValidator, StrictBool, ValidationInfo, model_validator

from outsidein.core import dates

MAX_ID = 2**63 - 1


def _json_integer(value: Any) -> Any:
    """A JSON integer: 5 or 5.0 (JSON Schema's integer), never "5" or true."""
    if isinstance(value, (bool, str, bytes)):
        raise ValueError(gettext("Input should be a whole number."))
    return value


WholeNumber = Annotated[int, BeforeValidator(_json_integer)]
# An order or position in a list: whole, not negative, within a small integer column.
Position = Annotated[int, Field(ge=0, le=32000), BeforeValidator(_json_integer)]
Id = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_json_integer)]
QueryId = Annotated[int, Field(ge=1, le=MAX_ID)]
Flag = StrictBool


def _in_callers_organisation(label: str) -> Any:
    """A query filter's id must name a record of the caller's organisation: a foreign or unknown
    id is bad input (422 naming the parameter), never a silently empty answer."""

    def check(value: int, info: ValidationInfo) -> int:
        request = (info.context or {}).get("request")
        person = getattr(request, "auth", None) or getattr(request, "person", None)
        organisation_id = getattr(person, "organisation_id", None)
        if organisation_id is None:
            return value
        from django.apps import apps

        model = apps.get_model(label)
        if not model._default_manager.filter(organisation_id=organisation_id, pk=value).exists():
            raise ValueError(
                gettext("There is no %(model)s with id %(id)s.")
                % {"model": model._meta.verbose_name, "id": value}
            )
        return value

    return AfterValidator(check)


# Ids in query filters, checked against the caller's organisation.
SurveyRef = Annotated[
    int,
    Field(ge=1, le=MAX_ID, json_schema_extra={"x-scoped-to": "voice.Survey"}),
    _in_callers_organisation("voice.Survey"),
]
SegmentRef = Annotated[
    int,
    Field(ge=1, le=MAX_ID, json_schema_extra={"x-scoped-to": "core.Segment"}),
    _in_callers_organisation("core.Segment"),
]
TeamRef = Annotated[
    int,
    Field(ge=1, le=MAX_ID, json_schema_extra={"x-scoped-to": "core.Team"}),
    _in_callers_organisation("core.Team"),
]
PersonRef = Annotated[
    int,
    Field(ge=1, le=MAX_ID, json_schema_extra={"x-scoped-to": "core.Person"}),
    _in_callers_organisation("core.Person"),
]
ScenarioRef = Annotated[
    int,
    Field(ge=1, le=MAX_ID, json_schema_extra={"x-scoped-to": "mystery.Scenario"}),
    _in_callers_organisation("mystery.Scenario"),
]
WaveRef = Annotated[
    int,
    Field(ge=1, le=MAX_ID, json_schema_extra={"x-scoped-to": "centricity.Wave"}),
    _in_callers_organisation("centricity.Wave"),
]


def _email(value: str) -> str:
    value = value.strip()
    try:
        validate_email(value)
    except DjangoValidationError:
        raise ValueError(gettext("Enter a valid email address.")) from None
    return value.lower()


Email = Annotated[
    str, Field(max_length=254, json_schema_extra={"format": "email"}), AfterValidator(_email)
]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _iso_only(value: Any) -> Any:
    """Dates and times as ISO 8601 text (or already parsed), never as numbers."""
    if isinstance(value, (date, datetime)):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError(
            gettext("Use an ISO 8601 date like 2026-03-01 or 2026-03-01T14:30:00+01:00.")
        )
    return value


# Years 1900-2999 only (core.dates): 9999-12-31 has no next day, year 1 no UTC offset.
_YEARS = {"pattern": r"^(19\d\d|2\d\d\d)-", "description": "Years 1900 to 2999"}
IsoDate = Annotated[
    date, BeforeValidator(_iso_only), AfterValidator(dates.check), Field(json_schema_extra=_YEARS)
]
IsoDateTime = Annotated[
    datetime,
    BeforeValidator(_iso_only),
    AfterValidator(dates.check),
    Field(json_schema_extra=_YEARS),
]


NpsScore = Annotated[int, Field(ge=0, le=10), BeforeValidator(_json_integer)]
CsatScore = Annotated[int, Field(ge=1, le=5), BeforeValidator(_json_integer)]
CesScore = Annotated[int, Field(ge=1, le=7), BeforeValidator(_json_integer)]
Rating = Annotated[int, Field(ge=1, le=5), BeforeValidator(_json_integer)]


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_contains_nul(v) for v in value)
    return False


class InputSchema(Schema):
    """Every request body: a JSON object (ninja would otherwise read a bare string or list
    attribute by attribute, and a body of optional fields would accept ``[null]``), whose text
    contains no NUL characters (PostgreSQL cannot store them)."""

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        body = getattr(value, "_obj", value)
        if isinstance(body, (str, bytes, list, tuple, int, float, bool)) or body is None:
            raise ValueError(gettext("The body must be a JSON object."))
        if _contains_nul(body):
            raise ValueError(gettext("Text may not contain NUL (\\u0000) characters."))
        return value


class PatchSchema(InputSchema):
    """A partial update: a JSON object whose keys are the fields to change. ``null`` clears a
    field only where clearing means something (``CLEARABLE``); elsewhere it means "unchanged"."""

    CLEARABLE: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _object_only(cls, value: Any) -> Any:
        # ninja wraps the parsed body in a DjangoGetter before model validators run.
        body = getattr(value, "_obj", value)
        if not isinstance(body, dict):
            raise ValueError(gettext("The body must be a JSON object of the fields to change."))
        return value

    def changes(self) -> dict[str, Any]:
        return {
            name: value
            for name, value in self.model_dump(exclude_unset=True).items()
            if value is not None or name in self.CLEARABLE
        }


class Pagination(PageNumberPagination):
    """Pages of at most 500 items; page numbers stay within what a database can offset."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=500)


class EstimateOut(Schema):
    """A figure with its 95% interval; ``enough`` is False below the minimum n."""

    value: float | None
    low: float | None
    high: float | None
    n: int
    enough: bool


class ErrorOut(Schema):
    detail: str


class FieldError(Schema):
    loc: list[str | int]
    msg: str
    type: str | None = None


class ValidationErrorOut(Schema):
    detail: list[FieldError]


__all__ = [
    "CesScore",
    "CsatScore",
    "Email",
    "ErrorOut",
    "Flag",
    "Id",
    "InputSchema",
    "IsoDate",
    "IsoDateTime",
    "NpsScore",
    "Pagination",
    "PatchSchema",
    "Position",
    "QueryId",
    "Rating",
    "ValidationErrorOut",
]
