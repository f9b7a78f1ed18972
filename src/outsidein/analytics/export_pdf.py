"""The dashboard (or its breakdown) as a PDF to hand on, and as a PNG drawn from that PDF.

Drawn with fpdf2 on the monthly report's page (``centricity.report_pdf``: its fonts, colours,
headings, table header that repeats on a new page and footer), so both documents look alike.
The PNG is the PDF rendered by pdfium, pages stacked, so the two never disagree.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from fpdf.enums import XPos, YPos

from outsidein.analytics import stats
from outsidein.analytics.services import Group, PairComparison, PeriodComparison, Point, Summary
from outsidein.analytics.textout import p_text
from outsidein.analytics.window import PeriodMark
from outsidein.centricity.report_pdf import (
    BAD,
    BRAND,
    FONT,
    GOOD,
    INK,
    LINE,
    MUTED,
    SOFT,
    _ReportPDF,
)

GREY = (160, 168, 175)
PARTIAL = (168, 200, 204)
KINDS = ("dashboard", "breakdown")


@dataclass(frozen=True)
class DashboardDocument:
    """Everything the page shows, already computed (the view's data)."""

    organisation: str
    window_label: str
    by_label: str
    summary: Summary
    trend: Sequence[Point]
    marks: Sequence[PeriodMark]
    breakdown: Sequence[Group]
    comparison: PeriodComparison | None
    comparison_label: str
    pairs: Sequence[PairComparison]
    untested_pairs: int


def estimate_text(estimate: stats.Estimate, digits: int, suffix: str = "") -> tuple[str, bool]:
    """The figure as text and whether it is enough; below the threshold it says "too few"."""
    if estimate.value is None:
        return "–", False
    value = f"{estimate.value:.{digits}f}{suffix}"
    if not estimate.enough:
        return f"{value} · " + _("too few (n=%(n)s)") % {"n": estimate.n}, False
    if estimate.low is not None and estimate.high is not None:
        value += f" [{estimate.low:.{digits}f}; {estimate.high:.{digits}f}]"
    return f"{value} n={estimate.n}", True


def difference_text(diff: stats.Difference, digits: int) -> str:
    if diff.difference is None or diff.low is None or diff.high is None:
        return _("too few to test")
    star = " *" if diff.significant else ""
    return (
        f"{diff.difference:+.{digits}f} [{diff.low:+.{digits}f}; {diff.high:+.{digits}f}] "
        f"{p_text(diff.p_adjusted)}{star}"
    )


def _verdict(diff: stats.Difference, lower_better: bool = False) -> tuple[int, int, int]:
    if not diff.significant or diff.difference is None:
        return MUTED
    better = diff.difference < 0 if lower_better else diff.difference > 0
    return GOOD if better else BAD


class _DashboardPDF(_ReportPDF):
    def __init__(self) -> None:
        super().__init__(None)  # type: ignore[arg-type]  # no report: the page only

    def cells(
        self, cells: Sequence[tuple[float, str, tuple[int, int, int]]], *, bold: bool = False
    ) -> None:
        """One table row of single-line cells, each in its own colour (grey for "too few")."""
        height = 5.2
        if self.need(height) and self.table_header is not None:
            header = self.table_header
            self.table_header = None
            self.row(header, bold=True)
            self.table_header = header
        x0, y0 = self.l_margin, self.get_y()
        x = x0
        self.set_font(FONT, "B" if bold else "", 8)
        for share, text, colour in cells:
            width = self.width * share - 1
            while text and self.get_string_width(text) > width:
                text = text[:-2] + "…" if len(text) > 2 else ""
            self.set_text_color(*colour)
            self.set_xy(x, y0 + 0.6)
            self.cell(width, 4, text)
            x += self.width * share
        self.set_text_color(*INK)
        self.set_xy(x0, y0 + height)
        self.set_draw_color(*LINE)
        self.line(x0, self.get_y(), x0 + self.width, self.get_y())


def render(document: DashboardDocument, kind: str, *, created: datetime | None = None) -> bytes:
    """The PDF in the active language; ``kind`` is "dashboard" (everything) or "breakdown"."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    pdf = _DashboardPDF()
    title = _("What customers tell us") if kind == "dashboard" else _("Customer figures by group")
    pdf.set_title(f"{title} · {document.window_label}")
    pdf.set_author(document.organisation)
    pdf.set_creator("outsidein")
    pdf.set_creation_date(created or timezone.now())
    pdf.footer_text = f"{document.organisation} · {title} · {document.window_label}"
    pdf.page_word = _("page")
    pdf.add_page()
    _cover(pdf, document, title, created or timezone.now())
    if kind == "dashboard":
        _kpis(pdf, document)
        _trend(pdf, document)
    _breakdown(pdf, document)
    _comparisons(pdf, document, with_period=kind == "dashboard")
    return bytes(pdf.output())


def _cover(pdf: _DashboardPDF, document: DashboardDocument, title: str, made: datetime) -> None:
    pdf.set_font(FONT, "", 10)
    pdf.set_text_color(*MUTED)
    pdf.cell(pdf.width, 6, document.organisation, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "B", 18)
    pdf.set_text_color(*INK)
    pdf.cell(pdf.width, 9, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "B", 11)
    pdf.set_text_color(*BRAND)
    pdf.multi_cell(
        pdf.width,
        6,
        _("Period") + ": " + document.window_label,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.para(
        _(
            "Made on %(day)s. Every figure shows n and a 95%% interval; below %(min)s responses "
            "it is grey and marked “too few”."
        )
        % {
            "day": formats.date_format(timezone.localtime(made), "DATE_FORMAT"),
            "min": stats.MINIMUM_N,
        },
        8.5,
        muted=True,
    )


def _kpis(pdf: _DashboardPDF, document: DashboardDocument) -> None:
    s = document.summary
    comparison = document.comparison
    figures: list[tuple[str, stats.Estimate | None, int, str, stats.Difference | None, bool]] = [
        ("NPS", s.nps, 0, "", comparison.nps if comparison else None, False),
        (
            _("CSAT: satisfied (4–5 of 5)"),
            s.csat,
            0,
            "%",
            comparison.csat if comparison else None,
            False,
        ),
        (
            _("CES (effort, 1–7, lower is better)"),
            s.ces,
            1,
            "",
            comparison.ces if comparison else None,
            True,
        ),
    ]
    y = pdf.get_y() + 2
    column = (pdf.width - 9) / 4
    for number, (label, estimate, digits, suffix, change, lower_better) in enumerate(figures):
        x = pdf.l_margin + number * (column + 3)
        pdf.set_fill_color(*SOFT)
        pdf.rect(x, y, column, 30, style="F")
        pdf.set_xy(x + 2, y + 1.5)
        pdf.set_font(FONT, "", 7)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(column - 4, 3.2, label, align="L")
        assert estimate is not None
        enough = estimate.enough
        pdf.set_xy(x + 2, y + 8)
        pdf.set_font(FONT, "B" if enough else "", 17)
        pdf.set_text_color(*(INK if enough else GREY))
        value = "–" if estimate.value is None else f"{estimate.value:.{digits}f}{suffix}"
        pdf.cell(column - 4, 8, value)
        pdf.set_xy(x + 2, y + 17)
        pdf.set_font(FONT, "", 6.8)
        pdf.set_text_color(*MUTED)
        if estimate.value is not None and not enough:
            note = _("too few (n=%(n)s)") % {"n": estimate.n}
        elif estimate.low is not None and estimate.high is not None:
            note = f"[{estimate.low:.{digits}f}; {estimate.high:.{digits}f}] n={estimate.n}"
        else:
            note = f"n={estimate.n}"
        pdf.cell(column - 4, 4, note)
        if change is not None and change.difference is not None:
            pdf.set_xy(x + 2, y + 22)
            pdf.set_text_color(*_verdict(change, lower_better))
            text = f"{change.difference:+.{digits}f} " + _("vs. previous period")
            text += f" · {p_text(change.p_adjusted)}"
            if not change.significant:
                text += " · " + _("not significant")
            pdf.multi_cell(column - 4, 3.2, text, align="L")
    x = pdf.l_margin + 3 * (column + 3)
    pdf.rect(x, y, column, 30, style="F")
    pdf.set_xy(x + 2, y + 1.5)
    pdf.set_font(FONT, "", 7)
    pdf.set_text_color(*MUTED)
    pdf.cell(column - 4, 3.2, _("Feedback items"))
    pdf.set_xy(x + 2, y + 8)
    pdf.set_font(FONT, "B", 17)
    pdf.set_text_color(*INK)
    pdf.cell(column - 4, 8, formats.number_format(s.items, force_grouping=True))
    pdf.set_xy(x + 2, y + 17)
    pdf.set_font(FONT, "", 6.8)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(
        column - 4,
        3.2,
        _("%(p)s promoters · %(d)s detractors")
        % {"p": s.counts.get("promoters", 0), "d": s.counts.get("detractors", 0)},
        align="L",
    )
    pdf.set_text_color(*INK)
    pdf.set_xy(pdf.l_margin, y + 33)


def _hatched_rect(pdf: _DashboardPDF, x: float, y: float, w: float, h: float) -> None:
    """A lighter bar with diagonal hatching: a period that is not whole."""
    pdf.set_fill_color(*PARTIAL)
    pdf.set_draw_color(*BRAND)
    pdf.rect(x, y, w, h, style="DF")
    with pdf.rect_clip(x, y, w, h):
        pdf.set_line_width(0.25)
        step = 1.6
        offset = -h
        while offset < w:
            pdf.line(x + offset, y + h, x + offset + h, y)
            offset += step
        pdf.set_line_width(0.2)


def _axis_labels(
    pdf: _DashboardPDF, marks: Sequence[PeriodMark], x0: float, step: float, y: float
) -> None:
    pdf.set_font(FONT, "", 5.8)
    pdf.set_text_color(*MUTED)
    every = max(1, int(len(marks) / 12 + 0.999))
    for index, mark in enumerate(marks):
        if index % every and index != len(marks) - 1:
            continue
        label = mark.label + (" *" if mark.partial else "")
        width = pdf.get_string_width(label)
        pdf.set_xy(x0 + index * step + step / 2 - width / 2 - 0.5, y)
        pdf.cell(width + 1, 3, label)
    pdf.set_text_color(*INK)


def _trend(pdf: _DashboardPDF, document: DashboardDocument) -> None:
    points, marks = document.trend, document.marks
    pdf.heading(_("NPS over time"), 62)
    if not points:
        pdf.para(_("No feedback matches these filters."), muted=True)
        return
    x0, top, height = pdf.l_margin + 8, pdf.get_y() + 2, 38.0
    width = pdf.width - 8
    step = width / len(points)

    def y_of(value: float) -> float:
        return top + height * (100.0 - value) / 200.0

    pdf.set_font(FONT, "", 6)
    pdf.set_text_color(*MUTED)
    pdf.set_draw_color(*LINE)
    for tick in (-100, -50, 0, 50, 100):
        pdf.line(x0, y_of(tick), x0 + width, y_of(tick))
        pdf.set_xy(pdf.l_margin, y_of(tick) - 1.5)
        pdf.cell(7, 3, str(tick), align="R")
    previous: tuple[float, float] | None = None
    for index, (point, mark) in enumerate(zip(points, marks, strict=True)):
        estimate = point.summary.nps
        if estimate.value is None:
            previous = None
            continue
        cx = x0 + index * step + step / 2
        cy = y_of(estimate.value)
        colour = PARTIAL if mark.partial else (BRAND if estimate.enough else GREY)
        if estimate.low is not None and estimate.high is not None:
            pdf.set_draw_color(*colour)
            pdf.set_line_width(0.5)
            pdf.line(cx, y_of(estimate.high), cx, y_of(estimate.low))
            pdf.set_line_width(0.2)
        if previous is not None:
            pdf.set_draw_color(*BRAND)
            if mark.partial:
                pdf.set_dash_pattern(dash=1, gap=1)
            pdf.line(previous[0], previous[1], cx, cy)
            pdf.set_dash_pattern()
        pdf.set_fill_color(*colour)
        pdf.set_draw_color(*BRAND)
        pdf.ellipse(cx - 1.2, cy - 1.2, 2.4, 2.4, style="DF" if mark.partial else "F")
        previous = (cx, cy)
    _axis_labels(pdf, marks, x0, step, top + height + 1)
    pdf.set_xy(pdf.l_margin, top + height + 5)
    _partial_note(pdf, marks)
    pdf.heading(_("Volume"), 55)
    top = pdf.get_y() + 2
    height = 30.0
    peak = max((p.summary.items for p in points), default=0) or 1
    for index, (point, mark) in enumerate(zip(points, marks, strict=True)):
        h = height * point.summary.items / peak
        bx = x0 + index * step + step * 0.15
        bw = step * 0.7
        if mark.partial:
            _hatched_rect(pdf, bx, top + height - h, bw, max(h, 0.3))
        else:
            pdf.set_fill_color(*BRAND)
            pdf.rect(bx, top + height - h, bw, max(h, 0.3), style="F")
    pdf.set_font(FONT, "", 6)
    pdf.set_text_color(*MUTED)
    pdf.set_xy(pdf.l_margin, top - 1.5)
    pdf.cell(7, 3, str(peak), align="R")
    _axis_labels(pdf, marks, x0, step, top + height + 1)
    pdf.set_xy(pdf.l_margin, top + height + 5)
    _partial_note(pdf, marks)


def _partial_note(pdf: _DashboardPDF, marks: Sequence[PeriodMark]) -> None:
    partial = [m for m in marks if m.partial]
    if not partial:
        return
    y = pdf.get_y()
    _hatched_rect(pdf, pdf.l_margin, y + 0.6, 5, 3)
    pdf.set_xy(pdf.l_margin + 6.5, y)
    pdf.set_font(FONT, "", 7.5)
    pdf.set_text_color(*MUTED)
    text = "; ".join(f"{m.label} *: {m.note}" for m in partial)
    pdf.multi_cell(
        pdf.width - 6.5,
        4,
        f"{text}. " + _("Drawn lighter and hatched: not a whole period."),
        align="L",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_text_color(*INK)


def _breakdown(pdf: _DashboardPDF, document: DashboardDocument) -> None:
    pdf.heading(_("NPS by %(by)s") % {"by": document.by_label})
    if not document.breakdown:
        pdf.para(_("No feedback matches these filters."), muted=True)
        return
    shares = (0.28, 0.22, 0.22, 0.18, 0.10)
    header = list(zip(shares, [_("Group"), "NPS", "CSAT", "CES", _("Items")], strict=True))
    pdf.start_table(header)
    for group in document.breakdown:
        cells: list[tuple[float, str, tuple[int, int, int]]] = [(shares[0], group.label, INK)]
        for share, estimate, digits, suffix in (
            (shares[1], group.summary.nps, 0, ""),
            (shares[2], group.summary.csat, 0, "%"),
            (shares[3], group.summary.ces, 1, ""),
        ):
            text, enough = estimate_text(estimate, digits, suffix)
            cells.append((share, text, INK if enough else GREY))
        cells.append((shares[4], str(group.summary.items), INK))
        pdf.cells(cells)
    pdf.end_table()


def _comparisons(pdf: _DashboardPDF, document: DashboardDocument, *, with_period: bool) -> None:
    pdf.heading(_("Differences and whether they are real"))
    comparison = document.comparison
    if with_period and comparison is not None:
        pdf.need(30)
        pdf.para(
            _("This period against %(previous)s") % {"previous": document.comparison_label},
            9,
            bold=True,
        )
        shares = (0.12, 0.27, 0.27, 0.34)
        pdf.start_table(
            list(
                zip(
                    shares,
                    [_("Figure"), _("Before"), _("Now"), _("Difference [interval] p")],
                    strict=True,
                )
            )
        )
        for label, digits, suffix, lower_better in (
            ("nps", 0, "", False),
            ("csat", 0, "%", False),
            ("ces", 1, "", True),
        ):
            before, before_ok = estimate_text(getattr(comparison.previous, label), digits, suffix)
            now, now_ok = estimate_text(getattr(comparison.current, label), digits, suffix)
            diff: stats.Difference = getattr(comparison, label)
            pdf.cells(
                [
                    (shares[0], label.upper(), INK),
                    (shares[1], before, INK if before_ok else GREY),
                    (shares[2], now, INK if now_ok else GREY),
                    (shares[3], difference_text(diff, digits), _verdict(diff, lower_better)),
                ]
            )
        pdf.end_table()
        pdf.ln(2)
    pdf.need(22)  # the title never alone at the foot of a page
    pdf.para(_("Between every two groups by %(by)s") % {"by": document.by_label}, 9, bold=True)
    if document.pairs:
        shares = (0.28, 0.24, 0.24, 0.24)
        pdf.start_table(
            list(zip(shares, [_("Group b against group a"), "NPS", "CSAT", "CES"], strict=True))
        )
        for pair in document.pairs:
            pdf.cells(
                [
                    (shares[0], f"{pair.b.label} − {pair.a.label}", INK),
                    (shares[1], difference_text(pair.nps, 0), _verdict(pair.nps)),
                    (shares[2], difference_text(pair.csat, 0), _verdict(pair.csat)),
                    (shares[3], difference_text(pair.ces, 1), _verdict(pair.ces, True)),
                ]
            )
        pdf.end_table()
    else:
        pdf.para(
            _("No two groups have at least %(min)s responses each, so there is nothing to test.")
            % {"min": stats.MINIMUM_N},
            muted=True,
        )
    pdf.ln(2)
    pdf.para(
        _(
            "How to read this: the difference is group b minus group a (now minus before), with "
            "an interval that holds for all comparisons in the table together. p is the chance "
            "of seeing a difference at least this large if the two groups (or periods) were "
            "really alike; it is corrected for the number of comparisons made (Holm), because "
            "the more pairs you look at, the more likely one differs by chance. Coloured: p "
            "below 0.05, a real difference. Grey: it may be chance. Groups with fewer than "
            "%(min)s responses are not tested."
        )
        % {"min": stats.MINIMUM_N},
        7.5,
        muted=True,
    )


def to_png(pdf_bytes: bytes, *, scale: float = 1.5) -> bytes:
    """The PDF's pages rendered by pdfium and stacked into one PNG (white between pages)."""
    import pypdfium2
    from PIL import Image

    document = pypdfium2.PdfDocument(pdf_bytes)
    try:
        images = [page.render(scale=scale).to_pil().convert("RGB") for page in document]
    finally:
        document.close()
    gap = int(8 * scale)
    width = max(image.width for image in images)
    height = sum(image.height for image in images) + gap * (len(images) - 1)
    sheet = Image.new("RGB", (width, height), (255, 255, 255))
    y = 0
    for image in images:
        sheet.paste(image, (0, y))
        y += image.height + gap
    stream = io.BytesIO()
    sheet.save(stream, format="PNG")
    return stream.getvalue()


def document_from(data: dict[str, Any], organisation: str) -> DashboardDocument:
    """The view's dashboard data as a document."""
    return DashboardDocument(
        organisation=organisation,
        window_label=data["window"].label,
        by_label=data["by_label"],
        summary=data["summary"],
        trend=data["trend"],
        marks=data["marks"],
        breakdown=data["breakdown"],
        comparison=data.get("comparison"),
        comparison_label=data.get("comparison_previous", ""),
        pairs=data.get("tested_pairs", []),
        untested_pairs=data.get("untested_pairs", 0),
    )
