"""The mirror survey's services: statements, waves, anonymous answers, and the gap with its bad
input (too few answers, one statement, all answers equal, a team with no customers)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from outsidein.centricity import services
from outsidein.centricity.bank import ITEMS, SUPERIOR
from outsidein.centricity.models import EmployeeResponse, MirrorItem, Participation, Wave
from outsidein.core.models import Segment
from outsidein.voice.models import QuestionKind
from tests.centricity.conftest import add_customers, add_employees, dimension_keys, uniform
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db


def _no_nan(obj: Any) -> None:
    if isinstance(obj, dict):
        for value in obj.values():
            _no_nan(value)
    elif isinstance(obj, list):
        for value in obj:
            _no_nan(value)
    elif isinstance(obj, float):
        assert not math.isnan(obj)


def test_bank_has_six_dimensions_of_three_to_five_statements() -> None:
    from collections import Counter

    per = Counter(item.dimension for item in ITEMS)
    assert len(per) == 6
    assert all(3 <= n <= 5 for n in per.values())
    for item in ITEMS:
        assert ("{org}" in item.customer_nl and "{org}" in item.customer_en) or item.key in {
            "resp-solve"
        }


def test_items_are_seeded_once_and_can_be_reworded_hidden_added(tenant: Tenant) -> None:
    organisation = tenant.organisation
    items = services.ensure_items(organisation)
    assert len(items) == len(ITEMS) + 1
    assert len(services.ensure_items(organisation)) == len(items)
    item = MirrorItem.objects.get(organisation=organisation, key="resp-complaint")
    services.update_item(item, employee_en="We answer complaints the same day.", hidden=True)
    services.ensure_items(organisation)
    item.refresh_from_db()
    assert item.hidden and item.employee_en == "We answer complaints the same day."
    services.reset_item(item)
    item.refresh_from_db()
    assert not item.hidden and item.employee_en == "We respond quickly when a customer complains."
    own = services.add_item(
        organisation, dimension="involving", employee_nl="We testen met klanten.", customer_nl="x"
    )
    assert own.custom and own.key.startswith("own-") and own.employee_en == own.employee_nl
    with pytest.raises(ValidationError) as error:
        services.delete_item(item)
    assert "hidden" in error.value.message_dict
    services.delete_item(own)
    headline = MirrorItem.objects.get(organisation=organisation, key=SUPERIOR)
    with pytest.raises(ValidationError):
        services.update_item(headline, hidden=True)
    with pytest.raises(ValidationError) as error:
        services.add_item(organisation, dimension="nope", employee_nl="a", customer_nl="b")
    assert "dimension" in error.value.message_dict


def test_opening_a_wave_freezes_the_statements_and_creates_the_customer_survey(
    tenant: Tenant,
) -> None:
    organisation = tenant.organisation
    services.ensure_items(organisation)
    MirrorItem.objects.filter(organisation=organisation, key="know-change").update(hidden=True)
    wave = services.open_wave(services.create_wave(organisation, name="Voorjaar"))
    keys = [i["key"] for i in wave.items]
    assert "know-change" not in keys and SUPERIOR in keys
    survey = wave.survey
    assert survey is not None and survey.is_accepting()
    questions = list(survey.questions.all())
    assert [q.key for q in questions] == keys
    assert {q.kind for q in questions} == {QuestionKind.AGREE}
    assert organisation.name in questions[0].text_en and "{org}" not in questions[0].text_nl
    # Rewording later does not change what the wave asked.
    item = MirrorItem.objects.get(organisation=organisation, key=keys[0])
    services.update_item(item, employee_en="Something else entirely.")
    wave.refresh_from_db()
    assert wave.items[0]["employee_en"] != "Something else entirely."
    services.close_wave(wave)
    survey.refresh_from_db()
    assert not wave.is_accepting() and not survey.is_accepting()
    with pytest.raises(ValidationError):
        services.open_wave(wave)


def test_a_wave_needs_a_visible_statement(tenant: Tenant) -> None:
    services.ensure_items(tenant.organisation)
    MirrorItem.objects.filter(organisation=tenant.organisation).exclude(key=SUPERIOR).update(
        hidden=True
    )
    with pytest.raises(ValidationError):
        services.open_wave(services.create_wave(tenant.organisation, name="Leeg"))


def test_employee_answers_are_anonymous_and_once(tenant: Tenant, wave: Wave) -> None:
    person = tenant.employee
    response = services.submit_employee_response(wave, person, {"resp-complaint": "6"})
    assert services.has_answered(wave, person)
    assert not services.has_answered(wave, tenant.manager)
    with pytest.raises(services.AlreadyAnswered):
        services.submit_employee_response(wave, person, {"resp-complaint": "2"})
    assert EmployeeResponse.objects.count() == 1
    stored = EmployeeResponse.objects.get()
    assert stored.answers == {"resp-complaint": 6} and stored.team_id == person.team_id
    field_names = {f.name for f in EmployeeResponse._meta.get_fields()}
    assert field_names == {"id", "organisation", "wave", "team", "answers"}
    participation = Participation.objects.get()
    import hashlib

    plain = f"{wave.organisation_id}:{wave.pk}:{person.pk}".encode()
    assert participation.digest != hashlib.sha256(plain).hexdigest()  # keyed, not guessable
    assert len(participation.digest) == 64
    assert {f.name for f in Participation._meta.get_fields()} == {
        "id",
        "organisation",
        "wave",
        "digest",
    }
    assert response.pk != participation.pk


@pytest.mark.parametrize(
    ("data", "field"),
    [({}, "__all__"), ({"resp-complaint": "9"}, "resp-complaint"), ({"x": "3"}, "__all__")],
)
def test_bad_employee_answers(tenant: Tenant, wave: Wave, data: dict, field: str) -> None:
    with pytest.raises(ValidationError) as error:
        services.submit_employee_response(wave, tenant.employee, data)
    assert field in error.value.message_dict
    assert not services.has_answered(wave, tenant.employee)


def test_a_closed_wave_takes_no_answers(tenant: Tenant, wave: Wave) -> None:
    services.close_wave(wave)
    with pytest.raises(services.WaveNotOpen):
        services.submit_employee_response(wave, tenant.employee, {"resp-complaint": "5"})


def _spread(keys: list[str], base: int, n: int) -> list[dict[str, int]]:
    return [{k: max(1, min(7, base + (i % 3) - 1)) for k in keys} for i in range(n)]


def test_gap_per_dimension_and_headline(tenant: Tenant, wave: Wave) -> None:
    keys = [i["key"] for i in wave.items if i["dimension"]]
    employees = [uniform(keys, 6, **{SUPERIOR: 7}) | {keys[0]: 5 + i % 2} for i in range(8)]
    for i, row in enumerate(employees):
        for key in keys:
            row[key] = 5 + (i + len(key)) % 3
    add_employees(wave, tenant.employee.team, employees)
    customers = []
    for i in range(20):
        row = {key: 3 + (i + len(key)) % 3 for key in keys}
        row[SUPERIOR] = 7 if i < 2 else 3
        customers.append(row)
    add_customers(wave, customers)
    gaps = services.dimension_gaps(tenant.organisation)
    assert [g.key for g in gaps] == [
        "knowing",
        "responsiveness",
        "promises",
        "involving",
        "everyone",
        "leadership",
    ]
    for gap in gaps:
        assert gap.employee.n == 8 and gap.customer.n == 20
        assert gap.gap.difference == pytest.approx(gap.employee.value - gap.customer.value)  # type: ignore[operator]
        assert gap.gap.difference > 1.5 and gap.significant  # type: ignore[operator]
        assert gap.employee_enough and gap.customer_enough and gap.statement == ""
        _no_nan(gap.to_dict())
    superior = services.superior_experience(tenant.organisation)
    assert superior is not None
    assert superior.employee.value == 100.0 and superior.customer.value == 10.0
    assert superior.gap.difference == pytest.approx(90.0) and superior.gap.significant


def test_fewer_than_five_employees_are_hidden_everywhere(tenant: Tenant, wave: Wave) -> None:
    keys = dimension_keys(wave, "responsiveness")
    add_employees(wave, tenant.employee.team, _spread(keys, 6, 4))
    add_customers(wave, _spread(keys, 4, 10))
    gap = next(g for g in services.dimension_gaps(tenant.organisation) if g.key == "responsiveness")
    assert gap.employee.hidden and gap.employee.value is None and gap.employee.alpha is None
    assert gap.gap.difference is None and "Fewer than 5" in gap.statement
    rows = services.reliability_for(tenant.organisation, side="employee")
    assert all(row.reliability.alpha is None for row in rows)
    assert any(row.hidden for row in rows)
    superior = services.superior_experience(tenant.organisation)
    assert superior is not None and superior.employee.value is None


def test_too_few_customers_is_said_not_computed(tenant: Tenant, wave: Wave) -> None:
    keys = dimension_keys(wave, "knowing")
    add_employees(wave, None, _spread(keys, 6, 6))
    add_customers(wave, _spread(keys, 3, 2))
    gap = next(g for g in services.dimension_gaps(tenant.organisation) if g.key == "knowing")
    assert gap.employee.value is not None
    assert gap.customer.enough is False and gap.gap.difference is None
    assert "Too few customers" in gap.statement


def test_a_team_with_no_customers(tenant: Tenant, wave: Wave) -> None:
    team = tenant.employee.team
    keys = dimension_keys(wave, "knowing")
    add_employees(wave, team, _spread(keys, 6, 6))
    add_customers(wave, _spread(keys, 3, 12))
    gap = next(g for g in services.dimension_gaps(tenant.organisation, team=team))
    assert gap.customer.n == 0 and gap.gap.difference is None
    assert "serves no customer segment" in gap.statement
    # Once it serves a segment, the customers of that segment are its comparison.
    segment = Segment.objects.create(organisation=tenant.organisation, name="MKB")
    services.set_served_segments(team, [segment])
    add_customers(wave, _spread(keys, 3, 7), segment=segment)
    gap = next(g for g in services.dimension_gaps(tenant.organisation, team=team))
    assert gap.customer.n == 7 and gap.gap.difference is not None


def test_a_dimension_with_one_statement_and_all_answers_equal(
    tenant: Tenant,
) -> None:
    organisation = tenant.organisation
    services.ensure_items(organisation)
    knowing = MirrorItem.objects.filter(organisation=organisation, dimension="knowing")
    knowing.exclude(key="know-needs").update(hidden=True)
    wave = services.open_wave(services.create_wave(organisation, name="Smal"))
    keys = dimension_keys(wave, "promises")
    add_employees(wave, None, [uniform(keys, 5, **{"know-needs": 6}) for _ in range(6)])
    add_customers(wave, [uniform(keys, 5, **{"know-needs": 3}) for _ in range(6)])
    rows = {row.key: row for row in services.reliability_for(organisation, wave=wave)}
    assert rows["knowing"].reliability.reason == "one_item"
    assert "one statement" in rows["knowing"].statement
    assert rows["promises"].reliability.reason == "no_variance"
    assert "same answers" in rows["promises"].statement
    gaps = {g.key: g for g in services.dimension_gaps(organisation, wave=wave)}
    # All equal: the means are exact, the gap has zero width, nothing is NaN.
    assert gaps["promises"].gap.difference == 0.0 and not gaps["promises"].significant
    assert gaps["knowing"].gap.difference == 3.0 and gaps["knowing"].significant
    for gap in gaps.values():
        _no_nan(gap.to_dict())


def test_no_wave_yet(tenant: Tenant) -> None:
    assert services.dimension_gaps(tenant.organisation) == []
    assert services.superior_experience(tenant.organisation) is None
    assert services.trend(tenant.organisation) == []


def test_trend_is_oldest_first(tenant: Tenant) -> None:
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    first = services.open_wave(
        services.create_wave(tenant.organisation, name="A", opens_at=now - timedelta(days=200))
    )
    second = services.open_wave(
        services.create_wave(tenant.organisation, name="B", opens_at=now - timedelta(days=10))
    )
    assert [p.wave for p in services.trend(tenant.organisation)] == [first, second]
    assert services.latest_wave(tenant.organisation) == second


def test_deleting_a_wave_takes_its_customer_answers_out_of_the_rollups(
    tenant: Tenant, wave: Wave
) -> None:
    from outsidein.analytics.models import DailyRollup

    add_customers(wave, [{"know-needs": 4}] * 3)
    assert DailyRollup.objects.filter(survey_id=wave.survey_id).exists()
    survey_id = wave.survey_id
    services.delete_wave(wave)
    assert not DailyRollup.objects.filter(survey_id=survey_id, items__gt=0).exists()
