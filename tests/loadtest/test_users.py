"""The load users log in through the real two steps (password, then a recovery code) and
open the deep list page where its "older" links lead."""

from datetime import UTC, datetime, timedelta

import pytest

from loadtest.accounts import PASSWORD, recovery_code
from loadtest.run import _deep_cursor
from loadtest.users import load_users_ensure
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_a_load_user_logs_in_with_a_recovery_code_and_reaches_the_pages(client, default_site):
    load_users_ensure()
    load_users_ensure()  # idempotent: fresh codes, the same users
    reply = client.post("/login/", {"username": "load-responder-03", "password": PASSWORD})
    assert reply.status_code == 302
    reply = client.get("/ping/")  # not yet: the second step first
    assert reply.status_code == 302 and "/account/two-factor/verify/" in reply["Location"]
    reply = client.post(reply["Location"], {"token": recovery_code("load-responder-03", 7)})
    assert reply.status_code == 302
    assert client.get("/ping/").status_code == 204
    assert client.get("/contacts/new/").status_code == 200


def test_the_deep_page_cursor_opens_the_page_the_older_links_reach(
    client, default_site, monkeypatch
):
    monkeypatch.setattr("contacts.views.contacts.PAGE_SIZE", 2)
    start = datetime(2025, 5, 1, 9, tzinfo=UTC)
    for n in range(7):
        # Two contacts share each start: the cursor must break ties as the links do.
        ContactFactory(site=default_site, started_at=start + timedelta(minutes=n // 2))
    load_users_ensure()
    client.post("/login/", {"username": "load-responder-00", "password": PASSWORD})
    client.post("/account/two-factor/verify/", {"token": recovery_code("load-responder-00", 0)})
    page = client.get("/contacts/")
    for _ in range(2):  # "older" twice: page 3
        page = client.get("/contacts/", {"after": page.context["page"].next_cursor})
    deep = client.get("/contacts/", {"after": _deep_cursor(3)})
    assert [c.pk for c in deep.context["page"]] == [c.pk for c in page.context["page"]]
    assert len(deep.context["page"]) == 2
    assert _deep_cursor(1) == "" and _deep_cursor(5) == ""  # page 1; beyond the last page
