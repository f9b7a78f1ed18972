"""The monthly report's PDF as a reader sees it: rendered to images with pdftoppm, its words
placed with pdftotext -bbox. Every word stays inside its page, a table split over pages repeats
its header, the delivery-gap chart draws both groups in their colours, and the counts read as
proper Dutch and English."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from outsidein.centricity import report as reports
from outsidein.centricity import services as mirror
from outsidein.centricity.report_pdf import CUSTOMER, EMPLOYEE, render_pdf
from outsidein.practice.services import create_decision
from tests.centricity.conftest import add_customers, add_employees, dimension_keys, uniform
from tests.centricity.test_report import MARCH, TODAY, at, scores
from tests.conftest import Tenant

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (shutil.which("pdftoppm") and shutil.which("pdftotext")),
        reason="poppler-utils (pdftoppm, pdftotext) is not installed; .ci/run installs it",
    ),
]

WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)


@dataclass
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class Page:
    width: float
    height: float
    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def pages_of(pdf: Path) -> list[Page]:
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = []
    for width, height, body in PAGE.findall(html):
        words = [
            Word(text, float(a), float(b), float(c), float(d))
            for a, b, c, d, text in WORD.findall(body)
        ]
        pages.append(Page(float(width), float(height), words))
    return pages


def images_of(pdf: Path, out: Path) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", "72", "-png", str(pdf), str(out / "page")], check=True)
    return sorted(out.glob("page-*.png"))


@pytest.fixture
def busy_march(tenant: Tenant) -> Tenant:
    """March with scores, a mirror wave where employees rate every dimension higher than
    customers do, and decisions with long reasons: more than one page of the decision table."""
    scores(tenant, MARCH, [10] * 20 + [8] * 10 + [3] * 10, csat=[5, 4, 2])
    wave = mirror.open_wave(
        mirror.create_wave(tenant.organisation, name="Voorjaar"), now=at(MARCH.replace(day=2))
    )
    keys = [i["key"] for i in mirror.wave_items(wave)]
    first_dimension = dimension_keys(wave, mirror.wave_items(wave)[0]["dimension"])
    add_employees(wave, None, [uniform(keys, 6) for _ in range(12)])
    add_customers(wave, [uniform(keys, 3, **dict.fromkeys(first_dimension, 5))] * 40)
    for number in range(40):
        create_decision(
            tenant.organisation,
            title=f"Besluit nummer {number + 1} over de dienstverlening aan klanten",
            status="taken",
            decided_on=MARCH.replace(day=1 + number % 28),
            without_customer_input=True,
            no_input_reason="Wettelijk verplicht door de nieuwe regels van de toezichthouder; "
            "de klant heeft hier geen keuze in en een enquête zou verwachtingen wekken die we "
            "niet kunnen waarmaken, dus besloten we zonder klantinspraak en leggen we het uit.",
        )
    return tenant


def render(tenant: Tenant, language: str, folder: Path) -> Path:
    report = reports.build_report(tenant.organisation, MARCH, language, today=TODAY)
    out = folder / f"report-{language}.pdf"
    out.write_bytes(render_pdf(report))
    return out


def test_words_stay_inside_pages_and_split_tables_repeat_their_header(
    busy_march: Tenant, tmp_path: Path
) -> None:
    pdf = render(busy_march, "en", tmp_path)
    pages = pages_of(pdf)
    images = images_of(pdf, tmp_path)
    assert len(pages) >= 2 and len(images) == len(pages)
    for number, page in enumerate(pages, start=1):
        assert page.words, f"page {number} is empty"
        for word in page.words:
            inside = word.x0 >= 0 and word.x1 <= page.width and word.y0 >= 0
            assert inside and word.y1 <= page.height, f"{word.text!r} leaves page {number}"
    decision_pages = [p for p in pages if "Besluit nummer" in p.text]
    assert len(decision_pages) >= 2, "the decision table should need more than one page"
    for page in decision_pages:
        header = [w for w in page.words if w.text == "Decision"]
        first_row = min(w.y0 for w in page.words if w.text == "Besluit")
        assert header and min(w.y0 for w in header) < first_row, "the table header is missing"
    Path("test-output").mkdir(exist_ok=True)
    for image in images:
        shutil.copy(image, Path("test-output") / f"report-busy-{image.name}")


def test_the_gap_chart_draws_employees_and_customers_in_their_colours(
    busy_march: Tenant, tmp_path: Path
) -> None:
    pdf = render(busy_march, "en", tmp_path)
    pages = pages_of(pdf)
    images = images_of(pdf, tmp_path)
    number = next(i for i, p in enumerate(pages) if "delivery gap" in p.text)
    page = pages[number]
    top = min(w.y0 for w in page.words if w.text == "Dimension")
    below = [w.y0 for w in page.words if w.text == "customer-centric" and w.y0 > top]
    bottom = min(below) if below else page.height
    image = Image.open(images[number]).convert("RGB")
    scale = image.width / page.width
    chart = image.crop(
        (int(page.width * 0.78 * scale), int(top * scale), image.width, int(bottom * scale))
    )
    pixels = np.asarray(chart, dtype=int).reshape(-1, 3)
    employees = int((np.abs(pixels - EMPLOYEE) <= 18).all(axis=1).sum())
    customers = int((np.abs(pixels - CUSTOMER) <= 18).all(axis=1).sum())
    assert employees > 20 and customers > 20, (employees, customers)
    # The legend names both groups, each in its own colour.
    legend = [w for w in page.words if w.text in ("employees", "customers") and w.y0 < top + 12]
    assert {w.text for w in legend} == {"employees", "customers"}


def test_dutch_and_english_counts_and_the_change_column(tenant: Tenant, tmp_path: Path) -> None:
    scores(tenant, MARCH, [10] * 20 + [8] * 10 + [3] * 10)
    create_decision(
        tenant.organisation,
        title="Eén besluit",
        status="taken",
        decided_on=date(2026, 3, 5),
        without_customer_input=True,
        no_input_reason="Wettelijk verplicht",
    )
    english = " ".join(p.text for p in pages_of(render(tenant, "en", tmp_path)))
    assert "1 decision taken" in english and "1 decisions" not in english
    dutch = " ".join(p.text for p in pages_of(render(tenant, "nl", tmp_path)))
    assert "1 besluit genomen" in dutch and "Verschil" in dutch and "Wijzigen" not in dutch


def test_the_cli_keeps_the_font_library_quiet_unless_verbose(
    busy_march: Tenant, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    from outsidein.cli import main as cli_main

    out = tmp_path / "r.pdf"
    args = ["report", "--org", "acme", "--month", "2026-03", "--format", "pdf", "--out", str(out)]
    assert cli_main(args) == 0
    assert "fontTools" not in capfd.readouterr().err
    assert cli_main([*args, "-v"]) == 0
    assert "fontTools" in capfd.readouterr().err
