"""The annual report page: who sees which site's figures, the tables, the comparison with the
previous year, the public version."""

import json
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.services.aggregates import aggregates_rebuild_range
from reports.services.exports import HIDDEN
from reports.services.figures import annual_figures
from staffing.services.time import local_date
from tests.factories import ContactFactory

from .conftest import brussels

pytestmark = pytest.mark.django_db


def page(client, year=2026, **query):
    return client.get(reverse("reports:annual", args=[year]), query)


def test_anonymous_is_sent_to_login(client):
    response = page(client)
    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_responder_and_outsider_are_refused(client_for, responder, outsider):
    assert page(client_for(responder)).status_code == 403
    assert page(client_for(outsider)).status_code == 403
    assert client_for(outsider).get(reverse("reports:index")).status_code == 403


def test_index_redirects_to_the_current_year(client_for, coordinator):
    response = client_for(coordinator).get(reverse("reports:index"))
    assert response.status_code == 302
    this_year = local_date(timezone.now()).year
    assert response.url == reverse("reports:annual", args=[this_year])


def test_years_before_the_line_or_in_the_future_are_404(client_for, coordinator):
    client = client_for(coordinator)
    assert page(client, 2011).status_code == 404
    assert page(client, 9999).status_code == 404


def test_site_coordinator_sees_only_their_own_site(client_for, site_coordinator, site, other_site):
    ContactFactory(site=site, started_at=brussels(2026, 3, 2, 10))
    for _ in range(3):
        ContactFactory(site=other_site, started_at=brussels(2026, 3, 2, 10))
    response = page(client_for(site_coordinator), site=other_site.code)
    assert response.status_code == 200
    assert response.context["site"] == site
    assert response.context["report"].figures["total_contacts"] == 1
    assert response.context["sites"] == []


def test_coordinator_sees_all_sites_or_chooses_one(client_for, coordinator, site, other_site):
    ContactFactory(site=site, started_at=brussels(2026, 3, 2, 10))
    ContactFactory(site=other_site, started_at=brussels(2026, 3, 2, 10))
    client = client_for(coordinator)
    response = page(client)
    assert response.context["site"] is None
    assert response.context["report"].figures["total_contacts"] == 2
    response = page(client, site=other_site.code)
    assert response.context["site"] == other_site
    assert response.context["report"].figures["total_contacts"] == 1
    assert page(client, site="nowhere").status_code == 404


def test_every_key_of_the_figures_is_a_table_with_not_recorded_rows(client_for, administrator):
    ContactFactory(started_at=brussels(2026, 2, 2, 10), theme_id=None)
    response = page(client_for(administrator))
    assert response.status_code == 200
    keys = {table.key for table, _rows in response.context["tables"]}
    figures = response.context["report"].figures
    tables = {key for key, value in figures.items() if isinstance(value, dict)}
    # by_counselling is the contact type table's column totals.
    assert keys == tables - {"by_counselling"}
    html = response.content.decode()
    assert html.count("Not recorded") >= 10
    by_theme = next(t for t, _r in response.context["tables"] if t.key == "by_theme")
    assert by_theme.rows[-1] == ("", "Not recorded")
    assert by_theme.cells[-1] == [1]
    assert "Contacts per month and channel" in html
    assert "no opening-hours slot" in html  # the definition of outside opening hours
    assert "Annual figures" in html  # the menu link


def test_comparison_with_the_previous_year(client_for, coordinator, site):
    for _ in range(4):
        ContactFactory(site=site, started_at=brussels(2025, 5, 6, 10), channel="phone")
    for _ in range(6):
        ContactFactory(site=site, started_at=brussels(2026, 5, 6, 10), channel="phone")
    ContactFactory(site=site, started_at=brussels(2026, 5, 6, 10), channel="chat")
    response = page(client_for(coordinator))
    rows = {table.key: rows for table, rows in response.context["tables"]}["by_channel"]
    phone = next(row for row in rows if row[0] == "Phone")
    assert phone[1:] == ([6], False, 4, "+2", "+50.0 %")
    chat = next(row for row in rows if row[0] == "Chat")
    assert chat[3:] == (0, "+1", "—")  # nothing the year before: no percentage
    total = rows[-1]
    assert total[2] is True and total[1] == [7] and total[3] == 4
    assert response.context["total_change"] == ("+3", "+75.0 %")


def test_public_version_hides_small_counts(client_for, coordinator, site):
    for _ in range(2):
        ContactFactory(site=site, started_at=brussels(2026, 1, 6, 10), channel="email")
    for _ in range(20):
        ContactFactory(site=site, started_at=brussels(2026, 1, 6, 10), channel="phone")
    response = page(client_for(coordinator), public="1")
    assert response.context["public"] is True
    tables = {table.key: rows for table, rows in response.context["tables"]}
    email = next(row for row in tables["by_channel"] if row[0] == "E-mail")
    assert email[1] == [HIDDEN]
    for rows in tables.values():
        for _label, values, *_rest in rows:
            assert not any(isinstance(v, int) and 0 < v < 5 for v in values)
    assert "public version" in response.content.decode()


def test_charts_read_their_data_from_a_json_script(client_for, coordinator, site):
    ContactFactory(site=site, started_at=brussels(2026, 4, 6, 10), channel="chat")
    html = page(client_for(coordinator)).content.decode()
    assert '<script id="report-charts" type="application/json">' in html
    start = html.index('<script id="report-charts" type="application/json">')
    data = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
    assert len(data["months"]) == 12
    assert {series["label"] for series in data["month_channels"]} == {"Phone", "Chat", "E-mail"}
    chat = next(s for s in data["month_channels"] if s["label"] == "Chat")
    assert chat["data"][3] == 1
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert "reports/annual.js" in html


def test_page_agrees_with_the_json_from_the_aggregates(client_for, coordinator, register):
    aggregates_rebuild_range(date(2025, 12, 1), date(2026, 11, 28))
    response = page(client_for(coordinator))
    figures = annual_figures(2026)
    assert response.context["report"].figures == figures
    tables = {table.key: table for table, _rows in response.context["tables"]}
    month_channel = tables["by_month_channel"]
    assert month_channel.published[-1][-1] == figures["total_contacts"]
    for i, (month, _label) in enumerate(month_channel.rows):
        assert month_channel.published[i][-1] == figures["by_month"][month]


def test_nav_link_only_for_who_may_view_reports(client_for, responder, site_coordinator):
    home = reverse("home")
    assert "/reports/" not in client_for(responder).get(home).content.decode()
    assert "/reports/" in client_for(site_coordinator).get(home).content.decode()


def test_the_page_reads_each_code_list_once_for_both_years(client_for, coordinator, site):
    """The figures and tables of two years take their code lists from one query, not a
    query per breakdown and per table; a label changed in the admin shows at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from contacts.models import Theme

    ContactFactory(site=site, started_at=brussels(2026, 3, 2, 10))
    Theme.objects.filter(code="child_abuse").update(
        label="Kindermishandeling (nieuw)", label_en="Child abuse (new)"
    )
    client = client_for(coordinator)
    with CaptureQueriesContext(connection) as queries:
        response = page(client)
    assert response.status_code == 200
    # The code lists' rows (the live counting's code mapping names no column of the table).
    theme_reads = [q["sql"] for q in queries if '"contacts_theme"."code"' in q["sql"]]
    assert len(theme_reads) == 1
    assert "Child abuse (new)" in response.content.decode()
