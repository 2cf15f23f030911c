"""The annual report page and its downloads. Counts only: nothing here reads a note.

Site coordinators see their own site's figures whatever `?site=` says; coordinators and
administrators choose a site or the whole line. Every download is written to the audit trail.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from meldpunt.audit import Action as AuditAction
from meldpunt.audit import audit_record
from meldpunt.permissions import Action, can, permission_required
from meldpunt.roles import sees_all_sites
from staffing.models import Site, site_of
from staffing.services.time import local_date

from .services.exports import (
    CONTENT_TYPES,
    FORMATS,
    HIDDEN,
    PdfUnavailable,
    annual_report,
    chart_series,
    export_bytes,
    export_filename,
    format_change,
    suppression_note,
)
from .services.figures import annual_figures, code_lists_read_once

FIRST_YEAR = 2012  # the line opened in March 2012


def _current_year() -> int:
    return local_date(timezone.now()).year


def _year_or_404(year: int) -> int:
    if not FIRST_YEAR <= year <= _current_year():
        raise Http404
    return year


def _report_site(request) -> Site | None:
    """The site whose figures the user asked for and may see; None for the whole line."""
    if sees_all_sites(request.user):
        code = request.GET.get("site", "")
        return get_object_or_404(Site, code=code) if code else None
    own = site_of(request.user)
    if own is None:  # a site role without a site sees nothing rather than everything
        raise PermissionDenied
    return own


def _site_query(request, site) -> dict:
    """The ?site= that reproduces the page's choice (only line-wide users choose)."""
    return {"site": site.code} if site is not None and sees_all_sites(request.user) else {}


def _is_public(request) -> bool:
    return request.GET.get("public") == "1"


@require_GET
@permission_required(Action.REPORT_VIEW)
def index(request):
    return redirect("reports:annual", year=_current_year())


def _rows_with_comparison(table, previous_table):
    """The table's rows as published, each with the previous year's row total, the difference
    and the percentage; the total row included."""
    previous = {code: previous_table.row_total(code) for code, _label in previous_table.rows}
    previous_totals = [previous.get(code, 0) for code, _label in table.rows]
    if table.column_totals:
        previous_totals.append(previous_table.total())
    return [
        (label, values, is_total, before, *format_change(values[-1], before))
        for (label, values, is_total), before in zip(table.body(), previous_totals, strict=True)
    ]


def _chart_data(series):
    """Hidden counts become null: Chart.js leaves them out."""
    if isinstance(series, dict):
        return {key: _chart_data(value) for key, value in series.items()}
    if isinstance(series, list):
        return [_chart_data(value) for value in series]
    return None if series == HIDDEN else series


@require_GET
@permission_required(Action.REPORT_VIEW)
def annual(request, year: int):
    year = _year_or_404(year)
    site = _report_site(request)
    public = _is_public(request)
    with code_lists_read_once():  # both years' figures and tables: one query for them all
        report = annual_report(annual_figures(year, site), public=public)
        previous = annual_report(annual_figures(year - 1, site), public=public)
        previous_tables = {table.key: table for table in previous.tables}
        tables = [
            (table, _rows_with_comparison(table, previous_tables[table.key]))
            for table in report.tables
        ]
    query = _site_query(request, site)
    export_query = {**query, "public": "1"} if public else query
    return render(
        request,
        "reports/annual.html",
        {
            "year": year,
            "previous_year": year - 1,
            "years": range(_current_year(), FIRST_YEAR - 1, -1),
            "site": site,
            "sites": Site.objects.order_by("name", "id") if sees_all_sites(request.user) else [],
            "public": public,
            "report": report,
            "tables": tables,
            "suppression_note": suppression_note(report) if public else "",
            "totals": report.data,
            "previous_totals": previous.data,
            "total_change": format_change(
                report.data["total_contacts"], previous.data["total_contacts"]
            ),
            "charts": _chart_data(chart_series(report)),
            "can_export": can(request.user, Action.REPORT_EXPORT),
            "export_links": [
                (
                    fmt.upper(),
                    reverse("reports:export", args=[year])
                    + "?"
                    + urlencode({**export_query, "format": fmt}),
                )
                for fmt in FORMATS
            ],
            "public_link": "?" + urlencode({**query, "public": "1"}),
            "full_link": "?" + urlencode(query) if query else "?",
        },
    )


@require_GET
@permission_required(Action.REPORT_EXPORT)
def export(request, year: int):
    year = _year_or_404(year)
    site = _report_site(request)
    public = _is_public(request)
    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:
        raise Http404
    with code_lists_read_once():
        report = annual_report(annual_figures(year, site), public=public)
    try:
        content = export_bytes(report, fmt)
    except PdfUnavailable as error:
        messages.error(request, str(error))
        url = reverse("reports:annual", args=[year])
        query = _site_query(request, site)
        return redirect(url + ("?" + urlencode(query) if query else ""))
    audit_record(
        action=AuditAction.EXPORT,
        request=request,
        object_type="annual_report",
        object_ref=str(year),
        site_code=site.code if site is not None else "",
        detail=(
            f"annual_report year={year} site={site.code if site else 'all'} "
            f"format={fmt} public={int(public)}"
        ),
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    filename = export_filename(report.figures, fmt, public=public)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
