"""The index with a database: loading the indicators per quarter and team, the settings, the
pages, the API and the CLI; bad input (too few responses, missing pillars, a team with no
customers) gives a statement, never NaN or a crash."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from outsidein.centricity import indicators, services
from outsidein.centricity.indicators import compute_index
from outsidein.centricity.models import IndexSettings, IndicatorSetting, Wave
from outsidein.cli import main
from outsidein.core.models import Segment, Team
from outsidein.core.periods import Quarter
from tests.centricity.conftest import add_customers, add_employees, dimension_keys, uniform
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db


def _current() -> str:
    """The running quarter: the tests' data is recorded today, so they ask for it explicitly
    (the default is the last complete quarter)."""
    return str(Quarter.of(timezone.localdate()))


def _last_complete() -> str:
    return str(Quarter.of(timezone.localdate()).previous())


def _answers(wave: Wave, value: int) -> dict[str, int]:
    return {i["key"]: value for i in services.wave_items(wave)}


def test_empty_organisation_has_no_index_and_says_why(tenant: Tenant) -> None:
    result = compute_index(tenant.organisation)
    assert str(result.quarter) == _last_complete()  # the default: never a running quarter
    assert result.value is None
    assert "Too little data" in result.statement
    assert result.missing_count == result.total_count == len(indicators.default_specs())
    mirror = next(i for i in result.indicators if i.key == "mirror_knowing")
    assert "No mirror survey wave" in mirror.reason
    nps = next(i for i in result.indicators if i.key == "nps")
    assert nps.missing and nps.reading.url.startswith("/dashboard/")
    text = json.dumps(result.to_dict())
    assert "NaN" not in text and "Infinity" not in text


def test_perception_from_the_wave_and_too_few_customers(tenant: Tenant, wave: Wave) -> None:
    add_customers(wave, [_answers(wave, 5)] * 4)
    result = compute_index(tenant.organisation, quarter=_current())
    knowing = next(i for i in result.indicators if i.key == "mirror_knowing")
    assert knowing.missing and "Too few customers answered (4" in knowing.reason
    add_customers(wave, [_answers(wave, 6)] * 6)
    result = compute_index(tenant.organisation, quarter=_current())
    knowing = next(i for i in result.indicators if i.key == "mirror_knowing")
    assert knowing.reading.value == pytest.approx(5.6)
    assert knowing.attainment == 100.0
    assert knowing.reading.url == f"/mirror/?wave={wave.pk}"
    assert result.pillars[0].score is not None
    # Only perception: one pillar is too little for an index.
    assert result.value is None and "1 of the 2" in result.statement
    assert result.wave == wave and len(result.dimensions) == 6


def test_a_quarter_before_the_first_wave_has_no_perception(tenant: Tenant, wave: Wave) -> None:
    add_customers(wave, [_answers(wave, 6)] * 6)
    earlier = Quarter.of(timezone.localdate()).back(5)[0]
    result = compute_index(tenant.organisation, quarter=earlier)
    assert result.wave is None
    assert result.pillars[0].score is None


def test_team_with_no_customers(tenant: Tenant, wave: Wave) -> None:
    team = tenant.manager.team
    add_employees(wave, team, [_answers(wave, 6)] * 6)
    add_customers(wave, [_answers(wave, 4)] * 8)
    result = compute_index(tenant.organisation, quarter=_current(), team=team)
    knowing = next(i for i in result.indicators if i.key == "mirror_knowing")
    assert knowing.missing and "serves no customer segment" in knowing.reason
    assert result.value is None
    # Once it serves a segment, its customers count.
    segment = Segment.objects.create(organisation=tenant.organisation, name="Households")
    services.set_served_segments(team, [segment])
    add_customers(wave, [_answers(wave, 3)] * 5, segment=segment)
    result = compute_index(tenant.organisation, quarter=_current(), team=team)
    knowing = next(i for i in result.indicators if i.key == "mirror_knowing")
    assert knowing.reading.value == pytest.approx(3.0) and knowing.reading.n == 5
    gap = next(d for d in result.dimensions if d.key == "knowing")
    assert gap.gap.difference == pytest.approx(3.0)


def test_team_of_another_organisation_is_refused(tenant: Tenant, other_tenant: Tenant) -> None:
    with pytest.raises(ValueError):
        compute_index(tenant.organisation, team=other_tenant.manager.team)


def test_outcomes_from_feedback_with_enough_responses(tenant: Tenant) -> None:
    from outsidein.voice.models import Channel, FeedbackKind
    from outsidein.voice.services import FeedbackRow, bulk_record

    team = tenant.manager.team
    now = timezone.now()
    rows = [
        FeedbackRow(
            kind=FeedbackKind.RESPONSE,
            channel=Channel.EMAIL,
            language="nl",
            submitted_at=now - timedelta(minutes=n),
            team_id=team.pk,
            nps=10 if n % 2 else 6,
        )
        for n in range(40)
    ]
    bulk_record(tenant.organisation, rows)
    result = compute_index(tenant.organisation, quarter=_current())
    nps = next(i for i in result.indicators if i.key == "nps")
    assert nps.reading.value == pytest.approx(0.0) and nps.reading.n == 40
    assert nps.attainment == pytest.approx(50 / 80 * 100)  # (0 + 50) / (30 + 50)
    csat = next(i for i in result.indicators if i.key == "csat")
    assert csat.missing and csat.reading.n == 0
    team_result = compute_index(tenant.organisation, quarter=_current(), team=team)
    team_nps = next(i for i in team_result.indicators if i.key == "nps")
    assert team_nps.reading.n == 40 and f"team={team.pk}" in team_nps.reading.url


def test_settings_are_stored_and_checked(tenant: Tenant) -> None:
    organisation = tenant.organisation
    saved = indicators.save_settings(
        organisation,
        pillar_weights={"perception": 2, "behaviour": 1, "outcomes": 0},
        indicators={"nps": {"target": 40, "floor": -100, "weight": 3}},
    )
    assert saved.pillar_weights == {"perception": 2.0, "behaviour": 1.0, "outcomes": 0.0}
    nps = saved.spec("nps")
    assert (nps.target, nps.floor, nps.weight) == (40.0, -100.0, 3.0)
    with pytest.raises(Exception) as caught:
        indicators.save_settings(
            organisation,
            pillar_weights={"perception": 1, "behaviour": 1, "outcomes": 1},
            indicators={"ces": {"target": 7, "floor": 3, "weight": 1}, "nps": {"target": "x"}},
        )
    errors = caught.value.message_dict  # type: ignore[attr-defined]
    assert "below the floor" in errors["ces-target"][0]
    assert errors["nps-target"] == ["Enter a number."]
    # Nothing of the failed save was stored.
    assert indicators.settings_for(organisation).pillar_weights["outcomes"] == 0.0
    with pytest.raises(Exception, match="above 0"):
        indicators.save_settings(
            organisation,
            pillar_weights={"perception": 0, "behaviour": 0, "outcomes": 0},
            indicators={},
        )


def test_index_page(tenant: Tenant, wave: Wave) -> None:
    add_customers(wave, [_answers(wave, 5)] * 6)
    client = tenant.client_for(tenant.employee)
    response = client.get("/index/", {"quarter": _current()})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Customer-centricity index" in body
    assert "so far (" in body  # the running quarter is named as running
    assert "no index" in body and "Too little data" in body
    assert f'href="/mirror/?wave={wave.pk}"' in body
    assert "clamp((value − floor)" in body
    assert "Targets and weights" not in body  # employees do not see the settings link
    team = tenant.manager.team
    response = client.get(f"/index/?quarter=2025-Q1&team={team.pk}")
    assert response.status_code == 200
    assert "2025-Q1" in response.content.decode()
    response = client.get("/index/?quarter=nonsense")
    assert response.status_code == 200
    assert "A quarter is written like 2026-Q3" in response.content.decode()


def test_settings_page_for_admins_only(tenant: Tenant) -> None:
    assert tenant.client_for(tenant.employee).get("/index/settings/").status_code == 403
    client = tenant.client_for(tenant.admin)
    response = client.get("/index/settings/")
    assert response.status_code == 200
    assert 'name="nps-target"' in response.content.decode()
    data = {f"{p}_weight": "1" for p in ("perception", "behaviour", "outcomes")}
    data |= {"nps-target": "20", "nps-floor": "-60", "nps-weight": "2"}
    response = client.post("/index/settings/", data)
    assert response.status_code == 302
    assert IndicatorSetting.objects.get(organisation=tenant.organisation, key="nps").target == 20
    data["ces-target"] = "9"
    data["ces-floor"] = "7"
    response = client.post("/index/settings/", data)
    assert response.status_code == 200
    assert "below the floor" in response.content.decode()
    assert IndicatorSetting.objects.get(organisation=tenant.organisation, key="ces").target == 3
    assert IndexSettings.objects.filter(organisation=tenant.organisation).count() == 1


def test_api(tenant: Tenant, other_tenant: Tenant, wave: Wave) -> None:
    from django.test import Client

    client = Client()
    headers = tenant.api_headers(tenant.employee)
    response = client.get("/api/v1/index", headers=headers)
    assert response.status_code == 200
    default = response.json()
    assert default["quarter"] == _last_complete() and default["window"]["complete"] is True
    response = client.get(f"/api/v1/index?quarter={_current()}", headers=headers)
    data = response.json()
    assert data["index"] is None and data["quarter"] == _current()
    assert data["window"]["complete"] is False and "so far" in data["window"]["label"]
    assert {p["key"] for p in data["pillars"]} == {"perception", "behaviour", "outcomes"}
    assert len(data["mirror"]["dimensions"]) == 6
    team = tenant.manager.team
    response = client.get(f"/api/v1/index?quarter=2026-Q1&team_id={team.pk}", headers=headers)
    assert response.status_code == 200
    assert response.json()["team"]["id"] == team.pk
    response = client.get("/api/v1/index?quarter=2026-Q9", headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "quarter"
    foreign = other_tenant.manager.team.pk
    # A foreign id in a query filter is bad input naming the parameter (never the object).
    response = client.get(f"/api/v1/index?team_id={foreign}", headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "team_id"
    assert client.get("/api/v1/index").status_code == 401


def test_cli_json(tenant: Tenant, wave: Wave, capsys: Any) -> None:
    add_employees(wave, None, [_answers(wave, 6)] * 6)
    add_customers(wave, [_answers(wave, 4)] * 6)
    assert main(["index", "--org", "acme", "--quarter", _current(), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"index", "pillars", "movers", "mirror", "quarter", "statement"}
    knowing = next(d for d in data["mirror"]["dimensions"] if d["key"] == "knowing")
    assert knowing["employee"]["mean"] == 6.0 and knowing["customer"]["mean"] == 4.0
    assert knowing["employee"]["n"] == 6 and knowing["customer"]["n"] == 6
    assert knowing["gap"]["difference"] == 2.0
    assert "alpha" in knowing["employee"] and "low" in knowing["gap"]
    indicator = data["pillars"][0]["indicators"][0]
    assert set(indicator) >= {"value", "n", "target", "floor", "attainment", "reason", "url"}
    assert main(["index", "--org", "acme", "--team", "helpdesk", "--quarter", "2026-Q2"]) == 0
    assert "Customer-centricity index 2026-Q2" in capsys.readouterr().out
    assert main(["index", "--org", "acme", "--quarter", "2026-5"]) == 2
    assert "2026-Q3" in capsys.readouterr().err
    assert main(["index", "--org", "acme", "--team", "nope"]) == 2
    assert "helpdesk" in capsys.readouterr().err


def test_uniform_helper_is_shared(wave: Wave) -> None:
    keys = dimension_keys(wave, "knowing")
    assert uniform(keys, 3) == dict.fromkeys(keys, 3)
    assert Team.objects.exists()
