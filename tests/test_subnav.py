"""One sub-navigation per area: every page of an area renders the same links in the same order
(per role), and the current page is marked with aria-current."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.factories import TEST_PASSWORD

SUBNAV = re.compile(r'<nav class="subnav"[^>]*data-testid="subnav-(\w+)">(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)"( aria-current="page")?>')

AREA_PAGES = {
    "centricity": ["/index/", "/index/scorecards/", "/mirror/", "/mirror/reliability/", "/report/"],
    "strategy": ["/strategy/", "/strategy/needs/", "/strategy/rules/"],
    "practices": ["/practices/", "/queue/", "/contacts/", "/decisions/"],
    "mystery": ["/mystery/", "/mystery/results/", "/mystery/scenarios/"],
}


@pytest.mark.parametrize("role", ["admin", "manager", "employee"])
def test_each_area_has_one_subnav_marking_the_current_page(tenant: Any, role: str) -> None:
    person = getattr(tenant, role)
    client = Client()
    assert client.login(username=person.email, password=TEST_PASSWORD)
    for area, pages in AREA_PAGES.items():
        seen = set()
        for path in pages:
            response = client.get(path)
            assert response.status_code == 200, f"{path} as {role}: {response.status_code}"
            navs = SUBNAV.findall(response.content.decode())
            assert [found for found, _links in navs] == [area], f"{path}: {navs}"
            links = LINK.findall(navs[0][1])
            seen.add(tuple(href for href, _current in links))
            current = [href for href, mark in links if mark]
            if path in {href for href, _ in links}:
                assert current == [path], f"{path} as {role} marks {current}"
        assert len(seen) == 1, f"the {area} sub-navigation differs between pages for {role}"
    # The delivery gap and the report belong to the same area as the index.
    centricity = {
        href
        for href, _ in LINK.findall(SUBNAV.findall(client.get("/mirror/").content.decode())[0][1])
    }
    assert {"/index/", "/mirror/", "/report/"} <= centricity
