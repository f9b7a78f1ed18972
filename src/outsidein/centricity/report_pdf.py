"""The monthly leadership report as a PDF, drawn with fpdf2 (pure Python): DejaVu Sans shipped in
``centricity/fonts`` (licence beside it), charts drawn as bars and dots, nothing loaded from the
network and no browser. ``render_pdf(report) -> bytes``; the texts come from the ``Report``
(already in its language), the few labels here are translated in the report's language."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from outsidein.centricity.report import Bar, Report

FONTS = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVu"

INK = (31, 41, 51)
MUTED = (98, 110, 122)
LINE = (214, 221, 226)
BRAND = (14, 107, 116)
EMPLOYEE = (213, 125, 35)
CUSTOMER = (14, 107, 116)
GOOD = (46, 125, 50)
BAD = (183, 28, 28)
SOFT = (238, 243, 245)


class _ReportPDF(FPDF):
    def __init__(self, report: Report) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.report = report
        self.footer_text = ""
        self.page_word = ""
        # The header row of the table being drawn, repeated on top of a new page.
        self.table_header: Sequence[tuple[float, str]] | None = None
        self.table_header_extra: Callable[[float], None] | None = None
        self.table_header_height = 0.0
        self.last_row_top = 0.0  # where the last row was drawn (a new page moves it)
        self.set_margins(16, 16, 16)
        self.set_auto_page_break(True, margin=18)
        self.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_text_color(*INK)

    @property
    def width(self) -> float:
        return float(self.w - self.l_margin - self.r_margin)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 7.5)
        self.set_text_color(*MUTED)
        self.cell(self.width * 0.8, 5, self.footer_text)
        self.cell(
            self.width * 0.2,
            5,
            f"{self.page_word} {self.page_no()}/{{nb}}",
            align="R",
        )
        self.set_text_color(*INK)

    # --- building blocks

    def need(self, height: float) -> bool:
        """Start a new page when ``height`` does not fit; True when it did."""
        if self.will_page_break(height):
            self.add_page()
            return True
        return False

    def start_table(
        self,
        header: Sequence[tuple[float, str]],
        *,
        extra: Callable[[float], None] | None = None,
        height: float = 0.0,
    ) -> None:
        """Start a table: draw its header row now and again on top of every page it spills to
        (``extra(y)`` draws more into the header, e.g. a legend)."""
        self.table_header = None
        self.need(16 + height)  # never a header alone at the foot of a page
        y = self.get_y()
        self.row(header, bold=True, min_height=height)
        self.header_extra(extra, y)
        self.table_header_height = height
        self.table_header = header
        self.table_header_extra = extra

    def header_extra(self, extra: Callable[[float], None] | None, y: float) -> None:
        """Draw ``extra`` into the header row that starts at ``y``; the rows go on below it."""
        if extra is not None:
            x_after, y_after = self.get_x(), self.get_y()
            extra(y)
            self.set_xy(x_after, y_after)

    def end_table(self) -> None:
        self.table_header = None
        self.table_header_extra = None

    def heading(self, text: str, space: float = 30) -> None:
        self.need(space)
        self.ln(3)
        self.set_font(FONT, "B", 13)
        self.set_text_color(*BRAND)
        self.cell(self.width, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*LINE)
        self.line(self.l_margin, self.get_y(), self.l_margin + self.width, self.get_y())
        self.ln(2)
        self.set_text_color(*INK)

    def para(
        self, text: str, size: float = 9.5, *, muted: bool = False, bold: bool = False
    ) -> None:
        if not text:
            return
        self.set_font(FONT, "B" if bold else "", size)
        self.set_text_color(*(MUTED if muted else INK))
        self.multi_cell(
            self.width, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        self.set_text_color(*INK)

    def scale_bar(
        self,
        x: float,
        y: float,
        w: float,
        bar: Bar | None,
        colour: tuple[int, int, int] = BRAND,
        *,
        filled: bool = True,
        track: bool = True,
    ) -> None:
        """A track of width ``w`` with the value as a filled bar (or a dot with its interval);
        ``track=False`` draws onto a track that is already there."""
        if track:
            self.set_fill_color(*SOFT)
            self.rect(x, y, w, 3, style="F")
        if bar is None:
            return
        self.set_fill_color(*colour)
        self.set_draw_color(*colour)
        if filled:
            self.rect(x, y, max(0.4, w * bar.value / 100.0), 3, style="F")
        else:
            if bar.low is not None and bar.high is not None:
                self.set_line_width(0.6)
                self.line(x + w * bar.low / 100, y + 1.5, x + w * bar.high / 100, y + 1.5)
                self.set_line_width(0.2)
            cx = x + w * bar.value / 100
            self.ellipse(cx - 1.5, y, 3, 3, style="F")
        if bar.target is not None:
            self.set_draw_color(*INK)
            tx = x + w * bar.target / 100
            self.line(tx, y - 1, tx, y + 4)
        self.set_draw_color(*LINE)

    def legend(self, x: float, y: float, items: Sequence[tuple[tuple[int, int, int], str]]) -> None:
        """Coloured dots with their labels, one after the other from ``x``."""
        self.set_font(FONT, "", 7.5)
        for colour, label in items:
            self.set_fill_color(*colour)
            self.ellipse(x, y + 0.9, 2.4, 2.4, style="F")
            self.set_xy(x + 3, y)
            self.set_text_color(*colour)
            self.cell(self.get_string_width(label) + 1, 4.2, label)
            x += self.get_string_width(label) + 6
        self.set_text_color(*INK)

    def row(
        self,
        cells: Sequence[tuple[float, str]],
        *,
        bold: bool = False,
        size: float = 8.5,
        min_height: float = 0.0,
    ) -> float:
        """One table row: (width as a share of the page, text), wrapped, at least ``min_height``
        high (room for a chart drawn beside the text); returns its height."""
        self.set_font(FONT, "B" if bold else "", size)
        heights = []
        for share, text in cells:
            lines = self.multi_cell(
                self.width * share - 1, size * 0.48, text, dry_run=True, output="LINES"
            )
            heights.append(len(lines) * size * 0.48)  # type: ignore[arg-type]
        height = max(max(heights) + 1.5, min_height)
        if self.need(height) and self.table_header is not None:
            header, extra = self.table_header, self.table_header_extra
            self.table_header = None  # the header row itself never repeats a header
            y = self.get_y()
            self.row(header, bold=True, min_height=self.table_header_height)
            self.header_extra(extra, y)
            self.table_header, self.table_header_extra = header, extra
            self.set_font(FONT, "B" if bold else "", size)
        x0, y0 = self.l_margin, self.get_y()
        x = x0
        for share, text in cells:
            self.set_xy(x, y0)
            self.multi_cell(self.width * share - 1, size * 0.48, text, align="L")
            x += self.width * share
        self.set_xy(x0, y0 + height)
        self.set_draw_color(*LINE)
        self.line(x0, self.get_y(), x0 + self.width, self.get_y())
        self.last_row_top = y0
        return height


def render_pdf(report: Report, *, created: datetime | None = None) -> bytes:
    with translation.override(report.language):
        return bytes(_render(report, created))


def _render(report: Report, created: datetime | None) -> bytearray:
    pdf = _ReportPDF(report)
    pdf.set_title(_("Customer-centricity report %(month)s") % {"month": report.month_label})
    pdf.set_author(report.organisation)
    pdf.set_creator("outsidein")
    pdf.set_lang(report.language)
    pdf.set_creation_date(created or timezone.now())
    pdf.footer_text = _("%(org)s · customer-centricity report %(month)s · * significant (95%%)") % {
        "org": report.organisation,
        "month": report.month_label,
    }
    pdf.page_word = _("page")
    pdf.add_page()
    _cover(pdf, report)
    _index(pdf, report)
    _figures(pdf, report)
    _gap(pdf, report)
    _norms(pdf, report)
    _moves(pdf, report)
    _stories(pdf, report)
    _decisions(pdf, report)
    return pdf.output()


def _cover(pdf: _ReportPDF, report: Report) -> None:
    pdf.set_font(FONT, "", 10)
    pdf.set_text_color(*MUTED)
    pdf.cell(pdf.width, 6, report.organisation, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "B", 20)
    pdf.set_text_color(*INK)
    pdf.cell(
        pdf.width,
        10,
        _("Customer-centricity report"),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_font(FONT, "B", 14)
    pdf.set_text_color(*BRAND)
    pdf.cell(pdf.width, 8, report.month_label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
    pdf.para(
        _("Made on %(day)s. Compared with %(previous)s. Numbers carry n and a 95%% interval.")
        % {"day": report.generated_text, "previous": report.previous_label},
        8.5,
        muted=True,
    )
    if report.partial:
        pdf.para(_("This month is not over yet: the figures are so far."), 8.5, bold=True)


def _index(pdf: _ReportPDF, report: Report) -> None:
    section = report.index
    pdf.heading(_("The customer-centricity index") + f" · {section.period}")
    if not section.available:
        pdf.para(section.statement, muted=True)
        return
    y = pdf.get_y()
    pdf.set_font(FONT, "B", 26)
    pdf.cell(40, 14, section.value_text)
    pdf.set_font(FONT, "", 8)
    pdf.set_text_color(*MUTED)
    pdf.set_xy(pdf.l_margin, y + 14)
    pdf.cell(40, 4, _("of 100"))
    pdf.set_text_color(*INK)
    x = pdf.l_margin + 46
    py = y + 1
    for pillar in section.pillars:
        pdf.set_xy(x, py)
        pdf.set_font(FONT, "", 8.5)
        label = pillar.label + (f" ({pillar.weight_text})" if pillar.weight_text else "")
        pdf.cell(60, 4.5, label)
        pdf.set_font(FONT, "B", 8.5)
        pdf.cell(14, 4.5, pillar.value_text, align="R")
        pdf.scale_bar(x + 78, py + 0.8, pdf.width - 46 - 78, pillar.bar)
        py += 6.5
    pdf.set_xy(pdf.l_margin, max(y + 20, py + 2))
    pdf.para(section.statement, muted=True)


def _figures(pdf: _ReportPDF, report: Report) -> None:
    pdf.heading(_("What customers say: NPS, CSAT and CES"), 44)
    pdf.para(report.figures_statement, muted=True)
    y = pdf.get_y() + 1
    column = (pdf.width - 8) / 3
    for number, figure in enumerate(report.figures):
        x = pdf.l_margin + number * (column + 4)
        pdf.set_fill_color(*SOFT)
        pdf.set_xy(x, y)
        pdf.set_font(FONT, "B", 9)
        pdf.cell(column, 5, figure.label)
        pdf.set_xy(x, y + 5)
        pdf.set_font(FONT, "", 7)
        pdf.set_text_color(*MUTED)
        pdf.cell(column, 4, figure.scale_text)
        pdf.set_text_color(*INK)
        pdf.set_xy(x, y + 9)
        pdf.set_font(FONT, "B", 18)
        pdf.cell(column * 0.45, 9, figure.value_text)
        pdf.set_font(FONT, "", 8)
        pdf.cell(column * 0.55, 9, figure.interval_text)
        pdf.scale_bar(x, y + 19, column, figure.bar, filled=False)
        pdf.set_xy(x, y + 24)
        pdf.set_font(FONT, "", 7.5)
        pdf.multi_cell(column, 3.6, figure.note, align="L")
        pdf.set_xy(x, y + 28)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(column, 3.6, figure.change_text, align="L")
        pdf.set_text_color(*INK)
    pdf.set_xy(pdf.l_margin, y + 37)


def _gap(pdf: _ReportPDF, report: Report) -> None:
    gap = report.gap
    title = _("The delivery gap")
    if gap.wave_name:
        title += f" · {gap.wave_name}"
    pdf.heading(title, 50)
    if not gap.available:
        pdf.para(gap.statement, muted=True)
        return
    pdf.para(
        _(
            "Employees %(employees)s and customers %(customers)s agree that we deliver a superior "
            "experience; difference %(gap)s percentage points."
        )
        % {
            "employees": gap.employees_agree,
            "customers": gap.customers_agree,
            "gap": gap.headline_gap,
        },
        9,
    )
    pdf.para(gap.headline_statement, 8, muted=True)
    pdf.para(gap.widest, 9, bold=True)
    pdf.ln(1)
    shares = (0.24, 0.2, 0.2, 0.16, 0.2)
    chart_x = pdf.l_margin + pdf.width * 0.8
    chart_w = pdf.width * 0.2 - 2

    def legend(y: float) -> None:
        pdf.legend(chart_x, y + 0.2, [(EMPLOYEE, _("employees"))])
        pdf.legend(chart_x, y + 4.0, [(CUSTOMER, _("customers"))])

    header = [_("Dimension"), _("Employees (1–7)"), _("Customers (1–7)"), _("Gap"), ""]
    pdf.start_table(list(zip(shares, header, strict=True)), extra=legend, height=9.0)
    for row in gap.rows:
        label = row.label + (f"\n{row.statement}" if row.statement else "")
        pdf.row(
            list(
                zip(
                    shares,
                    [label, row.employee_text, row.customer_text, row.gap_text, ""],
                    strict=True,
                )
            ),
            min_height=9.0,
        )
        y = pdf.last_row_top  # on a new page when the row did not fit
        # The employees' dot and interval on the upper track, the customers' on the lower.
        pdf.scale_bar(chart_x, y + 1.2, chart_w, row.employee_bar, EMPLOYEE, filled=False)
        pdf.scale_bar(chart_x, y + 5.0, chart_w, row.customer_bar, CUSTOMER, filled=False)
    pdf.end_table()


def _norms(pdf: _ReportPDF, report: Report) -> None:
    pdf.heading(_("The customer-centric norms"), 40)
    if not report.norms:
        pdf.para(_("No norms are measured."), muted=True)
        return
    shares = (0.34, 0.14, 0.14, 0.14, 0.24)
    header = [_("Norm"), report.month_label, _("Target"), pgettext("difference", "Change"), ""]
    pdf.start_table(list(zip(shares, header, strict=True)))
    for line in report.norms:
        target = line.target_text
        if line.meets_target is True:
            target += " ✓"
        elif line.meets_target is False:
            target += " ✗"
        pdf.row(
            list(
                zip(
                    shares,
                    [
                        line.label,
                        f"{line.value_text}\nn={line.n}",
                        target,
                        line.change_text,
                        "",
                    ],
                    strict=True,
                )
            )
        )
        y = pdf.last_row_top  # on a new page when the row did not fit
        colour = GOOD if line.meets_target else BAD if line.meets_target is False else BRAND
        if not line.enough:
            colour = MUTED  # the small-n rule: grey, never a verdict
        pdf.scale_bar(
            pdf.l_margin + pdf.width * 0.76, y + 1.5, pdf.width * 0.24 - 2, line.bar, colour
        )
    pdf.end_table()


def _moves(pdf: _ReportPDF, report: Report) -> None:
    pdf.heading(_("The biggest changes since last month"), 26)
    if not report.moves:
        pdf.para(
            _("Nothing moved, or there is too little data in one of the two months to compare."),
            muted=True,
        )
        return
    for move in report.moves:
        mark = "▲" if move.better else "▼"
        tail = ""
        if move.significant is True:
            tail = " · " + _("significant (95%)")
        elif move.significant is False:
            tail = " · " + _("could be chance")
        pdf.set_text_color(*(GOOD if move.better else BAD))
        pdf.set_font(FONT, "B", 9)
        pdf.cell(6, 5, mark)
        pdf.set_text_color(*INK)
        pdf.set_font(FONT, "", 9)
        pdf.multi_cell(
            pdf.width - 6, 5, move.text + tail, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )


def _stories(pdf: _ReportPDF, report: Report) -> None:
    pdf.heading(_("Three customer stories"), 40)
    for story in report.stories:
        pdf.need(24)
        pdf.set_font(FONT, "B", 10)
        pdf.set_text_color(*BRAND)
        pdf.cell(pdf.width, 6, story.heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(*INK)
        if not story.available:
            pdf.para(story.meta, 9, muted=True)
            pdf.ln(2)
            continue
        x, y = pdf.l_margin, pdf.get_y()
        pdf.set_x(x + 4)
        pdf.set_font(FONT, "", 9.5)
        pdf.multi_cell(
            pdf.width - 4, 4.8, f"“{story.quote}”", align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        pdf.set_draw_color(*BRAND)
        pdf.set_line_width(0.8)
        if pdf.get_y() > y:
            pdf.line(x + 1, y, x + 1, pdf.get_y())
        pdf.set_line_width(0.2)
        pdf.para(story.meta, 7.5, muted=True)
        for item in story.done:
            pdf.para("→ " + item, 8.5)
        pdf.ln(2)


def _decisions(pdf: _ReportPDF, report: Report) -> None:
    decisions = report.decisions
    pdf.heading(_("Decisions and customer input"), 36)
    for label, counts in (
        (report.month_label, decisions.month_counts),
        (decisions.quarter + " " + _("to date"), decisions.quarter_counts),
    ):
        pdf.para(
            ngettext(
                "%(period)s: %(taken)s decision taken, %(with)s with customer evidence "
                "(%(share)s), %(without)s deliberately without (with the reason), "
                "%(unexplained)s with neither.",
                "%(period)s: %(taken)s decisions taken, %(with)s with customer evidence "
                "(%(share)s), %(without)s deliberately without (with the reason), "
                "%(unexplained)s with neither.",
                counts.taken,
            )
            % {
                "period": label,
                "taken": counts.taken,
                "with": counts.with_input,
                "share": counts.share_text,
                "without": counts.without_input,
                "unexplained": counts.unexplained,
            },
            9,
        )
    pdf.ln(1)
    if not decisions.month:
        pdf.para(_("No decisions were taken this month."), muted=True)
        return
    shares = (0.1, 0.4, 0.2, 0.3)
    header = [_("Date"), _("Decision"), _("Team"), _("Customer input")]
    pdf.start_table(list(zip(shares, header, strict=True)))
    for line in decisions.month:
        if line.with_input:
            evidence = ngettext(
                "%(n)s piece of evidence", "%(n)s pieces of evidence", line.evidence
            ) % {"n": line.evidence}
        elif line.without_input:
            evidence = _("without: %(reason)s") % {"reason": line.reason}
        else:
            evidence = _("none recorded")
        pdf.row(list(zip(shares, [line.date_text, line.title, line.team, evidence], strict=True)))
    pdf.end_table()
    if decisions.more:
        pdf.para(_("… and %(n)s more.") % {"n": decisions.more}, 8, muted=True)
