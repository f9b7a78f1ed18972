"""No "---------": every empty choice says what it means, in the active language."""

from __future__ import annotations

import pytest
from django import forms
from django.utils import translation

from outsidein.core.models import Customer, Segment
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db

DASH = "---------"


class _CustomerForm(forms.ModelForm):
    kind = forms.ChoiceField(choices=[("", DASH), ("a", "A")])

    class Meta:
        model = Customer
        fields = ["segment", "language"]


def test_model_form_choices_say_what_empty_means() -> None:
    form = _CustomerForm()
    with translation.override("en"):
        html = str(form)
    assert DASH not in html
    assert "— none —" in html  # the optional segment
    assert "— choose —" in html  # the required kind
    with translation.override("nl"):
        assert "— geen —" in str(_CustomerForm())


def test_own_empty_labels_are_kept() -> None:
    from outsidein.core.forms import CustomerSearchForm  # "All segments"

    with translation.override("en"):
        html = str(CustomerSearchForm(segments=Segment.objects.none()))
    assert DASH not in html and "All segments" in html


@pytest.mark.parametrize(
    "path", ["/customers/new/", "/settings/practice/", "/teams/new/", "/people/invite/"]
)
def test_pages_show_no_dash_choices(tenant: Tenant, path: str) -> None:
    answer = tenant.client_for(tenant.admin).get(path)
    if answer.status_code == 404:
        pytest.skip(f"{path} is not a page here")
    assert answer.status_code == 200
    assert DASH not in answer.content.decode()
