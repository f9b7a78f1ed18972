"""Team scorecards: choosing the reward indicators, attainment per team with a trend, the
gaming warnings, too few responses, and the CSV/XLSX export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from outsidein.centricity import indicators, scorecards
from outsidein.core.models import Team
from outsidein.core.periods import Quarter
from outsidein.voice.models import Channel, FeedbackKind, Survey
from outsidein.voice.services import FeedbackRow, bulk_record
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db


def _nps(tenant: Tenant, team: Team, scores: list[int], survey: Survey | None = None) -> None:
    now = timezone.now()
    bulk_record(
        tenant.organisation,
        [
            FeedbackRow(
                kind=FeedbackKind.RESPONSE,
                channel=Channel.EMAIL,
                language="nl",
                submitted_at=now - timedelta(minutes=n),
                team_id=team.pk,
                survey_id=survey.pk if survey else None,
                nps=score,
            )
            for n, score in enumerate(scores)
        ],
    )


def test_choosing_reward_indicators(tenant: Tenant) -> None:
    organisation = tenant.organisation
    settings = indicators.save_rewards(organisation, {"nps": "40", "contacts": ""})
    assert settings.rewards == {"nps": 40.0, "contacts": 80.0}  # empty: the index target
    assert [s.key for s in settings.reward_specs] == ["contacts", "nps"]
    assert next(s for s in settings.reward_specs if s.key == "nps").target == 40.0
    # The index itself keeps its own target.
    assert settings.spec("nps").target == 30.0
    with pytest.raises(ValidationError) as caught:
        indicators.save_rewards(organisation, {"ces": "9"})  # lower is better: below the floor 7
    assert "ces-reward_target" in caught.value.message_dict
    assert indicators.settings_for(organisation).rewards == {"nps": 40.0, "contacts": 80.0}
    assert indicators.save_rewards(organisation, {}).rewards == {}


def test_board_with_attainment_trend_and_warnings(tenant: Tenant) -> None:
    organisation = tenant.organisation
    helpdesk = tenant.manager.team
    quiet = Team.objects.create(organisation=organisation, name="Quiet", slug="quiet")
    survey = Survey.objects.create(organisation=organisation, name="After a call", team=helpdesk)
    _nps(tenant, helpdesk, [10] * 20 + [8] * 10 + [3] * 10, survey=survey)  # NPS 25, n 40
    _nps(tenant, quiet, [10] * 5)  # too few
    indicators.save_rewards(organisation, {"nps": "25"})
    assert scorecards.build(organisation).quarter == Quarter.of(timezone.localdate()).previous()
    board = scorecards.build(organisation, quarter=Quarter.of(timezone.localdate()))
    assert [s.key for s in board.specs] == ["nps"]
    assert len(board.quarters) == 4 and board.quarters[-1] == board.quarter
    cards = {card.team.slug: card for card in board.cards}
    cell = cards["helpdesk"].cells[0]
    assert cell.reading.value == pytest.approx(25.0) and cell.reading.n == 40
    assert cell.attainment == pytest.approx(100.0)
    assert cell.trend[-1] == pytest.approx(100.0) and cell.trend[:3] == [None, None, None]
    assert cards["helpdesk"].overall == pytest.approx(100.0)
    assert "After a call" in cards["helpdesk"].survey_warning
    quiet_cell = cards["quiet"].cells[0]
    assert quiet_cell.missing and quiet_cell.reading.n == 5
    assert "Not enough responses (5" in quiet_cell.reason
    assert cards["quiet"].overall is None and cards["quiet"].few_responses
    texts = " ".join(w.text for w in board.warnings)
    assert "whom to ask" in texts  # NPS is easy to game
    assert "asks its own customers" in texts  # helpdesk owns the survey
    assert "Quiet" in texts  # too few responses
    assert not any(card.team.kind == "department" for card in board.cards)


def test_an_overall_resting_on_too_few_indicators_is_not_judged(tenant: Tenant) -> None:
    """IT's "overall 83%" rested on one indicator of four: it is shown, marked, not judged."""
    helpdesk = tenant.manager.team
    _nps(tenant, helpdesk, [10] * 30 + [0] * 10)
    indicators.save_rewards(
        tenant.organisation, {"nps": "", "csat": "", "ces": "", "mirror_knowing": ""}
    )
    board = scorecards.build(tenant.organisation, quarter=Quarter.of(timezone.localdate()))
    card = next(c for c in board.cards if c.team.pk == helpdesk.pk)
    assert card.overall is not None and card.available == 1 and card.needed == 2
    assert not card.overall_enough and "rests on 1 of 4 indicators" in card.overall_reason
    row = next(r for r in scorecards.rows(board) if r[0] == helpdesk.name and r[1] == "overall")
    assert "rests on 1 of 4" in row[-1]
    admin = tenant.client_for(tenant.admin)
    body = admin.get("/index/scorecards/", {"quarter": str(board.quarter)}).content.decode()
    cell = body[body.index(f'data-testid="overall-{helpdesk.slug}"') :][:900]
    assert 'data-enough="false"' in cell and "too-few" in cell and "rests on 1 of 4" in cell
    assert "attainment" in body and "measured" in body  # every figure in a cell is labelled


