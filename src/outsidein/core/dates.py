"""The one rule for dates people and programs give us: years 1900 to 2999.

Python's dates run from year 1 to 9999, but a period that ends on 9999-12-31 has no next day and a
moment in year 1 has no UTC offset, so such input used to end in a server error. Every form field
and API type that takes a date or a moment checks the year here and answers with a message that
names the field (the API's 422, a form's error).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MIN_YEAR = 1900
MAX_YEAR = 2999


def out_of_range_message() -> str:
    return _("Use a date between the years %(first)s and %(last)s.") % {
        "first": MIN_YEAR,
        "last": MAX_YEAR,
    }


def in_range(value: date | datetime | None) -> bool:
    return value is None or MIN_YEAR <= value.year <= MAX_YEAR


def check(value: Any) -> Any:
    """For pydantic (``AfterValidator``): ValueError with the message when out of range."""
    if isinstance(value, (date, datetime)) and not in_range(value):
        raise ValueError(out_of_range_message())
    return value


def validate(value: Any) -> None:
    """For Django forms and models: ValidationError with the message when out of range."""
    if isinstance(value, (date, datetime)) and not in_range(value):
        raise ValidationError(out_of_range_message(), code="date_range")


class DateField(forms.DateField):
    default_validators = [validate]


class DateTimeField(forms.DateTimeField):
    default_validators = [validate]

    def to_python(self, value: Any) -> Any:
        # A moment in year 1 or 9999 cannot be made aware in every time zone: check first.
        try:
            return super().to_python(value)
        except (OverflowError, ValueError):
            raise ValidationError(out_of_range_message(), code="date_range") from None


def bounded_formfield(db_field: Any, **kwargs: Any) -> Any:
    """``formfield_callback`` for model forms: their date and moment fields get the bounds too."""
    from django.db import models

    if isinstance(db_field, models.DateTimeField):
        kwargs.setdefault("form_class", DateTimeField)
    elif isinstance(db_field, models.DateField):
        kwargs.setdefault("form_class", DateField)
    return db_field.formfield(**kwargs)


RANGE_HELP = gettext_lazy("Years 1900 to 2999.")


# --- dates shown to people, in the active language ---------------------------------------------


def _month_abbreviation() -> str:
    """Django's "M" capitalises the abbreviation ("Dec"), as English writes it; Dutch writes it
    in lower case ("dec", "mrt"): "b"."""
    from django.utils.translation import get_language

    return "b" if (get_language() or "").startswith("nl") else "M"


def month_year(value: date | datetime) -> str:
    """A short month and year in the active language: "Dec 2026", "dec 2026"."""
    from django.utils import formats

    return formats.date_format(value, f"{_month_abbreviation()} Y")


def day_month(value: date | datetime) -> str:
    """A day and short month in the active language: "4 Dec", "4 dec"."""
    from django.utils import formats

    return formats.date_format(value, f"j {_month_abbreviation()}")
