from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from outsidein.audit.models import Source
from outsidein.audit.services import action_label, known_values, object_type_label
from outsidein.core.models import Person


class AuditFilterForm(forms.Form):
    label_suffix = ""
    actor = forms.TypedChoiceField(label=_("Who"), required=False, coerce=int, empty_value=None)
    action = forms.ChoiceField(label=_("What"), required=False)
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    source = forms.ChoiceField(
        label=_("Through"), required=False, choices=[("", _("Anywhere")), *Source.choices]
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = Person.objects.filter(organisation_id=organisation_id).order_by("name")
        self.fields["actor"].choices = [  # type: ignore[attr-defined]
            ("", _("Anyone")),
            *((p.pk, p.name) for p in people.only("pk", "name")),
        ]
        known = known_values(organisation_id)
        self.fields["action"].choices = [  # type: ignore[attr-defined]
            ("", _("Any action")),
            *((a, action_label(a)) for a in known["actions"]),
        ]
        self.fields["object_type"].choices = [  # type: ignore[attr-defined]
            ("", _("Any object")),
            *((t, object_type_label(t)) for t in known["object_types"] if t),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("since", "until"):
            value = data.get(name)
            if value is not None and not 1900 <= value.year <= 2999:
                self.add_error(name, _("Choose a date between the years 1900 and 2999."))
        return data
