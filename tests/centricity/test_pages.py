"""The mirror survey's pages: answering, the gap, reliability, waves, statements, teams."""

from __future__ import annotations

import pytest

from outsidein.centricity import services
from outsidein.centricity.models import EmployeeResponse, MirrorItem, Wave
from outsidein.core.models import Segment
from tests.centricity.conftest import add_customers, add_employees, dimension_keys
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db


def test_employee_answers_once_from_my_work(tenant: Tenant, wave: Wave) -> None:
    client = tenant.client_for(tenant.employee)
    work = client.get("/work/")
    assert f"/mirror/answer/{wave.pk}/".encode() in work.content
    page = client.get(f"/mirror/answer/{wave.pk}/")
    assert page.status_code == 200 and b"Strongly disagree" in page.content
    bad = client.post(f"/mirror/answer/{wave.pk}/", {"resp-complaint": "12"})
    assert bad.status_code == 200 and b"field-error" in bad.content
    done = client.post(f"/mirror/answer/{wave.pk}/", {"resp-complaint": "6", "superior": "7"})
    assert done.status_code == 302
    assert EmployeeResponse.objects.count() == 1
    again = client.get(f"/mirror/answer/{wave.pk}/")
    assert b"You have answered" in again.content
    assert f"/mirror/answer/{wave.pk}/".encode() not in client.get("/work/").content


def test_gap_page_tells_the_story_and_hides_small_groups(tenant: Tenant, wave: Wave) -> None:
    keys = [i["key"] for i in wave.items]
    add_employees(wave, None, [dict.fromkeys(keys, 6 + i % 2) for i in range(7)])
    add_employees(wave, tenant.employee.team, [dict.fromkeys(keys, 6) for _ in range(3)])
    add_customers(wave, [dict.fromkeys(keys, 3 + i % 2) for i in range(9)])
    client = tenant.client_for(tenant.employee)
    page = client.get("/mirror/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "paired-dots" in text and "nan" not in text.lower().replace("nance", "")
    assert 'data-testid="gap-story"' in text
    team_page = client.get(f"/mirror/?wave={wave.pk}&team={tenant.employee.team_id}")
    text = team_page.content.decode()
    assert "fewer than 5" in text
    assert "serves no customer segment" in text


def test_gap_page_before_any_wave(tenant: Tenant) -> None:
    page = tenant.client_for(tenant.admin).get("/mirror/")
    assert page.status_code == 200 and b"No mirror survey wave has opened yet" in page.content


def test_foreign_team_or_wave_filter_is_ignored_or_404(
    tenant: Tenant, other_tenant: Tenant, wave: Wave
) -> None:
    theirs = services.create_wave(other_tenant.organisation, name="Theirs")
    client = tenant.client_for(tenant.admin)
    assert client.get(f"/mirror/?wave={theirs.pk}").status_code == 200
    assert client.get(f"/mirror/answer/{theirs.pk}/").status_code == 404
    assert client.get(f"/mirror/waves/{theirs.pk}/").status_code == 404


def test_reliability_page(tenant: Tenant, wave: Wave) -> None:
    keys = dimension_keys(wave, "responsiveness")
    add_employees(
        wave, None, [{k: 3 + (i * (j + 1)) % 5 for j, k in enumerate(keys)} for i in range(9)]
    )
    client = tenant.client_for(tenant.employee)
    page = client.get("/mirror/reliability/")
    assert page.status_code == 200 and b"reliability-responsiveness" in page.content
    customers = client.get(f"/mirror/reliability/?wave={wave.pk}&side=customer")
    assert customers.status_code == 200


def test_admin_runs_a_wave_and_edits_statements(tenant: Tenant) -> None:
    client = tenant.client_for(tenant.admin)
    created = client.post("/mirror/waves/", {"name": "Najaar"})
    assert created.status_code == 302
    wave = Wave.objects.get(name="Najaar")
    assert client.post(f"/mirror/waves/{wave.pk}/open/").status_code == 302
    wave.refresh_from_db()
    assert wave.status == "open" and wave.survey is not None
    assert client.get(f"/mirror/waves/{wave.pk}/").status_code == 200
    assert client.post(f"/mirror/waves/{wave.pk}/bogus/").status_code == 404
    assert client.get("/mirror/statements/").status_code == 200
    item = MirrorItem.objects.get(organisation=tenant.organisation, key="know-ask")
    assert client.post(f"/mirror/statements/{item.pk}/toggle/").status_code == 302
    item.refresh_from_db()
    assert item.hidden
    bad = client.post(
        "/mirror/statements/new/", {"new-dimension": "knowing", "new-employee_nl": ""}
    )
    assert bad.status_code == 200
    ok = client.post(
        "/mirror/statements/new/",
        {
            "new-dimension": "knowing",
            "new-employee_nl": "Wij bellen klanten.",
            "new-customer_nl": "{org} belt mij.",
        },
    )
    assert ok.status_code == 302
    segment = Segment.objects.create(organisation=tenant.organisation, name="MKB")
    team = tenant.employee.team
    assert client.post("/mirror/teams/", {f"team-{team.pk}": [str(segment.pk)]}).status_code == 302
    assert services.served_segments(tenant.organisation) == {team.pk: {segment.pk}}
    assert client.post(f"/mirror/waves/{wave.pk}/delete/").status_code == 302
    assert not Wave.objects.filter(pk=wave.pk).exists()


def test_employees_cannot_manage(tenant: Tenant, wave: Wave) -> None:
    client = tenant.client_for(tenant.employee)
    assert client.post("/mirror/waves/", {"name": "X"}).status_code == 403
    assert client.post(f"/mirror/waves/{wave.pk}/close/").status_code == 403
    item = MirrorItem.objects.filter(organisation=tenant.organisation).first()
    assert client.post(f"/mirror/statements/{item.pk}/toggle/").status_code == 403
    assert client.post("/mirror/teams/", {}).status_code == 403
    for url in ("/mirror/waves/", "/mirror/statements/", "/mirror/teams/", "/mirror/answer/"):
        assert client.get(url).status_code == 200
