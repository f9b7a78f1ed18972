"""Comparisons with tests: Holm's step-down, simultaneous intervals, pairwise group tests and
period tests, checked against hand-computed values and scipy; the CLI and the API show them."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime

import pytest
from django.test import Client
from django.utils import timezone
from scipy import stats as scipy_stats

from outsidein.analytics import periods, stats, textout
from outsidein.analytics import services as metrics
from outsidein.voice import services
from tests.conftest import Tenant
from tests.factories import CustomerFactory, SegmentFactory


def test_holm_steps_down_by_hand() -> None:
    # sorted: 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06, 0.04*1 = 0.04 -> kept monotone 0.06
    assert stats.holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    # None is not a comparison: m = 2
    assert stats.holm([None, 0.02, 0.5]) == [None, pytest.approx(0.04), pytest.approx(0.5)]
    assert stats.holm([0.6, 0.7]) == [1.0, 1.0]  # capped at 1
    assert stats.holm([]) == []
    # Holm is less strict than Bonferroni for all but the smallest p-value
    assert stats.holm([0.01, 0.02])[1] == pytest.approx(0.02) != 0.04
    with pytest.raises(ValueError):
        stats.holm([1.5])


def test_compare_many_matches_scipy_for_proportions_with_bonferroni_intervals() -> None:
    groups = [(60, 100), (45, 100), (80, 120)]
    pairs = [(groups[0], groups[1]), (groups[0], groups[2]), (groups[1], groups[2])]
    result = stats.compare_many("csat", pairs)
    raw = []
    for (xa, na), (xb, nb) in pairs:
        pooled = (xa + xb) / (na + nb)
        z = (xb / nb - xa / na) / math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
        raw.append(2 * scipy_stats.norm.sf(abs(z)))
    expected = stats.holm(raw)
    for diff, p, p_holm, ((xa, na), (xb, nb)) in zip(result, raw, expected, pairs, strict=True):
        assert diff.comparisons == 3
        assert diff.p_value == pytest.approx(p)
        assert diff.p_adjusted == pytest.approx(p_holm)
        pa, pb = xa / na, xb / nb
        half = scipy_stats.norm.ppf(1 - 0.05 / 3 / 2) * math.sqrt(
            pa * (1 - pa) / na + pb * (1 - pb) / nb
        )
        assert diff.difference == pytest.approx(100 * (pb - pa))
        assert (diff.low, diff.high) == pytest.approx(
            (100 * (pb - pa - half), 100 * (pb - pa + half))
        )
        assert diff.significant == (p_holm < 0.05)
    # 60% vs 45%: raw p ~0.034 is significant alone but not after correcting for three tests
    assert result[0].p_value < 0.05 and not result[0].significant


def test_compare_many_welch_agrees_with_scipy_and_skips_small_groups() -> None:
    a = [1, 2, 2, 3, 3, 3, 4, 4, 5, 2] * 4
    b = [3, 4, 4, 5, 5, 6, 6, 7, 2, 4] * 4
    small = [7, 7, 7]

    def sums(values: list[int]) -> tuple[int, float, float]:
        return len(values), float(sum(values)), float(sum(v * v for v in values))

    result = stats.compare_many("ces", [(sums(a), sums(b)), (sums(a), sums(small))])
    reference = scipy_stats.ttest_ind(b, a, equal_var=False)
    assert result[0].p_value == pytest.approx(reference.pvalue, rel=1e-9)
    assert result[0].p_adjusted == pytest.approx(reference.pvalue, rel=1e-9)  # m = 1
    assert result[0].comparisons == 1
    assert result[1].difference is None and result[1].p_adjusted is None
    assert not result[1].significant


def test_compare_many_nps_by_hand() -> None:
    a, b = (50, 30, 20), (30, 30, 40)  # NPS 30 and -10
    [diff] = stats.compare_many("nps", [(a, b)])
    var_a = (0.5 + 0.2 - 0.3**2) / 100
    var_b = (0.3 + 0.4 - 0.1**2) / 100
    z = -0.4 / math.sqrt(var_a + var_b)
    assert diff.difference == pytest.approx(-40.0)
    assert diff.p_value == pytest.approx(2 * scipy_stats.norm.sf(abs(z)))
    assert diff.significant
    with pytest.raises(ValueError):
        stats.compare_many("wow", [(a, b)])


def _answer(tenant: Tenant, nps: int, csat: int, customer: object, month: int = 11) -> None:
    services.record_feedback(
        tenant.organisation,
        kind="review",
        channel="link",
        nps=nps,
        csat=csat,
        customer=customer,
        submitted_at=datetime(2026, month, 3, 12, tzinfo=UTC),
    )


@pytest.fixture
def three_segments(tenant: Tenant) -> dict[str, object]:
    segments = {
        name: SegmentFactory(organisation=tenant.organisation, name=name)
        for name in ("Retail", "SMB", "Tiny")
    }
    customers = {
        name: CustomerFactory(organisation=tenant.organisation, segment=segment)
        for name, segment in segments.items()
    }
    for index in range(40):
        _answer(tenant, 10 if index % 4 else 3, 5 if index % 5 else 2, customers["Retail"])
        _answer(tenant, 2 if index % 3 else 9, 2 if index % 2 else 4, customers["SMB"])
    for _index in range(5):
        _answer(tenant, 10, 5, customers["Tiny"])
    return {**segments, "customers": customers}


@pytest.mark.django_db
def test_compare_groups_tests_every_pair_and_corrects_for_the_tested_ones(
    tenant: Tenant, three_segments: dict[str, object]
) -> None:
    pairs = metrics.compare_groups(tenant.organisation.pk, "segment")
    assert len(pairs) == 3  # Retail, SMB, Tiny: three pairs
    tested = [p for p in pairs if p.tested]
    assert [(p.a.label, p.b.label) for p in tested] == [("Retail", "SMB")]
    [pair] = tested
    assert pair.nps.comparisons == 1  # the pairs with Tiny (n=5) are not tests
    retail, smb = pair.a.summary, pair.b.summary
    assert pair.nps.difference == pytest.approx(smb.nps.value - retail.nps.value)
    assert pair.nps.significant and pair.csat.significant
    one = metrics.compare_groups(
        tenant.organisation.pk,
        "segment",
        keys=(three_segments["SMB"].pk, three_segments["Retail"].pk),  # type: ignore[attr-defined]
    )
    assert [(p.a.label, p.b.label) for p in one] == [("SMB", "Retail")]
    with pytest.raises(ValueError, match="No feedback for 999999"):
        metrics.compare_groups(tenant.organisation.pk, "segment", keys=(999999, 1))


@pytest.mark.django_db
def test_compare_periods_uses_the_previous_whole_month(
    tenant: Tenant, three_segments: dict[str, object]
) -> None:
    for _index in range(30):
        _answer(tenant, 10, 5, three_segments["customers"]["Retail"], month=10)  # type: ignore[index]
    result = metrics.compare_periods(
        tenant.organisation.pk, metrics.Filters(since=date(2026, 11, 1), until=date(2026, 11, 30))
    )
    assert (result.previous_since, result.previous_until) == (date(2026, 10, 1), date(2026, 10, 31))
    assert result.previous.items == 30 and result.current.items == 85
    assert result.nps.difference is not None and result.nps.difference < 0
    assert result.nps.p_adjusted == result.nps.p_value  # one test per metric
    assert result.csat.significant


@pytest.mark.django_db
def test_api_and_cli_show_the_comparisons(
    tenant: Tenant, three_segments: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    client = Client()
    headers = tenant.api_headers(tenant.employee)
    response = client.get("/api/v1/metrics/compare?by=segment", headers=headers)
    assert response.status_code == 200, response.content
    body = response.json()
    tested = [p for p in body["pairs"] if p["nps"]["p_value"] is not None]
    assert len(tested) == 1 and tested[0]["nps"]["comparisons"] == 1
    assert tested[0]["nps"]["significant"] is True
    assert body["minimum_n"] == stats.MINIMUM_N
    period_body = client.get(
        "/api/v1/metrics/compare?since=2026-11-01&until=2026-11-30", headers=headers
    ).json()
    assert period_body["period"]["previous"]["until"] == "2026-10-31"
    bad = client.get("/api/v1/metrics/compare?by=segment&a=1", headers=headers)
    assert bad.status_code == 422
    assert "a and b" in bad.content.decode()
    half = client.get("/api/v1/metrics/compare?since=2026-11-01", headers=headers)
    assert half.status_code == 422
    last_month = client.get("/api/v1/metrics/compare", headers=headers).json()["period"]
    first, last = periods.last_complete_months(timezone.localdate(), 1)
    assert (last_month["current"]["since"], last_month["current"]["until"]) == (
        first.isoformat(),
        last.isoformat(),
    )

    from outsidein import cli

    cli.main(["metrics", "--org", tenant.organisation.slug, "--by", "segment", "--compare"])
    out = capsys.readouterr().out
    assert "too few (n=5)" in out  # Tiny's NPS
    assert "SMB − Retail" in out and "Holm" in out
    assert "too few to test" in out
    cli.main(["metrics", "--org", tenant.organisation.slug, "--compare", "--json"])
    period = json.loads(capsys.readouterr().out)["comparison"][0]
    assert period["current"]["until"] == last.isoformat()
    args = ["metrics", "--org", tenant.organisation.slug, "--compare", "--since", "2026-11-01"]
    assert cli.main(args) == 2
    assert "both --since and --until" in capsys.readouterr().err


@pytest.mark.django_db
def test_dashboard_shows_pair_and_period_tests(
    tenant: Tenant, three_segments: dict[str, object]
) -> None:
    client = tenant.client_for(tenant.employee)
    page = client.get(
        "/dashboard/",
        {"since": "2026-11-01", "until": "2026-11-30", "by": "segment"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="pair-comparison"' in html and "SMB − Retail" in html
    assert "2 more pairs have too few responses in a group to test." in html
    assert 'data-testid="period-comparison"' in html and "This period against Oct 2026" in html
    assert "corrected for the number of comparisons made (Holm)" in html
    [pair] = page.context["tested_pairs"]
    assert textout.p_text(pair.nps.p_adjusted).replace("<", "&lt;") in html
    assert "p=0.000" not in html


def test_p_values_read_as_people_read_them() -> None:
    assert textout.p_text(0.0004) == "p<0.001"
    assert textout.p_text(0.0123) == "p=0.012"
    assert textout.p_text(None) == ""
