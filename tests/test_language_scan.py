"""Each language page by page: the main pages rendered in Dutch hold no English words from a
list, and in English no Dutch ones (untranslated templates, messages made in the wrong
language, English month abbreviations on Dutch pages). A curated organisation whose own texts
(names, comments) use none of the words keeps the scan about the interface."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.test import Client

from outsidein.voice.imports import run_import
from tests.conftest import Tenant
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

PAGES = (
    "/",
    "/dashboard/",
    "/inbox/",
    "/customers/",
    "/surveys/",
    "/practices/",
    "/imports/",
    "/jobs/",
    "/settings/organisation/",
    "/index/",
    "/report/",
    "/innovation/ideas/",
    "/mystery/results/",
    "/queue/",
    "/contacts/coverage/",
    "/strategy/needs/",
    "/themes/",
    "/settings/practice/",
    "/settings/privacy/",
    "/settings/audit/",
)

# Words of the interface (never of the curated organisation's own texts), whole words only.
ENGLISH = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    "Monday", "Tuesday", "responses", "too few", "Save", "Settings", "customers",
    "Search", "Cancel", "Customer number", "this month", "Rejected", "Rows read", "Survey",
    "Days between", "More settings",
)  # fmt: skip
DUTCH = (
    "valt buiten", "klanten", "maand", "Opslaan", "Instellingen", "te weinig", "reacties",
    "Zoeken", "Annuleren", "Klantnummer", "Geweigerd", "dagen", "enquête", "mrt", "okt",
)  # fmt: skip


def _visible_text(html: str) -> str:
    html = re.sub(r"(?is)<(script|style|template)\b.*?</\1>", " ", html)
    html = re.sub(r"(?s)<!--.*?-->", " ", html)
    html = re.sub(r"(?s)<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", html)


def _found(text: str, words: tuple[str, ...]) -> list[str]:
    return [w for w in words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text)]


@pytest.fixture
def curated(tenant: Tenant) -> Tenant:
    organisation = tenant.organisation
    customer = CustomerFactory(organisation=organisation, name="Pim Pam", external_id="P-1")
    raw = (
        b"submission_id,customer_external_id,submitted_at,nps,comment\n"
        b"a1,P-1,2026-12-02T10:00:00+01:00,9,ok\n"
        b"a2,P-2,2026-03-02T10:00:00+01:00,3,hm\n"
        b"a3,,2026-10-02T10:00:00+01:00,11,\n"
    )
    report = run_import(organisation, raw, filename="ab.csv")
    assert report.accepted == 2 and customer.pk
    tenant.customer_page = f"/customers/{customer.pk}/"  # type: ignore[attr-defined]
    return tenant


def _client(tenant: Tenant, language: str) -> Client:
    tenant.admin.language = language
    tenant.admin.save()
    client = tenant.client_for(tenant.admin)
    client.cookies["django_language"] = language
    return client


@pytest.mark.parametrize(("language", "foreign"), [("nl", ENGLISH), ("en", DUTCH)])
def test_pages_hold_no_words_of_the_other_language(
    curated: Tenant, language: str, foreign: tuple[str, ...]
) -> None:
    client = _client(curated, language)
    own = DUTCH if foreign is ENGLISH else ENGLISH
    problems, seen = {}, set()
    for path in (*PAGES, curated.customer_page):  # type: ignore[attr-defined]
        answer = client.get(path, follow=True)
        assert answer.status_code == 200, path
        text = _visible_text(answer.content.decode())
        seen.update(_found(text, own))
        words = _found(text, foreign)
        if words:
            problems[path] = words
    assert not problems, f"{language} pages with words of the other language: {problems}"
    assert len(seen) >= 5, f"the pages are not in {language}: only {seen}"


def test_the_scan_finds_what_it_looks_for() -> None:
    """The scan can fail: a Dutch date with an English month and an English word are found."""
    text = _visible_text("<p>4 Dec 2026</p><script>Monday</script><p>too few</p>")
    assert _found(text, ENGLISH) == ["Dec", "too few"]
    assert _found(_visible_text("<p>11 valt buiten 0–10</p>"), DUTCH) == ["valt buiten"]


def test_dates_follow_the_language() -> None:
    from django.utils import formats, translation

    from outsidein.core.dates import day_month, month_year

    day = datetime(2026, 12, 4, 12, tzinfo=UTC).date()
    with translation.override("nl"):
        assert formats.date_format(day, "DATE_FORMAT") == "4 dec 2026"
        assert (month_year(day), day_month(day)) == ("dec 2026", "4 dec")
        assert formats.date_format(day.replace(month=3), "DATE_FORMAT") == "4 mrt 2026"
    with translation.override("en"):
        assert formats.date_format(day, "DATE_FORMAT") == "4 Dec 2026"
        assert (month_year(day), day_month(day)) == ("Dec 2026", "4 Dec")
