"""Exports of the annual figures (page downloads and the annual_report command): one source,
so the JSON, CSV, XLSX and PDF agree; every export is in the audit trail."""

import csv
import io
import json
import os
import sys
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from meldpunt.models import AuditEntry
from reports.services.aggregates import aggregates_rebuild_range
from reports.services.export_pdf import pdf_html, svg_horizontal_bars
from reports.services.exports import (
    HIDDEN,
    annual_report,
    report_tables,
    sheet_names,
)
from reports.services.figures import annual_figures, annual_figures_direct
from tests.factories import ContactFactory

from .conftest import brussels

pytestmark = pytest.mark.django_db


@pytest.fixture
def pdf_works():
    """WeasyPrint needs the Pango libraries: without them the PDF tests are skipped locally,
    while CI (.ci/run, PDF_REQUIRED) installs them and requires the tests to run."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        if os.environ.get("PDF_REQUIRED"):
            pytest.fail(f"PDF_REQUIRED is set but WeasyPrint cannot load: {error}")
        pytest.skip(f"WeasyPrint cannot load: {error}")


def download(client, fmt, year=2026, **query):
    return client.get(reverse("reports:export", args=[year]), {"format": fmt, **query})


@pytest.fixture
def figures_2026(register):
    aggregates_rebuild_range(date(2025, 12, 1), date(2026, 11, 28))
    figures = annual_figures(2026)
    assert figures == annual_figures_direct(2026)
    return figures


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("json", "application/json"),
        ("csv", "text/csv; charset=utf-8"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("pdf", "application/pdf"),
    ],
)
def test_downloads_have_their_type_and_name_and_are_audited(
    request, client_for, coordinator, site, fmt, content_type
):
    if fmt == "pdf":
        request.getfixturevalue("pdf_works")
    ContactFactory(site=site, started_at=brussels(2026, 2, 3, 10))
    response = download(client_for(coordinator), fmt, site=site.code, public="1")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="meldpunt-cijfers-2026-{site.code}-publiek.{fmt}"'
    )
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.user == coordinator
    assert entry.object_type == "annual_report"
    assert entry.site_code == site.code
    assert entry.detail == f"annual_report year=2026 site={site.code} format={fmt} public=1"


def test_whole_line_download_name(client_for, administrator):
    response = download(client_for(administrator), "csv")
    assert 'filename="meldpunt-cijfers-2026-alle-sites.csv"' in response["Content-Disposition"]
    assert AuditEntry.objects.get(action="export").detail.endswith("site=all format=csv public=0")


def test_exports_are_refused_to_responders_and_bad_formats_are_404(
    client_for, responder, coordinator
):
    assert download(client_for(responder), "csv").status_code == 403
    assert download(client_for(coordinator), "docx").status_code == 404
    assert not AuditEntry.objects.filter(action="export").exists()


def test_site_coordinator_downloads_their_own_site(client_for, site_coordinator, site, other_site):
    ContactFactory(site=other_site, started_at=brussels(2026, 2, 3, 10))
    response = download(client_for(site_coordinator), "json", site=other_site.code)
    data = json.loads(response.content)
    assert data["site"] == site.code
    assert data["total_contacts"] == 0


def test_json_csv_and_xlsx_agree(client_for, coordinator, figures_2026):
    client = client_for(coordinator)
    data = json.loads(download(client, "json").content)
    assert data == json.loads(json.dumps(figures_2026))

    rows = list(csv.reader(io.StringIO(download(client, "csv").content.decode())))
    assert rows[0] == ["table", "row", "column", "value"]
    by_key = {(t, r, c): v for t, r, c, v in rows[1:]}
    assert by_key[("total_contacts", "", "")] == str(data["total_contacts"])
    for month, channels in data["by_month_channel"].items():
        for channel, number in channels.items():
            assert by_key[("by_month_channel", month, channel)] == str(number)
    for theme, number in data["by_theme"].items():
        assert by_key[("by_theme", theme, "")] == str(number)

    book = load_workbook(io.BytesIO(download(client, "xlsx").content))
    # Sheets are named by their title, not by a code (issue 10).
    names = sheet_names(annual_report(figures_2026))
    assert book.sheetnames[0] == "Information"
    assert names["by_month_channel"] in book.sheetnames
    assert all("_" not in name and len(name) <= 31 for name in book.sheetnames)
    info = {row[0]: row[1] for row in book["Information"].iter_rows(values_only=True) if row}
    assert info["Year"] == 2026
    assert info["Total contacts"] == data["total_contacts"]
    assert "Outside opening hours" in info
    for table in report_tables(figures_2026):
        sheet = book[names[table.key]]
        values = list(sheet.iter_rows(values_only=True))
        assert values[0][2:] == tuple(table.header)
        for i, (code, _label) in enumerate(table.rows):
            row = values[i + 1]
            assert (row[0] or "") == code  # "" (not recorded) is an empty cell
            if table.key == "by_contact_type":  # types x kinds: its totals are in the JSON
                assert row[-1] == data["by_contact_type"][code]
            elif table.row_totals:
                for j, (column, _l) in enumerate(table.columns):
                    assert row[2 + j] == data[table.key][code][column]
                    assert isinstance(row[2 + j], int)
                assert row[-1] == sum(data[table.key][code].values())
            else:
                assert row[2] == data[table.key][code]
        if table.column_totals:
            total = values[len(table.rows) + 1]
            assert total[1] == "Total"
            if table.grand_link == "contacts":
                assert total[-1] == data["total_contacts"]
    assert book[names["by_month_channel"]]["C4"].value == data["by_month_channel"]["3"]["phone"]


def test_public_exports_hide_the_same_cells(client_for, coordinator, figures_2026):
    client = client_for(coordinator)
    data = json.loads(download(client, "json", public="1").content)
    assert data["public"] == {"threshold": 5, "hidden": HIDDEN}
    numbers = [
        value
        for content in data.values()
        if isinstance(content, dict)
        for row in content.values()
        for value in (row.values() if isinstance(row, dict) else [row])
    ]
    assert HIDDEN in numbers
    assert not any(isinstance(v, int) and 0 < v < 5 for v in numbers)

    rows = list(csv.reader(io.StringIO(download(client, "csv", public="1").content.decode())))
    by_key = {(t, r, c): v for t, r, c, v in rows[1:]}
    for month, channels in data["by_month_channel"].items():
        for channel, value in channels.items():
            assert by_key[("by_month_channel", month, channel)] == str(value)

    book = load_workbook(io.BytesIO(download(client, "xlsx", public="1").content))
    names = sheet_names(annual_report(figures_2026))
    sheet = list(book[names["by_month_channel"]].iter_rows(values_only=True))
    channels = [cell.lower().replace("-", "") for cell in sheet[0][2:-1]]  # Phone, Chat, E-mail
    for row in sheet[1:13]:
        for j, channel in enumerate(channels):
            assert row[2 + j] == data["by_month_channel"][row[0]][channel]


def test_pdf_has_the_tables_totals_and_static_charts(figures_2026, pdf_works):
    report = annual_report(figures_2026)
    html = pdf_html(report)
    assert f"<strong>{figures_2026['total_contacts']}</strong>" in html
    assert html.count("<svg") == 3
    assert "<script" not in html
    for table in report.tables:
        assert table.title in html
    from weasyprint import HTML

    document = HTML(string=html).render()
    assert len(document.pages) >= 2
    pdf = document.write_pdf()
    assert pdf.startswith(b"%PDF-")


def test_svg_bars_escape_labels_and_skip_hidden_counts():
    svg = svg_horizontal_bars([("<b>", 10), ("x", HIDDEN)])
    assert "&lt;b&gt;" in svg and "<b>" not in svg
    assert 'width="0"' in svg


def test_pdf_without_weasyprint_is_a_clear_error(client_for, coordinator, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails as without Pango
    client = client_for(coordinator)
    response = download(client, "pdf")
    assert response.status_code == 302
    assert response.url == reverse("reports:annual", args=[2026])
    page = client.get(response.url)
    assert "PDF export is not available" in page.content.decode()
    assert not AuditEntry.objects.filter(action="export").exists()
    with pytest.raises(CommandError, match="PDF export is not available"):
        call_command("annual_report", "2026", "--format", "pdf", "--output", "/dev/null")


def test_command_writes_every_format_and_audits(figures_2026, tmp_path, site, pdf_works):
    out = io.StringIO()
    call_command("annual_report", "2026", "--format", "csv", "--public", stdout=out)
    assert out.getvalue().startswith("table,row,column,value\n")
    assert "public,threshold,,5" in out.getvalue()
    for fmt, magic in (("xlsx", b"PK"), ("pdf", b"%PDF-"), ("json", b"{")):
        target = tmp_path / f"figures.{fmt}"
        call_command("annual_report", "2026", "--format", fmt, "--output", str(target))
        assert target.read_bytes().startswith(magic)
    written = json.loads((tmp_path / "figures.json").read_text())
    assert written == json.loads(json.dumps(figures_2026))
    book = load_workbook(tmp_path / "figures.xlsx")
    by_theme = book[sheet_names(annual_report(figures_2026))["by_theme"]]
    first_theme = by_theme["A2"].value or ""
    assert by_theme["C2"].value == figures_2026["by_theme"][first_theme]
    with pytest.raises(CommandError, match="binary"):
        call_command("annual_report", "2026", "--format", "xlsx", stdout=io.StringIO())
    entries = AuditEntry.objects.filter(action="export").order_by("id")
    assert [e.detail.split(" format=")[1] for e in entries] == [
        "csv public=1",
        "xlsx public=0",
        "pdf public=0",
        "json public=0",
    ]
    assert entries[0].username.startswith("cli:")
