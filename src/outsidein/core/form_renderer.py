"""The site's form renderer: every empty choice says what it means.

Django writes an empty choice as "---------" (a model form's foreign key, a model field with
choices, a ``ModelChoiceField`` without its own ``empty_label``). Every form rendered on the
site goes through this renderer's bound field, which replaces that dash line: "— choose —"
where an answer is required, "— none —" where it may stay empty. A form that names its own
empty choice ("All teams", "No segment") keeps it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models.fields import BLANK_CHOICE_DASH
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy as _

DASH = BLANK_CHOICE_DASH[0][1]  # "---------"


def empty_label(field: forms.Field) -> Any:
    return _("— choose —") if field.required else _("— none —")


def meaningful_empty_choice(field: forms.Field) -> None:
    """Replace Django's "---------" empty choice of ``field`` (a form's own copy) in place."""
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label == DASH:
            field.empty_label = empty_label(field)
        return
    if isinstance(field, forms.ChoiceField):
        choices: list[Any] = list(field.choices)  # type: ignore[arg-type]
        if choices and choices[0][1] == DASH:
            field.choices = [(choices[0][0], empty_label(field)), *choices[1:]]


class BoundField(forms.BoundField):
    def __init__(self, form: forms.BaseForm, field: forms.Field, name: str) -> None:
        meaningful_empty_choice(field)
        super().__init__(form, field, name)


class Renderer(DjangoTemplates):
    bound_field_class = BoundField
