"""The PDF of the annual figures: an HTML page (reports/annual_pdf.html, print stylesheet
reports/annual_print.css) turned into PDF by WeasyPrint, with the tables and static SVG bar
charts drawn here — a PDF runs no JavaScript, so Chart.js cannot draw them.

WeasyPrint is imported only in `write_pdf_document`: the app runs without it and its Pango
libraries (`make run` on a fresh machine); asking for a PDF there gives PdfUnavailable.
"""

from __future__ import annotations

from html import escape

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .exports import (
    AnnualReport,
    PdfUnavailable,
    chart_series,
    definitions,
    generated_at_local,
    report_title,
    suppression_note,
)

_BAR_COLOURS = ["#0d6efd", "#fd7e14", "#198754", "#6f42c1", "#d63384", "#20c997"]


def _number(value) -> int:
    return value if isinstance(value, int) else 0


def svg_horizontal_bars(items: list[tuple[str, int | str]], *, width: int = 640) -> str:
    """A horizontal bar per (label, value); hidden values draw no bar."""
    bar, gap, label_width = 14, 4, 230
    biggest = max([_number(value) for _label, value in items] + [1])
    room = width - label_width - 60
    rows = []
    for k, (label, value) in enumerate(items):
        y = k * (bar + gap)
        length = round(room * _number(value) / biggest)
        rows.append(
            f'<text x="{label_width - 6}" y="{y + bar - 3}" text-anchor="end" '
            f'font-size="10">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar}" '
            f'fill="{_BAR_COLOURS[0]}"/>'
            f'<text x="{label_width + length + 4}" y="{y + bar - 3}" '
            f'font-size="10">{escape(str(value))}</text>'
        )
    height = len(items) * (bar + gap)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">{"".join(rows)}</svg>'
    )


def svg_stacked_columns(
    categories: list[str], series: list[tuple[str, list[int | str]]], *, width: int = 640
) -> str:
    """A stacked column per category (months), one colour per series (channels), legend."""
    height, top, bottom, left = 220, 10, 40, 40
    totals = [sum(_number(values[k]) for _name, values in series) for k in range(len(categories))]
    biggest = max([*totals, 1])
    step = (width - left) / max(len(categories), 1)
    column = step * 0.7
    scale = (height - top - bottom) / biggest
    parts = [
        f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" '
        'stroke="#666"/>',
        f'<text x="{left - 4}" y="{top + 8}" text-anchor="end" font-size="9">{biggest}</text>',
    ]
    for k, category in enumerate(categories):
        x = left + k * step + (step - column) / 2
        y = height - bottom
        for s, (_name, values) in enumerate(series):
            h = _number(values[k]) * scale
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{column:.1f}" height="{h:.1f}" '
                f'fill="{_BAR_COLOURS[s % len(_BAR_COLOURS)]}"/>'
            )
        parts.append(
            f'<text x="{x + column / 2:.1f}" y="{height - bottom + 12}" text-anchor="middle" '
            f'font-size="9">{escape(category[:3])}</text>'
        )
    for s, (name, _values) in enumerate(series):
        x = left + s * 110
        parts.append(
            f'<rect x="{x}" y="{height - 16}" width="10" height="10" '
            f'fill="{_BAR_COLOURS[s % len(_BAR_COLOURS)]}"/>'
            f'<text x="{x + 14}" y="{height - 7}" font-size="10">{escape(name)}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">{"".join(parts)}</svg>'
    )


def pdf_html(report: AnnualReport) -> str:
    """The HTML WeasyPrint turns into the PDF (also what the tests read)."""
    series = chart_series(report)
    charts = [
        (
            _("Contacts per month and channel"),
            svg_stacked_columns(
                series["months"], [(s["label"], s["data"]) for s in series["month_channels"]]
            ),
        ),
        (
            _("Contacts per theme"),
            svg_horizontal_bars(
                list(zip(series["themes"]["labels"], series["themes"]["data"], strict=True))
            ),
        ),
    ]
    age_gender = report.table("caller_age_gender")
    charts.append(
        (
            _("Callers by age group (all genders)"),
            svg_horizontal_bars(
                [(label, values[-1]) for label, values, total in age_gender.body() if not total]
            ),
        )
    )
    return render_to_string(
        "reports/annual_pdf.html",
        {
            "title": report_title(report),
            "report": report,
            "generated": generated_at_local(report),
            "definitions": definitions(report.figures),
            "suppression_note": suppression_note(report) if report.public else "",
            # The SVG is built here from escaped labels and numbers.
            "charts": [(title, mark_safe(svg)) for title, svg in charts],  # noqa: S308  # nosec B308 B703
        },
    )


def write_pdf_document(report: AnnualReport, out) -> None:
    """WeasyPrint is imported only here: the rest of the app runs without it and its Pango
    libraries (`make run` on a fresh machine)."""
    try:
        from weasyprint import CSS, HTML
    except (ImportError, OSError) as error:
        raise PdfUnavailable(
            _(
                "PDF export is not available on this server: WeasyPrint or its Pango "
                "libraries could not be loaded (%(error)s). Export XLSX or CSV instead."
            )
            % {"error": error}
        ) from error
    stylesheet = CSS(filename=finders.find("reports/annual_print.css"))
    HTML(string=pdf_html(report)).write_pdf(out, stylesheets=[stylesheet])
