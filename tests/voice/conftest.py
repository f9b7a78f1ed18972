from __future__ import annotations

from typing import Any

import pytest

from outsidein.voice import services
from outsidein.voice.models import Survey
from tests.conftest import Tenant


@pytest.fixture
def survey(tenant: Tenant) -> Survey:
    """An open NPS survey with the standard follow-up, answerable through a public link."""
    created = services.create_survey(
        tenant.organisation,
        name="Relatie-NPS",
        title_nl="Hoe doen we het?",
        title_en="How are we doing?",
        team=tenant.manager.team,
        allow_anonymous=True,
        allowed_origins="https://www.acme.example",
    )
    return services.open_survey(created)


@pytest.fixture
def public_url(survey: Survey) -> str:
    return f"/r/{survey.public_key}/"


def form_token(content: bytes) -> str:
    import re

    match = re.search(rb'name="form_token" value="([^"]+)"', content)
    assert match, "no form token on the page"
    return match.group(1).decode()


@pytest.fixture
def answer(client: Any) -> Any:
    """GET the page, then POST answers with the page's own form token."""

    def post(url: str, data: dict[str, Any], **extra: Any) -> Any:
        page = client.get(url)
        return client.post(url, {"form_token": form_token(page.content), **data}, **extra)

    return post
