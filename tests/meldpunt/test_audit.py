"""The audit trail: the service, append-only at every level, auth signals, and the page."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.signals import user_login_failed
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.urls import reverse

from meldpunt.audit import (
    MASK,
    audit_changes,
    audit_purge_older_than,
    audit_record,
    cli_username,
)
from meldpunt.models import AppendOnlyError, AuditEntry
from tests.factories import PASSWORD, ContactFactory, UserFactory

pytestmark = pytest.mark.django_db

Action = AuditEntry.Action
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL"
)


def entry(**kwargs) -> AuditEntry:
    return audit_record(**{"action": Action.VIEW, "object_ref": "2026-000001", **kwargs})


# --- the service ---------------------------------------------------------------------------


def test_changes_list_only_what_differs_and_mask_free_text():
    old = {"theme": "child_abuse", "notes": "Vader slaat", "region": None, "summary": ""}
    new = {"theme": "partner_violence", "notes": "Moeder slaat", "region": None, "summary": "x"}
    assert audit_changes(old, new) == {
        "theme": ["child_abuse", "partner_violence"],
        "notes": [MASK, MASK],
        "summary": ["", MASK],
    }


def test_changes_of_a_creation_and_json_values():
    started = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    changes = audit_changes({}, {"started_at": started, "blank": None, "forms": {"b", "a"}})
    assert changes == {
        "started_at": [None, "2026-03-10T09:00:00+00:00"],
        "forms": [None, ["a", "b"]],
    }


def test_hand_built_changes_are_masked_too():
    made = entry(changes={"notes": ["geheim", "nog geheimer"], "theme": ["a", "b"]})
    made.refresh_from_db()
    assert made.changes == {"notes": [MASK, MASK], "theme": ["a", "b"]}


def test_record_takes_user_ip_and_browser_from_the_request(responder):
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="Firefox" * 50)
    request.user = responder
    contact = ContactFactory(site=responder.staff_member.site)
    made = audit_record(action=Action.VIEW, request=request, obj=contact)
    made.refresh_from_db()
    assert (made.user, made.username, made.ip) == (responder, "beantwoorder", "10.1.2.3")
    assert len(made.user_agent) == 200
    assert (made.object_type, made.object_ref, made.site_code) == (
        "contact",
        contact.reference,
        "antwerpen",
    )


def test_record_behind_a_trusted_proxy_takes_the_forwarded_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.4"
    )
    assert entry(request=request).ip == "192.0.2.4"


def test_record_without_a_valid_address_stores_none():
    request = RequestFactory().get("/", REMOTE_ADDR="not-an-ip")
    assert entry(request=request).ip is None


def test_cli_username_names_the_os_account():
    assert cli_username().startswith("cli:")
    assert len(cli_username()) > len("cli:")


def test_entry_inside_a_rolled_back_transaction_is_gone():
    # An entry shares the fate of the change it describes.
    with pytest.raises(RuntimeError), transaction.atomic():
        entry()
        raise RuntimeError
    assert not AuditEntry.objects.exists()


# --- append-only -------------------------------------------------------------------------


def test_orm_refuses_to_change_or_delete_entries():
    made = entry()
    made.detail = "changed"
    with pytest.raises(AppendOnlyError):
        made.save()
    with pytest.raises(AppendOnlyError):
        made.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=made.pk).update(detail="changed")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    made.refresh_from_db()
    assert made.detail == ""


def test_admin_is_read_only(rf, administrator):
    model_admin = admin.site._registry[AuditEntry]
    request = rf.get("/admin/")
    request.user = administrator
    made = entry()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, made)
    assert not model_admin.has_delete_permission(request, made)


def test_deleting_a_user_keeps_their_entries_with_the_name(responder):
    made = entry(user=responder)
    responder.delete()
    made.refresh_from_db()
    assert (made.user, made.username) == (None, "beantwoorder")


@on_postgresql
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE meldpunt_auditentry SET detail = 'forged'",
        "UPDATE meldpunt_auditentry SET user_id = NULL, detail = 'forged'",
        "DELETE FROM meldpunt_auditentry",
    ],
)
def test_database_refuses_raw_update_and_delete(sql, responder):
    entry(user=responder)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert AuditEntry.objects.get().detail == ""


def test_purge_deletes_only_entries_older_than_the_cutoff():
    cutoff = datetime(2026, 1, 1, tzinfo=UTC)
    old = [AuditEntry(action=Action.VIEW, at=cutoff - timedelta(days=d)) for d in (1, 400)]
    AuditEntry.objects.bulk_create([*old, AuditEntry(action=Action.VIEW, at=cutoff)])
    assert audit_purge_older_than(cutoff) == 2
    kept = AuditEntry.objects.order_by("at")
    assert kept[0].at == cutoff
    # The purge itself is on the record.
    assert kept.filter(action=Action.DELETE, detail__contains="rows=2").count() == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_purge_setting_is_transaction_local():
    # Real transactions: after the purge commits, deleting is refused again.
    AuditEntry.objects.create(action=Action.VIEW, at=datetime(2020, 1, 1, tzinfo=UTC))
    audit_purge_older_than(datetime(2021, 1, 1, tzinfo=UTC))
    entry()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM meldpunt_auditentry")


def test_purge_refuses_a_naive_cutoff():
    with pytest.raises(ValueError, match="aware"):
        audit_purge_older_than(datetime(2026, 1, 1))  # noqa: DTZ001


# --- logins --------------------------------------------------------------------------------


def test_login_and_logout_are_recorded(client, responder):
    client.force_login(responder)
    client.post(reverse("logout"), REMOTE_ADDR="10.0.0.7")
    login, logout = AuditEntry.objects.order_by("id")
    assert (login.action, login.user, login.site_code) == (Action.LOGIN, responder, "antwerpen")
    assert (logout.action, logout.username, logout.ip) == (
        Action.LOGOUT,
        "beantwoorder",
        "10.0.0.7",
    )


def test_failed_login_is_recorded_with_the_name_tried(client, responder):
    response = client.post(
        reverse("login"), {"username": "beantwoorder", "password": "wrong"}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 200
    failed = AuditEntry.objects.get(action=Action.LOGIN_FAILED)
    assert (failed.username, failed.user, failed.ip) == ("beantwoorder", None, "10.0.0.9")
    assert PASSWORD not in str(failed.changes) and "wrong" not in failed.detail


def test_failed_login_signal_for_an_unknown_name(rf):
    request = rf.post("/login/", REMOTE_ADDR="10.0.0.8")
    user_login_failed.send(sender=__name__, credentials={"username": "onbekend"}, request=request)
    failed = AuditEntry.objects.get(action=Action.LOGIN_FAILED)
    assert (failed.username, failed.user, failed.ip) == ("onbekend", None, "10.0.0.8")


# --- the audit page ------------------------------------------------------------------------

URL = "/audit/"


@pytest.fixture
def entries(site, other_site):
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                action=Action.VIEW,
                username="beantwoorder",
                object_type="contact",
                object_ref="2026-000001",
                site_code=site.code,
                at=datetime(2026, 3, 2, 10, tzinfo=UTC),
            ),
            AuditEntry(
                action=Action.UPDATE,
                username="beantwoorder",
                object_type="contact",
                object_ref="2026-000001",
                site_code=site.code,
                changes={"theme": ["child_abuse", "other"], "notes": [MASK, MASK]},
                at=datetime(2026, 3, 5, 10, tzinfo=UTC),
            ),
            AuditEntry(
                action=Action.VIEW,
                username="beantwoorder_gent",
                object_type="case",
                object_ref="D2026-00007",
                site_code=other_site.code,
                at=datetime(2026, 3, 3, 10, tzinfo=UTC),
            ),
            AuditEntry(
                action=Action.EXPORT,
                username="cli:ops",
                detail="export_contacts year=2026 site=all rows=3",
                at=datetime(2026, 3, 4, 10, tzinfo=UTC),
            ),
        ]
    )


def shown(response) -> list[str]:
    assert response.status_code == 200
    return [f"{e.action}:{e.object_ref or e.detail}" for e in response.context["page"]]


def test_page_is_refused_to_anonymous_outsiders_and_responders(
    client, client_for, outsider, responder
):
    assert client.get(URL).url.startswith("/login/")
    assert client_for(outsider).get(URL).status_code == 403
    assert client_for(responder).get(URL).status_code == 403


def test_page_is_read_only(client_for, coordinator):
    assert client_for(coordinator).post(URL).status_code == 405


def test_coordinator_sees_every_entry_newest_first(client_for, coordinator, entries):
    # Up to March: leaves out the login entry that logging in the test client wrote.
    response = client_for(coordinator).get(URL, {"date_to": "2026-03-31"})
    assert shown(response) == [
        "update:2026-000001",
        "export:export_contacts year=2026 site=all rows=3",
        "view:D2026-00007",
        "view:2026-000001",
    ]
    page = response.content.decode()
    # Field and code labels, not codes (issue 10).
    assert "Main theme" in page and "Child abuse → Other problems" in page
    assert reverse("audit:list") in page  # the menu link


def test_site_coordinator_sees_only_their_sites_entries(client_for, site_coordinator, entries):
    response = client_for(site_coordinator).get(URL, {"date_to": "2026-03-31"})
    assert shown(response) == ["update:2026-000001", "view:2026-000001"]
    assert "beantwoorder_gent" not in response.content.decode()


def test_administrator_sees_every_site(client_for, administrator, entries):
    response = client_for(administrator).get(URL, {"date_to": "2026-03-31"})
    assert len(shown(response)) == 4


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"username": "beantwoorder_gent"}, ["view:D2026-00007"]),
        ({"action": "export"}, ["export:export_contacts year=2026 site=all rows=3"]),
        ({"object_ref": "2026-000001"}, ["update:2026-000001", "view:2026-000001"]),
        ({"object_ref": "d2026-00007 "}, ["view:D2026-00007"]),
        # Brussels days: 2 to 3 March local.
        (
            {"date_from": "2026-03-02", "date_to": "2026-03-03"},
            ["view:D2026-00007", "view:2026-000001"],
        ),
        (
            {"date_from": "2026-03-04", "date_to": "2026-03-04"},
            ["export:export_contacts year=2026 site=all rows=3"],
        ),
    ],
)
def test_filters(client_for, coordinator, entries, filters, expected):
    assert shown(client_for(coordinator).get(URL, filters)) == expected


def test_bad_filters_show_an_error_and_no_entries(client_for, coordinator, entries):
    response = client_for(coordinator).get(
        URL, {"date_from": "2026-03-05", "date_to": "2026-03-01", "action": "nonsense"}
    )
    assert shown(response) == []
    assert response.context["form"].errors


def test_pages_of_fifty(client_for, coordinator):
    AuditEntry.objects.bulk_create(
        AuditEntry(action=Action.VIEW, object_ref=f"2026-{n:06d}", username="x") for n in range(60)
    )
    client = client_for(coordinator)
    first = client.get(URL, {"username": "x"})
    assert len(shown(first)) == 50
    second = client.get(URL, {"username": "x", "page": 2})
    assert len(shown(second)) == 10


def test_page_queries_are_bounded(client_for, coordinator, django_assert_max_num_queries):
    AuditEntry.objects.bulk_create(AuditEntry(action=Action.VIEW, username="x") for _ in range(40))
    client = client_for(coordinator)
    with django_assert_max_num_queries(8):
        client.get(URL)


@pytest.mark.parametrize(
    ("role", "shown"),
    [("responder", False), ("site_coordinator", True), ("coordinator", True)],
)
def test_menu_link_follows_the_permission_matrix(request, client_for, role, shown):
    page = client_for(request.getfixturevalue(role)).get(reverse("home")).content.decode()
    assert (reverse("audit:list") in page) is shown


def test_username_lookup_is_exact(client_for, coordinator):
    UserFactory(username="beantwoorder2")
    entry(username="beantwoorder2")
    assert shown(client_for(coordinator).get(URL, {"username": "beantwoorder"})) == []