def test_no_reward_indicators_chosen(tenant: Tenant) -> None:
    board = scorecards.build(tenant.organisation)
    assert board.specs == [] and board.warnings == []
    assert all(card.overall is None for card in board.cards)


def test_exports(tenant: Tenant) -> None:
    helpdesk = tenant.manager.team
    _nps(tenant, helpdesk, [10] * 30 + [0] * 10)
    indicators.save_rewards(tenant.organisation, {"nps": "", "mirror_knowing": "5"})
    board = scorecards.build(tenant.organisation, quarter=Quarter.of(timezone.localdate()))
    text = scorecards.to_csv(board)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert set(rows[0]) == set(scorecards.HEADER)
    current = [r for r in rows if r["team"] == "Helpdesk" and r["quarter"] == str(board.quarter)]
    nps = next(r for r in current if r["indicator"] == "NPS")
    assert float(nps["value"]) == pytest.approx(50.0) and nps["n"] == "40"
    assert float(nps["attainment"]) == 100.0
    knowing = next(r for r in current if r["indicator"] == "Knowing the customer")
    assert knowing["value"] == "" and knowing["missing_reason"]
    assert "nan" not in text.lower()

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(scorecards.to_xlsx(board)))
    sheet = book.active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == scorecards.HEADER
    assert sheet.max_row == len(scorecards.rows(board)) + 1


def test_pages(tenant: Tenant) -> None:
    employee = tenant.client_for(tenant.employee)
    response = employee.get("/index/scorecards/")
    assert response.status_code == 200
    assert "No indicator counts for rewards yet" in response.content.decode()
    assert employee.post("/index/scorecards/", {"reward-nps": "1"}).status_code == 403
    admin = tenant.client_for(tenant.admin)
    response = admin.post(
        "/index/scorecards/", {"reward-nps": "1", "nps-reward_target": "", "reward-queue": "1"}
    )
    assert response.status_code == 302
    assert set(indicators.settings_for(tenant.organisation).rewards) == {"nps", "queue"}
    body = admin.get("/index/scorecards/").content.decode()
    assert "Before you reward on these" in body and "whom to ask" in body
    assert 'data-testid="scorecard-helpdesk"' in body
    response = admin.post("/index/scorecards/", {"reward-ces": "1", "ces-reward_target": "abc"})
    assert response.status_code == 200 and "Enter a number." in response.content.decode()
    response = employee.get("/index/scorecards/export.csv?quarter=2026-Q1")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "2026-Q1" in response["Content-Disposition"]
    response = employee.get("/index/scorecards/export.xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"
